"""Sortable ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32, 26 characters).

Written here rather than imported from python-ulid because that package's import reads its own
distribution metadata (importlib.metadata) and pulls typing_extensions: about a fifth of a bare boto3
client's cold start, paid by every function that writes an id. Same format, same monotonic order within a
millisecond in this process."""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_lock = threading.Lock()
_last_ms = -1
_last_random = 0


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def ulid(at_ms: int | None = None) -> str:
    """A new ULID, upper case as the spec writes it. Within one millisecond the random part counts up, so
    ids made in order by this process sort in that order."""
    global _last_ms, _last_random  # noqa: PLW0603 - the generator's state, guarded by _lock
    ms = time.time_ns() // 1_000_000 if at_ms is None else at_ms
    with _lock:
        if ms == _last_ms and _last_random < (1 << _RANDOM_BITS) - 1:
            _last_random += 1
        else:
            _last_ms, _last_random = ms, int.from_bytes(os.urandom(10), "big")
        random = _last_random
    return _encode((ms << _RANDOM_BITS) | random)
