"""API output models of the wallet surface: what routes return, and the functions that map entities and
entries to them. Amounts are strings on the way out, quantised to their currency."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from pitboss import money
from pitboss.idempotency import Outcome
from pitboss.types import Model
from pitboss.wallet.entity import Bonus, OpenRound, Purse, Wallet

# Instants as the ledger wrote them (ISO 8601 UTC with Z, microseconds): passed through as text, so an
# answer and its replay are byte for byte the same.
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


def _absent(value: Any) -> bool:
    return value is None


def _optional(description: str) -> Any:
    """A field present only when it applies (omitted from the JSON rather than null)."""
    return Field(default=None, description=description, exclude_if=_absent)


class PostingOut(Model):
    account: str
    rail: str
    currency: str
    amount: str = Field(description="Signed: what this posting adds to the account")


class TransactionOut(Model):
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
    created_at: Timestamp
    postings: list[PostingOut]
    provider: str | None = _optional("Game provider (bets, wins, rollbacks)")
    game_id: str | None = _optional("The bet's game, when the provider named it")
    bonus_id: str | None = _optional("The bonus this entry grants, converts or forfeits")
    withdrawal_id: str | None = _optional("The withdrawal this entry requests or settles")
    psp_ref: str | None = _optional("The PSP's reference of a deposit")
    status: str | None = _optional("The withdrawal's status after this entry")


class BonusOut(Model):
    id: str
    amount: str
    balance: str
    wagering_required: str
    wagered: str
    status: Literal["active", "converted", "forfeited", "expired"]
    granted_at: Timestamp
    expires_at: Timestamp | None
    ended_at: Timestamp | None


class BalancesOut(Model):
    real: str
    bonus: str
    winz: str
    xp: str


class OpenRoundOut(Model):
    provider: str
    round_id: str
    stake: str = Field(description="Stakes of the round so far (real and bonus)")
    frozen: str = Field(description="The real part of the stakes, held until the round closes")
    bets: int
    opened_at: Timestamp


class CurrencyBalancesOut(Model):
    currency: str
    real: str
    bonus: str
    frozen: str


class WalletOut(Model):
    currency: str = Field(
        description="The currency this view details (balances, frozen, bonuses, open rounds): a movement's own, "
        "or the brand's default (GET: ?currency= picks another)"
    )
    balances: BalancesOut = Field(description="real and bonus in `currency`; winz and xp (points, one rail each)")
    frozen: str = Field(description="Pending withdrawals and stakes of open rounds, in `currency`")
    bonuses: list[BonusOut] = Field(description="The bonuses of `currency`")
    open_rounds: list[OpenRoundOut] = Field(
        description="Rounds played in `currency` with a stake and no settlement yet, oldest first: what "
        "`frozen` holds for play"
    )
    currencies: list[CurrencyBalancesOut] = Field(
        description="Every currency the wallet holds, with its real, bonus and frozen balances (the wallet's "
        "first currency first, then alphabetical)"
    )
    seq: int = Field(description="Number of ledger entries, all currencies together")
    updated_at: Timestamp | None

    @model_validator(mode="before")
    @classmethod
    def _stored_before(cls, data: Any) -> Any:
        """An answer stored before the view listed open rounds replays with none listed; one stored before
        wallets held several currencies lists its one currency."""
        if not isinstance(data, dict):
            return data
        if "open_rounds" not in data:
            data = {**data, "open_rounds": []}
        if "currencies" not in data and isinstance(data.get("balances"), dict):
            balances = data["balances"]
            only = {"currency": data.get("currency"), "frozen": data.get("frozen")}
            data = {**data, "currencies": [{**only, "real": balances.get("real"), "bonus": balances.get("bonus")}]}
        return data


class WalletEnvelope(Model):
    wallet: WalletOut


class WithdrawalOut(Model):
    id: str
    amount: str
    currency: str
    status: Literal["pending", "completed", "cancelled"]
    created_at: Timestamp
    updated_at: Timestamp


class MovementOut(Model):
    transaction: TransactionOut
    related_transactions: list[TransactionOut] = Field(
        default_factory=list, description="Entries the same movement wrote (bonus conversion or forfeit)"
    )
    wallet: WalletOut
    withdrawal: WithdrawalOut | None = _optional("The withdrawal, on a request or an outcome")
    deduped: bool | None = _optional("true when this answers a replayed request (same key or provider ref)")
    idempotency_key: str | None = _optional(
        "The idempotency_key the request was recorded under (yours, or the auto-generated `auto-...` one): "
        "re-send it to retry safely; a retry without it is a new request"
    )


class TransactionsPage(Model):
    transactions: list[TransactionOut]
    total: int
    next_cursor: str | None


# ---- mapping -----------------------------------------------------------------------------------


def _fmt(value: Any, currency: str) -> str:
    return money.fmt(money.to_decimal(value), money.exponent(currency))


def transaction_out(entry: Mapping[str, Any]) -> TransactionOut:
    """A ledger entry (as the movement made it, or as stored) as the API shows it."""
    currency = entry["currency"]
    balance_currency = entry["balance_currency"]
    return TransactionOut(
        id=entry["id"],
        seq=int(entry["seq"]),
        type=entry["type"],
        rail=entry.get("rail", "real"),
        amount=_fmt(entry["amount"], currency),
        currency=currency,
        balance_before=_fmt(entry["balance_before"], balance_currency),
        balance_after=_fmt(entry["balance_after"], balance_currency),
        ref_id=entry.get("ref_id"),
        round_id=entry.get("round_id"),
        memo=entry.get("memo"),
        actor=entry["actor"],
        created_at=entry["created_at"],
        postings=[
            PostingOut(
                account=p["account"], rail=p["rail"], currency=p["currency"], amount=_fmt(p["amount"], p["currency"])
            )
            for p in entry.get("postings") or []
        ],
        provider=entry.get("provider"),
        game_id=entry.get("game_id"),
        bonus_id=entry.get("bonus_id"),
        withdrawal_id=entry.get("withdrawal_id"),
        psp_ref=entry.get("psp_ref"),
        status=entry.get("status"),
    )


def bonus_out(bonus: Bonus, exp: int, now_iso: str) -> BonusOut:
    status = "expired" if bonus.expired(now_iso) else bonus.status
    return BonusOut(
        id=bonus.id,
        amount=money.fmt(bonus.amount, exp),
        balance=money.fmt(Decimal(0) if status == "expired" else bonus.balance, exp),
        wagering_required=money.fmt(bonus.wagering_required, exp),
        wagered=money.fmt(bonus.wagered, exp),
        status=status,
        granted_at=bonus.granted_at,
        expires_at=bonus.expires_at,
        ended_at=bonus.ended_at,
    )


def open_round_out(name: str, state: OpenRound, exp: int) -> OpenRoundOut:
    provider, _, round_id = name.partition("#")  # providers never contain "#"
    return OpenRoundOut(
        provider=provider,
        round_id=round_id,
        stake=money.fmt(state.stake, exp),
        frozen=money.fmt(state.frozen, exp),
        bets=state.bets,
        opened_at=state.opened_at,
    )


def _spendable_bonus(purse: Purse, now_iso: str) -> Decimal:
    """The purse's bonus balance without bonuses past their expiry (their forfeit entry may not exist yet)."""
    return purse.bonus - sum((b.balance for b in purse.bonuses if b.expired(now_iso)), Decimal(0))


def wallet_out(wallet: Wallet, now_iso: str, currency: str | None = None) -> WalletOut:
    """The wallet as the player may spend it now, detailed in `currency` (default: the wallet's home one),
    with every currency it holds: a bonus past its expiry shows as expired, its money not counted, even
    before the next movement writes its forfeit entry."""
    purse = wallet.purse(currency or wallet.currency)
    exp = purse.exp
    held = [wallet.purses[c] for c in wallet.held()]
    return WalletOut(
        currency=purse.currency,
        balances=BalancesOut(
            real=money.fmt(purse.real, exp),
            bonus=money.fmt(_spendable_bonus(purse, now_iso), exp),
            winz=money.fmt(wallet.winz, money.POINTS_EXPONENT),
            xp=money.fmt(wallet.xp, money.POINTS_EXPONENT),
        ),
        frozen=money.fmt(purse.frozen, exp),
        bonuses=[bonus_out(b, exp, now_iso) for b in purse.bonuses],
        open_rounds=sorted(
            (open_round_out(name, state, exp) for name, state in purse.rounds.items()),
            key=lambda r: (r.opened_at, r.provider, r.round_id),
        ),
        currencies=[
            CurrencyBalancesOut(
                currency=p.currency,
                real=money.fmt(p.real, p.exp),
                bonus=money.fmt(_spendable_bonus(p, now_iso), p.exp),
                frozen=money.fmt(p.frozen, p.exp),
            )
            for p in held
        ],
        seq=wallet.seq,
        updated_at=wallet.updated_at,
    )


def withdrawal_out(
    wd_id: str, amount: Decimal, currency: str, status: str, *, created_at: str, updated_at: str
) -> WithdrawalOut:
    return WithdrawalOut(
        id=wd_id,
        amount=money.fmt(amount, money.exponent(currency)),
        currency=currency,
        status=status,
        created_at=created_at,
        updated_at=updated_at,
    )


def movement_out(
    main: Mapping[str, Any],
    entries: Iterable[Mapping[str, Any]],
    wallet: Wallet,
    now_iso: str,
    *,
    currency: str,
    withdrawal: WithdrawalOut | None = None,
) -> MovementOut:
    """What a movement answers: its main entry, the other entries it wrote, the wallet after it (detailed in
    the movement's currency)."""
    return MovementOut(
        transaction=transaction_out(main),
        related_transactions=[transaction_out(e) for e in entries if e is not main],
        wallet=wallet_out(wallet, now_iso, currency),
        withdrawal=withdrawal,
    )


def movement_answer(outcome: Outcome) -> MovementOut:
    """A movement's answer as the route returns it: as just applied, or as stored and replayed (deduped)."""
    return MovementOut.model_validate(outcome.response_body())


def transactions_page(entries: Iterable[Mapping[str, Any]], total: int, next_cursor: str | None) -> TransactionsPage:
    return TransactionsPage(transactions=[transaction_out(e) for e in entries], total=total, next_cursor=next_cursor)


class QueuedWithdrawalOut(WithdrawalOut):
    """A pending withdrawal in the console's queue, with whose it is."""

    user_id: str
    player_id: int
    username: str
    brand_id: int


class WithdrawalQueue(Model):
    withdrawals: list[QueuedWithdrawalOut]
    next_cursor: str | None
