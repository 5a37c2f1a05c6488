"""Issue 10 #6 IAM: the gateway, players and console functions touch only the partitions they need, by
`dynamodb:LeadingKeys` (never API keys `KEY#`, and the gateway and players never the tenant's partition
`TENANT#`: operators, key ids, console policies).

Three checks keep the policies true as the code grows: the template's conditions equal the table below; every
partition-key prefix the layer can build is in the table (a new item kind fails here until someone decides
which functions may touch it); and the gateway's and players' flows, run on moto, touch only their prefixes."""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pitboss import store
from pitboss_local import template
from tests.support import make_tenant, unique

LAYER = Path(__file__).resolve().parents[2] / "layers/shared/python/pitboss"

# Every partition-key prefix the layer builds (table or index partition key) and what lives there.
PARTITIONS = {
    "T#": "a tenant realm T#{tenant}#{mode}: players, wallets, ledger, timeline, idempotency, outbox, counters",
    "TENANT#": "a tenant: its record, brands, key ids, operators, console policy, audit records",
    "KEY#": "an API key record by the key's hash (the authorizer's)",
    "BRAND#": "a brand's public pointer (carries a copy of the brand for the gateway)",
    "SESSION#": "a player's gateway session by the token's hash",
    "WPK#": "a brand's publishable key by the key's hash (the gateway's test-realm selector)",
    "LINK#": "a gateway link (activation, reset, e-mail change) by the token's hash",
    "LOCAL#": "the local stack's developer mailbox (never written when deployed)",
    "OPSESSION#": "an operator's console session by the token's hash",
    "OPEMAIL#": "an operator's e-mail pointer (sign-in)",
    "COUNTER#": "global counters (team and brand ids; the CLI creates tenants)",
    "AUDIT#": "index `audit`: a tenant's operator actions",
    "DUE": "index `due`: players with an RG expiry or a pending limit (the scheduler's)",
    "WHDUE#": "index `lists`: webhook deliveries due, by shard (the delivery worker's)",
    "RECON#": "reconciliation's touched-wallet markers, by shard (the stream sink writes, the job reads)",
    "SEEN#": "the stream sinks' once-markers (a redelivered record counts nothing twice), with a TTL",
}

# The partitions each scoped function may touch (its policy's LeadingKeys are exactly these, plus "*").
FUNCTIONS = {
    "GatewayFunction": {"T#", "BRAND#", "SESSION#", "LINK#", "WPK#"},
    "PlayersFunction": {"T#"},
    "ConsoleFunction": {"T#", "TENANT#", "KEY#", "BRAND#", "SESSION#", "LINK#", "OPSESSION#", "OPEMAIL#", "AUDIT#"},
}


def _dynamodb_statements(function: str) -> list[dict[str, Any]]:
    policies = template.load()["Resources"][function]["Properties"]["Policies"]
    statements = [s for p in policies if isinstance(p, dict) and "Statement" in p for s in p["Statement"]]
    return [s for s in statements if any(str(a).startswith("dynamodb:") for a in s["Action"])]


def _leading_keys(function: str) -> list[str]:
    statements = _dynamodb_statements(function)
    assert statements
    found: list[str] | None = None
    for statement in statements:
        condition = statement.get("Condition", {}).get("ForAllValues:StringLike", {})
        assert "dynamodb:LeadingKeys" in condition, f"{function}: a DynamoDB statement without LeadingKeys"
        patterns = list(condition["dynamodb:LeadingKeys"])
        assert found is None or found == patterns
        found = patterns
    assert found is not None
    return found


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_the_template_scopes_each_function_to_its_partitions(function: str) -> None:
    assert set(_leading_keys(function)) == {f"{prefix}*" for prefix in FUNCTIONS[function]}
    assert FUNCTIONS[function] <= set(PARTITIONS)


def test_the_gateway_and_players_never_touch_keys_or_tenants() -> None:
    for function in ("GatewayFunction", "PlayersFunction"):
        assert not {"KEY#", "TENANT#", "LOCAL#"} & FUNCTIONS[function]
    assert "KEY#" in FUNCTIONS["ConsoleFunction"]  # the console creates and revokes keys


def _prefix(node: ast.expr, source: str) -> str | None:
    """The partition prefix an expression builds: a literal's text to its first '#', a realm f-string's
    "T#"; None for a call (another builder, checked where it is defined)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        return text[: text.index("#") + 1] if "#" in text else text
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return _prefix(head, source)
        assert isinstance(head, ast.FormattedValue)
        expression = ast.get_source_segment(source, head.value) or ""
        if "realm" in expression:
            return "T#"
        if isinstance(head.value, ast.Call):
            return None
        if isinstance(head.value, ast.Name):  # a module constant, e.g. DUE_PREFIX = "WHDUE#"
            for node in ast.parse(source).body:
                if (
                    isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == head.value.id for t in node.targets)
                    and isinstance(node.value, ast.Constant)
                ):
                    return _prefix(node.value, source)
        return f"?{expression}"
    return None


def _built_prefixes() -> dict[str, set[str]]:
    """prefix -> where: key builders (`*_pk` functions, `*_PK` constants), `"pk": ...` in item literals and
    store calls whose first argument is a literal key."""
    found: dict[str, set[str]] = {}
    for path in LAYER.rglob("*.py"):
        source = path.read_text()
        where = str(path.relative_to(LAYER))
        candidates: list[ast.expr] = []
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name.endswith("pk"):
                candidates += [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.endswith("_PK") for t in node.targets
            ):
                candidates.append(node.value)
            elif isinstance(node, ast.Dict):
                candidates += [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "pk"
                ]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "store"
                and node.args
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
            ):
                candidates.append(node.args[0])
        for candidate in candidates:
            prefix = _prefix(candidate, source)
            if prefix is not None:
                found.setdefault(prefix, set()).add(where)
    return found


def test_every_partition_the_layer_builds_is_in_the_table() -> None:
    built = _built_prefixes()
    assert {"T#", "KEY#", "SESSION#", "LINK#", "BRAND#", "TENANT#"} <= set(built)  # the scan sees them
    unknown = {prefix: sorted(where) for prefix, where in built.items() if prefix not in PARTITIONS}
    assert not unknown, (
        f"new partitions: add them to PARTITIONS and to the functions (template.yaml) that need them: {unknown}"
    )


# ---- the flows on moto touch only their function's partitions ------------------------------------


def _keys_of(params: dict[str, Any]) -> Iterator[str]:
    def pk(item: dict[str, Any]) -> str:
        return str(item["pk"]["S"])

    if "Key" in params:
        yield pk(params["Key"])
    if "Item" in params:
        yield pk(params["Item"])
    for request in (params.get("RequestItems") or {}).values():
        yield from (pk(k) for k in request.get("Keys", []))
    for op in params.get("TransactItems") or []:
        for body in op.values():
            yield pk(body.get("Key") or body["Item"])
    if "KeyConditionExpression" in params:
        yield str(params["ExpressionAttributeValues"][":pk"]["S"])


class Recorder:
    def __init__(self) -> None:
        self.pks: list[str] = []
        self.on = False

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        if self.on:
            self.pks.extend(_keys_of(params))

    def outside(self, function: str) -> list[str]:
        allowed = _leading_keys(function)
        return sorted({pk for pk in self.pks if not any(fnmatch.fnmatchcase(pk, p) for p in allowed)})


@pytest.fixture
def recorder(moto_table: str) -> Recorder:
    seen = Recorder()
    store.client().meta.events.register("before-parameter-build.dynamodb.*", seen)
    return seen


def test_the_gateways_flows_touch_only_its_partitions(recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the gateway read its brand from the tenant's partition (TENANT#{id} / BRAND#{id})."""
    from pitboss import bus
    from pitboss.settings import reset_settings
    from tests.gateway_support import call, register

    brand = make_tenant().brand_id
    # As deployed: no developer mailbox (LOCAL#OUTBOX), messages to the bus
    monkeypatch.setattr(bus, "publish", lambda *_: True)
    monkeypatch.setenv("STAGE", "prod")
    reset_settings()
    recorder.on = True
    name = unique("gw")
    token = register(brand, name)["token"]
    assert (
        call("POST", f"/gateway/admission/v1/login/{brand}", {"username": name, "password": "Orion2049x"}).status == 200
    )
    assert call("GET", f"/gateway/player-personal-details/player/details/v1/{brand}", token=token).status == 200
    status = call("GET", f"/gateway/online-player/v1/player/{brand}/online/status", token=token)
    assert (status.status, status.json()) == (401, {"result": "TNC_APPROVAL_REQUIRED"})  # reads session and player
    forgot = call("POST", f"/gateway/admission/v1/forgot/password/{brand}", {"mail": f"{name}@example.com"})
    assert forgot.status < 300, forgot.text
    assert call("POST", f"/gateway/admission/v1/logout/{brand}", token=token).status == 204
    assert len(recorder.pks) > 10
    assert recorder.outside("GatewayFunction") == []
    monkeypatch.delenv("STAGE")
    reset_settings()


def test_the_players_flows_touch_only_the_realm(recorder: Recorder) -> None:
    from tests.dossier_support import SAMPLE, dossier_of, new_player, principal, timeline, write

    who = principal(make_tenant().live_key)  # the authorizer's read (KEY#), not the function's
    recorder.on = True
    player = new_player(who, date_of_birth="1990-01-01")  # the SAMPLE approves KYC (issue 11 #3)
    for name, body in SAMPLE.items():
        write(who, name, player["user_id"], body)
    assert dossier_of(who, player["username"])["user_id"] == player["user_id"]
    assert timeline(who, player["user_id"])["events"]
    assert len(recorder.pks) > 10
    assert recorder.outside("PlayersFunction") == []
