"""A small in-process driver for wallet tests (moto or DynamoDB Local), and the ledger invariants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from pydantic import BaseModel

from pitboss import idempotency, keys, store, tenancy
from pitboss.idempotency import Outcome
from pitboss.identity.entity import Player
from pitboss.players import upsert as players
from pitboss.players.models import PlayerUpsert
from pitboss.wallet import payments, promotions, queries, rounds
from pitboss.wallet.entity import Stats, Wallet
from pitboss.wallet.ledger import PLAYER_ACCOUNTS
from pitboss.wallet.models import (
    BetIn,
    BonusIn,
    DepositIn,
    RollbackIn,
    WinIn,
    WinzIn,
    WithdrawalIn,
    WithdrawalOutcomeIn,
)
from tests.support import make_tenant, unique

_OPS: dict[str, Any] = {
    "deposit": (DepositIn, payments.deposit),
    "withdraw": (WithdrawalIn, payments.request_withdrawal),
    "bet": (BetIn, rounds.place_bet),
    "win": (WinIn, rounds.credit_win),
    "rollback": (RollbackIn, rounds.rollback),
    "bonus": (BonusIn, promotions.grant_bonus),
    "winz": (WinzIn, promotions.winz),
}


def as_json(flow: Callable[..., BaseModel]) -> Callable[..., Any]:
    """A read flow whose output model is read as the route sends it (JSON), as a client reads it."""

    @wraps(flow)
    def call(*args: Any, **kwargs: Any) -> Any:
        return flow(*args, **kwargs).model_dump(mode="json")

    return call


class Driver:
    def __init__(self, currency: str = "USD", **settings: Any) -> None:
        self.tenant = make_tenant(("Brand", currency))
        # The wallet's tests withdraw for players without KYC; the KYC rule has its own tests
        # (test_wallet_withdrawal_kyc.py), which pass withdrawal_requires_kyc=True.
        settings.setdefault("withdrawal_requires_kyc", False)
        if settings:
            tenancy.update_brand_settings(self.tenant.tenant_id, self.tenant.brand_id, settings)
        self.who = tenancy.authenticate(f"Bearer {self.tenant.live_key}")
        self.user_id = self.new_player()

    def new_player(self) -> str:
        name = unique("w")
        body = {"username": name, "email": f"{name}@example.com"}
        idem = idempotency.begin(self.who.realm, None, "POST", "/v1/players", body)
        out = players.upsert_player(self.who, PlayerUpsert.model_validate(body), idem)
        return str(out.body["player"]["user_id"])

    @property
    def pk(self) -> str:
        return keys.player_pk(self.who.realm, self.user_id)

    def call(self, op: str, body: dict[str, Any], idem_key: str | None = None, user: str | None = None) -> Outcome:
        model_cls, fn = _OPS[op]
        user = user or self.user_id
        model = model_cls.model_validate({**body, **({"idempotency_key": idem_key} if idem_key else {})})
        idem = idempotency.begin(self.who.realm, idem_key, "POST", f"{op}:{user}", body)
        return fn(self.who, user, model, idem)  # type: ignore[no-any-return]

    def settle(self, wd_id: str, outcome: str, idem_key: str | None = None) -> Outcome:
        idem = idempotency.begin(self.who.realm, idem_key, "POST", f"{outcome}:{wd_id}", {})
        return payments.settle_withdrawal(self.who, self.user_id, wd_id, outcome, WithdrawalOutcomeIn(), idem)

    def deposit(self, amount: str, **kw: Any) -> Outcome:
        return self.call("deposit", {"amount": amount, **kw})

    def bet(self, amount: str, ref: str | None = None, rnd: str = "r1", **kw: Any) -> Outcome:
        return self.call("bet", {"amount": amount, "ref_id": ref or unique("b"), "round_id": rnd, **kw})

    def win(self, amount: str, rnd: str = "r1", ref: str | None = None, **kw: Any) -> Outcome:
        return self.call("win", {"amount": amount, "ref_id": ref or unique("w"), "round_id": rnd, **kw})

    def rollback(self, ref: str, **kw: Any) -> Outcome:
        return self.call("rollback", {"ref_id": ref, **kw})

    def wallet(self) -> dict[str, Any]:
        return as_json(queries.get_wallet)(self.who, self.user_id)["wallet"]  # type: ignore[no-any-return]

    def stored_wallet(self) -> dict[str, Any] | None:
        return store.get(self.pk, keys.WALLET)

    def entries(self) -> list[dict[str, Any]]:
        return list(store.query_all(self.pk, sk_prefix="TX#", consistent=True))

    def update_player(self, **changes: Any) -> None:
        item = store.get(self.pk, keys.PROFILE)
        assert item is not None
        player = Player.from_item(self.who.realm, item).model_copy(update=changes)
        store.put(player.to_item())


def assert_ledger_consistent(driver: Driver) -> None:
    """Gapless seqs; every entry balances per (rail, currency); player postings sum to the stored balances of
    their currency's purse; each entry's balance_before is the previous balance_after in its currency."""
    entries = driver.entries()
    wallet = driver.stored_wallet()
    if wallet is None:
        assert entries == []
        return
    assert [int(e["seq"]) for e in entries] == list(range(1, len(entries) + 1))
    assert int(wallet["seq"]) == len(entries)
    accounts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # (account, currency)
    previous_after: dict[str, Decimal] = defaultdict(Decimal)  # per balance currency
    for e in entries:
        sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for p in e["postings"]:
            assert isinstance(p["amount"], Decimal)
            sums[(p["rail"], p["currency"])] += p["amount"]
            if p["account"] in PLAYER_ACCOUNTS:
                accounts[(p["account"], p["currency"])] += p["amount"]
        assert all(v == 0 for v in sums.values()), (e["type"], e["postings"])
        assert e["amount"] >= 0
        currency = e["balance_currency"]
        assert e["balance_before"] == previous_after[currency]
        previous_after[currency] = e["balance_after"]
        assert accounts[("player:real", currency)] == e["balance_after"]
    home = wallet["currency"]
    balances = wallet["balances"]
    assert accounts[("player:real", home)] == balances["real"]
    assert accounts[("player:bonus", home)] == balances["bonus"]
    assert accounts[("player:winz", "WINZ")] == balances["winz"]
    assert accounts[("player:xp", "XP")] == balances["xp"]
    assert accounts[("player:frozen", home)] == wallet["frozen"]
    for name in ("real", "bonus", "winz", "xp"):
        assert balances[name] >= 0
    assert wallet["frozen"] >= 0
    stored = Wallet.from_item(wallet)
    moved = {currency for (account, currency) in accounts if account not in ("player:winz", "player:xp")}
    assert moved <= set(stored.purses), (moved, set(stored.purses))  # every currency moved has its purse
    for currency, purse in stored.purses.items():
        assert accounts[("player:real", currency)] == purse.real >= 0
        assert accounts[("player:bonus", currency)] == purse.bonus >= 0
        assert accounts[("player:frozen", currency)] == purse.frozen >= 0
        active = sum((b.balance for b in purse.active_bonuses()), Decimal(0))
        assert active == purse.bonus
        own = [e for e in entries if e["balance_currency"] == currency]
        assert_stats_match_entries(own, Stats.of(wallet, currency))
    assert_stats_match_entries([e for e in entries if e["balance_currency"] == home], Stats.of(wallet))


def assert_stats_match_entries(entries: list[dict[str, Any]], stats: Stats) -> None:
    """The wallet's lifetime activity (online status figures) is what its entries add up to."""

    def total(kind: str) -> Decimal:
        return sum((e["amount"] for e in entries if e["type"] == kind), Decimal(0))

    by_seq = {int(e["seq"]): e for e in entries}
    rolled_back = [by_seq[int(e["rolled_back_seq"])] for e in entries if e["type"] == "rollback"]
    deposits = [e for e in entries if e["type"] == "deposit"]
    bets = [e for e in entries if e["type"] == "debit"]
    assert stats.deposit_count == len(deposits)
    assert stats.deposits == total("deposit")
    assert stats.last_deposit_amount == (deposits[-1]["amount"] if deposits else None)
    assert stats.last_deposit_at == (deposits[-1]["created_at"] if deposits else None)
    assert stats.withdrawals == total("withdrawal_complete")
    assert stats.withdrawals_pending == total("withdrawal") - total("withdrawal_complete") - total("withdrawal_cancel")
    assert stats.bet_count == len(bets) - len(rolled_back)
    assert stats.stakes == total("debit") - sum((b["amount"] for b in rolled_back), Decimal(0))
    assert stats.wins == total("credit")
    assert stats.last_bet_at == (bets[-1]["created_at"] if bets else None)
    played = {(b.get("provider"), b["round_id"]) for b in bets if b not in rolled_back}
    assert stats.rounds == len(played)
