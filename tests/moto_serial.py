"""moto answers one request at a time, as a database answers each request atomically.

moto's backends are not thread-safe: `transact_write_items` deep-copies the table for its rollback, and a write
landing from another thread meanwhile raises "dictionary changed size during iteration" (a 500 in a handler) or
is lost when the transaction rolls back. The layer does run requests from two threads of one invocation (a
request's usage count runs beside its route: pitboss.beside), so under moto every request goes through one
lock: `install()` wraps moto's `BotocoreStubber.__call__`, the single door moto's requests come through.
(Races between requests are tested on DynamoDB Local, which is a real database.)
`tests/unit/test_moto_backup.py` holds that a write from another thread during a transaction is neither an
error nor lost.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_lock = threading.RLock()


def install() -> None:
    from moto.core.botocore_stubber import BotocoreStubber

    if getattr(BotocoreStubber.__call__, "_serialised", False):
        return
    answer = BotocoreStubber.__call__

    @functools.wraps(answer)
    def one_at_a_time(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        with _lock:
            return answer(self, event_name, request, **kwargs)

    one_at_a_time._serialised = True  # type: ignore[attr-defined]
    BotocoreStubber.__call__ = one_at_a_time  # type: ignore[method-assign]
