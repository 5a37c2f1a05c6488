"""Responsible-gaming limits and exclusions: stricter at once, looser after the brand's delay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pitboss.idempotency import IdemRequest, Outcome
from pitboss.identity import Player
from pitboss.players import rules, writes
from pitboss.players.models import RgUpdate
from pitboss.tenancy import Brand, Principal


def set_rg(principal: Principal, user_id: str, body: RgUpdate, idem: IdemRequest) -> Outcome:
    """Applies an RG update (rules.apply_rg) and records it as one `rg_changed` event."""

    def decide(current: Player, brand: Brand, at: datetime) -> writes.Change | None:
        updated, changes = rules.apply_rg(current, brand, body, at)
        if not changes:
            return None
        data: dict[str, Any] = {"changes": changes}
        if body.reason:
            data["reason"] = body.reason
        if updated.status != current.status:
            data["status"] = {"from": current.status, "to": updated.status}
        return writes.Change(updated, [("rg_changed", data)])

    return writes.audited(principal, user_id, idem, decide)
