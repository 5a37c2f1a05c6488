"""Pure ledger logic (no I/O): accounts, balanced entries and their postings, applied to a wallet.

A `Movement` starts from the wallet as read, in one currency (its purse: real, bonus, frozen, bonuses,
rounds, counters, stats), appends entries (each one balanced per (rail, currency) and applied to the
player-side accounts at once) and ends with the wallet to write back, its seq advanced by the number of
entries. Player-side accounts live on the WALLET item; house-side accounts (wagers, bonus
pool, points issuers, PSP clearing) are only named in postings and derived later, never a hot item."""

from __future__ import annotations

import copy
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from pitboss import clock, ids, money
from pitboss.errors import InsufficientFunds, Unprocessable
from pitboss.wallet.entity import Bonus, Posting, Purse, Stats, Wallet

# The gateway still reads Stats and Wallet from here; their home is pitboss.wallet.entity.
__all__ = ["Movement", "Posting", "Stats", "Wallet", "balanced", "new_id"]

RAILS = ("real", "bonus", "winz", "xp")
POINT_CURRENCIES = money.POINT_CURRENCIES

# Player-side accounts (materialised on the WALLET item) -> rail.
PLAYER_ACCOUNTS = {
    "player:real": "real",
    "player:frozen": "real",  # pending withdrawals and stakes of open rounds
    "player:bonus": "bonus",
    "player:winz": "winz",
    "player:xp": "xp",
}
HOUSE_WAGERS = "house:wagers"
HOUSE_BONUS_POOL = "house:bonus_pool"
HOUSE_BONUS_COST = "house:bonus_cost"
PSP_CLEARING = "psp:clearing"
WINZ_ISSUER = "issuer:winz"
XP_ISSUER = "issuer:xp"

# Totals and counts (in the movement's currency, on its purse) each entry type moves: type -> ((stat, sign),
# ...); sign 0 counts one. Rollbacks take their bet back themselves (rounds.rollback knows the stake the bet counted).
STAT_MOVES: dict[str, tuple[tuple[str, int], ...]] = {
    "deposit": (("deposit_count", 0), ("deposits", 1)),
    "withdrawal": (("withdrawals_pending", 1),),
    "withdrawal_complete": (("withdrawals_pending", -1), ("withdrawals", 1)),
    "withdrawal_cancel": (("withdrawals_pending", -1),),
    "debit": (("bet_count", 0), ("stakes", 1)),
    "credit": (("wins", 1),),
}
STAT_STAMPS = {"deposit": ("last_deposit_at", "last_deposit_amount"), "debit": ("last_bet_at", None)}


def new_id(prefix: str) -> str:
    return f"{prefix}_{ids.ulid().lower()}"


def balanced(postings: list[Posting]) -> bool:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for p in postings:
        sums[(p.rail, p.currency)] += p.amount
    return all(v == 0 for v in sums.values())


class Movement:
    """Entries written by one money movement, applied to a private copy of the wallet as they are added."""

    def __init__(self, wallet: Wallet, actor: str, at: datetime, currency: str | None = None) -> None:
        self.read_seq = wallet.seq
        self.existed = wallet.exists
        self.wallet = copy.deepcopy(wallet)
        self.currency = currency or wallet.currency
        # The purse this movement moves money in (a new one is kept only if the movement commits).
        self.purse: Purse = self.wallet.purses.setdefault(self.currency, Purse(self.currency))
        self.actor = actor
        self.at = at
        self.now_iso = clock.iso(at)
        self.entries: list[dict[str, Any]] = []
        if self.wallet.created_at is None:
            self.wallet.created_at = self.now_iso

    @property
    def exp(self) -> int:
        return self.purse.exp

    def currency_of(self, rail: str) -> str:
        return POINT_CURRENCIES.get(rail, self.currency)

    def leg(self, account: str, rail: str, amount: Decimal) -> Posting:
        return Posting(account, rail, self.currency_of(rail), amount)

    def entry(
        self,
        type_: str,
        amount: Decimal,
        postings: list[Posting],
        *,
        rail: str = "real",
        ref_id: str | None = None,
        round_id: str | None = None,
        memo: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        postings = [p for p in postings if p.amount != 0]
        if not balanced(postings):
            raise AssertionError(f"unbalanced postings for {type_}: {postings}")  # a bug, never input
        w, purse = self.wallet, self.purse
        before = purse.real
        for p in postings:
            if p.account in PLAYER_ACCOUNTS:
                value = w.account(p.account, p.currency) + p.amount
                if value < 0:
                    raise InsufficientFunds(f"insufficient {p.account.split(':')[1]} balance", rail=rail)
                exp = money.POINTS_EXPONENT if p.rail in POINT_CURRENCIES else money.exponent(p.currency)
                if value >= money.max_amount(exp):
                    raise Unprocessable(
                        f"this movement would take the {p.account.split(':')[1]} balance beyond its maximum",
                        code="balance_limit",
                        maximum=money.fmt(money.max_amount(exp) - money.quantum(exp), exp),
                    )
                w.set_account(p.account, p.currency, value)
        w.seq += 1
        w.updated_at = self.now_iso
        self._record(type_, amount)
        entry = {
            "id": new_id("tx"),
            "seq": w.seq,
            "type": type_,
            "rail": rail,
            "amount": amount,
            "currency": self.currency_of(rail),
            "postings": [p.to_item() for p in postings],
            "balance_currency": self.currency,
            "balance_before": before,
            "balance_after": purse.real,
            "ref_id": ref_id,
            "round_id": round_id,
            "memo": memo,
            "actor": self.actor,
            "created_at": self.now_iso,
            **(extra or {}),
        }
        self.entries.append(entry)
        return entry

    def stat(self, name: str, add: Decimal | int) -> None:
        stats = self.purse.stats
        stats[name] = money.to_decimal(stats.get(name)) + add

    def _record(self, type_: str, amount: Decimal) -> None:
        for name, sign in STAT_MOVES.get(type_, ()):
            self.stat(name, sign * amount if sign else 1)
        if type_ in STAT_STAMPS:
            at, amount_name = STAT_STAMPS[type_]
            self.purse.stats[at] = self.now_iso
            if amount_name:
                self.purse.stats[amount_name] = amount

    # ---- bonus lifecycle (each one entry) --------------------------------------------------

    def forfeit(self, bonus: Bonus, reason: str) -> dict[str, Any]:
        amount = bonus.balance
        bonus.balance = Decimal(0)
        bonus.status = "forfeited"
        bonus.ended_at = self.now_iso
        bonus.end_reason = reason
        return self.entry(
            "bonus_forfeit",
            amount,
            [self.leg("player:bonus", "bonus", -amount), self.leg(HOUSE_BONUS_POOL, "bonus", amount)],
            rail="bonus",
            memo=f"bonus {bonus.id} forfeited: {reason}",
            extra={"bonus_id": bonus.id},
        )

    def forfeit_expired(self) -> None:
        for bonus in self.purse.active_bonuses():
            if bonus.expired(self.now_iso):
                self.forfeit(bonus, "expired")

    def grant_bonus(
        self,
        type_: str,
        amount: Decimal,
        required: Decimal,
        *,
        expires_at: str | None = None,
        memo: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], Bonus]:
        """Bonus money from the bonus pool into a new active bonus of this purse: the one rule for an
        operator's grant, a lootbox prize and a cashback paid as bonus. A zero wagering requirement converts
        at once (nothing is left to wager)."""
        bonus = Bonus(
            id=new_id("bn"),
            amount=amount,
            balance=amount,
            wagering_required=required,
            wagered=Decimal(0),
            status="active",
            granted_at=self.now_iso,
            expires_at=expires_at,
        )
        self.purse.bonuses.append(bonus)
        legs = [self.leg(HOUSE_BONUS_POOL, "bonus", -amount), self.leg("player:bonus", "bonus", amount)]
        entry = self.entry(type_, amount, legs, rail="bonus", memo=memo, extra={**(extra or {}), "bonus_id": bonus.id})
        if required == 0:
            self.convert(bonus)
        return entry, bonus

    def convert(self, bonus: Bonus) -> dict[str, Any]:
        amount = bonus.balance
        bonus.balance = Decimal(0)
        bonus.status = "converted"
        bonus.ended_at = self.now_iso
        bonus.end_reason = "wagering_complete"
        bonus.converted_amount = amount
        return self.entry(
            "bonus_convert",
            amount,
            [
                self.leg("player:bonus", "bonus", -amount),
                self.leg(HOUSE_BONUS_POOL, "bonus", amount),
                self.leg(HOUSE_BONUS_COST, "real", -amount),
                self.leg("player:real", "real", amount),
            ],
            memo=f"bonus {bonus.id} converted to real: wagering complete",
            extra={"bonus_id": bonus.id},
        )

    def progress_wagering(self, stake: Decimal) -> tuple[dict[str, Decimal], list[Bonus]]:
        """Counts a stake toward active bonuses, oldest first; returns what it counted per bonus (a rollback
        takes that back) and the bonuses whose wagering is complete."""
        done = []
        counted: dict[str, Decimal] = {}
        left = stake
        for bonus in self.purse.active_bonuses():
            if left <= 0:
                break
            need = bonus.wagering_required - bonus.wagered
            take = min(need, left)
            bonus.wagered += take
            left -= take
            if take > 0:
                counted[bonus.id] = take
            if bonus.wagered >= bonus.wagering_required:
                done.append(bonus)
        return counted, done

    def draw_bonus(self, amount: Decimal) -> dict[str, Decimal]:
        """Takes bonus money from active bonuses, oldest first; returns {bonus_id: amount taken}."""
        draws: dict[str, Decimal] = {}
        left = amount
        for bonus in self.purse.active_bonuses():
            if left <= 0:
                break
            take = min(bonus.balance, left)
            if take > 0:
                bonus.balance -= take
                draws[bonus.id] = take
                left -= take
        if left > 0:
            raise InsufficientFunds("insufficient funds", rail="bonus")
        return draws

    # ---- RG window counters and XP ---------------------------------------------------------

    def count(self, kind: str, add: Decimal, windows: dict[str, str]) -> dict[str, Decimal]:
        """Adds to the current windows of a counter, dropping past windows; returns what it added where."""
        counters = self.purse.counters
        current = {windows[w]: counters.get(kind, {}).get(windows[w], Decimal(0)) for w in "DWM"}
        for wid in current:
            current[wid] += add
        counters[kind] = current
        return dict.fromkeys(current, add)

    def uncount(self, kind: str, added: dict[str, Any]) -> None:
        """Takes back what a bet added, in the windows that are still current."""
        counters = self.purse.counters.get(kind, {})
        for wid, amount in added.items():
            if wid in counters:
                counters[wid] -= money.to_decimal(amount)

    def accrue_xp(self, real_stake: Decimal, per_unit: Decimal, daily_cap: Decimal, day: str) -> Decimal:
        used = (
            money.to_decimal(self.wallet.xp_day.get("amount")) if self.wallet.xp_day.get("day") == day else Decimal(0)
        )
        room = max(daily_cap - used, Decimal(0))
        xp = min(
            (real_stake * per_unit).quantize(
                money.quantum(money.POINTS_EXPONENT), rounding=ROUND_DOWN, context=money.ROUNDING_CTX
            ),
            room,
        )
        if xp > 0:
            self.wallet.xp_day = {"day": day, "amount": used + xp}
        return max(xp, Decimal(0))

    def finish(self) -> Wallet:
        return self.wallet
