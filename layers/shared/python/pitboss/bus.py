"""EventBridge publishing (its client from the store's botocore session): the one module besides store.py
that imports botocore. A no-op unless an event bus is configured (EVENT_BUS_NAME), so the local stack only
queues messages in the table."""

from __future__ import annotations

import json
import threading
from typing import Any

from pitboss import store
from pitboss.observability import logger
from pitboss.settings import get_settings

SOURCE = "pitboss"
_lock = threading.Lock()
_clients: dict[str, Any] = {}


def _client() -> Any:
    region = get_settings().aws_region
    with _lock:
        found = _clients.get(region)
        if found is None:
            from botocore.config import Config

            found = store.aws_client(
                service="events", region_name=region, config=Config(retries={"max_attempts": 3, "mode": "standard"})
            )
            _clients[region] = found
    return found


def enabled() -> bool:
    return bool(get_settings().event_bus_name)


def publish(detail_type: str, detail: dict[str, Any]) -> bool:
    """Puts one event on the configured bus; False (logged, never raised) when it could not."""
    bus = get_settings().event_bus_name
    if not bus:
        return False
    try:
        response = _client().put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, default=str),
                    "EventBusName": bus,
                }
            ]
        )
    except Exception:  # the message stays queued in the table; the caller's request must not fail
        logger.warning("event publish failed", extra={"detail_type": detail_type})
        return False
    if response.get("FailedEntryCount"):
        logger.warning("event publish rejected", extra={"detail_type": detail_type})
        return False
    return True


def put_events(entries: list[tuple[str, dict[str, Any]]]) -> None:
    """Puts events on the configured bus (a no-op without one) and raises when any is not accepted: the
    stream consumer's path, where a failure must make the record come back, not be logged and lost."""
    bus = get_settings().event_bus_name
    if not bus or not entries:
        return
    for start in range(0, len(entries), 10):  # PutEvents takes at most 10 entries
        chunk = entries[start : start + 10]
        response = _client().put_events(
            Entries=[
                {"Source": SOURCE, "DetailType": t, "Detail": json.dumps(d, default=str), "EventBusName": bus}
                for t, d in chunk
            ]
        )
        if response.get("FailedEntryCount"):
            raise RuntimeError(f"event bus rejected {response['FailedEntryCount']} of {len(chunk)} events")
