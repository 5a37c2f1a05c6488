"""Writes events/*.json: one API Gateway HTTP API (payload 2.0) event per route in template.yaml, plus the
authorizer and schedule events, usable with `sam local invoke -e` and loaded by the tests by name.

Run `python -m pitboss_local.sample_events` after adding a route; a test fails while one is missing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pitboss_local import template
from pitboss_local.events import scheduled_event

EVENTS = template.ROOT / "events"
SAMPLE_TENANT = "ten_sample"
SAMPLE_USER = "2f750d6e-876f-4a23-9183-97f98170b251"
PRINCIPAL = {
    "tenant_id": SAMPLE_TENANT,
    "mode": "test",
    "key_id": "key_sample",
    "scopes": ["*"],
    "brand_ids": None,
    "brands": {
        "1": {"brand_id": 1, "tenant_id": SAMPLE_TENANT, "name": "Demo USD", "currency": "USD"},
    },
}


def event_name(function: str, method: str, path: str) -> str:
    base = function.removesuffix("Function").lower()
    tail = re.sub(r"[{}]", "", path).strip("/").replace("/", "_").replace(".", "_")
    return f"{base}__{method.lower()}__{tail}"


def _path_values(path: str, overrides: dict[str, str]) -> tuple[str, dict[str, str]]:
    params: dict[str, str] = {}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = overrides.get(name) or {"key": SAMPLE_USER, "version": "v1", "brand_id": "1"}.get(name, "sample")
        params[name] = value
        return value

    return re.sub(r"\{([^}+]+)\+?\}", fill, path), params


def http_event(
    route: template.Route,
    body: Any = None,
    query: dict[str, str] | None = None,
    path_values: dict[str, str] | None = None,
) -> dict[str, Any]:
    raw_path, params = _path_values(route.path, path_values or {})
    headers = {"content-type": "application/json", "host": "127.0.0.1:3000", "user-agent": "sample"}
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": "127.0.0.1",
        "domainPrefix": "local",
        "http": {
            "method": route.method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "sample",
        },
        "requestId": "sample-request",
        "routeKey": route.route_key,
        "stage": "$default",
        "time": "23/Nov/2026:12:00:00 +0000",
        "timeEpoch": 1795435200000,
    }
    if route.authorized:
        context["authorizer"] = {"lambda": {"principal": json.dumps(PRINCIPAL)}}
        headers["authorization"] = "Bearer wsk_test_sample"
    else:
        headers["x-auth-token"] = "sample-session-token"
    return {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": headers,
        "queryStringParameters": query or None,
        "requestContext": context,
        "pathParameters": params or None,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


# Bodies for routes that take one; a route not listed here gets no body.
SAMPLE_BODIES: dict[str, Any] = {
    "POST /v1/players": {
        "username": "StarlordV7",
        "email": "sv7@example.com",
        "external_ref": "pam-uuid-abc",
        "country_code": "US",
    },
}


def write_all() -> list[Path]:
    EVENTS.mkdir(exist_ok=True)
    written = []
    for route in template.routes():
        path = EVENTS / f"{event_name(route.function, route.method, route.path)}.json"
        event = http_event(route, SAMPLE_BODIES.get(route.route_key))
        path.write_text(json.dumps(event, indent=2) + "\n")
        written.append(path)
    auth = EVENTS / "authorizer__request.json"
    auth.write_text(
        json.dumps(
            {
                "version": "2.0",
                "type": "REQUEST",
                "routeArn": "arn:aws:execute-api:us-east-1:123456789012:local/$default/GET/v1/players/StarlordV7",
                "identitySource": [],
                "routeKey": "GET /v1/players/{key}",
                "rawPath": "/v1/players/StarlordV7",
                "rawQueryString": "",
                "headers": {"authorization": "Bearer wsk_test_replace_me"},
                "requestContext": {"http": {"method": "GET", "path": "/v1/players/StarlordV7"}, "requestId": "sample"},
            },
            indent=2,
        )
        + "\n"
    )
    written.append(auth)
    for name in template.schedules():
        path = EVENTS / f"{name.removesuffix('Function').lower()}__schedule.json"
        path.write_text(json.dumps(scheduled_event(name), indent=2) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p.relative_to(template.ROOT))
