"""The one exception hierarchy of Pitboss; each type carries its HTTP status and machine-readable code."""

from __future__ import annotations

from typing import Any


class PitbossError(Exception):
    """Base of every expected failure. The HTTP status comes from the type, never from the message."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class Unauthorized(PitbossError):
    status = 401
    code = "unauthorized"


class Forbidden(PitbossError):
    status = 403
    code = "forbidden"


class PlayerBlocked(Forbidden):
    code = "player_blocked"


class NotFound(PitbossError):
    status = 404
    code = "not_found"


class Conflict(PitbossError):
    status = 409
    code = "conflict"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"


class Unprocessable(PitbossError):
    status = 422
    code = "validation_error"


class InsufficientFunds(Unprocessable):
    code = "insufficient_funds"


class LimitExceeded(Unprocessable):
    code = "limit_exceeded"


class TooManyRequests(PitbossError):
    status = 429
    code = "too_many_requests"


class ConcurrentUpdate(PitbossError):
    """Optimistic-lock retries ran out; the caller may retry the whole request (same idempotency key)."""

    status = 409
    code = "concurrent_update"


class TransactionCancelled(Exception):
    """Raised by the store when TransactWriteItems is cancelled; `reasons[i]` is the code for item i."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return 0 <= index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"

    @property
    def is_conflict(self) -> bool:
        return any(r == "TransactionConflict" for r in self.reasons)


# ---- the player gateway's refusals (seed 002) ---------------------------------------------------
# Each names what went wrong; pitboss/http/gateway.py gives each the seed's exact body (errMsg, result,
# message_format, the 422 array, the 303 and 403 bodies) in one table.


class InvalidVersion(PitbossError):
    code = "invalid_version"

    def __init__(self) -> None:
        super().__init__("unknown API version")


class InvalidBrand(PitbossError):
    code = "invalid_brand"

    def __init__(self) -> None:
        super().__init__("no such brand")


class InvalidInput(PitbossError):
    code = "invalid_input"

    def __init__(self, message: str = "invalid input") -> None:
        super().__init__(message)


class InvalidToken(Unauthorized):
    """The player session is missing, unknown, expired or ended."""

    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("invalid session token")


class RequirementMissing(Unauthorized):
    """The player must do something first: INCOMPLETE_REGISTRATION, TNC_APPROVAL_REQUIRED, ... (the code)."""

    def __init__(self, requirement: str) -> None:
        super().__init__(f"requirement missing: {requirement}", code=requirement)


class LoginRefused(Unauthorized):
    """A login (or a password check) refused: INVALID_CREDENTIALS, ACCOUNT_LOCKED (with the seconds until
    the lock ends), SELF_EXCLUDED, COOLING_OFF, ACCOUNT_SUSPENDED, ACCOUNT_CLOSED, LOGIN_BLOCKED."""

    def __init__(self, reason: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"login refused: {reason}", code=reason)
        self.retry_after = retry_after


class FieldErrors(Unprocessable):
    """Fields that failed the seed's validation, as (field, error code) pairs, all of them at once."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("invalid fields")
        self.errors = list(errors)


class MessageFormat(PitbossError):
    """A refusal the front end shows through its message formats; `code` is the format's name."""


class GeneralFailure(MessageFormat):
    """An unknown, used, expired or superseded link."""

    code = "general_failure"

    def __init__(self) -> None:
        super().__init__("the link is not valid")


class EmailRequired(MessageFormat):
    code = "email_required"

    def __init__(self) -> None:
        super().__init__("an email address is required")


class WrongOldPassword(MessageFormat):
    status = 422
    code = "wrong_old_password"

    def __init__(self) -> None:
        super().__init__("the old password is not right")


class DetailsNotFound(NotFound):
    code = "details_not_found"

    def __init__(self) -> None:
        super().__init__("player personal details not found")


class EmailNotFound(NotFound):
    code = "email_not_found"

    def __init__(self) -> None:
        super().__init__("player personal email not found")


class MobileVerificationRequired(Forbidden):
    """A new phone waits for verification: the pending verification's id and its (once shown) token."""

    code = "mobile_verification_required"

    def __init__(self, verification_id: str, token: str) -> None:
        super().__init__("the new mobile number waits for verification")
        self.verification_id = verification_id
        self.token = token


class SeeOther(PitbossError):
    """Not a failure of the request: the player has something else to see or do first (the seed's 303s)."""

    status = 303
    code = "see_other"


class TncApprovalRequired(SeeOther):
    code = "tnc_approval_required"

    def __init__(self) -> None:
        super().__init__("the terms and conditions must be approved first")


class SignatureRequired(SeeOther):
    """After a signature: the other required documents (the seed's names) still unsigned."""

    code = "signature_required"

    def __init__(self, documents: list[str]) -> None:
        super().__init__("other documents still need signing")
        self.documents = list(documents)


class RealityCheckDue(SeeOther):
    """The player's reality-check interval has passed: `check` is the body to show (an output model)."""

    code = "reality_check"

    def __init__(self, check: Any) -> None:
        super().__init__("reality check due")
        self.check = check


# ---- the operator console (pitboss.operators) ----------------------------------------------------


class SignInRefused(Unauthorized):
    """A console sign-in refused: a wrong email, password or code all read the same (`locked` with the
    seconds until the lock ends; `choose_tenant` when the address signs in to several tenants)."""

    def __init__(self, reason: str = "invalid_credentials", *, retry_after: int | None = None, **details: Any) -> None:
        super().__init__(f"sign-in refused: {reason}", code=reason, **details)
        self.retry_after = retry_after


class SessionEnded(Unauthorized):
    """The console session is missing, expired (idle or absolute timeout), ended or its operator disabled."""

    code = "session_ended"

    def __init__(self) -> None:
        super().__init__("the console session has ended; sign in again")


class RateLimited(TooManyRequests):
    """The gateway's rate limit for this kind of request is spent (per client address or per account) until
    the window ends in `retry_after` seconds."""

    code = "TOO_MANY_REQUESTS"

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests; retry later")
        self.retry_after = retry_after


class BonusNotFound(NotFound):
    """The gateway's wagering-complete details: no such converted bonus of the session's player."""

    code = "bonus_not_found"

    def __init__(self) -> None:
        super().__init__("Bonus not found")


class MobileCodeExpired(MessageFormat):
    """The mobile verification is over: 10 minutes passed or 5 wrong codes were tried; update the phone again."""

    status = 400
    code = "mobile_verification_expired"

    def __init__(self) -> None:
        super().__init__("the mobile verification has expired; ask for a new code")


class WrongMobileCode(MessageFormat):
    status = 422
    code = "wrong_verification_code"

    def __init__(self) -> None:
        super().__init__("the code is not right")


class InvalidPublishableKey(Unauthorized):
    """The gateway's `x-pitboss-key` is not a live publishable key of the brand the path names."""

    code = "invalid_publishable_key"

    def __init__(self) -> None:
        super().__init__("invalid publishable key")
