"""The player gateway's error bodies, exactly as seed 002 writes them: {"errMsg": ...}, {"result": ...}."""

from __future__ import annotations

from typing import Any

from pitboss.errors import PitbossError

INVALID_INPUT = {"errMsg": "invalid input"}


class Bodies:
    """How the /gateway surface answers each kind of failure (status, body)."""

    def domain(self, exc: PitbossError) -> tuple[int, Any]:
        return exc.status, {"errMsg": exc.message}

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
