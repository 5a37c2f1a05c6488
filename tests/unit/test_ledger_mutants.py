"""Survivors of `make mutation` in wallet/ledger.py (docs/testing.md), each killed by a pure test: what a
bonus's conversion and forfeit leave on the bonus (its balance, end, reason, converted amount: the gateway's
wagering-complete answer and the dossier read them) and on the ledger entry (its rail, memo and bonus_id)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pitboss import clock
from pitboss.wallet.entity import Bonus, Wallet
from pitboss.wallet.ledger import Movement

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _movement_with(bonus: Bonus) -> Movement:
    wallet = Wallet(user_id="u1", currency="USD")
    m = Movement(wallet, "key:k1", AT)
    m.purse.bonus = bonus.balance
    m.purse.bonuses.append(bonus)
    return m


def _bonus(balance: str, wagered: str) -> Bonus:
    return Bonus("bn_1", Decimal(10), Decimal(balance), Decimal(100), Decimal(wagered), "active", granted_at="x")


def test_a_converted_bonus_is_emptied_ended_and_says_what_it_paid() -> None:
    bonus = _bonus("7.50", "100")
    m = _movement_with(bonus)
    entry = m.convert(bonus)
    assert (bonus.balance, bonus.status, bonus.ended_at) == (Decimal(0), "converted", clock.iso(AT))
    assert (bonus.end_reason, bonus.converted_amount) == ("wagering_complete", Decimal("7.50"))
    assert (entry["type"], entry["amount"], entry["bonus_id"]) == ("bonus_convert", Decimal("7.50"), "bn_1")
    assert entry["memo"] == "bonus bn_1 converted to real: wagering complete"
    assert (m.purse.bonus, m.purse.real) == (Decimal(0), Decimal("7.50"))


def test_a_forfeited_bonus_is_emptied_ended_with_its_reason_on_the_bonus_rail() -> None:
    bonus = _bonus("3.00", "0")
    m = _movement_with(bonus)
    entry = m.forfeit(bonus, "expired")
    assert (bonus.balance, bonus.status, bonus.ended_at, bonus.end_reason) == (
        Decimal(0),
        "forfeited",
        clock.iso(AT),
        "expired",
    )
    assert (entry["type"], entry["rail"], entry["amount"], entry["bonus_id"]) == (
        "bonus_forfeit",
        "bonus",
        Decimal("3.00"),
        "bn_1",
    )
    assert entry["memo"] == "bonus bn_1 forfeited: expired"
    assert (m.purse.bonus, m.purse.real) == (Decimal(0), Decimal(0))
