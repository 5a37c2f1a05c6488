"""Player upsert on (brand, username): creates the player (201) or updates its profile fields (200)."""

from __future__ import annotations

import uuid
from typing import Any

from pitboss import clock, idempotency, identity, timeline
from pitboss.errors import Conflict, TransactionCancelled
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import Player, gates
from pitboss.players import repository
from pitboss.players.models import PlayerUpsert
from pitboss.players.output import PlayerEnvelope, PlayerOut
from pitboss.players.repository import Key, Op
from pitboss.tenancy import Brand, Principal

PROFILE_FIELDS = ("email", "external_ref", "country_code", "date_of_birth")


def upsert_player(principal: Principal, body: PlayerUpsert, idem: IdemRequest) -> Outcome:
    """Idempotent on (brand, username): the pointer read with the idempotency record decides create or update."""
    brand = principal.brand(body.brand_id)
    pointer_key = repository.username_pointer(principal.realm, brand.brand_id, body.username)

    def decide(items: dict[Key, dict[str, Any]]) -> Decision:
        pointer = items.get(pointer_key)
        if pointer is None:
            return _create(principal, brand, body)
        return _update(principal, brand, body, str(pointer["user_id"]))

    return idempotency.execute(idem, [pointer_key], decide)


def _answer(player: Player, brand: Brand) -> dict[str, Any]:
    return PlayerEnvelope(player=PlayerOut.of(player, gates.effective(player, brand.settings))).model_dump(mode="json")


def _email_taken() -> Conflict:
    return Conflict("another player of this brand has this email", code="email_taken")


def _create(principal: Principal, brand: Brand, body: PlayerUpsert) -> Decision:
    realm = principal.realm
    now = clock.iso(clock.now())
    player = Player(
        realm=realm,
        user_id=str(uuid.uuid4()),
        player_id=identity.next_player_number(realm),
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

    def on_cancel(exc: TransactionCancelled) -> Conflict | None:
        if exc.failed(0):
            return None  # lost the username race (its winner holds the email too): re-read and update instead
        return _email_taken() if exc.failed(1) else None

    return Decision(
        ops=identity.create_ops(principal.actor, player, source="operator_api"),
        status=201,
        body=_answer(player, brand),
        on_cancel=on_cancel,
        brand_id=brand.brand_id,
    )


def _update(principal: Principal, brand: Brand, body: PlayerUpsert, user_id: str) -> Decision:
    current = identity.load(principal.realm, user_id)
    if current is None:
        raise identity.player_not_found()
    changes: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        if name not in body.model_fields_set:
            continue
        new = getattr(body, name)
        new = str(new) if name == "email" else new
        if new != getattr(current, name):
            changes[name] = new
    updated = current
    ops: list[Op] = []
    if changes:
        updated = current.model_copy(
            update={**changes, "version": current.version + 1, "updated_at": clock.iso(clock.now())}
        )
        ops.append(identity.versioned_put(updated, current.version))
        if "email" in changes:
            ops.extend(identity.email_swap_ops(current, updated.email))
        fields = {k: _plain(v) for k, v in changes.items() if k != "email"}
        data = {"changed": sorted(changes), "fields": fields}
        ops.append(timeline.event_op(principal.realm, user_id, "profile_updated", principal.actor, data))
    else:
        # Nothing changed: still guard against a concurrent change so the answer is not stale.
        ops.append(identity.unchanged(current))

    def on_cancel(exc: TransactionCancelled) -> Conflict | None:
        if "email" in changes and (exc.failed(1) or exc.failed(2)):
            return _email_taken()
        return None

    return Decision(ops=ops, status=200, body=_answer(updated, brand), on_cancel=on_cancel, brand_id=brand.brand_id)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
