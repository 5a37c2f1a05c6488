"""API models of the wallet surface: request bodies, documented responses, and the output shaping of
stored items (entries, wallet). Amounts are strings on the way out, quantised to the currency."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pitboss import money
from pitboss.types import AmountIn, BrandInBody, Flag, IdempotencyKey
from pitboss.wallet.ledger import Bonus, Wallet

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
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3,5}$"), Field(description="ISO 4217 code")]
DEFAULT_PROVIDER = "default"


class _In(BrandInBody):
    model_config = ConfigDict(extra="forbid")
    idempotency_key: IdempotencyKey | None = None


class DepositIn(_In):
    amount: AmountIn
    currency: Currency | None = None
    psp_ref: RefId | None = None
    memo: Memo | None = None


class WithdrawalIn(_In):
    amount: AmountIn
    currency: Currency | None = None
    memo: Memo | None = None


class WithdrawalOutcomeIn(_In):
    memo: Memo | None = None


class BetIn(_In):
    amount: AmountIn
    ref_id: RefId
    round_id: RoundId
    game_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    provider: Provider = DEFAULT_PROVIDER
    round_closed: Flag = False
    memo: Memo | None = None


class WinIn(_In):
    amount: AmountIn = Field(description="Zero is allowed: a zero win closes a lost round")
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
    amount: AmountIn
    wagering_multiplier: Annotated[Decimal, Field(ge=0, le=10, description="x bonus amount; at most 10 (UKGC)")]
    expires_at: datetime | None = None
    memo: Memo | None = None


class WinzIn(_In):
    amount: AmountIn
    action: Literal["grant", "redeem"]
    memo: Memo | None = None


# ---- documented responses ----------------------------------------------------------------------


class PostingOut(BaseModel):
    account: str
    rail: str
    currency: str
    amount: str


class TransactionOut(BaseModel):
    id: str
    seq: int = Field(description="Gapless position in the player's ledger (1, 2, 3 ...)")
    type: str
    rail: str
    amount: str = Field(description="Always positive; the postings carry the signs")
    currency: str
    balance_before: str = Field(description="Real balance before this entry")
    balance_after: str = Field(description="Real balance after this entry")
    ref_id: str | None
    round_id: str | None
    memo: str | None
    actor: str
    created_at: datetime
    postings: list[PostingOut]
    model_config = ConfigDict(extra="allow")


class BonusOut(BaseModel):
    id: str
    amount: str
    balance: str
    wagering_required: str
    wagered: str
    status: Literal["active", "converted", "forfeited", "expired"]
    granted_at: datetime
    expires_at: datetime | None
    ended_at: datetime | None


class BalancesOut(BaseModel):
    real: str
    bonus: str
    winz: str
    xp: str


class OpenRoundOut(BaseModel):
    provider: str
    round_id: str
    stake: str = Field(description="Stakes of the round so far (real and bonus)")
    frozen: str = Field(description="The real part of the stakes, held until the round closes")
    bets: int
    opened_at: datetime


class WalletOut(BaseModel):
    currency: str
    balances: BalancesOut
    frozen: str = Field(description="Pending withdrawals and stakes of open rounds")
    bonuses: list[BonusOut]
    open_rounds: list[OpenRoundOut] = Field(
        description="Rounds with a stake and no settlement yet, oldest first: what `frozen` holds for play"
    )
    seq: int = Field(description="Number of ledger entries")
    updated_at: datetime | None


class WalletEnvelope(BaseModel):
    wallet: WalletOut


class WithdrawalOut(BaseModel):
    id: str
    amount: str
    currency: str
    status: Literal["pending", "completed", "cancelled"]
    created_at: datetime
    updated_at: datetime


class MovementOut(BaseModel):
    transaction: TransactionOut
    related_transactions: list[TransactionOut] = Field(
        default_factory=list, description="Entries the same movement wrote (bonus conversion or forfeit)"
    )
    wallet: WalletOut
    withdrawal: WithdrawalOut | None = None
    deduped: bool | None = Field(default=None, description="true when this answers a replayed request")


class TransactionsPage(BaseModel):
    transactions: list[TransactionOut]
    total: int
    next_cursor: str | None


# ---- output shaping ----------------------------------------------------------------------------


def _exp(currency: str) -> int:
    return money.exponent(currency)


def transaction_out(entry: dict[str, Any]) -> dict[str, Any]:
    exp = _exp(entry["currency"])
    bal_exp = money.exponent(entry["balance_currency"])
    out = {
        "id": entry["id"],
        "seq": int(entry["seq"]),
        "type": entry["type"],
        "rail": entry.get("rail", "real"),
        "amount": money.fmt(money.to_decimal(entry["amount"]), exp),
        "currency": entry["currency"],
        "balance_before": money.fmt(money.to_decimal(entry["balance_before"]), bal_exp),
        "balance_after": money.fmt(money.to_decimal(entry["balance_after"]), bal_exp),
        "ref_id": entry.get("ref_id"),
        "round_id": entry.get("round_id"),
        "memo": entry.get("memo"),
        "actor": entry["actor"],
        "created_at": entry["created_at"],
        "postings": [
            {
                "account": p["account"],
                "rail": p["rail"],
                "currency": p["currency"],
                "amount": money.fmt(money.to_decimal(p["amount"]), _exp(p["currency"])),
            }
            for p in entry.get("postings") or []
        ],
    }
    for name in ("provider", "game_id", "bonus_id", "withdrawal_id", "psp_ref", "status"):
        if entry.get(name) is not None:
            out[name] = entry[name]
    return out


def bonus_out(bonus: Bonus, exp: int, now_iso: str) -> dict[str, Any]:
    status = "expired" if bonus.expired(now_iso) else bonus.status
    return {
        "id": bonus.id,
        "amount": money.fmt(bonus.amount, exp),
        "balance": money.fmt(Decimal(0) if status == "expired" else bonus.balance, exp),
        "wagering_required": money.fmt(bonus.wagering_required, exp),
        "wagered": money.fmt(bonus.wagered, exp),
        "status": status,
        "granted_at": bonus.granted_at,
        "expires_at": bonus.expires_at,
        "ended_at": bonus.ended_at,
    }


def _open_round_out(name: str, state: dict[str, Any], exp: int) -> dict[str, Any]:
    provider, _, round_id = name.partition("#")  # providers never contain "#"
    return {
        "provider": provider,
        "round_id": round_id,
        "stake": money.fmt(money.to_decimal(state.get("stake")), exp),
        "frozen": money.fmt(money.to_decimal(state.get("frozen")), exp),
        "bets": int(state.get("bets", 0)),
        "opened_at": str(state.get("opened_at", "")),
    }


def wallet_out(wallet: Wallet, now_iso: str) -> dict[str, Any]:
    """The wallet as the player may spend it now: a bonus past its expiry shows as expired, its money not
    counted, even before the next movement writes its forfeit entry."""
    exp = wallet.exp
    lapsed = sum((b.balance for b in wallet.bonuses if b.expired(now_iso)), Decimal(0))
    return {
        "currency": wallet.currency,
        "balances": {
            "real": money.fmt(wallet.real, exp),
            "bonus": money.fmt(wallet.bonus - lapsed, exp),
            "winz": money.fmt(wallet.winz, money.POINTS_EXPONENT),
            "xp": money.fmt(wallet.xp, money.POINTS_EXPONENT),
        },
        "frozen": money.fmt(wallet.frozen, exp),
        "bonuses": [bonus_out(b, exp, now_iso) for b in wallet.bonuses],
        "open_rounds": sorted(
            (_open_round_out(name, state, exp) for name, state in wallet.rounds.items()),
            key=lambda r: (r["opened_at"], r["provider"], r["round_id"]),
        ),
        "seq": wallet.seq,
        "updated_at": wallet.updated_at,
    }
