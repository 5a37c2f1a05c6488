"""The foundation over HTTP, against `pitboss dev` as a user runs it: keys, scopes, isolation, idempotency."""

from __future__ import annotations

from typing import Any

from tests.support import Api, eventually, unique


def _player(api: Api, key: str, **extra: Any) -> dict[str, Any]:
    name = unique("Star")
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com", **extra})
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


def test_demo_credentials_create_and_read_a_player(api: Api, local_stack: Any) -> None:
    demo = local_stack.demo
    assert {b["currency"] for b in demo["brands"]} == {"USD", "EUR"}
    assert demo["live_key"].startswith("wsk_live_") and demo["test_key"].startswith("wsk_test_")
    brand = demo["brands"][0]["brand_id"]
    player = _player(api, demo["live_key"], brand_id=brand, country_code="US")
    r = api.get(f"/v1/players/{player['username']}?brand_id={brand}", demo["live_key"])
    assert r.status_code == 200
    assert r.json()["player"]["user_id"] == player["user_id"]
    # the demo tenant has two brands: a username lookup without brand_id is a clear 422
    r = api.get(f"/v1/players/{player['username']}", demo["live_key"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "brand_id_required"


def test_missing_bad_and_revoked_keys_are_401(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    for key in (None, "wsk_live_nope", "nonsense"):
        r = api.get("/v1/players/someone", key)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] in {"unauthorized", "invalid_api_key"}
    created = local_stack.cli("create-key", "--tenant", t.tenant_id, "--mode", "live", "--json")
    assert created.returncode == 0, created.stderr
    import json

    record = json.loads(created.stdout)
    missing = api.get("/v1/players/someone", record["key"])
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "player_not_found")  # the key works
    revoked = local_stack.cli("revoke-key", "--tenant", t.tenant_id, "--key-id", record["key_id"], "--json")
    assert revoked.returncode == 0, revoked.stderr
    # A warm authorizer keeps a verified key for its cache window (10 s deployed, 1 s on the test stack).
    status = eventually(lambda: api.get("/v1/players/someone", record["key"]).status_code, lambda s: s == 401)
    assert status == 401
    listed = json.loads(local_stack.cli("list-keys", "--tenant", t.tenant_id, "--json").stdout)
    assert any(k["key_id"] == record["key_id"] and k["revoked"] for k in listed)
    assert record["key"] not in json.dumps(listed)


def test_missing_scope_is_403(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    import json

    done = local_stack.cli("create-key", "--tenant", t.tenant_id, "--scope", "players:read", "--json")
    read_only = json.loads(done.stdout)["key"]
    r = api.post("/v1/players", read_only, {"username": unique("x"), "email": "x@example.com"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope"
    # the key is checked before anything else about the request: an invalid body or query is still 403
    for method, path, body in (("POST", "/v1/players", {"bad": 1}), ("POST", "/v1/players/x/deposits", {}),
                               ("GET", "/api/player/list?size=1000", None)):  # fmt: skip
        r = api.call(method, path, json=body, headers={"authorization": f"Bearer {read_only}"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope", (path, r.text)


def test_no_key_is_401_whatever_the_request_holds(api: Api) -> None:
    """Without a valid key nothing about the request is examined: not its body, its parameters or its type."""
    cases = [
        ("POST", "/v1/players", {"x": 1}, {}),
        ("POST", "/v1/players/x/notes?brand_id=1", {"textt": "x"}, {}),
        ("GET", "/v1/players/x/timeline?limit=abc", None, {}),
        ("POST", "/v1/players/x/bets", {"amount": "-1"}, {}),
        ("GET", "/api/player/list?size=0", None, {}),
        ("POST", "/v1/players", None, {"content-type": "application/x-www-form-urlencoded"}),
    ]
    for method, path, body, headers in cases:
        for key in (None, "wsk_live_nope"):
            auth = {"authorization": f"Bearer {key}"} if key else {}
            data = "a=1" if headers else None
            r = api.call(method, path, json=body, data=data, headers={**headers, **auth})
            assert r.status_code == 401, (method, path, key, r.text)
            assert r.json()["error"]["code"] in {"unauthorized", "invalid_api_key"}


def test_other_tenant_and_other_mode_get_404(api: Api, local_stack: Any) -> None:
    mine = local_stack.tenant()
    theirs = local_stack.tenant()
    player = _player(api, mine.live_key)
    assert api.get(f"/v1/players/{player['user_id']}", mine.live_key).status_code == 200
    for key in (mine.test_key, theirs.live_key, theirs.test_key):
        for ref in (player["user_id"], player["username"]):
            r = api.get(f"/v1/players/{ref}", key)
            assert r.status_code == 404, (key[:9], ref, r.text)
            assert r.json()["error"]["code"] == "player_not_found"


def test_idempotent_upsert_over_http(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    name = unique("Idem")
    body = {"username": name, "email": f"{name}@example.com", "idempotency_key": unique("k")}
    first = api.post("/v1/players", t.live_key, body)
    again = api.post("/v1/players", t.live_key, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "deduped": True}
    changed = api.post("/v1/players", t.live_key, {**body, "external_ref": "changed"})
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_key_reused"
    # no key: still idempotent on (brand, username): 200 and the same player
    plain = api.post("/v1/players", t.live_key, {"username": name.lower(), "email": f"{name}@example.com"})
    assert plain.status_code == 200 and plain.json()["player"]["user_id"] == first.json()["player"]["user_id"]


def test_bad_input_is_422_with_fields(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    cases = [
        {"email": "a@example.com"},
        {"username": "ok_name", "email": "not-an-email"},
        {"username": "ok_name2", "email": "a@example.com", "country_code": "XX"},
        {"username": "ok_name3", "email": "a@example.com", "date_of_birth": "2999-01-01"},
        {"username": "x", "email": "a@example.com"},
        {"username": "ok_name4", "email": "a@example.com", "surprise": 1},
    ]
    for body in cases:
        r = api.post("/v1/players", t.live_key, body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["code"] == "validation_error" and r.json()["error"]["fields"]
    r = api.call("POST", "/v1/players", t.live_key, data="{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", r.text


def test_openapi_and_docs_are_public(api: Api) -> None:
    doc = api.get("/v1/openapi.json")
    assert doc.status_code == 200
    spec = doc.json()
    assert "/v1/players" in spec["paths"] and "/v1/players/{key}" in spec["paths"]
    ui = api.get("/v1/docs")
    assert ui.status_code == 200 and "swagger" in ui.text.lower()
    assert api.get("/nowhere").status_code == 404


def test_deeply_nested_bodies_are_bad_input_not_500(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    deep = "[" * 5000 + "]" * 5000
    headers = {"content-type": "application/json"}
    r = api.call("POST", "/v1/players", t.live_key, data='{"a":' + deep + "}", headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"
    r = api.call("POST", "/gateway/admission/v1/login/1", None, data='{"a":' + deep + "}", headers=headers)
    assert r.status_code == 400, r.text
    assert r.json() == {"errMsg": "invalid input"}
    r = api.call("POST", "/v1/players", t.live_key, data="{not json", headers=headers)
    assert r.json()["error"]["fields"] == [{"field": "body", "message": "JSON decode error"}]
    # an integer beyond Python's 4300-digit conversion limit: unreadable JSON, not a 500
    huge = '{"amount": ' + "9" * 5000 + "}"
    for path in ("/v1/players", "/v1/players/x/deposits", "/v1/players/x/rg"):
        r = api.call("POST", path, t.live_key, data=huge, headers=headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", (path, r.text)
    r = api.call("POST", "/gateway/admission/v1/login/1", None, data=huge, headers=headers)
    assert (r.status_code, r.json()) == (400, {"errMsg": "invalid input"})


def test_cors_as_api_gateway_applies_the_templates_configuration(api: Api, local_stack: Any) -> None:
    """A browser front end on another origin: the preflight is answered without a route or a key, and the
    real response carries the CORS headers (the template allows any origin by default)."""
    brand = local_stack.demo["brands"][0]["brand_id"]
    path = f"/gateway/online-player/v1/player/{brand}/online/status"
    pre = api.call("OPTIONS", path, headers={"origin": "https://casino.example",
                                             "access-control-request-method": "GET",
                                             "access-control-request-headers": "x-auth-token"})  # fmt: skip
    assert pre.status_code == 204 and pre.content == b""
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "GET" in pre.headers["access-control-allow-methods"].split(",")
    assert "x-auth-token" in pre.headers["access-control-allow-headers"].split(",")
    assert pre.headers["access-control-max-age"] == "600"
    r = api.call("GET", path, headers={"origin": "https://casino.example", "x-auth-token": "nope"})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == "*"
    assert r.headers["access-control-expose-headers"] == "retry-after"
    # without an Origin nothing changes: no CORS headers, and OPTIONS is not a route
    r = api.call("GET", path, headers={"x-auth-token": "nope"})
    assert "access-control-allow-origin" not in r.headers
    assert api.call("OPTIONS", path).status_code == 404


def test_brand_id_in_the_body_or_the_query(api: Api, local_stack: Any) -> None:
    """A key spanning two brands: a request that needs a brand takes `brand_id` from the body or the query
    (the upsert, a dossier write and a wallet write each way); the two must agree."""
    t = local_stack.tenant(("Casino A", "USD"), ("Casino B", "EUR"))
    a, b = (int(x["brand_id"]) for x in t.brands)
    name = unique("Both")
    body = {"username": name, "email": f"{name}@example.com"}
    r = api.post("/v1/players", t.live_key, body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "brand_id_required"
    r = api.post(f"/v1/players?brand_id={b}", t.live_key, body)
    assert r.status_code == 201 and r.json()["player"]["brand_id"] == b, r.text
    r = api.post(f"/v1/players?brand_id={a}", t.live_key, {**body, "brand_id": b})
    assert r.status_code == 422 and r.json()["error"]["code"] == "brand_id_mismatch"
    r = api.post(f"/v1/players/{name}/notes", t.live_key, {"text": "hello", "brand_id": b})
    assert r.status_code == 201, r.text
    assert api.post(f"/v1/players/{name}/notes?brand_id={b}", t.live_key, {"text": "again"}).status_code == 201
    r = api.post(f"/v1/players/{name}/deposits", t.live_key, {"amount": "5.00", "brand_id": b})
    assert r.status_code == 201 and r.json()["wallet"]["currency"] == "EUR", r.text
    r = api.post(f"/v1/players/{name}/deposits", t.live_key, {"amount": "5.00", "brand_id": a})
    assert (r.status_code, r.json()["error"]["reason"]) == (404, "player_not_found")  # no such player in brand A
    uid = api.get(f"/v1/players/{name}?brand_id={b}", t.live_key).json()["player"]["user_id"]
    r = api.post(f"/v1/players/{uid}/deposits", t.live_key, {"amount": "5.00", "brand_id": a})
    # a UUID with a brand named must be that brand's player
    assert (r.status_code, r.json()["error"]["reason"]) == (404, "player_not_found")
    r = api.get(f"/v1/players/{uid}?brand_id={a}", t.live_key)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "player_not_found")
    assert api.get(f"/v1/players/{uid}?brand_id={b}", t.live_key).status_code == 200
    # the brand is part of an upsert's request, from the query as from the body
    again = {**body, "username": unique("Once"), "idempotency_key": unique("up")}
    assert api.post(f"/v1/players?brand_id={a}", t.live_key, again).status_code == 201
    r = api.post(f"/v1/players?brand_id={b}", t.live_key, again)
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_key_reused", r.text


def test_wrong_json_types_are_refused_not_guessed(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    name = unique("Types")
    r = api.post("/v1/players", t.live_key, {"username": name, "email": f"{name}@example.com"})
    assert r.status_code == 201
    refused = [
        ("/v1/players", {"username": name, "email": f"{name}@example.com", "brand_id": True}),
        ("/v1/players", {"username": name, "email": f"{name}@example.com", "brand_id": "1"}),
        ("/v1/players", {"username": name, "email": f"{name}@example.com", "date_of_birth": "1990-01-01T00:00:00Z"}),
        (f"/v1/players/{name}/flags", {"is_pep": "yes", "reason": "screening"}),
        (f"/v1/players/{name}/flags", {"is_sanctioned": 1, "reason": "screening"}),
        (f"/v1/players/{name}/rg", {"loss_weekly_limit": "1_000"}),
        (f"/v1/players/{name}/rg", {"self_exclusion_permanent": "true"}),
        (f"/v1/players/{name}/deposits", {"amount": "1_000"}),
        (f"/v1/players/{name}/deposits", {"amount": "\u0661\u0662"}),
        (f"/v1/players/{name}/bets", {"amount": "1.00", "ref_id": "t1", "round_id": "r1", "round_closed": "yes"}),
    ]
    for path, body in refused:
        r = api.post(path, t.live_key, body)
        assert r.status_code == 422, (path, body, r.text)
    dossier = api.get(f"/v1/players/{name}", t.live_key).json()["player"]
    assert (dossier["is_pep"], dossier["date_of_birth"], dossier["rg"]["self_exclusion_permanent"]) == (
        False, None, False)  # fmt: skip
    assert api.get(f"/v1/players/{name}/wallet", t.live_key).json()["wallet"]["balances"]["real"] == "0.00"
