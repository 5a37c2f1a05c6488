"""The audit domain's data access: a player's chain heads (PROFILE, WALLET) and chained items (EVT#, TX#)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pitboss import chain, keys, store


def player_pk(realm: str, user_id: str) -> str:
    return keys.player_pk(realm, user_id)


def heads(player_pk: str) -> list[str | None]:
    """The timeline's and the ledger's chain heads, read (consistently) before the items they name."""
    found = store.batch_get([(player_pk, keys.PROFILE), (player_pk, keys.WALLET)])
    return [found.get((player_pk, sk), {}).get(chain.HEAD) for sk in (keys.PROFILE, keys.WALLET)]


def chained_items(player_pk: str) -> Iterator[dict[str, Any]]:
    """Every timeline event and ledger entry of the player, oldest first (two strongly consistent Queries)."""
    for prefix in (chain.EVENT_PREFIX, chain.ENTRY_PREFIX):
        yield from store.query_all(player_pk, sk_prefix=prefix, consistent=True)


def realm_players(realm: str) -> Iterator[str]:
    """The user_ids of a realm (the players-of-a-realm index), for verifying a whole tenant."""
    for item in store.query_all(keys.tenant_players_gsi_pk(realm), index="gsi2", pk_name="gsi2pk", sk_name="gsi2sk"):
        yield str(item["user_id"])
