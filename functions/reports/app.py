"""Audit and figures (issue 14 §5, §3): chain verification, usage, GGR reports."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http
from pitboss.audit import verify
from pitboss.audit.models import ChainVerification
from pitboss.http.params import BrandQuery, PlayerKey
from pitboss.observability import logger, metrics
from pitboss.reports import ggr, usage
from pitboss.reports.models import GgrReport, UsageReport

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")


@app.get(
    "/v1/players/<key>/audit/verify",
    summary="Verify the player's tamper-evident history",
    description=(
        "Recomputes the hash chains of the player's timeline events and ledger entries and walks each from "
        'its head: `{"ok": true, "checked": N}`, or `ok: false` with the earliest broken link. History '
        "written before the chain existed is counted in `unchained` and not verified."
    ),
    responses={**http.V1_ERRORS, 200: http.ok("The verification", ChainVerification)},
    tags=["audit"],
)
def verify_chain(key: PlayerKey, brand_id: BrandQuery = None) -> Response[Any]:
    who = http.principal(app, "players:read")
    out = verify.verify_player(who, key, brand_id)
    # `{"ok": true, "checked": N}`: no `first_broken: null` when nothing is broken (issue 14 §5).
    return http.json_response(200, out.model_dump(mode="json", exclude_none=True))


DayQuery = Annotated[str, Query(description="A UTC day, YYYY-MM-DD", min_length=10, max_length=10)]


@app.get(
    "/v1/usage",
    summary="Usage per day",
    description=(
        "The key's tenant's usage in the key's mode, per UTC day and in total: API requests by surface and "
        "operation class, ledger entries, active players (counts as JSON integers). Live usage is billable, "
        f"test usage is shown with `billable: false`. At most {usage.MAX_DAYS} days per request."
    ),
    responses={**http.V1_ERRORS, 200: http.ok("The usage", UsageReport)},
    tags=["usage"],
)
def get_usage(
    from_: Annotated[str, Query(alias="from", description="The first UTC day, YYYY-MM-DD")], to: DayQuery
) -> UsageReport:
    who = http.principal(app, "usage:read")
    return usage.report(who, from_, to)


@app.get(
    "/v1/reports/ggr",
    summary="GGR report",
    description=(
        "Per local day of the brand (its time zone) and currency: stakes, wins, rollbacks, GGR (stakes - "
        "rollbacks - wins), bonus costs, NGR (GGR - bonus costs), deposits, withdrawals (amounts as decimal "
        "strings) and active players, plus totals per currency. Aggregated from the table's stream: figures "
        "trail the movements by seconds. `Accept: text/csv` answers the days as CSV."
    ),
    responses={
        **http.V1_ERRORS,
        200: {
            "description": "The report",
            "content": {"application/json": {"model": GgrReport}, "text/csv": {"schema": {"type": "string"}}},
        },
    },
    tags=["reports"],
)
def get_ggr(
    from_: Annotated[str, Query(alias="from", description="The brand's first local day, YYYY-MM-DD")],
    to: DayQuery,
    brand_id: BrandQuery = None,
) -> Response[Any]:
    who = http.principal(app, "reports:read")
    out = ggr.report(who, brand_id, from_, to)
    if "text/csv" in (app.current_event.headers or {}).get("accept", ""):
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=ggr.as_csv(out))
    return http.json_response(200, out.model_dump(mode="json", exclude_none=True))  # totals carry no date


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@http.json_bodies("v1")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
