"""Issue 10 #7, the wallet's mutation findings: "A mutation audit ... found five that pass every unit,
integration and e2e test ... Each of the five gets a test that fails under its mutation." Also: "no unit test
bets more than the balance (the ledger's guards never fire)". Each test names the mutation it kills; each was
tried by hand against the code (see the commit message)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from pitboss import clock
from pitboss.errors import InsufficientFunds, LimitExceeded
from pitboss.identity.entity import PendingLimit
from pitboss.wallet import queries
from pitboss.wallet.entity import Wallet
from pitboss.wallet.ledger import HOUSE_BONUS_POOL, HOUSE_WAGERS, Movement
from pitboss_local.runtime import LambdaContext
from tests.unit.test_wallet_edge import WALLET_ROUTES, _event, _handler
from tests.wallet_support import Driver, assert_ledger_consistent


def _moved(entry: dict[str, Any]) -> dict[str, Decimal]:
    """What one entry moved in money (real and bonus rails), per account."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for p in entry["postings"]:
        if p["rail"] in ("real", "bonus"):
            sums[p["account"]] += p["amount"]
    return {k: v for k, v in sums.items() if v}


def test_a_closing_bet_releases_the_rounds_frozen_stake_to_the_house(moto_table: str) -> None:
    # Kills: the frozen release of a closing bet without its house leg (or without it at all).
    d = Driver()
    d.deposit("10.00")
    d.bet("1.00", rnd="r1")  # open round: 1.00 frozen
    assert d.wallet()["frozen"] == "1.00"
    d.bet("2.00", rnd="r1", round_closed=True)
    closing = d.entries()[-1]
    assert _moved(closing) == {
        "player:real": Decimal("-2.00"),
        "player:frozen": Decimal("-1.00"),
        HOUSE_WAGERS: Decimal("3.00"),
    }
    w = d.wallet()
    assert (w["balances"]["real"], w["frozen"]) == ("7.00", "0.00")
    assert_ledger_consistent(d)


def test_a_rollback_returns_the_bonus_draw_to_a_still_active_bonus(moto_table: str) -> None:
    # Kills: a rollback that leaves the draw of a still-active bonus in the house pool (the money is lost).
    d = Driver()
    granted = d.call("bonus", {"amount": "20.00", "wagering_multiplier": 2})
    bonus_id = granted.body["wallet"]["bonuses"][0]["id"]
    d.bet("5.00", ref="b1", rnd="r1")  # no real money: all from the bonus
    assert d.wallet()["balances"]["bonus"] == "15.00"
    out = d.rollback("b1")
    assert out.body["transaction"]["amount"] == "5.00"
    assert _moved(d.entries()[-1]) == {"player:bonus": Decimal("5.00"), HOUSE_BONUS_POOL: Decimal("-5.00")}
    w = d.wallet()
    assert w["balances"]["bonus"] == "20.00"
    assert [(b["id"], b["status"], b["balance"]) for b in w["bonuses"]] == [(bonus_id, "active", "20.00")]
    assert_ledger_consistent(d)


def test_a_pending_limit_raise_is_enforced_once_in_force(moto_table: str) -> None:
    # Kills: the wallet enforcing the stored limits instead of the effective ones (gates.effective).
    d = Driver()
    clock.set_clock(lambda: datetime(2026, 3, 2, 10, tzinfo=UTC))
    d.update_player(
        limits={"deposit_daily_limit": Decimal(100)},
        pending={"deposit_daily_limit": PendingLimit(value=Decimal(200), effective_at="2026-03-02T12:00:00Z")},
    )
    with pytest.raises(LimitExceeded):  # 10:00, the raise is not in force yet
        d.deposit("150.00")
    clock.set_clock(lambda: datetime(2026, 3, 2, 13, tzinfo=UTC))
    assert d.deposit("150.00").status == 201  # 13:00: 200 a day
    with pytest.raises(LimitExceeded) as err:
        d.deposit("50.01")
    assert err.value.details["remaining"] == "50.00"
    assert_ledger_consistent(d)


def test_the_same_idempotency_key_on_another_player_is_409(moto_table: str) -> None:
    # Kills: the wallet handler's idempotency fingerprint without the user_id (the other player would get the
    # first player's transaction, 200 deduped, and no money would move).
    d = Driver()
    other = d.new_player()
    route = next(r for r in WALLET_ROUTES if r.path.endswith("/deposits"))
    handler, _ = _handler()
    body = {"amount": "5.00", "idempotency_key": "same-key"}
    first = handler(_event(route, d.who.to_context(), d.user_id, body), LambdaContext("wallet"))
    assert first["statusCode"] == 201
    again = handler(_event(route, d.who.to_context(), other, body), LambdaContext("wallet"))
    assert again["statusCode"] == 409, again
    error = json.loads(again["body"])["error"]
    assert (error["code"], error["reason"]) == ("conflict", "idempotency_key_reused"), error
    other_wallet = queries.get_wallet(d.who, other).model_dump(mode="json")["wallet"]
    assert other_wallet["balances"]["real"] == "0.00"


def test_a_bet_above_the_balance_is_refused_and_writes_nothing(moto_table: str) -> None:
    # Kills: any weakening of the ledger's guards (a bet may never take the balances below zero).
    d = Driver()
    d.deposit("10.00")
    d.call("bonus", {"amount": "2.00", "wagering_multiplier": 1})
    before = (d.stored_wallet(), len(d.entries()))
    with pytest.raises(InsufficientFunds) as refused:
        d.bet("12.01", rnd="r1", round_closed=True)
    # The flow's own check answers, with what the caller can bet (the ledger's guard is the last line).
    assert (refused.value.details["available"], refused.value.details["requested"]) == ("12.00", "12.01")
    assert (d.stored_wallet(), len(d.entries())) == before
    d.bet("12.00", rnd="r1", round_closed=True)  # exactly the real and the bonus: allowed
    w = d.wallet()
    assert (w["balances"]["real"], w["balances"]["bonus"]) == ("0.00", "0.00")
    assert_ledger_consistent(d)


@pytest.mark.parametrize("account", ["player:real", "player:bonus", "player:frozen"])
def test_the_ledger_refuses_a_posting_below_zero_whatever_the_flow_checked(account: str) -> None:
    # Kills: the ledger's own guard (Movement.entry) removed: the flows' checks are not the last line.
    wallet = Wallet(user_id="u1", currency="USD")
    wallet.set_account(account, "USD", Decimal("1.00"))
    m = Movement(wallet, "key:k1", datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(InsufficientFunds):
        m.entry(
            "debit",
            Decimal("1.01"),
            [m.leg(account, "real", Decimal("-1.01")), m.leg(HOUSE_WAGERS, "real", Decimal("1.01"))],
        )
    assert m.entries == [] and m.wallet.account(account, "USD") == Decimal("1.00")
