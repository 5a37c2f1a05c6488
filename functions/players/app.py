"""Operator player API (seed 000): /v1/players and the dossier routes."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http, idempotency
from pitboss.observability import logger
from pitboss.players import service
from pitboss.players.models import PlayerEnvelope, PlayerUpsert
from pitboss.types import BrandId

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")

PlayerKey = Annotated[str, Path(description="The player's UUID or username (case-insensitive)", max_length=64)]
BrandQuery = Annotated[BrandId | None, Query(description="Needed with a username when the key spans brands")]


@app.post(
    "/v1/players",
    summary="Upsert player",
    description="Idempotent on (brand, username): 201 on creation, 200 on update.",
    responses={
        **http.V1_ERRORS,
        201: {"description": "Created", "content": {"application/json": {"model": PlayerEnvelope}}},
        200: {"description": "Updated, or a replay", "content": {"application/json": {"model": PlayerEnvelope}}},
    },
    tags=["players"],
)
def upsert_player(body: PlayerUpsert) -> Response[Any]:
    who = http.principal(app, "players:write")
    idem = idempotency.begin(who.realm, body.idempotency_key, "POST", "/v1/players", http.raw_body(app))
    return http.outcome_response(service.upsert_player(who, body, idem))


@app.get(
    "/v1/players/<key>",
    summary="Get dossier",
    responses={
        **http.V1_ERRORS,
        200: {"description": "The dossier", "content": {"application/json": {"model": PlayerEnvelope}}},
    },
    tags=["players"],
)
def get_player(key: PlayerKey, brand_id: BrandQuery = None) -> Response[Any]:
    who = http.principal(app, "players:read")
    return http.json_response(200, service.get_dossier(who, key, brand_id))


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@http.json_bodies("v1")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
