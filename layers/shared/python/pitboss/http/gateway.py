"""The /gateway surface's answers, exactly as seed 002 writes them: every refusal's status, body and headers in
one table (`refusal`), and the truths its OpenAPI document must tell (no body on a 204, no 422 that never
comes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from pitboss.errors import (
    DetailsNotFound,
    EmailNotFound,
    FieldErrors,
    InvalidBrand,
    InvalidInput,
    InvalidPublishableKey,
    InvalidToken,
    InvalidVersion,
    LoginRefused,
    MessageFormat,
    MobileVerificationRequired,
    PitbossError,
    RateLimited,
    RealityCheckDue,
    RequirementMissing,
    SignatureRequired,
    TncApprovalRequired,
)
from pitboss.http.wire import json_response

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.event_handler.openapi.models import OpenAPI

SESSION_HEADER = "x-auth-token"
# A publishable brand key (wpk_live_/wpk_test_, issue 11 #12): selects the brand's mode, grants nothing else.
PUBLISHABLE_KEY_HEADER = "x-pitboss-key"
SESSION_SCHEME = "playerSession"
# What a route that takes the player's session declares (security scheme, not a header parameter).
PLAYER_SESSION: list[dict[str, list[str]]] = [{SESSION_SCHEME: []}]
SCHEMAS = "#/components/schemas/"
VERSION_SCHEMA = "GatewayVersion"
INVALID_INPUT = {"errMsg": "invalid input"}
ERR_MSG: dict[type[PitbossError], str] = {
    InvalidVersion: "invalid input - invalid version",
    InvalidBrand: "invalid input - invalid brand id",
    InvalidInput: "invalid input",
    InvalidToken: "invalid input - invalid token",
    InvalidPublishableKey: "invalid input - invalid publishable key",
    DetailsNotFound: "Player Personal Details not found",
    EmailNotFound: "Player Personal Email not found",
}
# The seed's change-password 303 body, typographic quotes and all (its key and value carry them).
TNC_REQUIRED_303 = {"\u201cmessage_format\u201d": "\u201ctnc_approval_required\u201d"}


def refusal(exc: PitbossError) -> tuple[int, Any, dict[str, str]]:
    """(status, body, headers) of a refusal on the gateway. Status comes from the error's type."""
    for kind, text in ERR_MSG.items():
        if isinstance(exc, kind):
            return exc.status, {"errMsg": text}, {}
    if isinstance(exc, LoginRefused):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
        return exc.status, {"result": exc.code}, headers
    if isinstance(exc, RateLimited):
        return exc.status, {"result": "TOO_MANY_REQUESTS"}, {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, RequirementMissing):
        return exc.status, {"result": exc.code}, {}
    if isinstance(exc, FieldErrors):
        return exc.status, {"result": [{"field": f, "errorCode": c} for f, c in exc.errors]}, {}
    if isinstance(exc, MessageFormat):
        return exc.status, {"message_format": exc.code}, {}
    if isinstance(exc, MobileVerificationRequired):
        data = {"mobile_number": exc.verification_id, "2fa_auth_token": exc.token}
        return exc.status, {"status": "mobile_verification_required", "data": data}, {}
    if isinstance(exc, TncApprovalRequired):
        return exc.status, TNC_REQUIRED_303, {}
    if isinstance(exc, SignatureRequired):
        return exc.status, {"sign: ": exc.documents}, {}
    if isinstance(exc, RealityCheckDue):
        check = exc.check.model_dump(by_alias=True) if isinstance(exc.check, BaseModel) else exc.check
        return exc.status, check, {}
    return exc.status, {"errMsg": exc.message}, {}  # e.g. 409 concurrent_update: retry


class Bodies:
    """How the /gateway surface answers each kind of failure (status, body)."""

    def domain(self, exc: PitbossError) -> tuple[int, Any]:
        status, body, _headers = refusal(exc)
        return status, body

    def invalid(self, _fields: list[dict[str, str]]) -> tuple[int, Any]:
        return 400, INVALID_INPUT

    def unreadable(self) -> tuple[int, Any]:
        return 400, INVALID_INPUT

    def media_type(self) -> tuple[int, Any]:
        return 400, INVALID_INPUT

    def not_found(self) -> tuple[int, Any]:
        return 404, {"errMsg": "not found"}

    def unexpected(self) -> tuple[int, Any]:
        return 500, {"result": "internal server error"}


def install(app: APIGatewayHttpResolver) -> None:
    """What the gateway adds to the surface mapping http.configure installed: the refusals that carry
    headers (ACCOUNT_LOCKED's and TOO_MANY_REQUESTS' Retry-After), the player-session security scheme, and
    the document's truths (`truthful`). The security scheme is declared when the document is generated:
    powertools' OpenAPI models build ~40 pydantic classes on import (0.35x of a bare boto3 client's cold
    start), and no request of the gateway needs them."""
    app.exception_handler([LoginRefused, RateLimited])(_with_headers)
    generate: Callable[..., OpenAPI] = app.get_openapi_schema

    def document(*args: Any, **kwargs: Any) -> OpenAPI:
        if not app.openapi_config.security_schemes:
            from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

            session = APIKey.model_validate(
                {
                    "type": "apiKey",
                    "in": APIKeyIn.header,
                    "name": SESSION_HEADER,
                    "description": "The player's login session",
                }
            )
            app.openapi_config = replace(app.openapi_config, security_schemes={SESSION_SCHEME: session})
        return truthful(generate(*args, **kwargs))

    # The docs function merges each resolver's get_openapi_schema(); powertools has no per-route switch
    # for the 422 it adds to every operation of a validating resolver, nor for a 204 without content.
    app.get_openapi_schema = document  # type: ignore[method-assign]


def _with_headers(exc: PitbossError) -> Response[Any]:
    return json_response(*refusal(exc))


def truthful(schema: OpenAPI) -> OpenAPI:
    """The gateway answers bad input 400 `{"errMsg": "invalid input"}` (declared on every route), never
    powertools' 422 HTTPValidationError: that 422 goes, a route's own 422 (the seed's array) stays. A 204
    has no body, so it declares no content (a generated client must not parse one). The `{version}` path
    parameter's accepted values become one named schema, so a client has one enum, not one per route."""
    from aws_lambda_powertools.event_handler.openapi.models import Parameter, Reference, Schema

    versions: list[Any] = []
    for item in (schema.paths or {}).values():
        for operation in (item.get, item.put, item.post, item.delete, item.patch):
            if operation is None:
                continue
            responses: dict[Any, Any] = operation.responses or {}
            for status in list(responses):
                if str(status) == "204":
                    responses[status].content = None
                elif str(status) == "422" and _is_validation_error(responses[status]):
                    del responses[status]
            for parameter in operation.parameters or []:
                if not isinstance(parameter, Parameter) or parameter.name != "version":
                    continue
                accepted = getattr(parameter.schema_, "enum", None)
                if accepted:
                    versions = list(accepted)
                    parameter.schema_ = Reference.model_validate({"$ref": f"{SCHEMAS}{VERSION_SCHEMA}"})
    if versions and schema.components is not None:
        described = "The API version: any other answers 400 `invalid input - invalid version`"
        named = Schema.model_validate(
            {"type": "string", "enum": versions, "title": VERSION_SCHEMA, "description": described}
        )
        schema.components.schemas = {**(schema.components.schemas or {}), VERSION_SCHEMA: named}
    return schema


def _is_validation_error(response: Any) -> bool:
    content = getattr(response, "content", None) or {}
    return any(
        str(getattr(getattr(media, "schema_", None), "ref", "") or "").endswith(f"{SCHEMAS}HTTPValidationError")
        for media in content.values()
    )
