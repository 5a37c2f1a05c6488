"""The reports domain's stream sinks (pitboss.changes): each a function of one Change, idempotent on
Change.event_id, so a redelivered record changes no figure twice.

Register them in the stream consumer's one list of sinks, e.g. `SINKS = [..., *reports.sinks.SINKS]`."""

from __future__ import annotations

import threading

from pitboss.changes import Change, Sink
from pitboss.reports import ggr, repository, usage

_active_lock = threading.Lock()
_active_seen: set[tuple[str, str, str]] = set()  # (realm, day, user_id) marked by this container
_ACTIVE_SEEN_MAX = 100_000


def count_ledger(change: Change) -> None:
    """Usage: +1 ledger entry per new TX# item, and the player counted active on the entry's UTC day (and
    month) the first time. The count and its marker (the record's id) commit together."""
    if change.name != "INSERT" or not change.sk.startswith("TX#") or change.new is None:
        return
    where = repository.realm_of(change.pk)
    if where is None:
        return
    realm, user_id = where
    day = usage.day_of(str(change.new.get("created_at") or "")) or ""
    if len(day) != 10:
        return
    repository.add_usage_once(f"usage#{change.event_id}", realm, day, {usage.LEDGER_ENTRIES: 1})
    seen = (realm, day, user_id)
    if seen in _active_seen:
        return
    repository.mark_active(realm, day, user_id, usage.ACTIVE_PLAYERS)
    repository.mark_active(realm, day[:7], user_id, usage.MONTHLY_ACTIVE)
    with _active_lock:
        if len(_active_seen) >= _ACTIVE_SEEN_MAX:
            _active_seen.clear()
        _active_seen.add(seen)


def mark_touched(change: Change) -> None:
    """Reconciliation: a wallet whose seq moved gets (or keeps) its sparse "touched" marker."""
    if change.sk != "WALLET" or change.new is None:
        return
    seq = int(change.new.get("seq", 0))
    if change.old is not None and int(change.old.get("seq", 0)) == seq:
        return
    repository.mark_touched(change.pk, seq)


SINKS: list[Sink] = [count_ledger, mark_touched, ggr.aggregate]
