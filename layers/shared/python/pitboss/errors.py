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
