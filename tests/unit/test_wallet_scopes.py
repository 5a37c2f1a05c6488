"""Issue 10 #3, least-privilege wallet scopes: "Split it: `wallet:bets` (bets, wins, rollbacks), `wallet:payments`
(deposits, withdrawals and their outcomes), `wallet:bonuses` (bonuses, winz). `wallet:write` stays as the union
(existing keys keep working) and `*` as everything. Each route checks its own scope (403 otherwise) ... A key
record with an empty scope list has no scope at all (fail closed)." Over the wallet's Lambda handler."""

from __future__ import annotations

import json

import pytest

from pitboss import tenancy
from pitboss_local.runtime import LambdaContext
from tests.unit.test_wallet_edge import WALLET_ROUTES, _event, _handler
from tests.wallet_support import Driver

FAMILY = {
    "deposits": "wallet:payments",
    "withdrawals": "wallet:payments",
    "complete": "wallet:payments",
    "cancel": "wallet:payments",
    "bets": "wallet:bets",
    "wins": "wallet:bets",
    "rollbacks": "wallet:bets",
    "bonuses": "wallet:bonuses",
    "winz": "wallet:bonuses",
    "wallet": "wallet:read",
    "transactions": "wallet:read",
    "game-sessions": "wallet:bets",  # issue 11 #6: a game provider's authenticate call
}


def _scope_of(path: str) -> str:
    return FAMILY[path.rstrip("/").rsplit("/", 1)[-1]]


def test_every_wallet_route_has_a_known_scope() -> None:
    assert {_scope_of(r.path) for r in WALLET_ROUTES} == {
        "wallet:payments",
        "wallet:bets",
        "wallet:bonuses",
        "wallet:read",
    }


@pytest.mark.parametrize(
    "scopes",
    [["wallet:bets"], ["wallet:payments"], ["wallet:bonuses"], ["wallet:read"], ["wallet:write"], ["*"], []],
    ids=["bets", "payments", "bonuses", "read", "write", "star", "empty"],
)
def test_each_route_checks_its_own_scope(moto_table: str, scopes: list[str]) -> None:
    d = Driver()
    raw, record = tenancy.create_key(d.tenant.tenant_id, "live", scopes=scopes)
    assert record["scopes"] == scopes  # an empty list is stored as such, never widened to *
    who = tenancy.authenticate(f"Bearer {raw}")
    handler, _ = _handler()
    for route in WALLET_ROUTES:
        needed = _scope_of(route.path)
        allowed = "*" in scopes or needed in scopes or ("wallet:write" in scopes and needed != "wallet:read")
        response = handler(_event(route, who.to_context(), d.user_id), LambdaContext("wallet"))
        if allowed:
            assert response["statusCode"] != 403, (route.path, scopes, response)
        else:
            assert response["statusCode"] == 403, (route.path, scopes, response)
            error = json.loads(response["body"])["error"]
            # The route's own scope; a key with no wallet write scope at all is stopped before the body is read,
            # and then hears every scope that could write.
            assert error["code"] == "insufficient_scope" and needed in error["scope"].split(), (route.path, error)


def test_a_bets_only_key_cannot_grant_a_bonus_or_withdraw(moto_table: str) -> None:
    # The reproduction: a game provider's credential granted a bonus with wagering_multiplier 0 and
    # withdrew it.
    d = Driver()
    raw, _ = tenancy.create_key(d.tenant.tenant_id, "live", scopes=["wallet:bets"])
    who = tenancy.authenticate(f"Bearer {raw}")
    handler, _ = _handler()
    by_tail = {r.path.rsplit("/", 1)[-1]: r for r in WALLET_ROUTES}
    bonus = {"amount": "100.00", "wagering_multiplier": 0}
    for tail, body in (("bonuses", bonus), ("withdrawals", {"amount": "100.00"})):
        response = handler(_event(by_tail[tail], who.to_context(), d.user_id, body), LambdaContext("wallet"))
        assert response["statusCode"] == 403, response
    assert d.wallet()["balances"]["bonus"] == "0.00"
