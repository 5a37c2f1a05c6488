"""JSON on the wire, exact both ways: Decimal in, decimal strings out, never through float."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response

JSON = "application/json"
T = TypeVar("T")


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), default=_default)


def exact_json(text: str | bytes) -> Any:
    """Request bodies keep numbers exact: 0.1 arrives as Decimal("0.1"), never as a float. A body Python
    can't read as JSON (including an integer beyond its 4300-digit conversion limit, a plain ValueError)
    is a JSONDecodeError, which every surface answers as bad input."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(f"unreadable JSON: {exc}", "", 0) from exc


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=JSON, body=dumps(body), headers=headers)


def model_response(status: int, model: T, headers: dict[str, str] | None = None) -> Response[T]:
    """An output model as the answer, with its status: powertools validates it against the route's return
    type (Response[Model]) and serializes it, so the answer is what the OpenAPI document says."""
    return Response(status_code=status, content_type=JSON, body=model, headers=headers)


def raw_response(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """A Lambda proxy result built before the resolver runs (the handler wrapper's early refusals)."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON, **(headers or {})},
        "body": dumps(body),
        "isBase64Encoded": False,
    }
