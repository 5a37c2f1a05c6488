"""The domain-events sink: a stream change becomes events, published on the bus and handed to subscribers
(webhook fan-out). Redeliveries produce the same event ids, so every consumer dedupes on `id`."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pitboss import bus
from pitboss.changes import Change, Sink
from pitboss.events import repository, rules

Event = dict[str, Any]
Subscriber = Callable[[Event], None]

# A ledger entry does not name its player; the profile does. Bets come in bursts per player, so a small,
# short-lived cache keeps the consumer near one profile read per player per minute, not one per entry.
CACHE_SECONDS = 60.0
CACHE_SIZE = 2048
_cache: OrderedDict[str, tuple[float, rules.PlayerRef | None]] = OrderedDict()
_lock = threading.Lock()


def player_of(pk: str) -> rules.PlayerRef | None:
    now = time.monotonic()
    with _lock:
        found = _cache.get(pk)
        if found is not None and now - found[0] < CACHE_SECONDS:
            return found[1]
    ref = repository.player_ref(pk)
    with _lock:
        _cache[pk] = (now, ref)
        _cache.move_to_end(pk)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return ref


def events_for(change: Change) -> list[Event]:
    player = player_of(change.pk) if rules.wants_player(change) else None
    return rules.events_of(change, player)


def sink(*subscribers: Subscriber) -> Sink:
    """A Sink publishing each change's events on the bus (when one is configured), then to `subscribers`.
    Anything that fails raises, so the stream consumer reports the record for redelivery."""

    def publish(change: Change) -> None:
        events = events_for(change)
        if not events:
            return
        bus.put_events([(event["type"], event) for event in events])
        for event in events:
            for subscriber in subscribers:
                subscriber(event)

    return publish
