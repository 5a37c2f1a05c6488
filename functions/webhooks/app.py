"""Operator webhooks (issue 14 §2): /v1/webhooks endpoints, their deliveries and re-sending one."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http
from pitboss.observability import logger, metrics
from pitboss.webhooks import delivery, endpoints
from pitboss.webhooks.models import (
    DeliveryList,
    DeliveryOut,
    WebhookIn,
    WebhookList,
    WebhookOut,
    WebhookPatch,
    WebhookSecret,
)

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1")

READ, WRITE = "webhooks:read", "webhooks:write"
WebhookId = Annotated[str, Path(description="The webhook's id (wh_...)", max_length=64)]
DeliveryId = Annotated[str, Path(description="The delivery's id (dlv_...)", max_length=256)]


@app.post(
    "/v1/webhooks",
    summary="Create a webhook endpoint",
    description=(
        "Events are POSTed to `url` with `Pitboss-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>`. "
        "The signing `secret` is in this answer only. Deployed, only https URLs on public addresses "
        "(422 invalid_url)."
    ),
    responses={**http.V1_ERRORS, 201: http.ok("Created; the secret is shown only here", WebhookSecret)},
    tags=["webhooks"],
)
def create_webhook(body: WebhookIn) -> Response[WebhookSecret]:
    who = http.principal(app, WRITE)
    return http.model_response(201, endpoints.create(who, body))


@app.get(
    "/v1/webhooks",
    summary="List webhook endpoints",
    responses={**http.V1_ERRORS, 200: http.ok("This mode's endpoints", WebhookList)},
    tags=["webhooks"],
)
def list_webhooks() -> WebhookList:
    return endpoints.list_all(http.principal(app, READ))


@app.get(
    "/v1/webhooks/<webhook_id>",
    summary="Get a webhook endpoint",
    responses={**http.V1_ERRORS, 200: http.ok("The endpoint (never its secret)", WebhookOut)},
    tags=["webhooks"],
)
def get_webhook(webhook_id: WebhookId) -> WebhookOut:
    return endpoints.get(http.principal(app, READ), webhook_id)


@app.patch(
    "/v1/webhooks/<webhook_id>",
    summary="Enable, disable or change a webhook endpoint",
    responses={**http.V1_ERRORS, 200: http.ok("The endpoint after the change", WebhookOut)},
    tags=["webhooks"],
)
def change_webhook(webhook_id: WebhookId, body: WebhookPatch) -> WebhookOut:
    return endpoints.change(http.principal(app, WRITE), webhook_id, body)


@app.delete(
    "/v1/webhooks/<webhook_id>",
    summary="Delete a webhook endpoint",
    responses={**http.V1_ERRORS, 204: {"description": "Deleted"}},
    tags=["webhooks"],
)
def delete_webhook(webhook_id: WebhookId) -> Response[Any]:
    endpoints.delete(http.principal(app, WRITE), webhook_id)
    return Response(status_code=204, body="")


@app.post(
    "/v1/webhooks/<webhook_id>/rotate-secret",
    summary="Rotate a webhook's signing secret",
    description="Signing uses the new secret at once; the answer is the only place it is shown.",
    responses={**http.V1_ERRORS, 200: http.ok("The endpoint and its new secret", WebhookSecret)},
    tags=["webhooks"],
)
def rotate_secret(webhook_id: WebhookId) -> WebhookSecret:
    return endpoints.rotate_secret(http.principal(app, WRITE), webhook_id)


@app.get(
    "/v1/webhooks/<webhook_id>/deliveries",
    summary="List an endpoint's deliveries, newest event first",
    responses={**http.V1_ERRORS, 200: http.ok("A page of deliveries with their recent attempts", DeliveryList)},
    tags=["webhooks"],
)
def list_deliveries(
    webhook_id: WebhookId,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> DeliveryList:
    return delivery.list_deliveries(http.principal(app, READ), webhook_id, limit, cursor)


@app.post(
    "/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/resend",
    summary="Send a delivery again",
    description="Queues it at once with a fresh retry window; receivers dedupe on the event id.",
    responses={**http.V1_ERRORS, 202: http.ok("Queued", DeliveryOut)},
    tags=["webhooks"],
)
def resend_delivery(webhook_id: WebhookId, delivery_id: DeliveryId) -> Response[DeliveryOut]:
    return http.model_response(202, delivery.resend(http.principal(app, WRITE), webhook_id, delivery_id))


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@http.json_bodies("v1", scopes=(READ, WRITE))
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
