"""Dossier writes and the timeline: lifecycle status, responsible-gaming limits, KYC, risk flags, tags, notes.

Every write is idempotent (pitboss.idempotency): one consistent read of the profile and the idempotency
record, a decision, and one transaction holding the versioned profile, its timeline event and the record.
So an audited change can't exist without its audit record, and a crash before the commit leaves nothing."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pitboss import clock, idempotency, keys, money, store, timeline
from pitboss.errors import Conflict, NotFound, PitbossError, TransactionCancelled, Unprocessable
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import gates as rules
from pitboss.identity import load_player, player_from, resolve_user_id, versioned_put
from pitboss.identity.entity import LIMIT_FIELDS, MINUTE_LIMITS, PendingLimit, Player, PlayerStatus
from pitboss.players.dossier_models import FlagsChange, KycChange, NoteIn, RgUpdate, StatusChange, TagsChange
from pitboss.players.models import dossier, limit_number
from pitboss.tenancy import Brand, Principal

MAX_TAGS = 50
TIMELINE_MAX_LIMIT = 100
PERMANENT_CODE = "self_exclusion_permanent"
EVENT_PREFIX = "EVT#"

Limit = Decimal | int | None


# ---- shared plumbing ---------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """Stored/decided values as JSON-ready data: limits as numbers (as the dossier shows them)."""
    if isinstance(value, Decimal):
        return limit_number(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, datetime):
        return clock.iso(value)
    return value


def begin(
    principal: Principal, key: str, brand_id: int | None, *, method: str, route: str, body: Any
) -> tuple[str, IdemRequest]:
    """Resolves the path key, then fingerprints the request against the player it names (not the spelling)."""
    user_id = resolve_user_id(principal, key, brand_id)
    idem_key = body.get("idempotency_key") if isinstance(body, dict) else None
    fingerprint_route = route.replace("{key}", user_id)
    return user_id, idempotency.begin(principal.realm, idem_key, method, fingerprint_route, body)


def _profile_write(
    principal: Principal,
    user_id: str,
    idem: IdemRequest,
    change: Callable[[Player, Brand, datetime], tuple[Player, list[store.Op], int, dict[str, Any]] | None],
) -> Outcome:
    """Read profile + idempotency record, let `change` decide, commit profile + events + record at once.

    `change` returns (updated player, event ops, status, body), or None when nothing changes."""
    profile_key = (keys.player_pk(principal.realm, user_id), keys.PROFILE)

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> Decision | Outcome:
        current = player_from(principal, items.get(profile_key))
        brand = principal.brands[current.brand_id]
        at = clock.now()
        result = change(current, brand, at)
        if result is None:
            # A no-op is recorded too (guarded by the version it was decided on), so a retry with the same
            # key arriving after someone else's change replays this answer instead of applying for real.
            unchanged = store.Check(
                current.pk, keys.PROFILE, "#v = :v", names={"#v": "version"}, values={":v": current.version}
            )
            return Decision(ops=[unchanged], status=200, body={"player": _dossier(current, brand, at)})
        updated, events, status, body = result
        ops: list[store.Op] = [versioned_put(updated, current.version), *events]
        return Decision(ops=ops, status=status, body=body)

    return idempotency.execute(idem, [profile_key], decide)


def _dossier(player: Player, brand: Brand, at: datetime) -> dict[str, Any]:
    return dossier(player, rules.effective(player, brand.settings, at))


def _bump(player: Player, at: datetime, **changes: Any) -> Player:
    return player.model_copy(update={**changes, "version": player.version + 1, "updated_at": clock.iso(at)})


def _in_force(until: str | None, at: datetime) -> bool:
    return bool(until and until > clock.iso(at))


# ---- lifecycle status --------------------------------------------------------------------------


def change_status(principal: Principal, user_id: str, body: StatusChange, idem: IdemRequest) -> Outcome:
    """Sets the status with a compliance note.

    While a self-exclusion is in force (a permanent one always is) only a status that blocks betting can be
    set, so no status set meanwhile lets the player play once it ends without an operator's reinstatement.
    A cool-off blocks without being a status, so any status may be set during one (it keeps blocking).
    An operator-set status is never the exclusion's own."""

    def change(current: Player, brand: Brand, at: datetime) -> tuple[Player, list[store.Op], int, dict[str, Any]]:
        if lets_bet(body.status):
            _refuse_activation(current, brand, at)
        updated = _bump(current, at, status=body.status, status_from_exclusion=False)
        event = timeline.event_op(
            principal.realm,
            user_id,
            "status_changed",
            principal.actor,
            {"from": current.status, "to": body.status, "reason": body.reason},
        )
        return updated, [event], 200, {"player": _dossier(updated, brand, at)}

    return _profile_write(principal, user_id, idem, change)


def lets_bet(status: PlayerStatus) -> bool:
    """active and affordability_review: the statuses a self-exclusion replaces and can't coexist with."""
    return "bet" not in rules.STATUS_GATES[status]


def _refuse_activation(player: Player, brand: Brand, at: datetime) -> None:
    if player.self_exclusion_permanent:
        raise Conflict(
            "the player is permanently self-excluded: this can't be lifted through the API; "
            "only a status that blocks betting (self_excluded, suspended, a hold, closed) can be set",
            code=PERMANENT_CODE,
        )
    state = rules.effective(player, brand.settings, at)
    if state.self_exclusion_active:
        raise Conflict(
            "a self-exclusion is in force until "
            + str(player.self_exclusion_until)
            + "; only a status that blocks betting can be set meanwhile",
            code="self_exclusion_in_force",
            self_exclusion_until=player.self_exclusion_until,
        )


# ---- responsible gaming ------------------------------------------------------------------------


def set_rg(principal: Principal, user_id: str, body: RgUpdate, idem: IdemRequest) -> Outcome:
    """Applies an RG update: stricter at once, looser after the brand's delay, exclusions never shortened."""

    def change(
        current: Player, brand: Brand, at: datetime
    ) -> tuple[Player, list[store.Op], int, dict[str, Any]] | None:
        updated, changes = apply_rg(current, brand, body, at)
        if not changes:
            return None
        data: dict[str, Any] = {"changes": changes}
        if body.reason:
            data["reason"] = body.reason
        if updated.status != current.status:
            data["status"] = {"from": current.status, "to": updated.status}
        event = timeline.event_op(principal.realm, user_id, "rg_changed", principal.actor, data)
        return updated, [event], 200, {"player": _dossier(updated, brand, at)}

    return _profile_write(principal, user_id, idem, change)


def apply_rg(current: Player, brand: Brand, body: RgUpdate, at: datetime) -> tuple[Player, dict[str, Any]]:
    """Pure decision: the updated player and, per field, what happened. Raises before changing anything."""
    sent = body.model_fields_set
    state = rules.effective(current, brand.settings, at)
    limits = dict(current.limits)
    pending = dict(current.pending)
    changes: dict[str, Any] = {}
    exp = money.exponent(brand.currency)
    delay = timedelta(hours=brand.settings.rg_increase_delay_hours)

    # Validate everything first: a refusal must leave nothing half-decided.
    wanted: dict[str, Limit] = {}
    for name in LIMIT_FIELDS:
        if name not in sent:
            continue
        raw = getattr(body, name)
        if raw is None or name in MINUTE_LIMITS:
            wanted[name] = raw
        else:
            wanted[name] = money.parse_amount(raw, exp, field=name, allow_zero=True)
    _check_until(current.cooloff_until, body.cooloff_until, field="cooloff_until", what="cooloff", sent=sent, at=at)
    _check_until(
        current.self_exclusion_until,
        body.self_exclusion_until,
        field="self_exclusion_until",
        what="self_exclusion",
        sent=sent,
        at=at,
    )
    if "self_exclusion_permanent" in sent and not body.self_exclusion_permanent and current.self_exclusion_permanent:
        raise Conflict(
            "a permanent self-exclusion can't be cleared through the API",
            code=PERMANENT_CODE,
            field="self_exclusion_permanent",
        )

    for name, new in wanted.items():
        in_force: Limit = state.limits.get(name)
        outcome = _limit_outcome(in_force, new, delay)
        if outcome == "unchanged":
            if name in state.pending:  # asking for the value in force again cancels a waiting change
                pending.pop(name)
                changes[name] = {"from": in_force, "to": new, "applies": "pending_cancelled"}
            continue
        if outcome == "pending":
            effective_at = clock.iso(at + delay)
            if in_force is None:
                limits.pop(name, None)
            else:
                limits[name] = in_force  # the stricter value stays in force until effective_at
            pending[name] = PendingLimit(value=new, effective_at=effective_at)
            changes[name] = {
                "from": in_force,
                "to": new,
                "applies": "pending",
                "effective_at": effective_at,
            }
        else:
            if new is None:
                limits.pop(name, None)
            else:
                limits[name] = new
            pending.pop(name, None)
            changes[name] = {"from": in_force, "to": new, "applies": "now"}

    update: dict[str, Any] = {"limits": limits, "pending": pending}
    excluding = False
    for name in ("cooloff_until", "self_exclusion_until"):
        if name not in sent:
            continue
        value = getattr(body, name)
        new_iso = clock.iso(value) if value is not None else None
        old_iso = getattr(current, name)
        if new_iso == old_iso:
            continue
        update[name] = new_iso
        changes[name] = {"from": old_iso, "to": new_iso, "applies": "now"}
        if name == "self_exclusion_until" and new_iso is not None:
            excluding = True
    if body.self_exclusion_permanent and not current.self_exclusion_permanent:
        update["self_exclusion_permanent"] = True
        changes["self_exclusion_permanent"] = {"from": False, "to": True, "applies": "now"}
        excluding = True
    if not changes:
        return current, {}
    # A self-exclusion replaces only a status that lets the player bet: a hold or closed status stays
    # (the exclusion itself blocks play through rules.effective), and so does the block it carries.
    if excluding and lets_bet(current.status):
        update["status"] = "self_excluded"
        update["status_from_exclusion"] = True
    return _bump(current, at, **update), changes


def _limit_outcome(in_force: Limit, new: Limit, delay: timedelta) -> str:
    """ "now" for a first limit or a decrease, "pending" for an increase or removal, "unchanged" otherwise."""
    if new == in_force:
        return "unchanged"
    if in_force is None:
        return "now"  # a first limit is stricter than none
    if new is not None and new < in_force:
        return "now"
    return "now" if delay <= timedelta(0) else "pending"


def _check_until(
    current: str | None, new: datetime | None, *, field: str, what: str, sent: set[str], at: datetime
) -> None:
    if field not in sent:
        return
    in_force = _in_force(current, at)
    label = what.replace("_", "-")
    if new is None:
        if in_force:
            raise Conflict(f"the {label} is in force and can't be cleared early", code=f"{what}_in_force", field=field)
        return
    new_iso = clock.iso(new)
    if new_iso <= clock.iso(at):
        raise Unprocessable(
            f"{field} must be in the future",
            code="until_not_in_future",
            fields=[{"field": field, "message": "must be in the future"}],
        )
    if in_force and current is not None and new_iso < current:
        raise Conflict(f"the {label} can't be shortened", code=f"{what}_cannot_shorten", field=field, until=current)


# ---- KYC, flags, tags, notes -------------------------------------------------------------------


def set_kyc(principal: Principal, user_id: str, body: KycChange, idem: IdemRequest) -> Outcome:
    def change(current: Player, brand: Brand, at: datetime) -> tuple[Player, list[store.Op], int, dict[str, Any]]:
        fields = {"kyc_status": body.kyc_status, "kyc_level": body.kyc_level}
        return _audited_fields(
            principal, current, brand, at, event_type="kyc_updated", fields=fields, reason=body.reason
        )

    return _profile_write(principal, user_id, idem, change)


def set_flags(principal: Principal, user_id: str, body: FlagsChange, idem: IdemRequest) -> Outcome:
    def change(current: Player, brand: Brand, at: datetime) -> tuple[Player, list[store.Op], int, dict[str, Any]]:
        fields = {"risk_band": body.risk_band, "is_pep": body.is_pep, "is_sanctioned": body.is_sanctioned}
        return _audited_fields(
            principal, current, brand, at, event_type="flags_updated", fields=fields, reason=body.reason
        )

    return _profile_write(principal, user_id, idem, change)


def _audited_fields(
    principal: Principal,
    current: Player,
    brand: Brand,
    at: datetime,
    *,
    event_type: str,
    fields: dict[str, Any],
    reason: str,
) -> tuple[Player, list[store.Op], int, dict[str, Any]]:
    """A compliance decision is recorded with its reason even when it confirms the current value."""
    sent = {k: v for k, v in fields.items() if v is not None}
    changes = {k: {"from": getattr(current, k), "to": v} for k, v in sent.items()}
    updated = _bump(current, at, **sent)
    event = timeline.event_op(
        principal.realm, current.user_id, event_type, principal.actor, {"changes": changes, "reason": reason}
    )
    return updated, [event], 200, {"player": _dossier(updated, brand, at)}


def change_tags(principal: Principal, user_id: str, body: TagsChange, idem: IdemRequest) -> Outcome:
    def change(
        current: Player, brand: Brand, at: datetime
    ) -> tuple[Player, list[store.Op], int, dict[str, Any]] | None:
        tags = list(current.tags)
        known = {t.casefold() for t in tags}
        added = []
        for tag in body.add:
            if tag.casefold() not in known:
                tags.append(tag)
                known.add(tag.casefold())
                added.append(tag)
        gone = {t.casefold() for t in body.remove}
        removed = [t for t in tags if t.casefold() in gone]
        tags = [t for t in tags if t.casefold() not in gone]
        if not added and not removed:
            return None
        if len(tags) > MAX_TAGS:
            raise Unprocessable(f"a player can carry at most {MAX_TAGS} tags", code="too_many_tags")
        updated = _bump(current, at, tags=tags)
        event = timeline.event_op(
            principal.realm, user_id, "tags_changed", principal.actor, {"added": added, "removed": removed}
        )
        return updated, [event], 200, {"player": _dossier(updated, brand, at)}

    return _profile_write(principal, user_id, idem, change)


def add_note(principal: Principal, user_id: str, body: NoteIn, idem: IdemRequest) -> Outcome:
    """An operator note: only a timeline event, guarded by the profile's existence in the same transaction."""
    profile_key = (keys.player_pk(principal.realm, user_id), keys.PROFILE)

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> Decision:
        current = player_from(principal, items.get(profile_key))
        event = timeline.event_op(principal.realm, user_id, "note_added", principal.actor, {"text": body.text})
        return Decision(
            ops=[store.Check(current.pk, keys.PROFILE, "attribute_exists(pk)"), event],
            status=201,
            body={"event": event_out(event.item)},
            on_cancel=_gone,
        )

    return idempotency.execute(idem, [profile_key], decide)


def _gone(exc: TransactionCancelled) -> PitbossError | None:
    if exc.failed(0):
        return NotFound("player not found", code="player_not_found")
    return None


# ---- timeline ----------------------------------------------------------------------------------


def event_out(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "type": item["type"],
        "at": item["at"],
        "actor": item["actor"],
        "data": json_value(item.get("data") or {}),
    }


def get_timeline(
    principal: Principal, key: str, brand_id: int | None, limit: int = 20, cursor: str | None = None
) -> dict[str, Any]:
    """Newest first. The cursor names an event of THIS player only: it is bound to the partition it came from."""
    player = load_player(principal, key, brand_id)
    limit = max(1, min(limit, TIMELINE_MAX_LIMIT))
    start = _decode_cursor(cursor, player.pk) if cursor else None
    page = store.query(
        player.pk,
        sk_prefix=EVENT_PREFIX,
        forward=False,
        limit=limit + 1,
        start_key={"pk": player.pk, "sk": start} if start else None,
        consistent=True,
    )
    items = page.items[:limit]
    more = len(page.items) > limit
    return {
        "events": [event_out(i) for i in items],
        "next_cursor": _encode_cursor(items[-1]["sk"], player.pk) if more and items else None,
    }


def _partition_tag(pk: str) -> str:
    return keys.sha256(pk)[:16]


def _encode_cursor(sk: str, pk: str) -> str:
    raw = json.dumps({"s": sk, "p": _partition_tag(pk)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, pk: str) -> str:
    invalid = Unprocessable(
        "cursor is not valid for this timeline",
        code="invalid_cursor",
        fields=[{"field": "cursor", "message": "use next_cursor from the previous page of this player's timeline"}],
    )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not isinstance(data, dict) or data.get("p") != _partition_tag(pk):
        raise invalid
    sk = data.get("s")
    if not isinstance(sk, str) or not sk.startswith(EVENT_PREFIX) or len(sk) > 200:
        raise invalid
    return sk
