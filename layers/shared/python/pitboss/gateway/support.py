"""What an operator sees and does to a player's gateway sessions from the console: list them (the player page)
and end one or all. Ending is written on the player's timeline with the operator as actor, in the same
transaction. The account-recovery actions are in `gateway/recovery.py`, apart, so the console's player page
does not import the credentials machinery (argon2, lockout, the outbox) at cold start. The console calls
these flows; it never reads gateway items itself."""

from __future__ import annotations

from dataclasses import dataclass

from pitboss import clock, retry, timeline
from pitboss.errors import ConcurrentUpdate, TransactionCancelled
from pitboss.gateway import repository
from pitboss.gateway.sessions import MAX_SESSION
from pitboss.identity.entity import Player


@dataclass(frozen=True)
class PlayerSession:
    """A live gateway session as the console lists it (never its token: `session_id` is the token's hash)."""

    session_id: str
    brand_id: int
    created_at: str
    last_seen_at: str
    idle_until: str


def sessions(realm: str, user_id: str) -> list[PlayerSession]:
    """The player's live sessions, newest first (ended, idle or expired ones are left out)."""
    now = clock.now()
    live = []
    for item in repository.player_sessions(realm, user_id):
        if item["idle_until"] <= clock.iso(now) or now - clock.parse_iso(item["created_at"]) >= MAX_SESSION:
            continue
        live.append(
            PlayerSession(
                session_id=str(item["pk"]).removeprefix("SESSION#"),
                brand_id=int(item["brand_id"]),
                created_at=str(item["created_at"]),
                last_seen_at=str(item["last_seen_at"]),
                idle_until=str(item["idle_until"]),
            )
        )
    return live


def end_sessions(player: Player, actor: str, session_id: str | None = None) -> int:
    """Ends one session (by its id) or all of them; returns how many ended. The deletes and the timeline
    event commit together; a session that ended meanwhile makes it look again."""
    for _attempt in retry.attempts(what="end_sessions"):
        found = [
            s
            for s in repository.player_sessions(player.realm, player.user_id)
            if session_id is None or str(s["pk"]).removeprefix("SESSION#") == session_id
        ]
        if not found:
            return 0
        data = {"count": len(found), "which": "one" if session_id else "all"}
        ops = [repository.session_delete(s) for s in found]
        ops.append(timeline.event_op(player.realm, player.user_id, "gateway_sessions_ended", actor, data))
        try:
            repository.commit(ops, retrying=True)
        except TransactionCancelled:
            continue
        return len(found)
    raise ConcurrentUpdate("the player's sessions kept changing; retry")
