"""API models of the brands surface (issue 13): the read-only brand view, message-format overrides and the VIP
ladder. Money and percentages are decimal strings on the way out."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

import pitboss.gateway.rules as gateway_rules
from pitboss.tenancy import Brand
from pitboss.types import Model

FORMAT_KEY_MAX = 64
FORMAT_TEXT_MAX = 2000
MAX_FORMATS = 200
MAX_LEVELS = 50
# The gateway's table of message-format keys, once it publishes one (gateway-3); until then any key.
KNOWN_FORMAT_KEYS: frozenset[str] | None = frozenset(getattr(gateway_rules, "MESSAGE_FORMAT_KEYS", ())) or None

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
LevelName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class BrandOut(Model):
    brand_id: int
    name: str
    currency: str = Field(description="The default currency")
    currencies: list[str] = Field(description="Every currency the brand takes, its default first")
    service_mode: Literal["white_label", "plug_in"]

    @classmethod
    def of(cls, brand: Brand) -> BrandOut:
        return cls(
            brand_id=brand.brand_id,
            name=brand.name,
            currency=brand.currency,
            currencies=brand.currencies,
            service_mode=brand.settings.service_mode,
        )


class BrandsOut(Model):
    brands: list[BrandOut]


class MessageFormatsIn(Model):
    model_config = ConfigDict(extra="forbid")
    formats: dict[str, str] = Field(description="{key: text}; replaces the language's overrides")

    @field_validator("formats")
    @classmethod
    def _keys(cls, formats: dict[str, str]) -> dict[str, str]:
        if len(formats) > MAX_FORMATS:
            raise ValueError(f"at most {MAX_FORMATS} formats")
        for key, text in formats.items():
            if not key.strip() or len(key) > FORMAT_KEY_MAX:
                raise ValueError(f"a key is a non-empty string of at most {FORMAT_KEY_MAX} characters")
            if KNOWN_FORMAT_KEYS is not None and key not in KNOWN_FORMAT_KEYS:
                raise ValueError(f"unknown message format key {key!r}")
            if len(text) > FORMAT_TEXT_MAX:
                raise ValueError(f"a text is at most {FORMAT_TEXT_MAX} characters")
        return formats


class MessageFormatsOut(Model):
    brand_id: int
    language: str
    formats: dict[str, str]


Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]


class VipLevelIn(Model):
    model_config = ConfigDict(extra="forbid")
    name: LevelName
    xp_threshold: Annotated[Decimal, Field(ge=0, decimal_places=2, max_digits=20)]
    cashback_percent: Percent = Decimal(0)
    cashback_rail: Literal["real", "bonus"] = "real"
    wagering_multiplier: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)] | None = Field(
        default=None, description="With cashback_rail bonus: the bonus's wagering multiplier (default 0)"
    )

    @model_validator(mode="after")
    def _multiplier_with_bonus(self) -> VipLevelIn:
        if self.wagering_multiplier is not None and self.cashback_rail != "bonus":
            raise ValueError("wagering_multiplier applies to cashback_rail bonus only")
        return self


class VipLevelsIn(Model):
    model_config = ConfigDict(extra="forbid")
    levels: list[VipLevelIn] = Field(min_length=1, max_length=MAX_LEVELS)

    @field_validator("levels")
    @classmethod
    def _ordered(cls, levels: list[VipLevelIn]) -> list[VipLevelIn]:
        if levels[0].xp_threshold != 0:
            raise ValueError("the first level's xp_threshold is 0")
        for lower, higher in itertools.pairwise(levels):
            if higher.xp_threshold <= lower.xp_threshold:
                raise ValueError("xp_threshold must be strictly increasing")
        return levels

    def stored(self) -> list[dict[str, Any]]:
        """The ladder as the brand setting keeps it (decimals as strings: settings are JSON)."""
        return [
            {
                "name": level.name,
                "xp_threshold": str(level.xp_threshold),
                "cashback_percent": str(level.cashback_percent),
                "cashback_rail": level.cashback_rail,
                **(
                    {"wagering_multiplier": str(level.wagering_multiplier)}
                    if level.wagering_multiplier is not None
                    else {}
                ),
            }
            for level in self.levels
        ]


class VipLevelOut(Model):
    level: int
    name: str
    xp_threshold: str
    cashback_percent: str
    cashback_rail: Literal["real", "bonus"]
    wagering_multiplier: str | None = None


class VipLevelsOut(Model):
    brand_id: int
    levels: list[VipLevelOut]

    @classmethod
    def of(cls, brand: Brand) -> VipLevelsOut:
        return cls(
            brand_id=brand.brand_id,
            levels=[VipLevelOut(level=i, **stored) for i, stored in enumerate(brand.settings.vip_levels, start=1)],
        )
