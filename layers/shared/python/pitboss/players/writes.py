"""The one audited dossier write every players flow shares (status, RG, KYC, flags, tags, notes).

Every write is idempotent (pitboss.idempotency): one consistent read of the profile and the idempotency
record, a decision, and one transaction holding the versioned profile, its timeline event and the record.
So an audited change can't exist without its audit record, and a crash before the commit leaves nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pitboss import clock, idempotency, identity, timeline
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import Player, gates
from pitboss.players.output import PlayerEnvelope, PlayerOut
from pitboss.players.repository import Key, Op
from pitboss.tenancy import Brand, Principal


def begin(
    principal: Principal, key: str, brand_id: int | None, *, method: str, route: str, body: Any
) -> tuple[str, IdemRequest]:
    """Resolves the path key, then fingerprints the request against the player it names (not the spelling)."""
    user_id = identity.resolve_user_id(principal, key, brand_id)
    idem_key = body.get("idempotency_key") if isinstance(body, dict) else None
    fingerprint_route = route.replace("{key}", user_id)
    return user_id, idempotency.begin(principal, idem_key, method, fingerprint_route, body)


def dossier(player: Player, brand: Brand, at: datetime) -> dict[str, Any]:
    """The answer of a dossier write, JSON-ready (it is stored as the idempotent replay too)."""
    out = PlayerEnvelope(player=PlayerOut.of(player, gates.effective(player, brand.settings, at)))
    return out.model_dump(mode="json")


@dataclass
class Change:
    """What a dossier write decided: the updated player and the timeline events that record it."""

    player: Player
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


Decide = Callable[[Player, Brand, datetime], Change | None]


def audited(principal: Principal, user_id: str, idem: IdemRequest, decide: Decide) -> Outcome:
    """Read profile + idempotency record, let `decide` choose, commit profile + events + record at once.

    `decide` returns the change (its player already bumped by the rules), or None when nothing changes."""
    profile_key: Key = identity.profile_key(principal.realm, user_id)

    def decision(items: dict[Key, dict[str, Any]]) -> Decision:
        current = identity.player_from(principal, items.get(profile_key))
        brand = principal.brands[current.brand_id]
        at = clock.now()
        change = decide(current, brand, at)
        if change is None:
            # A no-op is recorded too (guarded by the version it was decided on), so a retry with the same
            # key arriving after someone else's change replays this answer instead of applying for real.
            return Decision(ops=[identity.unchanged(current)], status=200, body=dossier(current, brand, at))
        ops: list[Op] = [identity.versioned_put(change.player, current.version)]
        ops += [
            timeline.event_op(principal.realm, user_id, kind, principal.actor, data) for kind, data in change.events
        ]
        return Decision(ops=ops, status=200, body=dossier(change.player, brand, at))

    return idempotency.execute(idem, [profile_key], decision)
