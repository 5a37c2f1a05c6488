"""API input models of the wallet surface: the request bodies (the output models routes return, and the
functions that map entities and entries to them, are in wallet.output)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from pitboss.types import Amount, AmountOrZero, BrandInBody, Flag, IdempotencyKey

RefId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$"),
    Field(description="The provider's transaction id; a movement is applied once per (provider, ref_id)"),
]
RoundId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
Provider = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$"),
    Field(description="Game provider (namespaces ref_id and round_id)"),
]
Memo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3,5}$"),
    Field(description="ISO 4217 code (or BTC, ETH, USDT, USDC ...), one the brand offers; default: its default"),
]
DEFAULT_PROVIDER = "default"


class _In(BrandInBody):
    model_config = ConfigDict(extra="forbid")
    idempotency_key: IdempotencyKey | None = None


class DepositIn(_In):
    amount: Amount
    currency: Currency | None = None
    psp_ref: RefId | None = None
    memo: Memo | None = None


class WithdrawalIn(_In):
    amount: Amount
    currency: Currency | None = None
    memo: Memo | None = None


class WithdrawalOutcomeIn(_In):
    """Every field is optional, and so is the body itself."""

    memo: Memo | None = None


class BetIn(_In):
    amount: Amount
    currency: Currency | None = None
    ref_id: RefId
    round_id: RoundId
    game_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    provider: Provider = DEFAULT_PROVIDER
    round_closed: Flag = False
    memo: Memo | None = None


class WinIn(_In):
    amount: AmountOrZero = Field(description="Zero is allowed: a zero win closes a lost round")
    currency: Currency | None = Field(default=None, description="Default: the round's currency (its bets')")
    ref_id: RefId
    round_id: RoundId
    provider: Provider = DEFAULT_PROVIDER
    round_closed: Flag = False
    memo: Memo | None = None


class RollbackIn(_In):
    ref_id: RefId = Field(description="The ref_id of the bet to reverse")
    provider: Provider = DEFAULT_PROVIDER
    memo: Memo | None = None


class BonusIn(_In):
    amount: Amount
    currency: Currency | None = None
    wagering_multiplier: Annotated[Decimal, Field(ge=0, le=10, description="x bonus amount; at most 10 (UKGC)")]
    expires_at: datetime | None = None
    memo: Memo | None = None


class WinzIn(_In):
    amount: Amount
    action: Literal["grant", "redeem"]
    memo: Memo | None = None
