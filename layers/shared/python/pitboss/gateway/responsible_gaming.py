"""The player's own responsible gaming from the front end (issue 11 #4): limits, a cool-off, a
self-exclusion. Decided by the operator API's pure rules (`players.rules.apply_rg`: stricter at once, looser
after the brand's delay, exclusions never shortened), written through the one profile loop with an
`rg_changed` event whose actor is `player:<uuid>`.

A cool-off or self-exclusion ends play at once without anything more here: the gates block the session
(the next gateway call is 401 invalid token), every money call (403 player_blocked) and the next login
(401 COOLING_OFF / SELF_EXCLUDED)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pitboss import clock, timeline
from pitboss.gateway import rules, sessions
from pitboss.gateway.models import GwCoolOffIn, GwRgLimitsIn, GwSelfExclusionIn
from pitboss.gateway.output import GwRgOut
from pitboss.gateway.repository import Op
from pitboss.gateway.sessions import Caller
from pitboss.identity.entity import Player
from pitboss.observability import logger
from pitboss.players.models import RgUpdate
from pitboss.players.rules import apply_rg


def limits_of(caller: Caller) -> GwRgOut:
    return GwRgOut.of(caller.player, caller.brand.settings, caller.brand.currency, caller.now)


def set_limits(caller: Caller, body: GwRgLimitsIn) -> GwRgOut:
    return _apply(caller, RgUpdate.model_validate(body.model_dump(exclude_unset=True)))


def cool_off(caller: Caller, body: GwCoolOffIn) -> GwRgOut:
    return _apply(caller, RgUpdate(cooloff_until=clock.now() + timedelta(days=body.days)))


def self_exclude(caller: Caller, body: GwSelfExclusionIn) -> GwRgOut:
    if body.permanent:
        return _apply(caller, RgUpdate(self_exclusion_permanent=True))
    assert body.months is not None  # the model takes exactly one of them
    return _apply(caller, RgUpdate(self_exclusion_until=rules.months_after(clock.now(), body.months)))


def _apply(caller: Caller, update: RgUpdate) -> GwRgOut:
    """apply_rg on the profile as it is now (re-read on a lost race), with its audit event in the same
    transaction. Nothing to change: the answer is the state as it stands."""

    def change(current: Player) -> tuple[Player, list[Op]] | None:
        updated, changes = apply_rg(current, caller.brand, update, clock.now())
        if not changes:
            return None
        data: dict[str, Any] = {"changes": changes}
        if updated.status != current.status:
            data["status"] = {"from": current.status, "to": updated.status}
        return updated, [timeline.event_op(caller.realm, current.user_id, "rg_changed", caller.actor, data)]

    player = sessions.mutate(caller.realm, caller.player.user_id, change) or caller.player
    logger.info("player set own rg", extra={"brand_id": caller.brand.brand_id, "player_id": player.player_id})
    return GwRgOut.of(player, caller.brand.settings, caller.brand.currency, clock.now())
