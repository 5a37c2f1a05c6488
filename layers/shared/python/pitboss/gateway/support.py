"""What an operator does to a player's gateway account from the console: see and end the player's sessions,
send a password-reset link, issue a temporary password (the next login answers PASSWORD_CHANGE_REQUIRED),
resend the activation email. Each is written on the player's timeline with the operator as actor, in the
same transaction as its effect. The console calls these flows; it never reads gateway items itself."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from pitboss import clock, retry, timeline
from pitboss.errors import ConcurrentUpdate, Conflict, TransactionCancelled
from pitboss.gateway import credentials, outbox, repository
from pitboss.gateway.sessions import MAX_SESSION
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand

TEMPORARY_PASSWORD_LENGTH = 12


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


def send_password_reset(player: Player, actor: str) -> None:
    """A single-use reset link to the player's address (as forgot-password sends), asked for by an operator."""
    mail = outbox.new_link("password_reset", player, [(player.email, "password_reset_email")])
    event = timeline.event_op(player.realm, player.user_id, "password_reset_requested", actor)
    repository.commit([*mail.ops, event])
    mail.publish()


def issue_temporary_password(player: Player, brand: Brand, actor: str) -> str:
    """A generated password, shown once to the operator: every session ends and the next login answers
    PASSWORD_CHANGE_REQUIRED until the player sets their own. A player who never had a gateway login gets a
    reset link instead (it sets the first password)."""
    if repository.credentials(player.realm, player.user_id) is None:
        raise Conflict(
            "this player has no gateway login yet: send a password reset link instead", code="no_gateway_login"
        )
    password = temporary_password()
    credentials.set_temporary_password(brand, player.user_id, password, actor)
    return password


def temporary_password() -> str:
    """Letters and digits, at least one of each (the seed's password rules ask for a mix)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate


def resend_activation(player: Player, actor: str) -> bool:
    """The activation email again, when the address is not verified yet; False when there is nothing to do."""
    if player.email_verified:
        return False
    mail = outbox.new_link("activation", player, [(player.email, "activation_email")], email=player.email)
    event = timeline.event_op(player.realm, player.user_id, "activation_resent", actor)
    repository.commit([*mail.ops, event])
    mail.publish()
    return True
