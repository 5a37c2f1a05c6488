"""The /v1 and /api surfaces' error bodies: {"error": {"code", "message", ...}}, and their OpenAPI models."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import MISSING, BaseModel, ConfigDict, Field, WithJsonSchema

from pitboss.errors import ConcurrentUpdate, PitbossError
from pitboss.http.wire import JSON
from pitboss.types import Model, Timestamp

DecimalText = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["45200.00"]}),
    Field(description="A decimal amount as a string, quantised to the currency"),
]


class FieldError(Model):
    field: str = Field(description="Dotted path of the field in the request (body, query or path)")
    message: str


class ErrorDetail(Model):
    """Every key a /v1 or /api error may carry: `code` and `message` always, the rest when they apply.
    Clients should ignore keys they do not know (new errors may add some)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Machine-readable error code")
    message: str = Field(description="For people; never parse it")
    reason: str | MISSING = Field(
        default=MISSING,
        description="The specific cause under a generic wallet code (not_found, conflict), e.g. round_not_found; "
        "for player_blocked the first block: status, cooloff, self_exclusion or age_gate",
    )
    retryable: bool | MISSING = Field(
        default=MISSING, description="Wallet: whether the same request (same idempotency key) may succeed later"
    )
    fields: list[FieldError] | MISSING = Field(default=MISSING, description="validation_error: what is wrong")
    field: str | MISSING = Field(default=MISSING, description="The request field the error is about")
    idempotency_key: str | MISSING = Field(
        default=MISSING, description="idempotency_key_reused: the key that was used for another request"
    )
    scope: str | MISSING = Field(default=MISSING, description="insufficient_scope: the scope the route needs")
    service_mode: str | MISSING = Field(
        default=MISSING, description="service_mode: the brand's mode that refused the request (issue 13)"
    )
    player_status: str | MISSING = Field(default=MISSING, description="player_blocked: the lifecycle status")
    reasons: list[str] | MISSING = Field(default=MISSING, description="player_blocked: every block in force")
    until: Timestamp | MISSING = Field(default=MISSING, description="*_cannot_shorten: the end in force")
    self_exclusion_until: Timestamp | MISSING = Field(
        default=MISSING, description="self_exclusion_in_force: when it ends"
    )
    rail: str | MISSING = Field(default=MISSING, description="insufficient_funds: the balance that is short")
    available: DecimalText | MISSING = Field(default=MISSING, description="insufficient_funds: what there is")
    requested: DecimalText | MISSING = Field(default=MISSING, description="insufficient_funds: what was asked")
    maximum: DecimalText | MISSING = Field(default=MISSING, description="balance_limit: the most that still fits")
    limit: str | int | MISSING = Field(
        default=MISSING,
        description="limit_exceeded: the RG limit's name (e.g. deposit_daily_limit); too_many_bonuses: the cap",
    )
    limit_value: DecimalText | MISSING = Field(default=MISSING, description="limit_exceeded: the limit")
    used: DecimalText | MISSING = Field(default=MISSING, description="limit_exceeded: used in the window")
    remaining: DecimalText | MISSING = Field(default=MISSING, description="limit_exceeded: still allowed")


class ErrorBody(Model):
    error: ErrorDetail


def _error(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {JSON: {"model": ErrorBody}}}


def ok(description: str, model: type[BaseModel]) -> OpenAPIResponse:
    """A documented success response for `responses=` (the route returns a Response, so say it here)."""
    return {"description": description, "content": {JSON: {"model": model}}}


V1_ERRORS: dict[int, OpenAPIResponse] = {
    401: _error("Missing, unknown or revoked API key"),
    403: _error("The key lacks the scope, or the player is blocked"),
    404: _error("Not found, or not the caller's"),
    409: _error("Conflict (idempotency key reused with another request, a uniqueness or state conflict)"),
    415: _error("The body is not JSON (send application/json)"),
    422: _error("The request is not valid"),
}


# The wallet surface answers the issue's own codes: every 404 is `not_found` and every 409 `conflict`, the
# specific cause in `reason` (round_not_found, duplicate_ref, ...); `retryable` says whether the same
# request (same idempotency key and ref) may succeed later: a win that overtook its bet (404
# round_not_found) and optimistic-lock exhaustion (409 concurrent_update) may; the rest are final.
GENERIC_CODES = {404: "not_found", 409: "conflict"}
# Codes an issue names as the wallet's own `code` (issue 13: 409 {"error": {"code": "service_mode", ...}}).
OWN_CODES = frozenset({"service_mode"})


def error_body(exc: PitbossError, *, generic_codes: bool = False) -> dict[str, Any]:
    body = exc.body()
    generic = GENERIC_CODES.get(exc.status) if generic_codes and exc.code not in OWN_CODES else None
    if generic is None:
        return body
    detail = {"code": generic, "reason": exc.code, **{k: v for k, v in body["error"].items() if k != "code"}}
    detail.setdefault("retryable", isinstance(exc, ConcurrentUpdate))
    return {"error": detail}


class Bodies:
    """How the /v1 surface answers each kind of failure (status, body)."""

    def __init__(self, *, generic_codes: bool = False) -> None:
        self.generic_codes = generic_codes

    def domain(self, exc: PitbossError) -> tuple[int, Any]:
        return exc.status, error_body(exc, generic_codes=self.generic_codes)

    def invalid(self, fields: list[dict[str, str]]) -> tuple[int, Any]:
        return 422, {"error": {"code": "validation_error", "message": "the request is not valid", "fields": fields}}

    def unreadable(self) -> tuple[int, Any]:
        return 422, {
            "error": {
                "code": "validation_error",
                "message": "the body is not UTF-8 JSON",
                "fields": [{"field": "body", "message": "not JSON"}],
            }
        }

    def media_type(self) -> tuple[int, Any]:
        return 415, {"error": {"code": "unsupported_media_type", "message": "send the body as application/json"}}

    def not_found(self) -> tuple[int, Any]:
        return 404, {"error": {"code": "not_found", "message": "no such route"}}

    def unexpected(self) -> tuple[int, Any]:
        return 500, {"error": {"code": "internal_error", "message": "internal server error"}}
