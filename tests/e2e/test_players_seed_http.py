"""Seed 000's players surface over HTTP, against `pitboss dev`: the seed's curl with a per-brand demo key,
external_ref lookup and uniqueness, date of birth for KYC, nickname, exact RG limits, the idempotency key on
every write answer and replays kept to the keys that may see the player (issues 10 and 11)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.support import Api, Tenant, unique


@pytest.fixture(scope="module")
def tenant(local_stack: Any) -> Tenant:
    t: Tenant = local_stack.tenant()
    return t


def _player(api: Api, key: str, **extra: Any) -> dict[str, Any]:
    name = unique("Seed")
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com", **extra})
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


def _readme_seed_body() -> dict[str, Any]:
    """The JSON body of the README's copy of seed 000's curl example."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("so seed 000's example runs", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    found = re.search(r"-d '(\{.*?\})'", block, re.DOTALL)
    assert found is not None, block
    body: dict[str, Any] = json.loads(found.group(1))
    return body


def test_seed_000_curl_works_as_written_with_a_demo_brand_key(api: Api, local_stack: Any) -> None:
    """Issue 11 #14: "Seed 000's curl example has no brand_id ... Add per-brand demo keys to
    demo-credentials.json ("brand_keys": [{"brand_id", "live_key", "test_key"}])"."""
    demo = local_stack.demo
    assert [k["brand_id"] for k in demo["brand_keys"]] == [b["brand_id"] for b in demo["brands"]]
    for row in demo["brand_keys"]:
        assert row["live_key"].startswith("wsk_live_") and row["test_key"].startswith("wsk_test_")
    body = _readme_seed_body()
    assert body == {
        "username": "StarlordV7",
        "email": "sv7@example.com",
        "external_ref": "pam-uuid-abc",
        "country_code": "US",
    }
    key = demo["brand_keys"][0]["test_key"]
    r = api.post("/v1/players", key, body)
    assert r.status_code == 201, r.text  # seed 000: "# 201"
    player = r.json()["player"]
    assert (player["username"], player["status"], player["kyc_status"]) == ("StarlordV7", "active", "none")
    assert player["brand_id"] == demo["brand_keys"][0]["brand_id"]
    # the other brand's key does not see it
    assert api.get("/v1/players/StarlordV7", demo["brand_keys"][1]["test_key"]).status_code == 404


def test_external_ref_lookup_and_uniqueness(api: Api, tenant: Tenant) -> None:
    """Seed 000: "external_ref — Your internal PAM id. Stored on the player metadata for cross-lookup"."""
    key = tenant.live_key
    ref = unique("pam-uuid-")
    player = _player(api, key, external_ref=ref)
    r = api.get(f"/v1/players?external_ref={ref}", key)
    assert r.status_code == 200, r.text
    assert [p["user_id"] for p in r.json()["players"]] == [player["user_id"]]
    assert r.json()["players"][0] == api.get(f"/v1/players/{player['user_id']}", key).json()["player"]
    assert api.get(f"/v1/players?external_ref={unique('none-')}", key).json() == {"players": []}
    name = unique("Other")
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com", "external_ref": ref})
    assert r.status_code == 409 and r.json()["error"]["code"] == "external_ref_taken", r.text
    assert api.get("/v1/players", key).status_code == 422  # external_ref is required


def test_kyc_approval_needs_a_date_of_birth(api: Api, tenant: Tenant) -> None:
    """Seed 000: "date_of_birth — Required for KYC + RG age-gating"."""
    key = tenant.live_key
    player = _player(api, key)
    r = api.post(f"/v1/players/{player['user_id']}/kyc", key, {"kyc_status": "approved", "reason": "passport"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "date_of_birth_required", r.text
    dated = _player(api, key, date_of_birth="1990-01-01")
    r = api.post(f"/v1/players/{dated['user_id']}/kyc", key, {"kyc_status": "approved", "reason": "passport"})
    assert r.status_code == 200 and r.json()["player"]["kyc_status"] == "approved"


def test_nickname_on_the_upsert_dossier_and_back_office(api: Api, tenant: Tenant) -> None:
    """Issue 11 #7: "nickname is always null: accept it on the upsert"; seed 001 shows it in the player detail."""
    key = tenant.live_key
    player = _player(api, key, nickname="Star Lord")
    assert player["nickname"] == "Star Lord"
    assert api.get(f"/v1/players/{player['user_id']}", key).json()["player"]["nickname"] == "Star Lord"
    r = api.get(f"/api/player/{player['player_id']}", key)
    assert r.status_code == 200 and "Star Lord" in r.text, r.text


def test_limits_are_read_back_exactly_or_refused(api: Api, tenant: Tenant) -> None:
    """An accepted limit of 99999999999999.99 was answered as 99999999999999.98 (more than a double holds):
    now it is a 422, and every accepted limit is answered digit for digit."""
    key = tenant.live_key
    player = _player(api, key)
    path = f"/v1/players/{player['user_id']}/rg"
    for raw in ("99999999999999.99", "999999999999999.99", "1000000000000000"):
        r = api.call("POST", path, key, data=f'{{"deposit_daily_limit": {raw}}}', headers=_json())
        assert r.status_code == 422, (raw, r.text)
    r = api.call("POST", path, key, data='{"deposit_daily_limit": 9999999999999.99}', headers=_json())
    assert r.status_code == 200, r.text
    assert '"deposit_daily_limit": 9999999999999.99' in r.text or '"deposit_daily_limit":9999999999999.99' in r.text
    limit = json.loads(r.text, parse_float=Decimal)["player"]["rg"]["deposit_daily_limit"]
    assert limit == Decimal("9999999999999.99") and float(r.json()["player"]["rg"]["deposit_daily_limit"]) == float(
        "9999999999999.99"
    )


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def test_every_write_answer_carries_its_idempotency_key(api: Api, tenant: Tenant) -> None:
    """Issue 10 #6: "every /v1 write response carries the idempotency_key it was recorded under (the caller's,
    or the auto-generated one) so a client that did not send one can still retry safely"."""
    key = tenant.live_key
    name = unique("Keyless")
    body = {"username": name, "email": f"{name}@example.com"}
    first = api.post("/v1/players", key, body)
    auto = first.json()["idempotency_key"]
    assert first.status_code == 201 and auto.startswith("auto-")
    retry = api.post("/v1/players", key, {**body, "idempotency_key": auto})
    assert retry.status_code == 200 and retry.json() == {**first.json(), "deduped": True}
    uid = first.json()["player"]["user_id"]
    mine = unique("mine-")
    for path, sent in (
        (f"/v1/players/{uid}/tags", {"add": ["vip"]}),
        (f"/v1/players/{uid}/notes", {"text": "hello"}),
        (f"/v1/players/{uid}/deposits", {"amount": "10.00"}),
    ):
        keyless = api.post(path, key, sent)
        assert keyless.status_code in (200, 201) and keyless.json()["idempotency_key"].startswith("auto-"), keyless.text
        again = api.post(path, key, {**sent, "idempotency_key": keyless.json()["idempotency_key"]})
        assert again.status_code == 200 and again.json()["deduped"] is True, again.text
        keyed = api.post(path, key, {**sent, "idempotency_key": f"{mine}{path[-5:]}"})
        assert keyed.json()["idempotency_key"] == f"{mine}{path[-5:]}", keyed.text
    r = api.patch(f"/v1/players/{uid}/status", key, {"status": "suspended", "reason": "check"})
    assert r.json()["idempotency_key"].startswith("auto-")
    # reads carry none
    assert "idempotency_key" not in api.get(f"/v1/players/{uid}", key).json()


def test_a_replay_goes_only_to_keys_that_may_see_the_player(api: Api, local_stack: Any) -> None:
    """Issue 10 #2: "A replay must be answered only to a caller that may see the player; anyone else gets
    exactly what they would get without the key (404)"."""
    demo = local_stack.demo
    one, two = demo["brand_keys"][0], demo["brand_keys"][1]
    player = _player(api, two["live_key"])
    idem = unique("cross-")
    deposit = f"/v1/players/{player['user_id']}/deposits"
    status = f"/v1/players/{player['user_id']}/status"
    assert api.post(deposit, two["live_key"], {"amount": "5.00", "idempotency_key": idem}).status_code == 201
    s = {"status": "fraud_hold", "reason": "velocity", "idempotency_key": idem + "s"}
    assert api.patch(status, two["live_key"], s).status_code == 200
    for method, path, body in (("POST", deposit, {"amount": "5.00"}), ("PATCH", status, s)):
        with_key = api.call(
            method, path, one["live_key"], json={**body, "idempotency_key": body.get("idempotency_key", idem)}
        )
        without = api.call(
            method, path, one["live_key"], json={k: v for k, v in body.items() if k != "idempotency_key"}
        )
        assert with_key.status_code == 404 and (with_key.status_code, with_key.json()) == (
            without.status_code,
            without.json(),
        ), with_key.text
        assert "velocity" not in with_key.text and "@example.com" not in with_key.text
