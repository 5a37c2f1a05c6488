"""Compliance records on the dossier: KYC decisions, risk flags, tags and operator notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pitboss import idempotency, identity, timeline
from pitboss.errors import PitbossError, TransactionCancelled
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import Player
from pitboss.players import rules, writes
from pitboss.players.models import FlagsChange, KycChange, NoteIn, TagsChange
from pitboss.players.output import EventEnvelope, TimelineEvent
from pitboss.players.repository import Key
from pitboss.tenancy import Brand, Principal


def set_kyc(principal: Principal, user_id: str, body: KycChange, idem: IdemRequest) -> Outcome:
    fields = {"kyc_status": body.kyc_status, "kyc_level": body.kyc_level}
    return _audited_fields(
        principal,
        user_id,
        idem,
        event_type="kyc_updated",
        fields=fields,
        reason=body.reason,
        check=lambda current: rules.kyc_decision(current, body.kyc_status),
    )


def set_flags(principal: Principal, user_id: str, body: FlagsChange, idem: IdemRequest) -> Outcome:
    fields = {"risk_band": body.risk_band, "is_pep": body.is_pep, "is_sanctioned": body.is_sanctioned}
    return _audited_fields(principal, user_id, idem, event_type="flags_updated", fields=fields, reason=body.reason)


def _audited_fields(
    principal: Principal,
    user_id: str,
    idem: IdemRequest,
    *,
    event_type: str,
    fields: dict[str, Any],
    reason: str,
    check: Callable[[Player], None] = lambda _current: None,
) -> Outcome:
    def decide(current: Player, _brand: Brand, at: datetime) -> writes.Change:
        check(current)
        updated, changes = rules.audited_fields(current, at, fields)
        return writes.Change(updated, [(event_type, {"changes": changes, "reason": reason})])

    return writes.audited(principal, user_id, idem, decide)


def change_tags(principal: Principal, user_id: str, body: TagsChange, idem: IdemRequest) -> Outcome:
    def decide(current: Player, _brand: Brand, at: datetime) -> writes.Change | None:
        tags, added, removed = rules.change_tags(current, body)
        if not added and not removed:
            return None
        return writes.Change(
            rules.bump(current, at, tags=tags), [("tags_changed", {"added": added, "removed": removed})]
        )

    return writes.audited(principal, user_id, idem, decide)


def add_note(principal: Principal, user_id: str, body: NoteIn, idem: IdemRequest) -> Outcome:
    """An operator note: only a timeline event, guarded by the profile's existence in the same transaction."""
    profile_key: Key = identity.profile_key(principal.realm, user_id)

    def decide(items: dict[Key, dict[str, Any]]) -> Decision:
        current = identity.player_from(principal, items.get(profile_key))
        event = timeline.event_op(principal.realm, user_id, "note_added", principal.actor, {"text": body.text})
        answer = EventEnvelope(event=TimelineEvent.of(event.item))
        return Decision(
            ops=[identity.exists(current), event],
            status=201,
            body=answer.model_dump(mode="json"),
            on_cancel=_gone,
        )

    return idempotency.execute(idem, [profile_key], decide)


def _gone(exc: TransactionCancelled) -> PitbossError | None:
    return identity.player_not_found() if exc.failed(0) else None
