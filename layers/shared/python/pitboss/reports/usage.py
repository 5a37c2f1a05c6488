"""Usage metering (issue 14 §3): per tenant, per UTC day, per mode, sharded counters summed at read.

API requests are counted by the HTTP layer (`count_request`: one UpdateItem ADD on a random shard, the only
cost on the request path, run beside the route's own work); ledger entries and active players by a stream
sink (`reports.sinks`), off it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from pitboss import beside, clock
from pitboss.errors import Unprocessable
from pitboss.observability import logger
from pitboss.reports import repository
from pitboss.reports.models import Requests, UsageDay, UsageReport, UsageTotal
from pitboss.tenancy import Principal

MAX_DAYS = 92
LEDGER_ENTRIES = "ledger_entries"
ACTIVE_PLAYERS = "active_players"
MONTHLY_ACTIVE = "monthly_active_players"
REQUEST_PREFIX = "req:"


def day_of(at: datetime | str) -> str:
    """The UTC day of an instant (an ISO string as items store it, or a datetime)."""
    return at[:10] if isinstance(at, str) else at.astimezone(UTC).date().isoformat()


def count_request(realm: str, surface: str, method: str) -> None:
    """+1 request of `surface` (v1, api, console) and class (read/write), on the day the request arrived.
    The UpdateItem runs beside the route (`pitboss.beside`: the HTTP layer waits for it before answering), so
    it adds no round trip to the answer's latency. Never fails the request."""
    op_class = "read" if method.upper() in ("GET", "HEAD") else "write"
    day, counts = day_of(clock.now()), {f"{REQUEST_PREFIX}{surface}:{op_class}": 1}

    def count() -> None:
        try:
            repository.add_usage(realm, day, counts)
        except Exception:  # metering must not cost the caller their answer
            logger.warning("usage request count failed", extra={"surface": surface})

    beside.run(count)


def _days(first: date, last: date) -> Iterator[str]:
    for offset in range((last - first).days + 1):
        yield (first + timedelta(days=offset)).isoformat()


def _parse(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Unprocessable(
            f"{name} must be a date YYYY-MM-DD",
            code="validation_error",
            fields=[{"field": name, "message": "YYYY-MM-DD"}],
        ) from exc


def day_range(start: str, end: str) -> list[str]:
    """The days from `start` to `end` (query parameters `from`, `to`), both included: 422 when either is not
    a date, `to` is before `from`, or the range is longer than MAX_DAYS."""
    first, last = _parse(start, "from"), _parse(end, "to")
    if last < first or (last - first).days >= MAX_DAYS:
        raise Unprocessable(
            f"from must not be after to, and the range at most {MAX_DAYS} days",
            code="invalid_range",
            fields=[{"field": "to", "message": f"between from and from + {MAX_DAYS - 1} days"}],
        )
    return list(_days(first, last))


def report(principal: Principal, start: str, end: str) -> UsageReport:
    """The caller's own usage, including the request asking for it: its count (running beside the route)
    is awaited before the counters are read."""
    beside.settle()
    return realm_report(principal.tenant_id, principal.mode, start, end)


def realm_report(tenant_id: str, mode: str, start: str, end: str) -> UsageReport:
    days_ = day_range(start, end)
    figures = repository.usage_days(repository.realm(tenant_id, mode), days_)
    days = [_day(day, counts) for day, counts in figures.items()]
    total = UsageTotal()
    for d in days:
        for surface, req in d.requests.items():
            into = total.requests.setdefault(surface, Requests())
            into.read += req.read
            into.write += req.write
        total.requests_total += d.requests_total
        total.ledger_entries += d.ledger_entries
        total.active_player_days += d.active_players
    return UsageReport(
        tenant_id=tenant_id,
        mode=mode,
        billable=mode == "live",
        from_date=days_[0],
        to_date=days_[-1],
        days=days,
        total=total,
    )


def _day(day: str, counts: dict[str, int]) -> UsageDay:
    requests: dict[str, Requests] = {}
    for name, value in counts.items():
        if name.startswith(REQUEST_PREFIX):
            surface, _, op_class = name[len(REQUEST_PREFIX) :].partition(":")
            setattr(requests.setdefault(surface, Requests()), op_class, value)
    return UsageDay(
        date=day,
        requests=requests,
        requests_total=sum(r.read + r.write for r in requests.values()),
        ledger_entries=counts.get(LEDGER_ENTRIES, 0),
        active_players=counts.get(ACTIVE_PLAYERS, 0),
    )


def month_report(tenant_id: str, month: str) -> dict[str, object]:
    """`pitboss usage --tenant T --month 2026-12`: both modes, each day and the month, plus the month's
    distinct active players (live billable, test not)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise Unprocessable("month must be YYYY-MM", code="validation_error") from exc
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    out: dict[str, object] = {"tenant_id": tenant_id, "month": month}
    for mode in ("live", "test"):
        rep = realm_report(tenant_id, mode, first.isoformat(), last.isoformat())
        monthly = repository.usage_days(repository.realm(tenant_id, mode), [month])[month].get(MONTHLY_ACTIVE, 0)
        out[mode] = {**rep.model_dump(mode="json"), "monthly_active_players": monthly}
    return out
