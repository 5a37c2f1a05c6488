"""Issue 11's gateway items over HTTP against `pitboss dev`, each quoting its seed line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, unique

PASSWORD = "Orion2049x"
A = "/gateway/admission/v1"


def _brand(local_stack: Any, *pairs: str) -> Any:
    t = local_stack.tenant()
    sets = [a for pair in ("required_documents=[]", *pairs) for a in ("--set", pair)]
    done = local_stack.cli("brand-settings", "--tenant", t.tenant_id, "--brand-id", str(t.brand_id), *sets)
    assert done.returncode == 0, done.stderr
    return t


def _register(api: Api, brand: int) -> tuple[str, dict[str, str]]:
    name = unique("gw")
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    r = api.post(f"{A}/register/{brand}", json=body)
    assert r.status_code == 201, r.text
    return name, {"x-auth-token": r.json()["token"]}


@pytest.mark.parametrize(
    ("path", "body", "login"),
    [("cool-off", {"days": 7}, "COOLING_OFF"), ("self-exclusion", {"months": 12}, "SELF_EXCLUDED")],
)
def test_a_player_sets_their_own_rg_and_play_ends_at_once(
    api: Api, local_stack: Any, path: str, body: dict[str, Any], login: str
) -> None:
    """Seed 000: "self_excluded — Player-initiated. Blocks all money + play" (issue 11 #4: limits, cool-off and
    self-exclusion from the front end, audited with actor player:<uuid>, the next money call 403
    player_blocked, the next login the matching 401)."""
    t = _brand(local_stack)
    brand = t.brand_id
    name, session = _register(api, brand)
    rg = f"/gateway/responsible-gaming/v1/{brand}"
    r = api.call("PUT", f"{rg}/limits", json={"deposit_daily_limit": 100, "loss_weekly_limit": "250.00"},
                 headers=session)  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["rg"]["deposit_daily_limit"], r.json()["rg"]["loss_weekly_limit"]) == (100, 250)
    r = api.get(f"{rg}/limits", headers=session)
    assert r.status_code == 200 and r.json()["rg"]["deposit_daily_limit"] == 100
    # the operator sees the player's own limit
    dossier = api.get(f"/v1/players/{name}?brand_id={brand}", t.live_key).json()["player"]
    assert dossier["rg"]["deposit_daily_limit"] == 100
    assert api.post(f"/v1/players/{name}/deposits?brand_id={brand}", t.live_key, {"amount": "10.00"}).status_code == 201

    r = api.post(f"{rg}/{path}", json=body, headers=session)
    assert r.status_code == 200, r.text
    assert api.get(f"{rg}/limits", headers=session).json() == {"errMsg": "invalid input - invalid token"}
    money = api.post(f"/v1/players/{name}/deposits?brand_id={brand}", t.live_key, {"amount": "10.00"})
    assert (money.status_code, money.json()["error"]["code"]) == (403, "player_blocked")
    r = api.post(f"{A}/login/{brand}", json={"username": name, "password": PASSWORD})
    assert (r.status_code, r.json()) == (401, {"result": login})
    events = api.get(f"/v1/players/{name}/timeline?brand_id={brand}&limit=50", t.live_key).json()["events"]
    rg_events = [e for e in events if e["type"] == "rg_changed"]
    user_id = dossier["user_id"]
    assert len(rg_events) == 2 and {e["actor"] for e in rg_events} == {f"player:{user_id}"}


def test_a_publishable_test_key_runs_the_front_end_on_test_data(api: Api, local_stack: Any) -> None:
    """Seed 003: "wsk_test_… — sandbox. Same surface" (issue 11 #12: publishable brand keys created by the
    CLI; x-pitboss-key: wpk_test_… runs the gateway in the brand's test realm, without it live)."""
    import json

    t = local_stack.tenant()
    done = local_stack.cli("create-publishable-key", "--tenant", t.tenant_id, "--brand-id", str(t.brand_id),
                           "--mode", "test", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    key = json.loads(done.stdout)["key"]
    assert key.startswith("wpk_test_")
    name = unique("gw")
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    r = api.post(f"{A}/register/{t.brand_id}", json=body, headers={"x-pitboss-key": key})
    assert r.status_code == 201, r.text
    # the test API key sees the player, the live one does not
    assert api.get(f"/v1/players/{name}?brand_id={t.brand_id}", t.test_key).status_code == 200
    assert api.get(f"/v1/players/{name}?brand_id={t.brand_id}", t.live_key).status_code == 404
    r = api.post(f"{A}/login/{t.brand_id}", json={"username": name, "password": PASSWORD},
                 headers={"x-pitboss-key": "wpk_test_unknown"})  # fmt: skip
    assert (r.status_code, r.json()) == (401, {"errMsg": "invalid input - invalid publishable key"})
