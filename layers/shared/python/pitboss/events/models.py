"""The published shape of every domain event (the source of docs/events/*.json): an envelope and, per type,
its `data`. Closed objects (no additional properties): a field leaves the table only when named here and in
rules.py's allow-lists."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pitboss.identity.entity import KycStatus, PlayerStatus
from pitboss.types import Model

Decimal = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", description="An exact decimal, as a string")]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Status = PlayerStatus  # the player's lifecycle statuses and KYC states, as the entity declares them
Kyc = KycStatus


class Closed(Model):
    model_config = ConfigDict(extra="forbid")


class PlayerIds(Closed):
    uuid: str
    username: str
    player_id: int


class PlayerCreated(Closed):
    external_ref: str | None = None
    email: str | None = None
    email_verified: bool | None = None
    country_code: str | None = None
    date_of_birth: str | None = None
    status: Status
    kyc_status: Kyc
    kyc_level: int | None = None
    risk_band: Literal["low", "medium", "high"] | None = None
    is_pep: bool | None = None
    is_sanctioned: bool | None = None
    tags: list[str] | None = None
    created_at: Timestamp
    updated_at: Timestamp | None = None


class PlayerUpdated(Closed):
    changed: list[str] = Field(description="The profile fields this change touched")
    username: str | None = None
    external_ref: str | None = None
    email: str | None = None
    email_verified: bool | None = None
    country_code: str | None = None
    date_of_birth: str | None = None
    risk_band: Literal["low", "medium", "high"] | None = None
    is_pep: bool | None = None
    is_sanctioned: bool | None = None
    tags: list[str] | None = None


class StatusChanged(Closed):
    from_: Status | None = Field(alias="from")
    to: Status


Limit = Decimal | int


class PendingLimit(Closed):
    value: Limit | None
    effective_at: Timestamp


class Rg(Closed):
    limits: dict[str, Limit]
    pending: dict[str, PendingLimit]
    cooloff_until: Timestamp | None = None
    self_exclusion_until: Timestamp | None = None
    self_exclusion_permanent: bool


class RgChanged(Rg):
    previous: Rg


class KycChanged(Closed):
    from_: Kyc | None = Field(alias="from")
    to: Kyc
    kyc_level: int | None = None


class Posting(Closed):
    account: str
    rail: str
    currency: str
    amount: Decimal


class TransactionPosted(Closed):
    id: str
    seq: int
    type: str = Field(description="The ledger kind: bet, win, rollback, deposit, withdrawal, bonus_grant, ...")
    rail: str
    amount: Decimal
    currency: str
    postings: list[Posting]
    balance_currency: str | None = None
    balance_before: Decimal | None = Field(default=None, description="The real balance before (balance_currency)")
    balance_after: Decimal | None = Field(default=None, description="The real balance after (balance_currency)")
    ref_id: str | None = None
    round_id: str | None = None
    provider: str | None = None
    withdrawal_id: str | None = None
    bonus_id: str | None = None
    created_at: Timestamp


class WithdrawalEvent(Closed):
    transaction_id: str
    withdrawal_id: str
    amount: Decimal
    currency: str
    created_at: Timestamp


class BonusEvent(Closed):
    transaction_id: str
    bonus_id: str
    amount: Decimal
    currency: str
    created_at: Timestamp


DATA: dict[str, type[BaseModel]] = {
    "player.created": PlayerCreated,
    "player.updated": PlayerUpdated,
    "player.status_changed": StatusChanged,
    "player.rg_changed": RgChanged,
    "player.kyc_changed": KycChanged,
    "wallet.transaction_posted": TransactionPosted,
    "withdrawal.requested": WithdrawalEvent,
    "withdrawal.completed": WithdrawalEvent,
    "withdrawal.cancelled": WithdrawalEvent,
    "bonus.granted": BonusEvent,
    "bonus.converted": BonusEvent,
    "bonus.forfeited": BonusEvent,
}


def schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of one event type: the envelope with its `type` fixed and its `data` model."""
    data = DATA[event_type]

    class Envelope(Closed):
        id: str = Field(pattern=r"^evt_[0-9a-f]{32}$", description="Stable: a redelivery has the same id")
        type: Literal[event_type]  # type: ignore[valid-type]
        occurred_at: Timestamp
        tenant_id: str
        mode: Literal["live", "test"]
        brand_id: int
        player: PlayerIds
        data: data  # type: ignore[valid-type]

    found = Envelope.model_json_schema(by_alias=True)
    found["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    found["$id"] = f"https://pitboss.dev/events/{event_type}.json"
    found["title"] = event_type
    return found
