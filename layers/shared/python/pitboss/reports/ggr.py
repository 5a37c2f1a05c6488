"""GGR reports (issue 14 §4): per brand, per local day (the brand's time zone), per currency, aggregated from
the stream into sharded daily items (no hot item on the bet path) and summed at read.

Figures: `stakes` (bets, gross), `wins`, `rollbacks` (rolled-back stakes), `ggr` = stakes - rollbacks - wins
(the issue's "stakes - wins" on stakes net of rollbacks), `bonus_costs` (bonus money converted to real),
`ngr` = ggr - bonus_costs, `deposits`, `withdrawals` (completed), `active_players` (players with a bet)."""

from __future__ import annotations

import csv
import io
import threading
import time
from decimal import Decimal
from typing import Any

from pitboss import clock, money, tenancy
from pitboss.changes import Change
from pitboss.reports import repository, usage
from pitboss.reports.models import GgrReport, GgrRow
from pitboss.tenancy import Principal

# entry type -> the figure it adds its amount to
FIGURES = {
    "debit": "stakes",
    "credit": "wins",
    "rollback": "rollbacks",
    "bonus_convert": "bonus_costs",
    "deposit": "deposits",
    "withdrawal_complete": "withdrawals",
}
POINTS = frozenset({"WINZ", "XP"})
COLUMNS = ("date", "currency", "stakes", "wins", "rollbacks", "ggr", "bonus_costs", "ngr", "deposits", "withdrawals")

_cache_lock = threading.Lock()
_brand_cache: dict[
    str, tuple[float, int | None]
] = {}  # player pk -> (read at, brand_id): a player's brand never changes
_zone_cache: dict[tuple[str, int], tuple[float, str]] = {}
ZONE_CACHE_SECONDS = 300


def _brand_of(player_pk: str) -> int | None:
    found = _brand_cache.get(player_pk)
    if found is not None:
        return found[1]
    brand_id = repository.profile_brand(player_pk)
    with _cache_lock:
        if len(_brand_cache) > 100_000:
            _brand_cache.clear()
        _brand_cache[player_pk] = (time.monotonic(), brand_id)
    return brand_id


def _zone(tenant_id: str, brand_id: int) -> str:
    found = _zone_cache.get((tenant_id, brand_id))
    if found is not None and time.monotonic() - found[0] < ZONE_CACHE_SECONDS:
        return found[1]
    zone = "UTC"
    for brand in tenancy.tenant_brands(tenant_id):
        _zone_cache[(tenant_id, brand.brand_id)] = (time.monotonic(), brand.settings.timezone)
        if brand.brand_id == brand_id:
            zone = brand.settings.timezone
    return zone


def aggregate(change: Change) -> None:
    """The GGR sink: a new money entry adds its amount to its brand's local day, once per stream record."""
    entry = change.new
    if change.name != "INSERT" or not change.sk.startswith("TX#") or entry is None:
        return
    figure = FIGURES.get(str(entry.get("type")))
    currency = str(entry.get("currency") or "")
    where = repository.realm_of(change.pk)
    if figure is None or not currency or currency in POINTS or where is None:
        return
    realm, user_id = where
    brand_id = _brand_of(change.pk)
    if brand_id is None:
        return
    tenant_id, _mode = repository.realm_tenant(realm)
    day = clock.local_date(clock.parse_iso(str(entry["created_at"])), _zone(tenant_id, brand_id)).isoformat()
    amount = Decimal(entry["amount"])
    repository.add_ggr_once(f"ggr#{change.event_id}", realm, brand_id, day, {f"{currency}#{figure}": amount})
    if figure == "stakes":
        repository.mark_ggr_active(realm, brand_id, day, currency, user_id)


def report(principal: Principal, brand_id: int | None, start: str, end: str) -> GgrReport:
    brand = principal.brand(brand_id)  # 404 for a brand the key can't see; 422 when one must be named
    days = usage.day_range(start, end)
    sums = repository.ggr_days(principal.realm, brand.brand_id, days)
    rows: list[GgrRow] = []
    totals: dict[str, dict[str, Decimal]] = {}
    for day in days:
        by_currency: dict[str, dict[str, Decimal]] = {}
        for name, value in sums[day].items():
            currency, _, figure = name.partition("#")
            by_currency.setdefault(currency, {})[figure] = value
        for currency in sorted(by_currency):
            figures = by_currency[currency]
            rows.append(_row(day, currency, figures))
            into = totals.setdefault(currency, {})
            for figure, value in figures.items():
                into[figure] = into.get(figure, Decimal(0)) + value
    return GgrReport(
        brand_id=brand.brand_id,
        timezone=brand.settings.timezone,
        from_date=days[0],
        to_date=days[-1],
        days=rows,
        totals=[_row(None, c, totals[c]) for c in sorted(totals)],
    )


def _row(day: str | None, currency: str, f: dict[str, Decimal]) -> GgrRow:
    exp = money.exponent(currency) if money.supported_currency(currency) else 2

    def get(name: str) -> Decimal:
        return f.get(name, Decimal(0))

    ggr = get("stakes") - get("rollbacks") - get("wins")
    values: dict[str, Any] = {name: money.fmt(get(name), exp) for name in FIGURES.values()}
    return GgrRow(
        date=day,
        currency=currency,
        ggr=money.fmt(ggr, exp),
        ngr=money.fmt(ggr - get("bonus_costs"), exp),
        active_players=int(get("active_players")),
        **values,
    )


def as_csv(out: GgrReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*COLUMNS, "active_players"])
    for row in out.days:
        data = row.model_dump()
        writer.writerow([*(data[c] for c in COLUMNS), row.active_players])
    return buffer.getvalue()
