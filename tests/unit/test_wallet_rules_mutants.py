"""Issue 10 #7: "list its surviving mutants, each explained or killed". Pure table tests of `pitboss.wallet.rules`
(gates, RG windows and limits, currencies, amounts, sizes, bonus terms, provider refs) that kill mutmut's survivors
and the mutants no selected test reached (docs/testing.md, "Mutation testing"). Each test names the mutants it
kills (`pitboss.wallet.rules.x_<function>__mutmut_<n>`), and each was run under them (MUTANT_UNDER_TEST in
mutmut's own mutants/ copy) to see it fail. Real objects, no mocks: the refusals' bodies are the contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from pitboss import clock, idempotency
from pitboss.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    LimitExceeded,
    NotFound,
    PlayerBlocked,
    Unprocessable,
)
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.principal import Brand
from pitboss.tenancy import BrandSettings
from pitboss.wallet import rules as wallet_rules
from pitboss.wallet.entity import Bonus, OpenRound, Purse, Wallet

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)


def _brand(*currencies: str) -> Brand:
    return Brand(
        brand_id=1, tenant_id="t", name="B", currency=currencies[0], settings=BrandSettings(currencies=list(currencies))
    )


def _wallet(home: str = "USD", **purses: Purse) -> Wallet:
    return Wallet(user_id="u1", currency=home, purses=dict(purses))


def _refusal(exc: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    body: dict[str, Any] = exc.value.body()["error"]
    return body


# ---- gate ----------------------------------------------------------------------------------------------------


def _state(blocks: dict[gates.Action, list[str]], status: Any = "suspended") -> gates.EffectiveState:
    return gates.EffectiveState(
        limits={},
        pending={},
        cooloff_active=False,
        self_exclusion_active=False,
        age_verified=True,
        status=status,
        blocks=blocks,
    )


def test_a_blocked_action_is_refused_with_its_first_reason_and_all_of_them() -> None:
    # Kills x_gate__mutmut_1..17 (the body is the contract: code, reason, player_status, all the reasons), _5
    # (`rpartition`: a reason without ":" read as kind "") among them.
    player = Player.model_validate(
        {
            "realm": "T#ten_x#live",
            "user_id": "u1",
            "player_id": 1,
            "brand_id": 1,
            "username": "abc",
            "email": "a@example.com",
            "status": "suspended",
            "created_at": clock.iso(NOW),
            "updated_at": clock.iso(NOW),
        }
    )
    reasons = ["status:suspended", "cooloff"]
    with pytest.raises(PlayerBlocked) as refused:
        wallet_rules.gate(player, _state({"bet": reasons}), "bet")
    assert _refusal(refused) == {
        "code": "player_blocked",
        "message": "the player is blocked from bet: status:suspended",
        "reason": "status",
        "player_status": "suspended",
        "reasons": ["status:suspended", "cooloff"],
    }
    # A reason without a detail (cooloff, self_exclusion, age_gate) is its own kind.
    with pytest.raises(PlayerBlocked) as refused:
        wallet_rules.gate(player, _state({"deposit": ["cooloff", "age_gate"]}), "deposit")
    assert (_refusal(refused)["reason"], _refusal(refused)["message"]) == (
        "cooloff",
        "the player is blocked from deposit: cooloff",
    )
    # Another action's block, or an empty list, does not refuse this one.
    wallet_rules.gate(player, _state({"deposit": reasons, "bet": []}), "bet")
    wallet_rules.gate(player, _state({"deposit": reasons}), "withdrawal")


# ---- RG windows and limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "zone", "ids"),
    [
        # New Year's Eve in UTC is already 1 January in Malta, in ISO week 53 of 2026.
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "Europe/Malta", ("D2027-01-01", "W2026-W53", "M2027-01")),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "UTC", ("D2026-12-31", "W2026-W53", "M2026-12")),
        (datetime(2026, 1, 5, 1, 0, tzinfo=UTC), "America/New_York", ("D2026-01-04", "W2026-W01", "M2026-01")),
        (datetime(2026, 1, 5, 1, 0, tzinfo=UTC), "UTC", ("D2026-01-05", "W2026-W02", "M2026-01")),
    ],
)
def test_windows_are_the_brands_local_day_iso_week_and_month(at: datetime, zone: str, ids: tuple[str, ...]) -> None:
    # Kills x_window_ids__mutmut_1..10 (the zone, the ISO year, the formats).
    assert wallet_rules.window_ids(at, zone) == dict(zip(("D", "W", "M"), ids, strict=True))


def test_a_limit_in_another_currency_carries_its_name() -> None:
    # Kills x_limit_name__mutmut_1..3.
    assert wallet_rules.limit_name("deposit_daily_limit", "USD", "USD") == "deposit_daily_limit"
    assert wallet_rules.limit_name("deposit_daily_limit", "BTC", "USD") == "deposit_daily_limit@BTC"


def test_limits_in_a_currency_are_its_own_and_a_default_currency_limit_closes_the_others() -> None:
    # Kills x_limits_in__mutmut_1..21 (a limit another currency does not set is 0 there, fail closed).
    limits: dict[str, Any] = {
        "deposit_daily_limit": 100,
        "deposit_daily_limit@BTC": "3",
        "loss_weekly_limit@BTC": Decimal(5),
        "wager_daily_limit": Decimal(0),
        "login_limit": 9,  # not a money limit
    }
    assert wallet_rules.limits_in(limits, "USD", "USD") == {
        "deposit_daily_limit": Decimal(100),
        "wager_daily_limit": Decimal(0),
    }
    in_btc = wallet_rules.limits_in(limits, "BTC", "USD")
    assert in_btc == {"deposit_daily_limit": Decimal(3), "loss_weekly_limit": Decimal(5), "wager_daily_limit": 0}
    assert all(type(v) is Decimal for v in in_btc.values())
    # Nothing limited in the default currency: nothing is closed elsewhere.
    assert wallet_rules.limits_in({"loss_weekly_limit@BTC": 5}, "EUR", "USD") == {}


WINDOWS = {"D": "D2026-03-02", "W": "W2026-W10", "M": "M2026-03"}


def _purse(**counters: dict[str, Decimal]) -> Purse:
    return Purse("USD", counters=dict(counters))


def test_a_limit_may_be_reached_but_not_passed_in_each_of_its_windows() -> None:
    # Kills x_check_limits__mutmut_1..58 with the next three tests (this one alone: _22, the message).
    purse = _purse(loss={"D2026-03-02": Decimal(8), "W2026-W10": Decimal(15)}, deposit={"D2026-03-02": Decimal(50)})
    # A small deposit limit must not hold back a loss, nor a loss limit a deposit.
    limits = {"deposit_daily_limit": Decimal(1), "loss_daily_limit": Decimal(10), "loss_weekly_limit": Decimal(20)}
    wallet_rules.check_limits(purse, "loss", Decimal(2), limits, WINDOWS)  # exactly 10 and 17
    with pytest.raises(LimitExceeded) as refused:
        wallet_rules.check_limits(purse, "loss", Decimal("2.01"), limits, WINDOWS)
    assert _refusal(refused) == {
        "code": "limit_exceeded",
        "message": "loss_daily_limit would be exceeded",
        "limit": "loss_daily_limit",
        "limit_value": "10.00",
        "used": "8.00",
        "remaining": "2.00",
    }
    # No daily limit: the weekly one still counts.
    with pytest.raises(LimitExceeded) as refused:
        wallet_rules.check_limits(purse, "loss", Decimal("5.01"), {"loss_weekly_limit": Decimal(20)}, WINDOWS)
    assert (_refusal(refused)["limit"], _refusal(refused)["used"], _refusal(refused)["remaining"]) == (
        "loss_weekly_limit",
        "15.00",
        "5.00",
    )
    wallet_rules.check_limits(purse, "wager", Decimal(1000), limits, WINDOWS)  # no wager limit
    wallet_rules.check_limits(purse, "deposit", Decimal(1000), {"loss_daily_limit": Decimal(1)}, WINDOWS)


def test_a_first_deposit_counts_from_zero_and_the_monthly_window_is_the_months() -> None:
    # Kills x_check_limits__mutmut_9, 11, 13, 15, 17 (the first counter of a kind, the used amount's default).
    purse = _purse(deposit={"M2026-02": Decimal(90)})  # last month's deposits do not count
    limits = {"deposit_monthly_limit": Decimal(100)}
    wallet_rules.check_limits(purse, "deposit", Decimal(100), limits, WINDOWS)
    with pytest.raises(LimitExceeded) as refused:
        wallet_rules.check_limits(purse, "deposit", Decimal("100.01"), limits, WINDOWS)
    assert (_refusal(refused)["limit"], _refusal(refused)["used"]) == ("deposit_monthly_limit", "0.00")
    wallet_rules.check_limits(_purse(), "deposit", Decimal(100), limits, WINDOWS)


def test_a_refusal_shows_net_wins_as_nothing_used_and_never_a_negative_remainder() -> None:
    # Kills x_check_limits__mutmut_58 (the remainder's floor) and the `max` clamps.
    won = _purse(loss={"D2026-03-02": Decimal(-5)})  # the player is up 5 today: 15 more may be lost
    limits = {"loss_daily_limit": Decimal(10)}
    wallet_rules.check_limits(won, "loss", Decimal(15), limits, WINDOWS)
    with pytest.raises(LimitExceeded) as refused:
        wallet_rules.check_limits(won, "loss", Decimal("15.01"), limits, WINDOWS)
    assert (_refusal(refused)["used"], _refusal(refused)["remaining"]) == ("0.00", "15.00")
    over = _purse(loss={"D2026-03-02": Decimal(12)})  # the limit was lowered below what was already lost
    with pytest.raises(LimitExceeded) as refused:
        wallet_rules.check_limits(over, "loss", Decimal("0.01"), limits, WINDOWS)
    assert (_refusal(refused)["used"], _refusal(refused)["remaining"]) == ("12.00", "0.00")


def test_a_refusal_formats_in_the_purses_currency() -> None:
    # Kills x_check_limits mutants of the amounts' formatting (the purse's exponent).
    purse = Purse("BTC", counters={"wager": {"D2026-03-02": Decimal("0.5")}})
    with pytest.raises(LimitExceeded) as refused:
        wallet_rules.check_limits(purse, "wager", Decimal("0.6"), {"wager_daily_limit": Decimal(1)}, WINDOWS)
    assert _refusal(refused)["limit_value"] == "1.00000000"


# ---- amounts and currencies ----------------------------------------------------------------------------------


def test_money_coming_in_is_in_the_currency_named_or_the_brands_default() -> None:
    # Kills x_money_in_currency__mutmut_1, 2.
    brand = _brand("USD", "EUR")
    assert wallet_rules.money_in_currency(brand, None) == "USD"
    assert wallet_rules.money_in_currency(brand, "EUR") == "EUR"


def test_money_going_out_may_be_in_a_currency_the_wallet_still_holds() -> None:
    # Kills x_held_or_offered__mutmut_1..12 (and x__currency_refused 1..18 again).
    brand = _brand("USD", "EUR")
    wallet = _wallet(GBP=Purse("GBP", real=Decimal(3)))
    assert wallet_rules.held_or_offered(brand, wallet, None) == "USD"
    assert wallet_rules.held_or_offered(brand, wallet, "EUR") == "EUR"
    assert wallet_rules.held_or_offered(brand, wallet, "GBP") == "GBP"
    with pytest.raises(Unprocessable) as refused:
        wallet_rules.held_or_offered(brand, wallet, "JPY")
    assert _refusal(refused) == {
        "code": "currency_mismatch",
        "message": "this wallet holds no money in this currency: JPY (this brand offers USD, EUR)",
        "fields": [{"field": "currency", "message": "must be one of USD, EUR"}],
    }


def _playing(currency: str, name: str = "p#r1") -> Wallet:
    return _wallet("GBP", **{currency: Purse(currency, rounds={name: OpenRound(stake=Decimal(1))})})


ROUND_MISMATCH = {
    "code": "currency_mismatch",
    "message": "this round is played in EUR, not USD",
    "fields": [{"field": "currency", "message": "must be EUR, the round's currency"}],
}


def test_a_win_is_in_its_open_rounds_currency() -> None:
    # Kills x_round_currency__mutmut_1..4, 12, 17..33 (_1, _2: the open round's currency unread).
    brand, wallet = _brand("USD", "EUR"), _playing("EUR")
    assert wallet_rules.round_currency(brand, wallet, "p#r1", None, None) == "EUR"
    assert wallet_rules.round_currency(brand, wallet, "p#r1", None, "EUR") == "EUR"
    # The open round is the truth, before anything a closed record says.
    assert wallet_rules.round_currency(brand, wallet, "p#r1", {"currency": "USD"}, None) == "EUR"
    with pytest.raises(Unprocessable) as refused:
        wallet_rules.round_currency(brand, wallet, "p#r1", None, "USD")
    assert _refusal(refused) == ROUND_MISMATCH


def test_a_win_on_a_closed_round_is_in_its_recorded_currency_or_the_wallets_home() -> None:
    # Kills x_round_currency__mutmut_4..12, 17..33 (_6.._11: the closed round's currency, else the wallet's home).
    brand, wallet = _brand("USD", "EUR"), _wallet("GBP")
    assert wallet_rules.round_currency(brand, wallet, "p#r1", {"currency": "EUR"}, None) == "EUR"
    assert wallet_rules.round_currency(brand, wallet, "p#r1", {}, None) == "GBP"  # closed before rounds kept it
    with pytest.raises(Unprocessable) as refused:
        wallet_rules.round_currency(brand, wallet, "p#r1", {"currency": "EUR"}, "USD")
    assert _refusal(refused) == ROUND_MISMATCH


def test_a_win_on_an_unknown_round_is_in_the_currency_named_or_the_brands() -> None:
    # Kills x_round_currency__mutmut_3, 5, 12..16.
    brand, wallet = _brand("USD", "EUR"), _wallet("GBP")
    assert wallet_rules.round_currency(brand, wallet, "p#r1", None, None) == "USD"
    assert wallet_rules.round_currency(brand, wallet, "p#r1", None, "EUR") == "EUR"
    with pytest.raises(Unprocessable):
        wallet_rules.round_currency(brand, wallet, "p#r1", None, "GBP")  # not offered


def test_a_stake_beyond_real_and_bonus_is_refused_saying_what_is_there() -> None:
    # Kills x_stake_split__mutmut_4..37 (_18: `or` -> `and`; _21.._37: the refusal's body).
    purse = Purse("USD", real=Decimal(5), bonus=Decimal(4))
    assert wallet_rules.stake_split(purse, Decimal(9), "real_first") == (Decimal(5), Decimal(4))
    assert wallet_rules.stake_split(purse, Decimal(9), "bonus_first") == (Decimal(5), Decimal(4))
    for order in ("real_first", "bonus_first"):
        with pytest.raises(InsufficientFunds) as refused:
            wallet_rules.stake_split(purse, Decimal("9.01"), order)
        assert _refusal(refused) == {
            "code": "insufficient_funds",
            "message": "insufficient funds for this bet",
            "available": "9.00",
            "requested": "9.01",
        }


def test_only_a_kyc_approved_player_is_paid_out_where_the_brand_requires_it() -> None:
    # Kills x_kyc_for_withdrawal__mutmut_1..13.
    wallet_rules.kyc_for_withdrawal("approved", True)
    wallet_rules.kyc_for_withdrawal("pending", False)
    for status in ("pending", "none", "rejected"):
        with pytest.raises(Forbidden) as refused:
            wallet_rules.kyc_for_withdrawal(status, True)
        assert _refusal(refused) == {
            "code": "kyc_required",
            "message": "the player's KYC must be approved before a withdrawal",
        }


def test_a_withdrawal_may_take_all_the_real_balance_and_no_more() -> None:
    # Kills x_withdrawable__mutmut_1..17.
    purse = Purse("BTC", real=Decimal("0.5"), bonus=Decimal(10))
    wallet_rules.withdrawable(purse, Decimal("0.5"))
    with pytest.raises(InsufficientFunds) as refused:
        wallet_rules.withdrawable(purse, Decimal("0.50000001"))  # bonus money is not withdrawable
    assert _refusal(refused) == {
        "code": "insufficient_funds",
        "message": "insufficient real balance for this withdrawal",
        "available": "0.50000000",
        "requested": "0.50000001",
    }


# ---- sizes ---------------------------------------------------------------------------------------------------


def _open_rounds(count: int, currency: str) -> dict[str, OpenRound]:
    return {f"p#{currency}{i}": OpenRound() for i in range(count)}


def test_a_round_is_played_in_one_currency() -> None:
    # Kills x_room_for_round__mutmut_1..20.
    wallet = _playing("EUR")
    wallet_rules.room_for_round(wallet, "p#r1", "EUR")
    wallet_rules.room_for_round(wallet, "p#r2", "USD")
    with pytest.raises(Unprocessable) as refused:
        wallet_rules.room_for_round(wallet, "p#r1", "USD")
    assert _refusal(refused) == ROUND_MISMATCH


def test_a_wallet_keeps_at_most_max_open_rounds_all_currencies_together() -> None:
    # Kills x_room_for_round__mutmut_1..5, 20..30 (the cap, its boundary, all currencies counted).
    cap = wallet_rules.MAX_OPEN_ROUNDS
    assert cap == 500
    usd, eur = Purse("USD", rounds=_open_rounds(cap - 2, "USD")), Purse("EUR", rounds=_open_rounds(1, "EUR"))
    wallet = _wallet(USD=usd, EUR=eur)
    wallet_rules.room_for_round(wallet, "p#new", "USD")  # the last one
    usd.rounds["p#new"] = OpenRound()
    with pytest.raises(Conflict) as refused:
        wallet_rules.room_for_round(wallet, "p#another", "EUR")
    assert _refusal(refused) == {
        "code": "too_many_open_rounds",
        "message": "too many open rounds; close some before opening another",
    }
    wallet_rules.room_for_round(wallet, "p#EUR0", "EUR")  # a round already open may take more bets


def _bonuses(count: int, status: str) -> list[Bonus]:
    d = Decimal(1)
    return [Bonus(f"bn_{status}{i}", d, d, d, Decimal(0), status, granted_at="x") for i in range(count)]


def test_a_wallet_keeps_at_most_max_active_bonuses_all_currencies_together() -> None:
    # Kills x_room_for_bonus__mutmut_1..9.
    cap = wallet_rules.MAX_ACTIVE_BONUSES
    assert cap == 20
    usd = Purse("USD", bonuses=[*_bonuses(cap - 2, "active"), *_bonuses(5, "converted")])
    eur = Purse("EUR", bonuses=_bonuses(1, "active"))
    wallet = _wallet(USD=usd, EUR=eur)
    wallet_rules.room_for_bonus(wallet)  # ended bonuses do not count
    eur.bonuses += _bonuses(1, "active")
    with pytest.raises(Conflict) as refused:
        wallet_rules.room_for_bonus(wallet)
    assert _refusal(refused) == {
        "code": "too_many_bonuses",
        "message": "this player already has 20 active bonuses; one must end first",
        "limit": 20,
    }


# ---- bonus terms ---------------------------------------------------------------------------------------------

EXPIRY_REFUSED = {
    "code": "validation_error",
    "message": "expires_at must be in the future and at most 5 years ahead",
    "field": "expires_at",
}


def test_a_bonus_expiry_is_strictly_in_the_future_and_within_its_lifetime() -> None:
    # Kills x_bonus_expiry__mutmut_1, 2, 15, 17..20, 23, 24, 26, 27, 29..36 (both strict bounds, UTC).
    tick = timedelta(microseconds=1)
    assert wallet_rules.bonus_expiry(None, NOW) is None
    assert wallet_rules.bonus_expiry(NOW + tick, NOW) == "2031-06-01T12:00:00.000001Z"
    latest = NOW + wallet_rules.MAX_BONUS_LIFETIME - tick
    assert wallet_rules.bonus_expiry(latest, NOW) == clock.iso(latest)
    # Given in another zone, answered in UTC.
    malta = datetime(2031, 6, 2, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert wallet_rules.bonus_expiry(malta, NOW) == "2031-06-02T07:30:00.000000Z"
    for refused_at in (NOW, NOW - tick, NOW + wallet_rules.MAX_BONUS_LIFETIME):
        with pytest.raises(Unprocessable) as refused:
            wallet_rules.bonus_expiry(refused_at, NOW)
        assert _refusal(refused) == EXPIRY_REFUSED


def test_a_bonus_expiry_needs_a_zone() -> None:
    # Kills x_bonus_expiry__mutmut_1..3, 5, 6, 8..14.
    with pytest.raises(Unprocessable) as refused:
        wallet_rules.bonus_expiry(datetime(2031, 6, 2), NOW)  # naive on purpose
    assert _refusal(refused) == {
        "code": "validation_error",
        "message": "expires_at needs a time zone",
        "field": "expires_at",
    }


def test_a_bonus_expiry_beyond_the_calendar_is_refused_not_a_crash() -> None:
    # Kills x_bonus_expiry__mutmut_22 (`in_range = True` on overflow) and the refusal's body.
    # astimezone(UTC) overflows past year 9999; so does `now + MAX_BONUS_LIFETIME` near the end of the calendar.
    beyond = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    late_now = datetime(9999, 1, 1, tzinfo=UTC)
    for expires, now in ((beyond, NOW), (datetime(9999, 6, 1, tzinfo=UTC), late_now)):
        with pytest.raises(Unprocessable) as refused:
            wallet_rules.bonus_expiry(expires, now)
        assert _refusal(refused) == EXPIRY_REFUSED


def test_a_wagering_requirement_too_large_to_hold_is_refused() -> None:
    # Kills x_wagering_required__mutmut_12..23 (the 422 instead of a 500).
    with pytest.raises(Unprocessable) as refused:
        wallet_rules.wagering_required(Decimal("1E+30"), Decimal("1E+10"), 2)
    assert _refusal(refused) == {
        "code": "invalid_amount",
        "message": "the wagering requirement is too large",
        "field": "amount",
    }
    assert wallet_rules.wagering_required(Decimal("10.00"), Decimal(0), 2) == Decimal("0.00")


# ---- provider refs -------------------------------------------------------------------------------------------


def test_a_refs_fingerprint_names_its_kind_player_and_any_currency_but_the_home_one() -> None:
    # Kills x_ref_fingerprint__mutmut_1..13.
    body = {"amount": "1.00", "ref_id": "r1"}
    home = wallet_rules.ref_fingerprint("bet", "u1", body, "USD", "USD")
    assert home == idempotency.fingerprint("POST", "bet:u1", body)
    euro = wallet_rules.ref_fingerprint("bet", "u1", body, "EUR", "USD")
    assert euro == idempotency.fingerprint("POST", "bet:u1", {**body, "currency": "EUR"})
    assert len({home, euro, wallet_rules.ref_fingerprint("win", "u1", body, "USD", "USD")}) == 3
    assert body == {"amount": "1.00", "ref_id": "r1"}


def test_a_ref_is_new_a_replay_or_refused() -> None:
    # Kills x_is_replay__mutmut_1..29.
    assert wallet_rules.is_replay(None, "f1") is False
    assert wallet_rules.is_replay({"kind": "bet", "fingerprint": "f1"}, "f1") is True
    with pytest.raises(Conflict) as refused:
        wallet_rules.is_replay({"kind": "bet", "fingerprint": "f1"}, "f2")
    assert _refusal(refused) == {
        "code": "duplicate_ref",
        "message": "this ref_id was already used with a different request",
    }
    with pytest.raises(Conflict) as refused:
        wallet_rules.is_replay({"kind": "tombstone", "fingerprint": "f1"}, "f1")
    assert _refusal(refused) == {
        "code": "ref_rolled_back",
        "message": "this ref_id was rolled back before it arrived; it can't be used",
    }


def test_rollback_refusals_say_why() -> None:
    # Kills x_rollback_target__mutmut_12, 16, 17, 26, 30, 31 (the messages: earlier runs left them as text only).
    with pytest.raises(NotFound) as not_found:
        wallet_rules.rollback_target({"kind": "bet", "user_id": "u2"}, "u1")
    assert _refusal(not_found) == {"code": "ref_not_found", "message": "no bet of this player with this ref_id"}
    with pytest.raises(Conflict) as not_a_bet:
        wallet_rules.rollback_target({"kind": "win", "user_id": "u1"}, "u1")
    assert _refusal(not_a_bet) == {"code": "not_a_bet", "message": "only a bet can be rolled back"}


def test_a_rollback_refused_for_a_converted_bonus_says_why() -> None:
    # Kills x_wagering_can_be_undone__mutmut_10, 14, 15 (the message).
    d = Decimal(1)
    purse = Purse("USD", bonuses=[Bonus("conv", d, d, d, d, "converted", granted_at="x")])
    with pytest.raises(Conflict) as refused:
        wallet_rules.wagering_can_be_undone(purse, {"conv": d})
    assert _refusal(refused) == {
        "code": "bonus_converted",
        "message": "this bet completed a bonus's wagering, which converted it to real money; it can't be rolled back",
    }
    wallet_rules.wagering_can_be_undone(purse, {})
