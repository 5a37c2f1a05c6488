"""The back-office read API (seed 001) over HTTP, against `pitboss dev`."""

from __future__ import annotations

from typing import Any

from tests.support import Api, unique


def _player(api: Api, key: str, brand_id: int | None = None) -> dict[str, Any]:
    name = unique("Bo")
    body: dict[str, Any] = {"username": name, "email": f"{name}@example.com"}
    if brand_id is not None:
        body["brand_id"] = brand_id
    r = api.post("/v1/players", key, body)
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


def test_seed_shapes(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant(("Won", "KRW"))
    john = _player(api, t.live_key)
    for _ in range(2):
        _player(api, t.live_key)
    r = api.get(f"/api/player/list?page=1&size=2&brand_id={t.brand_id}", t.live_key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["page"], body["page_size"], len(body["items"])) == (3, 1, 2, 2)
    assert body["items"][0]["currency"] == "KRW" and body["items"][0]["status"] == 1
    search = api.get(f"/api/player/list?username={john['username'][1:7].upper()}", t.live_key).json()
    assert [i["id"] for i in search["items"]] == [john["player_id"]]
    detail = api.get(f"/api/player/{john['player_id']}", t.live_key).json()
    assert detail["wallet_balance"] is None and detail["wallet_frozen"] is None
    base = f"/v1/players/{john['user_id']}"
    api.post(f"{base}/deposits", t.live_key, {"amount": "55200"})
    api.post(f"{base}/bets", t.live_key, {"amount": "10000", "ref_id": "txn_abc123", "round_id": "rnd_9988"})
    detail = api.get(f"/api/player/{john['player_id']}", t.live_key).json()
    assert (detail["wallet_balance"], detail["wallet_frozen"]) == ("45200", "10000")
    txs = api.get(f"/api/player/{john['player_id']}/transactions?page=1&size=20", t.live_key).json()
    assert txs["total"] == 2 and [x["type"] for x in txs["items"]] == ["debit", "credit"]
    assert [x["kind"] for x in txs["items"]] == ["bet", "deposit"]  # seed 001: type is debit, credit or rollback
    first = txs["items"][0]
    assert first["amount"] == "10000" and first["ref_id"] == "txn_abc123" and first["player_id"] == john["player_id"]
    for bad in ("size=0", "size=101", "page=0", "page=x"):
        assert api.get(f"/api/player/list?{bad}", t.live_key).status_code == 422


def test_other_tenant_and_mode_are_404_on_every_route(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    stranger = local_stack.tenant()
    p = _player(api, t.live_key)
    api.post(f"/v1/players/{p['user_id']}/deposits", t.live_key, {"amount": "5.00"})
    for key in (stranger.live_key, t.test_key):
        for path in (f"/api/player/{p['player_id']}", f"/api/player/{p['player_id']}/transactions"):
            r = api.get(path, key)
            assert r.status_code == 404 and r.json()["error"]["code"] == "player_not_found", r.text
        assert api.get("/api/player/list", key).json()["total"] == 0
    assert api.get(f"/api/player/{p['player_id']}", t.live_key).status_code == 200


def test_a_rolled_back_round_is_404_for_wins_and_history_shows_it(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    assert api.post(f"{base}/deposits", t.live_key, {"amount": "10.00"}).status_code == 201
    assert api.post(f"{base}/bets", t.live_key, {"amount": "5.00", "ref_id": "rb1", "round_id": "R"}).status_code == 201
    assert api.post(f"{base}/rollbacks", t.live_key, {"ref_id": "rb1"}).status_code == 201
    win = {"amount": "100.00", "ref_id": "w1", "round_id": "R", "round_closed": True}
    r = api.post(f"{base}/wins", t.live_key, win)
    assert r.status_code == 404 and (r.json()["error"]["code"], r.json()["error"]["reason"]) == (
        "not_found",
        "round_not_found",
    ), r.text
    r = api.get(f"/api/player/{p['player_id']}/transactions", t.live_key)
    assert r.status_code == 200, r.text
    assert [i["type"] for i in r.json()["items"]] == ["rollback", "debit", "credit"]
    assert [i["kind"] for i in r.json()["items"]] == ["rollback", "bet", "deposit"]
    assert r.json()["items"][0]["balance_after"] == "10.00"
