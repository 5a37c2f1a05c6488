"""Opening a game session and reading one back: what the authenticate call and the gateway's start game
share (the gateway reaches it through pitboss.games.port)."""

from __future__ import annotations

from datetime import datetime

from pitboss import ids
from pitboss.errors import NotFound
from pitboss.games import repository, rules
from pitboss.games.entity import GameSession


def new(
    realm: str, user_id: str, brand_id: int, *, provider: str, game_id: str, currency: str, now: datetime
) -> GameSession:
    """A session opened now (not yet stored: the caller commits `repository.put_op` with its other writes)."""
    return GameSession(
        realm=realm,
        game_session_id=rules.session_id(ids.ulid()),
        user_id=user_id,
        brand_id=brand_id,
        provider=provider,
        game_id=game_id,
        currency=currency,
        opened_at=now,
        expires_at=rules.expires_at(now),
    )


def open_session(
    realm: str, user_id: str, brand_id: int, *, provider: str, game_id: str, currency: str, now: datetime
) -> GameSession:
    """Opens and stores a session on its own (the gateway's start game: nothing else to commit with it)."""
    session = new(realm, user_id, brand_id, provider=provider, game_id=game_id, currency=currency, now=now)
    repository.save(session)
    return session


def game_session_not_found() -> NotFound:
    return NotFound("game session not found", code="game_session_not_found")


def own_session(realm: str, game_session_id: str, user_id: str, brand_id: int, now: datetime) -> GameSession:
    """The session an id names, if it is this player's (in this brand and realm) and still live; else NotFound,
    the same for an unknown, foreign or expired id."""
    session = repository.find(realm, game_session_id)
    if session is None or not rules.belongs_to(session, user_id, brand_id, now):
        raise game_session_not_found()
    return session
