"""Finding players from one search box: a numeric player_id, a UUID, an email (exact) or an external_ref
name one player; any text also matches usernames (partial, case-insensitive). Filters: brand and status."""

from __future__ import annotations

from pitboss.console import repository
from pitboss.console.models import PlayerRow, SearchIn, SearchResult
from pitboss.errors import NotFound
from pitboss.identity.entity import Player
from pitboss.tenancy import Principal
from pitboss.types import is_uuid

PAGE_SIZE = 25
MAX_PLAYER_NUMBER = 10**12


def search(principal: Principal, query: SearchIn, limit: int = PAGE_SIZE) -> SearchResult:
    """Exact matches first (at most one per brand), then a page of the username matches, each only in the
    brands the caller sees. An empty query lists the players (newest numbers last)."""
    if query.brand_id is not None and not principal.can_see_brand(query.brand_id):
        return SearchResult(exact=[], players=[], next_cursor=None)
    realm, q = principal.realm, query.q
    brand_ids = [query.brand_id] if query.brand_id is not None else principal.visible_brand_ids()

    def shown(player: Player) -> bool:
        return player.brand_id in brand_ids and query.status in (None, player.status)

    exact_ids: list[str] = []
    if q.isdigit() and int(q) < MAX_PLAYER_NUMBER:
        found = repository.by_number(realm, int(q))
        exact_ids = [found] if found else []
    elif is_uuid(q):
        exact_ids = [q.lower()]
    elif "@" in q:
        exact_ids = repository.by_email(realm, brand_ids, q)
    exact = [p for p in (Player.from_item(realm, i) for i in repository.profiles(realm, exact_ids)) if shown(p)]
    partial = q if q and not is_uuid(q) and "@" not in q else None
    items, next_cursor = repository.page(
        realm,
        query.brand_id,
        contains=partial,
        external_ref=q or None,
        status=query.status,
        limit=limit,
        cursor=query.cursor,
    )
    seen = {p.user_id for p in exact}
    players = [p for p in (Player.from_item(realm, i) for i in items) if shown(p) and p.user_id not in seen]
    return SearchResult(
        exact=[PlayerRow.of(p) for p in exact], players=[PlayerRow.of(p) for p in players], next_cursor=next_cursor
    )


def locate(principal: Principal, player_id: int) -> PlayerRow:
    """The player a numeric id names (the console's player page, the gateway's playerIdLink); 404 when
    there is none in the caller's realm or it is of a brand the caller can't see."""
    user_id = repository.by_number(principal.realm, player_id) if 0 < player_id < MAX_PLAYER_NUMBER else None
    items = repository.profiles(principal.realm, [user_id]) if user_id else []
    if not items or not principal.can_see_brand(int(items[0]["brand_id"])):
        raise NotFound("player not found", code="player_not_found")
    return PlayerRow.of(Player.from_item(principal.realm, items[0]))
