"""pitboss.attrvalues converts as boto3's TypeSerializer / TypeDeserializer do (the store used them until boto3
left the functions' imports): the same attribute values, the same Python values, the same refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from pitboss import attrvalues

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -7,
    10**37,
    Decimal("12.34"),
    Decimal("-0.000001"),
    Decimal("1E+5"),
    Decimal("0.10"),
    Decimal("1234567890123456789012345678901234567.8"),
    "",
    "x",
    "αβγ ✓",
    b"",
    b"\x00\xff",
    bytearray(b"ab"),
    {"a"},
    {"a", "b"},
    frozenset({"z"}),
    {Decimal("1.5"), 2},
    {True},
    {b"a", b"b"},
    set(),
    [],
    [1, "a", None, [Decimal("2")]],
    (1, "t"),
    {},
    {"k": {"n": Decimal("3.0"), "l": [{"x": b"\x01"}], "s": {"q"}, "b": False, "z": None}},
]
REFUSED: list[Any] = [
    1.5,
    [0.1],
    {"k": 2.0},
    {0.5},
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("1.2345678901234567890123456789012345678901"),  # 41 digits: would round
    Decimal("1E+200"),
    Decimal("1E-200"),
    object(),
    {"a", 1.0, 2},
]


def _boto3_serialize(value: Any) -> Any:
    return TypeSerializer().serialize(value)


def _plain(value: Any) -> Any:
    """A value with its types spelled out (Decimal('0.30') is not Decimal('0.3') here), boto3's Binary as the
    bytes it wraps: two conversions agree when their plain forms are equal."""
    if isinstance(value, Binary):
        value = value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_plain(v)) for v in value)
    return (type(value).__name__, repr(value))


def _outcome(convert: Any, value: Any) -> Any:
    try:
        return ("ok", convert(value))
    except Exception as exc:  # the refusal itself is what is compared
        return ("refused", type(exc).__name__, str(exc).split(" at 0x")[0])


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_values_serialize_as_boto3_serializes_them(value: Any) -> None:
    assert attrvalues.serialize(value) == _boto3_serialize(value)


@pytest.mark.parametrize("value", REFUSED, ids=repr)
def test_what_boto3_refuses_is_refused_with_its_error(value: Any) -> None:
    ours, theirs = _outcome(attrvalues.serialize, value), _outcome(_boto3_serialize, value)
    assert ours[0] == "refused"
    assert ours == theirs


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_attribute_values_deserialize_as_boto3_deserializes_them(value: Any) -> None:
    raw = _boto3_serialize(value)
    ours, theirs = attrvalues.deserialize(raw), TypeDeserializer().deserialize(raw)
    assert ours == theirs
    assert _plain(ours) == _plain(theirs)


@pytest.mark.parametrize(
    "raw",
    [
        {"N": "0.30"},
        {"N": "-1E+3"},
        {"N": "12345678901234567890123456789012345678"},
        {"NS": ["1", "2.50"]},
        {"BS": [b"a"]},
        {"NULL": True},
        {"M": {}},
        {"L": []},
    ],
    ids=repr,
)
def test_numbers_come_back_exactly(raw: dict[str, Any]) -> None:
    ours, theirs = attrvalues.deserialize(raw), TypeDeserializer().deserialize(raw)
    assert ours == theirs
    assert _plain(ours) == _plain(theirs)


@pytest.mark.parametrize(
    "raw", [{}, {"X": "1"}, {"B": "AAE="}, {"BS": [b"a", "AAE="]}, {"M": {"k": {"B": "x"}}}], ids=repr
)
def test_unknown_and_undecoded_attribute_values_are_refused_as_boto3_refuses_them(raw: dict[str, Any]) -> None:
    ours = _outcome(attrvalues.deserialize, raw)
    assert ours[0] == "refused"
    assert ours == _outcome(TypeDeserializer().deserialize, raw)
