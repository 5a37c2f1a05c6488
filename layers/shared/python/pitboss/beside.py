"""Work that runs beside a request's own and is finished before its answer leaves.

`run(work)` starts `work` in a thread now; `settle()`, which the HTTP layer calls once the handler has
answered, waits for every piece the calling thread started. The request's usage count (one UpdateItem) is
such a piece: it overlaps the route's own DynamoDB calls instead of adding its round trip to the answer's
latency. Nothing may be left running when the handler returns (Lambda freezes the process until the next
invocation), and a piece's DynamoDB requests are added to the caller's `store.round_trips`, so a request's
cost is still counted where it is asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from pitboss import store


class _Piece(threading.Thread):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__(name="pitboss-beside", daemon=True)
        self._work = work
        self.trips = (0, 0.0, 0.0)

    def run(self) -> None:
        try:
            self._work()
        finally:  # this thread's own counters (store.round_trips is per thread), handed to the caller
            counted = store.round_trips
            self.trips = (counted.count, counted.consumed_rcu, counted.consumed_wcu)


class _Started(threading.local):
    def __init__(self) -> None:
        self.pieces: list[_Piece] = []


_started = _Started()


def run(work: Callable[[], None]) -> None:
    """Start `work` beside the current request. It must catch its own failures: nothing awaits its result."""
    piece = _Piece(work)
    piece.start()
    _started.pieces.append(piece)


def settle() -> None:
    """Wait for every piece the current thread started, and count their DynamoDB requests as its own."""
    pieces, _started.pieces = _started.pieces, []
    for piece in pieces:
        piece.join()
        count, rcu, wcu = piece.trips
        store.round_trips.count += count
        store.round_trips.consumed_rcu += rcu
        store.round_trips.consumed_wcu += wcu
