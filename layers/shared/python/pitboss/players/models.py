"""API models of the operator player surface (seed 000): request bodies and the dossier."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, PlainSerializer

from pitboss.identity.entity import MINUTE_LIMITS, KycStatus, Player, PlayerStatus, RiskBand
from pitboss.identity.gates import EffectiveState
from pitboss.types import BodyBrandId, CountryCode, DateOfBirth, ExternalRef, IdempotencyKey, Username


def limit_number(value: Decimal | int | None) -> int | float | None:
    """RG limits are JSON numbers in seed 000 (e.g. 250). Exact for the minor-unit amounts limits carry."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)  # float ok: display of a limit


LimitNumber = Annotated[Decimal | int | None, PlainSerializer(limit_number, return_type=int | float | None)]


class PlayerUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    email: Annotated[EmailStr, Field(max_length=254, description="The player's email address")]
    external_ref: Annotated[ExternalRef | None, Field(description="Your internal PAM id")] = None
    country_code: CountryCode | None = None
    date_of_birth: DateOfBirth | None = None
    brand_id: Annotated[
        BodyBrandId | None, Field(description="Required when the key can act on several brands (or ?brand_id=)")
    ] = None
    idempotency_key: IdempotencyKey | None = None


class PendingOut(BaseModel):
    value: LimitNumber
    effective_at: datetime


class RgOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    deposit_daily_limit: LimitNumber = None
    deposit_weekly_limit: LimitNumber = None
    deposit_monthly_limit: LimitNumber = None
    loss_daily_limit: LimitNumber = None
    loss_weekly_limit: LimitNumber = None
    loss_monthly_limit: LimitNumber = None
    wager_daily_limit: LimitNumber = None
    session_duration_limit: int | None = None
    reality_check_interval: int | None = None
    cooloff_until: datetime | None = None
    self_exclusion_until: datetime | None = None
    self_exclusion_permanent: bool = False
    cooloff_active: bool = False
    self_exclusion_active: bool = False
    pending: dict[str, PendingOut] = Field(default_factory=dict)


class PlayerOut(BaseModel):
    user_id: str
    player_id: int = Field(description="Numeric id used by the back-office and gateway surfaces")
    username: str
    email: str
    external_ref: str | None
    brand_id: int
    country_code: str | None
    date_of_birth: str | None
    status: PlayerStatus
    kyc_status: KycStatus
    kyc_level: int
    risk_band: RiskBand
    is_pep: bool
    is_sanctioned: bool
    tags: list[str]
    age_verified: bool
    rg: RgOut
    created_at: datetime
    updated_at: datetime


class PlayerEnvelope(BaseModel):
    player: PlayerOut
    deduped: bool | None = Field(default=None, description="true when this answers a replayed request")


def dossier(player: Player, state: EffectiveState) -> dict[str, Any]:
    """The dossier as JSON-ready data (API output family, never the stored item)."""
    rg: dict[str, Any] = {name: limit_number(value) for name, value in state.limits.items()}
    for name in MINUTE_LIMITS:
        if name in rg and rg[name] is not None:
            rg[name] = int(rg[name])
    rg.update(
        cooloff_until=player.cooloff_until,
        self_exclusion_until=player.self_exclusion_until,
        self_exclusion_permanent=player.self_exclusion_permanent,
        cooloff_active=state.cooloff_active,
        self_exclusion_active=state.self_exclusion_active,
        pending={
            name: {"value": limit_number(value), "effective_at": at} for name, (value, at) in state.pending.items()
        },
    )
    return {
        "user_id": player.user_id,
        "player_id": player.player_id,
        "username": player.username,
        "email": player.email,
        "external_ref": player.external_ref,
        "brand_id": player.brand_id,
        "country_code": player.country_code,
        "date_of_birth": player.date_of_birth.isoformat() if player.date_of_birth else None,
        "status": player.status,
        "kyc_status": player.kyc_status,
        "kyc_level": player.kyc_level,
        "risk_band": player.risk_band,
        "is_pep": player.is_pep,
        "is_sanctioned": player.is_sanctioned,
        "tags": player.tags,
        "age_verified": state.age_verified,
        "rg": rg,
        "created_at": player.created_at,
        "updated_at": player.updated_at,
    }
