"""What AWS would bill for the writes and reads of a measured call, from the sizes of the items.

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

from pitboss import chain, store

KB = 1024


class Estimate(threading.local):
    def __init__(self) -> None:
        self.wcu = 0
        self.rru = 0.0


estimate = Estimate()


def _read_units(size: int, consistent: bool) -> float:
    """A read of one item: 1 RRU per started 4 KB strongly consistent, half that eventually consistent; a
    key that finds nothing still costs the minimum."""
    units = max(1, math.ceil(size / (4 * KB)))
    return float(units) if consistent else units / 2


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
    """Within the block, adds the AWS write units of every transaction the store commits, and the read
    units of every GetItem, BatchGetItem (per key) and Query (the returned items' total size), to
    `estimate`. DynamoDB Local under-reports reads of several items as it does writes."""
    real, real_get, real_batch, real_query = store.transact, store.get, store.batch_get, store.query

    def counting(ops: list[store.Op]) -> Any:
        units = sum(_billed(op) for op in chain.seal(ops))  # as sent: with the hash chain's attributes
        result = real(ops)
        estimate.wcu += units  # a committed transaction (a cancelled one raises before this)
        return result

    def counting_get(pk: str, sk: str, *, consistent: bool = True) -> Any:
        item = real_get(pk, sk, consistent=consistent)
        estimate.rru += _read_units(store.item_size(item) if item else 0, consistent)
        return item

    def counting_batch(keys: Any, *, consistent: bool = True) -> Any:
        wanted = list(dict.fromkeys(keys))
        found = real_batch(wanted, consistent=consistent)
        estimate.rru += sum(_read_units(store.item_size(found[k]) if k in found else 0, consistent) for k in wanted)
        return found

    def counting_query(pk: str, **kwargs: Any) -> Any:
        page = real_query(pk, **kwargs)
        consistent = bool(kwargs.get("consistent")) and not kwargs.get("index")
        size = sum(store.item_size(i) for i in page.items) if not kwargs.get("select_count") else 0
        estimate.rru += _read_units(size, consistent)
        return page

    store.transact = counting  # type: ignore[assignment]
    store.get = counting_get  # type: ignore[assignment]
    store.batch_get = counting_batch  # type: ignore[assignment]
    store.query = counting_query  # type: ignore[assignment]
    try:
        yield estimate
    finally:
        store.transact, store.get, store.batch_get, store.query = real, real_get, real_batch, real_query  # type: ignore[assignment]
