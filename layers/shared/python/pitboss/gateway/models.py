"""API input models of the player gateway (seed 002): request bodies as the seed names their fields (the
response bodies are in gateway.output). Seed spellings are kept on purpose (eMailAdress, lossed)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from pitboss.players.models import RgLimits
from pitboss.types import Flag, Model

Text = Annotated[str, StringConstraints(max_length=1000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Secret = Annotated[str, StringConstraints(max_length=1000), Field(description="Never logged, never stored in clear")]


# ---- requests ----------------------------------------------------------------------------------


class RegisterIn(Model):
    model_config = ConfigDict(extra="ignore")

    username: Text | None = Field(default=None, description="3-32 of A-Z a-z 0-9 _ . - (qqtst_ marks a test player)")
    email: Text | None = None
    password: Secret | None = Field(default=None, description="8-15 characters, letters and digits")
    first_name: Short | None = None
    last_name: Short | None = None
    birthdate: Short | None = Field(default=None, description="YYYY-MM-DD")
    country: Short | None = Field(default=None, description="ISO 3166-1 alpha-2")
    phone: Short | None = None
    gender: Short | None = Field(default=None, description="F or M")
    language: Short | None = None


class LoginIn(Model):
    model_config = ConfigDict(extra="ignore")

    username: Text | None = Field(default=None, description="The username, or send email instead")
    email: Text | None = None
    password: Secret | None = None


class GwOptOut(Model):
    model_config = ConfigDict(extra="forbid")

    chat: Flag | None = None
    sms: Flag | None = None
    email: Flag | None = None
    phone: Flag | None = None


class DetailsIn(Model):
    """Every field optional; `optOut` as an object or, as the seed's example sends it, a JSON string.

    Only the fields of the seed's parameter table: anything else is dropped before anything is stored. The
    example's `comment` and `operator` are not among them: the actor of the change is the session's player,
    never a name from the body (issue 10 #6)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    lastName: Short | None = None
    firstName: Short | None = None
    birthdate: Short | None = Field(default=None, description="YYYY-MM-DD")
    gender: Short | None = Field(default=None, description="F or M")
    language: Short | None = None
    country: Short | None = Field(default=None, description="ISO 3166-1 alpha-2")
    city: Short | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    zipPostalCode: Short | None = None
    phone: Short | None = None
    optOut: GwOptOut | None = None

    @model_validator(mode="before")
    @classmethod
    def _dotted_opt_out(cls, data: Any) -> Any:
        """The seed's parameter table names the flags `optOut.sms`, ...: accepted as literal dotted keys
        too, merged over an `optOut` object (or its JSON text) sent alongside."""
        if not isinstance(data, dict) or not any(isinstance(k, str) and k.startswith("optOut.") for k in data):
            return data
        data = dict(data)
        merged = data.get("optOut")
        if isinstance(merged, str):
            merged = cls._opt_out_string(merged)
        if merged is not None and not isinstance(merged, dict):
            return data  # refused by the field's own validation
        merged = dict(merged or {})
        for key in [k for k in data if isinstance(k, str) and k.startswith("optOut.")]:
            merged[key.removeprefix("optOut.")] = data.pop(key)
        data["optOut"] = merged
        return data

    @field_validator("optOut", mode="before")
    @classmethod
    def _opt_out_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise ValueError("optOut must be an object or its JSON text") from exc
        return value


class GwStrCustomField(Model):
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name: Annotated[str, StringConstraints(max_length=128)] = ""
    value: Annotated[str, StringConstraints(max_length=256)]


class GwIntCustomField(Model):
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name: Annotated[str, StringConstraints(max_length=128)] = ""
    value: Annotated[int, Field(ge=-(2**53), le=2**53)]


class GwCustomFields(Model):
    strCustomFields: Annotated[list[GwStrCustomField], Field(max_length=50)] = Field(default_factory=list)
    intCustomFields: Annotated[list[GwIntCustomField], Field(max_length=50)] = Field(default_factory=list)


class EmailUpdateIn(Model):
    model_config = ConfigDict(extra="ignore")

    email: Text | None = None
    comment: Text | None = Field(default=None, description="Default: player request")
    password: Secret | None = Field(
        default=None,
        description="The current password: required when the brand sets email_change_requires_password "
        "(else 422 wrong_password); ignored otherwise",
    )


class ForgotPasswordIn(Model):
    model_config = ConfigDict(extra="ignore")

    mail: Text | None = Field(default=None, description="The player's email address")


class VerifyPasswordIn(Model):
    model_config = ConfigDict(extra="ignore")

    new_password: Secret | None = None


class ChangePasswordIn(Model):
    model_config = ConfigDict(extra="ignore")

    old_password: Secret | None = None
    new_password: Secret | None = None


class GwSignIn(Model):
    model_config = ConfigDict(extra="ignore")

    brand_id: Annotated[
        str | int | None, Field(description="The casino's brand id (missing: 400 invalid brand id)")
    ] = None
    player_id: Annotated[str | int, Field(description="The signing player's id")]
    language: Short
    type: Literal["tnc", "privacy"]


class GwMobileVerifyIn(Model):
    """The 403 mobile_verification_required's `2fa_auth_token` and the 6-digit code texted to the number."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    twofa_auth_token: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(alias="2fa_auth_token")
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]


# ---- responsible gaming, self-service (issue 11 #4) ------------------------------------------------


class GwRgLimitsIn(RgLimits):
    """The limits a player sets for themselves: the operator's RG limit fields (POST /v1/players/{key}/rg) and
    their rules - stricter at once, looser (or null: removed) after the brand's delay. Exclusions have their
    own routes."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="after")
    def _something(self) -> GwRgLimitsIn:
        if not self.model_fields_set:
            raise ValueError("send at least one limit")
        return self


class GwCoolOffIn(Model):
    model_config = ConfigDict(extra="ignore")

    days: Annotated[int, Field(strict=True, ge=1, le=42, description="A break of 1 to 42 days")]


EXCLUSION_MONTHS = (6, 12, 60)


class GwSelfExclusionIn(Model):
    """`{"months": 6 | 12 | 60}` or `{"permanent": true}` (irreversible through the API): exactly one."""

    model_config = ConfigDict(extra="ignore")

    months: Annotated[int | None, Field(strict=True, json_schema_extra={"enum": list(EXCLUSION_MONTHS)})] = None
    permanent: Literal[True] | None = None

    @model_validator(mode="after")
    def _one(self) -> GwSelfExclusionIn:
        if (self.months is None) == (self.permanent is None) or self.months not in (None, *EXCLUSION_MONTHS):
            raise ValueError('send "months" (6, 12 or 60) or "permanent": true')
        return self
