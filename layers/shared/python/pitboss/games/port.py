"""The games domain's published port: what the gateway's start game and in-game status use to open and read a
player's game sessions, instead of touching session items themselves."""

from __future__ import annotations

from pitboss.games.sessions import open_session, own_session

__all__ = ["open_session", "own_session"]
