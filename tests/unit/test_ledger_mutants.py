"""Survivors of `make mutation` in wallet/ledger.py and wallet/rules.py (docs/testing.md), each killed by a
pure test: what a bonus's conversion and forfeit leave on the bonus (its balance, end, reason, converted amount:
the gateway's wagering-complete answer and the dossier read them) and on the ledger entry (its rail, memo and
bonus_id); bonus draws; the bodies of the currency and winz refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, localcontext

import pytest
from boto3.dynamodb.types import Binary

from pitboss import clock, idempotency, money
from pitboss.errors import InsufficientFunds, Unprocessable
from pitboss.principal import Brand
from pitboss.tenancy import BrandSettings
from pitboss.wallet import rules as wallet_rules
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


def test_bonus_money_is_drawn_oldest_first_and_only_what_is_there() -> None:
    # Kills draw_bonus mutants 4, 10, 11 and 18 (sub-unit amounts, a spent bonus listed with 0, a shortfall under 1).
    spent, older, newer = _bonus("0", "0"), _bonus("0.30", "0"), _bonus("0.40", "0")
    spent.id, older.id, newer.id = "bn_0", "bn_1", "bn_2"
    m = _movement_with(spent)
    m.purse.bonuses += [older, newer]
    assert m.draw_bonus(Decimal("0.50")) == {"bn_1": Decimal("0.30"), "bn_2": Decimal("0.20")}
    assert (older.balance, newer.balance) == (Decimal(0), Decimal("0.20"))
    with pytest.raises(InsufficientFunds):
        m.draw_bonus(Decimal("0.50"))  # 0.20 left: a shortfall of 0.30 is still a shortfall


def test_a_currency_the_brand_does_not_take_is_refused_naming_the_field_and_the_choices() -> None:
    # Kills wallet.rules._currency_refused mutants 1, 3, 6, 8 and 11-18: the 422's body is the contract.
    brand = Brand(
        brand_id=1, tenant_id="t", name="B", currency="USD", settings=BrandSettings(currencies=["USD", "EUR"])
    )
    with pytest.raises(Unprocessable) as refused:
        wallet_rules.money_in_currency(brand, "BTC")
    assert refused.value.body() == {
        "error": {
            "code": "currency_mismatch",
            "message": "this brand does not take this currency: BTC (this brand offers USD, EUR)",
            "fields": [{"field": "currency", "message": "must be one of USD, EUR"}],
        }
    }


def test_winz_redeem_up_to_the_balance_and_a_refusal_says_what_is_there() -> None:
    # Kills wallet.rules.redeemable mutants 1-4 and 6-9.
    wallet = Wallet(user_id="u1", currency="USD", winz=Decimal(25))
    wallet_rules.redeemable(wallet, Decimal(25))  # all of it may go
    with pytest.raises(InsufficientFunds) as refused:
        wallet_rules.redeemable(wallet, Decimal("25.01"))
    assert refused.value.body() == {
        "error": {
            "code": "insufficient_funds",
            "message": "insufficient winz balance",
            "available": "25.00",
            "requested": "25.01",
        }
    }


def test_a_rollback_takes_its_bet_back_out_of_the_rg_windows_still_current() -> None:
    # Kills uncount mutants 3, 5 (no counter of that kind yet) and 7 (the window set to the stake, not reduced).
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT)
    m.purse.counters["loss"] = {"D:2026-03-02": Decimal(10), "W:2026-W10": Decimal(25)}
    m.uncount("loss", {"D:2026-03-02": "4", "W:2026-W10": "4", "M:2026-02": "4"})  # February's window is gone
    assert m.purse.counters["loss"] == {"D:2026-03-02": Decimal(6), "W:2026-W10": Decimal(21)}
    m.uncount("wager", {"D:2026-03-02": "4"})
    assert "wager" not in m.purse.counters


def test_a_stored_answer_unpacks_from_a_boto3_binary_bytes_or_json_text() -> None:
    packed = idempotency.pack({"amount": "1.00"})
    for stored in (Binary(packed), packed, '{"amount": "1.00"}'):
        assert idempotency.unpack(stored) == {"amount": "1.00"}


def test_a_stake_completes_the_oldest_bonus_and_its_sub_unit_rest_counts_toward_the_next() -> None:
    # Kills progress_wagering mutants 5 (a rest under 1 dropped) and 7 (the need read as required + wagered).
    older = Bonus("bn_1", Decimal(10), Decimal(10), Decimal(100), Decimal(95), "active", granted_at="x")
    newer = Bonus("bn_2", Decimal(5), Decimal(5), Decimal(10), Decimal(0), "active", granted_at="y")
    m = _movement_with(older)
    m.purse.bonuses.append(newer)
    counted, done = m.progress_wagering(Decimal("5.50"))
    assert counted == {"bn_1": Decimal(5), "bn_2": Decimal("0.50")}
    assert done == [older]
    assert (older.wagered, newer.wagered) == (Decimal(100), Decimal("0.50"))


XP_CASES = [
    # (xp_day before, stake, per unit, daily cap, today) -> (xp accrued, xp_day after)
    pytest.param(
        {"day": "2026-03-01", "amount": Decimal(40)},
        "0.75",
        "0.5",
        "100",
        {"day": "2026-03-02", "amount": Decimal("0.37")},
        id="yesterday's XP does not count today; a fraction rounds down",
    ),
    pytest.param(
        {"day": "2026-03-02", "amount": Decimal(95)},
        "10",
        "1",
        "100",
        {"day": "2026-03-02", "amount": Decimal(100)},
        id="today's XP fills the cap and no more",
    ),
    pytest.param({}, "150", "1", "100", {"day": "2026-03-02", "amount": Decimal(100)}, id="a first day caps too"),
    pytest.param(
        {"day": "2026-03-02", "amount": Decimal(120)},
        "10",
        "1",
        "100",
        {"day": "2026-03-02", "amount": Decimal(120)},
        id="over a lowered cap: nothing, never negative",
    ),
    pytest.param(
        {"day": "2026-03-02", "amount": "3"},
        "4",
        "2.5",
        "100",
        {"day": "2026-03-02", "amount": Decimal(13)},
        id="a rate multiplies the stake; a stored amount may be text",
    ),
]


@pytest.mark.parametrize(("xp_day", "stake", "per_unit", "cap", "after"), XP_CASES)
def test_xp_accrues_on_the_real_stake_up_to_the_daily_cap(
    xp_day: dict[str, object], stake: str, per_unit: str, cap: str, after: dict[str, object]
) -> None:
    # Kills accrue_xp survivors: the day's used XP (its keys, a new day at 0), the room left, the rate, the
    # rounding (down, in its own context: a bet decides under money.LEDGER_CTX, which traps any rounding).
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT)
    m.wallet.xp_day = dict(xp_day)
    used_before = money.to_decimal(xp_day.get("amount")) if xp_day.get("day") == "2026-03-02" else Decimal(0)
    with localcontext(money.LEDGER_CTX):
        xp = m.accrue_xp(Decimal(stake), Decimal(per_unit), Decimal(cap), "2026-03-02")
    assert xp == money.to_decimal(after["amount"]) - used_before
    assert m.wallet.xp_day == after
