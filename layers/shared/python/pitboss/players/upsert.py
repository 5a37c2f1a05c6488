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
# Kept in the profile's `details` map, where the gateway's personal details and the back office read it.
DETAIL_FIELDS = ("nickname",)


def upsert_player(principal: Principal, body: PlayerUpsert, idem: IdemRequest) -> Outcome:
    """Idempotent on (brand, username): the pointer read with the idempotency record decides create or update.
    The external_ref pointer is read with them, so a ref another player holds is refused before any write."""
    brand = principal.brand(body.brand_id)
    pointer_key = repository.username_pointer(principal.realm, brand.brand_id, body.username)
    ref_key = repository.external_ref_pointer(principal.realm, brand.brand_id, body.external_ref or "")
    read = [pointer_key, ref_key] if body.external_ref else [pointer_key]

    def decide(items: dict[Key, dict[str, Any]]) -> Decision:
        pointer = items.get(pointer_key)
        user_id = str(pointer["user_id"]) if pointer is not None else None
        ref_holder = items.get(ref_key)
        if ref_holder is not None and str(ref_holder["user_id"]) != user_id:
            raise _external_ref_taken()
        if user_id is None:
            return _create(principal, brand, body)
        return _update(principal, brand, body, user_id, ref_missing=bool(body.external_ref) and ref_holder is None)

    return idempotency.execute(idem, read, decide)


def _answer(player: Player, brand: Brand) -> dict[str, Any]:
    return PlayerEnvelope(player=PlayerOut.of(player, gates.effective(player, brand.settings))).model_dump(mode="json")


def _email_taken() -> Conflict:
    return Conflict("another player of this brand has this email", code="email_taken")


def _external_ref_taken() -> Conflict:
    return Conflict("another player of this brand has this external_ref", code="external_ref_taken")


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
        details={name: getattr(body, name) for name in DETAIL_FIELDS if getattr(body, name) is not None},
        version=1,
        created_at=now,
        updated_at=now,
    )

    ops = identity.create_ops(principal.actor, player, source="operator_api")
    if player.external_ref:
        ops.append(repository.claim_external_ref(realm, brand.brand_id, player.external_ref, player.user_id))
    ref_at = len(ops) - 1

    def on_cancel(exc: TransactionCancelled) -> Conflict | None:
        if exc.failed(0):
            return None  # lost the username race (its winner holds the email too): re-read and update instead
        if exc.failed(1):
            return _email_taken()
        return _external_ref_taken() if player.external_ref and exc.failed(ref_at) else None

    return Decision(
        ops=ops,
        status=201,
        body=_answer(player, brand),
        on_cancel=on_cancel,
        brand_id=brand.brand_id,
    )


def _update(principal: Principal, brand: Brand, body: PlayerUpsert, user_id: str, *, ref_missing: bool) -> Decision:
    """`ref_missing`: the body's external_ref has no pointer yet (a player stored before refs had pointers
    gets one when its ref is sent again)."""
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
    details = _details(current, body)
    if details != current.details:
        changes["details"] = details
    updated = current
    ops: list[Op] = []
    email_ops: list[int] = []
    ref_ops: list[int] = []
    if changes:
        updated = current.model_copy(
            update={**changes, "version": current.version + 1, "updated_at": clock.iso(clock.now())}
        )
        ops.append(identity.versioned_put(updated, current.version))
        if "email" in changes:
            swap = identity.email_swap_ops(current, updated.email)
            email_ops = list(range(len(ops), len(ops) + len(swap)))
            ops.extend(swap)
        changed = {k: v for k, v in changes.items() if k not in ("email", "details")}
        changed |= {k: details.get(k) for k in DETAIL_FIELDS if details.get(k) != current.details.get(k)}
        fields = {k: _plain(v) for k, v in changed.items()}
        data = {"changed": sorted([*changed, *(["email"] if "email" in changes else [])]), "fields": fields}
        ops.append(timeline.event_op(principal.realm, user_id, "profile_updated", principal.actor, data))
    else:
        # Nothing changed: still guard against a concurrent change so the answer is not stale.
        ops.append(identity.unchanged(current))
    ref_changes = _ref_ops(principal.realm, current, updated, moved="external_ref" in changes, missing=ref_missing)
    ref_ops = list(range(len(ops), len(ops) + len(ref_changes)))
    ops.extend(ref_changes)

    def on_cancel(exc: TransactionCancelled) -> Conflict | None:
        if any(exc.failed(i) for i in email_ops):
            return _email_taken()
        if any(exc.failed(i) for i in ref_ops):
            return _external_ref_taken()
        return None

    return Decision(ops=ops, status=200, body=_answer(updated, brand), on_cancel=on_cancel, brand_id=brand.brand_id)


def _details(current: Player, body: PlayerUpsert) -> dict[str, Any]:
    """The profile's details map with the detail fields the body sent (null removes one)."""
    details = dict(current.details)
    for name in DETAIL_FIELDS:
        if name in body.model_fields_set:
            value = getattr(body, name)
            if value is None:
                details.pop(name, None)
            else:
                details[name] = value
    return details


def _ref_ops(realm: str, current: Player, updated: Player, *, moved: bool, missing: bool) -> list[Op]:
    """The external_ref pointer follows the profile: the old one released and the new one claimed when the
    ref changes (null clears it), or claimed when the player's ref has no pointer yet."""
    ops: list[Op] = []
    if moved and current.external_ref:
        ops.append(repository.release_external_ref(realm, current.brand_id, current.external_ref, current.user_id))
    if updated.external_ref and (moved or missing):
        ops.append(repository.claim_external_ref(realm, updated.brand_id, updated.external_ref, updated.user_id))
    return ops


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
