"""Issue 10 #2: "A replay must be answered only to a caller that may see the player; anyone else gets exactly
what they would get without the key (404). Test it for every write route family."

Idempotency keys are shared by every API key of a realm. A key limited to brand 1 re-sends, word for word,
requests another key made for a brand-2 player (each with its idempotency_key): through the Lambda handlers of
the players and wallet functions, every /v1 write route answers it exactly as it answers the same request
without the key, never with the stored answer."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from typing import Any

import pytest

from pitboss import idempotency, tenancy
from pitboss_local import sample_events, template
from pitboss_local.runtime import LambdaContext, load_handler
from tests.conftest import ROOT
from tests.support import make_tenant, unique

ROUTES = {(r.method, r.path): r for r in template.routes()}
_instances = iter(range(7000, 8000))
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _handlers() -> dict[str, Handler]:
    return {
        name: load_handler(template.functions()[name], next(_instances))
        for name in ("PlayersFunction", "WalletFunction")
    }


def _call(
    handlers: dict[str, Handler],
    who: tenancy.Principal,
    method: str,
    path: str,
    body: dict[str, Any],
    **values: str,
) -> tuple[int, dict[str, Any]]:
    route = ROUTES[(method, path)]
    event = sample_events.http_event(route, body, path_values=values)
    event["requestContext"]["authorizer"]["lambda"] = who.to_context()
    response = handlers[route.function](event, LambdaContext(function_name=route.function))
    return int(response["statusCode"]), json.loads(response["body"])


# Every /v1 write route with a player in its path, in an order one player can take, with the request's body.
P = "/v1/players/{key}"
STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", f"{P}/kyc", {"kyc_status": "approved", "kyc_level": 2, "reason": "passport verified"}),
    ("POST", f"{P}/rg", {"deposit_daily_limit": 1000}),
    ("POST", f"{P}/flags", {"risk_band": "high", "is_pep": True, "reason": "screening hit"}),
    ("POST", f"{P}/tags", {"add": ["vip"]}),
    ("POST", f"{P}/notes", {"text": "called about a deposit"}),
    ("POST", f"{P}/deposits", {"amount": "100.00"}),
    ("POST", f"{P}/bets", {"amount": "1.00", "ref_id": "bet-1", "round_id": "round-1"}),
    ("POST", f"{P}/wins", {"amount": "2.00", "ref_id": "win-1", "round_id": "round-1", "round_closed": True}),
    ("POST", f"{P}/bets", {"amount": "1.00", "ref_id": "bet-2", "round_id": "round-2"}),
    ("POST", f"{P}/rollbacks", {"ref_id": "bet-2"}),
    ("POST", f"{P}/bonuses", {"amount": "5.00", "wagering_multiplier": "1"}),
    ("POST", f"{P}/winz", {"amount": "10", "action": "grant"}),
    ("POST", f"{P}/withdrawals", {"amount": "10.00"}),
    ("POST", f"{P}/withdrawals/{{withdrawal_id}}/complete", {}),
    ("POST", f"{P}/withdrawals", {"amount": "10.00"}),
    ("POST", f"{P}/withdrawals/{{withdrawal_id}}/cancel", {}),
    ("PATCH", f"{P}/status", {"status": "suspended", "reason": "document check"}),
]


@pytest.fixture
def two_brands(moto_table: str) -> tuple[tenancy.Principal, tenancy.Principal, tenancy.Principal]:
    """The tenant's full key, a key limited to brand 1, and a key limited to brand 2."""
    t = make_tenant(("One", "USD"), ("Two", "USD"))
    one, two = (int(b["brand_id"]) for b in t.brands)
    full = tenancy.authenticate(f"Bearer {t.live_key}")
    only_one = tenancy.authenticate(f"Bearer {tenancy.create_key(t.tenant_id, 'live', brand_ids=[one])[0]}")
    only_two = tenancy.authenticate(f"Bearer {tenancy.create_key(t.tenant_id, 'live', brand_ids=[two])[0]}")
    return full, only_one, only_two


def _player(handlers: dict[str, Handler], who: tenancy.Principal, brand_id: int) -> str:
    name = unique("vis")
    body = {"username": name, "email": f"{name}@example.com", "date_of_birth": "1990-01-01", "brand_id": brand_id}
    status, answer = _call(handlers, who, "POST", "/v1/players", body)
    assert status == 201, answer
    # Issue 10 #6: a keyless write is answered with the auto-generated key it was recorded under.
    assert answer["idempotency_key"].startswith("auto-")
    return str(answer["player"]["user_id"])


def test_no_write_route_replays_a_brand_2_answer_to_a_brand_1_key(two_brands: Any) -> None:
    full, only_one, _ = two_brands
    handlers = _handlers()
    victim = _player(handlers, full, max(full.visible_brand_ids()))
    withdrawal_id = ""
    covered: set[tuple[str, str]] = set()
    for n, (method, path, body) in enumerate(STEPS):
        values = {"key": victim, "withdrawal_id": withdrawal_id}
        sent = {**body, "idempotency_key": f"vis-{n}-{unique()}"}
        status, original = _call(handlers, full, method, path, sent, **values)
        assert status in (200, 201), (path, original)
        assert original["idempotency_key"] == sent["idempotency_key"], (path, original)  # issue 10 #6
        withdrawal_id = str(original.get("withdrawal", {}).get("id", withdrawal_id))

        replayed = _call(handlers, only_one, method, path, sent, **values)
        without_key = _call(handlers, only_one, method, path, body, **values)
        assert without_key[0] == 404, (path, without_key)
        assert replayed == without_key, (path, replayed)
        covered.add((method, path))
    writes = {
        (r.method, r.path)
        for r in template.routes()
        if r.path.startswith(P)
        and r.method in ("POST", "PATCH")
        and r.function in ("PlayersFunction", "WalletFunction")
    }
    assert writes == covered, f"write routes this test does not cover: {writes - covered}"


def test_every_route_hands_the_principal_to_idempotency() -> None:
    """The other /v1 write families (engines' activity, lootboxes) get the same check from the kernel, as long
    as their routes pass the Principal, not its bare realm (which means an internal caller seeing every brand)."""
    realm_only = []
    for path in sorted((ROOT / "functions").glob("*/app.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "begin" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Attribute) and first.attr == "realm":
                    realm_only.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not realm_only, f"pass the Principal to idempotency.begin: {realm_only}"


def test_a_replay_is_answered_to_any_key_that_may_see_the_player(two_brands: Any) -> None:
    """The record belongs to the player's brand, not to the key that wrote it: another key of that brand
    retrying the same request (a second worker of the same integration) gets the original answer."""
    full, _, only_two = two_brands
    handlers = _handlers()
    victim = _player(handlers, full, max(full.visible_brand_ids()))
    sent = {"amount": "25.00", "idempotency_key": unique("dep-")}
    first = _call(handlers, full, "POST", f"{P}/deposits", sent, key=victim)
    again = _call(handlers, only_two, "POST", f"{P}/deposits", sent, key=victim)
    assert first[0] == 201 and again[0] == 200 and again[1]["deduped"] is True
    assert again[1]["transaction"] == first[1]["transaction"]


def test_a_foreign_key_on_a_visible_player_is_a_409_that_shows_nothing_of_the_stored_answer(two_brands: Any) -> None:
    """The brand-1 key re-sends the brand-2 request's idempotency_key for its own player: the key is taken
    (409, as for any reuse with another request), and the answer carries nothing of the other request."""
    full, only_one, _ = two_brands
    handlers = _handlers()
    victim = _player(handlers, full, max(full.visible_brand_ids()))
    mine = _player(handlers, only_one, min(full.visible_brand_ids()))
    key = unique("idem-")
    status, _ = _call(handlers, full, "POST", f"{P}/tags", {"add": ["vip"], "idempotency_key": key}, key=victim)
    assert status == 200
    status, answer = _call(handlers, only_one, "POST", f"{P}/tags", {"add": ["vip"], "idempotency_key": key}, key=mine)
    assert status == 409 and answer["error"]["code"] == "idempotency_key_reused"
    assert victim not in json.dumps(answer)


def test_the_upsert_of_another_brand_is_404_with_or_without_the_key(two_brands: Any) -> None:
    full, only_one, _ = two_brands
    handlers = _handlers()
    name = unique("up")
    body = {"username": name, "email": f"{name}@example.com", "brand_id": max(full.visible_brand_ids())}
    sent = {**body, "idempotency_key": unique("up-")}
    assert _call(handlers, full, "POST", "/v1/players", sent)[0] == 201
    replayed = _call(handlers, only_one, "POST", "/v1/players", sent)
    assert replayed[0] == 404 and replayed == _call(handlers, only_one, "POST", "/v1/players", body)


def test_a_record_names_the_brand_of_its_player(two_brands: Any) -> None:
    """The stored record carries the player's brand, so the check does not depend on what a later read finds."""
    from pitboss import keys, store

    full, _, _ = two_brands
    handlers = _handlers()
    brand = max(full.visible_brand_ids())
    victim = _player(handlers, full, brand)
    key = unique("rec-")
    _call(handlers, full, "POST", f"{P}/tags", {"add": ["x"], "idempotency_key": key}, key=victim)
    record = store.get(keys.idempotency_pk(full.realm, key), "IDEM")
    assert record is not None and int(record["brand_id"]) == brand


def test_an_internal_caller_given_a_realm_sees_every_brand() -> None:
    request = idempotency.begin("T#t#live", "k", "POST", "/x", {})
    assert request.brands is None and request.may_see(7)
