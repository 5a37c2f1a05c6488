"""Item changes as the table's stream delivers them (DynamoDB Streams, NEW_AND_OLD_IMAGES), in plain Python:
the one shape every stream sink reads (domain events, reports, reconciliation, usage).

A sink is a function of one `Change`; the stream consumer calls each sink for each change in stream order
and reports a failed record (and the rest of its shard's batch after it) for redelivery, so a sink must be
idempotent on `Change.event_id` (stable across redeliveries)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pitboss import store

Name = Literal["INSERT", "MODIFY", "REMOVE"]


@dataclass(frozen=True)
class Change:
    event_id: str  # the stream record's eventID: the same on every redelivery
    name: Name
    sequence: str  # SequenceNumber: orders changes of one item (one shard)
    pk: str
    sk: str
    new: dict[str, Any] | None  # the item after (None for REMOVE)
    old: dict[str, Any] | None  # the item before (None for INSERT)

    @property
    def item(self) -> dict[str, Any]:
        """The item as it is now, or as it was when removed."""
        return self.new if self.new is not None else (self.old or {})


Sink = Callable[[Change], None]


def from_record(record: Mapping[str, Any]) -> Change:
    """One Lambda/Streams API record (`{"eventID", "eventName", "dynamodb": {"Keys", "NewImage", ...}}`)."""
    data = record["dynamodb"]
    keys = store.deserialize(data["Keys"])
    new, old = _image(data.get("NewImage")), _image(data.get("OldImage"))
    return Change(
        event_id=str(record["eventID"]),
        name=record["eventName"],
        sequence=str(data.get("SequenceNumber", "")),
        pk=str(keys["pk"]),
        sk=str(keys["sk"]),
        new=dict(store.deserialize(new)) if new else None,
        old=dict(store.deserialize(old)) if old else None,
    )


def _image(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Lambda's stream events are JSON: binary values (idempotency records' packed answers) arrive as base64
    text, which the store's deserializer refuses (as boto3's did); they become bytes first. (The local stack's
    reader hands over GetRecords' JSON as it comes, so both paths go through here.)"""
    return {k: _wire(v) for k, v in raw.items()} if raw else None


def _wire(value: Any) -> Any:
    if isinstance(value, Mapping) and not value:
        return {"M": {}}  # DynamoDB Local's stream writes an empty map as {} (DynamoDB: {"M": {}})
    if not isinstance(value, Mapping) or len(value) != 1:
        return value
    ((kind, inner),) = value.items()
    if kind == "B" and isinstance(inner, str):
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) if isinstance(v, str) else v for v in inner]}
    if kind == "M":
        return {"M": {k: _wire(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_wire(v) for v in inner]}
    return value


def from_records(records: Iterable[Mapping[str, Any]]) -> list[Change]:
    return [from_record(r) for r in records]
