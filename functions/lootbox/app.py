"""Lootbox API (issue 13 §4, seed 003's open call): definitions and fairness under /v1/lootboxes (scopes
players:read / players:write), grants under /v1/players/{key}/lootboxes and the open at /v1/lootbox/{id}/open
(wallet:read / wallet:write: they move a player's points and money)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http, idempotency
from pitboss.http.params import PlayerKey, replayable
from pitboss.identity import resolve_user_id
from pitboss.lootbox import definitions, fairness, grants, opening
from pitboss.lootbox.models import (
    LOOTBOX_ID_PATTERN,
    FairnessOut,
    GrantIn,
    GrantOut,
    LootboxEnvelope,
    LootboxIn,
    LootboxList,
    OpenIn,
    OpenOut,
    RotateIn,
    RotateOut,
)
from pitboss.observability import logger
from pitboss.types import BrandId

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")

LootboxPath = Annotated[str, Path(description="The lootbox definition's id", pattern=LOOTBOX_ID_PATTERN)]
BrandQuery = Annotated[BrandId | None, Query(description="Needed when the key spans brands")]
DEFINITIONS = ("players:read", "players:write")
PLAY = ("wallet:read", "wallet:write")


def _idem(who: Any, key: str | None, route: str, **same: str) -> idempotency.IdemRequest:
    """The request's idempotency: `same` overrides body fields that have several spellings (a player by
    username or UUID is the same request)."""
    raw = http.raw_body(app)
    body = {**raw, **same} if isinstance(raw, dict) else raw
    return idempotency.begin(who, key, "POST", route, body)


@app.post(
    "/v1/lootboxes",
    summary="Define a lootbox",
    description="Weighted prizes (`{weight, rail, amount}` or `{weight, nothing: true}`), an optional cost "
    "(winz or xp; free when absent). Definitions are immutable: send `replaces` to make a new version.",
    responses=replayable("Defined", LootboxEnvelope),
    tags=["lootboxes"],
)
def create_lootbox(body: LootboxIn, brand_id: BrandQuery = None) -> Response[LootboxEnvelope]:
    who = http.principal(app, DEFINITIONS[1])
    body.brand_id = http.brand_param(brand_id, body.brand_id)
    idem = _idem(who, body.idempotency_key, f"lootbox_define:{body.brand_id}")
    return http.answer(definitions.create(who, body, idem), LootboxEnvelope)


@app.get(
    "/v1/lootboxes",
    summary="List lootbox definitions",
    responses={**http.V1_ERRORS, 200: http.ok("The definitions, newest first", LootboxList)},
    tags=["lootboxes"],
)
def list_lootboxes(brand_id: BrandQuery = None) -> LootboxList:
    return definitions.listing(http.principal(app, DEFINITIONS[0]), brand_id)


@app.post(
    "/v1/lootboxes/<lootbox_id>/disable",
    summary="Disable a lootbox",
    description="Opens and grants of it answer 409 disabled from then on; idempotent.",
    responses={**http.V1_ERRORS, 200: http.ok("Disabled", LootboxEnvelope)},
    tags=["lootboxes"],
)
def disable_lootbox(lootbox_id: LootboxPath) -> LootboxEnvelope:
    return definitions.disable(http.principal(app, DEFINITIONS[1]), lootbox_id)


@app.get(
    "/v1/lootboxes/fairness",
    summary="The brand's seed commitment and revealed seeds",
    responses={**http.V1_ERRORS, 200: http.ok("Current commitment, revealed seeds", FairnessOut)},
    tags=["lootboxes"],
)
def get_fairness(brand_id: BrandQuery = None) -> FairnessOut:
    return fairness.view(http.principal(app, DEFINITIONS[0]), brand_id)


@app.post(
    "/v1/lootboxes/fairness/rotate",
    summary="Rotate the brand's server seed",
    description="Reveals the current seed (every draw made with it can be recomputed) and commits to a new one.",
    responses=replayable("Rotated", RotateOut),
    tags=["lootboxes"],
)
def rotate_seed(body: RotateIn, brand_id: BrandQuery = None) -> Response[RotateOut]:
    who = http.principal(app, DEFINITIONS[1])
    brand = http.brand_param(brand_id, body.brand_id)
    idem = _idem(who, body.idempotency_key, f"lootbox_rotate:{brand}")
    return http.answer(fairness.rotate(who, brand, idem), RotateOut)


@app.post(
    "/v1/players/<key>/lootboxes",
    summary="Grant unopened lootboxes",
    responses=replayable("Granted", GrantOut),
    tags=["lootboxes"],
)
def grant_lootboxes(key: PlayerKey, body: GrantIn, brand_id: BrandQuery = None) -> Response[GrantOut]:
    who = http.principal(app, PLAY[1])
    user_id = resolve_user_id(who, key, http.brand_param(brand_id, body.brand_id))
    idem = _idem(who, body.idempotency_key, f"lootbox_grant:{user_id}")
    return http.answer(grants.grant(who, user_id, body, idem), GrantOut)


@app.post(
    "/v1/lootbox/<lootbox_id>/open",
    summary="Open a lootbox (seed 003)",
    description="Uses one unopened box, else buys one with the cost rail (free when the lootbox has no cost). "
    "First call: 201 with the reward; the same idempotency_key again: 200 with the SAME reward and "
    '`"deduped": true`.',
    responses=replayable("Opened: the reward, the lootbox, the prize's ledger entry (or null)", OpenOut),
    tags=["lootboxes"],
)
def open_lootbox(lootbox_id: LootboxPath, body: OpenIn, brand_id: BrandQuery = None) -> Response[OpenOut]:
    who = http.principal(app, PLAY[1])
    user_id = resolve_user_id(who, body.user_id, http.brand_param(brand_id, body.brand_id))
    idem = _idem(who, body.idempotency_key, f"lootbox_open:{lootbox_id}:{user_id}", user_id=user_id)
    return http.answer(opening.open_box(who, user_id, lootbox_id, idem), OpenOut)


_definitions = http.json_bodies("v1", scopes=DEFINITIONS)(app.resolve)
_play = http.json_bodies("v1", scopes=PLAY)(app.resolve)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # One function, two scope families: the key's scope is checked before routing, by the path's family.
    path = str(event.get("rawPath") or "")
    return (_definitions if path.startswith("/v1/lootboxes") else _play)(event, context)
