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
from pitboss.wallet.entity import Bonus, Posting, Wallet
from pitboss.wallet.ledger import Movement, balanced, new_id

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


def test_a_movement_works_on_its_own_copy_of_the_wallet_in_its_currency() -> None:
    # Kills Movement.__init__ survivors: the read seq, a deep copy (a new purse never reaches the wallet read),
    # the currency (named, else the wallet's), the wallet's creation stamp (set once).
    wallet = Wallet(user_id="u1", currency="USD", seq=7, exists=True)
    m = Movement(wallet, "key:k1", AT, "EUR")
    assert (m.read_seq, m.existed, m.currency, m.purse.currency, m.actor, m.at) == (7, True, "EUR", "EUR", "key:k1", AT)
    assert (m.now_iso, m.entries, m.wallet.created_at) == (clock.iso(AT), [], clock.iso(AT))
    assert set(wallet.purses) == {"USD"} and wallet.created_at is None
    assert m.wallet.purses["EUR"] is m.purse
    home = Movement(Wallet(user_id="u1", currency="USD", created_at="2020-01-01T00:00:00Z"), "key:k1", AT)
    assert (home.currency, home.purse.currency, home.wallet.created_at) == ("USD", "USD", "2020-01-01T00:00:00Z")


def test_legs_are_in_the_movement_currency_and_points_in_their_own() -> None:
    # Kills Movement.leg and currency_of survivors.
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT, "EUR")
    assert m.leg("player:real", "real", Decimal(2)) == Posting("player:real", "real", "EUR", Decimal(2))
    assert m.leg("player:xp", "xp", Decimal(3)) == Posting("player:xp", "xp", "XP", Decimal(3))
    assert m.currency_of("winz") == "WINZ"


def test_postings_balance_per_rail_and_currency() -> None:
    # Kills balanced survivors 3, 5-7 (4, `-=`, is equivalent: a sum is zero exactly when its negation is).
    def leg(rail: str, currency: str, amount: int) -> Posting:
        return Posting("a", rail, currency, Decimal(amount))

    assert balanced([leg("real", "USD", 5), leg("real", "USD", -3), leg("real", "USD", -2)])
    assert balanced([])
    assert not balanced([leg("real", "USD", 5), leg("bonus", "USD", -5)])
    assert not balanced([leg("real", "USD", 5), leg("real", "EUR", -5)])
    assert not balanced([leg("real", "USD", 1)])


def test_ids_are_lower_case_with_their_prefix() -> None:
    made = new_id("tx")
    assert made.startswith("tx_") and made == made.lower() and len(made) == 29


def test_rg_counters_add_to_the_current_windows_and_drop_past_ones() -> None:
    # Kills Movement.count survivors: the windows kept (D, W, M), what each held, what was added where.
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT)
    m.purse.counters = {"loss": {"D:2026-03-01": Decimal(7), "W:2026-W10": Decimal(10)}, "wager": {}}
    windows = {"D": "D:2026-03-02", "W": "W:2026-W10", "M": "M:2026-03"}
    added = m.count("loss", Decimal(4), windows)
    assert added == {"D:2026-03-02": Decimal(4), "W:2026-W10": Decimal(4), "M:2026-03": Decimal(4)}
    assert m.purse.counters == {
        "loss": {"D:2026-03-02": Decimal(4), "W:2026-W10": Decimal(14), "M:2026-03": Decimal(4)},
        "wager": {},
    }
    assert m.count("deposit", Decimal(2), windows) == dict.fromkeys(windows.values(), Decimal(2))  # a first one
    assert m.purse.counters["deposit"] == dict.fromkeys(windows.values(), Decimal(2))


def test_each_entry_type_moves_its_lifetime_stats() -> None:
    # Kills Movement.stat and _record survivors: totals up or down by the amount, counts by one, the stamps.
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT)
    m.purse.stats = {"deposits": "5", "deposit_count": 2, "withdrawals_pending": Decimal(10)}
    m.purse.real = Decimal(100)
    m.entry(
        "deposit", Decimal(10), [m.leg("psp:clearing", "real", Decimal(-10)), m.leg("player:real", "real", Decimal(10))]
    )
    m.entry("debit", Decimal(3), [m.leg("player:real", "real", Decimal(-3)), m.leg("house:wagers", "real", Decimal(3))])
    m._record("withdrawal_complete", Decimal(4))
    m._record("bonus_grant", Decimal(50))  # moves no stat
    assert m.purse.stats == {
        "deposits": Decimal(15),
        "deposit_count": Decimal(3),
        "last_deposit_at": clock.iso(AT),
        "last_deposit_amount": Decimal(10),
        "bet_count": Decimal(1),
        "stakes": Decimal(3),
        "last_bet_at": clock.iso(AT),
        "withdrawals_pending": Decimal(6),
        "withdrawals": Decimal(4),
    }


def test_only_expired_bonuses_are_forfeited_and_for_that_reason() -> None:
    # Kills Movement.forfeit_expired survivors.
    expired, running = _bonus("2.00", "0"), _bonus("3.00", "0")
    expired.expires_at, running.expires_at = clock.iso(AT), "2026-03-03T00:00:00Z"
    running.id = "bn_2"
    m = _movement_with(expired)
    m.purse.bonuses.append(running)
    m.purse.bonus = Decimal(5)
    m.forfeit_expired()
    assert (expired.status, expired.end_reason, running.status) == ("forfeited", "expired", "active")
    assert [e["bonus_id"] for e in m.entries] == ["bn_1"]
    assert m.purse.bonus == Decimal(3)


def test_an_entry_applies_its_player_side_postings_and_records_everything_it_moved() -> None:
    # Kills Movement.entry survivors: zero legs dropped, the balances applied (house accounts only named), the
    # seq and stamps, the entry's every field, extra fields merged.
    m = Movement(Wallet(user_id="u1", currency="USD", seq=4), "key:k1", AT)
    m.purse.real, m.purse.bonus = Decimal(10), Decimal(5)
    legs = [
        m.leg("player:real", "real", Decimal(-3)),
        m.leg("house:wagers", "real", Decimal(3)),
        m.leg("player:bonus", "bonus", Decimal(0)),
    ]
    entry = m.entry("debit", Decimal(3), legs, ref_id="r1", round_id="rd1", memo="m", extra={"bonus_id": "bn_9"})
    assert entry["id"].startswith("tx_")
    assert {k: v for k, v in entry.items() if k != "id"} == {
        "seq": 5,
        "type": "debit",
        "rail": "real",
        "amount": Decimal(3),
        "currency": "USD",
        "postings": [
            {"account": "player:real", "rail": "real", "currency": "USD", "amount": Decimal(-3)},
            {"account": "house:wagers", "rail": "real", "currency": "USD", "amount": Decimal(3)},
        ],
        "balance_currency": "USD",
        "balance_before": Decimal(10),
        "balance_after": Decimal(7),
        "ref_id": "r1",
        "round_id": "rd1",
        "memo": "m",
        "actor": "key:k1",
        "created_at": clock.iso(AT),
        "bonus_id": "bn_9",
    }
    assert (m.purse.real, m.purse.bonus, m.wallet.seq, m.wallet.updated_at) == (
        Decimal(7),
        Decimal(5),
        5,
        clock.iso(AT),
    )
    assert m.entries == [entry]
    points = m.entry(
        "xp_grant", Decimal(2), [m.leg("issuer:xp", "xp", Decimal(-2)), m.leg("player:xp", "xp", Decimal(2))], rail="xp"
    )
    assert (points["currency"], points["rail"], points["seq"], m.wallet.xp) == ("XP", "xp", 6, Decimal(2))
    assert [e["seq"] for e in m.entries] == [5, 6]
    bare = m.entry("adjust", Decimal(0), [])
    assert (bare["ref_id"], bare["round_id"], bare["memo"], bare["postings"]) == (None, None, None, [])


def test_an_entry_refuses_a_negative_balance_naming_the_account_and_rail() -> None:
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT)
    m.purse.bonus = Decimal(1)
    with pytest.raises(InsufficientFunds) as refused:
        m.entry(
            "debit",
            Decimal(2),
            [m.leg("player:bonus", "bonus", Decimal(-2)), m.leg("house:wagers", "bonus", Decimal(2))],
            rail="bonus",
        )
    assert refused.value.body() == {
        "error": {"code": "insufficient_funds", "message": "insufficient bonus balance", "rail": "bonus"}
    }
    # Exactly nothing left is allowed.
    m.entry(
        "debit", Decimal(1), [m.leg("player:bonus", "bonus", Decimal(-1)), m.leg("house:wagers", "bonus", Decimal(1))]
    )
    assert m.purse.bonus == Decimal(0)


def test_an_entry_refuses_a_balance_beyond_its_digits_per_rail() -> None:
    # A real balance's bound follows the currency (USD: below 10^16); points keep two places (below 10^16).
    top = money.max_amount(2) - money.quantum(2)
    m = Movement(Wallet(user_id="u1", currency="BTC"), "key:k1", AT)
    m.purse.real = money.max_amount(8) - Decimal(1)
    with pytest.raises(Unprocessable) as refused:
        m.entry(
            "credit", Decimal(1), [m.leg("house:wagers", "real", Decimal(-1)), m.leg("player:real", "real", Decimal(1))]
        )
    assert refused.value.body() == {
        "error": {
            "code": "balance_limit",
            "message": "this movement would take the real balance beyond its maximum",
            "maximum": "9999999999.99999999",
        }
    }
    m.entry(
        "credit",
        Decimal("0.5"),
        [m.leg("house:wagers", "real", Decimal("-0.5")), m.leg("player:real", "real", Decimal("0.5"))],
    )
    m.wallet.xp = top - Decimal(1)
    m.entry(
        "xp_grant", Decimal(1), [m.leg("issuer:xp", "xp", Decimal(-1)), m.leg("player:xp", "xp", Decimal(1))], rail="xp"
    )
    assert m.wallet.xp == top
    with pytest.raises(Unprocessable):
        m.entry(
            "xp_grant",
            Decimal("0.01"),
            [m.leg("issuer:xp", "xp", Decimal("-0.01")), m.leg("player:xp", "xp", Decimal("0.01"))],
            rail="xp",
        )


def test_unbalanced_postings_are_a_bug_not_a_refusal() -> None:
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT)
    with pytest.raises(AssertionError, match="unbalanced postings for credit"):
        m.entry("credit", Decimal(1), [m.leg("player:real", "real", Decimal(1))])


def test_a_granted_bonus_is_a_new_active_bonus_paid_from_the_pool_on_the_bonus_rail() -> None:
    # Kills Movement.grant_bonus mutants 1-64: the new bonus's every field (its id's prefix, the amount
    # as its balance, the requirement, nothing wagered yet, active, granted now, its expiry), the bonus kept on
    # the movement's purse, the two legs (pool to player, each on the bonus rail and in the purse's currency),
    # and the entry (type, amount, bonus rail, memo, the caller's extra fields and the bonus's id).
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT, "EUR")
    older = _bonus("1.00", "0")
    m.purse.bonus = older.balance
    m.purse.bonuses.append(older)
    extra = {"box_id": "bx_1", "bonus_id": "not this one"}
    entry, bonus = m.grant_bonus(
        "lootbox_prize", Decimal("12.50"), Decimal(40), expires_at="2026-04-01T00:00:00Z", memo="a prize", extra=extra
    )
    assert bonus.id.startswith("bn_") and bonus.id == bonus.id.lower() and len(bonus.id) == 29
    assert bonus == Bonus(
        bonus.id,
        Decimal("12.50"),
        Decimal("12.50"),
        Decimal(40),
        Decimal(0),
        "active",
        granted_at=clock.iso(AT),
        expires_at="2026-04-01T00:00:00Z",
    )
    assert m.purse.bonuses == [older, bonus] and m.purse.currency == "EUR"
    assert (m.purse.bonus, m.purse.real) == (Decimal("13.50"), Decimal(0))
    assert {k: v for k, v in entry.items() if k != "id"} == {
        "seq": 1,
        "type": "lootbox_prize",
        "rail": "bonus",
        "amount": Decimal("12.50"),
        "currency": "EUR",
        "postings": [
            {"account": "house:bonus_pool", "rail": "bonus", "currency": "EUR", "amount": Decimal("-12.50")},
            {"account": "player:bonus", "rail": "bonus", "currency": "EUR", "amount": Decimal("12.50")},
        ],
        "balance_currency": "EUR",
        "balance_before": Decimal(0),
        "balance_after": Decimal(0),
        "ref_id": None,
        "round_id": None,
        "memo": "a prize",
        "actor": "key:k1",
        "created_at": clock.iso(AT),
        "box_id": "bx_1",
        "bonus_id": bonus.id,
    }
    assert m.entries == [entry]
    assert extra == {"box_id": "bx_1", "bonus_id": "not this one"}  # the caller's dict is not changed


def test_a_bonus_granted_with_nothing_to_wager_converts_to_real_at_once() -> None:
    # Kills Movement.grant_bonus mutants 65 (`required == 1` converts instead of 0) and 66 (the grant's own bonus
    # not the one converted); also 61 (no extra given: `extra and {}` spreads None) and 64 (`required != 0`).
    m = Movement(Wallet(user_id="u1", currency="USD"), "key:k1", AT)
    entry, bonus = m.grant_bonus("bonus_grant", Decimal(5), Decimal(0))
    assert (bonus.status, bonus.balance, bonus.converted_amount, bonus.end_reason) == (
        "converted",
        Decimal(0),
        Decimal(5),
        "wagering_complete",
    )
    assert (bonus.expires_at, entry["memo"], entry["bonus_id"]) == (None, None, bonus.id)
    assert [(e["type"], e["bonus_id"]) for e in m.entries] == [("bonus_grant", bonus.id), ("bonus_convert", bonus.id)]
    assert (m.purse.bonus, m.purse.real) == (Decimal(0), Decimal(5))
    _, kept = m.grant_bonus("bonus_grant", Decimal(2), Decimal(1))
    assert (kept.status, kept.balance, m.purse.bonus, m.purse.real) == ("active", Decimal(2), Decimal(2), Decimal(5))
    assert len(m.entries) == 3


def test_a_conversion_and_a_forfeit_post_against_the_house_accounts() -> None:
    # Kills Movement.forfeit mutant 35 and convert mutants 36 and 44 (a house leg's account dropped): the
    # postings are what the house side of the ledger is derived from.
    forfeited, converted = _bonus("3.00", "0"), _bonus("2.00", "100")
    converted.id = "bn_2"
    m = _movement_with(forfeited)
    m.purse.bonuses.append(converted)
    m.purse.bonus = Decimal(5)
    assert m.forfeit(forfeited, "cancelled")["postings"] == [
        {"account": "player:bonus", "rail": "bonus", "currency": "USD", "amount": Decimal("-3.00")},
        {"account": "house:bonus_pool", "rail": "bonus", "currency": "USD", "amount": Decimal("3.00")},
    ]
    assert m.convert(converted)["postings"] == [
        {"account": "player:bonus", "rail": "bonus", "currency": "USD", "amount": Decimal("-2.00")},
        {"account": "house:bonus_pool", "rail": "bonus", "currency": "USD", "amount": Decimal("2.00")},
        {"account": "house:bonus_cost", "rail": "real", "currency": "USD", "amount": Decimal("-2.00")},
        {"account": "player:real", "rail": "real", "currency": "USD", "amount": Decimal("2.00")},
    ]


def test_a_stake_or_a_draw_the_oldest_bonus_covers_leaves_the_next_one_alone() -> None:
    # Kills progress_wagering mutant 6 and draw_bonus mutant 5 (`break` -> `return`: None, not what was counted).
    older, newer = _bonus("4.00", "0"), _bonus("6.00", "0")
    newer.id = "bn_2"
    m = _movement_with(older)
    m.purse.bonuses.append(newer)
    assert m.progress_wagering(Decimal(30)) == ({"bn_1": Decimal(30)}, [])
    assert m.draw_bonus(Decimal(3)) == {"bn_1": Decimal(3)}
    assert (older.wagered, older.balance, newer.wagered, newer.balance) == (
        Decimal(30),
        Decimal(1),
        Decimal(0),
        Decimal(6),
    )


def test_a_bonus_shortfall_is_refused_on_the_bonus_rail() -> None:
    # Kills draw_bonus mutants 20-27: the refusal's body (message and rail) is what a bet's 422 answers.
    m = _movement_with(_bonus("1.00", "0"))
    with pytest.raises(InsufficientFunds) as refused:
        m.draw_bonus(Decimal(2))
    assert refused.value.body() == {
        "error": {"code": "insufficient_funds", "message": "insufficient funds", "rail": "bonus"}
    }
