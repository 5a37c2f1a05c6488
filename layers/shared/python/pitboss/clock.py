"""Time: timezone-aware UTC everywhere, ISO 8601 with Z on the wire; one place to freeze it in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Tests (and the scheduler's dry runs) replace the clock; None restores the real one."""
    global _now  # noqa: PLW0603 - the one switch tests use to freeze time
    _now = fn if fn is not None else (lambda: datetime.now(UTC))


def iso(ts: datetime) -> str:
    """2026-03-15T12:00:00.123456Z: fixed width, so ISO strings sort like the instants they name."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_seconds(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    """A brand's time zone; names are validated when settings are saved, so UTC only covers old data."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(at: datetime, timezone: str) -> date:
    """The calendar date at `at` in a time zone (a birthday or an RG day starts at local midnight)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone(timezone)).date()


def time_left(context: object, reserve_ms: int) -> Callable[[], bool]:
    """For a scheduled run: whether it may take more work, i.e. the Lambda invocation (`context`) has more than
    `reserve_ms` left; always where the context has no clock (tests, direct calls). The next run continues."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return lambda: remaining is None or remaining() > reserve_ms
