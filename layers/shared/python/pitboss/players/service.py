"""Player identity: upsert on (brand, username), resolution of a path key, and reading the dossier."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from pitboss import clock, idempotency, keys, store, timeline
from pitboss.errors import Conflict, NotFound, TransactionCancelled
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.players import rules
from pitboss.players.entity import Player
from pitboss.players.models import PlayerUpsert, dossier
from pitboss.tenancy import Brand, Principal
from pitboss.types import is_uuid

# username -> user_id never changes once written (usernames are immutable, ids never reused),
# so a warm container can skip the pointer read. Keyed by realm, so it can't leak across tenants.
_pointer_cache: dict[str, str] = {}
_pointer_lock = threading.Lock()
_POINTER_CACHE_MAX = 50_000


def _remember(pointer_pk: str, user_id: str) -> None:
    with _pointer_lock:
        if len(_pointer_cache) >= _POINTER_CACHE_MAX:
            _pointer_cache.clear()
        _pointer_cache[pointer_pk] = user_id


def resolve_user_id(principal: Principal, key: str, brand_id: int | None) -> str:
    """The user_id a path key names: a UUID as is, else a username in the request's brand. A UUID with a
    brand named too must be that brand's player (else 404): one extra read, only in that case."""
    if is_uuid(key):
        user_id = key.lower()
        if brand_id is not None:
            brand = principal.brand(brand_id)
            profile = store.get(keys.player_pk(principal.realm, user_id), keys.PROFILE, consistent=False)
            if profile is None or int(profile.get("brand_id", 0)) != brand.brand_id:
                raise NotFound("player not found", code="player_not_found")
        return user_id
    brand = principal.brand(brand_id)
    pointer_pk = keys.username_pk(principal.realm, brand.brand_id, key)
    cached = _pointer_cache.get(pointer_pk)
    if cached is not None:
        return cached
    pointer = store.get(pointer_pk, keys.UNIQUE)
    if pointer is None:
        raise NotFound("player not found", code="player_not_found")
    _remember(pointer_pk, pointer["user_id"])
    return str(pointer["user_id"])


def player_from(principal: Principal, item: dict[str, Any] | None) -> Player:
    """Maps a PROFILE item, refusing (404) one of a brand this key can't see."""
    if item is None:
        raise NotFound("player not found", code="player_not_found")
    player = Player.from_item(principal.realm, item)
    if not principal.can_see_brand(player.brand_id):
        raise NotFound("player not found", code="player_not_found")
    return player


def load_player(principal: Principal, key: str, brand_id: int | None) -> Player:
    user_id = resolve_user_id(principal, key, brand_id)
    return player_from(principal, store.get(keys.player_pk(principal.realm, user_id), keys.PROFILE))


def player_dossier(principal: Principal, player: Player) -> dict[str, Any]:
    brand = principal.brands[player.brand_id]
    return dossier(player, rules.effective(player, brand.settings))


def get_dossier(principal: Principal, key: str, brand_id: int | None) -> dict[str, Any]:
    return {"player": player_dossier(principal, load_player(principal, key, brand_id))}


def upsert_player(principal: Principal, body: PlayerUpsert, idem: IdemRequest) -> Outcome:
    """Creates the player (201) or updates its profile fields (200); idempotent on (brand, username)."""
    brand = principal.brand(body.brand_id)
    realm = principal.realm
    pointer_key = (keys.username_pk(realm, brand.brand_id, body.username), keys.UNIQUE)

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> Decision:
        pointer = items.get(pointer_key)
        if pointer is None:
            return _create(principal, brand, body)
        return _update(principal, brand, body, str(pointer["user_id"]))

    return idempotency.execute(idem, [pointer_key], decide)


def _create(principal: Principal, brand: Brand, body: PlayerUpsert) -> Decision:
    realm = principal.realm
    now = clock.iso(clock.now())
    number = store.next_counter(keys.counter_pk(realm), "PLAYER")
    player = Player(
        realm=realm,
        user_id=str(uuid.uuid4()),
        player_id=number,
        brand_id=brand.brand_id,
        username=body.username,
        email=str(body.email),
        external_ref=body.external_ref,
        country_code=body.country_code,
        date_of_birth=body.date_of_birth,
        version=1,
        created_at=now,
        updated_at=now,
    )
    ops = create_ops(principal.actor, player, source="operator_api")

    def on_cancel(exc: TransactionCancelled) -> Conflict | None:
        if exc.failed(0):
            return None  # lost the username race (its winner holds the email too): re-read and update instead
        if exc.failed(1):
            return Conflict("another player of this brand has this email", code="email_taken")
        return None

    return Decision(
        ops=ops,
        status=201,
        body={"player": dossier(player, rules.effective(player, brand.settings))},
        on_cancel=on_cancel,
    )


def create_ops(actor: str, player: Player, *, source: str) -> list[store.Op]:
    """Everything a new player is: pointers (username, email, number), profile, and its first event."""
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


def _update(principal: Principal, brand: Brand, body: PlayerUpsert, user_id: str) -> Decision:
    realm = principal.realm
    current = player_from(principal, store.get(keys.player_pk(realm, user_id), keys.PROFILE))
    changes: dict[str, Any] = {}
    for name in ("email", "external_ref", "country_code", "date_of_birth"):
        if name not in body.model_fields_set:
            continue
        new = getattr(body, name)
        new = str(new) if name == "email" else new
        if new != getattr(current, name):
            changes[name] = new
    updated = current
    ops: list[store.Op] = []
    if changes:
        updated = current.model_copy(
            update={**changes, "version": current.version + 1, "updated_at": clock.iso(clock.now())}
        )
        ops.append(versioned_put(updated, current.version))
        if "email" in changes:
            ops.extend(email_swap_ops(current, updated.email))
        ops.append(
            timeline.event_op(
                realm,
                user_id,
                "profile_updated",
                principal.actor,
                {"changed": sorted(changes), "fields": {k: _plain(v) for k, v in changes.items() if k != "email"}},
            )
        )
    else:
        # Nothing changed: still guard against a concurrent change so the answer is not stale.
        ops.append(
            store.Check(updated.pk, keys.PROFILE, "#v = :v", names={"#v": "version"}, values={":v": current.version})
        )

    def on_cancel(exc: TransactionCancelled) -> Conflict | None:
        if "email" in changes and (exc.failed(1) or exc.failed(2)):
            return Conflict("another player of this brand has this email", code="email_taken")
        return None

    return Decision(
        ops=ops,
        status=200,
        body={"player": dossier(updated, rules.effective(updated, brand.settings))},
        on_cancel=on_cancel,
    )


def versioned_put(player: Player, expected_version: int) -> store.Put:
    """The profile, written only if nobody changed it since it was read (optimistic lock)."""
    return store.Put(
        player.to_item(),
        condition="#v = :v",
        names={"#v": "version"},
        values={":v": expected_version},
    )


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


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
