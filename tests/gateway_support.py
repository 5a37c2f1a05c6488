"""Calls the gateway handler in process (moto / DynamoDB Local tests) with API Gateway payload 2.0 events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pitboss_local.runtime import LambdaContext


@dataclass
class Reply:
    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


def call(
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    query: dict[str, str] | None = None,
    ip: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request to the gateway handler, from client address `ip` (API Gateway's sourceIp)."""
    from gateway.app import lambda_handler

    headers = {"content-type": "application/json", "host": "127.0.0.1", **(headers or {})}
    if token is not None:
        headers["x-auth-token"] = token
    event = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": headers,
        "queryStringParameters": query or None,
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": ip},
            "requestId": "test",
            "routeKey": f"{method} {path}",
            "stage": "$default",
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }
    result = lambda_handler(event, LambdaContext(function_name="GatewayFunction"))
    return Reply(int(result["statusCode"]), result.get("body") or "", dict(result.get("headers") or {}))


def register(
    brand_id: int, username: str, password: str = "Orion2049x", *, ip: str = "127.0.0.1", **extra: Any
) -> dict[str, Any]:
    body = {
        "username": username,
        "email": f"{username}@example.com",
        "password": password,
        "first_name": "Peter",
        "last_name": "Quill",
        "country": "US",
        **extra,
    }
    reply = call("POST", f"/gateway/admission/v1/register/{brand_id}", body, ip=ip)
    assert reply.status == 201, reply.text
    data: dict[str, Any] = reply.json()
    return data
