"""The events domain's reads: who a ledger entry's player is (the profile's names), nothing else."""

from __future__ import annotations

from pitboss import keys, store
from pitboss.events.rules import PlayerRef


def player_ref(pk: str) -> PlayerRef | None:
    """The profile's ids and names (an eventually consistent GetItem: they are written once, or rarely)."""
    item = store.get(pk, keys.PROFILE, consistent=False)
    return PlayerRef.of(item) if item is not None and "username" in item else None
