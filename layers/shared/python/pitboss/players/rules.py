"""Pure lifecycle and responsible-gaming decisions: no I/O and no clock reads (every rule is given `at`).

Each decision takes the player as read and answers the changed player (version bumped) plus what happened,
or raises a typed error before anything is decided, so a refusal never leaves a change half made."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pitboss import clock, money
from pitboss.errors import Conflict, Unprocessable
from pitboss.identity import gates
from pitboss.identity.entity import LIMIT_FIELDS, MINUTE_LIMITS, DossierNote, PendingLimit, Player, PlayerStatus
from pitboss.tenancy import Brand, BrandSettings

if TYPE_CHECKING:  # only read as annotations: the scheduler, which settles expiries, needs no request models
    from pitboss.players.models import RgUpdate, TagsChange

MAX_TAGS = 50
PERMANENT_CODE = "self_exclusion_permanent"

Limit = Decimal | int | None
Outcome = Literal["now", "pending", "unchanged"]
Events = list[tuple[str, dict[str, Any]]]


def bump(player: Player, at: datetime, **changes: Any) -> Player:
    """The player with `changes`, one version on and stamped `at` (the optimistic lock checks the old one)."""
    return player.model_copy(update={**changes, "version": player.version + 1, "updated_at": clock.iso(at)})


def in_force(until: str | None, at: datetime) -> bool:
    return bool(until and until > clock.iso(at))


# ---- lifecycle status --------------------------------------------------------------------------


def lets_bet(status: PlayerStatus) -> bool:
    """active and affordability_review: the statuses a self-exclusion replaces and can't coexist with."""
    return "bet" not in gates.STATUS_GATES[status]


def refuse_activation(player: Player, settings: BrandSettings, at: datetime) -> None:
    """While a self-exclusion is in force (a permanent one always is) no status that lets the player bet
    may be set, so nothing set meanwhile lets them play once it ends without an operator's reinstatement."""
    if player.self_exclusion_permanent:
        raise Conflict(
            "the player is permanently self-excluded: this can't be lifted through the API; "
            "only a status that blocks betting (self_excluded, suspended, a hold, closed) can be set",
            code=PERMANENT_CODE,
        )
    if gates.effective(player, settings, at).self_exclusion_active:
        raise Conflict(
            "a self-exclusion is in force until "
            + str(player.self_exclusion_until)
            + "; only a status that blocks betting can be set meanwhile",
            code="self_exclusion_in_force",
            self_exclusion_until=player.self_exclusion_until,
        )


NOTES_KEPT = 50  # on the profile item; the timeline keeps every one


def with_note(player: Player, text: str, actor: str, at: datetime) -> Player:
    """The player with a compliance note appended to the dossier (the latest NOTES_KEPT are kept)."""
    note = DossierNote(kind="compliance", text=text, actor=str(actor), at=clock.iso(at))
    return player.model_copy(update={"notes": [*player.notes, note][-NOTES_KEPT:]})


def change_status(player: Player, settings: BrandSettings, status: PlayerStatus, at: datetime) -> Player:
    """An operator's status; it is never the exclusion's own, so the scheduler never lifts it."""
    if lets_bet(status):
        refuse_activation(player, settings, at)
    return bump(player, at, status=status, status_from_exclusion=False)


# ---- responsible gaming ------------------------------------------------------------------------


def limit_outcome(in_force: Limit, new: Limit, delay: timedelta) -> Outcome:
    """ "now" for a first limit or a decrease, "pending" for an increase or removal, "unchanged" otherwise."""
    if new == in_force:
        return "unchanged"
    if in_force is None:
        return "now"  # a first limit is stricter than none
    if new is not None and new < in_force:
        return "now"
    return "now" if delay <= timedelta(0) else "pending"


def check_until(
    current: str | None, new: datetime | None, *, field: str, what: str, sent: set[str], at: datetime
) -> None:
    """A cool-off or self-exclusion in force can be extended, never shortened or cleared early."""
    if field not in sent:
        return
    running = in_force(current, at)
    label = what.replace("_", "-")
    if new is None:
        if running:
            raise Conflict(f"the {label} is in force and can't be cleared early", code=f"{what}_in_force", field=field)
        return
    new_iso = clock.iso(new)
    if new_iso <= clock.iso(at):
        raise Unprocessable(
            f"{field} must be in the future",
            code="until_not_in_future",
            fields=[{"field": field, "message": "must be in the future"}],
        )
    if running and current is not None and new_iso < current:
        raise Conflict(f"the {label} can't be shortened", code=f"{what}_cannot_shorten", field=field, until=current)


def _wanted_limits(body: RgUpdate, currency: str) -> dict[str, Limit]:
    """The limits sent, money limits parsed exactly against the currency's minor units (422 otherwise)."""
    exp = money.exponent(currency)
    wanted: dict[str, Limit] = {}
    for name in LIMIT_FIELDS:
        if name not in body.model_fields_set:
            continue
        raw = getattr(body, name)
        if raw is None or name in MINUTE_LIMITS:
            wanted[name] = raw
        else:
            wanted[name] = money.parse_amount(raw, exp, field=name, allow_zero=True)
    return wanted


def apply_rg(current: Player, brand: Brand, body: RgUpdate, at: datetime) -> tuple[Player, dict[str, Any]]:
    """The updated player and, per field, what happened. Stricter applies at once, looser after the brand's
    delay, exclusions are never shortened. Raises before changing anything."""
    sent = body.model_fields_set
    state = gates.effective(current, brand.settings, at)
    limits = dict(current.limits)
    pending = dict(current.pending)
    changes: dict[str, Any] = {}
    delay = timedelta(hours=brand.settings.rg_increase_delay_hours)

    # Validate everything first: a refusal must leave nothing half-decided.
    wanted = _wanted_limits(body, brand.currency)
    check_until(current.cooloff_until, body.cooloff_until, field="cooloff_until", what="cooloff", sent=sent, at=at)
    check_until(
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
        now_in_force: Limit = state.limits.get(name)
        outcome = limit_outcome(now_in_force, new, delay)
        if outcome == "unchanged":
            if name in state.pending:  # asking for the value in force again cancels a waiting change
                pending.pop(name)
                changes[name] = {"from": now_in_force, "to": new, "applies": "pending_cancelled"}
            continue
        if outcome == "pending":
            effective_at = clock.iso(at + delay)
            if now_in_force is None:
                limits.pop(name, None)
            else:
                limits[name] = now_in_force  # the stricter value stays in force until effective_at
            pending[name] = PendingLimit(value=new, effective_at=effective_at)
            changes[name] = {"from": now_in_force, "to": new, "applies": "pending", "effective_at": effective_at}
        else:
            if new is None:
                limits.pop(name, None)
            else:
                limits[name] = new
            pending.pop(name, None)
            changes[name] = {"from": now_in_force, "to": new, "applies": "now"}

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
    # (the exclusion itself blocks play through gates.effective), and so does the block it carries.
    if excluding and lets_bet(current.status):
        update["status"] = "self_excluded"
        update["status_from_exclusion"] = True
    return bump(current, at, **update), changes


# ---- compliance: audited fields and tags -------------------------------------------------------


def kyc_decision(current: Player, kyc_status: str | None) -> None:
    """Seed 000: date_of_birth is "Required for KYC + RG age-gating": no approval without one (422)."""
    if kyc_status == "approved" and current.date_of_birth is None:
        raise Unprocessable(
            "KYC can't be approved for a player without a date of birth: upsert it first",
            code="date_of_birth_required",
            fields=[{"field": "date_of_birth", "message": "required to approve KYC"}],
        )


def audited_fields(current: Player, at: datetime, fields: dict[str, Any]) -> tuple[Player, dict[str, Any]]:
    """A compliance decision is recorded with its reason even when it confirms the current value."""
    sent = {k: v for k, v in fields.items() if v is not None}
    changes = {k: {"from": getattr(current, k), "to": v} for k, v in sent.items()}
    return bump(current, at, **sent), changes


def change_tags(current: Player, body: TagsChange) -> tuple[list[str], list[str], list[str]]:
    """(tags, added, removed): case-insensitive, first spelling kept; at most MAX_TAGS (422 beyond)."""
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
    if (added or removed) and len(tags) > MAX_TAGS:
        raise Unprocessable(f"a player can carry at most {MAX_TAGS} tags", code="too_many_tags")
    return tags, added, removed


# ---- expiries ----------------------------------------------------------------------------------


def settle(player: Player, settings: BrandSettings, at: datetime) -> tuple[Player, Events]:
    """The player with every expiry due at `at` applied, and the (type, data) events that record it.

    Read time already treats these as over (gates.effective); settling makes the stored state and the
    timeline catch up. A permanent self-exclusion is never lifted."""
    now_iso = clock.iso(at)
    events: Events = []
    update: dict[str, Any] = {}

    matured = {n: p for n, p in player.pending.items() if p.effective_at <= now_iso}
    if matured:
        limits = dict(player.limits)
        changes: dict[str, Any] = {}
        for name, change in matured.items():
            old = limits.get(name)
            if change.value is None:
                limits.pop(name, None)
            else:
                limits[name] = change.value
            changes[name] = {"from": old, "to": change.value, "effective_at": change.effective_at}
        update["limits"] = limits
        update["pending"] = {n: p for n, p in player.pending.items() if n not in matured}
        events.append(("rg_pending_applied", {"changes": changes}))

    if player.cooloff_until and player.cooloff_until <= now_iso:
        update["cooloff_until"] = None
        events.append(("cooloff_ended", {"cooloff_until": player.cooloff_until}))

    until = player.self_exclusion_until
    if until and until <= now_iso and not player.self_exclusion_permanent:
        update["self_exclusion_until"] = None
        data: dict[str, Any] = {"self_exclusion_until": until, "reinstatement": settings.self_exclusion_reinstatement}
        # Only the self_excluded status the exclusion itself set is lifted: never an operator's decision
        # (an operator-set self_excluded, a hold, closed), which the exclusion left in place.
        if (
            settings.self_exclusion_reinstatement == "automatic"
            and player.status == "self_excluded"
            and player.status_from_exclusion
        ):
            update["status"] = "active"
            update["status_from_exclusion"] = False
            data["status"] = {"from": player.status, "to": "active"}
        events.append(("self_exclusion_ended", data))

    if not update:
        return player, []
    return bump(player, at, **update), events
