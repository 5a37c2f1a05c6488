"""The local stack runs handlers as threads of one process: each must see its own event."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from pitboss_local import threadsafe


def test_concurrent_resolves_see_their_own_event() -> None:
    threadsafe.install()
    apps = [APIGatewayHttpResolver() for _ in range(8)]
    barrier = Barrier(8)

    for app in apps:

        @app.get("/echo/<value>")
        def echo(value: str, app: APIGatewayHttpResolver = app) -> dict[str, Any]:
            barrier.wait()  # every thread has set its event before any reads it
            return {"path": value, "raw": app.current_event.raw_path}

    def call(i: int) -> dict[str, Any]:
        event = {
            "version": "2.0",
            "routeKey": "GET /echo/{value}",
            "rawPath": f"/echo/{i}",
            "rawQueryString": "",
            "headers": {},
            "requestContext": {"http": {"method": "GET", "path": f"/echo/{i}"}, "stage": "$default"},
            "pathParameters": {"value": str(i)},
            "isBase64Encoded": False,
        }
        return apps[i].resolve(event, None)  # type: ignore[arg-type]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(8)))
    import json

    assert [json.loads(r["body"])["raw"] for r in results] == [f"/echo/{i}" for i in range(8)]
