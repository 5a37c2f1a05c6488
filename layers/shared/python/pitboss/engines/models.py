"""API models of the engines surface (issue 13): payout instructions, play reported by a plug_in operator,
and the VIP standing the dossier shows. Money is decimal strings, in the currency's exponent."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from pitboss import money
from pitboss.engines.rules import Vip
from pitboss.types import AmountOrZero, BrandInBody, IdempotencyKey, Model, Timestamp

Ref = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
Provider = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3,5}$")]
Memo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
PayoutSource = Literal["cashback", "lootbox", "bonus_conversion"]


class ActivityIn(BrandInBody):
    """A settled real-money round at the plug_in operator: xp, levels, cashback and bonus wagering follow."""

    model_config = ConfigDict(extra="forbid")
    stake: AmountOrZero
    win: AmountOrZero
    provider: Provider
    round_id: Ref
    ref: Ref = Field(description="The operator's id of this report: the same ref again is the same report")
    currency: Currency | None = None
    idempotency_key: IdempotencyKey | None = None


class PayoutOut(Model):
    id: str
    user_id: str
    brand_id: int
    amount: str
    currency: str
    source: PayoutSource
    source_ref: str
    status: Literal["pending", "acked"]
    created_at: Timestamp
    acked_at: Timestamp | None = None
    memo: str | None = None

    @classmethod
    def of(cls, item: dict[str, Any]) -> PayoutOut:
        currency = str(item["currency"])
        return cls(
            id=item["id"],
            user_id=item["user_id"],
            brand_id=int(item["brand_id"]),
            amount=money.fmt(money.to_decimal(item["amount"]), money.exponent(currency)),
            currency=currency,
            source=item["source"],
            source_ref=item["source_ref"],
            status=item["status"],
            created_at=item["created_at"],
            acked_at=item.get("acked_at"),
            memo=item.get("memo"),
        )


class PayoutEnvelope(Model):
    payout: PayoutOut
    deduped: bool = False


class PayoutsPage(Model):
    payouts: list[PayoutOut]
    next_cursor: str | None = None


class AckIn(Model):
    """Every field is optional, and so is the body itself."""

    model_config = ConfigDict(extra="forbid")
    memo: Memo | None = None
    idempotency_key: IdempotencyKey | None = None


class VipOut(Model):
    level: int
    name: str
    xp: str
    next_threshold: str | None

    @classmethod
    def of(cls, vip: Vip) -> VipOut:
        return cls(
            level=vip.level,
            name=vip.name,
            xp=money.fmt(vip.xp, money.POINTS_EXPONENT),
            next_threshold=None if vip.next_threshold is None else money.fmt(vip.next_threshold, money.POINTS_EXPONENT),
        )
