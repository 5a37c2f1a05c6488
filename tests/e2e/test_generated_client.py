"""Issue 9: a client generated with openapi-python-client from the served /v1/openapi.json runs the README's
operator flow (upsert, dossier, deposit, bet, win, wallet, transactions, RG, timeline; 401/404/409/422 parsed)
and gateway flow (register, login, details, status, logout), typed. Generated per session into a temporary
directory (never committed): the document, not hand-written code, must be enough."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import BIN, unique

PACKAGE = "pitboss_client"


@pytest.fixture(scope="session")
def client_package(local_stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    where = tmp_path_factory.mktemp("generated-client")
    document = where / "openapi.json"
    document.write_bytes(requests.get(f"{local_stack.url}/v1/openapi.json", timeout=30).content)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff post-hook
    done = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(document), "--meta", "none",
         "--output-path", str(where / PACKAGE)],
        capture_output=True, text=True, timeout=300, check=False, cwd=where, env=env,
    )  # fmt: skip
    assert done.returncode == 0 and (where / PACKAGE / "client.py").exists(), done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(name: str) -> Any:
    """A generated operation module by its operationId's start (the generator appends path and method)."""
    group, _, op = name.partition(".")
    package = importlib.import_module(f"{PACKAGE}.api.{group}")
    found = [m for m in os.listdir(Path(package.__file__).parent) if m.startswith(f"{op}_") and m.endswith(".py")]
    assert len(found) == 1, (name, found)
    return importlib.import_module(f"{PACKAGE}.api.{group}.{found[0][:-3]}")


def test_the_operator_flow_through_the_generated_client(local_stack: Any, client_package: Any) -> None:
    from pitboss_client import models
    from pitboss_client.client import AuthenticatedClient

    t = local_stack.tenant()
    api = AuthenticatedClient(base_url=local_stack.url, token=t.test_key, raise_on_unexpected_status=True)
    name = unique("Gen")

    r = _api("players.upsert_player").sync_detailed(
        client=api, body=models.PlayerUpsert(username=name, email=f"{name}@example.com")
    )
    assert r.status_code == 201 and isinstance(r.parsed, models.PlayerEnvelope)
    user_id = r.parsed.player.user_id
    dossier = _api("players.get_player").sync_detailed(name, client=api).parsed
    assert isinstance(dossier, models.PlayerEnvelope) and dossier.player.user_id == user_id

    moved = _api("wallet.deposit").sync_detailed(user_id, client=api, body=models.DepositIn(amount="50.00")).parsed
    assert isinstance(moved, models.MovementOut) and Decimal(moved.wallet.balances.real) == Decimal("50.00")
    bet = models.BetIn(amount="10.00", ref_id="g-bet-1", round_id="g-round-1")
    moved = _api("wallet.bet").sync_detailed(user_id, client=api, body=bet).parsed
    assert isinstance(moved, models.MovementOut) and Decimal(moved.wallet.balances.real) == Decimal("40.00")
    win = models.WinIn(amount="25.50", ref_id="g-win-1", round_id="g-round-1", round_closed=True)
    moved = _api("wallet.win").sync_detailed(user_id, client=api, body=win).parsed
    assert isinstance(moved, models.MovementOut) and Decimal(moved.wallet.balances.real) == Decimal("65.50")

    wallet = _api("wallet.get_wallet").sync_detailed(user_id, client=api).parsed
    assert isinstance(wallet, models.WalletEnvelope) and Decimal(wallet.wallet.balances.real) == Decimal("65.50")
    page = _api("wallet.transactions").sync_detailed(user_id, client=api).parsed
    assert isinstance(page, models.TransactionsPage) and page.total == 3
    rg = (
        _api("players.set_rg")
        .sync_detailed(user_id, client=api, body=models.RgUpdate(deposit_daily_limit="250.00"))
        .parsed
    )
    assert isinstance(rg, models.PlayerEnvelope)
    timeline = _api("players.get_timeline").sync_detailed(user_id, client=api).parsed
    assert isinstance(timeline, models.TimelinePage)
    assert "player_created" in [e.type_ for e in timeline.events]

    # the refusals parse into the documented error body
    anonymous = AuthenticatedClient(base_url=local_stack.url, token="wsk_test_nope", raise_on_unexpected_status=True)
    r401 = _api("players.get_player").sync_detailed(name, client=anonymous)
    assert r401.status_code == 401 and isinstance(r401.parsed, models.ErrorBody)
    r404 = _api("players.get_player").sync_detailed(unique("nobody"), client=api)
    assert r404.status_code == 404 and isinstance(r404.parsed, models.ErrorBody)
    assert r404.parsed.error.code == "player_not_found"
    other = models.BetIn(amount="1.00", ref_id="g-bet-1", round_id="g-round-2")  # a used ref, another body
    r409 = _api("wallet.bet").sync_detailed(user_id, client=api, body=other)
    assert r409.status_code == 409 and isinstance(r409.parsed, models.ErrorBody)
    r422 = _api("wallet.deposit").sync_detailed(user_id, client=api, body=models.DepositIn(amount="-1"))
    assert r422.status_code == 422 and isinstance(r422.parsed, models.ErrorBody)
    assert r422.parsed.error.code == "invalid_amount"


def test_the_gateway_flow_through_the_generated_client(local_stack: Any, client_package: Any) -> None:
    from pitboss_client import models
    from pitboss_client.client import AuthenticatedClient, Client

    brand = int(local_stack.demo["brands"][0]["brand_id"])
    v1 = models.GatewayVersion("v1")
    anonymous = Client(base_url=local_stack.url, raise_on_unexpected_status=True)
    name = unique("gc")
    body = models.RegisterIn(username=name, email=f"{name}@example.com", password="Orion2049x")
    registered = _api("gateway.register").sync_detailed(v1, brand, client=anonymous, body=body)
    assert registered.status_code == 201 and isinstance(registered.parsed, models.GwTokenOut)
    login = _api("gateway.login").sync_detailed(
        v1, brand, client=anonymous, body=models.LoginIn(username=name, password="Orion2049x")
    )
    assert login.status_code == 200 and isinstance(login.parsed, models.GwTokenOut), login.content
    token = login.parsed.token
    player = AuthenticatedClient(
        base_url=local_stack.url,
        token=token,
        prefix="",
        auth_header_name="x-auth-token",
        raise_on_unexpected_status=True,
    )
    details = _api("gateway.get_details").sync_detailed(v1, brand, client=player)
    assert details.status_code == 200 and isinstance(details.parsed, models.DetailsOut)
    status = _api("gateway.online_status").sync_detailed(v1, brand, client=player)
    assert status.status_code == 401 and isinstance(status.parsed, models.GwResultCode)  # seed 002 401 codes
    assert status.parsed.result == "INCOMPLETE_REGISTRATION"  # registered without step two (names)
    out = _api("gateway.logout").sync_detailed(v1, brand, client=player)
    assert out.status_code == 204 and out.parsed is None  # a 204 has no body to parse
