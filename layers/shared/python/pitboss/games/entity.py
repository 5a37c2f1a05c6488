"""A game session as the domain sees it: who plays what, where, from when until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GameSession:
    """One opened game (seed 002's "session ID provided by start game request"). `realm` is the tenant and
    mode it was opened in: it is part of its key, so another tenant's or mode's id can only miss."""

    realm: str
    game_session_id: str
    user_id: str
    brand_id: int
    provider: str
    game_id: str
    currency: str
    opened_at: datetime
    expires_at: datetime
