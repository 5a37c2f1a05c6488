"""API input models of the operator player surface (seed 000): the request body of every players route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from pitboss import clock
from pitboss.identity.entity import KycStatus, PlayerStatus, RiskBand
from pitboss.types import (
    BodyBrandId,
    BrandInBody,
    CountryCode,
    DateOfBirth,
    EmailAddress,
    ExternalRef,
    Flag,
    IdempotencyKey,
    Model,
    Reason,
    Username,
    plain_number,
)

MAX_TAGS_PER_REQUEST = 20
LIMIT_MAX = Decimal("999999999999999")
# Limits are answered as JSON numbers (seed 000: `"deposit_daily_limit": 250`), and most clients read a JSON
# number as an IEEE double, which holds any decimal of at most 15 significant digits exactly. So a limit is
# accepted only if every client reads back exactly what was set: 99999999999999.99 (16 digits) is a 422, not a
# limit silently answered as 99999999999999.98.
LIMIT_DIGITS = 15


def _exact_as_json_number(value: Decimal) -> Decimal:
    if len(value.normalize().as_tuple().digits) > LIMIT_DIGITS:
        raise ValueError(
            f"at most {LIMIT_DIGITS} significant digits: limits are JSON numbers, which clients read as doubles"
        )
    return value


# Money limits arrive as JSON numbers (or plain decimal strings) in the brand currency; the currency's
# minor units are checked by the rules, which know the brand.
MoneyLimit = Annotated[
    Decimal,
    BeforeValidator(plain_number),
    Field(ge=0, le=LIMIT_MAX),
    AfterValidator(_exact_as_json_number),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "format": "decimal", "minimum": 0, "maximum": int(LIMIT_MAX)},
                {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
            ],
            "description": "A non-negative amount in the brand currency, with at most the currency's number "
            "of decimal places (2 for USD) and at most 15 significant digits (so a JSON number read as a double "
            "is exactly the limit): a JSON number or a plain decimal string",
        }
    ),
]
MinuteLimit = Annotated[int, Field(strict=True, ge=1, le=525_600, description="Minutes")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]
Nickname = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), Field(description="Display name")
]
UNTIL_MAX_AHEAD = timedelta(days=36_525)  # 100 years: "for good" is self_exclusion_permanent


def _bounded_until(value: datetime) -> datetime:
    """Normalised to UTC here, so an offset that pushes the instant out of datetime's range is a 422."""
    try:
        utc = value.astimezone(UTC)
        latest = clock.now() + UNTIL_MAX_AHEAD
    except OverflowError as exc:
        raise ValueError("not a representable instant") from exc
    if utc > latest:
        raise ValueError("must be at most 100 years ahead")
    return utc


Until = Annotated[
    AwareDatetime,
    AfterValidator(_bounded_until),
    Field(description="ISO 8601 with a time zone, in the future, at most 100 years ahead"),
]


class PlayerUpsert(Model):
    model_config = ConfigDict(extra="forbid")

    username: Username
    email: Annotated[EmailAddress, Field(max_length=254, description="The player's email address")]
    external_ref: Annotated[ExternalRef | None, Field(description="Your internal PAM id")] = None
    country_code: CountryCode | None = None
    date_of_birth: DateOfBirth | None = None
    nickname: Annotated[Nickname | None, Field(description="The player's display name (seed 001); null clears it")] = (
        None
    )
    brand_id: Annotated[
        BodyBrandId | None, Field(description="Required when the key can act on several brands (or ?brand_id=)")
    ] = None
    idempotency_key: IdempotencyKey | None = None


class StatusChange(BrandInBody):
    model_config = ConfigDict(extra="forbid")

    status: Annotated[PlayerStatus, Field(description="The new lifecycle status")]
    reason: Annotated[Reason, Field(description="Recorded as a compliance note on the timeline")]
    idempotency_key: IdempotencyKey | None = None


class RgLimits(Model):
    """The RG limit fields, as the operator (RgUpdate) and the player (the gateway's GwRgLimitsIn) send them:
    one declaration, so both surfaces take the same limits with the same bounds."""

    deposit_daily_limit: MoneyLimit | None = None
    deposit_weekly_limit: MoneyLimit | None = None
    deposit_monthly_limit: MoneyLimit | None = None
    loss_daily_limit: MoneyLimit | None = None
    loss_weekly_limit: MoneyLimit | None = None
    loss_monthly_limit: MoneyLimit | None = None
    wager_daily_limit: MoneyLimit | None = None
    session_duration_limit: MinuteLimit | None = None
    reality_check_interval: MinuteLimit | None = None


# RgLimits after BrandInBody in the fields' order (brand_id first, as before): bases are listed the other way.
class RgUpdate(RgLimits, BrandInBody):
    """Only the fields sent change; null clears. Increases and removals wait for the brand's delay."""

    model_config = ConfigDict(extra="forbid")

    cooloff_until: Annotated[Until | None, Field(description="Short-term cool-off; can't be shortened")] = None
    self_exclusion_until: Annotated[
        Until | None, Field(description="Time-bounded self-exclusion; can't be shortened")
    ] = None
    self_exclusion_permanent: Annotated[
        Flag | None, Field(description="true: permanent self-exclusion, irreversible through the API")
    ] = None
    reason: Annotated[Reason | None, Field(description="Optional note kept on the timeline event")] = None
    idempotency_key: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _something(self) -> RgUpdate:
        if not self.model_fields_set - {"reason", "idempotency_key", "brand_id"}:
            raise ValueError("send at least one RG field")
        return self


class KycChange(BrandInBody):
    model_config = ConfigDict(extra="forbid")

    kyc_status: KycStatus | None = None
    kyc_level: Annotated[int | None, Field(strict=True, ge=0, le=3)] = None
    reason: Reason
    idempotency_key: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _something(self) -> KycChange:
        if self.kyc_status is None and self.kyc_level is None:
            raise ValueError("send kyc_status and/or kyc_level")
        return self


class FlagsChange(BrandInBody):
    model_config = ConfigDict(extra="forbid")

    risk_band: RiskBand | None = None
    is_pep: Flag | None = None
    is_sanctioned: Flag | None = None
    reason: Reason
    idempotency_key: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _something(self) -> FlagsChange:
        if self.risk_band is None and self.is_pep is None and self.is_sanctioned is None:
            raise ValueError("send risk_band, is_pep and/or is_sanctioned")
        return self


class TagsChange(BrandInBody):
    model_config = ConfigDict(extra="forbid")

    add: Annotated[list[Tag], Field(max_length=MAX_TAGS_PER_REQUEST, description="Tags to add")] = Field(
        default_factory=list
    )
    remove: Annotated[list[Tag], Field(max_length=MAX_TAGS_PER_REQUEST, description="Tags to remove")] = Field(
        default_factory=list
    )
    idempotency_key: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _something(self) -> TagsChange:
        if not self.add and not self.remove:
            raise ValueError("send tags to add and/or remove")
        if {t.casefold() for t in self.add} & {t.casefold() for t in self.remove}:
            raise ValueError("a tag can't be both added and removed")
        return self


class NoteIn(BrandInBody):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    idempotency_key: IdempotencyKey | None = None
