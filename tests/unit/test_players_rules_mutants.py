"""Issue 10 #7: "list its surviving mutants, each explained or killed". Pure table tests of `players.rules` (the
player lifecycle and responsible-gaming decisions) that kill mutmut's mutants of it (docs/testing.md, "Mutation
testing"). The tables came first and killed 529 of the 550 mutants of an all-lines run; each test added after
them names the survivors it kills, run under each (MUTANT_UNDER_TEST in mutmut's own mutants/ copy) to see it
fail. Names are those of `make mutation`'s configuration (`mutate_only_covered_lines = true`); an all-lines run
numbers some differently. Real objects only: the rules are pure, no store is involved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pitboss import clock
from pitboss.errors import Conflict, Unprocessable
from pitboss.identity.entity import PendingLimit, Player
from pitboss.players import rules
from pitboss.players.models import RgUpdate, TagsChange
from pitboss.principal import Brand
from pitboss.tenancy import BrandSettings

# Far from the real clock on purpose: a rule that reads the clock instead of its `at` decides differently.
AT = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
NOW = clock.iso(AT)
HOUR = timedelta(hours=1)
LATER = clock.iso(AT + HOUR)
EARLIER = clock.iso(AT - HOUR)
DEPOSIT = "deposit_daily_limit"


def _player(**fields: object) -> Player:
    return Player.model_validate(
        {
            "realm": "T#ten_p#live",
            "user_id": "u1",
            "player_id": 1,
            "brand_id": 1,
            "username": "abc",
            "email": "a@example.com",
            "version": 3,
            "created_at": "2030-01-01T00:00:00.000000Z",
            "updated_at": "2030-01-01T00:00:00.000000Z",
            **fields,
        }
    )


def _brand(**settings: Any) -> Brand:
    return Brand(brand_id=1, tenant_id="ten_p", name="b", currency="USD", settings=BrandSettings(**settings))


def _bumped(before: Player, after: Player, at: datetime = AT) -> None:
    assert after.version == before.version + 1
    assert after.updated_at == clock.iso(at)


# ---- bump, in_force, lets_bet --------------------------------------------------------------------------------


def test_bump_applies_the_changes_one_version_on_stamped_at() -> None:
    player = _player()
    bumped = rules.bump(player, AT, status="suspended", tags=["x"])
    _bumped(player, bumped)
    assert (bumped.status, bumped.tags) == ("suspended", ["x"])
    assert (player.status, player.version) == ("active", 3)  # the player as read is untouched


@pytest.mark.parametrize(
    ("until", "expected"),
    [(None, False), ("", False), (EARLIER, False), (NOW, False), (LATER, True)],
)
def test_in_force_means_strictly_after_at(until: str | None, expected: bool) -> None:
    assert rules.in_force(until, AT) is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("active", True),
        ("affordability_review", True),
        ("suspended", False),
        ("self_excluded", False),
        ("fraud_hold", False),
        ("aml_hold", False),
        ("withdrawal_hold", False),
        ("closed", False),
    ],
)
def test_lets_bet(status: Any, expected: bool) -> None:
    assert rules.lets_bet(status) is expected


# ---- refuse_activation, change_status, with_note ---------------------------------------------------------------


def test_a_permanent_self_exclusion_refuses_any_status_that_lets_the_player_bet() -> None:
    permanent = _player(status="self_excluded", self_exclusion_permanent=True, self_exclusion_until=EARLIER)
    with pytest.raises(Conflict) as refused:
        rules.refuse_activation(permanent, BrandSettings(), AT)
    # Kills x_refuse_activation__mutmut_5, _6 (the message is the 409's body, read by an operator).
    assert refused.value.code == rules.PERMANENT_CODE == "self_exclusion_permanent"
    assert refused.value.details == {}
    assert refused.value.message == (
        "the player is permanently self-excluded: this can't be lifted through the API; "
        "only a status that blocks betting (self_excluded, suspended, a hold, closed) can be set"
    )
    rules.refuse_activation(_player(self_exclusion_until=EARLIER), BrandSettings(), AT)  # over: no refusal


def test_change_status_to_a_status_that_lets_the_player_bet_is_refused_while_excluded() -> None:
    excluded = _player(status="self_excluded", status_from_exclusion=True, self_exclusion_until=LATER)
    with pytest.raises(Conflict) as refused:
        rules.change_status(excluded, BrandSettings(), "active", AT)
    # Kills x_refuse_activation__mutmut_22, _23, _25, _26 (the message around the exclusion's end).
    assert refused.value.code == "self_exclusion_in_force"
    assert refused.value.message == (
        f"a self-exclusion is in force until {LATER}; only a status that blocks betting can be set meanwhile"
    )
    with pytest.raises(Conflict):
        rules.change_status(excluded, BrandSettings(), "affordability_review", AT)
    # A status that blocks betting may be set meanwhile, and it is the operator's (never lifted by the scheduler).
    suspended = rules.change_status(excluded, BrandSettings(), "suspended", AT)
    _bumped(excluded, suspended)
    assert (suspended.status, suspended.status_from_exclusion) == ("suspended", False)
    # Once the exclusion is over, reactivating is allowed, at the time given.
    active = rules.change_status(excluded, BrandSettings(), "active", AT + 2 * HOUR)
    _bumped(excluded, active, AT + 2 * HOUR)
    assert (active.status, active.status_from_exclusion) == ("active", False)


def test_a_note_records_its_text_kind_and_instant() -> None:
    player = _player()
    noted = rules.with_note(player, "called the player", "operator:op1", AT)
    assert [n.model_dump() for n in noted.notes] == [
        {"kind": "compliance", "text": "called the player", "actor": "operator:op1", "at": NOW}
    ]
    assert player.notes == []


# ---- check_until -------------------------------------------------------------------------------------------------


def _check(current: str | None, new: datetime | None, *, sent: bool = True, what: str = "self_exclusion") -> None:
    field = f"{what}_until"
    rules.check_until(current, new, field=field, what=what, sent={field} if sent else {"reason"}, at=AT)


def test_check_until_ignores_a_field_not_sent() -> None:
    _check(LATER, None, sent=False)  # clearing a running exclusion would be refused, had it been sent
    _check(LATER, AT - HOUR, sent=False)


@pytest.mark.parametrize(("what", "label"), [("self_exclusion", "self-exclusion"), ("cooloff", "cooloff")])
def test_a_running_exclusion_cannot_be_cleared(what: str, label: str) -> None:
    with pytest.raises(Conflict) as refused:
        _check(LATER, None, what=what)
    assert refused.value.code == f"{what}_in_force"
    assert refused.value.details == {"field": f"{what}_until"}
    assert refused.value.message == f"the {label} is in force and can't be cleared early"


def test_an_exclusion_that_is_over_or_absent_can_be_cleared() -> None:
    _check(NOW, None)  # ends exactly now: over
    _check(EARLIER, None)
    _check(None, None)


def test_the_new_end_must_be_after_at() -> None:
    for new in (AT, AT - HOUR):
        with pytest.raises(Unprocessable) as refused:
            _check(None, new)
        assert refused.value.code == "until_not_in_future"
        assert refused.value.details == {
            "fields": [{"field": "self_exclusion_until", "message": "must be in the future"}]
        }
        assert refused.value.message == "self_exclusion_until must be in the future"
    _check(None, AT + timedelta(microseconds=1))


def test_a_running_exclusion_can_be_extended_never_shortened() -> None:
    current = clock.iso(AT + 2 * HOUR)
    with pytest.raises(Conflict) as refused:
        _check(current, AT + HOUR)
    assert refused.value.code == "self_exclusion_cannot_shorten"
    assert refused.value.details == {"field": "self_exclusion_until", "until": current}
    assert refused.value.message == "the self-exclusion can't be shortened"
    _check(current, AT + 2 * HOUR)  # the same end
    _check(current, AT + 3 * HOUR)
    _check(EARLIER, AT + HOUR)  # an exclusion that is over may be followed by any future one


# ---- apply_rg: limits --------------------------------------------------------------------------------------------


def _rg(current: Player, *brand: Brand, **body: Any) -> tuple[Player, dict[str, Any]]:
    """apply_rg at AT, for the brand given (a USD brand with the default 24 h delay otherwise)."""
    return rules.apply_rg(current, brand[0] if brand else _brand(), RgUpdate.model_validate(body), AT)


def _pending(value: Decimal | int | None, at: str) -> PendingLimit:
    return PendingLimit(value=value, effective_at=at)


TOMORROW = clock.iso(AT + timedelta(hours=24))


@pytest.mark.parametrize(
    ("limits", "pending", "sent", "after_limits", "after_pending", "change"),
    [
        # a first limit applies at once, parsed against the currency (USD: 2 decimal places)
        ({}, {}, "10", {DEPOSIT: Decimal("10.00")}, {}, {"from": None, "to": Decimal("10.00"), "applies": "now"}),
        # zero is a limit (nothing may be deposited), not a refusal
        ({}, {}, "0", {DEPOSIT: Decimal("0.00")}, {}, {"from": None, "to": Decimal("0.00"), "applies": "now"}),
        # stricter: at once, and a looser change still waiting is dropped
        (
            {DEPOSIT: Decimal(20)},
            {DEPOSIT: _pending(Decimal(50), LATER)},
            "10",
            {DEPOSIT: Decimal("10.00")},
            {},
            {"from": Decimal(20), "to": Decimal("10.00"), "applies": "now"},
        ),
        # looser: waits for the brand's delay, the stricter value staying in force until then
        (
            {DEPOSIT: Decimal(10)},
            {},
            "20",
            {DEPOSIT: Decimal(10)},
            {DEPOSIT: _pending(Decimal("20.00"), TOMORROW)},
            {"from": Decimal(10), "to": Decimal("20.00"), "applies": "pending", "effective_at": TOMORROW},
        ),
        # a removal waits too
        (
            {DEPOSIT: Decimal(10)},
            {},
            None,
            {DEPOSIT: Decimal(10)},
            {DEPOSIT: _pending(None, TOMORROW)},
            {"from": Decimal(10), "to": None, "applies": "pending", "effective_at": TOMORROW},
        ),
        # asking for the value in force again cancels the waiting change
        (
            {DEPOSIT: Decimal(10)},
            {DEPOSIT: _pending(Decimal(50), LATER)},
            "10",
            {DEPOSIT: Decimal(10)},
            {},
            {"from": Decimal(10), "to": Decimal("10.00"), "applies": "pending_cancelled"},
        ),
        # a pending raise that matured (not yet settled) is the limit in force: a further raise starts from it
        (
            {DEPOSIT: Decimal(10)},
            {DEPOSIT: _pending(Decimal(20), EARLIER)},
            "30",
            {DEPOSIT: Decimal(20)},
            {DEPOSIT: _pending(Decimal("30.00"), TOMORROW)},
            {"from": Decimal(20), "to": Decimal("30.00"), "applies": "pending", "effective_at": TOMORROW},
        ),
        # a matured removal leaves no limit in force: a new one is a first limit, and the stale pending goes
        (
            {DEPOSIT: Decimal(10)},
            {DEPOSIT: _pending(None, EARLIER)},
            "30",
            {DEPOSIT: Decimal("30.00")},
            {},
            {"from": None, "to": Decimal("30.00"), "applies": "now"},
        ),
    ],
)
def test_limits_stricter_now_looser_after_the_delay(
    limits: dict[str, Decimal],
    pending: dict[str, PendingLimit],
    sent: str | None,
    after_limits: dict[str, Decimal],
    after_pending: dict[str, PendingLimit],
    change: dict[str, Any],
) -> None:
    current = _player(limits={**limits, "loss_daily_limit": Decimal(7)}, pending=pending)
    updated, changes = _rg(current, **{DEPOSIT: sent})
    assert changes == {DEPOSIT: change}
    assert updated.limits == {**after_limits, "loss_daily_limit": Decimal(7)}
    assert updated.pending == after_pending
    _bumped(current, updated)
    assert (updated.status, updated.cooloff_until, updated.self_exclusion_until) == ("active", None, None)


def test_limits_decide_at_the_time_given_not_the_real_clock() -> None:
    # The raise to 20 matured at AT - 1h (years after the real clock): at AT, 20 is in force, so asking for 20
    # changes nothing; decided at the real clock, it would be a raise still waiting.
    current = _player(limits={DEPOSIT: Decimal(10)}, pending={DEPOSIT: _pending(Decimal(20), EARLIER)})
    assert _rg(current, **{DEPOSIT: "20"}) == (current, {})


def test_the_same_limit_again_changes_nothing() -> None:
    current = _player(limits={DEPOSIT: Decimal(10), "session_duration_limit": 60})
    updated, changes = _rg(current, **{DEPOSIT: "10.00", "session_duration_limit": 60})
    assert (updated, changes) == (current, {})
    assert updated is current  # not bumped: nothing to write


def test_a_limit_asked_again_does_not_stop_the_next_ones() -> None:
    # Kills x_apply_rg__mutmut_93 (`continue` -> `break` after an unchanged limit: the limits sent after it
    # in LIMIT_FIELDS' order were dropped).
    current = _player(limits={DEPOSIT: Decimal(10), "loss_daily_limit": Decimal(20)})
    updated, changes = _rg(current, **{DEPOSIT: "10", "loss_daily_limit": "15"})
    assert changes == {"loss_daily_limit": {"from": Decimal(20), "to": Decimal("15.00"), "applies": "now"}}
    assert updated.limits == {DEPOSIT: Decimal(10), "loss_daily_limit": Decimal("15.00")}


def test_removing_a_limit_in_force_only_through_a_matured_pending_change() -> None:
    # Kills x_apply_rg__mutmut_121 (`limits.pop(name)` without its default): the limit in force came from a
    # matured raise not yet settled, so the stored limits do not hold it.
    current = _player(pending={DEPOSIT: _pending(Decimal(20), EARLIER)})
    updated, changes = _rg(current, _brand(rg_increase_delay_hours=0), **{DEPOSIT: None})
    assert changes == {DEPOSIT: {"from": Decimal(20), "to": None, "applies": "now"}}
    assert (updated.limits, updated.pending) == ({}, {})


def test_the_brands_delay_sets_when_a_looser_limit_applies() -> None:
    current = _player(limits={DEPOSIT: Decimal(10), "reality_check_interval": 30})
    updated, changes = _rg(current, _brand(rg_increase_delay_hours=48), **{DEPOSIT: "15.5"})
    effective_at = clock.iso(AT + timedelta(hours=48))
    assert changes[DEPOSIT]["effective_at"] == effective_at
    assert updated.pending == {DEPOSIT: _pending(Decimal("15.50"), effective_at)}
    # no delay: a raise and a removal apply at once
    updated, changes = _rg(
        current, _brand(rg_increase_delay_hours=0), **{DEPOSIT: "15.5", "reality_check_interval": None}
    )
    assert updated.limits == {DEPOSIT: Decimal("15.50")}
    assert updated.pending == {}
    assert changes == {
        DEPOSIT: {"from": Decimal(10), "to": Decimal("15.50"), "applies": "now"},
        "reality_check_interval": {"from": 30, "to": None, "applies": "now"},
    }


def test_minute_limits_are_whole_minutes_not_money() -> None:
    updated, changes = _rg(_player(), session_duration_limit=90)
    assert updated.limits == {"session_duration_limit": 90}
    assert changes == {"session_duration_limit": {"from": None, "to": 90, "applies": "now"}}


@pytest.mark.parametrize(("currency", "amount"), [("USD", "10.001"), ("JPY", "10.5")])
def test_a_money_limit_finer_than_the_currency_is_refused_naming_its_field(currency: str, amount: str) -> None:
    brand = Brand(brand_id=1, tenant_id="ten_p", name="b", currency=currency)
    with pytest.raises(Unprocessable) as refused:
        _rg(_player(), brand, loss_weekly_limit=amount)
    assert refused.value.code == "invalid_amount"
    assert refused.value.details == {"field": "loss_weekly_limit"}


def test_a_refusal_decides_nothing() -> None:
    # The limit comes first in the body but the exclusion's refusal still stops everything (pure: nothing
    # returned), and the fields sent after it are validated too.
    # Kills x_apply_rg__mutmut_35, _36, _51, _52 (the `what` of each field: the refusal's code).
    current = _player(self_exclusion_until=LATER)
    with pytest.raises(Conflict) as refused:
        _rg(current, **{DEPOSIT: "5", "self_exclusion_until": None})
    assert refused.value.code == "self_exclusion_in_force"
    with pytest.raises(Conflict) as refused:
        _rg(current, self_exclusion_until=AT + timedelta(minutes=30))
    assert refused.value.code == "self_exclusion_cannot_shorten"
    with pytest.raises(Conflict) as refused:
        _rg(_player(cooloff_until=LATER), cooloff_until=None)
    assert refused.value.code == "cooloff_in_force"


# ---- apply_rg: cool-off and self-exclusion ---------------------------------------------------------------------


def test_a_cooloff_applies_at_once_and_leaves_the_status() -> None:
    until = AT + 2 * HOUR
    current = _player()
    updated, changes = _rg(current, cooloff_until=until.isoformat())
    assert changes == {"cooloff_until": {"from": None, "to": clock.iso(until), "applies": "now"}}
    assert (updated.cooloff_until, updated.status, updated.status_from_exclusion) == (
        clock.iso(until),
        "active",
        False,
    )
    assert updated.self_exclusion_until is None
    _bumped(current, updated)


@pytest.mark.parametrize(("status", "after"), [("active", "self_excluded"), ("affordability_review", "self_excluded")])
def test_a_self_exclusion_replaces_a_status_that_lets_the_player_bet(status: str, after: str) -> None:
    until = AT + 2 * HOUR
    current = _player(status=status)
    updated, changes = _rg(current, self_exclusion_until=until.isoformat())
    assert changes == {"self_exclusion_until": {"from": None, "to": clock.iso(until), "applies": "now"}}
    assert (updated.self_exclusion_until, updated.status, updated.status_from_exclusion) == (
        clock.iso(until),
        after,
        True,
    )
    assert updated.cooloff_until is None
    _bumped(current, updated)


@pytest.mark.parametrize("status", ["suspended", "fraud_hold", "withdrawal_hold", "closed"])
def test_a_self_exclusion_leaves_a_status_that_blocks_betting(status: str) -> None:
    current = _player(status=status)
    updated, _ = _rg(current, self_exclusion_until=(AT + HOUR).isoformat())
    assert (updated.status, updated.status_from_exclusion) == (status, False)
    updated, _ = _rg(current, self_exclusion_permanent=True)
    assert (updated.status, updated.status_from_exclusion, updated.self_exclusion_permanent) == (status, False, True)


def test_an_exclusion_that_is_over_is_cleared_without_excluding() -> None:
    current = _player(self_exclusion_until=EARLIER, cooloff_until=EARLIER)
    updated, changes = _rg(current, self_exclusion_until=None, cooloff_until=None)
    assert changes == {
        "cooloff_until": {"from": EARLIER, "to": None, "applies": "now"},
        "self_exclusion_until": {"from": EARLIER, "to": None, "applies": "now"},
    }
    assert (updated.self_exclusion_until, updated.cooloff_until, updated.status) == (None, None, "active")
    _bumped(current, updated)


def test_the_same_end_again_changes_nothing() -> None:
    current = _player(self_exclusion_until=LATER, cooloff_until=LATER)
    same = (AT + HOUR).isoformat()
    assert _rg(current, self_exclusion_until=same, cooloff_until=same) == (current, {})


def test_a_cooloff_sent_again_does_not_stop_the_exclusion() -> None:
    # Kills x_apply_rg__mutmut_164 (`continue` -> `break` after an unchanged cool-off: the self-exclusion
    # sent with it was dropped).
    current = _player(cooloff_until=LATER)
    updated, changes = _rg(current, cooloff_until=(AT + HOUR).isoformat(), self_exclusion_until=AT + 2 * HOUR)
    assert changes == {
        "self_exclusion_until": {"from": None, "to": clock.iso(AT + 2 * HOUR), "applies": "now"},
    }
    assert (updated.cooloff_until, updated.self_exclusion_until) == (LATER, clock.iso(AT + 2 * HOUR))
    assert updated.status == "self_excluded"


def test_an_extension_moves_the_end() -> None:
    current = _player(status="self_excluded", status_from_exclusion=True, self_exclusion_until=LATER)
    updated, changes = _rg(current, self_exclusion_until=(AT + 3 * HOUR).isoformat())
    assert changes == {"self_exclusion_until": {"from": LATER, "to": clock.iso(AT + 3 * HOUR), "applies": "now"}}
    assert (updated.status, updated.status_from_exclusion) == ("self_excluded", True)


def test_a_permanent_self_exclusion_is_set_once_and_never_cleared() -> None:
    current = _player()
    updated, changes = _rg(current, self_exclusion_permanent=True)
    assert changes == {"self_exclusion_permanent": {"from": False, "to": True, "applies": "now"}}
    assert (updated.self_exclusion_permanent, updated.status, updated.status_from_exclusion) == (
        True,
        "self_excluded",
        True,
    )
    _bumped(current, updated)
    assert _rg(updated, self_exclusion_permanent=True) == (updated, {})  # already permanent
    assert _rg(current, self_exclusion_permanent=False) == (current, {})  # nothing to clear
    with pytest.raises(Conflict) as refused:
        _rg(updated, self_exclusion_permanent=False)
    assert refused.value.code == "self_exclusion_permanent"
    assert refused.value.details == {"field": "self_exclusion_permanent"}
    assert refused.value.message == "a permanent self-exclusion can't be cleared through the API"
    # Not sending the flag leaves it alone: a permanent player may still change a limit.
    limited, changes = _rg(updated, **{DEPOSIT: "5"})
    assert limited.self_exclusion_permanent is True
    assert list(changes) == [DEPOSIT]


# ---- kyc_decision, audited_fields, change_tags ----------------------------------------------------------------


def test_kyc_is_approved_only_with_a_date_of_birth() -> None:
    with pytest.raises(Unprocessable) as refused:
        rules.kyc_decision(_player(), "approved")
    assert refused.value.code == "date_of_birth_required"
    assert refused.value.details == {"fields": [{"field": "date_of_birth", "message": "required to approve KYC"}]}
    assert refused.value.message == "KYC can't be approved for a player without a date of birth: upsert it first"
    rules.kyc_decision(_player(date_of_birth=date(1990, 1, 1)), "approved")
    for other in ("pending", "rejected", "none", None):
        rules.kyc_decision(_player(), other)


def test_audited_fields_record_every_decision_sent_even_a_confirmation() -> None:
    current = _player(kyc_status="pending", risk_band="high")
    updated, changes = rules.audited_fields(
        current, AT, {"kyc_status": "approved", "risk_band": "high", "is_pep": None}
    )
    assert changes == {
        "kyc_status": {"from": "pending", "to": "approved"},
        "risk_band": {"from": "high", "to": "high"},
    }
    assert (updated.kyc_status, updated.risk_band, updated.is_pep) == ("approved", "high", False)
    _bumped(current, updated)


def _tags(current: list[str], add: list[str] = [], remove: list[str] = []) -> tuple[list[str], ...]:  # noqa: B006
    return rules.change_tags(_player(tags=current), TagsChange(add=add, remove=remove))


def test_tags_are_case_insensitive_and_keep_the_first_spelling() -> None:
    assert _tags(["VIP", "slots"], add=["vip", "New", "NEW"], remove=["SLOTS", "absent"]) == (
        ["VIP", "New"],
        ["New"],
        ["slots"],
    )
    assert _tags(["VIP"], add=["vip"]) == (["VIP"], [], [])


def test_at_most_max_tags_once_something_changes() -> None:
    full = [f"t{i}" for i in range(rules.MAX_TAGS - 1)]
    assert len(_tags(full, add=["last"])[0]) == rules.MAX_TAGS == 50
    with pytest.raises(Unprocessable) as refused:
        _tags(full, add=["one", "two"])
    assert refused.value.code == "too_many_tags"
    assert refused.value.message == "a player can carry at most 50 tags"
    # A player already over the cap (an older, looser rule) is not refused for a request that changes nothing,
    # and may remove tags back under it; a removal that still leaves too many is refused.
    over = [f"t{i}" for i in range(rules.MAX_TAGS + 1)]
    assert _tags(over, remove=["absent"]) == (over, [], [])
    assert _tags(over, add=["T0"]) == (over, [], [])
    assert _tags(over, remove=["t0"]) == (over[1:], [], ["t0"])
    with pytest.raises(Unprocessable):
        _tags([*over, "t99"], remove=["t0"])


# ---- settle: expiries -------------------------------------------------------------------------------------------


def test_nothing_due_settles_nothing() -> None:
    current = _player(
        limits={DEPOSIT: Decimal(10)},
        pending={DEPOSIT: _pending(Decimal(20), LATER)},
        cooloff_until=LATER,
        self_exclusion_until=LATER,
    )
    assert rules.settle(current, BrandSettings(), AT) == (current, [])
    permanent = _player(status="self_excluded", self_exclusion_permanent=True, self_exclusion_until=EARLIER)
    auto = BrandSettings(self_exclusion_reinstatement="automatic")
    assert rules.settle(permanent, auto, AT) == (permanent, [])  # never lifted


def test_pending_limits_apply_at_their_instant() -> None:
    current = _player(
        limits={DEPOSIT: Decimal(10), "loss_daily_limit": Decimal(5), "wager_daily_limit": Decimal(3)},
        pending={
            DEPOSIT: _pending(Decimal(20), NOW),  # due exactly now
            "loss_daily_limit": _pending(None, EARLIER),  # a removal
            "session_duration_limit": _pending(60, EARLIER),  # a limit with none before
            "wager_daily_limit": _pending(Decimal(9), LATER),  # not yet
        },
    )
    settled, events = rules.settle(current, BrandSettings(), AT)
    assert settled.limits == {DEPOSIT: Decimal(20), "wager_daily_limit": Decimal(3), "session_duration_limit": 60}
    assert settled.pending == {"wager_daily_limit": _pending(Decimal(9), LATER)}
    assert events == [
        (
            "rg_pending_applied",
            {
                "changes": {
                    DEPOSIT: {"from": Decimal(10), "to": Decimal(20), "effective_at": NOW},
                    "loss_daily_limit": {"from": Decimal(5), "to": None, "effective_at": EARLIER},
                    "session_duration_limit": {"from": None, "to": 60, "effective_at": EARLIER},
                }
            },
        )
    ]
    _bumped(current, settled)
    assert current.limits[DEPOSIT] == Decimal(10)  # the player as read is untouched


def test_a_matured_removal_of_a_limit_not_stored_settles() -> None:
    # Kills x_settle__mutmut_15 (`limits.pop(name)` without its default): a removal waiting for a limit the
    # stored limits do not hold (apply_rg never writes one, but a hand-edited or older item may) settles
    # instead of raising KeyError.
    current = _player(pending={DEPOSIT: _pending(None, EARLIER)})
    settled, events = rules.settle(current, BrandSettings(), AT)
    assert (settled.limits, settled.pending) == ({}, {})
    assert events == [
        ("rg_pending_applied", {"changes": {DEPOSIT: {"from": None, "to": None, "effective_at": EARLIER}}})
    ]


def test_a_cooloff_ends_at_its_instant() -> None:
    current = _player(cooloff_until=NOW, self_exclusion_until=LATER)
    settled, events = rules.settle(current, BrandSettings(), AT)
    assert events == [("cooloff_ended", {"cooloff_until": NOW})]
    assert (settled.cooloff_until, settled.self_exclusion_until) == (None, LATER)
    _bumped(current, settled)


@pytest.mark.parametrize(
    ("reinstatement", "status", "from_exclusion", "after"),
    [
        ("automatic", "self_excluded", True, "active"),  # the exclusion's own status is lifted
        ("on_request", "self_excluded", True, "self_excluded"),
        ("automatic", "self_excluded", False, "self_excluded"),  # an operator's self_excluded stays
        ("automatic", "suspended", True, "suspended"),
        ("automatic", "active", False, "active"),
    ],
)
def test_a_self_exclusion_ends_at_its_instant(
    reinstatement: Any, status: str, from_exclusion: bool, after: str
) -> None:
    current = _player(status=status, status_from_exclusion=from_exclusion, self_exclusion_until=NOW)
    settled, events = rules.settle(current, BrandSettings(self_exclusion_reinstatement=reinstatement), AT)
    data: dict[str, Any] = {"self_exclusion_until": NOW, "reinstatement": reinstatement}
    if after != status:
        data["status"] = {"from": status, "to": after}
    assert events == [("self_exclusion_ended", data)]
    assert (settled.self_exclusion_until, settled.status) == (None, after)
    assert settled.status_from_exclusion is (from_exclusion and after == status)
    _bumped(current, settled)


def test_every_expiry_due_is_settled_in_one_change() -> None:
    current = _player(
        status="self_excluded",
        status_from_exclusion=True,
        pending={DEPOSIT: _pending(Decimal(20), EARLIER)},
        cooloff_until=EARLIER,
        self_exclusion_until=EARLIER,
    )
    settled, events = rules.settle(current, BrandSettings(self_exclusion_reinstatement="automatic"), AT)
    assert [kind for kind, _ in events] == ["rg_pending_applied", "cooloff_ended", "self_exclusion_ended"]
    assert (settled.limits, settled.pending, settled.cooloff_until, settled.self_exclusion_until) == (
        {DEPOSIT: Decimal(20)},
        {},
        None,
        None,
    )
    assert (settled.status, settled.status_from_exclusion) == ("active", False)
    _bumped(current, settled)
