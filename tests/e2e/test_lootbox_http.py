"""Lootboxes over HTTP against `pitboss dev` (issue 13 §4): define, list, grant, open with seed 003's call
and its replay, refusals, scopes, isolation, and the fairness commitment, rotation and recomputation."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pitboss.lootbox import rules
from tests.support import Api, unique

PRIZES = [
    {"weight": 70, "rail": "winz", "amount": "10"},
    {"weight": 25, "rail": "real", "amount": "1.50"},
    {"weight": 5, "nothing": True},
]


def _player(api: Api, key: str) -> dict[str, Any]:
    name = unique("Loot")
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com"})
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


def _define(api: Api, key: str, **extra: Any) -> dict[str, Any]:
    r = api.post("/v1/lootboxes", key, {"name": "Daily chest", "prizes": PRIZES, **extra})
    assert r.status_code == 201, r.text
    box: dict[str, Any] = r.json()["lootbox"]
    return box


def test_define_grant_open_and_replay_over_http(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    key = t.live_key
    box = _define(api, key, cost={"rail": "winz", "amount": "5"})
    assert box["cost"] == {"rail": "winz", "amount": "5.00"} and box["version"] == 1
    assert [b["id"] for b in api.get("/v1/lootboxes", key).json()["lootboxes"]] == [box["id"]]
    player = _player(api, key)
    name = player["username"]
    granted = api.post(
        f"/v1/players/{name}/lootboxes", key, {"lootbox_id": box["id"], "count": 2, "idempotency_key": "g"}
    )
    assert granted.status_code == 201 and granted.json()["unopened"] == 2, granted.text
    again = api.post(
        f"/v1/players/{name}/lootboxes", key, {"lootbox_id": box["id"], "count": 2, "idempotency_key": "g"}
    )
    assert again.status_code == 200 and again.json()["deduped"] is True and again.json()["unopened"] == 2
    # seed 003, to the letter
    call = {"user_id": name, "idempotency_key": "open-2025-05-19-uniq-abc"}
    first = api.post(f"/v1/lootbox/{box['id']}/open", key, call)
    assert first.status_code == 201, first.text
    body = first.json()
    assert set(body) == {"reward", "lootbox", "transaction", "related_transactions"}
    assert body["reward"]["paid_with"] == "box" and body["reward"]["boxes_left"] == 1
    assert body["lootbox"]["id"] == box["id"]
    second = api.post(f"/v1/lootbox/{box['id']}/open", key, call)
    assert second.status_code == 200 and second.json()["deduped"] is True
    assert second.json()["reward"] == body["reward"]
    # the same request naming the player by UUID is the same request
    by_uuid = api.post(f"/v1/lootbox/{box['id']}/open", key, {**call, "user_id": player["user_id"]})
    assert by_uuid.status_code == 200 and by_uuid.json()["reward"] == body["reward"]
    # one box left, then the cost rail: no winz -> 422 insufficient_funds
    assert api.post(f"/v1/lootbox/{box['id']}/open", key, {"user_id": name}).status_code == 201
    poor = api.post(f"/v1/lootbox/{box['id']}/open", key, {"user_id": name})
    if poor.status_code == 422:
        assert poor.json()["error"]["code"] == "insufficient_funds"
    else:  # both boxes drew winz (10 each): enough to buy one
        assert poor.status_code == 201 and poor.json()["reward"]["paid_with"] == "cost", poor.text
    # disabled: 409
    off = api.post(f"/v1/lootboxes/{box['id']}/disable", key)
    assert off.status_code == 200 and off.json()["lootbox"]["disabled"] is True
    refused = api.post(f"/v1/lootbox/{box['id']}/open", key, {"user_id": name})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "disabled"


def test_refusals_scopes_and_isolation(api: Api, local_stack: Any) -> None:
    t, other = local_stack.tenant(), local_stack.tenant()
    box = _define(api, t.live_key)
    player = _player(api, t.live_key)
    path = f"/v1/lootbox/{box['id']}/open"
    assert api.post(path, other.live_key, {"user_id": player["user_id"]}).status_code == 404
    assert api.post(path, t.test_key, {"user_id": player["user_id"]}).status_code == 404
    bad = api.post("/v1/lootboxes", t.live_key, {"name": "x", "prizes": [{"weight": 1, "rail": "winz"}]})
    assert bad.status_code == 422, bad.text
    assert api.post("/v1/lootbox/nope/open", t.live_key, {"user_id": "x"}).status_code == 422
    blocked = api.patch(f"/v1/players/{player['user_id']}/status", t.live_key, {"status": "suspended", "reason": "x"})
    assert blocked.status_code == 200, blocked.text
    refused = api.post(path, t.live_key, {"user_id": player["user_id"]})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "player_blocked"
    done = local_stack.cli("create-key", "--tenant", t.tenant_id, "--mode", "live", "--scope", "players:read", "--json")
    read_only = json.loads(done.stdout)["key"]
    assert api.get("/v1/lootboxes", read_only).status_code == 200
    for post_path, body in ((path, {"user_id": "x"}), ("/v1/lootboxes", {})):
        r = api.post(post_path, read_only, body)
        assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope"


def test_fairness_commitment_rotation_and_recomputation(api: Api, local_stack: Any) -> None:
    """issue 13: the seed's SHA-256 is published before use; each answer carries the nonce and commitment; a
    rotation reveals the old seed and every draw recomputes from it."""
    t = local_stack.tenant()
    key = t.live_key
    box = _define(api, key)
    published = api.get("/v1/lootboxes/fairness", key).json()
    assert published["current"]["seed_number"] == 1 and published["revealed"] == []
    player = _player(api, key)
    opens = [api.post(f"/v1/lootbox/{box['id']}/open", key, {"user_id": player["user_id"]}).json() for _ in range(3)]
    assert [o["reward"]["fairness"]["nonce"] for o in opens] == [0, 1, 2]
    assert {o["reward"]["fairness"]["commitment"] for o in opens} == {published["current"]["commitment"]}
    rotated = api.post("/v1/lootboxes/fairness/rotate", key, {"idempotency_key": "rot-1"})
    assert rotated.status_code == 201, rotated.text
    seed = rotated.json()["revealed"]["seed"]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == published["current"]["commitment"]
    view = api.get("/v1/lootboxes/fairness", key).json()
    assert view["current"]["seed_number"] == 2 and view["revealed"][0]["seed"] == seed
    for o in opens:
        proof = o["reward"]["fairness"]
        drawn = rules.draw(seed, player["user_id"], proof["nonce"], [p["weight"] for p in PRIZES])
        assert (drawn.index, drawn.roll) == (o["reward"]["prize"], proof["roll"])
