"""Opaque page cursors for index queries: the last key DynamoDB handed back, as base64url JSON, bound to the
partition it was read from. A cursor naming another partition (another tenant, mode or list) is refused
(422 invalid_cursor), so a cursor can never widen what the caller reads."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pitboss.errors import Unprocessable

MAX_LENGTH = 1024


def encode(last_key: dict[str, Any]) -> str:
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, bound: dict[str, str]) -> dict[str, Any]:
    """The key a cursor names, if every attribute in `bound` (the partition read) has the expected value."""
    try:
        if len(cursor) > MAX_LENGTH:
            raise ValueError("too long")
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError("not a key")
        if any(data.get(name) != value for name, value in bound.items()):
            raise ValueError("another partition")
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Unprocessable(
            "cursor is not valid here",
            code="invalid_cursor",
            fields=[{"field": "cursor", "message": "use next_cursor from the previous page"}],
        ) from exc
    return data
