"""The back-office's reads: the players indexes (gsi1 by brand, gsi2 by realm), the player-number pointer,
profile and wallet, and key ranges of ledger entries. The only back-office module that knows keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pitboss import keys, store

Item = dict[str, Any]


def players(realm: str, brand_id: int | None, username: str | None, brand_ids: list[int] | None) -> Iterator[Item]:
    """Every index item of a brand (gsi1, by username) or of the realm (gsi2, by numeric id), optionally
    only usernames containing `username` (case-insensitive) and only the brands in `brand_ids`."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    filters: list[str] = []
    if username:
        names["#u"] = "username_lc"
        values[":u"] = username.casefold()
        filters.append("contains(#u, :u)")
    if brand_id is not None:
        pk, index = keys.brand_players_gsi_pk(realm, brand_id), "gsi1"
    else:
        pk, index = keys.tenant_players_gsi_pk(realm), "gsi2"
        if brand_ids is not None:
            names["#b"] = "brand_id"
            placeholders = []
            for i, b in enumerate(brand_ids):
                values[f":b{i}"] = b
                placeholders.append(f":b{i}")
            filters.append(f"#b IN ({', '.join(placeholders)})")
    return store.query_all(
        pk,
        index=index,
        pk_name=f"{index}pk",
        sk_name=f"{index}sk",
        filter_expression=" AND ".join(filters) or None,
        names=names or None,
        values=values or None,
    )


def number_pointer(realm: str, player_id: int) -> Item | None:
    """The player-number pointer: user_id and brand of a numeric player id."""
    return store.get(keys.player_number_pk(realm, player_id), keys.UNIQUE)


def player_pk(realm: str, user_id: str) -> str:
    return keys.player_pk(realm, user_id)


def profile_and_wallet(pk: str) -> tuple[Item | None, Item | None]:
    """One consistent BatchGetItem."""
    found = store.batch_get([(pk, keys.PROFILE), (pk, keys.WALLET)])
    return found.get((pk, keys.PROFILE)), found.get((pk, keys.WALLET))


def wallet(pk: str) -> Item | None:
    return store.get(pk, keys.WALLET)


def entries_newest_first(pk: str, lowest: int, highest: int) -> list[Item]:
    """Entries with seq in [lowest, highest], newest first, strongly consistent like the wallet read that
    gave the seq range: page 1 always holds entry `total`."""
    return store.query(pk, sk_between=(keys.tx_sk(lowest), keys.tx_sk(highest)), forward=False, consistent=True).items
