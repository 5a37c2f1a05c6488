"""Issue 11 #4: "self_excluded — Player-initiated. Blocks all money + play": players set their own RG from the
front end, "same fields and rules as the operator's POST .../rg: decreases at once, raises pending for the
brand's delay", cool-off `{"days": 1..42}`, self-exclusion `{"months": 6|12|60}` or `{"permanent": true}`,
"each audited with actor player:<uuid>, each ending the session's play at once"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pitboss import clock, keys, store, tenancy
from pitboss.gateway import rules
from tests.gateway_support import Reply, call, register
from tests.support import make_tenant, unique

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
RG = "/gateway/responsible-gaming/v1"
PASSWORD = "Orion2049x"


def _player(**settings: Any) -> tuple[int, str, dict[str, Any], str]:
    clock.set_clock(lambda: T0)
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"required_documents": [], **settings})
    name = unique("gw")
    created = register(t.brand_id, name)
    return t.brand_id, name, created, keys.realm(t.tenant_id, "live")


def _rg(method: str, brand: int, what: str, token: str, body: Any = None) -> Reply:
    return call(method, f"{RG}/{brand}/{what}", body, token=token)


def _events(realm: str, user_id: str) -> list[dict[str, Any]]:
    pk = keys.player_pk(realm, user_id)
    items = [store.deserialize(i) for i in store.client().scan(TableName=store.table_name())["Items"]]
    return [e for e in items if e["pk"] == pk and e.get("kind") == "event" and e.get("type") == "rg_changed"]


def _user_id(brand: int, name: str, realm: str) -> str:
    pointer = store.get(keys.username_pk(realm, brand, name), keys.UNIQUE)
    assert pointer is not None
    return str(pointer["user_id"])


def test_limits_decrease_at_once_and_raises_wait_for_the_brands_delay(moto_table: str) -> None:
    brand, name, created, realm = _player(rg_increase_delay_hours=24)
    token = created["token"]
    r = _rg("GET", brand, "limits", token)
    assert r.status == 200, r.text
    assert r.json()["rg"]["pending"] == {} and r.json()["currency"] == "USD"
    r = _rg("PUT", brand, "limits", token, {"deposit_daily_limit": 100, "session_duration_limit": 60})
    assert r.status == 200, r.text
    assert (r.json()["rg"]["deposit_daily_limit"], r.json()["rg"]["session_duration_limit"]) == (100, 60)
    r = _rg("PUT", brand, "limits", token, {"deposit_daily_limit": "50.00"})
    assert r.json()["rg"]["deposit_daily_limit"] == 50  # a decrease: at once
    r = _rg("PUT", brand, "limits", token, {"deposit_daily_limit": 500})
    rg = r.json()["rg"]
    assert rg["deposit_daily_limit"] == 50  # a raise waits...
    assert rg["pending"]["deposit_daily_limit"] == {"value": 500, "effective_at": "2026-11-24T12:00:00.000000Z"}
    assert _rg("GET", brand, "limits", token).json()["rg"] == rg
    user_id = _user_id(brand, name, realm)
    events = _events(realm, user_id)
    assert len(events) == 3 and {e["actor"] for e in events} == {f"player:{user_id}"}  # audited as the player


@pytest.mark.parametrize(
    "body",
    [{}, {"deposit_daily_limit": -1}, {"deposit_daily_limit": "1e3"}, {"session_duration_limit": "60"},
     {"cooloff_until": "2030-01-01T00:00:00Z"}],
)  # fmt: skip
def test_bad_limits_are_the_gateways_400(moto_table: str, body: dict[str, Any]) -> None:
    brand, _name, created, _realm = _player()
    r = _rg("PUT", brand, "limits", created["token"], body)
    assert (r.status, r.json()) == (400, {"errMsg": "invalid input"})


def test_a_cool_off_ends_play_at_once(moto_table: str) -> None:
    """ "POST .../cool-off ({"days": 1..42}) ... ending the session's play at once (... the next login the
    matching 401)" """
    brand, name, created, realm = _player()
    for days in (0, 43, "2", 1.5):
        assert _rg("POST", brand, "cool-off", created["token"], {"days": days}).status == 400
    r = _rg("POST", brand, "cool-off", created["token"], {"days": 3})
    assert r.status == 200, r.text
    assert r.json()["rg"]["cooloff_until"] == "2026-11-26T12:00:00.000000Z" and r.json()["rg"]["cooloff_active"]
    assert _rg("GET", brand, "limits", created["token"]).status == 401  # the session's play is over
    r = call("POST", f"/gateway/admission/v1/login/{brand}", {"username": name, "password": PASSWORD})
    assert (r.status, r.json()) == (401, {"result": "COOLING_OFF"})
    user_id = _user_id(brand, name, realm)
    [event] = _events(realm, user_id)
    assert event["actor"] == f"player:{user_id}" and "cooloff_until" in event["data"]["changes"]


@pytest.mark.parametrize(
    ("body", "until", "permanent"),
    [({"months": 6}, "2027-05-23T12:00:00.000000Z", False), ({"months": 60}, "2031-11-23T12:00:00.000000Z", False),
     ({"permanent": True}, None, True)],
)  # fmt: skip
def test_a_self_exclusion_ends_play_at_once(
    moto_table: str, body: dict[str, Any], until: str | None, permanent: bool
) -> None:
    """ "POST .../self-exclusion ({"months": 6|12|60} or {"permanent": true})" """
    brand, name, created, realm = _player()
    r = _rg("POST", brand, "self-exclusion", created["token"], body)
    assert r.status == 200, r.text
    rg = r.json()["rg"]
    assert (rg["self_exclusion_until"], rg["self_exclusion_permanent"], rg["self_exclusion_active"]) == (
        until,
        permanent,
        True,
    )
    assert _rg("GET", brand, "limits", created["token"]).status == 401
    r = call("POST", f"/gateway/admission/v1/login/{brand}", {"username": name, "password": PASSWORD})
    assert (r.status, r.json()) == (401, {"result": "SELF_EXCLUDED"})
    [event] = _events(realm, _user_id(brand, name, realm))
    assert event["data"]["status"] == {"from": "active", "to": "self_excluded"}


@pytest.mark.parametrize("body", [{}, {"months": 3}, {"months": 6, "permanent": True}, {"permanent": False}])
def test_a_self_exclusion_takes_exactly_one_of_the_seeds_choices(moto_table: str, body: dict[str, Any]) -> None:
    brand, _name, created, _realm = _player()
    r = _rg("POST", brand, "self-exclusion", created["token"], body)
    assert (r.status, r.json()) == (400, {"errMsg": "invalid input"})


def test_months_are_calendar_months() -> None:
    assert rules.months_after(datetime(2026, 8, 31, 9, tzinfo=UTC), 6) == datetime(2027, 2, 28, 9, tzinfo=UTC)
    assert rules.months_after(datetime(2027, 8, 31, tzinfo=UTC), 6) == datetime(2028, 2, 29, tzinfo=UTC)
    assert rules.months_after(datetime(2026, 12, 15, tzinfo=UTC), 12) == datetime(2027, 12, 15, tzinfo=UTC)
    assert rules.months_after(datetime(2026, 7, 1, tzinfo=UTC), 60) == datetime(2031, 7, 1, tzinfo=UTC)
