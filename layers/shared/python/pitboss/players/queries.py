"""Reading the dossier and its audit timeline (seed 000's GET routes)."""

from __future__ import annotations

import pitboss.engines.rules as engines
from pitboss import identity
from pitboss.engines.models import VipOut
from pitboss.identity import gates
from pitboss.players import repository
from pitboss.players.output import PlayerEnvelope, PlayerOut, TimelineEvent, TimelinePage
from pitboss.tenancy import Principal

TIMELINE_MAX_LIMIT = 100


def get_dossier(principal: Principal, key: str, brand_id: int | None) -> PlayerEnvelope:
    user_id = identity.resolve_user_id(principal, key, brand_id)
    # Issue 13: the profile and the wallet (lifetime xp for the VIP standing) in one BatchGetItem.
    profile, engagement = repository.profile_and_engagement(principal.realm, user_id)
    player = identity.player_from(principal, profile)
    brand = principal.brands[player.brand_id]
    out = PlayerOut.of(player, gates.effective(player, brand.settings))
    out.vip = VipOut.of(engines.vip_of(engagement, brand.settings))
    return PlayerEnvelope(player=out)


def get_timeline(
    principal: Principal, key: str, brand_id: int | None, limit: int = 20, cursor: str | None = None
) -> TimelinePage:
    """Newest first; the cursor can't address another player, tenant or mode (422 invalid_cursor)."""
    player = identity.load_player(principal, key, brand_id)
    page = repository.timeline_page(player.pk, max(1, min(limit, TIMELINE_MAX_LIMIT)), cursor)
    return TimelinePage(events=[TimelineEvent.of(i) for i in page.items], next_cursor=page.next_cursor)
