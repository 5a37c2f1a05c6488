"""Message formats (issue 11 #9; seed 002: "Message format to be displayed taken from Message Format"): the
text of every `message_format` the gateway answers, the defaults overlaid with a brand's own
(`message_formats` brand setting, per language)."""

from __future__ import annotations

from pitboss.gateway import rules
from pitboss.gateway.output import GwMessageFormatsOut
from pitboss.tenancy import Brand


def message_formats(brand: Brand | None, language: str | None) -> GwMessageFormatsOut:
    """A brand's texts, or without one ("default storage") the defaults, in `language` or English."""
    overrides = brand.settings.message_formats if brand is not None else {}
    answered, formats = rules.message_formats(overrides, language)
    return GwMessageFormatsOut(language=answered, formats=formats)
