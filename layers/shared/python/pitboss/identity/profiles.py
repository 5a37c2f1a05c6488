"""The player's identity items: resolving a path key to a user_id, reading the PROFILE item, and the one
versioned profile write (with its uniqueness pointers) that players, wallet and gateway all use.

This is the only module that knows the profile's and the pointers' keys and conditions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pitboss import clock, keys, retry, store, timeline
from pitboss.errors import ConcurrentUpdate, NotFound, TransactionCancelled
from pitboss.identity.entity import Player
from pitboss.tenancy import Principal
from pitboss.types import is_uuid

# username -> user_id never changes once written (usernames are immutable, ids never reused),
# so a warm container can skip the pointer read. Keyed by realm, so it can't leak across tenants.
_pointer_cache: dict[str, str] = {}
_pointer_lock = threading.Lock()
_POINTER_CACHE_MAX = 50_000
PROFILE_ATTEMPTS = 6


def player_not_found() -> NotFound:
    return NotFound("player not found", code="player_not_found")


def _remember(pointer_pk: str, user_id: str) -> None:
    with _pointer_lock:
        if len(_pointer_cache) >= _POINTER_CACHE_MAX:
            _pointer_cache.clear()
        _pointer_cache[pointer_pk] = user_id


def profile_key(realm: str, user_id: str) -> tuple[str, str]:
    return (keys.player_pk(realm, user_id), keys.PROFILE)


def resolve_user_id(principal: Principal, key: str, brand_id: int | None) -> str:
    """The user_id a path key names: a UUID as is, else a username in the request's brand. A UUID with a
    brand named too must be that brand's player (else 404): one extra read, only in that case."""
    if is_uuid(key):
        user_id = key.lower()
        if brand_id is not None:
            brand = principal.brand(brand_id)
            profile = store.get(*profile_key(principal.realm, user_id), consistent=False)
            if profile is None or int(profile.get("brand_id", 0)) != brand.brand_id:
                raise player_not_found()
        return user_id
    brand = principal.brand(brand_id)
    pointer_pk = keys.username_pk(principal.realm, brand.brand_id, key)
    cached = _pointer_cache.get(pointer_pk)
    if cached is not None:
        return cached
    pointer = store.get(pointer_pk, keys.UNIQUE)
    if pointer is None:
        raise player_not_found()
    _remember(pointer_pk, pointer["user_id"])
    return str(pointer["user_id"])


def user_id_by_username(realm: str, brand_id: int, username: str) -> str | None:
    """The pointer read on its own (the gateway's login knows the brand, not a principal)."""
    pointer = store.get(keys.username_pk(realm, brand_id, username), keys.UNIQUE)
    return str(pointer["user_id"]) if pointer else None


def player_from(principal: Principal, item: dict[str, Any] | None) -> Player:
    """Maps a PROFILE item, refusing (404) one of a brand this key can't see."""
    if item is None:
        raise player_not_found()
    player = Player.from_item(principal.realm, item)
    if not principal.can_see_brand(player.brand_id):
        raise player_not_found()
    return player


def load_player(principal: Principal, key: str, brand_id: int | None) -> Player:
    user_id = resolve_user_id(principal, key, brand_id)
    return player_from(principal, store.get(*profile_key(principal.realm, user_id)))


def load(realm: str, user_id: str) -> Player | None:
    """The profile by user_id, strongly consistent; None when there is none."""
    item = store.get(*profile_key(realm, user_id))
    return Player.from_item(realm, item) if item else None


# ---- writes ------------------------------------------------------------------------------------


def versioned_put(player: Player, expected_version: int) -> store.Put:
    """The profile, written only if nobody changed it since it was read (optimistic lock)."""
    return store.Put(player.to_item(), condition="#v = :v", names={"#v": "version"}, values={":v": expected_version})


def unchanged(player: Player) -> store.Check:
    """Guards a decision that writes no profile against a concurrent change of it."""
    return store.Check(player.pk, keys.PROFILE, "#v = :v", names={"#v": "version"}, values={":v": player.version})


def exists(player: Player) -> store.Check:
    return store.Check(player.pk, keys.PROFILE, "attribute_exists(pk)")


def create_ops(actor: str, player: Player, *, source: str) -> list[store.Op]:
    """Everything a new player is: pointers (username, email, number), profile, and its first event.
    Index 0 is the username pointer, 1 the email pointer (callers read cancellations by index)."""
    realm = player.realm
    pointer = {"user_id": player.user_id, "brand_id": player.brand_id}
    return [
        store.Put(
            {"pk": keys.username_pk(realm, player.brand_id, player.username), "sk": keys.UNIQUE, **pointer},
            condition="attribute_not_exists(pk)",
        ),
        store.Put(
            {"pk": keys.email_pk(realm, player.brand_id, player.email), "sk": keys.UNIQUE, **pointer},
            condition="attribute_not_exists(pk)",
        ),
        store.Put(
            {"pk": keys.player_number_pk(realm, player.player_id), "sk": keys.UNIQUE, **pointer},
            condition="attribute_not_exists(pk)",
        ),
        store.Put(player.to_item(), condition="attribute_not_exists(pk)"),
        timeline.event_op(
            realm,
            player.user_id,
            "player_created",
            actor,
            {"source": source, "username": player.username, "brand_id": player.brand_id},
        ),
    ]


def next_player_number(realm: str) -> int:
    """The next numeric player id of the realm (the back-office and gateway surfaces' integer id)."""
    return store.next_counter(keys.counter_pk(realm), "PLAYER")


def email_swap_ops(current: Player, new_email: str) -> list[store.Op]:
    """Moves the (brand, email) uniqueness pointer; old one removed only if it is still this player's."""
    realm = current.realm
    pointer = {"user_id": current.user_id, "brand_id": current.brand_id}
    if new_email.casefold() == current.email.casefold():
        return []
    return [
        store.Delete(
            keys.email_pk(realm, current.brand_id, current.email),
            keys.UNIQUE,
            condition="attribute_not_exists(pk) OR user_id = :u",
            values={":u": current.user_id},
        ),
        store.Put(
            {"pk": keys.email_pk(realm, current.brand_id, new_email), "sk": keys.UNIQUE, **pointer},
            condition="attribute_not_exists(pk) OR user_id = :u",
            values={":u": current.user_id},
        ),
    ]


Change = Callable[[Player], tuple[Player, list[store.Op]] | None]


def mutate(
    realm: str,
    user_id: str,
    change: Change,
    *,
    on_cancel: Callable[[TransactionCancelled], Exception | None] | None = None,
    missing: Callable[[], Exception] = player_not_found,
) -> Player | None:
    """Read the profile, let `change` decide, write it with its ops in one transaction (optimistic lock on
    `version`, op 0); a lost race re-reads and decides again (retry policy). None: nothing to change.

    `change` returns the updated player (version and updated_at are set here) and the ops to commit with
    it; `on_cancel` maps a cancellation of one of those ops to a domain error (None: retry)."""
    for _attempt in retry.attempts(PROFILE_ATTEMPTS, what="profile"):
        current = load(realm, user_id)
        if current is None:
            raise missing()
        decided = change(current)
        if decided is None:
            return None
        updated, ops = decided
        updated = updated.model_copy(update={"version": current.version + 1, "updated_at": clock.iso(clock.now())})
        try:
            store.transact([versioned_put(updated, current.version), *ops])
        except TransactionCancelled as exc:
            mapped = on_cancel(exc) if on_cancel else None
            if mapped is not None:
                raise mapped from exc
            if exc.failed(0) or exc.is_conflict:
                continue
            raise
        return updated
    raise ConcurrentUpdate("the player changed concurrently; retry")
