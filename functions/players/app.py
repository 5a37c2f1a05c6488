"""Operator player API (seed 000): /v1/players and the dossier routes."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http, idempotency
from pitboss.http.params import BrandQuery, PlayerKey, replayable
from pitboss.observability import logger, metrics
from pitboss.players import compliance, lifecycle, limits, queries, upsert, writes
from pitboss.players.models import FlagsChange, KycChange, NoteIn, PlayerUpsert, RgUpdate, StatusChange, TagsChange
from pitboss.players.output import EventEnvelope, PlayerEnvelope, PlayersList, TimelinePage
from pitboss.tenancy import Principal
from pitboss.types import BrandId, ExternalRef

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")


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
def upsert_player(body: PlayerUpsert, brand_id: BrandQuery = None) -> Response[PlayerEnvelope]:
    who = http.principal(app, "players:write")
    body = body.model_copy(update={"brand_id": http.brand_param(brand_id, body.brand_id)})
    # The brand is part of the request even when it came in the query: one key, one brand's player.
    route = f"/v1/players:{who.brand(body.brand_id).brand_id}"
    idem = idempotency.begin(who, body.idempotency_key, "POST", route, http.raw_body(app))
    return http.answer(upsert.upsert_player(who, body, idem), PlayerEnvelope)


@app.get(
    "/v1/players",
    summary="Find players by external_ref",
    description=(
        'Seed 000: external_ref is "stored on the player metadata for cross-lookup". The players carrying it, '
        "in the brand named, or in every brand the key can see; an external_ref is unique within a brand "
        "(an upsert giving another player's answers 409 `external_ref_taken`). None found: an empty list."
    ),
    responses={**http.V1_ERRORS, 200: http.ok("The dossiers of the players carrying the ref", PlayersList)},
    tags=["players"],
)
def find_players(
    external_ref: Annotated[ExternalRef, Query(description="Your internal PAM id, as sent on the upsert")],
    brand_id: Annotated[BrandId | None, Query(description="Look in this brand only")] = None,
) -> PlayersList:
    who = http.principal(app, "players:read")
    return queries.find_by_external_ref(who, external_ref, brand_id)


@app.get(
    "/v1/players/<key>",
    summary="Get dossier",
    responses={
        **http.V1_ERRORS,
        200: {"description": "The dossier", "content": {"application/json": {"model": PlayerEnvelope}}},
    },
    tags=["players"],
)
def get_player(key: PlayerKey, brand_id: BrandQuery = None) -> PlayerEnvelope:
    who = http.principal(app, "players:read")
    return queries.get_dossier(who, key, brand_id)


# ---- dossier writes (issue 3): idempotent, each change and its timeline event in one transaction ----

DOSSIER_WRITE_ERRORS = {**http.V1_ERRORS, 200: http.ok("The dossier after the change, or a replay", PlayerEnvelope)}


def _begin(key: str, brand_id: int | None, method: str, route: str) -> tuple[Principal, str, idempotency.IdemRequest]:
    who = http.principal(app, "players:write")
    user_id, idem = writes.begin(who, key, brand_id, method=method, route=route, body=http.raw_body(app))
    return who, user_id, idem


@app.patch(
    "/v1/players/<key>/status",
    summary="Change lifecycle status",
    description=(
        "Audited: the reason is recorded on the timeline with the actor and the old and new status. "
        "While a self-exclusion is in force (a permanent one always is), only a status that blocks betting "
        "can be set: `active` and `affordability_review` are refused (409 `self_exclusion_in_force` / "
        "`self_exclusion_permanent`). A cool-off is not a status: it blocks whatever status is set during it."
    ),
    responses=DOSSIER_WRITE_ERRORS,
    tags=["players"],
)
def change_status(key: PlayerKey, body: StatusChange, brand_id: BrandQuery = None) -> Response[PlayerEnvelope]:
    who, user_id, idem = _begin(key, http.brand_param(brand_id, body.brand_id), "PATCH", "/v1/players/{key}/status")
    return http.answer(lifecycle.change_status(who, user_id, body, idem), PlayerEnvelope)


@app.post(
    "/v1/players/<key>/rg",
    summary="Set RG limits",
    description=(
        "Partial: only the fields sent change; null clears. A decrease or a first limit applies at once; an "
        "increase or a removal waits for the brand's delay (24 h by default) in `rg.pending`. A cool-off or "
        "self-exclusion starts at once and can't be shortened or cleared early (409); it sets `status` to "
        "`self_excluded` unless the player is already in a hold or closed status, which is kept. `*_until` "
        "may be at most 100 years ahead. `self_exclusion_permanent: true` is irreversible through the API."
    ),
    responses=DOSSIER_WRITE_ERRORS,
    tags=["players"],
)
def set_rg(key: PlayerKey, body: RgUpdate, brand_id: BrandQuery = None) -> Response[PlayerEnvelope]:
    who, user_id, idem = _begin(key, http.brand_param(brand_id, body.brand_id), "POST", "/v1/players/{key}/rg")
    return http.answer(limits.set_rg(who, user_id, body, idem), PlayerEnvelope)


@app.post(
    "/v1/players/<key>/kyc",
    summary="Record a KYC decision",
    responses=DOSSIER_WRITE_ERRORS,
    tags=["players"],
)
def set_kyc(key: PlayerKey, body: KycChange, brand_id: BrandQuery = None) -> Response[PlayerEnvelope]:
    who, user_id, idem = _begin(key, http.brand_param(brand_id, body.brand_id), "POST", "/v1/players/{key}/kyc")
    return http.answer(compliance.set_kyc(who, user_id, body, idem), PlayerEnvelope)


@app.post(
    "/v1/players/<key>/flags",
    summary="Set risk band, PEP and sanctions flags",
    responses=DOSSIER_WRITE_ERRORS,
    tags=["players"],
)
def set_flags(key: PlayerKey, body: FlagsChange, brand_id: BrandQuery = None) -> Response[PlayerEnvelope]:
    who, user_id, idem = _begin(key, http.brand_param(brand_id, body.brand_id), "POST", "/v1/players/{key}/flags")
    return http.answer(compliance.set_flags(who, user_id, body, idem), PlayerEnvelope)


@app.post(
    "/v1/players/<key>/tags",
    summary="Add and remove tags",
    responses=DOSSIER_WRITE_ERRORS,
    tags=["players"],
)
def change_tags(key: PlayerKey, body: TagsChange, brand_id: BrandQuery = None) -> Response[PlayerEnvelope]:
    who, user_id, idem = _begin(key, http.brand_param(brand_id, body.brand_id), "POST", "/v1/players/{key}/tags")
    return http.answer(compliance.change_tags(who, user_id, body, idem), PlayerEnvelope)


@app.post(
    "/v1/players/<key>/notes",
    summary="Add an operator note",
    responses=replayable("The note's timeline event", EventEnvelope, "A replay"),
    tags=["players"],
)
def add_note(key: PlayerKey, body: NoteIn, brand_id: BrandQuery = None) -> Response[EventEnvelope]:
    who, user_id, idem = _begin(key, http.brand_param(brand_id, body.brand_id), "POST", "/v1/players/{key}/notes")
    return http.answer(compliance.add_note(who, user_id, body, idem), EventEnvelope)


@app.get(
    "/v1/players/<key>/timeline",
    summary="Audit timeline",
    description="Status changes, RG changes, KYC decisions, flags, tags, notes and expiries, newest first.",
    responses={**http.V1_ERRORS, 200: http.ok("A page of events, newest first", TimelinePage)},
    tags=["players"],
)
def get_timeline(
    key: PlayerKey,
    brand_id: BrandQuery = None,
    limit: Annotated[int, Query(ge=1, le=queries.TIMELINE_MAX_LIMIT, description="Events per page")] = 20,
    cursor: Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")] = None,
) -> TimelinePage:
    who = http.principal(app, "players:read")
    return queries.get_timeline(who, key, brand_id, limit, cursor)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@http.json_bodies("v1", scopes=("players:read", "players:write"))
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
