"""The wallet's HTTP edge, through its Lambda handler: a bad amount is refused before any DynamoDB call, the
route resolves the player once and no flow resolves it again, amounts are checked against the currency
once per movement, and every answer is the route's output model."""

from __future__ import annotations

import ast
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pitboss import identity, money, store
from pitboss.identity import profiles
from pitboss.wallet.output import MovementOut, TransactionsPage, WalletEnvelope
from pitboss_local import template
from pitboss_local.runtime import LambdaContext, load_handler
from pitboss_local.sample_events import event_name
from tests.conftest import ROOT, load_event
from tests.wallet_support import Driver

WALLET_ROUTES = [r for r in template.routes() if r.function == "WalletFunction"]
# The routes that name a player in the path (all but the game aggregator's authenticate call, issue 11 #6,
# which names it by username in the body and moves no money).
PLAYER_ROUTES = [r for r in WALLET_ROUTES if "{key}" in r.path]
_instances = iter(range(5000, 6000))


def _handler() -> tuple[Callable[[dict[str, Any], Any], dict[str, Any]], ModuleType]:
    """A fresh instance of the wallet function: its handler and its app module."""
    instance = next(_instances)
    handler = load_handler(template.functions()["WalletFunction"], instance)
    return handler, sys.modules[f"pitboss_fn_WalletFunction_{instance}"]


def _event(route: template.Route, who_context: dict[str, str], key: str, body: Any = None) -> dict[str, Any]:
    """The route's sample event, for this caller and player key (and body, when given)."""
    event = copy.deepcopy(load_event(event_name(route.function, route.method, route.path)))
    params = {**(event.get("pathParameters") or {}), "key": key}
    if "withdrawal_id" in params:
        params["withdrawal_id"] = "wd_01aaaaaaaaaaaaaaaaaaaaaaaa"
    path = route.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    event.update(rawPath=path, pathParameters=params)
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["authorizer"]["lambda"] = who_context
    if body is not None:
        event["body"] = json.dumps(body)
    return event


@pytest.mark.parametrize("amount", ["0", 0, "0.00", "-1", "1e3", "10000000000000000000.00000001"])
def test_a_bad_amount_is_422_before_any_dynamodb_call(moto_table: str, amount: Any) -> None:
    d = Driver()
    route = next(r for r in WALLET_ROUTES if r.path.endswith("/deposits"))
    handler, _ = _handler()
    store.round_trips.count = 0
    response = handler(_event(route, d.who.to_context(), d.user_id, {"amount": amount}), LambdaContext("wallet"))
    assert store.round_trips.count == 0
    assert response["statusCode"] == 422
    error = json.loads(response["body"])["error"]
    assert (error["code"], error["field"]) == ("invalid_amount", "amount")


def test_zero_is_refused_at_the_edge_except_for_wins(moto_table: str) -> None:
    d = Driver()
    d.deposit("5.00")
    d.bet("1.00", rnd="z")
    assert d.win("0", rnd="z", round_closed=True).status == 201
    handler, _ = _handler()
    for route in PLAYER_ROUTES:
        if route.method != "POST" or "withdrawal_id" in route.path or route.path.endswith("/rollbacks"):
            continue
        body = {**json.loads(load_event(event_name(route.function, route.method, route.path))["body"]), "amount": "0"}
        body.pop("idempotency_key", None)
        store.round_trips.count = 0
        response = handler(_event(route, d.who.to_context(), d.user_id, body), LambdaContext("wallet"))
        if route.path.endswith("/wins"):
            assert response["statusCode"] != 422 or "invalid_amount" not in response["body"], response
        else:
            assert (response["statusCode"], store.round_trips.count) == (422, 0), (route.path, response)


def test_every_wallet_route_resolves_the_player_once(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """By username, every wallet route: one resolution (the route's), none in the flows behind it."""
    d = Driver()
    d.deposit("50.00")
    username = identity.load(d.who.realm, d.user_id).username  # type: ignore[union-attr]
    calls: list[str] = []
    real = profiles.resolve_user_id

    def counting(principal: Any, key: str, brand_id: int | None) -> str:
        calls.append(key)
        return real(principal, key, brand_id)

    handler, app_module = _handler()
    monkeypatch.setattr(app_module, "resolve_user_id", counting)
    monkeypatch.setattr(profiles, "resolve_user_id", counting)
    monkeypatch.setattr(identity, "resolve_user_id", counting)
    for route in PLAYER_ROUTES:
        calls.clear()
        response = handler(_event(route, d.who.to_context(), username), LambdaContext("wallet"))
        assert response["statusCode"] < 500, (route.route_key, response)
        assert calls == [username], (route.route_key, response["statusCode"], calls)


def test_no_wallet_flow_resolves_a_player() -> None:
    """The flows get the route's user_id: none of them imports the resolution."""
    wallet = ROOT / "layers" / "shared" / "python" / "pitboss" / "wallet"
    for path in sorted(wallet.glob("*.py")):
        names = {
            alias.name
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert not names & {"resolve_user_id", "load_player"}, path.name


def test_the_currency_check_runs_once_per_movement_not_per_retry(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = Driver()
    d.deposit("10.00")
    reads: list[int] = []
    checks: list[Any] = []
    real_batch_get, real_in_currency = store.batch_get, money.in_currency

    def racing(wanted: Any, **kwargs: Any) -> Any:
        items = real_batch_get(wanted, **kwargs)
        reads.append(1)
        if len(reads) == 1:
            d.deposit("5.00")  # lands between this read and its write: the movement retries
        return items

    def counting(*args: Any, **kwargs: Any) -> Any:
        checks.append(args)
        return real_in_currency(*args, **kwargs)

    monkeypatch.setattr(money, "in_currency", counting)
    monkeypatch.setattr(store, "batch_get", racing)
    d.deposit("2.50")
    monkeypatch.undo()
    assert len(reads) == 3  # the movement's first read, the racing deposit's read, the retry's read
    assert len(checks) == 2  # one for the racing deposit, one for the retried movement (not one per attempt)
    assert d.wallet()["balances"]["real"] == "17.50"


def test_answers_are_the_routes_output_models(moto_table: str) -> None:
    """Every answer a wallet route gives parses as its documented model (response validation checks
    the same at the edge); absent optional fields are omitted, never null."""
    d = Driver()
    out = d.deposit("10.00", psp_ref="psp-9")
    assert MovementOut.model_validate(out.body).transaction.psp_ref == "psp-9"
    bet = d.bet("1.00", rnd="m", game_id="g1")
    parsed = MovementOut.model_validate(bet.body)
    assert (parsed.transaction.provider, parsed.transaction.game_id) == ("default", "g1")
    assert "withdrawal_id" not in bet.body["transaction"] and "deduped" not in bet.body
    assert parsed.model_dump(mode="json") == bet.body
    replay = d.bet("1.00", ref=bet.body["transaction"]["ref_id"], rnd="m", game_id="g1")
    assert MovementOut.model_validate(replay.response_body()).deduped is True
    from pitboss.wallet import queries

    assert isinstance(queries.get_wallet(d.who, d.user_id), WalletEnvelope)
    page = queries.list_transactions(d.who, d.user_id, 5, None)
    assert isinstance(page, TransactionsPage) and page.transactions[0].seq == 2


def test_the_optional_outcome_body_is_documented_as_an_optional_model() -> None:
    spec = json.loads(_handler()[1].app.get_openapi_json_schema())
    for outcome in ("complete", "cancel"):
        body = spec["paths"][f"/v1/players/{{key}}/withdrawals/{{withdrawal_id}}/{outcome}"]["post"]["requestBody"]
        assert not body.get("required")
        schema = body["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/WithdrawalOutcomeIn") and "anyOf" not in schema
    transaction = spec["components"]["schemas"]["TransactionOut"]["properties"]
    for name in ("psp_ref", "provider", "game_id", "bonus_id", "withdrawal_id", "status"):
        assert name in transaction, name


def test_sample_events_still_cover_every_wallet_route() -> None:
    assert {r.route_key for r in WALLET_ROUTES} and all(
        (Path(ROOT) / "events" / f"{event_name(r.function, r.method, r.path)}.json").exists() for r in WALLET_ROUTES
    )
