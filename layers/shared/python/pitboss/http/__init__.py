"""HTTP edge shared by every function: resolver setup, the exception -> status mapping (installed once per
app, with the bodies of its surface: http.v1 or http.gateway), the caller's identity, and idempotent-write
responses. Routes stay thin: parse, call one flow, return."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, Protocol, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)
from pydantic import BaseModel

from pitboss import beside, observability
from pitboss.errors import PitbossError, Unprocessable
from pitboss.http import gateway as gateway_bodies
from pitboss.http import v1 as v1_bodies
from pitboss.http.v1 import V1_ERRORS, ErrorBody, ErrorDetail, error_body, ok
from pitboss.http.wire import JSON, dumps, exact_json, json_response, model_response, raw_response
from pitboss.idempotency import Outcome
from pitboss.observability import logger
from pitboss.reports import usage
from pitboss.tenancy import Principal

__all__ = [
    "JSON",
    "RESOLVER_OPTIONS",
    "V1_ERRORS",
    "ErrorBody",
    "ErrorDetail",
    "HttpError",
    "answer",
    "brand_param",
    "configure",
    "dumps",
    "error_body",
    "exact_json",
    "json_bodies",
    "json_response",
    "model_response",
    "ok",
    "outcome_response",
    "principal",
    "raw_body",
]

Surface = Literal["v1", "gateway"]
LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


class HttpError(Exception):
    """A response whose exact body a seed dictates (the gateway's errMsg/result/message_format shapes)."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


class Bodies(Protocol):
    def domain(self, exc: PitbossError) -> tuple[int, Any]: ...
    def invalid(self, fields: list[dict[str, str]]) -> tuple[int, Any]: ...
    def unreadable(self) -> tuple[int, Any]: ...
    def media_type(self) -> tuple[int, Any]: ...
    def not_found(self) -> tuple[int, Any]: ...
    def unexpected(self) -> tuple[int, Any]: ...


def bodies_of(surface: Surface, *, generic_codes: bool = False) -> Bodies:
    if surface == "gateway":
        return gateway_bodies.Bodies()
    return v1_bodies.Bodies(generic_codes=generic_codes)


# Every function builds `app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)`: request validation on,
# and JSON numbers exact both ways (0.1 arrives as Decimal("0.1"), never as a float). A route that returns
# an output model has its answer validated against it (powertools does this whenever the return type is a
# model); one that does not match is our bug, so it is a logged 500, never a 422 that blames the caller.
RESPONSE_INVALID_STATUS = 500
RESOLVER_OPTIONS: dict[str, Any] = {
    "enable_validation": True,
    "response_validation_error_http_code": RESPONSE_INVALID_STATUS,
    "json_body_deserializer": exact_json,
    "serializer": dumps,
}


def configure(app: APIGatewayHttpResolver, surface: Surface = "v1", *, generic_codes: bool = False) -> None:
    """Installs the one exception -> HTTP mapping of the surface."""
    install_error_handlers(app, bodies_of(surface, generic_codes=generic_codes), surface)


def _field_path(loc: Any) -> str:
    parts = [str(p) for p in (loc or []) if p not in ("body",)]
    return ".".join(parts) or "body"


def validation_fields(exc: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for err in exc.errors():
        field = "body" if err.get("type") == "json_invalid" else _field_path(err.get("loc"))
        fields.append({"field": field, "message": str(err.get("msg", "invalid"))})
    return fields


def counted(surface: str, code: str, found: tuple[int, Any]) -> tuple[int, Any]:
    """Every error answer is counted for the operator: 4xx as Refused by code, 5xx as Failed by kind."""
    status = found[0]
    if status >= 500:
        observability.count("Failed", surface=surface, kind=code)
    else:
        observability.count("Refused", surface=surface, code=code)
    return found


def install_error_handlers(app: APIGatewayHttpResolver, bodies: Bodies, surface: Surface = "v1") -> None:
    """Maps the exception hierarchy to HTTP once. Status comes from the exception type, never its text."""

    def answer(code: str, found: tuple[int, Any]) -> Response[Any]:
        return json_response(*counted(surface, code, found))

    @app.exception_handler(PitbossError)
    def _domain(exc: PitbossError) -> Response[Any]:
        if exc.status >= 500:
            logger.error("domain error", extra={"code": exc.code})
        return answer(exc.code, bodies.domain(exc))

    @app.exception_handler(HttpError)
    def _exact(exc: HttpError) -> Response[Any]:
        counted(surface, f"http_{exc.status}", (exc.status, exc.body))
        if exc.body is None:
            return Response(status_code=exc.status, body="", headers=exc.headers)
        if isinstance(exc.body, str):
            return Response(status_code=exc.status, content_type="text/plain", body=exc.body, headers=exc.headers)
        return json_response(exc.status, exc.body, exc.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[Any]:
        return answer("validation_error", bodies.invalid(validation_fields(exc)))

    @app.exception_handler(ResponseValidationError)
    def _drifted(exc: ResponseValidationError) -> Response[Any]:
        # Where the answer and its model part (never the values: they may be personal data).
        errors = [{"loc": [str(p) for p in err.get("loc", ())], "type": err.get("type")} for err in exc.errors()]
        logger.error("answer does not match its output model", extra={"errors": errors})
        return answer("response_invalid", bodies.unexpected())

    # RecursionError: a body nested ~1000 levels deep exhausts the JSON parser; still just bad input.
    @app.exception_handler([UnicodeDecodeError, json.JSONDecodeError, RecursionError])
    def _unreadable(_exc: Exception) -> Response[Any]:
        return answer("unreadable_body", bodies.unreadable())

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(_exc: RequestUnsupportedContentType) -> Response[Any]:
        return answer("unsupported_media_type", bodies.media_type())

    @app.not_found
    def _not_found(_exc: Exception) -> Response[Any]:
        return answer("no_route", bodies.not_found())

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return answer("unexpected", bodies.unexpected())


def json_bodies(
    surface: Surface = "v1", scopes: tuple[str, str | tuple[str, ...]] | None = None
) -> Callable[[LambdaHandler], LambdaHandler]:
    """Handler decorator, run before routing and request validation:

    * `scopes` (read, write): the API key is checked first, so a request without a valid key is 401 and a
      key without the scope (read for GET, write otherwise) is 403 whatever its body or parameters hold;
      nothing about the request is looked at for a caller who may not make it. Routes check again.
    * a body that is not JSON (form, multipart, text) is refused: 415 (`{"errMsg": "invalid input"}` 400
      on the gateway)."""

    bodies = bodies_of(surface)

    def decorate(handler: LambdaHandler) -> LambdaHandler:
        @wraps(handler)
        def wrapper(event: dict[str, Any], context: Any) -> dict[str, Any]:
            if scopes is not None:
                request = event.get("requestContext") or {}
                method = str((request.get("http") or {}).get("method", "GET")).upper()
                try:
                    who = Principal.from_context((request.get("authorizer") or {}).get("lambda"))
                    needed = scopes[0] if method in ("GET", "HEAD") else scopes[1]
                    who.require_any(*((needed,) if isinstance(needed, str) else needed))  # write: any of them
                except PitbossError as exc:
                    return raw_response(*counted(surface, exc.code, bodies.domain(exc)))
                except Exception:  # a malformed authorizer context is our bug: a JSON 500, never a bare 502
                    logger.exception("unreadable authorizer context")
                    return raw_response(*counted(surface, "unexpected", bodies.unexpected()))
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            content_type = headers.get("content-type", "").lower()
            if event.get("body") and content_type and "json" not in content_type:
                return raw_response(*counted(surface, "unsupported_media_type", bodies.media_type()))
            try:
                return handler(event, context)
            finally:  # the request's usage count ran beside the route: done before the answer leaves
                beside.settle()

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
    # Usage metering (issue 14 §3): one authorised request of this surface (v1, api), by operation class.
    event = app.current_event
    usage.count_request(who.realm, event.path.strip("/").split("/", 1)[0] or "v1", event.http_method)
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


Model = TypeVar("Model", bound=BaseModel)


def answer(outcome: Outcome, model: type[Model]) -> Response[Model]:
    """An idempotent write's outcome as the route's output model. A replay's stored body goes through the
    same model, so a fresh answer and its replay can't differ from each other or from the document."""
    return model_response(outcome.status, model.model_validate(outcome.response_body()))
