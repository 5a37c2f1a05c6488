"""The dossier routes over HTTP against `pitboss dev`: shapes, scopes, isolation, idempotency, RG refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import Api, Tenant, eventually, unique

# route name -> (method, path suffix, a valid body)
WRITES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "status": ("PATCH", "status", {"status": "suspended", "reason": "document check"}),
    "rg": ("POST", "rg", {"deposit_daily_limit": 250}),
    "kyc": ("POST", "kyc", {"kyc_status": "approved", "kyc_level": 2, "reason": "passport verified"}),
    "flags": ("POST", "flags", {"risk_band": "medium", "is_pep": True, "reason": "screening"}),
    "tags": ("POST", "tags", {"add": ["vip"]}),
    "notes": ("POST", "notes", {"text": "called about a deposit"}),
}

# a different request under the same idempotency key
OTHER: dict[str, dict[str, Any]] = {
    "status": {"reason": "something else"},
    "rg": {"deposit_daily_limit": 1},
    "kyc": {"kyc_level": 3},
    "flags": {"risk_band": "low"},
    "tags": {"add": ["other"]},
    "notes": {"text": "other"},
}


def _player(api: Api, key: str) -> dict[str, Any]:
    name = unique("Dos")
    # A date of birth, as seed 000 requires for KYC: the sample KYC write approves.
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com", "date_of_birth": "1990-01-01"})
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


def _timeline(api: Api, key: str, ref: str, query: str = "") -> dict[str, Any]:
    r = api.get(f"/v1/players/{ref}/timeline{query}", key)
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return page


@pytest.fixture(scope="module")
def tenant(local_stack: Any) -> Tenant:
    t: Tenant = local_stack.tenant()
    return t


def test_the_dossier_lifecycle_over_http(api: Api, tenant: Tenant) -> None:
    key = tenant.live_key
    player = _player(api, key)
    ref = player["username"]
    r = api.patch(f"/v1/players/{ref}/status", key, {"status": "fraud_hold", "reason": "velocity rule triggered"})
    assert r.status_code == 200 and r.json()["player"]["status"] == "fraud_hold"
    r = api.post(f"/v1/players/{ref}/rg", key, {"deposit_daily_limit": 250, "reality_check_interval": 30})
    assert r.status_code == 200, r.text
    rg = r.json()["player"]["rg"]
    assert rg["deposit_daily_limit"] == 250 and rg["reality_check_interval"] == 30
    r = api.post(f"/v1/players/{ref}/rg", key, {"deposit_daily_limit": 400})
    rg = r.json()["player"]["rg"]
    assert rg["deposit_daily_limit"] == 250
    assert rg["pending"]["deposit_daily_limit"]["value"] == 400 and rg["pending"]["deposit_daily_limit"]["effective_at"]
    for name in ("kyc", "flags", "tags"):
        _method, suffix, body = WRITES[name]
        assert api.post(f"/v1/players/{ref}/{suffix}", key, body).status_code == 200
    r = api.post(f"/v1/players/{ref}/notes", key, {"text": "all good"})
    assert r.status_code == 201 and r.json()["event"]["data"] == {"text": "all good"}
    dossier = api.get(f"/v1/players/{player['user_id']}", key).json()["player"]
    assert (dossier["kyc_status"], dossier["kyc_level"], dossier["risk_band"], dossier["is_pep"]) == (
        "approved",
        2,
        "medium",
        True,
    )
    assert dossier["tags"] == ["vip"]
    page = _timeline(api, key, ref, "?limit=3")
    assert [e["type"] for e in page["events"]] == ["note_added", "tags_changed", "flags_updated"]
    assert all({"id", "type", "at", "actor", "data"} <= set(e) for e in page["events"])
    rest = _timeline(api, key, ref, f"?limit=100&cursor={page['next_cursor']}")
    assert [e["type"] for e in rest["events"]] == [
        "kyc_updated",
        "rg_changed",
        "rg_changed",
        "status_changed",
        "player_created",
    ]
    assert rest["next_cursor"] is None
    status_event = rest["events"][3]
    assert status_event["actor"].startswith("key:")
    assert status_event["data"] == {"from": "active", "to": "fraud_hold", "reason": "velocity rule triggered"}


@pytest.mark.parametrize("name", [*WRITES, "timeline"])
def test_other_tenant_and_other_mode_get_404(api: Api, local_stack: Any, tenant: Tenant, name: str) -> None:
    theirs = local_stack.tenant()
    player = _player(api, tenant.live_key)
    for key in (tenant.test_key, theirs.live_key, theirs.test_key):
        for ref in (player["user_id"], player["username"]):
            if name == "timeline":
                r = api.get(f"/v1/players/{ref}/timeline", key)
            else:
                method, suffix, body = WRITES[name]
                r = api.call(method, f"/v1/players/{ref}/{suffix}", key, json=body)
            assert r.status_code == 404, (name, key[:9], r.text)
            assert r.json()["error"]["code"] == "player_not_found"
    assert [e["type"] for e in _timeline(api, tenant.live_key, player["user_id"])["events"]] == ["player_created"]


@pytest.mark.parametrize("name", list(WRITES))
def test_replays_are_deduped_with_one_event(api: Api, tenant: Tenant, name: str) -> None:
    key = tenant.live_key
    player = _player(api, key)
    method, suffix, body = WRITES[name]
    idem = {**body, "idempotency_key": unique("idem-")}
    first = api.call(method, f"/v1/players/{player['user_id']}/{suffix}", key, json=idem)
    # the same request naming the player by username is the same request
    again = api.call(method, f"/v1/players/{player['username']}/{suffix}", key, json=idem)
    assert first.status_code in (200, 201) and again.status_code == 200
    assert again.json() == {**first.json(), "deduped": True}
    assert len(_timeline(api, key, player["user_id"])["events"]) == 2
    other = {**idem, **OTHER[name]}
    r = api.call(method, f"/v1/players/{player['user_id']}/{suffix}", key, json=other)
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_key_reused"


def test_rg_refusals_are_clear_409s_and_422s(api: Api, tenant: Tenant) -> None:
    key = tenant.live_key
    ref = _player(api, key)["user_id"]
    r = api.post(f"/v1/players/{ref}/rg", key, {"self_exclusion_permanent": True})
    assert r.status_code == 200 and r.json()["player"]["status"] == "self_excluded"
    r = api.patch(f"/v1/players/{ref}/status", key, {"status": "active", "reason": "player asked"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "self_exclusion_permanent"
    r = api.post(f"/v1/players/{ref}/rg", key, {"self_exclusion_permanent": False})
    assert r.status_code == 409 and r.json()["error"]["code"] == "self_exclusion_permanent"
    for body in ({"deposit_daily_limit": 10.005}, {"loss_daily_limit": -5}, {"session_duration_limit": 0}, {}):
        r = api.post(f"/v1/players/{ref}/rg", key, body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["code"] in {"invalid_amount", "validation_error"}
    r = api.patch(f"/v1/players/{ref}/status", key, {"status": "closed"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = api.get(f"/v1/players/{ref}/timeline?cursor=bm9wZQ", key)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_cursor"


def test_scopes(api: Api, local_stack: Any, tenant: Tenant) -> None:
    ref = _player(api, tenant.live_key)["user_id"]
    done = local_stack.cli(
        "create-key", "--tenant", tenant.tenant_id, "--mode", "live", "--scope", "players:read", "--json"
    )
    read_only = json.loads(done.stdout)["key"]
    assert api.get(f"/v1/players/{ref}/timeline", read_only).status_code == 200
    for method, suffix, body in WRITES.values():
        r = api.call(method, f"/v1/players/{ref}/{suffix}", read_only, json=body)
        assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope"


def test_an_until_out_of_range_is_a_422_not_a_500(api: Api, tenant: Tenant) -> None:
    """Review finding 6: an offset that pushes the instant past year 9999 in UTC used to crash (500)."""
    key = tenant.live_key
    ref = _player(api, key)["user_id"]
    for field in ("self_exclusion_until", "cooloff_until"):
        for value in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2999-01-01T00:00:00Z"):
            r = api.post(f"/v1/players/{ref}/rg", key, {field: value})
            assert r.status_code == 422, (field, value, r.text)
            assert r.json()["error"]["code"] == "validation_error"
    assert [e["type"] for e in _timeline(api, key, ref)["events"]] == ["player_created"]


def test_the_local_schedule_ends_a_cooloff_and_an_exclusion_once(api: Api, local_stack: Any) -> None:
    """The scheduled function as `pitboss dev` runs it (every 2 s in this test stack, every minute by
    default and in AWS): a cool-off and a time-bounded self-exclusion end, each with one timeline event by
    `system:scheduler`; the excluded player stays `self_excluded` (reinstatement on request)."""
    t = local_stack.tenant()
    cooling, excluded = _player(api, t.live_key), _player(api, t.live_key)
    soon = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    r = api.post(f"/v1/players/{cooling['user_id']}/rg", t.live_key, {"cooloff_until": soon})
    assert r.status_code == 200, r.text
    r = api.post(f"/v1/players/{excluded['user_id']}/rg", t.live_key, {"self_exclusion_until": soon})
    assert r.status_code == 200 and r.json()["player"]["status"] == "self_excluded", r.text

    def ended(user_id: str, kind: str) -> list[dict[str, Any]]:
        events = _timeline(api, t.live_key, user_id, "?limit=100")["events"]
        return [e for e in events if e["type"] == kind]

    both = eventually(
        lambda: (ended(cooling["user_id"], "cooloff_ended"), ended(excluded["user_id"], "self_exclusion_ended")),
        all,
        within=30,
    )
    assert all(both), both

    def one_more_run() -> None:
        """A marker player's cool-off, set to end after what came before, ends: a scheduler run has started
        since, and it read the due index in due order, so the two players above before the marker."""
        marker = _player(api, t.live_key)["user_id"]
        until = (datetime.now(UTC) + timedelta(seconds=0.5)).isoformat()
        r = api.post(f"/v1/players/{marker}/rg", t.live_key, {"cooloff_until": until})
        assert r.status_code == 200, r.text
        assert eventually(lambda: ended(marker, "cooloff_ended"), bool, within=30), "no scheduler run since"

    one_more_run()  # two more runs (instead of sleeping through them): nothing left to do, no second event
    one_more_run()
    for user_id, kind in ((cooling["user_id"], "cooloff_ended"), (excluded["user_id"], "self_exclusion_ended")):
        events = ended(user_id, kind)
        assert len(events) == 1 and events[0]["actor"] == "system:scheduler", (kind, events)
    cooled = api.get(f"/v1/players/{cooling['user_id']}", t.live_key).json()["player"]
    assert cooled["rg"]["cooloff_until"] is None and cooled["status"] == "active"
    still = api.get(f"/v1/players/{excluded['user_id']}", t.live_key).json()["player"]
    assert still["rg"]["self_exclusion_until"] is None and still["status"] == "self_excluded"
