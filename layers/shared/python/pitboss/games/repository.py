"""The game session item: its key (`{realm}#GS#{ulid}`, sk GAME_SESSION), its mapping, the put and the read.
The only module of the games domain that names table keys or talks to the store."""

from __future__ import annotations

from typing import Any

from pitboss import clock, keys, store
from pitboss.games import rules
from pitboss.games.entity import GameSession

SK = "GAME_SESSION"
Op = store.Op
Key = tuple[str, str]


def game_session_pk(realm: str, ulid: str) -> str:
    return f"{realm}#GS#{ulid}"


def username_pointer(realm: str, brand_id: int, username: str) -> Key:
    """The (brand, username) pointer the authenticate call reads to find or create its player."""
    return (keys.username_pk(realm, brand_id, username), keys.UNIQUE)


def to_item(session: GameSession) -> dict[str, Any]:
    ulid = rules.ulid_of(session.game_session_id)
    assert ulid is not None  # made by rules.session_id
    return {
        "pk": game_session_pk(session.realm, ulid),
        "sk": SK,
        "kind": "game_session",
        "game_session_id": session.game_session_id,
        "user_id": session.user_id,
        "brand_id": session.brand_id,
        "provider": session.provider,
        "game_id": session.game_id,
        "currency": session.currency,
        "opened_at": clock.iso(session.opened_at),
        "expires_at": clock.iso(session.expires_at),
        "ttl": int(session.expires_at.timestamp()),
    }


def from_item(realm: str, item: dict[str, Any]) -> GameSession:
    return GameSession(
        realm=realm,
        game_session_id=str(item["game_session_id"]),
        user_id=str(item["user_id"]),
        brand_id=int(item["brand_id"]),
        provider=str(item["provider"]),
        game_id=str(item["game_id"]),
        currency=str(item["currency"]),
        opened_at=clock.parse_iso(str(item["opened_at"])),
        expires_at=clock.parse_iso(str(item["expires_at"])),
    )


def put_op(session: GameSession) -> store.Put:
    """A new session; its id is a fresh ULID, so the condition only guards against a (never seen) reuse."""
    return store.Put(to_item(session), condition="attribute_not_exists(pk)")


def save(session: GameSession) -> None:
    store.transact([put_op(session)])


def find(realm: str, game_session_id: str) -> GameSession | None:
    """The session an id names in this realm; None for an id that is not a session id or names none."""
    ulid = rules.ulid_of(game_session_id)
    if ulid is None:
        return None
    item = store.get(game_session_pk(realm, ulid), SK)  # strongly consistent: a start is read back at once
    return from_item(realm, item) if item else None
