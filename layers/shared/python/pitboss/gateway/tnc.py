"""Signing the terms and conditions or the privacy policy."""

from __future__ import annotations

from pitboss import clock, timeline
from pitboss.errors import InvalidInput, SignatureRequired
from pitboss.gateway import repository, rules, sessions
from pitboss.gateway.models import GwSignIn
from pitboss.gateway.sessions import Caller
from pitboss.identity.entity import Player

SIGNED_TEXT = "successfully signed TNC"


def sign(caller: Caller, body: GwSignIn) -> str:
    """Records the signature (with its timeline event) once, and answers the seed's text; while another
    required document is still unsigned, SignatureRequired names it (the signature stays recorded)."""
    if str(body.player_id).strip() != str(caller.player.player_id):
        raise InvalidInput()
    document = body.type

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        details = dict(current.details)
        signed = dict(details.get("documents") or {})
        if document in signed:
            return None
        signed[document] = {"signed_at": clock.iso(clock.now()), "language": body.language}
        details["documents"] = signed
        event = timeline.event_op(
            caller.realm,
            current.user_id,
            "document_signed",
            caller.actor,
            {"type": document, "language": body.language},
        )
        return current.model_copy(update={"details": details}), [event]

    updated = sessions.mutate(caller.realm, caller.player.user_id, change) or caller.player
    others = rules.unsigned(updated, caller.brand.settings, besides=document)
    if others:
        raise SignatureRequired(others)
    return SIGNED_TEXT
