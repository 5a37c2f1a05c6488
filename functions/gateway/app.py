"""Player gateway (seed 002): /gateway/... as the seed writes its paths, for the casino's own front end.

Authenticated by the player's `x-auth-token` session (no API key: these routes skip the authorizer; the
document declares the header as the `playerSession` security scheme). Order of checks on every route:
`{version}` (v1), then `{brand_id}` (400 invalid brand id), then the token (401 invalid token), then the
body. Refusals are typed errors; pitboss.http.gateway answers them with the seed's bodies."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http
from pitboss.errors import DetailsNotFound, EmailNotFound
from pitboss.games.models import GwGameStartIn, GwGameStartOut
from pitboss.gateway import (
    admission,
    credentials,
    details,
    formats,
    games,
    mobile,
    publishable,
    responsible_gaming,
    sessions,
    status,
    tnc,
)
from pitboss.gateway import models as m
from pitboss.gateway import output as o
from pitboss.gateway.output import GwMessageFormatsOut, GwRgOut, GwWageringCompleteOut
from pitboss.gateway.sessions import Caller, Front
from pitboss.http import gateway as surface
from pitboss.observability import logger
from pitboss.reports import usage

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="gateway")
surface.install(app)

# Plain strings on the wire, so anything else gets the seed's own 400 (invalid version / invalid brand id)
# rather than a validation error; the document says what is accepted.
Version = Annotated[
    str,
    Path(description="The API version to use: v1 (or 1)", json_schema_extra={"enum": list(sessions.VERSIONS)}),
]
BrandPath = Annotated[
    str,
    Path(
        description="The ID of the casino (brand)",
        json_schema_extra={"type": "integer", "minimum": 1, "maximum": sessions.BRAND_MAX},
    ),
]
LinkHash = Annotated[str | None, Query(description="The token from the emailed link", max_length=512)]
# No API key on the gateway: the open routes (register, login, links) take no credential at all.
NO_API_KEY: dict[str, Any] = {"security": []}
SESSION = surface.PLAYER_SESSION
TAGS = ["gateway"]


def _doc(description: str, model: Any) -> OpenAPIResponse:
    return {"description": description, "content": {http.JSON: {"model": model}}}


BAD = _doc("invalid input - invalid brand id / invalid version / invalid input", o.GwErrMsg)
TOKEN = _doc("invalid input - invalid token", o.GwErrMsg)
GATED = _doc("invalid token, or a requirement code (INCOMPLETE_REGISTRATION, ...)", o.GwErrMsg | o.GwResultCode)
FAILED = _doc("500", o.GwResultCode)
NO_CONTENT: OpenAPIResponse = {"description": "No Content"}
FIELDS = _doc("validation error codes", o.GwFieldErrors)
BUSY = _doc("the credentials or session stayed busy (concurrent writes): retry", o.GwErrMsg)
THROTTLED: OpenAPIResponse = {
    "description": "TOO_MANY_REQUESTS: the brand's rate limit for this kind of request (per client address or "
    "per account) is spent until the window ends",
    "headers": {"Retry-After": {"description": "Seconds until the window ends", "schema": {"type": "integer"}}},
    "content": {http.JSON: {"model": o.GwResultCode}},
}


def _responses(extra: dict[int, OpenAPIResponse]) -> dict[int, OpenAPIResponse]:
    return {400: BAD, 500: FAILED, **extra}


def _front(version: str, brand_id: str | int | None, *, admission: bool = False) -> Front:
    """The version, then the brand the path names, its mode (a publishable test key: the test realm), and who
    is calling from where. `admission`: register and login, which a plug_in brand does not offer (issue 13)."""
    sessions.check_version(version)
    brand = sessions.admitting_brand_of(brand_id) if admission else sessions.brand_of(brand_id)
    mode = publishable.mode_of(brand, app.current_event.headers.get(surface.PUBLISHABLE_KEY_HEADER))
    front = Front(brand=brand, mode=mode, ip=app.current_event.request_context.http.source_ip)
    # Usage metering (issue 14 §3): a request of the gateway surface, counted in the brand's realm once the
    # brand (and with it the tenant) is known; a failed count never fails the request.
    usage.count_request(front.realm, "gateway", app.current_event.http_method)
    return front


def _token() -> str | None:
    return app.current_event.headers.get(surface.SESSION_HEADER)


def _caller(version: str, brand_id: str | int | None, **kw: Any) -> Caller:
    return sessions.authenticate(_front(version, brand_id), _token(), **kw)


def _no_content() -> Response[Any]:
    return Response(status_code=204, body="")


# ---- admission: sessions and password flows ----------------------------------------------------


@app.post(
    "/gateway/admission/<version>/register/<brand_id>",
    status_code=201,
    summary="Register a player",
    description="Creates the player (seen by the operator API), logs them in, and queues an activation email.",
    responses=_responses({429: THROTTLED, 201: _doc("Registered and logged in", o.GwTokenOut), 422: FIELDS}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def register(version: Version, brand_id: BrandPath, body: m.RegisterIn) -> o.GwTokenOut:
    return admission.register(_front(version, brand_id, admission=True), body)


@app.post(
    "/gateway/admission/<version>/login/<brand_id>",
    summary="Log in",
    description="Username or email, and password. 401 INVALID_CREDENTIALS, ACCOUNT_LOCKED (Retry-After), "
    "SELF_EXCLUDED, COOLING_OFF, ACCOUNT_SUSPENDED, ACCOUNT_CLOSED or PASSWORD_CHANGE_REQUIRED (an email change "
    "was reverted: set a new password through a reset link).",
    responses=_responses(
        {429: THROTTLED, 200: _doc("Logged in", o.GwTokenOut), 401: _doc("Refused", o.GwResultCode), 409: BUSY}
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def login(version: Version, brand_id: BrandPath, body: m.LoginIn) -> o.GwTokenOut:
    return admission.login(_front(version, brand_id, admission=True), body)


@app.post(
    "/gateway/admission/<version>/logout/<brand_id>",
    summary="Log out",
    description="Ends the session. An unknown or already ended token is 401 invalid token.",
    responses=_responses({204: NO_CONTENT, 401: TOKEN, 409: BUSY}),
    tags=TAGS,
    security=SESSION,
)
def logout(version: Version, brand_id: BrandPath) -> Response[Any]:
    admission.logout(_front(version, brand_id), _token())
    return _no_content()


@app.post(
    "/gateway/admission/<version>/verify/email/<brand_id>",
    summary="Verify an email address",
    description="The link of an activation or an email change (single use, expiring).",
    responses=_responses(
        {
            429: THROTTLED,
            200: _doc("Verified", o.GwMessageFormat),
            400: _doc(
                "general_failure (unknown, used or expired link) or invalid input", o.GwMessageFormat | o.GwErrMsg
            ),
            422: FIELDS,
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def verify_email(version: Version, brand_id: BrandPath, hash: LinkHash = None) -> o.GwMessageFormat:
    return admission.verify_email(_front(version, brand_id), hash)


@app.post(
    "/gateway/admission/<version>/revert/email/<brand_id>",
    summary="Undo an email change",
    description="The link in the email-change notice sent to the old address (7 days, single use): the old "
    "address comes back, every session ends and the next login needs a new password from a reset link "
    "(401 PASSWORD_CHANGE_REQUIRED until then).",
    responses=_responses(
        {
            429: THROTTLED,
            200: _doc("Reverted", o.GwMessageFormat),
            400: _doc(
                "general_failure (unknown, used or expired link) or invalid input", o.GwMessageFormat | o.GwErrMsg
            ),
            409: BUSY,
            422: FIELDS,
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def revert_email(version: Version, brand_id: BrandPath, hash: LinkHash = None) -> o.GwMessageFormat:
    return admission.revert_email(_front(version, brand_id), hash)


@app.post(
    "/gateway/admission/<version>/forgot/password/<brand_id>",
    status_code=201,
    summary="Send a password reset email",
    description="Always 201 forgot_email_sent, whether or not the address is known.",
    responses=_responses(
        {
            429: THROTTLED,
            201: _doc("Sent (or not: never revealed)", o.GwMessageFormat),
            400: _doc("invalid brand id, or email_required", o.GwErrMsg | o.GwMessageFormat),
        }
    ),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def forgot_password(version: Version, brand_id: BrandPath, body: m.ForgotPasswordIn) -> o.GwMessageFormat:
    return credentials.forgot_password(_front(version, brand_id), body)


@app.post(
    "/gateway/admission/<version>/verify/password/<brand_id>",
    summary="Set a new password from a reset link",
    description="200, or 202 with a login token when the player may log in.",
    responses=_responses(
        {
            429: THROTTLED,
            200: _doc("Changed", o.GwMessageFormat),
            202: _doc("Changed and logged in", o.GwTokenMessage),
            400: _doc("general_failure, or invalid input", o.GwMessageFormat | o.GwErrMsg),
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
) -> Response[o.GwTokenMessage | o.GwMessageFormat]:
    result = credentials.verify_password(_front(version, brand_id), hash, body)
    logged_in = isinstance(result, o.GwTokenMessage)  # the seed's 202 carries the new session's token
    return Response(status_code=202 if logged_in else 200, content_type=http.JSON, body=result)


@app.post(
    "/gateway/admission/<version>/player/<brand_id>/change/password",
    status_code=202,
    summary="Change password",
    description="303 while the T&C are unsigned; 422 with the password codes, or wrong_old_password. A wrong "
    "old password counts toward the login lockout: 401 ACCOUNT_LOCKED (Retry-After) once locked.",
    responses=_responses(
        {
            202: _doc("Replaced", o.GwMessageFormat),
            303: _doc("tnc_approval_required (the seed's body, typographic quotes included)", o.GwTncRequired),
            401: _doc("invalid input - invalid token, or ACCOUNT_LOCKED", o.GwErrMsg | o.GwResultCode),
            409: BUSY,
            422: _doc("password codes, or wrong_old_password", o.GwFieldErrors | o.GwMessageFormat),
        }
    ),
    tags=TAGS,
    security=SESSION,
)
def change_password(version: Version, brand_id: BrandPath, body: m.ChangePasswordIn) -> o.GwMessageFormat:
    return credentials.change_password(_caller(version, brand_id), body)


@app.post(
    "/gateway/admission/<version>/resend/activation/email/<brand_id>",
    summary="Resend the activation email",
    responses=_responses({429: THROTTLED, 200: _doc("Sent", o.GwMsg), 401: TOKEN}),
    tags=TAGS,
    security=SESSION,
)
def resend_activation(version: Version, brand_id: BrandPath) -> o.GwMsg:
    return credentials.resend_activation(_caller(version, brand_id))


# ---- personal details --------------------------------------------------------------------------

DETAILS = "/gateway/player-personal-details/player/details/<version>/<brand_id>"
NOT_FOUND = _doc("Player Personal Details not found", o.GwErrMsg)


@app.get(
    DETAILS,
    summary="Get personal details",
    responses=_responses({200: _doc("The details", o.DetailsOut), 401: TOKEN, 404: NOT_FOUND}),
    tags=TAGS,
    security=SESSION,
)
def get_details(version: Version, brand_id: BrandPath) -> o.DetailsOut:
    return details.details_of(_caller(version, brand_id, missing=DetailsNotFound))


def _update_details(version: str, brand_id: str, body: m.DetailsIn) -> Response[Any]:
    details.update_details(_caller(version, brand_id, missing=DetailsNotFound), body)
    return _no_content()


DETAILS_UPDATE = _responses(
    {
        204: NO_CONTENT,
        401: TOKEN,
        403: _doc("mobile_verification_required (the phone waits for verification)", o.MobileVerificationRequired),
        404: NOT_FOUND,
    }
)


@app.put(DETAILS, summary="Update personal details", responses=DETAILS_UPDATE, tags=TAGS, security=SESSION)
def put_details(version: Version, brand_id: BrandPath, body: m.DetailsIn) -> Response[Any]:
    return _update_details(version, brand_id, body)


@app.post(DETAILS, summary="Update personal details (POST)", responses=DETAILS_UPDATE, tags=TAGS, security=SESSION)
def post_details(version: Version, brand_id: BrandPath, body: m.DetailsIn) -> Response[Any]:
    return _update_details(version, brand_id, body)


@app.post(
    "/gateway/player-personal-details/player/details/mobile/verify/<version>/<brand_id>",
    summary="Verify a new mobile number",
    description="The `2fa_auth_token` of the 403 mobile_verification_required and the 6-digit code texted to the "
    "number (10 minutes, 5 tries). 200 mobile_verified: the number is verified and the whole update that waited "
    "applies. 422 wrong_verification_code; 400 mobile_verification_expired (late, or the fifth wrong code: "
    "update the phone again for a new code); 400 invalid input (not the pending verification's token).",
    responses=_responses(
        {
            200: _doc("Verified", o.GwMessageFormat),
            400: _doc("invalid input, or mobile_verification_expired", o.GwErrMsg | o.GwMessageFormat),
            401: TOKEN,
            404: NOT_FOUND,
            422: _doc("wrong_verification_code", o.GwMessageFormat),
        }
    ),
    tags=TAGS,
    security=SESSION,
)
def verify_mobile(version: Version, brand_id: BrandPath, body: m.GwMobileVerifyIn) -> o.GwMessageFormat:
    return mobile.verify(_caller(version, brand_id, missing=DetailsNotFound), body)


CUSTOM = "/gateway/player-personal-details/<version>/custom-fields/<brand_id>"
CUSTOM_UPDATE = _responses({200: _doc("Saved", o.GwSuccess), 401: TOKEN})


@app.get(
    CUSTOM,
    summary="Get custom fields",
    responses=_responses({200: _doc("The fields", m.GwCustomFields), 401: TOKEN}),
    tags=TAGS,
    security=SESSION,
)
def get_custom_fields(version: Version, brand_id: BrandPath) -> m.GwCustomFields:
    return details.custom_fields_of(_caller(version, brand_id))


@app.put(CUSTOM, summary="Update custom fields", responses=CUSTOM_UPDATE, tags=TAGS, security=SESSION)
def put_custom_fields(version: Version, brand_id: BrandPath, body: m.GwCustomFields) -> o.GwSuccess:
    return details.update_custom_fields(_caller(version, brand_id), body)


@app.post(CUSTOM, summary="Update custom fields (POST)", responses=CUSTOM_UPDATE, tags=TAGS, security=SESSION)
def post_custom_fields(version: Version, brand_id: BrandPath, body: m.GwCustomFields) -> o.GwSuccess:
    return details.update_custom_fields(_caller(version, brand_id), body)


EMAIL = "/gateway/player-personal-details/player/details/emailUpdate/<version>/<brand_id>"
EMAIL_UPDATE = _responses(
    {204: NO_CONTENT, 401: TOKEN, 404: _doc("Player Personal Email not found", o.GwErrMsg), 422: FIELDS}
)


def _update_email(version: str, brand_id: str, body: m.EmailUpdateIn) -> Response[Any]:
    details.request_email_change(_caller(version, brand_id, missing=EmailNotFound), body)
    return _no_content()


@app.post(EMAIL, summary="Update email (pending until verified)", responses=EMAIL_UPDATE, tags=TAGS, security=SESSION)
def post_email(version: Version, brand_id: BrandPath, body: m.EmailUpdateIn) -> Response[Any]:
    return _update_email(version, brand_id, body)


@app.put(EMAIL, summary="Update email (PUT)", responses=EMAIL_UPDATE, tags=TAGS, security=SESSION)
def put_email(version: Version, brand_id: BrandPath, body: m.EmailUpdateIn) -> Response[Any]:
    return _update_email(version, brand_id, body)


# ---- T&C ---------------------------------------------------------------------------------------


@app.post(
    "/gateway/player/multi/<version>/sign/tnc",
    summary="Sign the T&C or the privacy policy",
    description="201 `successfully signed TNC` (text); 303 names the other required document still unsigned.",
    responses=_responses(
        {
            201: {"description": "Signed", "content": {"text/plain": {"schema": {"type": "string"}}}},
            303: _doc("Sign the other document too", o.GwSignOther),
            401: TOKEN,
        }
    ),
    tags=TAGS,
    security=SESSION,
)
def sign_tnc(version: Version, body: m.GwSignIn) -> Response[str]:
    signed = tnc.sign(_caller(version, body.brand_id), body)
    return Response(status_code=201, content_type="text/plain", body=signed)


# ---- online player -----------------------------------------------------------------------------


@app.get(
    "/gateway/online-player/<version>/player/<brand_id>/online/status",
    summary="Online status",
    description="Balances from the wallet; 303 with the reality check once the player's interval has passed.",
    responses=_responses(
        {200: _doc("Status", o.OnlineStatusOut), 303: _doc("Reality check", o.GwRealityCheck), 401: GATED}
    ),
    tags=TAGS,
    security=SESSION,
)
def online_status(version: Version, brand_id: BrandPath) -> o.OnlineStatusOut:
    return status.online_status(_caller(version, brand_id))


@app.get(
    "/gateway/online-player/<version>/<brand_id>/player/info",
    summary="Player info",
    responses=_responses({200: _doc("Player info", o.PlayerInfoOut), 401: GATED}),
    tags=TAGS,
    security=SESSION,
)
def player_info(version: Version, brand_id: BrandPath) -> o.PlayerInfoOut:
    return status.player_info(_caller(version, brand_id))


@app.get(
    "/gateway/online-player/<version>/player/<brand_id>/online/ingame/status/<game_session_id>",
    summary="In-game status",
    description="As online status, for a game session of the caller's own player that start game opened; 303 "
    "with the in-game reality check. Any other id (unknown, another player's, another brand's or mode's, "
    "expired after 24 hours) is 404 `game session not found`.",
    responses=_responses(
        {
            200: _doc("Status", o.InGameStatusOut),
            303: _doc("Reality check", o.GwInGameRealityCheck),
            401: GATED,
            404: _doc("game session not found", o.GwErrMsg),
        }
    ),
    tags=TAGS,
    security=SESSION,
)
def in_game_status(
    version: Version,
    brand_id: BrandPath,
    game_session_id: Annotated[str, Path(description="The game session id from start game", max_length=128)],
) -> o.InGameStatusOut:
    return games.in_game_status(_caller(version, brand_id), game_session_id)


@app.post(
    "/gateway/game/<version>/<brand_id>/start",
    summary="Start game",
    description="Opens a game session for the session's player (seed 002: the game_session_id in-game status "
    'takes is "provided by start game request"), in the brand\'s default currency, for 24 hours. A player whose '
    "state blocks bets (a hold, the age gate) is 403; one whose state blocks login has no session (401).",
    responses=_responses(
        {
            200: _doc("The session opened", GwGameStartOut),
            401: GATED,
            403: _doc("the player is blocked from play", o.GwErrMsg),
        }
    ),
    tags=TAGS,
    security=SESSION,
)
def start_game(version: Version, brand_id: BrandPath, body: GwGameStartIn) -> GwGameStartOut:
    return games.start(_caller(version, brand_id), body)


@app.get(
    "/gateway/bonus/<version>/wagering-complete/<brand_id>/<player_id>/<unique_ref_id>",
    summary="A completed wagering's details",
    description="The path online status' `wageringCompleteInfoPath` names: the session's player's bonus whose "
    "wagering completed and what it converted to real. 404 for another player's id or an unknown reference.",
    responses=_responses(
        {
            200: _doc("The converted bonus", GwWageringCompleteOut),
            401: GATED,
            404: _doc("Bonus not found", o.GwErrMsg),
        }
    ),
    tags=TAGS,
    security=SESSION,
)
def wagering_complete(
    version: Version,
    brand_id: BrandPath,
    player_id: Annotated[str, Path(description="The session's player_id", max_length=20)],
    unique_ref_id: Annotated[str, Path(description="The bonus's id, from wageringCompleteInfoPath", max_length=128)],
) -> GwWageringCompleteOut:
    return status.wagering_complete(_caller(version, brand_id), player_id, unique_ref_id)


# ---- message formats (issue 11 #9) -----------------------------------------------------------------

Language = Annotated[str | None, Query(description="A language code (en, de, pt-br); falls back to en", max_length=16)]
FORMATS_DOC = "Every message_format key the gateway answers with its text (the brand's own over the defaults)"


@app.get(
    "/gateway/message-formats/<version>/<brand_id>",
    summary="Message formats of a brand",
    description=FORMATS_DOC + ". No session needed.",
    responses=_responses({200: _doc("The formats", GwMessageFormatsOut)}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def brand_message_formats(version: Version, brand_id: BrandPath, language: Language = None) -> GwMessageFormatsOut:
    return formats.message_formats(_front(version, brand_id).brand, language)


@app.get(
    "/gateway/message-formats/<version>",
    summary="Message formats (default storage)",
    description='Seed 002: "If a brand_id is not provided, all message formats will be fetched from default '
    'storage": the defaults. No session needed.',
    responses=_responses({200: _doc("The formats", GwMessageFormatsOut)}),
    tags=TAGS,
    openapi_extensions=NO_API_KEY,
)
def default_message_formats(version: Version, language: Language = None) -> GwMessageFormatsOut:
    sessions.check_version(version)
    return formats.message_formats(None, language)


# ---- responsible gaming, self-service (issue 11 #4) -----------------------------------------------

RG = "/gateway/responsible-gaming/<version>/<brand_id>"
RG_DONE = "The player's RG as the operator's dossier shows it"
RG_REFUSED = _doc(
    "409 cooloff_cannot_shorten / self_exclusion_cannot_shorten / self_exclusion_permanent (an exclusion only "
    "grows); 422 (limits) an amount with more decimals than the currency has",
    o.GwErrMsg,
)
RG_WRITE = _responses({200: _doc(RG_DONE, GwRgOut), 401: TOKEN, 409: RG_REFUSED})


@app.get(
    f"{RG}/limits",
    summary="Get my responsible-gaming limits",
    description="Limits in force, changes waiting for the brand's delay, cool-off and self-exclusion.",
    responses=_responses({200: _doc(RG_DONE, GwRgOut), 401: TOKEN}),
    tags=TAGS,
    security=SESSION,
)
def get_rg_limits(version: Version, brand_id: BrandPath) -> GwRgOut:
    return responsible_gaming.limits_of(_caller(version, brand_id))


@app.put(
    f"{RG}/limits",
    summary="Set my responsible-gaming limits",
    description="The operator's RG rules: a first limit or a decrease applies at once; a raise or a removal "
    "(null) waits for the brand's `rg_increase_delay_hours`. Only the limits sent change.",
    responses={**RG_WRITE, 422: RG_REFUSED},
    tags=TAGS,
    security=SESSION,
)
def put_rg_limits(version: Version, brand_id: BrandPath, body: m.GwRgLimitsIn) -> GwRgOut:
    return responsible_gaming.set_limits(_caller(version, brand_id), body)


@app.post(
    f"{RG}/cool-off",
    summary="Take a break (cool-off)",
    description="1 to 42 days, from now. Play ends at once: this session and every money call are refused, "
    "and login answers 401 COOLING_OFF until it ends. It can be extended, never shortened.",
    responses=RG_WRITE,
    tags=TAGS,
    security=SESSION,
)
def post_cool_off(version: Version, brand_id: BrandPath, body: m.GwCoolOffIn) -> GwRgOut:
    return responsible_gaming.cool_off(_caller(version, brand_id), body)


@app.post(
    f"{RG}/self-exclusion",
    summary="Exclude myself",
    description='`{"months": 6 | 12 | 60}` or `{"permanent": true}`. Play ends at once: this session and every '
    "money call are refused, and login answers 401 SELF_EXCLUDED. It can't be shortened or lifted here.",
    responses=RG_WRITE,
    tags=TAGS,
    security=SESSION,
)
def post_self_exclusion(version: Version, brand_id: BrandPath, body: m.GwSelfExclusionIn) -> GwRgOut:
    return responsible_gaming.self_exclude(_caller(version, brand_id), body)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@http.json_bodies("gateway")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
