"""The gateway surface: each typed refusal answers the seed's exact body, and the OpenAPI document tells
the truth a generated client relies on (no body on a 204, no 422 that never comes, the session as a
security scheme, brand_id an integer, version its accepted values)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pitboss.errors import (
    ConcurrentUpdate,
    DetailsNotFound,
    EmailNotFound,
    EmailRequired,
    FieldErrors,
    GeneralFailure,
    InvalidBrand,
    InvalidInput,
    InvalidToken,
    InvalidVersion,
    LoginRefused,
    MobileVerificationRequired,
    PitbossError,
    RequirementMissing,
    SignatureRequired,
    TncApprovalRequired,
    WrongOldPassword,
)
from pitboss.http.gateway import refusal
from pitboss_local import template
from pitboss_local.runtime import LambdaContext, load_handler
from tests.conftest import load_event


@pytest.mark.parametrize(
    ("error", "status", "body", "headers"),
    [
        (InvalidVersion(), 400, {"errMsg": "invalid input - invalid version"}, {}),
        (InvalidBrand(), 400, {"errMsg": "invalid input - invalid brand id"}, {}),
        (InvalidInput(), 400, {"errMsg": "invalid input"}, {}),
        (InvalidToken(), 401, {"errMsg": "invalid input - invalid token"}, {}),
        (RequirementMissing("TNC_APPROVAL_REQUIRED"), 401, {"result": "TNC_APPROVAL_REQUIRED"}, {}),
        (LoginRefused("INVALID_CREDENTIALS"), 401, {"result": "INVALID_CREDENTIALS"}, {}),
        (LoginRefused("ACCOUNT_LOCKED", retry_after=61), 401, {"result": "ACCOUNT_LOCKED"}, {"Retry-After": "61"}),
        (
            FieldErrors([("email", "email_fraud"), ("password", "password_short")]),
            422,
            {
                "result": [
                    {"field": "email", "errorCode": "email_fraud"},
                    {"field": "password", "errorCode": "password_short"},
                ]
            },
            {},
        ),
        (GeneralFailure(), 400, {"message_format": "general_failure"}, {}),
        (EmailRequired(), 400, {"message_format": "email_required"}, {}),
        (WrongOldPassword(), 422, {"message_format": "wrong_old_password"}, {}),
        (DetailsNotFound(), 404, {"errMsg": "Player Personal Details not found"}, {}),
        (EmailNotFound(), 404, {"errMsg": "Player Personal Email not found"}, {}),
        (
            MobileVerificationRequired("09a21de0-a6c2-11ed-94a8-8a19e0bf9728", "221-34535345"),
            403,
            {
                "status": "mobile_verification_required",
                "data": {"mobile_number": "09a21de0-a6c2-11ed-94a8-8a19e0bf9728", "2fa_auth_token": "221-34535345"},
            },
            {},
        ),
        (TncApprovalRequired(), 303, {"\u201cmessage_format\u201d": "\u201ctnc_approval_required\u201d"}, {}),
        (SignatureRequired(["privacy_policy"]), 303, {"sign: ": ["privacy_policy"]}, {}),
        (ConcurrentUpdate("the item is busy; retry"), 409, {"errMsg": "the item is busy; retry"}, {}),
    ],
)
def test_each_refusal_answers_the_seeds_body(
    error: PitbossError, status: int, body: Any, headers: dict[str, str]
) -> None:
    assert refusal(error) == (status, body, headers)


def _document() -> dict[str, Any]:
    docs = load_handler(template.functions()["DocsFunction"], 998)
    response = docs(load_event("docs__get__v1_openapi_json"), LambdaContext(function_name="DocsFunction"))
    spec: dict[str, Any] = json.loads(response["body"])
    return spec


def _gateway_operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in spec["paths"].items()
        if path.startswith("/gateway/")
        for method, operation in item.items()
    }


def test_the_gateway_document_tells_a_generated_client_the_truth() -> None:
    spec = _document()
    operations = _gateway_operations(spec)
    # + revert email (issue 10 #4); + wagering-complete details, mobile verify, RG limits GET/PUT, cool-off and
    # self-exclusion (issue 11 #10, #8, #4); message formats with and without a brand (#9); start game (#6)
    assert len(operations) == 30
    no_content = sorted(k for k, op in operations.items() if "204" in op["responses"])
    assert len(no_content) == 5  # logout, PUT/POST details, PUT/POST emailUpdate
    for key in no_content:
        assert "content" not in operations[key]["responses"]["204"], key
    with_422 = []
    for key, op in operations.items():
        assert "HTTPValidationError" not in json.dumps(op["responses"]), key  # bad input is the declared 400
        assert op["responses"]["400"]["content"], key
        if "422" in op["responses"]:
            with_422.append(key)
    # register, verify email/password, revert email, change password, POST/PUT emailUpdate, mobile verify, RG limits
    assert len(with_422) == 9

    scheme = spec["components"]["securitySchemes"]["playerSession"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "x-auth-token")
    open_routes = {"register", "login", "forgot", "verify", "revert", "message-formats"}
    for key, op in operations.items():
        names = {(p["name"], p["in"]) for p in op.get("parameters", [])}
        assert ("x-auth-token", "header") not in names, key
        takes_session = "/mobile/verify/" in key or not any(f"/{word}/" in key for word in open_routes)
        assert op["security"] == ([{"playerSession": []}] if takes_session else []), key
        for parameter in op.get("parameters", []):
            if parameter["name"] == "brand_id":
                assert parameter["schema"]["type"] == "integer", key
            if parameter["name"] == "version":
                assert parameter["schema"] == {"$ref": "#/components/schemas/GatewayVersion"}, key
    assert spec["components"]["schemas"]["GatewayVersion"]["enum"] == ["v1", "1"]
    # issue 11 #12: the publishable key every gateway route reads is declared, optional, with its 401
    for key, op in operations.items():
        if key == "GET /gateway/message-formats/{version}":  # names no brand: nothing to select
            assert all(p["name"] != "x-pitboss-key" for p in op.get("parameters", [])), key
            continue
        (header,) = [p for p in op["parameters"] if p["name"] == "x-pitboss-key"]
        assert (header["in"], header["required"], header["schema"]["type"]) == ("header", False, "string"), key
        assert "invalid publishable key" in op["responses"]["401"]["description"], key
        assert "#/components/schemas/GwErrMsg" in json.dumps(op["responses"]["401"]), key
