"""Writes events/*.json: one API Gateway HTTP API (payload 2.0) event per route in template.yaml, plus the
authorizer and schedule events, usable with `sam local invoke -e` and loaded by the tests by name.

Run `python -m pitboss_local.sample_events` after adding a route; a test fails while one is missing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pitboss_local import template
from pitboss_local.events import scheduled_event

EVENTS = template.ROOT / "events"
SAMPLE_TENANT = "ten_sample"
SAMPLE_USER = "2f750d6e-876f-4a23-9183-97f98170b251"
SAMPLE_LOOTBOX = "lb_1_01kb8x3r5v2m7q9w4e6t8y0u2i"
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


# Values of the shape each path parameter takes (a 422 for a malformed id would hide what the route does).
PATH_DEFAULTS = {
    "key": SAMPLE_USER,
    "version": "v1",
    "brand_id": "1",
    "player_id": "1",
    "withdrawal_id": f"wd_{'0' * 26}",
}


def _path_values(path: str, overrides: dict[str, str]) -> tuple[str, dict[str, str]]:
    params: dict[str, str] = {}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = overrides.get(name) or PATH_DEFAULTS.get(name, "sample")
        value = SAMPLE_LOOTBOX if name == "lootbox_id" and not overrides.get(name) else value
        params[name] = value
        return value

    return re.sub(r"\{([^}+]+)\+?\}", fill, path), params


def http_event(
    route: template.Route,
    body: Any = None,
    query: dict[str, str] | None = None,
    path_values: dict[str, str] | None = None,
) -> dict[str, Any]:
    console = {"player_id": "1", "asset": "console.css"} if route.path.startswith("/console") else {}
    raw_path, params = _path_values(route.path, path_values or console)
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
    elif route.path.startswith("/console"):
        # The console's HTML forms, with no session cookie here (so each answers the way to sign in).
        headers["content-type"] = "application/x-www-form-urlencoded"
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
        "body": _form(body) if headers["content-type"].startswith("application/x-www") else _json(body),
        "isBase64Encoded": False,
    }


def _json(body: Any) -> str | None:
    return json.dumps(body) if body is not None else None


def _form(body: Any) -> str | None:
    return urlencode(body) if body is not None else None


# Bodies for routes that take one; a route not listed here gets no body.
SAMPLE_BODIES: dict[str, Any] = {
    "POST /v1/players": {
        "username": "StarlordV7",
        "email": "sv7@example.com",
        "external_ref": "pam-uuid-abc",
        "country_code": "US",
    },
    "PATCH /v1/players/{key}/status": {"status": "fraud_hold", "reason": "velocity rule triggered"},
    "POST /v1/players/{key}/rg": {"deposit_daily_limit": 250, "session_duration_limit": 120},
    "POST /v1/players/{key}/kyc": {"kyc_status": "approved", "kyc_level": 2, "reason": "documents verified"},
    "POST /v1/players/{key}/flags": {"risk_band": "medium", "is_pep": False, "reason": "periodic review"},
    "POST /v1/players/{key}/tags": {"add": ["vip"], "remove": []},
    "POST /v1/players/{key}/notes": {"text": "called the player about a deposit query"},
    "POST /v1/players/{key}/deposits": {"amount": "100.00", "psp_ref": "psp_123", "idempotency_key": "dep-1"},
    "POST /v1/players/{key}/withdrawals": {"amount": "40.00", "idempotency_key": "wd-1"},
    "POST /v1/players/{key}/withdrawals/{withdrawal_id}/complete": {"idempotency_key": "wd-1-done"},
    "POST /v1/players/{key}/withdrawals/{withdrawal_id}/cancel": {"idempotency_key": "wd-1-cancel"},
    "POST /v1/players/{key}/bets": {"amount": "10.00", "ref_id": "txn_abc123", "round_id": "rnd_9988"},
    "POST /v1/players/{key}/wins": {
        "amount": "25.00",
        "ref_id": "txn_xyz789",
        "round_id": "rnd_9988",
        "round_closed": True,
    },
    "POST /v1/players/{key}/rollbacks": {"ref_id": "txn_abc123"},
    "POST /v1/players/{key}/bonuses": {"amount": "20.00", "wagering_multiplier": 5},
    "POST /v1/players/{key}/winz": {"amount": "50", "action": "grant"},
    "POST /v1/lootboxes": {
        "name": "Daily chest",
        "cost": {"rail": "winz", "amount": "25"},
        "prizes": [{"weight": 60, "rail": "winz", "amount": "10"}, {"weight": 40, "nothing": True}],
    },
    "POST /v1/lootboxes/fairness/rotate": {"idempotency_key": "rotate-2026-11"},
    "POST /v1/players/{key}/lootboxes": {"lootbox_id": SAMPLE_LOOTBOX, "count": 3, "idempotency_key": "grant-1"},
    "POST /v1/lootbox/{lootbox_id}/open": {"user_id": "StarlordV7", "idempotency_key": "open-2025-05-19-uniq-abc"},
    # player gateway (seed 002)
    "POST /gateway/admission/{version}/register/{brand_id}": {
        "username": "StarlordV7",
        "email": "sv7@example.com",
        "password": "Orion2049x",
        "first_name": "Peter",
        "last_name": "Quill",
        "country": "US",
    },
    "POST /gateway/admission/{version}/login/{brand_id}": {"username": "StarlordV7", "password": "Orion2049x"},
    "POST /gateway/admission/{version}/forgot/password/{brand_id}": {"mail": "sv7@example.com"},
    "POST /gateway/admission/{version}/verify/password/{brand_id}": {"new_password": "Vega2050y"},
    "POST /gateway/admission/{version}/player/{brand_id}/change/password": {
        "old_password": "Orion2049x",
        "new_password": "Vega2050y",
    },
    "PUT /gateway/player-personal-details/player/details/{version}/{brand_id}": {
        "firstName": "Peter",
        "lastName": "Quill",
        "birthdate": "1980-05-01",
        "gender": "M",
        "country": "US",
        "optOut": '{"chat": false}',
    },
    "POST /gateway/player-personal-details/player/details/{version}/{brand_id}": {"city": "Knowhere"},
    "PUT /gateway/player-personal-details/{version}/custom-fields/{brand_id}": {
        "strCustomFields": [{"id": "fav_game", "name": "Favourite game", "value": "blackjack"}],
        "intCustomFields": [{"id": "lucky", "name": "Lucky number", "value": 7}],
    },
    "POST /gateway/player-personal-details/{version}/custom-fields/{brand_id}": {
        "intCustomFields": [{"id": "lucky", "name": "Lucky number", "value": 8}],
    },
    "POST /gateway/player-personal-details/player/details/emailUpdate/{version}/{brand_id}": {
        "email": "peter@example.com",
        "comment": "test",
    },
    "PUT /gateway/player-personal-details/player/details/emailUpdate/{version}/{brand_id}": {
        "email": "peter@example.com",
    },
    "POST /gateway/player-personal-details/player/details/mobile/verify/{version}/{brand_id}": {
        "2fa_auth_token": "Xy7Q2mZk9VwT4bLp",
        "code": "123456",
    },
    # players' own responsible gaming (issue 11 #4)
    "PUT /gateway/responsible-gaming/{version}/{brand_id}/limits": {"deposit_daily_limit": 100},
    "POST /gateway/responsible-gaming/{version}/{brand_id}/cool-off": {"days": 7},
    "POST /gateway/responsible-gaming/{version}/{brand_id}/self-exclusion": {"months": 6},
    # game sessions (issue 11 #6)
    "POST /v1/game-sessions": {"username": "StarlordV7", "provider": "acme", "game_id": "slots-1"},
    "POST /gateway/game/{version}/{brand_id}/start": {"provider": "acme", "game_id": "slots-1"},
    # brands and engines (issue 13)
    "PUT /v1/brands/{brand_id}/message-formats/{language}": {
        "formats": {"password_successfully_changed": "Your password is changed."}
    },
    "PUT /v1/brands/{brand_id}/vip-levels": {
        "levels": [
            {"name": "Bronze", "xp_threshold": "0", "cashback_percent": "5"},
            {"name": "Silver", "xp_threshold": "1000", "cashback_percent": "10", "cashback_rail": "bonus"},
        ]
    },
    "POST /v1/payouts/{payout_id}/ack": {"memo": "credited in our wallet"},
    "POST /v1/players/{key}/activity": {
        "stake": "10.00",
        "win": "4.00",
        "provider": "evo",
        "round_id": "rnd_9988",
        "ref": "op-round-9988",
    },
    # webhooks (issue 14 §2)
    "POST /v1/webhooks": {
        "url": "https://crm.example.com/pitboss",
        "events": ["player.created"],
        "description": "CRM",
    },
    "PATCH /v1/webhooks/{webhook_id}": {"enabled": False},
    # the console (HTML forms)
    "POST /console/login": {"email": "owner@example.com", "password": "correct horse battery", "csrf": "x"},
    "POST /console/players/{player_id}/status": {"status": "suspended", "reason": "documents requested", "csrf": "x"},
    "POST /console/players/{player_id}/rg": {"limit": "deposit_daily_limit", "value": "250", "csrf": "x"},
    "POST /gateway/player/multi/{version}/sign/tnc": {
        "brand_id": "1",
        "player_id": "1",
        "language": "en",
        "type": "tnc",
    },
}


# Query strings for routes that need one; a route not listed here gets none.
SAMPLE_QUERIES: dict[str, dict[str, str]] = {
    "GET /v1/players": {"external_ref": "pam-uuid-abc"},
}


def stream_event() -> dict[str, Any]:
    """A DynamoDB Streams batch for StreamFunction: a player profile created (-> player.created)."""
    pk = f"T#{SAMPLE_TENANT}#test#P#{SAMPLE_USER}"
    image = {
        "pk": {"S": pk},
        "sk": {"S": "PROFILE"},
        "kind": {"S": "player"},
        "user_id": {"S": SAMPLE_USER},
        "player_id": {"N": "1"},
        "brand_id": {"N": "1"},
        "username": {"S": "StarlordV7"},
        "email": {"S": "sv7@example.com"},
        "status": {"S": "active"},
        "kyc_status": {"S": "none"},
        "version": {"N": "0"},
        "created_at": {"S": "2026-11-23T12:00:00.000000Z"},
        "updated_at": {"S": "2026-11-23T12:00:00.000000Z"},
    }
    return {
        "Records": [
            {
                "eventID": "c4ca4238a0b923820dcc509a6f75849b",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1795435200,
                    "Keys": {"pk": image["pk"], "sk": image["sk"]},
                    "NewImage": image,
                    "SequenceNumber": "111",
                    "SizeBytes": 300,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": (
                    "arn:aws:dynamodb:us-east-1:123456789012:table/pitboss/stream/2026-11-23T00:00:00.000"
                ),
            }
        ]
    }


def write_all() -> list[Path]:
    EVENTS.mkdir(exist_ok=True)
    written = []
    for route in template.routes():
        path = EVENTS / f"{event_name(route.function, route.method, route.path)}.json"
        event = http_event(route, SAMPLE_BODIES.get(route.route_key), SAMPLE_QUERIES.get(route.route_key))
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
    stream = EVENTS / "stream__dynamodb.json"
    stream.write_text(json.dumps(stream_event(), indent=2) + "\n")
    written.append(stream)
    for name in template.schedules():
        path = EVENTS / f"{name.removesuffix('Function').lower()}__schedule.json"
        path.write_text(json.dumps(scheduled_event(name), indent=2) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p.relative_to(template.ROOT))
