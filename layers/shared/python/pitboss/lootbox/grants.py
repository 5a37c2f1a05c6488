"""Grants: unopened boxes given to a player (idempotent), opened later at no cost."""

from __future__ import annotations

from typing import Any

from pitboss import clock, idempotency, timeline
from pitboss.errors import Conflict
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import gates, player_from, profiles
from pitboss.lootbox import definitions, repository, rules
from pitboss.lootbox.entity import Lootbox
from pitboss.lootbox.models import GrantIn, GrantOut, lootbox_out
from pitboss.tenancy import Principal
from pitboss.wallet.rules import gate

MAX_UNOPENED = 1_000_000


def grant(principal: Principal, user_id: str, body: GrantIn, idem: IdemRequest) -> Outcome:
    """Adds `count` unopened boxes. Gated like any promotion (403 player_blocked); a disabled definition is
    409 disabled; a definition of another brand than the player's is 404."""
    realm = principal.realm
    profile_key = repository.profile_key(realm, user_id)
    box_key = repository.definition_key(realm, body.lootbox_id)
    inventory_key = repository.inventory_key(realm, user_id, body.lootbox_id)

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> Decision:
        player = player_from(principal, items.get(profile_key))
        found = items.get(box_key)
        box = definitions.visible(principal, Lootbox.from_item(found) if found else None)
        if box.brand_id != player.brand_id:
            raise definitions.not_found()
        rules.refuse_disabled(box.disabled)
        now = clock.now()
        brand = principal.brands[player.brand_id]
        gate(player, gates.effective(player, brand.settings, now), "bonus")
        held = items.get(inventory_key)
        unopened = repository.count_of(held) + body.count
        if unopened > MAX_UNOPENED:
            raise Conflict(
                f"a player holds at most {MAX_UNOPENED} unopened boxes of one lootbox", code="too_many_boxes"
            )
        at = clock.iso(now)
        ops: list[repository.Op] = [
            repository.inventory_put(
                realm, user_id, box.id, count=unopened, read=None if held is None else int(held["count"]), at=at
            ),
            repository.still_enabled(realm, box.id),
            profiles.unchanged(player),  # the gate decided on this profile version
            timeline.event_op(
                realm, user_id, "lootbox_granted", principal.actor, {"lootbox_id": box.id, "count": body.count}
            ),
        ]
        answer = GrantOut(lootbox=lootbox_out(box), granted=body.count, unopened=unopened)
        return Decision(ops=ops, status=201, body=answer.model_dump(mode="json"))

    return idempotency.execute(idem, [profile_key, box_key, inventory_key], decide)
