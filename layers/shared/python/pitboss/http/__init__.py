"""HTTP edge shared by every function: resolver setup, the exception -> status mapping (once), the
caller's identity, and idempotent-write responses. Routes stay thin: parse, call one service, return."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, ConfigDict, Field

from pitboss.errors import ConcurrentUpdate, PitbossError, Unprocessable
from pitboss.idempotency import Outcome
from pitboss.observability import logger
from pitboss.tenancy import Principal

Surface = Literal["v1", "gateway"]
LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
JSON = "application/json"


class HttpError(Exception):
    """A response whose exact body a seed dictates (the gateway's errMsg/result/message_format shapes)."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), default=_default)


def exact_json(text: str | bytes) -> Any:
    """Request bodies keep numbers exact: 0.1 arrives as Decimal("0.1"), never as a float. A body Python
    can't read as JSON (including an integer beyond its 4300-digit conversion limit, a plain ValueError)
    is a JSONDecodeError, which every surface answers as bad input."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(f"unreadable JSON: {exc}", "", 0) from exc


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=JSON, body=dumps(body), headers=headers)


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

# Every function builds `app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)`: request validation on,
# and JSON numbers exact both ways (0.1 arrives as Decimal("0.1"), never as a float).
RESOLVER_OPTIONS: dict[str, Any] = {
    "enable_validation": True,
    "json_body_deserializer": exact_json,
    "serializer": dumps,
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


def configure(app: APIGatewayHttpResolver, surface: Surface = "v1", *, generic_codes: bool = False) -> None:
    """Installs the one exception -> HTTP mapping of the surface."""
    install_error_handlers(app, surface, generic_codes=generic_codes)


def _field_path(loc: Any) -> str:
    parts = [str(p) for p in (loc or []) if p not in ("body",)]
    return ".".join(parts) or "body"


def validation_fields(exc: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for err in exc.errors():
        field = "body" if err.get("type") == "json_invalid" else _field_path(err.get("loc"))
        fields.append({"field": field, "message": str(err.get("msg", "invalid"))})
    return fields


def install_error_handlers(
    app: APIGatewayHttpResolver, surface: Surface = "v1", *, generic_codes: bool = False
) -> None:
    """Maps the exception hierarchy to HTTP once. Status comes from the exception type, never its text."""

    @app.exception_handler(PitbossError)
    def _domain(exc: PitbossError) -> Response[Any]:
        if exc.status >= 500:
            logger.error("domain error", extra={"code": exc.code})
        if surface == "gateway":
            return json_response(exc.status, {"errMsg": exc.message})
        return json_response(exc.status, error_body(exc, generic_codes=generic_codes))

    @app.exception_handler(HttpError)
    def _exact(exc: HttpError) -> Response[Any]:
        if exc.body is None:
            return Response(status_code=exc.status, body="", headers=exc.headers)
        if isinstance(exc.body, str):
            return Response(status_code=exc.status, content_type="text/plain", body=exc.body, headers=exc.headers)
        return json_response(exc.status, exc.body, exc.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[Any]:
        fields = validation_fields(exc)
        if surface == "gateway":
            return json_response(400, {"errMsg": "invalid input"})
        return json_response(
            422,
            {"error": {"code": "validation_error", "message": "the request is not valid", "fields": fields}},
        )

    # RecursionError: a body nested ~1000 levels deep exhausts the JSON parser; still just bad input.
    @app.exception_handler([UnicodeDecodeError, json.JSONDecodeError, RecursionError])
    def _unreadable(_exc: Exception) -> Response[Any]:
        if surface == "gateway":
            return json_response(400, {"errMsg": "invalid input"})
        return json_response(
            422,
            {
                "error": {
                    "code": "validation_error",
                    "message": "the body is not UTF-8 JSON",
                    "fields": [{"field": "body", "message": "not JSON"}],
                }
            },
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(_exc: RequestUnsupportedContentType) -> Response[Any]:
        if surface == "gateway":
            return json_response(400, {"errMsg": "invalid input"})
        return json_response(
            415, {"error": {"code": "unsupported_media_type", "message": "send the body as application/json"}}
        )

    @app.not_found
    def _not_found(_exc: Exception) -> Response[Any]:
        if surface == "gateway":
            return json_response(404, {"errMsg": "not found"})
        return json_response(404, {"error": {"code": "not_found", "message": "no such route"}})

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        if surface == "gateway":
            return json_response(500, {"result": "internal server error"})
        return json_response(500, {"error": {"code": "internal_error", "message": "internal server error"}})


def _raw_response(status: int, body: Any) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": JSON}, "body": dumps(body), "isBase64Encoded": False}


def json_bodies(
    surface: Surface = "v1", scopes: tuple[str, str] | None = None
) -> Callable[[LambdaHandler], LambdaHandler]:
    """Handler decorator, run before routing and request validation:

    * `scopes` (read, write): the API key is checked first, so a request without a valid key is 401 and a
      key without the scope (read for GET, write otherwise) is 403 whatever its body or parameters hold;
      nothing about the request is looked at for a caller who may not make it. Routes check again.
    * a body that is not JSON (form, multipart, text) is refused: 415 (`{"errMsg": "invalid input"}` 400
      on the gateway)."""

    def decorate(handler: LambdaHandler) -> LambdaHandler:
        @wraps(handler)
        def wrapper(event: dict[str, Any], context: Any) -> dict[str, Any]:
            if scopes is not None:
                request = event.get("requestContext") or {}
                method = str((request.get("http") or {}).get("method", "GET")).upper()
                try:
                    who = Principal.from_context((request.get("authorizer") or {}).get("lambda"))
                    who.require(scopes[0] if method in ("GET", "HEAD") else scopes[1])
                except PitbossError as exc:
                    return _raw_response(exc.status, exc.body())
                except Exception:  # a malformed authorizer context is our bug: a JSON 500, never a bare 502
                    logger.exception("unreadable authorizer context")
                    return _raw_response(500, {"error": {"code": "internal_error", "message": "internal server error"}})
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            content_type = headers.get("content-type", "").lower()
            if event.get("body") and content_type and "json" not in content_type:
                if surface == "gateway":
                    return _raw_response(400, {"errMsg": "invalid input"})
                return _raw_response(
                    415, {"error": {"code": "unsupported_media_type", "message": "send the body as application/json"}}
                )
            return handler(event, context)

        return wrapper

    return decorate


def principal(app: APIGatewayHttpResolver, scope: str | None = None) -> Principal:
    """The API-key caller, as the authorizer resolved it; 401 without one, 403 without the scope."""
    authorizer = app.current_event.request_context.authorizer
    context = authorizer.get_lambda if authorizer is not None else None
    who = Principal.from_context(context)
    if scope is not None:
        who.require(scope)
    logger.append_keys(tenant_id=who.tenant_id, mode=who.mode, key_id=who.key_id)
    return who


def brand_param(query: int | None, body: int | None) -> int | None:
    """The brand a request names, in `?brand_id=` or in the body; both must agree when both are sent."""
    if query is not None and body is not None and query != body:
        raise Unprocessable(
            "brand_id in the query and in the body differ",
            code="brand_id_mismatch",
            fields=[{"field": "brand_id", "message": f"query says {query}, body says {body}"}],
        )
    return query if query is not None else body


def raw_body(app: APIGatewayHttpResolver) -> Any:
    """The request body as parsed JSON (numbers as Decimal), for idempotency fingerprints."""
    try:
        return app.current_event.json_body
    except (ValueError, TypeError):
        return None


def outcome_response(outcome: Outcome) -> Response[Any]:
    return json_response(outcome.status, outcome.response_body())
