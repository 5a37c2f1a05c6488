"""The write operations a transaction is made of (Put, Update, Delete, Check): plain descriptions that
pitboss.store sends. Building one does no I/O; `request` renders it for TransactWriteItems, given the table
and the attribute-value encoder the store owns (so botocore stays in the store)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Item = dict[str, Any]
# One Python value -> its DynamoDB attribute value ({"S": ...}); the store passes pitboss.attrvalues.serialize.
Encode = Callable[[Any], Mapping[str, Any]]


def key(pk: str, sk: str) -> dict[str, str]:
    return {"pk": pk, "sk": sk}


def encoded(item: Mapping[str, Any], encode: Encode) -> dict[str, Any]:
    """An item's attribute values; a None attribute is left out (DynamoDB stores no null attribute)."""
    return {k: encode(v) for k, v in item.items() if v is not None}


def encoded_values(values: Mapping[str, Any] | None, encode: Encode) -> dict[str, Any] | None:
    """Expression attribute values (a None here is a NULL value the expression compares with)."""
    if not values:
        return None
    return {k: encode(v) for k, v in values.items()}


def conditions(
    body: dict[str, Any],
    condition: str | None,
    names: Mapping[str, str],
    values: Mapping[str, Any],
    encode: Encode,
) -> None:
    if condition:
        body["ConditionExpression"] = condition
    if names:
        body["ExpressionAttributeNames"] = dict(names)
    if values:
        body["ExpressionAttributeValues"] = encoded_values(values, encode)


@dataclass
class Put:
    item: Item
    condition: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def request(self, table: str, encode: Encode) -> dict[str, Any]:
        return {"Put": _body(self, table, encode, Item=encoded(self.item, encode))}


@dataclass
class Update:
    pk: str
    sk: str
    expression: str
    condition: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def request(self, table: str, encode: Encode) -> dict[str, Any]:
        return {"Update": _body(self, table, encode, Key=_key(self, encode), UpdateExpression=self.expression)}


@dataclass
class Delete:
    pk: str
    sk: str
    condition: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def request(self, table: str, encode: Encode) -> dict[str, Any]:
        return {"Delete": _body(self, table, encode, Key=_key(self, encode))}


@dataclass
class Check:
    pk: str
    sk: str
    condition: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def request(self, table: str, encode: Encode) -> dict[str, Any]:
        return {"ConditionCheck": _body(self, table, encode, Key=_key(self, encode))}


Op = Put | Update | Delete | Check


@dataclass(frozen=True)
class Assignments:
    """An update expression's SET/REMOVE clauses for a dict of changes, with their placeholders."""

    expression: str
    names: dict[str, str]
    values: dict[str, Any]


def assignments(changes: Mapping[str, Any], *, none_removes: bool = False) -> Assignments:
    """`SET #u0 = :u0, ...` for `changes` (with `none_removes`, a None value is `REMOVE #uN` instead of a NULL).
    Placeholders are numbered, so any attribute name is safe, and `u` keeps them apart from the caller's own
    (a caller appends its clauses and placeholders to the result)."""
    names = {f"#u{n}": name for n, name in enumerate(changes)}
    values: dict[str, Any] = {}
    sets: list[str] = []
    removes: list[str] = []
    for n, value in enumerate(changes.values()):
        if value is None and none_removes:
            removes.append(f"#u{n}")
        else:
            sets.append(f"#u{n} = :u{n}")
            values[f":u{n}"] = value
    clauses = ([f"SET {', '.join(sets)}"] if sets else []) + ([f"REMOVE {', '.join(removes)}"] if removes else [])
    return Assignments(" ".join(clauses), names, values)


def _key(op: Update | Delete | Check, encode: Encode) -> dict[str, Any]:
    return encoded(key(op.pk, op.sk), encode)


def _body(op: Op, table: str, encode: Encode, **parts: Any) -> dict[str, Any]:
    """One operation's request: the table, its parts (item or key, expression), then its condition."""
    body: dict[str, Any] = {"TableName": table, **parts}
    conditions(body, op.condition, op.names, op.values, encode)
    return body
