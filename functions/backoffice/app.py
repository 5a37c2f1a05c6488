"""Back-office read API (seed 001): /api/player/list, /api/player/{player_id}, its transactions."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http
from pitboss.backoffice import queries
from pitboss.backoffice.models import PlayerDetail, PlayerList, TransactionList
from pitboss.observability import logger
from pitboss.types import BrandId

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")

PlayerId = Annotated[int, Path(ge=1, le=2**53, description="The player's numeric id")]
PageQ = Annotated[int, Query(ge=1, le=1_000_000, description="Page number")]
SizeQ = Annotated[int, Query(ge=1, le=100, description="Items per page (the response calls it page_size)")]


@app.get(
    "/api/player/list",
    summary="List players",
    description="Filter by brand, or a case-insensitive partial match on username.",
    responses={**http.V1_ERRORS, 200: http.ok("A page of players", PlayerList)},
    tags=["back-office"],
)
def list_players(
    page: PageQ = 1,
    size: SizeQ = 20,
    brand_id: Annotated[BrandId | None, Query()] = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
) -> PlayerList:
    who = http.principal(app, "backoffice:read")
    return queries.list_players(who, page, size, brand_id, username)


@app.get(
    "/api/player/<player_id>",
    summary="Player detail with wallet balance",
    responses={**http.V1_ERRORS, 200: http.ok("The player", PlayerDetail)},
    tags=["back-office"],
)
def get_player(player_id: PlayerId) -> PlayerDetail:
    who = http.principal(app, "backoffice:read")
    return queries.get_player(who, player_id)


@app.get(
    "/api/player/<player_id>/transactions",
    summary="Player transactions, newest first",
    responses={**http.V1_ERRORS, 200: http.ok("A page of transactions", TransactionList)},
    tags=["back-office"],
)
def player_transactions(player_id: PlayerId, page: PageQ = 1, size: SizeQ = 20) -> TransactionList:
    who = http.principal(app, "backoffice:read")
    return queries.player_transactions(who, player_id, page, size)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@http.json_bodies("v1", scopes=("backoffice:read", "backoffice:read"))
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
