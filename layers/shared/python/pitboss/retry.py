"""The one retry policy: bounded attempts with full-jitter backoff between them.

Every optimistic-lock loop (a profile or wallet written with `version`/`seq` conditions), every
TransactionConflict and every batch read with unprocessed keys goes through `attempts()`, so the bound and
the backoff are chosen once (AWS Architecture Blog, "Exponential Backoff and Jitter": sleep a uniform
0..min(cap, base * 2^n))."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator

BASE_SECONDS = 0.005
CAP_SECONDS = 0.2
DEFAULT_ATTEMPTS = 6

# Observability hook: called with the name of the loop on every retry (not on the first attempt).
_on_retry: Callable[[str], None] | None = None


def on_retry(hook: Callable[[str], None] | None) -> None:
    """Installs the function told about each retry (observability counts them as a metric)."""
    global _on_retry  # noqa: PLW0603 - one process-wide hook, set once at import of observability
    _on_retry = hook


def pause(attempt: int) -> None:
    """Sleeps before retry number `attempt` + 1: a uniform 0..min(cap, base * 2^attempt) seconds."""
    time.sleep(random.uniform(0, min(CAP_SECONDS, BASE_SECONDS * (2**attempt))))  # noqa: S311 - jitter, not crypto


def attempts(limit: int = DEFAULT_ATTEMPTS, *, what: str = "write") -> Iterator[int]:
    """Yields 0, 1, ... limit-1, pausing with full jitter before every attempt but the first.

    The loop body `continue`s to retry and `return`s (or breaks) on success; falling off the end means
    the attempts ran out, and the caller raises its own ConcurrentUpdate."""
    for attempt in range(limit):
        if attempt:
            if _on_retry is not None:
                _on_retry(what)
            pause(attempt - 1)
        yield attempt
