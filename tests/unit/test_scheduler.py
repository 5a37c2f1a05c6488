"""The expiry scheduler (functions/scheduler): due index, idempotent runs, reinstatement modes, permanence."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from pitboss import clock, store, tenancy
from pitboss.errors import Conflict
from pitboss.players import expiry, rules
from pitboss_local import template
from pitboss_local.runtime import LambdaContext, load_handler
from tests.conftest import load_event
from tests.dossier_support import T0, dossier_of, events, new_player, principal, profile, write
from tests.support import at, make_tenant

DAY = timedelta(days=1)


def _player(settings: dict[str, Any] | None = None) -> tuple[tenancy.Principal, str]:
    at(T0)
    t = make_tenant()
    if settings:
        tenancy.update_brand_settings(t.tenant_id, t.brand_id, settings)
    who = principal(t.live_key)
    return who, new_player(who)["user_id"]


def _run(when: Any) -> expiry.RunReport:
    at(when)
    return expiry.run()


def _types(who: tenancy.Principal, uid: str) -> list[str]:
    return [e["type"] for e in events(who, uid)]


def test_cooloff_end_is_recorded_once_even_when_run_twice(table: str) -> None:
    who, uid = _player()
    write(who, "rg", uid, {"cooloff_until": (T0 + DAY).isoformat()})
    assert profile(who, uid)["due_at"] == clock.iso(T0 + DAY)
    assert _run(T0 + DAY - timedelta(seconds=1)).events == 0  # not due yet
    first = _run(T0 + DAY + timedelta(minutes=1))
    second = _run(T0 + DAY + timedelta(minutes=2))
    assert (first.events, second.events) == (1, 0)
    ended = events(who, uid)[-1]
    assert ended["type"] == "cooloff_ended" and ended["actor"] == "system:scheduler"
    assert ended["data"]["cooloff_until"] == clock.iso(T0 + DAY)
    item = profile(who, uid)
    assert item.get("cooloff_until") is None and "due_at" not in item  # out of the sparse index
    assert _types(who, uid).count("cooloff_ended") == 1


def test_pending_limits_apply_when_due_and_only_once(table: str) -> None:
    who, uid = _player()
    write(who, "rg", uid, {"deposit_daily_limit": 10, "loss_daily_limit": 20})
    write(who, "rg", uid, {"deposit_daily_limit": 1000, "loss_daily_limit": None})
    assert _run(T0 + 23 * timedelta(hours=1)).events == 0
    report = _run(T0 + DAY)
    assert report.types == {"rg_pending_applied": 1}
    assert _run(T0 + DAY).events == 0
    stored = profile(who, uid)
    assert stored["limits"] == {"deposit_daily_limit": 1000} and stored["pending"] == {}
    changes = events(who, uid)[-1]["data"]["changes"]
    assert changes["deposit_daily_limit"]["to"] == 1000 and changes["loss_daily_limit"]["to"] is None
    rg = dossier_of(who, uid)["rg"]
    assert rg["deposit_daily_limit"] == 1000 and rg.get("loss_daily_limit") is None


def test_a_late_run_still_settles_once_with_the_scheduled_time(table: str) -> None:
    who, uid = _player()
    write(who, "rg", uid, {"cooloff_until": (T0 + DAY).isoformat(), "wager_daily_limit": 5})
    write(who, "rg", uid, {"wager_daily_limit": 50})
    report = _run(T0 + 30 * DAY)
    assert report.settled == 1 and report.types == {"rg_pending_applied": 1, "cooloff_ended": 1}
    assert _run(T0 + 31 * DAY).events == 0


def test_self_exclusion_end_on_request_keeps_the_player_excluded(table: str) -> None:
    who, uid = _player()  # default: on_request
    write(who, "rg", uid, {"self_exclusion_until": (T0 + 7 * DAY).isoformat()})
    _run(T0 + 8 * DAY)
    ended = events(who, uid)[-1]
    assert ended["type"] == "self_exclusion_ended" and ended["data"]["reinstatement"] == "on_request"
    assert dossier_of(who, uid)["status"] == "self_excluded"
    back = write(who, "status", uid, {"status": "active", "reason": "player asked to return"})
    assert back.body["player"]["status"] == "active"


def test_self_exclusion_end_automatic_reinstates(table: str) -> None:
    who, uid = _player({"self_exclusion_reinstatement": "automatic"})
    write(who, "rg", uid, {"self_exclusion_until": (T0 + 7 * DAY).isoformat()})
    _run(T0 + 8 * DAY)
    assert dossier_of(who, uid)["status"] == "active"
    assert events(who, uid)[-1]["data"]["status"] == {"from": "self_excluded", "to": "active"}
    assert _run(T0 + 9 * DAY).events == 0


def test_automatic_reinstatement_never_overrides_another_status(table: str) -> None:
    who, uid = _player({"self_exclusion_reinstatement": "automatic"})
    write(who, "rg", uid, {"self_exclusion_until": (T0 + 7 * DAY).isoformat()})
    write(who, "status", uid, {"status": "aml_hold", "reason": "source of funds"})
    _run(T0 + 8 * DAY)
    assert dossier_of(who, uid)["status"] == "aml_hold"


def test_the_scheduler_never_lifts_a_permanent_exclusion(table: str) -> None:
    who, uid = _player({"self_exclusion_reinstatement": "automatic"})
    write(who, "rg", uid, {"self_exclusion_until": (T0 + DAY).isoformat(), "deposit_daily_limit": 5})
    write(who, "rg", uid, {"self_exclusion_permanent": True, "deposit_daily_limit": 500})
    for day in (2, 30, 400):
        _run(T0 + day * DAY)
    state = dossier_of(who, uid)
    assert state["status"] == "self_excluded" and state["rg"]["self_exclusion_active"] is True
    assert "self_exclusion_ended" not in _types(who, uid)
    assert _types(who, uid).count("rg_pending_applied") == 1  # other expiries still happen
    assert "due_at" not in profile(who, uid)


def test_due_work_comes_from_the_index_never_a_scan(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    who, uid = _player()
    write(who, "rg", uid, {"cooloff_until": (T0 + DAY).isoformat()})
    make_tenant()  # other tenants without due work cost nothing
    seen: list[str | None] = []
    real_query = store.query

    def spy(pk: str, **kwargs: Any) -> store.Page:
        seen.append(kwargs.get("index"))
        return real_query(pk, **kwargs)

    monkeypatch.setattr(store, "query", spy)
    client = store.client()
    monkeypatch.setattr(client, "scan", lambda **_kw: pytest.fail("the scheduler scanned the table"))
    assert _run(T0 + 2 * DAY).events == 1
    assert seen[0] == "due" and seen.count("due") == 1
    # one more query: the tenant's brand settings, read once per tenant per run
    assert len(seen) == 2


def test_players_of_several_tenants_get_their_own_brand_rules(table: str) -> None:
    auto_who, auto_uid = _player({"self_exclusion_reinstatement": "automatic"})
    req_who, req_uid = _player()
    for who, uid in ((auto_who, auto_uid), (req_who, req_uid)):
        write(who, "rg", uid, {"self_exclusion_until": (T0 + DAY).isoformat()})
    report = _run(T0 + 2 * DAY)
    assert report.settled == 2
    assert dossier_of(auto_who, auto_uid)["status"] == "active"
    assert dossier_of(req_who, req_uid)["status"] == "self_excluded"


def test_a_bounded_run_leaves_the_rest_for_the_next(table: str) -> None:
    who, _ = _player()
    for _ in range(3):
        uid = new_player(who)["user_id"]
        write(who, "rg", uid, {"cooloff_until": (T0 + DAY).isoformat()})
    at(T0 + 2 * DAY)
    first = expiry.run(max_players=2)
    assert first.more and first.settled == 2
    assert expiry.run().settled == 1


def test_the_handler_runs_on_the_sample_schedule_event(table: str) -> None:
    who, uid = _player()
    write(who, "rg", uid, {"cooloff_until": (T0 + DAY).isoformat()})
    at(T0 + 2 * DAY)
    handler = load_handler(template.functions()["SchedulerFunction"], 2000)
    result = handler(load_event("scheduler__schedule"), LambdaContext(function_name="SchedulerFunction"))
    assert result["events"] == 1 and result["types"] == {"cooloff_ended": 1}
    assert template.schedules()["SchedulerFunction"] == ["rate(1 minute)"]


def test_settle_is_pure_and_idempotent() -> None:
    from pitboss.identity.entity import PendingLimit, Player
    from pitboss.tenancy import BrandSettings

    player = Player(
        realm="T#ten_x#live",
        user_id="u",
        player_id=1,
        brand_id=1,
        username="abc",
        email="a@example.com",
        status="self_excluded",
        status_from_exclusion=True,  # set by the exclusion, so automatic reinstatement may lift it
        limits={"deposit_daily_limit": Decimal("5")},
        pending={"deposit_daily_limit": PendingLimit(value=None, effective_at=clock.iso(T0))},
        self_exclusion_until=clock.iso(T0),
        created_at=clock.iso(T0),
        updated_at=clock.iso(T0),
    )
    settled, happened = rules.settle(player, BrandSettings(self_exclusion_reinstatement="automatic"), T0)
    assert [k for k, _ in happened] == ["rg_pending_applied", "self_exclusion_ended"]
    assert settled.status == "active" and settled.limits == {} and settled.version == 1
    again, nothing = rules.settle(settled, BrandSettings(), T0 + DAY)
    assert nothing == [] and again is settled
    operator_set = player.model_copy(update={"status_from_exclusion": False})
    kept, _ = rules.settle(operator_set, BrandSettings(self_exclusion_reinstatement="automatic"), T0)
    assert kept.status == "self_excluded" and kept.self_exclusion_until is None


def test_a_betting_status_set_during_the_exclusion_cannot_skip_reinstatement(table: str) -> None:
    """Finding 3: the reviewer's path (affordability_review while excluded, then expiry) is closed."""
    who, uid = _player()  # on_request
    write(who, "rg", uid, {"self_exclusion_until": (T0 + 30 * DAY).isoformat()})
    with pytest.raises(Conflict):
        write(who, "status", uid, {"status": "affordability_review", "reason": "documents"})
    _run(T0 + 31 * DAY)
    assert dossier_of(who, uid)["status"] == "self_excluded"


@pytest.mark.parametrize("status", ["aml_hold", "closed"])
def test_automatic_reinstatement_never_erases_a_hold_or_reopens_an_account(table: str, status: str) -> None:
    """Finding 4: a hold or closed status held when the player self-excluded survives the exclusion's end."""
    who, uid = _player({"self_exclusion_reinstatement": "automatic"})
    write(who, "status", uid, {"status": status, "reason": "compliance"})
    write(who, "rg", uid, {"self_exclusion_until": (T0 + 7 * DAY).isoformat()})
    assert dossier_of(who, uid)["status"] == status
    _run(T0 + 8 * DAY)
    assert dossier_of(who, uid)["status"] == status
    assert "status" not in events(who, uid)[-1]["data"]


def test_automatic_reinstatement_only_lifts_a_self_excluded_status_the_exclusion_set(table: str) -> None:
    who, uid = _player({"self_exclusion_reinstatement": "automatic"})
    write(who, "status", uid, {"status": "self_excluded", "reason": "player asked by phone, indefinitely"})
    write(who, "rg", uid, {"self_exclusion_until": (T0 + 7 * DAY).isoformat()})
    _run(T0 + 8 * DAY)
    assert dossier_of(who, uid)["status"] == "self_excluded"
    assert events(who, uid)[-1]["type"] == "self_exclusion_ended"
    assert "status" not in events(who, uid)[-1]["data"]
