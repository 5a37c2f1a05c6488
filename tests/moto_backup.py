"""One backup per table in moto's TransactWriteItems, instead of one per item of the transaction.

moto 5.2.5's `DynamoDBBackend.transact_write_items` keeps a backup of every table the transaction touches, so that
it can restore them when an item fails. It takes that backup with `copy.deepcopy(table)` once for each *item* of
the transaction, each copy replacing the last in its `original_table_state` dict. A bet is a transaction of 6-9
items on one table, so every bet deep-copied the whole table 6-9 times: 60% of a moto wallet test's time
(`python -m cProfile -m pytest tests/unit/test_wallet.py::test_loss_limit_refuses_the_bet_that_would_exceed_it`:
3.5 s of deepcopy in 5.9 s).

The copies are all taken before the transaction's first write, so they are identical, and keeping the first one
is the same backup. `install()` makes `copy.deepcopy` of a `Table`, inside one `transact_write_items` call on this
thread, answer that call's first copy of that table; every other deepcopy (an item's, in `update_item`) and every
call outside a transaction is untouched. moto's own code runs as is: nothing of it is copied here.
`tests/unit/test_moto_backup.py` holds that a failed transaction still rolls back and that a table is copied once.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_active = threading.local()


class _CopyOncePerTable:
    """Stands in for the `copy` module inside `moto.dynamodb.models`."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, obj: Any, memo: dict[int, Any] | None = None) -> Any:
        backups: dict[int, Any] | None = getattr(_active, "backups", None)
        if backups is None or not isinstance(obj, self._table_type):
            return copy.deepcopy(obj, memo)
        if id(obj) not in backups:
            backups[id(obj)] = copy.deepcopy(obj, memo)
        return backups[id(obj)]


def install() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    if isinstance(getattr(models, "copy", None), _CopyOncePerTable):
        return
    # Fail loudly, not slowly, if a moto upgrade moves what this relies on.
    assert getattr(models, "copy", None) is copy, "moto.dynamodb.models no longer uses `copy`: see tests/moto_backup.py"
    original = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _active.backups = {}
        try:
            original(self, transact_items)
        finally:
            _active.backups = None

    setattr(models, "copy", _CopyOncePerTable(Table))  # noqa: B010 (moto does not export the name)
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
