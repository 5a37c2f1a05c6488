"""Engines API (issue 13): payout instructions a plug_in brand's operator pays from its own wallet, and real
play the operator reports, under /v1/payouts and /v1/players/{key}/activity."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http, idempotency
from pitboss.engines import activity, payouts
from pitboss.engines.models import AckIn, ActivityIn, PayoutEnvelope, PayoutsPage
from pitboss.http.params import BrandQuery, PlayerKey, replayable
from pitboss.identity import resolve_user_id
from pitboss.observability import logger, metrics
from pitboss.tenancy import SCOPES
from pitboss.wallet.output import MovementOut, movement_answer

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1", generic_codes=True)

# The hardening issue splits wallet:write; until wallet:payments exists, acknowledging needs wallet:write.
PAYMENTS_SCOPE = "wallet:payments" if "wallet:payments" in SCOPES else "wallet:write"
PayoutId = Annotated[str, Path(description="The instruction's id", pattern=r"^po_[0-9a-z]{26}$")]
AckBody = Annotated[AckIn, Body(description="Optional: a memo")]


@app.get(
    "/v1/payouts",
    summary="Pending payout instructions",
    description="plug_in brands: cash Pitboss awarded (cashback, lootbox prizes, converted bonuses) for the "
    "operator to credit in its own wallet, oldest first.",
    responses={**http.V1_ERRORS, 200: http.ok("A page of instructions", PayoutsPage)},
    tags=["engines"],
)
def list_payouts(
    status: Annotated[Literal["pending"], Query(description="Only pending instructions are listed")] = "pending",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, pattern=r"^[0-9T:.\-Z]+#po_[0-9a-z]{26}$")] = None,
) -> PayoutsPage:
    return payouts.list_pending(http.principal(app, "wallet:read"), limit, cursor)


@app.post(
    "/v1/payouts/<payout_id>/ack",
    summary="Acknowledge a payout instruction",
    description="The operator credited its wallet. Idempotent: again, the same answer with deduped true.",
    responses={**http.V1_ERRORS, 200: http.ok("Acknowledged (or already)", PayoutEnvelope)},
    tags=["engines"],
)
def ack_payout(
    payout_id: PayoutId,
    body: AckBody = AckIn(),  # noqa: B008 - never mutated; the "no body" value
) -> PayoutEnvelope:
    return payouts.acknowledge(http.principal(app, PAYMENTS_SCOPE), payout_id, body)


@app.post(
    "/v1/players/<key>/activity",
    summary="Report real play (plug_in)",
    description="A settled real-money round at the operator: xp (same rules as bets), VIP level, cashback "
    "activity and bonus wagering. Idempotent on (provider, ref). white_label brands: 409 service_mode.",
    responses=replayable(
        "Applied: the xp entry and the wallet after it",
        MovementOut,
        "A replay (same ref or idempotency_key): the original answer, deduped",
    ),
    tags=["engines"],
)
def report_activity(key: PlayerKey, body: ActivityIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:write")
    user_id = resolve_user_id(who, key, http.brand_param(brand_id, body.brand_id))
    idem = idempotency.begin(who, body.idempotency_key, "POST", f"activity:{user_id}", http.raw_body(app))
    outcome = activity.report(who, user_id, body, idem)
    return http.model_response(outcome.status, movement_answer(outcome))


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@http.json_bodies("v1", scopes=("wallet:read", "wallet:write"))
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
