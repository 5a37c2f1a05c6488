"""The /v1 and /api surfaces' error bodies: {"error": {"code", "message", ...}}, and their OpenAPI models."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, ConfigDict, Field

from pitboss.errors import ConcurrentUpdate, PitbossError
from pitboss.http.wire import JSON


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code")
    message: str
    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
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


def error_body(exc: PitbossError, *, generic_codes: bool = False) -> dict[str, Any]:
    body = exc.body()
    generic = GENERIC_CODES.get(exc.status) if generic_codes else None
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
