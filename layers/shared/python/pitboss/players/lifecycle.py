"""Lifecycle status changes: audited, with the reason recorded on the timeline."""

from __future__ import annotations

from datetime import datetime

from pitboss.idempotency import IdemRequest, Outcome
from pitboss.identity import Player
from pitboss.players import rules, writes
from pitboss.players.models import StatusChange
from pitboss.tenancy import Brand, Principal


def change_status(principal: Principal, user_id: str, body: StatusChange, idem: IdemRequest) -> Outcome:
    """Sets the status with a compliance note.

    While a self-exclusion is in force (a permanent one always is) only a status that blocks betting can be
    set, so no status set meanwhile lets the player play once it ends without an operator's reinstatement.
    A cool-off blocks without being a status, so any status may be set during one (it keeps blocking)."""

    def decide(current: Player, brand: Brand, at: datetime) -> writes.Change:
        updated = rules.change_status(current, brand.settings, body.status, at)
        # Seed 000: "The reason is appended as a compliance note on the player dossier."
        updated = rules.with_note(updated, body.reason, principal.actor, at)
        return writes.Change(
            updated, [("status_changed", {"from": current.status, "to": body.status, "reason": body.reason})]
        )

    return writes.audited(principal, user_id, idem, decide)
