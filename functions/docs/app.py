"""OpenAPI document and Swagger UI for every surface, merged from each function's own resolver."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.models import Server
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http
from pitboss.http import openapi
from pitboss.observability import logger

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent
TITLE = "Pitboss API"
DESCRIPTION = (
    "Operator PAM API (/v1/players), wallet (/v1/players/{key}/...), back-office read API (/api/player) "
    "and player gateway (/gateway). API-key surfaces take `Authorization: Bearer wsk_live_...` or "
    "`wsk_test_...`; the gateway takes the player's `x-auth-token`."
)

# What each API-key scope allows (a key without the route's scope: 403 insufficient_scope; no scope at all:
# nothing). Issue 10 #3: least-privilege wallet scopes.
SCOPES = (
    "Each route needs a scope of the key: `players:read` / `players:write` (/v1/players), `wallet:read` "
    "(wallet and transactions), `wallet:bets` (bets, wins, rollbacks), `wallet:payments` (deposits, "
    "withdrawals and their complete/cancel outcomes), `wallet:bonuses` (bonuses, winz), `wallet:write` (the "
    "union of bets, payments and bonuses), `backoffice:read` (/api/player), `*` (everything). A key with an "
    "empty scope list can call nothing."
)

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")
app.configure_openapi_merge(
    path=str(FUNCTIONS_DIR),
    pattern="app.py",
    recursive=True,
    exclude=[
        "**/docs/**",
        "**/authorizer/**",
        "**/scheduler/**",
        "**/cashback/**",
        "**/console/**",
        "**/__pycache__/**",
    ],
    title=TITLE,
    version="1.0.0",
    description=DESCRIPTION,
    servers=[Server(url="/")],
    security_schemes={
        "apiKey": {  # type: ignore[dict-item]
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "wsk_live_... / wsk_test_...",
            "description": SCOPES,
        }
    },
    security=[{"apiKey": []}],
    on_conflict="error",
)
app.enable_swagger(path="/v1/docs", title=TITLE)


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi_document() -> Response[Any]:
    return Response(status_code=200, content_type=http.JSON, body=_document())


@cache
def _document() -> str:
    return openapi.document_json(app.get_openapi_merge_schema())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
