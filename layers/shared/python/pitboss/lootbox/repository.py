"""The lootbox items and their keys, conditions and reads: the only lootbox module that knows the store.

Definitions of a realm share one partition (`{realm}#LOOTBOXES`, sk `LB#{id}`): a tenant has tens of them,
read by id (in the open's one BatchGetItem) or all at once (the list). A brand's seeds: `{realm}#B#{brand}#LBSEED`
(sk `CURRENT`, and `REVEALED#{number:06d}` once rotated out). Per player, on the player's partition:
`LBINV#{lootbox_id}` (unopened boxes), `LBNONCE` (the next draw's nonce) and `LBOPEN#{nonce:012d}` (each draw,
kept for good: what a regulator recomputes)."""

from __future__ import annotations

from typing import Any

from pitboss import keys, store
from pitboss.lootbox.entity import Lootbox, Seed

Key = tuple[str, str]
Op = store.Op
CURRENT = "CURRENT"
REVEALED_LIMIT = 50


def definitions_pk(realm: str) -> str:
    return f"{realm}#LOOTBOXES"


def definition_key(realm: str, lootbox_id: str) -> Key:
    return (definitions_pk(realm), f"LB#{lootbox_id}")


def seeds_pk(realm: str, brand_id: int) -> str:
    return f"{realm}#B#{brand_id}#LBSEED"


def seed_key(realm: str, brand_id: int) -> Key:
    return (seeds_pk(realm, brand_id), CURRENT)


def player_pk(realm: str, user_id: str) -> str:
    return keys.player_pk(realm, user_id)


def profile_key(realm: str, user_id: str) -> Key:
    return (player_pk(realm, user_id), keys.PROFILE)


def inventory_key(realm: str, user_id: str, lootbox_id: str) -> Key:
    return (player_pk(realm, user_id), f"LBINV#{lootbox_id}")


def nonce_key(realm: str, user_id: str) -> Key:
    return (player_pk(realm, user_id), "LBNONCE")


# ---- reads -------------------------------------------------------------------------------------


def definition(realm: str, lootbox_id: str) -> Lootbox | None:
    item = store.get(*definition_key(realm, lootbox_id))
    return Lootbox.from_item(item) if item else None


def definitions(realm: str) -> list[Lootbox]:
    return [Lootbox.from_item(i) for i in store.query_all(definitions_pk(realm), sk_prefix="LB#", consistent=True)]


def current_seed(realm: str, brand_id: int) -> Seed | None:
    item = store.get(*seed_key(realm, brand_id))
    return Seed.from_item(item) if item else None


def revealed_seeds(realm: str, brand_id: int) -> list[Seed]:
    page = store.query(seeds_pk(realm, brand_id), sk_prefix="REVEALED#", forward=False, limit=REVEALED_LIMIT)
    return [Seed.from_item(i) for i in page.items]


def count_of(item: dict[str, Any] | None) -> int:
    return int(item["count"]) if item else 0


def nonce_of(item: dict[str, Any] | None) -> int:
    return int(item["next"]) if item else 0


# ---- writes ------------------------------------------------------------------------------------


def _versioned(attribute: str, read: int | None) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Written only over the value read (or where none was): a concurrent change cancels the transaction."""
    if read is None:
        return "attribute_not_exists(pk)", {}, {}
    return "#a = :read", {"#a": attribute}, {":read": read}


def definition_put(realm: str, box: Lootbox) -> store.Put:
    pk, sk = definition_key(realm, box.id)
    return store.Put({"pk": pk, "sk": sk, **box.attributes()}, condition="attribute_not_exists(pk)")


def supersede(realm: str, old_id: str, new_id: str, at: str) -> store.Update:
    """The replaced version names its successor and is disabled; a version is replaced once."""
    pk, sk = definition_key(realm, old_id)
    return store.Update(
        pk,
        sk,
        "SET superseded_by = :new, disabled_at = if_not_exists(disabled_at, :at)",
        condition="attribute_exists(pk) AND attribute_not_exists(superseded_by)",
        values={":new": new_id, ":at": at},
    )


def disable(realm: str, lootbox_id: str, at: str) -> Lootbox:
    """Sets disabled_at once (disabling again keeps the first instant); NotFound-free: the flow read it first."""
    pk, sk = definition_key(realm, lootbox_id)
    item = store.update(
        pk,
        sk,
        "SET disabled_at = if_not_exists(disabled_at, :at)",
        condition="attribute_exists(pk)",
        values={":at": at},
    )
    return Lootbox.from_item(item)


def still_enabled(realm: str, lootbox_id: str) -> store.Check:
    """An open or grant decided on an enabled definition: a disable saved since cancels it."""
    pk, sk = definition_key(realm, lootbox_id)
    return store.Check(pk, sk, "attribute_exists(pk) AND attribute_not_exists(disabled_at)")


def seed_put(realm: str, brand_id: int, seed: Seed, replacing: int | None) -> store.Put:
    pk, sk = seed_key(realm, brand_id)
    condition, names, values = _versioned("number", replacing)
    item = {
        "pk": pk,
        "sk": sk,
        "number": seed.number,
        "seed": seed.seed,
        "commitment": seed.commitment,
        "created_at": seed.created_at,
    }
    return store.Put(item, condition=condition, names=names, values=values)


def reveal_put(realm: str, brand_id: int, seed: Seed) -> store.Put:
    item = {
        "pk": seeds_pk(realm, brand_id),
        "sk": f"REVEALED#{seed.number:06d}",
        "number": seed.number,
        "seed": seed.seed,
        "commitment": seed.commitment,
        "created_at": seed.created_at,
        "revealed_at": seed.revealed_at,
    }
    return store.Put(item, condition="attribute_not_exists(pk)")


def seed_unchanged(realm: str, brand_id: int, number: int) -> store.Check:
    """A draw made with seed `number`: a rotation saved since cancels it (the retry draws with the new seed,
    so no draw is ever committed under a seed already revealed)."""
    pk, sk = seed_key(realm, brand_id)
    return store.Check(pk, sk, "#n = :n", names={"#n": "number"}, values={":n": number})


def inventory_put(realm: str, user_id: str, lootbox_id: str, *, count: int, read: int | None, at: str) -> store.Put:
    pk, sk = inventory_key(realm, user_id, lootbox_id)
    condition, names, values = _versioned("count", read)
    item = {"pk": pk, "sk": sk, "lootbox_id": lootbox_id, "count": count, "updated_at": at}
    return store.Put(item, condition=condition, names=names, values=values)


def nonce_put(realm: str, user_id: str, next_nonce: int, read: int | None) -> store.Put:
    pk, sk = nonce_key(realm, user_id)
    condition, names, values = _versioned("next", read)
    return store.Put({"pk": pk, "sk": sk, "next": next_nonce}, condition=condition, names=names, values=values)


def open_put(realm: str, user_id: str, nonce: int, record: dict[str, Any]) -> store.Put:
    item = {"pk": player_pk(realm, user_id), "sk": f"LBOPEN#{nonce:012d}", **record}
    return store.Put(item, condition="attribute_not_exists(pk)")
