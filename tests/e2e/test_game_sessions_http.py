"""Issue 11 #6, game sessions over HTTP against the local stack.

Seed 001 (lines 7, 169): "Players are created by the platform when they first authenticate through a game
provider — you do not create players directly via this API." and "Players are registered automatically when
they first connect through a game provider using a Brand's credentials."
Seed 002 (in-game status): "game_session_id | path | string | true | Unique session ID provider by start game
request.\""""

from __future__ import annotations

import json
from typing import Any

from tests.support import Api, eventually, unique

GS = "/v1/game-sessions"
PASSWORD = "Orion2049x"
NOT_FOUND = {"errMsg": "game session not found"}


def _authenticate(api: Api, key: str, **body: Any) -> Any:
    return api.post(GS, key, {"provider": "acme", "game_id": "slots-1", **body})


def _key(local_stack: Any, tenant_id: str, *args: str) -> str:
    done = local_stack.cli("create-key", "--tenant", tenant_id, "--mode", "live", *args, "--json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["key"])


def test_the_first_authenticate_creates_the_player_then_finds_it(api: Api, local_stack: Any) -> None:
    """Seed 001: "created by the platform when they first authenticate through a game provider"."""
    t = local_stack.tenant()
    name = unique("Gs")
    r = _authenticate(api, t.live_key, brand_id=t.brand_id, username=name, provider="acme")
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["created"] is True and first["game_session_id"].startswith("gs_")
    assert first["player"]["username"] == name and first["player"]["status"] == "active"
    assert (first["currency"], first["wallet"]["currency"]) == ("USD", "USD")
    assert first["wallet"]["balances"]["real"] == "0.00"
    # on the timeline as created by the provider (issue 11 #6), not by the key
    r = api.get(f"/v1/players/{name}/timeline?brand_id={t.brand_id}", t.live_key)
    assert r.status_code == 200, r.text
    (created,) = [e for e in r.json()["events"] if e["type"] == "player_created"]
    assert created["actor"] == "provider:acme"

    # found: 200, the same player, a new session
    r = _authenticate(api, t.live_key, brand_id=t.brand_id, username=name.upper(), provider="other")
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["created"] is False and again["player"]["user_id"] == first["player"]["user_id"]
    assert again["game_session_id"] != first["game_session_id"] and again["provider"] == "other"

    # the same request again (same idempotency_key): the original answer, deduped
    body = {"brand_id": t.brand_id, "username": name, "idempotency_key": unique("auth-")}
    one, two = _authenticate(api, t.live_key, **body), _authenticate(api, t.live_key, **body)
    assert (one.status_code, two.status_code) == (200, 200) and two.json()["deduped"] is True
    assert two.json()["game_session_id"] == one.json()["game_session_id"]


def test_currency_is_one_of_the_brands(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    done = local_stack.cli("brand-settings", "--tenant", t.tenant_id, "--brand-id", str(t.brand_id),
                           "--set", 'currencies=["EUR","BTC"]')  # fmt: skip
    assert done.returncode == 0, done.stderr
    # the authorizer's brand cache: polled (each try creates a throwaway player)
    r = eventually(
        lambda: _authenticate(api, t.live_key, username=unique("Gs")), lambda r: r.json()["currency"] == "EUR"
    )
    assert r.status_code == 201 and r.json()["currency"] == "EUR", r.text
    r = _authenticate(api, t.live_key, username=unique("Gs"), currency="BTC", email="sat@example.com")
    assert r.status_code == 201 and r.json()["wallet"]["currency"] == "BTC", r.text
    assert r.json()["player"]["email"] == "sat@example.com"
    r = _authenticate(api, t.live_key, username=unique("Gs"), currency="USD")
    assert r.status_code == 422 and r.json()["error"]["code"] == "currency_mismatch", r.text
    r = _authenticate(api, t.live_key, username="x", game_id="")
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", r.text


def test_a_blocked_player_gets_the_bets_403_and_no_session(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    name = unique("Gs")
    assert _authenticate(api, t.live_key, username=name).status_code == 201
    r = api.patch(f"/v1/players/{name}/status", t.live_key, {"status": "fraud_hold", "reason": "chargebacks"})
    assert r.status_code == 200, r.text
    blocked = _authenticate(api, t.live_key, username=name)
    bet = api.post(f"/v1/players/{name}/bets", t.live_key, {"amount": "1.00", "ref_id": "b1", "round_id": "r1"})
    assert blocked.status_code == bet.status_code == 403
    assert blocked.json() == bet.json() and blocked.json()["error"]["code"] == "player_blocked"


def test_another_brand_is_404_and_scope_is_wallet_bets(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant(("A", "USD"), ("B", "USD"))
    brand_a, brand_b = (int(b["brand_id"]) for b in t.brands)
    only_a = _key(local_stack, t.tenant_id, "--brand-id", str(brand_a))
    r = _authenticate(api, only_a, brand_id=brand_b, username=unique("Gs"))
    assert r.status_code == 404 and r.json()["error"]["reason"] == "brand_not_found", r.text
    assert _authenticate(api, only_a, brand_id=brand_a, username=unique("Gs")).status_code == 201

    payments = _key(local_stack, t.tenant_id, "--scope", "wallet:payments")
    r = _authenticate(api, payments, brand_id=brand_a, username=unique("Gs"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope", r.text
    bets = _key(local_stack, t.tenant_id, "--scope", "wallet:bets")
    assert _authenticate(api, bets, brand_id=brand_a, username=unique("Gs")).status_code == 201


def _player(api: Api, brand: int) -> tuple[str, dict[str, str]]:
    name = unique("gw")
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD, "first_name": "Peter",
            "last_name": "Quill", "country": "US"}  # fmt: skip
    r = api.post(f"/gateway/admission/v1/register/{brand}", json=body)
    assert r.status_code == 201, r.text
    return name, {"x-auth-token": r.json()["token"]}


def test_start_game_then_in_game_status_for_own_sessions_only(api: Api, local_stack: Any) -> None:
    """Seed 002: "game_session_id — Unique session ID provided by start game request"; any other id: 404."""
    t = local_stack.tenant()
    done = local_stack.cli("brand-settings", "--tenant", t.tenant_id, "--brand-id", str(t.brand_id),
                           "--set", "required_documents=[]")  # fmt: skip
    assert done.returncode == 0, done.stderr
    brand = t.brand_id
    name, me = _player(api, brand)
    _, other = _player(api, brand)
    start = f"/gateway/game/v1/{brand}/start"
    ingame = f"/gateway/online-player/v1/player/{brand}/online/ingame/status/{{}}"

    r = api.post(start, json={"provider": "acme", "game_id": "slots-1"}, headers=me)
    assert r.status_code == 200, r.text
    mine = r.json()
    assert mine == {"game_session_id": mine["game_session_id"], "provider": "acme", "game_id": "slots-1",
                    "currency": "USD"}  # fmt: skip
    r = api.get(ingame.format(mine["game_session_id"]), headers=me)
    assert r.status_code == 200 and "real_balance" in r.json(), r.text

    # the aggregator's session of the same player (the same id format) answers too
    r = _authenticate(api, t.live_key, username=name)
    assert r.status_code == 200, r.text
    assert api.get(ingame.format(r.json()["game_session_id"]), headers=me).status_code == 200

    theirs = api.post(start, json={"provider": "acme", "game_id": "slots-1"}, headers=other).json()
    for sid in ("gs-42", "gs_01jd3x5q8m7n2p4r6t8v0w2y4z", theirs["game_session_id"]):
        r = api.get(ingame.format(sid), headers=me)
        assert (r.status_code, r.json()) == (404, NOT_FOUND), sid

    # bad bodies: the gateway's 400
    r = api.post(start, json={"provider": "acme"}, headers=me)
    assert (r.status_code, r.json()) == (400, {"errMsg": "invalid input"})

    # a player whose state blocks play (not login): 403, no session
    r = api.patch(f"/v1/players/{name}/status", t.live_key, {"status": "aml_hold", "reason": "source of funds"})
    assert r.status_code == 200, r.text
    r = api.post(start, json={"provider": "acme", "game_id": "slots-1"}, headers=me)
    assert r.status_code == 403 and "player is blocked" in r.json()["errMsg"], r.text
