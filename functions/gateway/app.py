"""Player gateway (seed 002): /gateway/... as the seed writes its paths, for the casino's own front end.

Authenticated by the player's `x-auth-token` session (no API key: these routes skip the authorizer).
Order of checks on every route: `{version}` (v1), then `{brand_id}` (400 invalid brand id), then the token
(401 invalid token), then the body."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from pitboss import http
from pitboss.gateway import models as m
from pitboss.gateway import responses, service, sessions
from pitboss.gateway.sessions import Caller
from pitboss.observability import logger
from pitboss.tenancy import Brand

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="gateway")

# No length limits here: a long version or brand id gets the seed's own 400 (invalid version / brand id).
Version = Annotated[str, Path(description="The API version to use: v1")]
BrandPath = Annotated[str, Path(description="The ID of the casino (brand)")]
Token = Annotated[
    str | None,
    Header(description="Player login session (required: missing, unknown or expired -> 401)"),
]
LinkHash = Annotated[str | None, Query(description="The token from the emailed link", max_length=512)]
# No API key on the gateway: the player's x-auth-token is the credential (documented per route).
NO_API_KEY: dict[str, Any] = {"security": []}
TAGS = ["gateway"]


def _doc(description: str, model: Any) -> OpenAPIResponse:
    return {"description": description, "content": {http.JSON: {"model": model}}}


BAD = _doc("invalid input - invalid brand id / invalid version / invalid input", m.GwErrMsg)
TOKEN = _doc("invalid input - invalid token", m.GwErrMsg)
GATED = _doc("invalid token, or a requirement code (INCOMPLETE_REGISTRATION, ...)", m.GwErrMsg | m.GwResultCode)
FAILED = _doc("500", m.GwResultCode)
NO_CONTENT: OpenAPIResponse = {"description": "No Content"}
FIELDS = _doc("validation error codes", m.GwFieldErrors)
BUSY = _doc("the credentials or session stayed busy (concurrent writes): retry", m.GwErrMsg)


def _responses(extra: dict[int, OpenAPIResponse]) -> dict[int, OpenAPIResponse]:
    return {400: BAD, 500: FAILED, **extra}


def _brand(version: str, brand_id: str | int | None) -> Brand:
    sessions.check_version(version)
    return sessions.brand_of(brand_id)


def _caller(version: str, brand_id: str | int | None, token: str | None, **kw: Any) -> Caller:
    return sessions.authenticate(_brand(version, brand_id), token, **kw)


def _no_content() -> Response[Any]:
    return Response(status_code=204, body="")


def _json(status: int, body: Any) -> Response[Any]:
    return http.json_response(status, body.model_dump(by_alias=True) if isinstance(body, BaseModel) else body)


# ---- admission: sessions and password flows ----------------------------------------------------


@app.post(
    "/gateway/admission/<version>/register/<brand_id>",
    summary="Register a player",
    description="Creates the player (seen by the operator API), logs them in, and queues an activation email.",
    responses=_responses({201: _doc("Registered and logged in", m.GwTokenOut), 422: FIELDS}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def register(version: Version, brand_id: BrandPath, body: m.RegisterIn) -> Response[Any]:
    return _json(201, service.register(_brand(version, brand_id), body))


@app.post(
    "/gateway/admission/<version>/login/<brand_id>",
    summary="Log in",
    description="Username or email, and password. 401 INVALID_CREDENTIALS, ACCOUNT_LOCKED (Retry-After), "
    "SELF_EXCLUDED, COOLING_OFF, ACCOUNT_SUSPENDED or ACCOUNT_CLOSED.",
    responses=_responses({200: _doc("Logged in", m.GwTokenOut), 401: _doc("Refused", m.GwResultCode), 409: BUSY}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def login(version: Version, brand_id: BrandPath, body: m.LoginIn) -> Response[Any]:
    return _json(200, service.login(_brand(version, brand_id), body))


@app.post(
    "/gateway/admission/<version>/logout/<brand_id>",
    summary="Log out",
    description="Ends the session. An unknown or already ended token is 401 invalid token.",
    responses=_responses({204: NO_CONTENT, 401: TOKEN, 409: BUSY}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def logout(version: Version, brand_id: BrandPath, x_auth_token: Token = None) -> Response[Any]:
    sessions.end(_brand(version, brand_id), x_auth_token)
    return _no_content()


@app.post(
    "/gateway/admission/<version>/verify/email/<brand_id>",
    summary="Verify an email address",
    description="The link of an activation or an email change (single use, expiring).",
    responses=_responses(
        {
            200: _doc("Verified", m.GwMessageFormat),
            400: _doc(
                "general_failure (unknown, used or expired link) or invalid input", m.GwMessageFormat | m.GwErrMsg
            ),
            422: FIELDS,
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def verify_email(version: Version, brand_id: BrandPath, hash: LinkHash = None) -> Response[Any]:
    return _json(200, service.verify_email(_brand(version, brand_id), hash))


@app.post(
    "/gateway/admission/<version>/forgot/password/<brand_id>",
    summary="Send a password reset email",
    description="Always 201 forgot_email_sent, whether or not the address is known.",
    responses=_responses(
        {
            201: _doc("Sent (or not: never revealed)", m.GwMessageFormat),
            400: _doc("invalid brand id, or email_required", m.GwErrMsg | m.GwMessageFormat),
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def forgot_password(version: Version, brand_id: BrandPath, body: m.ForgotPasswordIn) -> Response[Any]:
    return _json(201, service.forgot_password(_brand(version, brand_id), body))


@app.post(
    "/gateway/admission/<version>/verify/password/<brand_id>",
    summary="Set a new password from a reset link",
    description="200, or 202 with a login token when the player may log in.",
    responses=_responses(
        {
            200: _doc("Changed", m.GwMessageFormat),
            202: _doc("Changed and logged in", m.GwTokenMessage),
            400: _doc("general_failure, or invalid input", m.GwMessageFormat | m.GwErrMsg),
            422: FIELDS,
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def verify_password(
    version: Version,
    brand_id: BrandPath,
    body: m.VerifyPasswordIn,
    hash: LinkHash = None,
) -> Response[Any]:
    status, result = service.verify_password(_brand(version, brand_id), hash, body)
    return _json(status, result)


@app.post(
    "/gateway/admission/<version>/player/<brand_id>/change/password",
    summary="Change password",
    description="303 while the T&C are unsigned; 422 with the password codes, or wrong_old_password. A wrong "
    "old password counts toward the login lockout: 401 ACCOUNT_LOCKED (Retry-After) once locked.",
    responses=_responses(
        {
            202: _doc("Replaced", m.GwMessageFormat),
            303: _doc("tnc_approval_required (the seed's body, typographic quotes included)", m.GwTncRequired),
            401: _doc("invalid input - invalid token, or ACCOUNT_LOCKED", m.GwErrMsg | m.GwResultCode),
            409: BUSY,
            422: _doc("password codes, or wrong_old_password", m.GwFieldErrors | m.GwMessageFormat),
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def change_password(
    version: Version, brand_id: BrandPath, body: m.ChangePasswordIn, x_auth_token: Token = None
) -> Response[Any]:
    return _json(202, service.change_password(_caller(version, brand_id, x_auth_token), body))


@app.post(
    "/gateway/admission/<version>/resend/activation/email/<brand_id>",
    summary="Resend the activation email",
    responses=_responses({200: _doc("Sent", m.GwMsg), 401: TOKEN}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def resend_activation(version: Version, brand_id: BrandPath, x_auth_token: Token = None) -> Response[Any]:
    return _json(200, service.resend_activation(_caller(version, brand_id, x_auth_token)))


# ---- personal details --------------------------------------------------------------------------

DETAILS = "/gateway/player-personal-details/player/details/<version>/<brand_id>"
NOT_FOUND = _doc("Player Personal Details not found", m.GwErrMsg)


@app.get(
    DETAILS,
    summary="Get personal details",
    responses=_responses({200: _doc("The details", m.DetailsOut), 401: TOKEN, 404: NOT_FOUND}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def get_details(version: Version, brand_id: BrandPath, x_auth_token: Token = None) -> Response[Any]:
    caller = _caller(version, brand_id, x_auth_token, missing_profile=responses.DETAILS_NOT_FOUND)
    return _json(200, service.details_of(caller))


def _update_details(version: str, brand_id: str, body: m.DetailsIn, token: str | None) -> Response[Any]:
    caller = _caller(version, brand_id, token, missing_profile=responses.DETAILS_NOT_FOUND)
    pending = service.update_details(caller, body)
    return _json(403, pending) if pending else _no_content()


DETAILS_UPDATE = _responses(
    {
        204: NO_CONTENT,
        401: TOKEN,
        403: _doc("mobile_verification_required (the phone waits for verification)", m.MobileVerificationRequired),
        404: NOT_FOUND,
    }
)


@app.put(DETAILS, summary="Update personal details", responses=DETAILS_UPDATE, tags=TAGS, openapi_extensions=NO_API_KEY)
def put_details(version: Version, brand_id: BrandPath, body: m.DetailsIn, x_auth_token: Token = None) -> Response[Any]:
    return _update_details(version, brand_id, body, x_auth_token)


@app.post(
    DETAILS,
    summary="Update personal details (POST)",
    responses=DETAILS_UPDATE,
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def post_details(version: Version, brand_id: BrandPath, body: m.DetailsIn, x_auth_token: Token = None) -> Response[Any]:
    return _update_details(version, brand_id, body, x_auth_token)


CUSTOM = "/gateway/player-personal-details/<version>/custom-fields/<brand_id>"
CUSTOM_UPDATE = _responses({200: _doc("Saved", m.GwSuccess), 401: TOKEN})


@app.get(
    CUSTOM,
    summary="Get custom fields",
    responses=_responses({200: _doc("The fields", m.GwCustomFields), 401: TOKEN}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def get_custom_fields(version: Version, brand_id: BrandPath, x_auth_token: Token = None) -> Response[Any]:
    return _json(200, service.custom_fields_of(_caller(version, brand_id, x_auth_token)))


@app.put(CUSTOM, summary="Update custom fields", responses=CUSTOM_UPDATE, tags=TAGS, openapi_extensions=NO_API_KEY)
def put_custom_fields(
    version: Version, brand_id: BrandPath, body: m.GwCustomFields, x_auth_token: Token = None
) -> Response[Any]:
    service.update_custom_fields(_caller(version, brand_id, x_auth_token), body)
    return _json(200, {"result": "success"})


@app.post(
    CUSTOM, summary="Update custom fields (POST)", responses=CUSTOM_UPDATE, tags=TAGS, openapi_extensions=NO_API_KEY
)
def post_custom_fields(
    version: Version, brand_id: BrandPath, body: m.GwCustomFields, x_auth_token: Token = None
) -> Response[Any]:
    service.update_custom_fields(_caller(version, brand_id, x_auth_token), body)
    return _json(200, {"result": "success"})


EMAIL = "/gateway/player-personal-details/player/details/emailUpdate/<version>/<brand_id>"
EMAIL_UPDATE = _responses(
    {204: NO_CONTENT, 401: TOKEN, 404: _doc("Player Personal Email not found", m.GwErrMsg), 422: FIELDS}
)


def _update_email(version: str, brand_id: str, body: m.EmailUpdateIn, token: str | None) -> Response[Any]:
    caller = _caller(version, brand_id, token, missing_profile=responses.EMAIL_NOT_FOUND)
    service.request_email_change(caller, body)
    return _no_content()


@app.post(
    EMAIL,
    summary="Update email (pending until verified)",
    responses=EMAIL_UPDATE,
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def post_email(
    version: Version, brand_id: BrandPath, body: m.EmailUpdateIn, x_auth_token: Token = None
) -> Response[Any]:
    return _update_email(version, brand_id, body, x_auth_token)


@app.put(EMAIL, summary="Update email (PUT)", responses=EMAIL_UPDATE, tags=TAGS, openapi_extensions=NO_API_KEY)
def put_email(
    version: Version, brand_id: BrandPath, body: m.EmailUpdateIn, x_auth_token: Token = None
) -> Response[Any]:
    return _update_email(version, brand_id, body, x_auth_token)


# ---- T&C ---------------------------------------------------------------------------------------


@app.post(
    "/gateway/player/multi/<version>/sign/tnc",
    summary="Sign the T&C or the privacy policy",
    description="201 `successfully signed TNC` (text); 303 names the other required document still unsigned.",
    responses=_responses(
        {
            201: {"description": "Signed", "content": {"text/plain": {"schema": {"type": "string"}}}},
            303: _doc("Sign the other document too", m.GwSignOther),
            401: TOKEN,
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def sign_tnc(version: Version, body: m.GwSignIn, x_auth_token: Token = None) -> Response[Any]:
    caller = _caller(version, body.brand_id, x_auth_token)
    status, result = service.sign(caller, body)
    if isinstance(result, str):
        return Response(status_code=status, content_type="text/plain", body=result)
    return _json(status, result)


# ---- online player -----------------------------------------------------------------------------


@app.get(
    "/gateway/online-player/<version>/player/<brand_id>/online/status",
    summary="Online status",
    description="Balances from the wallet; 303 with the reality check once the player's interval has passed.",
    responses=_responses(
        {200: _doc("Status", m.OnlineStatusOut), 303: _doc("Reality check", m.GwRealityCheck), 401: GATED}
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def online_status(version: Version, brand_id: BrandPath, x_auth_token: Token = None) -> Response[Any]:
    return _json(200, service.online_status(_caller(version, brand_id, x_auth_token)))


@app.get(
    "/gateway/online-player/<version>/<brand_id>/player/info",
    summary="Player info",
    responses=_responses({200: _doc("Player info", m.PlayerInfoOut), 401: GATED}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def player_info(version: Version, brand_id: BrandPath, x_auth_token: Token = None) -> Response[Any]:
    return _json(200, service.player_info(_caller(version, brand_id, x_auth_token)))


@app.get(
    "/gateway/online-player/<version>/player/<brand_id>/online/ingame/status/<game_session_id>",
    summary="In-game status",
    description="As online status, for a game session; 303 with the in-game reality check.",
    responses=_responses(
        {200: _doc("Status", m.InGameStatusOut), 303: _doc("Reality check", m.GwInGameRealityCheck), 401: GATED}
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def in_game_status(
    version: Version,
    brand_id: BrandPath,
    game_session_id: Annotated[str, Path(description="The game session id from start game", max_length=128)],
    x_auth_token: Token = None,
) -> Response[Any]:
    return _json(200, service.in_game_status(_caller(version, brand_id, x_auth_token), game_session_id))


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@http.json_bodies("gateway")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
