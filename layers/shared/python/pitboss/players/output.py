"""API output models of the operator player surface (seed 000): what every players route returns, built
from the entity and its effective state by mapping functions (never a stored item)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    MISSING,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from pitboss import clock
from pitboss.engines.models import VipOut
from pitboss.identity.entity import MINUTE_LIMITS, KycStatus, Player, PlayerStatus, RiskBand
from pitboss.identity.gates import EffectiveState
from pitboss.types import Model, Timestamp

LIMIT_DESCRIPTION = (
    "A decimal amount in the brand currency with at most the currency's number of decimal places (2 for "
    "USD, 8 for BTC). Sent as a JSON number, as seed 000 shows: parse it as a decimal, never a binary float."
)


def limit_number(value: Decimal | int | None) -> int | float | None:
    """RG limits are JSON numbers in seed 000 (e.g. 250). Exact: a limit has at most 15 significant digits
    (models.LIMIT_DIGITS), which a double holds exactly and `repr` prints back digit for digit."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)  # float ok: display of a limit


LimitNumber = Annotated[
    Decimal | int,
    PlainSerializer(limit_number, return_type=int | float),
    WithJsonSchema({"type": "number", "format": "decimal", "description": LIMIT_DESCRIPTION}),
]


def json_value(value: Any) -> Any:
    """Stored values as JSON-ready data: decimals as numbers (as the dossier shows limits), instants as text."""
    if isinstance(value, Decimal):
        return limit_number(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, datetime):
        return clock.iso(value)
    return value


# "from" is a Python keyword: the field is `from_`, the key on the wire "from".
ALIASES = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)


class PendingOut(Model):
    model_config = ConfigDict(extra="forbid")

    value: Annotated[
        LimitNumber | None, Field(description="The limit once in force (minutes for the minute limits); null: removed")
    ]
    effective_at: Timestamp


class RgOut(Model):
    """Limits in force (a limit that is not set is absent, never null), exclusions, and the changes waiting
    for the brand's delay."""

    model_config = ConfigDict(extra="forbid")

    deposit_daily_limit: LimitNumber | MISSING = MISSING
    deposit_weekly_limit: LimitNumber | MISSING = MISSING
    deposit_monthly_limit: LimitNumber | MISSING = MISSING
    loss_daily_limit: LimitNumber | MISSING = MISSING
    loss_weekly_limit: LimitNumber | MISSING = MISSING
    loss_monthly_limit: LimitNumber | MISSING = MISSING
    wager_daily_limit: LimitNumber | MISSING = MISSING
    session_duration_limit: int | MISSING = Field(default=MISSING, description="Minutes")
    reality_check_interval: int | MISSING = Field(default=MISSING, description="Minutes")
    cooloff_until: Timestamp | None
    self_exclusion_until: Timestamp | None
    self_exclusion_permanent: bool
    cooloff_active: bool
    self_exclusion_active: bool
    pending: dict[str, PendingOut] = Field(description="By limit name: the increase or removal waiting")


class NoteOut(Model):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["compliance"] = Field(description="compliance: the reason of a status change")
    text: str
    actor: str = Field(description="Who wrote it: key:<key_id> or operator:<operator_id>")
    at: Timestamp


class PlayerOut(Model):
    model_config = ConfigDict(extra="forbid")

    user_id: str
    player_id: int = Field(description="Numeric id used by the back-office and gateway surfaces")
    username: str
    email: str
    external_ref: str | None
    # A default: answers stored before nicknames still replay through this model.
    nickname: str | None = Field(default=None, description="The player's display name")
    brand_id: int
    country_code: str | None
    date_of_birth: date | None = Field(description="YYYY-MM-DD")
    status: PlayerStatus
    kyc_status: KycStatus
    kyc_level: int
    risk_band: RiskBand
    is_pep: bool
    is_sanctioned: bool
    tags: list[str]
    age_verified: bool
    rg: RgOut
    # Optional: answers stored before dossiers had notes still replay through this model.
    notes: list[NoteOut] = Field(default_factory=list, description="The latest dossier notes, oldest first")
    created_at: Timestamp
    updated_at: Timestamp
    # Issue 13: the VIP standing from lifetime xp, on GET (write answers don't read the wallet).
    vip: VipOut | None = Field(default=None, description="GET: level, name, lifetime xp, next threshold")

    @classmethod
    def of(cls, player: Player, state: EffectiveState) -> PlayerOut:
        """The dossier: the entity and its effective state at the instant `state` was computed for."""
        limits = {name: int(v) if name in MINUTE_LIMITS else v for name, v in state.limits.items()}
        rg = RgOut(
            **limits,
            cooloff_until=player.cooloff_until,
            self_exclusion_until=player.self_exclusion_until,
            self_exclusion_permanent=player.self_exclusion_permanent,
            cooloff_active=state.cooloff_active,
            self_exclusion_active=state.self_exclusion_active,
            pending={n: PendingOut(value=v, effective_at=at) for n, (v, at) in state.pending.items()},
        )
        return cls(
            user_id=player.user_id,
            player_id=player.player_id,
            username=player.username,
            email=player.email,
            external_ref=player.external_ref,
            nickname=player.details.get("nickname"),
            brand_id=player.brand_id,
            country_code=player.country_code,
            date_of_birth=player.date_of_birth,
            status=player.status,
            kyc_status=player.kyc_status,
            kyc_level=player.kyc_level,
            risk_band=player.risk_band,
            is_pep=player.is_pep,
            is_sanctioned=player.is_sanctioned,
            tags=list(player.tags),
            age_verified=state.age_verified,
            rg=rg,
            notes=[NoteOut(kind=n.kind, text=n.text, actor=n.actor, at=n.at) for n in player.notes],
            created_at=player.created_at,
            updated_at=player.updated_at,
        )


Deduped = Annotated[bool | MISSING, Field(description="Present (true) only when this answers a replayed request")]
IdempotencyKeyOut = Annotated[
    str | MISSING,
    Field(
        description="Writes: the idempotency_key the request was recorded under (yours, or the auto-generated "
        "`auto-...` one when you sent none). Re-send it to retry the same request safely; a retry without it "
        "is a new request."
    ),
]


class PlayerEnvelope(Model):
    model_config = ConfigDict(extra="forbid")

    player: PlayerOut
    deduped: Deduped = MISSING
    idempotency_key: IdempotencyKeyOut = MISSING


class FieldChange(Model):
    model_config = ConfigDict(extra="allow", **ALIASES)

    from_: Any | MISSING = Field(
        default=MISSING, alias="from", description="The value before (limits as decimal numbers)"
    )
    to: Any | MISSING = Field(default=MISSING, description="The value after; null: cleared")
    applies: Literal["now", "pending", "pending_cancelled"] | MISSING = Field(
        default=MISSING, description="rg_changed: when the change takes effect"
    )
    effective_at: Timestamp | MISSING = Field(
        default=MISSING, description="When a pending change takes (or took) effect"
    )


class PlayersList(Model):
    """GET /v1/players?external_ref=: the dossiers of the players carrying the ref (none, or one per brand)."""

    model_config = ConfigDict(extra="forbid")

    players: list[PlayerOut]


class StatusMove(Model):
    model_config = ConfigDict(extra="forbid", **ALIASES)

    from_: PlayerStatus = Field(alias="from")
    to: PlayerStatus


class EventData(Model):
    """What an event records. Each type carries some of these keys (absent otherwise); new event types may
    add keys, so clients should ignore keys they do not know."""

    model_config = ConfigDict(extra="allow", **ALIASES)

    changes: dict[str, FieldChange] | MISSING = Field(
        default=MISSING, description="rg_changed, rg_pending_applied, kyc_updated, flags_updated: by field"
    )
    reason: str | MISSING = Field(default=MISSING, description="status_changed, rg_changed, kyc_updated, flags_updated")
    status: StatusMove | MISSING = Field(
        default=MISSING, description="rg_changed, self_exclusion_ended: a status it moved"
    )
    from_: str | MISSING = Field(default=MISSING, alias="from", description="status_changed: old status; email_changed")
    to: str | MISSING = Field(
        default=MISSING, description="status_changed: new status; email_changed, email_change_requested"
    )
    text: str | MISSING = Field(default=MISSING, description="note_added")
    added: list[str] | MISSING = Field(default=MISSING, description="tags_changed")
    removed: list[str] | MISSING = Field(default=MISSING, description="tags_changed")
    changed: list[str] | MISSING = Field(
        default=MISSING, description="profile_updated, personal_details_updated: field names"
    )
    fields: dict[str, Any] | MISSING = Field(
        default=MISSING, description="profile_updated: new values (never the email)"
    )
    source: str | MISSING = Field(default=MISSING, description="player_created: operator_api or gateway")
    username: str | MISSING = Field(default=MISSING, description="player_created")
    brand_id: int | MISSING = Field(default=MISSING, description="player_created")
    cooloff_until: Timestamp | MISSING = Field(default=MISSING, description="cooloff_ended")
    self_exclusion_until: Timestamp | MISSING = Field(default=MISSING, description="self_exclusion_ended")
    reinstatement: Literal["automatic", "on_request"] | MISSING = Field(
        default=MISSING, description="self_exclusion_ended"
    )
    email: str | MISSING = Field(default=MISSING, description="email_verified (masked)")
    comment: str | MISSING = Field(default=MISSING, description="personal_details_updated, email_change_requested")
    operator: str | MISSING | None = Field(default=MISSING, description="personal_details_updated")
    type: str | MISSING = Field(default=MISSING, description="document_signed: the document")
    language: str | MISSING | None = Field(default=MISSING, description="document_signed")
    amount: str | MISSING = Field(default=MISSING, description="deposit, withdrawal_*, bonus_granted: a decimal string")
    currency: str | MISSING = Field(default=MISSING, description="deposit, withdrawal_*")
    seq: int | MISSING = Field(default=MISSING, description="deposit: the ledger entry")
    withdrawal_id: str | MISSING = Field(default=MISSING, description="withdrawal_*")
    bonus_id: str | MISSING = Field(default=MISSING, description="bonus_granted")
    wagering_required: str | MISSING = Field(default=MISSING, description="bonus_granted: a decimal string")


EVENT_TYPES = (
    "player_created, profile_updated, status_changed, rg_changed, rg_pending_applied, cooloff_ended, "
    "self_exclusion_ended, kyc_updated, flags_updated, tags_changed, note_added, deposit, withdrawal_requested, "
    "withdrawal_completed, withdrawal_cancelled, bonus_granted, and the gateway's email_verified, "
    "email_change_requested, email_changed, personal_details_updated, password_reset_requested, "
    "password_reset, password_changed, temporary_password_set, document_signed"
)


class TimelineEvent(Model):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="ULID: sorts by time")
    type: str = Field(description=f"One of {EVENT_TYPES}; new types may be added")
    at: Timestamp
    actor: str = Field(description="key:<key_id> for an API key, system:scheduler for expiries")
    data: EventData = Field(description="What changed")

    @classmethod
    def of(cls, item: dict[str, Any]) -> TimelineEvent:
        """A stored event item as the API shows it (no keys, decimals as numbers)."""
        return cls(
            id=item["id"],
            type=item["type"],
            at=item["at"],
            actor=item["actor"],
            data=EventData.model_validate(json_value(item.get("data") or {})),
        )


class TimelinePage(Model):
    model_config = ConfigDict(extra="forbid")

    events: list[TimelineEvent]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page; null at the end")


class EventEnvelope(Model):
    model_config = ConfigDict(extra="forbid")

    event: TimelineEvent
    deduped: Deduped = MISSING
    idempotency_key: IdempotencyKeyOut = MISSING
