"""The gateway's seed-dictated bodies (seed 002), each built in one place and raised as http.HttpError."""

from __future__ import annotations

from pitboss.http import HttpError

INVALID_BRAND = {"errMsg": "invalid input - invalid brand id"}
INVALID_TOKEN = {"errMsg": "invalid input - invalid token"}
INVALID_INPUT = {"errMsg": "invalid input"}
INVALID_VERSION = {"errMsg": "invalid input - invalid version"}
DETAILS_NOT_FOUND = {"errMsg": "Player Personal Details not found"}
EMAIL_NOT_FOUND = {"errMsg": "Player Personal Email not found"}
GENERAL_FAILURE = {"message_format": "general_failure"}
# The seed's change-password 303 body, typographic quotes and all (its key and value carry them).
TNC_REQUIRED_303 = {"\u201cmessage_format\u201d": "\u201ctnc_approval_required\u201d"}


def invalid_brand() -> HttpError:
    return HttpError(400, INVALID_BRAND)


def invalid_token() -> HttpError:
    return HttpError(401, INVALID_TOKEN)


def invalid_input() -> HttpError:
    return HttpError(400, INVALID_INPUT)


def result(status: int, code: str, headers: dict[str, str] | None = None) -> HttpError:
    """{"result": CODE}: the seed's 401 requirement codes (and this gateway's login refusals)."""
    return HttpError(status, {"result": code}, headers)


def message_format(status: int, code: str) -> HttpError:
    return HttpError(status, {"message_format": code})


def fields(errors: list[tuple[str, str]]) -> HttpError:
    """422 {"result": [{"field", "errorCode"}, ...]}: the seed's validation array."""
    return HttpError(422, {"result": [{"field": f, "errorCode": c} for f, c in errors]})
