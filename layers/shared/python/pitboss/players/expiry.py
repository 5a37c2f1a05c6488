"""Expiries: ends cool-offs and time-bounded self-exclusions and applies matured pending limits.

Due players come from the sparse, keys-only `due` index (never a scan); each is re-read consistently and
settled from its own state, so a second (or late) run finds nothing left to do and writes no event.
A permanent self-exclusion is never lifted. Each change and its timeline event commit in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pitboss import clock, keys, retry, store, tenancy, timeline
from pitboss.errors import TransactionCancelled
from pitboss.identity import versioned_put
from pitboss.identity.entity import Player
from pitboss.tenancy import BrandSettings

ACTOR = "system:scheduler"
DUE_INDEX = "due"
PAGE_SIZE = 100


@dataclass
class RunReport:
    seen: int = 0
    settled: int = 0
    events: int = 0
    skipped: int = 0
    conflicts: int = 0
    more: bool = False
    types: dict[str, int] = field(default_factory=dict)


def settle(player: Player, settings: BrandSettings, at: datetime) -> tuple[Player, list[tuple[str, dict[str, Any]]]]:
    """Pure: the player with every expiry due at `at` applied, and the (type, data) events that record it."""
    now_iso = clock.iso(at)
    events: list[tuple[str, dict[str, Any]]] = []
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
            changes[name] = {
                "from": old,
                "to": change.value,
                "effective_at": change.effective_at,
            }
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
    settled = player.model_copy(update={**update, "version": player.version + 1, "updated_at": now_iso})
    return settled, events


def _parse_profile_pk(pk: str) -> tuple[str, str, str] | None:
    """`T#{tenant}#{mode}#P#{user_id}` -> (realm, tenant_id, user_id); None for anything else."""
    parts = pk.split("#")
    if len(parts) != 5 or parts[0] != "T" or parts[3] != "P":
        return None
    return "#".join(parts[:3]), parts[1], parts[4]


class _BrandSettingsCache:
    """One query per tenant per run (its brands), however many of its players are due."""

    def __init__(self) -> None:
        self._by_tenant: dict[str, dict[int, BrandSettings]] = {}

    def get(self, tenant_id: str, brand_id: int) -> BrandSettings:
        brands = self._by_tenant.get(tenant_id)
        if brands is None:
            brands = {b.brand_id: b.settings for b in tenancy.tenant_brands(tenant_id)}
            self._by_tenant[tenant_id] = brands
        return brands.get(brand_id) or BrandSettings()


def run(
    at: datetime | None = None,
    *,
    max_players: int = 1000,
    keep_going: Callable[[], bool] = lambda: True,
) -> RunReport:
    """Settles every player due by `at` (bounded by max_players and the caller's time budget)."""
    at = at or clock.now()
    now_iso = clock.iso(at)
    report = RunReport()
    brands = _BrandSettingsCache()
    start: dict[str, Any] | None = None
    while True:
        page = store.query(
            keys.DUE_PK,
            index=DUE_INDEX,
            pk_name="due_pk",
            sk_name="due_at",
            sk_between=("0", now_iso),
            limit=PAGE_SIZE,
            start_key=start,
        )
        for entry in page.items:
            report.seen += 1
            _settle_one(entry, at, brands, report)
            if report.seen >= max_players or not keep_going():
                report.more = True
                return report
        if not page.last_key:
            return report
        start = page.last_key


def _settle_one(entry: dict[str, Any], at: datetime, brands: _BrandSettingsCache, report: RunReport) -> None:
    parsed = _parse_profile_pk(str(entry.get("pk", "")))
    if parsed is None or entry.get("sk") != keys.PROFILE:
        report.skipped += 1
        return
    realm, tenant_id, _user_id = parsed
    # The index is keys-only and eventually consistent: decide from a consistent read of the profile.
    for _attempt in retry.attempts(3, what="scheduler"):
        item = store.get(entry["pk"], keys.PROFILE)
        if item is None:
            report.skipped += 1
            return
        player = Player.from_item(realm, item)
        settled, events = settle(player, brands.get(tenant_id, player.brand_id), at)
        if not events:
            report.skipped += 1
            return
        ops: list[store.Op] = [versioned_put(settled, player.version)]
        ops += [timeline.event_op(realm, player.user_id, kind, ACTOR, data) for kind, data in events]
        try:
            store.transact(ops)
        except TransactionCancelled:
            report.conflicts += 1  # someone changed the player meanwhile: re-read and decide again
            continue
        report.settled += 1
        report.events += len(events)
        for kind, _data in events:
            report.types[kind] = report.types.get(kind, 0) + 1
        return
