"""Player upsert on (brand, username) and reading the dossier."""

from __future__ import annotations

import uuid
from typing import Any

from pitboss import clock, idempotency, identity, keys, store, timeline
from pitboss.errors import Conflict, TransactionCancelled
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import Player, create_ops, email_swap_ops, load_player, player_from, versioned_put
from pitboss.identity import gates as rules
from pitboss.players.models import PlayerUpsert, dossier
from pitboss.tenancy import Brand, Principal


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
    number = identity.next_player_number(realm)
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


def _update(principal: Principal, brand: Brand, body: PlayerUpsert, user_id: str) -> Decision:
    realm = principal.realm
    current = player_from(principal, store.get(*identity.profile_key(realm, user_id)))
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
        ops.append(identity.unchanged(current))

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


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
