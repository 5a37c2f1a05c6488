"""The console's player lookups: the identity pointers (number, email) and the players indexes (gsi1 by
brand, gsi2 by realm) read a page at a time with filters. The only console module that imports the store."""

from __future__ import annotations

from typing import Any

from pitboss import cursors, keys, store

Item = dict[str, Any]
PAGE_READS = 4  # index queries per page at most, when filters skip many players


def profiles(realm: str, user_ids: list[str]) -> list[Item]:
    found = store.batch_get([(keys.player_pk(realm, u), keys.PROFILE) for u in dict.fromkeys(user_ids)])
    return list(found.values())


def by_number(realm: str, player_id: int) -> str | None:
    pointer = store.get(keys.player_number_pk(realm, player_id), keys.UNIQUE, consistent=False)
    return str(pointer["user_id"]) if pointer else None


def by_email(realm: str, brand_ids: list[int], email: str) -> list[str]:
    """The players an address belongs to, in each of these brands (one BatchGetItem of the pointers)."""
    found = store.batch_get([(keys.email_pk(realm, b, email), keys.UNIQUE) for b in brand_ids], consistent=False)
    return [str(p["user_id"]) for p in found.values()]


def page(
    realm: str,
    brand_id: int | None,
    *,
    contains: str | None,
    external_ref: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Item], str | None]:
    """Players of a brand (by username) or of the realm (by number), whose username contains `contains` or
    whose external_ref is `external_ref`, optionally in one status. A filter applies after DynamoDB's page
    limit, so a page reads a few index pages at most and hands back a cursor for the rest."""
    if brand_id is not None:
        pk, index = keys.brand_players_gsi_pk(realm, brand_id), "gsi1"
    else:
        pk, index = keys.tenant_players_gsi_pk(realm), "gsi2"
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    matches = []
    if contains:
        names["#u"], values[":u"] = "username_lc", contains.casefold()
        matches.append("contains(#u, :u)")
    if external_ref:
        names["#x"], values[":x"] = "external_ref", external_ref
        matches.append("#x = :x")
    filters = [f"({' OR '.join(matches)})"] if matches else []
    if status:
        names["#s"], values[":s"] = "status", status
        filters.append("#s = :s")
    start = cursors.decode(cursor, {f"{index}pk": pk}) if cursor else None
    found: list[Item] = []
    for _ in range(PAGE_READS):
        result = store.query(
            pk,
            index=index,
            pk_name=f"{index}pk",
            sk_name=f"{index}sk",
            limit=limit - len(found),
            start_key=start,
            filter_expression=" AND ".join(filters) or None,
            names=names or None,
            values=values or None,
        )
        found += result.items
        start = result.last_key
        if start is None or len(found) >= limit:
            break
    return found, cursors.encode(start) if start else None
