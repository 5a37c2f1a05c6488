"""What answering through an output model costs: the same dossier answered by one resolver as a pre-built
dict (the old way), as a model built in the route, and as a stored idempotent body validated into its
model (http.answer), with powertools' response validation flag on and off. CPU microseconds per
app.resolve, the fastest of 9 runs of 2000 (the machine is shared: the minimum is the least disturbed).

    .venv/bin/python -m bench.answers
"""

# No `from __future__ import annotations`: the routes below are defined inside main(), and powertools
# resolves their return annotations at definition time, which string annotations would defer.
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for extra in ("layers/shared/python", "functions", "local", "."):
    if str(ROOT / extra) not in sys.path:
        sys.path.insert(0, str(ROOT / extra))
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"

RUNS, CALLS = 9, 2000


def _event(path: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((ROOT / "events" / "docs__get__v1_openapi_json.json").read_text())
    event.update(rawPath=path, routeKey=f"GET {path}")
    event["requestContext"] = {**event["requestContext"], "http": {**event["requestContext"]["http"], "path": path}}
    return event


def _per_call(app: Any, path: str) -> float:
    event = _event(path)
    for _ in range(200):
        app.resolve(event, None)
    runs = []
    for _ in range(RUNS):
        started = time.process_time()
        for _ in range(CALLS):
            app.resolve(event, None)
        runs.append((time.process_time() - started) / CALLS * 1e6)
    return min(runs)


def main() -> None:
    from decimal import Decimal

    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

    from pitboss import http
    from pitboss.idempotency import Outcome
    from pitboss.identity import Player, gates
    from pitboss.identity.entity import PendingLimit
    from pitboss.players.output import PlayerEnvelope, PlayerOut
    from pitboss.tenancy import BrandSettings

    player = Player(
        realm="T#t#live",
        user_id="u",
        player_id=7,
        brand_id=1,
        username="Star",
        email="s@example.com",
        tags=["vip"],
        limits={"deposit_daily_limit": Decimal(250), "loss_daily_limit": Decimal("12.5"), "session_duration_limit": 60},
        pending={"wager_daily_limit": PendingLimit(value=Decimal(100), effective_at="2099-01-01T00:00:00.000000Z")},
        created_at="2026-11-23T12:00:00.000000Z",
        updated_at="2026-11-23T12:00:00.000000Z",
    )
    state = gates.effective(player, BrandSettings())
    stored = PlayerEnvelope(player=PlayerOut.of(player, state)).model_dump(mode="json")

    def app_with(**extra: Any) -> APIGatewayHttpResolver:
        app = APIGatewayHttpResolver(**{**http.RESOLVER_OPTIONS, **extra})
        http.configure(app)

        @app.get("/dict")
        def as_dict() -> Response[Any]:
            return http.json_response(200, stored)

        @app.get("/model")
        def as_model() -> PlayerEnvelope:
            return PlayerEnvelope(player=PlayerOut.of(player, state))

        @app.get("/outcome")
        def as_outcome() -> Response[PlayerEnvelope]:
            return http.answer(Outcome(status=200, body=stored), PlayerEnvelope)

        return app

    on = app_with()
    off = app_with(response_validation_error_http_code=None)
    same = [json.loads(on.resolve(_event(p), None)["body"]) for p in ("/dict", "/model", "/outcome")]
    assert same[0] == same[1] == same[2], "the three ways must answer the same JSON"
    for path in ("/dict", "/model", "/outcome"):
        for name, app in (("flag on", on), ("flag off", off)):
            print(f"{path:9} {name:8} {_per_call(app, path):7.1f} us per resolve")


if __name__ == "__main__":
    main()
