"""Dossier writes (status, RG, KYC, flags, tags, notes) and the timeline, on moto and on DynamoDB Local."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from pitboss import clock, keys, store, tenancy
from pitboss.errors import Conflict, IdempotencyConflict, NotFound, Unprocessable
from tests.dossier_support import (
    SAMPLE,
    T0,
    WRITES,
    dossier_of,
    events,
    new_player,
    principal,
    profile,
    timeline,
    write,
)
from tests.support import at, make_tenant, unique

HOUR = timedelta(hours=1)


def _setup(*brands: tuple[str, str]) -> tuple[tenancy.Principal, str]:
    at(T0)
    t = make_tenant(*brands)
    who = principal(t.live_key)
    # A date of birth, as seed 000 requires for KYC: the sample KYC write approves.
    return who, new_player(who, date_of_birth="1990-01-01")["user_id"]


# ---- RG limits ---------------------------------------------------------------------------------


def test_first_limit_and_decrease_apply_at_once(table: str) -> None:
    who, uid = _setup()
    player = write(who, "rg", uid, {"deposit_daily_limit": 250, "session_duration_limit": 120}).body["player"]
    assert player["rg"]["deposit_daily_limit"] == 250 and player["rg"]["session_duration_limit"] == 120
    assert player["rg"]["pending"] == {}
    player = write(who, "rg", uid, {"deposit_daily_limit": Decimal("100.50")}).body["player"]
    assert player["rg"]["deposit_daily_limit"] == 100.5 and player["rg"]["pending"] == {}
    # partial: the field not sent is untouched
    assert player["rg"]["session_duration_limit"] == 120
    assert dossier_of(who, uid)["rg"]["deposit_daily_limit"] == 100.5


def test_increase_waits_24h_while_the_stricter_value_stays_in_force(table: str) -> None:
    who, uid = _setup()
    write(who, "rg", uid, {"loss_weekly_limit": 100})
    at(T0 + HOUR)
    player = write(who, "rg", uid, {"loss_weekly_limit": 500}).body["player"]
    due = T0 + HOUR + timedelta(hours=24)
    assert player["rg"]["loss_weekly_limit"] == 100
    assert player["rg"]["pending"] == {"loss_weekly_limit": {"value": 500, "effective_at": clock.iso(due)}}
    at(due - timedelta(seconds=1))
    assert dossier_of(who, uid)["rg"]["loss_weekly_limit"] == 100
    at(due)
    rg = dossier_of(who, uid)["rg"]
    assert rg["loss_weekly_limit"] == 500 and rg["pending"] == {}


def test_clear_then_wait(table: str) -> None:
    who, uid = _setup()
    write(who, "rg", uid, {"wager_daily_limit": 300})
    player = write(who, "rg", uid, {"wager_daily_limit": None}).body["player"]
    assert player["rg"]["wager_daily_limit"] == 300
    assert player["rg"]["pending"]["wager_daily_limit"]["value"] is None
    at(T0 + timedelta(hours=23, minutes=59))
    assert dossier_of(who, uid)["rg"]["wager_daily_limit"] == 300
    at(T0 + timedelta(hours=24))
    rg = dossier_of(who, uid)["rg"]
    assert rg.get("wager_daily_limit") is None and rg["pending"] == {}


def test_asking_for_the_value_in_force_cancels_a_pending_increase(table: str) -> None:
    who, uid = _setup()
    write(who, "rg", uid, {"deposit_daily_limit": 50})
    write(who, "rg", uid, {"deposit_daily_limit": 500})
    player = write(who, "rg", uid, {"deposit_daily_limit": 50}).body["player"]
    assert player["rg"]["pending"] == {} and player["rg"]["deposit_daily_limit"] == 50
    at(T0 + timedelta(days=2))
    assert dossier_of(who, uid)["rg"]["deposit_daily_limit"] == 50
    assert events(who, uid)[-1]["data"]["changes"]["deposit_daily_limit"]["applies"] == "pending_cancelled"


def test_the_brand_sets_the_delay(table: str) -> None:
    at(T0)
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"rg_increase_delay_hours": 72})
    who = principal(t.live_key)
    uid = new_player(who)["user_id"]
    write(who, "rg", uid, {"deposit_weekly_limit": 10})
    pending = write(who, "rg", uid, {"deposit_weekly_limit": 20}).body["player"]["rg"]["pending"]
    assert pending["deposit_weekly_limit"]["effective_at"] == clock.iso(T0 + timedelta(hours=72))


def test_money_limits_respect_the_currency_minor_units(table: str) -> None:
    who, uid = _setup(("KR", "KRW"))
    with pytest.raises(Unprocessable) as err:
        write(who, "rg", uid, {"deposit_daily_limit": Decimal("10.5")})
    assert err.value.code == "invalid_amount"
    assert write(who, "rg", uid, {"deposit_daily_limit": 0}).body["player"]["rg"]["deposit_daily_limit"] == 0
    usd, uid2 = _setup()
    with pytest.raises(Unprocessable):
        write(usd, "rg", uid2, {"loss_daily_limit": Decimal("1.005")})
    for bad in ({"loss_daily_limit": -1}, {"session_duration_limit": 0}, {"session_duration_limit": 1.5}, {}):
        with pytest.raises(ValidationError):
            write(usd, "rg", uid2, bad)
    assert events(usd, uid2)[-1]["type"] == "player_created"


def test_rg_changes_are_on_the_timeline_with_the_actor(table: str) -> None:
    who, uid = _setup()
    write(who, "rg", uid, {"deposit_daily_limit": 25, "reason": "player asked"})
    event = events(who, uid)[-1]
    assert event["type"] == "rg_changed" and event["actor"] == who.actor
    assert event["data"]["changes"]["deposit_daily_limit"]["applies"] == "now"
    assert event["data"]["reason"] == "player asked"


# ---- cool-off and self-exclusion ---------------------------------------------------------------


def test_cooloff_starts_at_once_and_cannot_be_shortened_or_cleared(table: str) -> None:
    who, uid = _setup()
    until = T0 + timedelta(days=7)
    player = write(who, "rg", uid, {"cooloff_until": until.isoformat()}).body["player"]
    assert player["status"] == "active" and player["rg"]["cooloff_active"] is True
    for body, code in [
        ({"cooloff_until": (until - HOUR).isoformat()}, "cooloff_cannot_shorten"),
        ({"cooloff_until": None}, "cooloff_in_force"),
    ]:
        with pytest.raises(Conflict) as err:
            write(who, "rg", uid, body)
        assert err.value.code == code
    # a cool-off is not a status: setting one (active included) is allowed and the cool-off still blocks
    player = write(who, "status", uid, {"status": "suspended", "reason": "review"}).body["player"]
    player = write(who, "status", uid, {"status": "active", "reason": "review done"}).body["player"]
    assert player["status"] == "active" and player["rg"]["cooloff_active"] is True
    # extending is stricter, so allowed
    longer = write(who, "rg", uid, {"cooloff_until": (until + HOUR).isoformat()}).body["player"]
    assert longer["rg"]["cooloff_until"] == clock.iso(until + HOUR)
    with pytest.raises(Unprocessable):
        write(who, "rg", uid, {"self_exclusion_until": (T0 - HOUR).isoformat()})
    # read-time: once the time has passed the cool-off is over, scheduler or not
    at(until + 2 * HOUR)
    assert dossier_of(who, uid)["rg"]["cooloff_active"] is False


def test_self_exclusion_sets_status_and_blocks_reactivation_until_it_ends(table: str) -> None:
    who, uid = _setup()
    until = T0 + timedelta(days=30)
    player = write(who, "rg", uid, {"self_exclusion_until": until.isoformat()}).body["player"]
    assert player["status"] == "self_excluded" and player["rg"]["self_exclusion_active"] is True
    assert events(who, uid)[-1]["data"]["status"] == {"from": "active", "to": "self_excluded"}
    for body, code in [
        ({"self_exclusion_until": (until - HOUR).isoformat()}, "self_exclusion_cannot_shorten"),
        ({"self_exclusion_until": None}, "self_exclusion_in_force"),
    ]:
        with pytest.raises(Conflict) as err:
            write(who, "rg", uid, body)
        assert err.value.code == code
    with pytest.raises(Conflict) as err:
        write(who, "status", uid, {"status": "active", "reason": "player asked"})
    assert err.value.code == "self_exclusion_in_force"
    at(until + HOUR)
    back = write(who, "status", uid, {"status": "active", "reason": "player asked, exclusion over"})
    assert back.body["player"]["status"] == "active"


def test_permanent_self_exclusion_is_irreversible_through_the_api(table: str) -> None:
    who, uid = _setup()
    player = write(who, "rg", uid, {"self_exclusion_permanent": True}).body["player"]
    assert player["status"] == "self_excluded" and player["rg"]["self_exclusion_permanent"] is True
    at(T0 + timedelta(days=3650))
    refusals = [
        ("status", {"status": "active", "reason": "asked"}),
        ("rg", {"self_exclusion_permanent": False}),
        ("rg", {"self_exclusion_permanent": None}),
    ]
    for name, body in refusals:
        with pytest.raises(Conflict) as err:
            write(who, name, uid, body)
        assert err.value.code == "self_exclusion_permanent"
    state = dossier_of(who, uid)
    assert state["status"] == "self_excluded" and state["rg"]["self_exclusion_active"] is True
    # a stricter status stays possible, and the exclusion still blocks under it
    closed = write(who, "status", uid, {"status": "closed", "reason": "account closed"}).body["player"]
    assert closed["rg"]["self_exclusion_permanent"] is True


# ---- status, KYC, flags, tags, notes -----------------------------------------------------------


def test_status_change_records_actor_old_new_and_reason(table: str) -> None:
    who, uid = _setup()
    player = write(who, "status", uid, {"status": "fraud_hold", "reason": "velocity rule triggered"}).body["player"]
    assert player["status"] == "fraud_hold"
    event = events(who, uid)[-1]
    assert event["type"] == "status_changed" and event["actor"] == f"key:{who.key_id}"
    assert event["data"] == {"from": "active", "to": "fraud_hold", "reason": "velocity rule triggered"}
    with pytest.raises(ValidationError):
        write(who, "status", uid, {"status": "active"})  # the reason is required
    with pytest.raises(ValidationError):
        write(who, "status", uid, {"status": "vacation", "reason": "x"})


def test_kyc_flags_tags_and_notes(table: str) -> None:
    who, uid = _setup()
    player = write(who, "kyc", uid, {"kyc_status": "approved", "kyc_level": 2, "reason": "passport"}).body["player"]
    assert (player["kyc_status"], player["kyc_level"]) == ("approved", 2)
    player = write(who, "flags", uid, {"risk_band": "high", "is_sanctioned": True, "reason": "hit"}).body["player"]
    assert (player["risk_band"], player["is_pep"], player["is_sanctioned"]) == ("high", False, True)
    player = write(who, "tags", uid, {"add": ["vip", "whale"]}).body["player"]
    assert player["tags"] == ["vip", "whale"]
    player = write(who, "tags", uid, {"add": ["VIP", "new"], "remove": ["whale"]}).body["player"]
    assert player["tags"] == ["vip", "new"]
    note = write(who, "notes", uid, {"text": "called about a deposit"})
    assert note.status == 201 and note.body["event"]["type"] == "note_added"
    for bad in ({"kyc_level": 4, "reason": "x"}, {"kyc_status": "approved"}):
        with pytest.raises(ValidationError):
            write(who, "kyc", uid, bad)
    types = [e["type"] for e in events(who, uid)]
    assert types == ["player_created", "kyc_updated", "flags_updated", "tags_changed", "tags_changed", "note_added"]
    kyc = events(who, uid)[1]["data"]
    assert kyc["changes"]["kyc_status"] == {"from": "none", "to": "approved"} and kyc["reason"] == "passport"


def test_a_tag_no_op_writes_nothing(table: str) -> None:
    who, uid = _setup()
    write(who, "tags", uid, {"add": ["vip"]})
    again = write(who, "tags", uid, {"add": ["vip"], "remove": ["absent"]})
    assert again.status == 200 and again.body["player"]["tags"] == ["vip"]
    assert [e["type"] for e in events(who, uid)] == ["player_created", "tags_changed"]


# ---- timeline ----------------------------------------------------------------------------------


def test_timeline_is_newest_first_and_pages_with_an_opaque_cursor(table: str) -> None:
    who, uid = _setup()
    for i in range(5):
        at(T0 + i * HOUR)
        write(who, "notes", uid, {"text": f"note {i}"})
    first = timeline(who, uid, limit=2)
    assert [e["data"]["text"] for e in first["events"]] == ["note 4", "note 3"]
    assert set(first["events"][0]) == {"id", "type", "at", "actor", "data"}
    assert "EVT#" not in first["next_cursor"]
    second = timeline(who, uid, limit=2, cursor=first["next_cursor"])
    third = timeline(who, uid, limit=2, cursor=second["next_cursor"])
    assert [e["data"]["text"] for e in second["events"]] == ["note 2", "note 1"]
    assert [e["data"].get("text") for e in third["events"]] == ["note 0", None]
    assert third["next_cursor"] is None


def test_a_cursor_cannot_address_another_player_or_tenant(table: str) -> None:
    who, uid = _setup()
    other_uid = new_player(who)["user_id"]
    for _ in range(3):
        write(who, "notes", uid, {"text": "x"})
    cursor = timeline(who, uid, limit=1)["next_cursor"]
    for bad in (cursor[:-2], "not-a-cursor", "e30"):
        with pytest.raises(Unprocessable) as err:
            timeline(who, uid, cursor=bad)
        assert err.value.code == "invalid_cursor"
    with pytest.raises(Unprocessable):
        timeline(who, other_uid, cursor=cursor)
    stranger = principal(make_tenant().live_key)
    with pytest.raises(NotFound):
        timeline(stranger, uid, cursor=cursor)


# ---- idempotency, atomicity, isolation ---------------------------------------------------------


@pytest.mark.parametrize("name", list(WRITES))
def test_replayed_writes_are_deduped_with_one_event(table: str, name: str) -> None:
    who, uid = _setup()
    key = unique("idem-")
    first = write(who, name, uid, SAMPLE[name], key)
    again = write(who, name, uid, SAMPLE[name], key)
    assert again.deduped and again.status == 200 and again.body == first.body
    assert again.response_body()["deduped"] is True
    assert len(events(who, uid)) == 2  # player_created + exactly one
    with pytest.raises(IdempotencyConflict):
        write(who, name, uid, {**SAMPLE[name], **_other(name)}, key)


def _other(name: str) -> dict[str, object]:
    return {
        "status": {"status": "closed"},
        "rg": {"deposit_daily_limit": 99},
        "kyc": {"kyc_level": 3},
        "flags": {"risk_band": "low"},
        "tags": {"add": ["other"]},
        "notes": {"text": "other"},
    }[name]


@pytest.mark.parametrize("name", list(WRITES))
def test_a_crash_between_decide_and_write_leaves_nothing(
    table: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    who, uid = _setup()
    before = profile(who, uid)
    real = store.transact
    calls = {"n": 0}

    def crash_once(ops: list[store.Op]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("lambda died before the commit")
        real(ops)

    monkeypatch.setattr(store, "transact", crash_once)
    key = unique("crash-")
    with pytest.raises(RuntimeError):
        write(who, name, uid, SAMPLE[name], key)
    assert profile(who, uid) == before
    assert [e["type"] for e in events(who, uid)] == ["player_created"]
    assert store.get(keys.idempotency_pk(who.realm, key), "IDEM") is None
    # the retry with the same key does the work once
    assert write(who, name, uid, SAMPLE[name], key).status in (200, 201)
    assert len(events(who, uid)) == 2


@pytest.mark.parametrize("name", list(WRITES))
def test_other_tenant_and_other_mode_get_404(table: str, name: str) -> None:
    at(T0)
    t = make_tenant()
    mine = principal(t.live_key)
    player = new_player(mine)
    for who in (principal(t.test_key), principal(make_tenant().live_key)):
        for ref in (player["user_id"], player["username"]):
            with pytest.raises(NotFound):
                write(who, name, ref, SAMPLE[name])
            with pytest.raises(NotFound):
                timeline(who, ref)
    assert [e["type"] for e in events(mine, player["user_id"])] == ["player_created"]


def test_a_lost_race_is_decided_again_on_fresh_state(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another write lands between our read and our commit: the version check fails and we re-decide."""
    who, uid = _setup()
    write(who, "rg", uid, {"deposit_daily_limit": 100})
    real = store.transact
    raced = {"done": False}

    def interleave(ops: list[store.Op]) -> None:
        if not raced["done"]:
            raced["done"] = True
            real_ops = ops
            monkeypatch.setattr(store, "transact", real)
            write(who, "rg", uid, {"deposit_daily_limit": 40})  # the other writer wins
            monkeypatch.setattr(store, "transact", interleave)
            real(real_ops)  # ours now fails its version condition
            return
        real(ops)

    monkeypatch.setattr(store, "transact", interleave)
    result = write(who, "rg", uid, {"deposit_daily_limit": 60}).body["player"]["rg"]
    # decided again against 40: 60 is an increase, so it waits
    assert result["deposit_daily_limit"] == 40 and result["pending"]["deposit_daily_limit"]["value"] == 60


# ---- age gate ----------------------------------------------------------------------------------


def test_age_gate_is_in_the_dossier(table: str) -> None:
    at(T0)
    t = make_tenant()
    who = principal(t.live_key)
    seventeen = date(T0.year - 18, T0.month, T0.day) + timedelta(days=1)
    minor = new_player(who, date_of_birth=seventeen.isoformat())
    assert minor["age_verified"] is False
    assert new_player(who, date_of_birth="1990-01-01")["age_verified"] is True
    assert new_player(who)["age_verified"] is True  # no DOB and the brand doesn't require one
    at(T0 + timedelta(days=1))
    assert dossier_of(who, minor["user_id"])["age_verified"] is True  # the 18th birthday
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"require_date_of_birth": True, "min_age": 21})
    strict = principal(t.live_key)
    assert dossier_of(strict, minor["user_id"])["age_verified"] is False
    assert new_player(strict)["age_verified"] is False


def test_round_trips_of_a_write_a_replay_and_a_timeline_page(table: str) -> None:
    who, uid = _setup()
    store.round_trips.count = 0
    write(who, "rg", uid, {"deposit_daily_limit": 10}, "rt-1")
    assert store.round_trips.count == 2  # one BatchGetItem (profile + record), one TransactWriteItems
    store.round_trips.count = 0
    assert write(who, "rg", uid, {"deposit_daily_limit": 10}, "rt-1").deduped
    assert store.round_trips.count == 1
    store.round_trips.count = 0
    timeline(who, uid)
    assert store.round_trips.count == 2  # profile (brand visibility) + one Query


# ---- review findings: status moves under an exclusion, kept holds, `Until` bounds, no-op records --


def test_no_status_that_lets_a_player_bet_while_a_self_exclusion_is_in_force(table: str) -> None:
    """Finding 3: leaving self_excluded for affordability_review (or active) while excluded is refused."""
    who, uid = _setup()
    until = T0 + timedelta(days=30)
    write(who, "rg", uid, {"self_exclusion_until": until.isoformat()})
    for status in ("affordability_review", "active"):
        with pytest.raises(Conflict) as err:
            write(who, "status", uid, {"status": status, "reason": "operator"})
        assert err.value.code == "self_exclusion_in_force"
    assert dossier_of(who, uid)["status"] == "self_excluded"
    # a hold that blocks betting can still be imposed (e.g. to block withdrawals); the exclusion stays
    held = write(who, "status", uid, {"status": "aml_hold", "reason": "source of funds"}).body["player"]
    assert held["status"] == "aml_hold" and held["rg"]["self_exclusion_active"] is True
    with pytest.raises(Conflict) as err:  # a kept hold can't be swapped for a betting status either
        write(who, "status", uid, {"status": "affordability_review", "reason": "operator"})
    assert err.value.code == "self_exclusion_in_force"
    # once it has ended, leaving the hold is the operator's (audited) reinstatement decision
    at(until + HOUR)
    back = write(who, "status", uid, {"status": "affordability_review", "reason": "player asked to return"})
    assert back.body["player"]["status"] == "affordability_review"


def test_a_permanent_exclusion_allows_only_statuses_that_block_betting(table: str) -> None:
    who, uid = _setup()
    write(who, "rg", uid, {"self_exclusion_permanent": True})
    at(T0 + timedelta(days=3650))
    for status in ("affordability_review", "active"):
        with pytest.raises(Conflict) as err:
            write(who, "status", uid, {"status": status, "reason": "operator"})
        assert err.value.code == "self_exclusion_permanent"
    held = write(who, "status", uid, {"status": "withdrawal_hold", "reason": "chargeback"}).body["player"]
    assert held["rg"]["self_exclusion_permanent"] is True and held["rg"]["self_exclusion_active"] is True
    with pytest.raises(Conflict):
        write(who, "status", uid, {"status": "affordability_review", "reason": "operator"})
    assert write(who, "status", uid, {"status": "self_excluded", "reason": "x"}).body["player"]["status"] == (
        "self_excluded"
    )


@pytest.mark.parametrize("status", ["aml_hold", "fraud_hold", "withdrawal_hold", "suspended", "closed"])
def test_a_self_exclusion_keeps_a_hold_or_closed_status(table: str, status: str) -> None:
    """Finding 4: the exclusion never overwrites a status that already blocks betting."""
    who, uid = _setup()
    write(who, "status", uid, {"status": status, "reason": "compliance"})
    for body in ({"self_exclusion_until": (T0 + timedelta(days=30)).isoformat()}, {"self_exclusion_permanent": True}):
        player = write(who, "rg", uid, body).body["player"]
        assert player["status"] == status and player["rg"]["self_exclusion_active"] is True
        assert "status" not in events(who, uid)[-1]["data"]
    assert profile(who, uid)["status_from_exclusion"] is False


def test_a_self_exclusion_replaces_a_status_that_lets_the_player_bet(table: str) -> None:
    who, uid = _setup()
    write(who, "status", uid, {"status": "affordability_review", "reason": "documents"})
    player = write(who, "rg", uid, {"self_exclusion_until": (T0 + timedelta(days=7)).isoformat()}).body["player"]
    assert player["status"] == "self_excluded"
    assert events(who, uid)[-1]["data"]["status"] == {"from": "affordability_review", "to": "self_excluded"}
    assert profile(who, uid)["status_from_exclusion"] is True
    write(who, "status", uid, {"status": "self_excluded", "reason": "player asked by phone"})
    assert profile(who, uid)["status_from_exclusion"] is False  # now an operator decision


@pytest.mark.parametrize("field", ["self_exclusion_until", "cooloff_until"])
def test_until_is_bounded(table: str, field: str) -> None:
    """Finding 6: an instant that can't be converted to UTC, or absurdly far ahead, is a 422, never a 500."""
    who, uid = _setup()
    for bad in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", (T0 + timedelta(days=101 * 366)).isoformat()):
        with pytest.raises(ValidationError):
            write(who, "rg", uid, {field: bad})
    ok = (T0 + timedelta(days=99 * 365)).replace(microsecond=0)
    player = write(who, "rg", uid, {field: ok.isoformat().replace("+00:00", "-05:00")}).body["player"]
    assert player["rg"][field] == clock.iso(ok + timedelta(hours=5))
    assert [e["type"] for e in events(who, uid)] == ["player_created", "rg_changed"]


@pytest.mark.parametrize(
    ("name", "body", "meanwhile", "after"),
    [
        ("rg", {"deposit_daily_limit": 100}, {"deposit_daily_limit": 50}, {"deposit_daily_limit": 50, "pending": {}}),
        ("tags", {"add": ["vip"]}, None, {"tags": []}),
    ],
)
def test_a_no_op_write_is_recorded_so_its_retry_is_a_replay(
    table: str, name: str, body: dict[str, object], meanwhile: dict[str, object] | None, after: dict[str, object]
) -> None:
    """Finding 11: a retry of a no-op arriving after someone else's change must not apply for real."""
    who, uid = _setup()
    write(who, name, uid, body)
    key = unique("noop-")
    first = write(who, name, uid, body, key)  # nothing to change: still answered and recorded
    assert first.status == 200 and not first.deduped
    assert store.get(keys.idempotency_pk(who.realm, key), "IDEM") is not None
    if meanwhile is not None:
        write(who, name, uid, meanwhile)
    else:
        write(who, "tags", uid, {"remove": ["vip"]})
    count = len(events(who, uid))
    again = write(who, name, uid, body, key)
    assert again.deduped and again.body == first.body
    assert len(events(who, uid)) == count
    state = dossier_of(who, uid)
    for field, value in after.items():
        assert (state["rg"] if field in ("deposit_daily_limit", "pending") else state)[field] == value


def test_a_no_op_is_decided_again_when_the_profile_changed_before_its_commit(
    table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorded no-op is guarded by the profile version: a change in between makes it re-decide."""
    who, uid = _setup()
    write(who, "rg", uid, {"deposit_daily_limit": 100})
    real = store.transact
    raced = {"done": False}

    def interleave(ops: list[store.Op]) -> None:
        if not raced["done"]:
            raced["done"] = True
            monkeypatch.setattr(store, "transact", real)
            write(who, "rg", uid, {"deposit_daily_limit": 40})
            monkeypatch.setattr(store, "transact", interleave)
        real(ops)

    monkeypatch.setattr(store, "transact", interleave)
    rg = write(who, "rg", uid, {"deposit_daily_limit": 100}, unique("noop-")).body["player"]["rg"]
    # decided again against 40: 100 is now an increase, so it waits
    assert rg["deposit_daily_limit"] == 40 and rg["pending"]["deposit_daily_limit"]["value"] == 100
