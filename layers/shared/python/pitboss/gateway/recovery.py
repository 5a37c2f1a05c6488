"""What an operator's support team does to recover a player's gateway account from the console: send a
password-reset link, issue a temporary password (the next login answers PASSWORD_CHANGE_REQUIRED), resend the
activation email. Each is written on the player's timeline with the operator as actor, in the same transaction
as its effect. Kept apart from `support.py` (sessions) so that only these rare actions import the credentials
machinery."""

from __future__ import annotations

import secrets
import string

from pitboss import timeline
from pitboss.errors import Conflict
from pitboss.gateway import credentials, outbox, repository
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand

TEMPORARY_PASSWORD_LENGTH = 12


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
