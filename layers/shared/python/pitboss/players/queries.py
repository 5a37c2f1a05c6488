"""Reading the dossier and its audit timeline (seed 000's GET routes)."""

from __future__ import annotations

from typing import Any

import pitboss.engines.rules as engines
from pitboss import identity
from pitboss.engines.models import VipOut
from pitboss.identity import gates
from pitboss.players import repository
from pitboss.players.output import PlayerEnvelope, PlayerOut, PlayersList, TimelineEvent, TimelinePage
from pitboss.tenancy import Principal

TIMELINE_MAX_LIMIT = 100


def get_dossier(principal: Principal, key: str, brand_id: int | None) -> PlayerEnvelope:
    user_id = identity.resolve_user_id(principal, key, brand_id)
    # Issue 13: the profile and the wallet (lifetime xp for the VIP standing) in one BatchGetItem.
    profile, engagement = repository.profile_and_engagement(principal.realm, user_id)
    player = identity.player_from(principal, profile)
    return PlayerEnvelope(player=_dossier(principal, player, engagement))


def _dossier(principal: Principal, player: identity.Player, engagement: dict[str, Any] | None = None) -> PlayerOut:
    """The dossier as GET shows it, wherever the player was found (`engagement`: the wallet's, when the
    caller read it with the profile; else read here)."""
    brand = principal.brands[player.brand_id]
    out = PlayerOut.of(player, gates.effective(player, brand.settings))
    # Issue 13: the VIP standing (lifetime xp on the wallet item, the brand's ladder as it is now).
    if engagement is None:
        engagement = repository.wallet_engagement(player.pk)
    out.vip = VipOut.of(engines.vip_of(engagement, brand.settings))
    return out


def find_by_external_ref(principal: Principal, external_ref: str, brand_id: int | None) -> PlayersList:
    """Seed 000's cross-lookup: the players carrying `external_ref`, in the brand named or in every brand the
    key can see (at most one per brand: the ref is unique within a brand)."""
    brand_ids = [principal.brand(brand_id).brand_id] if brand_id is not None else principal.visible_brand_ids()
    found = []
    for item in repository.profiles_by_external_ref(principal.realm, brand_ids, external_ref):
        player = identity.player_from(principal, item)
        if player.external_ref == external_ref:  # the pointer and the profile move in one transaction
            found.append(_dossier(principal, player))
    return PlayersList(players=found)


def get_timeline(
    principal: Principal, key: str, brand_id: int | None, limit: int = 20, cursor: str | None = None
) -> TimelinePage:
    """Newest first; the cursor can't address another player, tenant or mode (422 invalid_cursor)."""
    player = identity.load_player(principal, key, brand_id)
    page = repository.timeline_page(player.pk, max(1, min(limit, TIMELINE_MAX_LIMIT)), cursor)
    return TimelinePage(events=[TimelineEvent.of(i) for i in page.items], next_cursor=page.next_cursor)
