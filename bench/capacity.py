"""What AWS would bill for the writes of a measured call, from the sizes of the items it writes.

DynamoDB Local's ConsumedCapacity is not AWS's bill: for a TransactWriteItems it counts items of the same
rounded size once (three 500-byte puts report 2.0 WCU; AWS bills 6). AWS bills a transactional write 2 WCU
per started KB of each item (a Put of an existing item: the larger image; a ConditionCheck: the checked
item), so the bench also reports that figure, computed from `store.item_size`."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pitboss import store

KB = 1024


class Estimate(threading.local):
    def __init__(self) -> None:
        self.wcu = 0


estimate = Estimate()


def _units(size: int) -> int:
    return 2 * max(1, math.ceil(size / KB))


def _stored_size(pk: str, sk: str) -> int:
    """The size of an item as stored (read with the raw client, so the call's own counts stay exact)."""
    raw = store.client().get_item(TableName=store.table_name(), Key=store.serialize(store.key(pk, sk)))
    return store.item_size(store.deserialize(raw["Item"])) if raw.get("Item") else 0


def _billed(op: store.Op) -> int:
    """Write units of one operation, read before the transaction commits (an overwrite bills the larger
    of the old and new item; a check, update or delete the item as it is)."""
    if isinstance(op, store.Put):
        fresh = op.condition == "attribute_not_exists(pk)"
        before = 0 if fresh else _stored_size(op.item["pk"], op.item["sk"])
        return _units(max(store.item_size(op.item), before))
    return _units(_stored_size(op.pk, op.sk))


@contextmanager
def billed() -> Iterator[Estimate]:
    """Within the block, adds the AWS write units of every transaction the store commits to `estimate`."""
    real = store.transact

    def counting(ops: list[store.Op]) -> Any:
        units = sum(_billed(op) for op in ops)
        result = real(ops)
        estimate.wcu += units  # a committed transaction (a cancelled one raises before this)
        return result

    store.transact = counting  # type: ignore[assignment]
    try:
        yield estimate
    finally:
        store.transact = real  # type: ignore[assignment]
