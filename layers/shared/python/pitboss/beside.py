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
import time
from collections.abc import Callable

from pitboss import store


class _Piece(threading.Thread):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__(name="pitboss-beside", daemon=True)
        self._work = work
        self.trips = (0, 0.0, 0.0)
        self.cpu_seconds = 0.0

    def run(self) -> None:
        started = time.thread_time()
        try:
            self._work()
        finally:  # this thread's own counters (store.round_trips is per thread), handed to the caller
            counted = store.round_trips
            self.trips = (counted.count, counted.consumed_rcu, counted.consumed_wcu)
            self.cpu_seconds = time.thread_time() - started


class _Started(threading.local):
    def __init__(self) -> None:
        self.pieces: list[_Piece] = []
        self.cpu_seconds = 0.0  # the settled pieces' CPU, for whoever measures this thread's (the local stack)


_started = _Started()


def run(work: Callable[[], None]) -> None:
    """Start `work` beside the current request. It must catch its own failures: nothing awaits its result.
    When no thread can be started (the process is at its limit), it runs here and now instead."""
    piece = _Piece(work)
    try:
        piece.start()
    except RuntimeError:  # "can't start new thread": the work still happens, in line
        work()
        return
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
        _started.cpu_seconds += piece.cpu_seconds


def cpu_seconds() -> float:
    """The CPU time of the pieces the current thread has settled so far (their threads' own, which
    `time.thread_time()` in this thread does not see)."""
    return _started.cpu_seconds
