"""Pure decisions about game sessions: their id format, lifetime, and who may read one. No I/O, no clock."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pitboss.games.entity import GameSession

PREFIX = "gs_"
# How long a session answers (in-game status) after it opened; its item's `ttl` lets DynamoDB drop it later,
# but expiry is decided here at read time (TTL deletion may lag by days).
LIFETIME = timedelta(hours=24)
_ID_RE = re.compile(r"^gs_[0-9a-hjkmnp-tv-z]{26}$")


def session_id(ulid: str) -> str:
    """The wire id of a session: `gs_` and its ULID in lower case (as withdrawals are `wd_...`)."""
    return f"{PREFIX}{ulid.lower()}"


def ulid_of(game_session_id: str) -> str | None:
    """The ULID a wire id carries, or None for anything that is not a session id (so it is never looked up)."""
    text = game_session_id.strip().lower()
    return text[len(PREFIX) :].upper() if _ID_RE.match(text) else None


def expires_at(opened_at: datetime) -> datetime:
    return opened_at + LIFETIME


def is_live(session: GameSession, now: datetime) -> bool:
    return now < session.expires_at


def belongs_to(session: GameSession | None, user_id: str, brand_id: int, now: datetime) -> bool:
    """A session the caller may read: it exists, is the caller's own player's, in the caller's brand, and has
    not expired. Anything else answers as unknown (404), so an id tells nothing about another player."""
    return session is not None and session.user_id == user_id and session.brand_id == brand_id and is_live(session, now)
