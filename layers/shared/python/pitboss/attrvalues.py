"""Python values <-> DynamoDB attribute values ({"S": "x"}, {"N": "1.5"}, ...), converted exactly as boto3's
`boto3.dynamodb.types.TypeSerializer` / `TypeDeserializer` convert them, except for binary values: they come
back as `bytes` (boto3 wraps them in its `Binary`, which compares equal to its bytes), and boto3's `Binary` is
not accepted on the way in (nothing in the layer makes one).

Why not boto3's module: `boto3.dynamodb.types` cannot be imported without boto3's package `__init__`, which
imports s3transfer and multiprocessing. Pitboss talks to DynamoDB through botocore's client alone, and
leaving boto3 out of a function's imports cuts about 0.1x of a bare boto3 client's cold start from every
function (docs/performance.md). `tests/unit/test_attrvalues.py` holds the two conversions equal to boto3's,
value by value, including their refusals (floats, NaN, numbers DynamoDB cannot store exactly).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's numbers: 38 significant digits, exponents -130..125; anything that would round is refused.
DYNAMODB_CONTEXT = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])

_BINARY = (bytes, bytearray)


def _number(value: int | Decimal) -> str:
    text = str(DYNAMODB_CONTEXT.create_decimal(value))
    if text in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return text


def _bytes(raw: Any) -> Any:
    """A binary read back: bytes, as botocore parses them (base64 text is refused, as boto3's Binary refuses it)."""
    if not isinstance(raw, _BINARY):
        raise TypeError(f"Value must be of the following types: {', '.join(str(t) for t in (bytearray, bytes))}")
    return raw


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, (int, Decimal))  # a bool is an int here, as in boto3 (tested first at the top)


def serialize(value: Any) -> dict[str, Any]:
    """One Python value as a DynamoDB attribute value (the types tried in boto3's order)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, _BINARY):
        return {"B": value}
    if isinstance(value, Set):
        if all(_is_number(v) for v in value):  # an empty set lands here, as in boto3 (DynamoDB refuses it)
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, _BINARY) for v in value):
            return {"BS": list(value)}
    if isinstance(value, Mapping):
        return {"M": {k: serialize(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def deserialize(value: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as a Python value (numbers as Decimal, binaries as bytes)."""
    if not value:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind = next(iter(value))
    raw = value[kind]
    if kind in ("S", "BOOL"):
        return raw
    if kind == "B":
        return _bytes(raw)
    if kind == "N":
        return DYNAMODB_CONTEXT.create_decimal(raw)
    if kind == "M":
        return {k: deserialize(v) for k, v in raw.items()}
    if kind == "L":
        return [deserialize(v) for v in raw]
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(raw)
    if kind == "BS":
        return {_bytes(v) for v in raw}
    if kind == "NS":
        return {DYNAMODB_CONTEXT.create_decimal(v) for v in raw}
    raise TypeError(f"Dynamodb type {kind} is not supported")
