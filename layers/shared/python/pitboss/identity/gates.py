"""The status gate table and a player's effective state at an instant: what every domain asks before it acts.

Effective state is computed at read time, so correctness never depends on when the scheduler last ran:
a cool-off that ended five minutes ago is over; a pending limit whose time has come is in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pitboss import clock
from pitboss.identity.entity import Player, PlayerStatus
from pitboss.tenancy import BrandSettings

Action = Literal["deposit", "bet", "withdrawal", "bonus", "login"]

# What each lifecycle status blocks. Wins and rollbacks are never gated: a round must not strand.
STATUS_GATES: dict[PlayerStatus, frozenset[Action]] = {
    "active": frozenset(),
    "suspended": frozenset({"deposit", "bet", "bonus", "login"}),
    "self_excluded": frozenset({"deposit", "bet", "bonus", "login"}),
    "fraud_hold": frozenset({"deposit", "bet", "withdrawal", "bonus"}),
    "aml_hold": frozenset({"deposit", "bet", "withdrawal", "bonus"}),
    "withdrawal_hold": frozenset({"deposit", "bet", "withdrawal"}),
    "affordability_review": frozenset({"deposit", "bonus"}),
    "closed": frozenset({"deposit", "bet", "bonus", "login"}),
}
# Blocks that come from RG state rather than status.
COOLOFF_BLOCKS: frozenset[Action] = frozenset({"deposit", "bet", "bonus", "login"})
SELF_EXCLUSION_BLOCKS: frozenset[Action] = frozenset({"deposit", "bet", "bonus", "login"})
AGE_GATE_BLOCKS: frozenset[Action] = frozenset({"deposit", "bet", "bonus"})


@dataclass
class EffectiveState:
    limits: dict[str, Decimal | int]
    pending: dict[str, tuple[Decimal | int | None, str]]
    cooloff_active: bool
    self_exclusion_active: bool
    age_verified: bool
    status: PlayerStatus
    blocks: dict[Action, list[str]] = field(default_factory=dict)

    def block_reason(self, action: Action) -> str | None:
        reasons = self.blocks.get(action)
        return reasons[0] if reasons else None


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def old_enough(dob: date, settings: BrandSettings, at: datetime) -> bool:
    """At least the brand's minimum age on the brand's local date."""
    return _age(dob, clock.local_date(at, settings.timezone)) >= settings.min_age


def age_verified(player: Player, settings: BrandSettings, at: datetime) -> bool:
    if player.date_of_birth is None:
        return not settings.require_date_of_birth
    return old_enough(player.date_of_birth, settings, at)


def effective(player: Player, settings: BrandSettings, at: datetime | None = None) -> EffectiveState:
    at = at or clock.now()
    now_iso = clock.iso(at)
    limits = dict(player.limits)
    pending: dict[str, tuple[Decimal | int | None, str]] = {}
    for name, change in player.pending.items():
        if change.effective_at <= now_iso:
            if change.value is None:
                limits.pop(name, None)
            else:
                limits[name] = change.value
        else:
            pending[name] = (change.value, change.effective_at)
    cooloff = bool(player.cooloff_until and player.cooloff_until > now_iso)
    exclusion = player.self_exclusion_permanent or bool(
        player.self_exclusion_until and player.self_exclusion_until > now_iso
    )
    adult = age_verified(player, settings, at)
    state = EffectiveState(
        limits=limits,
        pending=pending,
        cooloff_active=cooloff,
        self_exclusion_active=exclusion,
        age_verified=adult,
        status=player.status,
    )
    for action in STATUS_GATES[player.status]:
        state.blocks.setdefault(action, []).append(f"status:{player.status}")
    if exclusion:
        for action in SELF_EXCLUSION_BLOCKS:
            state.blocks.setdefault(action, []).append("self_exclusion")
    if cooloff:
        for action in COOLOFF_BLOCKS:
            state.blocks.setdefault(action, []).append("cooloff")
    if not adult:
        for action in AGE_GATE_BLOCKS:
            state.blocks.setdefault(action, []).append("age_gate")
    return state
