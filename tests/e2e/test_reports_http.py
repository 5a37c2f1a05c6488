"""Audit chain verification and usage over HTTP, against `pitboss dev` (issue 14 §5 and §3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3

from pitboss_local import stack
from tests.support import Api, unique


def _player(api: Api, key: str) -> dict[str, Any]:
    name = unique("Aud")
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com"})
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


def _table(local_stack: Any) -> tuple[Any, str]:
    info = json.loads(stack.stack_file(local_stack.data_dir).read_text())
    client = boto3.client("dynamodb", endpoint_url=info["dynamodb_endpoint"], region_name="us-east-1")
    return client, str(info["table_name"])


def test_verify_reports_ok_then_the_edited_event_over_http_and_the_cli(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant(("Aud", "EUR"))
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    assert api.post(f"{base}/deposits", t.live_key, {"amount": "20.00"}).status_code == 201
    assert api.post(f"{base}/bets", t.live_key, {"amount": "5", "ref_id": "b1", "round_id": "r1"}).status_code == 201
    r = api.patch(f"{base}/status", t.live_key, {"status": "suspended", "reason": "checks"})
    assert r.status_code == 200, r.text
    ok = api.get(f"{base}/audit/verify", t.live_key)
    assert ok.status_code == 200, ok.text
    # "`{"ok": true, "checked": N}`": created + status events, deposit event and entry, bet entry
    assert ok.json() == {"ok": True, "checked": 5, "unchained": 0}
    # Another mode's key, and a key without players:read, see nothing.
    assert api.get(f"{base}/audit/verify", t.test_key).status_code == 404
    assert api.get(f"/v1/players/{p['username']}/audit/verify", t.live_key).json()["ok"] is True

    # "A test edits a stored event in DynamoDB Local and sees the break reported."
    client, table = _table(local_stack)
    pk = f"T#{t.tenant_id}#live#P#{p['user_id']}"
    events = client.query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
        ExpressionAttributeValues={":pk": {"S": pk}, ":e": {"S": "EVT#"}},
    )["Items"]
    status = next(e for e in events if e["type"]["S"] == "status_changed")
    client.update_item(
        TableName=table,
        Key={"pk": status["pk"], "sk": status["sk"]},
        UpdateExpression="SET #d.#r = :r",
        ExpressionAttributeNames={"#d": "data", "#r": "reason"},
        ExpressionAttributeValues={":r": {"S": "rewritten"}},
    )
    broken = api.get(f"{base}/audit/verify", t.live_key)
    assert broken.status_code == 200
    body = broken.json()
    assert body["ok"] is False and body["checked"] == 5
    assert body["first_broken"]["reason"] == "content_changed"
    assert (body["first_broken"]["kind"], body["first_broken"]["id"]) == ("event", status["id"]["S"])
    assert "pk" not in body["first_broken"] and "sk" not in body["first_broken"]

    done = local_stack.cli("verify-chain", "--tenant", t.tenant_id, "--json")
    assert done.returncode == 1, done.stderr
    out = json.loads(done.stdout)
    assert out["players"] == 1 and out["broken"] == 1
    assert out["results"][0]["user_id"] == p["user_id"]
    assert out["results"][0]["first_broken"]["id"] == status["id"]["S"]


def test_usage_counts_requests_per_surface_and_class_live_billable_test_not(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant(("Use", "USD"))
    today = datetime.now(UTC).date().isoformat()
    p = _player(api, t.live_key)  # 1 v1 write
    for _ in range(3):
        assert api.get(f"/v1/players/{p['user_id']}", t.live_key).status_code == 200  # 3 v1 reads
    assert api.get("/api/player/list", t.live_key).status_code == 200  # 1 back-office read
    assert api.get(f"/v1/players/{p['user_id']}", None).status_code == 401  # not counted: no caller
    r = api.get(f"/v1/usage?from={today}&to={today}", t.live_key)  # this read is counted before it reads
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["tenant_id"], body["mode"], body["billable"]) == (t.tenant_id, "live", True)
    (day,) = body["days"]
    assert day["date"] == today
    assert day["requests"] == {"v1": {"read": 4, "write": 1}, "api": {"read": 1, "write": 0}}
    assert day["requests_total"] == 6 and body["total"]["requests_total"] == 6
    assert isinstance(day["ledger_entries"], int) and isinstance(day["active_players"], int)
    test = api.get(f"/v1/usage?from={today}&to={today}", t.test_key).json()
    assert (test["mode"], test["billable"], test["total"]["requests_total"]) == ("test", False, 1)
    bad = api.get(f"/v1/usage?from={today}&to=2020-01-01", t.live_key)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_range"
    assert api.get("/v1/usage?from=nope&to=2020-01-01", t.live_key).status_code == 422

    month = today[:7]
    done = local_stack.cli("usage", "--tenant", t.tenant_id, "--month", month, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["live"]["billable"] is True and out["test"]["billable"] is False
    # 3 dossier reads, 3 usage reads (two of them refused with 422 after the caller was known: counted)
    assert out["live"]["total"]["requests"]["v1"] == {"read": 6, "write": 1}


def test_ggr_report_as_json_and_csv_and_isolated(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant(("Ggr", "EUR"))
    today = datetime.now(UTC).date().isoformat()
    path = f"/v1/reports/ggr?brand_id={t.brand_id}&from={today}&to={today}"
    r = api.get(path, t.live_key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["brand_id"], body["timezone"], body["from_date"], body["days"]) == (t.brand_id, "UTC", today, [])
    csv = api.get(path, t.live_key, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines() == [
        "date,currency,stakes,wins,rollbacks,ggr,bonus_costs,ngr,deposits,withdrawals,active_players"
    ]
    other = local_stack.tenant(("Other", "EUR"))
    assert api.get(f"/v1/reports/ggr?brand_id={other.brand_id}&from={today}&to={today}", t.live_key).status_code == 404
    bad = api.get(f"/v1/reports/ggr?brand_id={t.brand_id}&from={today}&to=2020-01-01", t.live_key)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_range"
