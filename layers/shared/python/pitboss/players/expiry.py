"""The scheduler's run: ends cool-offs and time-bounded self-exclusions and applies matured pending limits.

Due players come from the sparse, keys-only `due` index (never a scan); each is re-read consistently and
settled from its own state (rules.settle), so a second (or late) run finds nothing left to do and writes no
event. A permanent self-exclusion is never lifted. Each change and its timeline event commit in one
transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from pitboss import clock, identity, observability, retry, tenancy, timeline
from pitboss.errors import TransactionCancelled
from pitboss.observability import metrics
from pitboss.players import repository, rules
from pitboss.players.repository import Due, Op
from pitboss.tenancy import BrandSettings

ACTOR = "system:scheduler"
PAGE_SIZE = 100
ATTEMPTS = 3


@dataclass
class RunReport:
    seen: int = 0
    settled: int = 0
    events: int = 0
    skipped: int = 0
    conflicts: int = 0
    more: bool = False
    types: dict[str, int] = field(default_factory=dict)


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
    report = RunReport()
    try:
        _run(at or clock.now(), report, max_players, keep_going)
    finally:
        _emit(report)
    return report


def _emit(report: RunReport) -> None:
    """What an operator watches: flushed by the scheduler handler's @metrics.log_metrics."""
    for name, value in (
        ("ExpiryPlayersSeen", report.seen),
        ("ExpiryPlayersSettled", report.settled),
        ("ExpiryPlayersSkipped", report.skipped),
        ("ExpiryConflicts", report.conflicts),
        ("ExpiryEvents", report.events),
        ("ExpiryUnfinished", int(report.more)),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    for kind, value in report.types.items():
        observability.count("ExpiryEventsByType", value, type=kind)


def _run(at: datetime, report: RunReport, max_players: int, keep_going: Callable[[], bool]) -> None:
    brands = _BrandSettingsCache()
    start: dict[str, Any] | None = None
    while True:
        page = repository.due_page(clock.iso(at), PAGE_SIZE, start)
        for due in page.entries:
            report.seen += 1
            _settle_one(due, at, brands, report)
            if report.seen >= max_players or not keep_going():
                report.more = True
                return
        if not page.last_key:
            return
        start = page.last_key


def _settle_one(due: Due | None, at: datetime, brands: _BrandSettingsCache, report: RunReport) -> None:
    if due is None:
        report.skipped += 1
        return
    # The index is keys-only and eventually consistent: decide from a consistent read of the profile.
    for _attempt in retry.attempts(ATTEMPTS, what="scheduler"):
        player = identity.load(due.realm, due.user_id)
        if player is None:
            report.skipped += 1
            return
        settled, events = rules.settle(player, brands.get(due.tenant_id, player.brand_id), at)
        if not events:
            report.skipped += 1
            return
        ops: list[Op] = [identity.versioned_put(settled, player.version)]
        ops += [timeline.event_op(due.realm, player.user_id, kind, ACTOR, data) for kind, data in events]
        try:
            repository.commit(ops)
        except TransactionCancelled:
            report.conflicts += 1  # someone changed the player meanwhile: re-read and decide again
            continue
        report.settled += 1
        report.events += len(events)
        for kind, _data in events:
            report.types[kind] = report.types.get(kind, 0) + 1
        return
