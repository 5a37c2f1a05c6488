"""What the wallet item says as the gateway shows it (pure; `now` is passed in): spendable balances, the
baseline a session starts from, play since login, wagering left, whether a reality check is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pitboss import clock, money
from pitboss.wallet.entity import Bonus, Stats, Wallet


def spendable(wallet_item: dict[str, Any] | None, now: datetime) -> tuple[Decimal, Decimal]:
    """Real and bonus as the player may spend them at `now`: a bonus past its expiry is not counted, even
    before the next movement writes its forfeit entry (as the wallet API shows it)."""
    if wallet_item is None:
        return Decimal(0), Decimal(0)
    wallet = Wallet.from_item(wallet_item)
    now_iso = clock.iso(now)
    lapsed = sum((b.balance for b in wallet.bonuses if b.expired(now_iso)), Decimal(0))
    return wallet.real, wallet.bonus - lapsed


def baseline(wallet_item: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The wallet's totals when a session starts: online status and reality checks report play since."""
    stats = Stats.of(wallet_item)
    real, bonus = spendable(wallet_item, now)
    return {"stakes": stats.stakes, "wins": stats.wins, "rounds": stats.rounds, "balance": real + bonus}


@dataclass(frozen=True)
class Play:
    """The wallet as one session's status shows it at `now`."""

    currency: str
    real: Decimal
    bonus: Decimal
    stats: Stats
    stakes_since: Decimal  # play since the session began: the totals now less those it started with
    wins_since: Decimal
    rounds_since: int
    balance_since: Decimal
    wagering_left: Decimal  # what active bonuses still need wagered
    completed: list[Bonus]  # bonuses whose wagering completed (converted to real) during the session

    @property
    def total(self) -> Decimal:
        return self.real + self.bonus

    def average_deposit(self) -> Decimal:
        if not self.stats.deposit_count:
            return Decimal(0)
        ctx = money.ROUNDING_CTX
        average = ctx.divide(self.stats.deposits, self.stats.deposit_count)
        return average.quantize(money.quantum(money.exponent(self.currency)), context=ctx)


def play(wallet_item: dict[str, Any] | None, session: dict[str, Any], brand_currency: str, now: datetime) -> Play:
    real, bonus = spendable(wallet_item, now)
    stats = Stats.of(wallet_item)
    base = session.get("baseline")
    zero = Decimal(0)
    if base:
        # Floors at 0: a rollback during this session of a bet placed before it takes that stake (and its
        # round) off the lifetime totals, which must not show as negative play in this session.
        stakes = max(stats.stakes - money.to_decimal(base.get("stakes")), zero)
        wins = max(stats.wins - money.to_decimal(base.get("wins")), zero)
        rounds = max(stats.rounds - int(base.get("rounds", 0)), 0)
        balance = real + bonus - money.to_decimal(base.get("balance"))
    else:  # a session from before baselines: count from now
        stakes, wins, rounds, balance = zero, zero, 0, zero
    bonuses = Wallet.from_item(wallet_item).bonuses if wallet_item is not None else []
    now_iso = clock.iso(now)
    live = [b for b in bonuses if b.status == "active" and not b.expired(now_iso)]
    started = str(session["created_at"])
    return Play(
        currency=str((wallet_item or {}).get("currency") or brand_currency),
        real=real,
        bonus=bonus,
        stats=stats,
        stakes_since=stakes,
        wins_since=wins,
        rounds_since=rounds,
        balance_since=balance,
        wagering_left=max(sum((b.wagering_required - b.wagered for b in live), zero), zero),
        completed=sorted(
            (b for b in bonuses if b.status == "converted" and b.ended_at is not None and b.ended_at >= started),
            key=lambda b: str(b.ended_at),
        ),
    )


def reality_check_due(interval_minutes: int, last: str, now: datetime) -> bool:
    """True once the player's reality-check interval (0 or less: off) has passed since `last`."""
    return interval_minutes > 0 and now - clock.parse_iso(last) >= timedelta(minutes=interval_minutes)
