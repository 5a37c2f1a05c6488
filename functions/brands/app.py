"""Brands API (issue 13): the key's brands with currency and service mode, a brand's message-format
overrides (read by the player gateway) and its VIP ladder, under /v1/brands."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http
from pitboss.brands import views
from pitboss.brands.models import BrandsOut, MessageFormatsIn, MessageFormatsOut, VipLevelsIn, VipLevelsOut
from pitboss.observability import logger, metrics
from pitboss.types import BrandId

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")

BrandPath = Annotated[BrandId, Path(description="The brand's integer id")]
LanguagePath = Annotated[
    str, Path(description="A language tag: en, pt-BR, ...", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
]


@app.get(
    "/v1/brands",
    summary="The key's brands",
    description="Every brand the key can act on: its currencies and service mode. Any valid key.",
    responses={**http.V1_ERRORS, 200: http.ok("The brands", BrandsOut)},
    tags=["brands"],
)
def list_brands() -> BrandsOut:
    return views.list_brands(http.principal(app))


@app.put(
    "/v1/brands/<brand_id>/message-formats/<language>",
    summary="Set a language's message formats",
    description="Replaces the brand's message-format overrides for one language (`message_formats` setting, "
    "read by the player gateway); an empty `formats` removes them.",
    responses={**http.V1_ERRORS, 200: http.ok("The stored formats", MessageFormatsOut)},
    tags=["brands"],
)
def set_message_formats(brand_id: BrandPath, language: LanguagePath, body: MessageFormatsIn) -> MessageFormatsOut:
    return views.set_message_formats(http.principal(app, "players:write"), brand_id, language, body)


@app.put(
    "/v1/brands/<brand_id>/vip-levels",
    summary="Set the VIP ladder",
    description="Ordered levels (first at xp 0, thresholds strictly increasing) with their cashback percentage "
    "and rail. A player's level is derived from lifetime xp.",
    responses={**http.V1_ERRORS, 200: http.ok("The ladder", VipLevelsOut)},
    tags=["brands"],
)
def set_vip_levels(brand_id: BrandPath, body: VipLevelsIn) -> VipLevelsOut:
    return views.set_vip_levels(http.principal(app, "players:write"), brand_id, body)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
# No scope pre-check: GET /v1/brands takes any valid key; the writes check players:write in the route.
@http.json_bodies("v1")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
