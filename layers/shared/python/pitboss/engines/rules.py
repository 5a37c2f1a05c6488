"""Pure decisions of the engagement engines (issue 13): the service mode, the VIP ladder and a player's level
from lifetime xp, cashback periods and amounts. No I/O, no clock reads: instants are given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

from pitboss import clock, money
from pitboss.errors import Conflict
from pitboss.tenancy import Brand, BrandSettings

ServiceMode = Literal["white_label", "plug_in"]
CashbackRail = Literal["real", "bonus"]
HUNDRED = Decimal(100)


def plug_in(brand: Brand) -> bool:
    return brand.settings.service_mode == "plug_in"


def refuse_real_rail(brand: Brand) -> None:
    """A plug_in brand's operator holds the cash: Pitboss moves no real money for it (issue 13 §1)."""
    if plug_in(brand):
        raise Conflict(
            "this brand runs in plug_in mode: the operator's own wallet holds real money",
            code="service_mode",
            service_mode="plug_in",
        )


# ---- the VIP ladder ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One rung of a brand's ladder, numbered from 1 (the first, at xp 0)."""

    number: int
    name: str
    xp_threshold: Decimal
    cashback_percent: Decimal
    cashback_rail: CashbackRail = "real"
    wagering_multiplier: Decimal = Decimal(0)


# Without a ladder every player is on this one level (the gateway's former constant 1).
BASE = Level(1, "", Decimal(0), Decimal(0))


def ladder(settings: BrandSettings) -> list[Level]:
    """The brand's ladder as stored (validated on the way in by engines.models.VipLevelsIn)."""
    return [
        Level(
            number=i,
            name=str(raw.get("name", "")),
            xp_threshold=money.to_decimal(raw.get("xp_threshold")),
            cashback_percent=money.to_decimal(raw.get("cashback_percent")),
            cashback_rail=raw.get("cashback_rail") or "real",
            wagering_multiplier=money.to_decimal(raw.get("wagering_multiplier")),
        )
        for i, raw in enumerate(settings.vip_levels, start=1)
    ]


def level_for(xp: Decimal, levels: list[Level]) -> Level:
    """The highest level whose threshold lifetime xp has reached."""
    found = BASE
    for level in levels:
        if xp >= level.xp_threshold:
            found = level
    return found


def next_threshold(xp: Decimal, levels: list[Level]) -> Decimal | None:
    return next((level.xp_threshold for level in levels if level.xp_threshold > xp), None)


@dataclass(frozen=True)
class Vip:
    level: int
    name: str
    xp: Decimal
    next_threshold: Decimal | None


def vip_of(engagement: dict[str, Any] | None, settings: BrandSettings) -> Vip:
    """A player's VIP standing, from the wallet's `engagement` attribute and the brand's ladder as it is now
    (a ladder set after the player's last xp posting shows at once; the stored level catches up, with its
    `vip.level_changed` event, on the next xp posting)."""
    xp = lifetime_xp(engagement)
    levels = ladder(settings)
    level = level_for(xp, levels)
    return Vip(level.number, level.name, xp, next_threshold(xp, levels))


def lifetime_xp(engagement: dict[str, Any] | None) -> Decimal:
    return money.to_decimal((engagement or {}).get("xp_lifetime"))


# ---- cashback --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    id: str  # D2026-11-30 / W2026-W48, in the brand's time zone
    ends_at: datetime  # UTC


def period_of(at: datetime, settings: BrandSettings) -> Period:
    """The cashback period an instant falls in, in the brand's time zone, and when it ends."""
    zone = clock.zone(settings.timezone)
    local = at.astimezone(zone)
    if settings.cashback_period == "daily":
        start = local.date()
        end = start + timedelta(days=1)
        pid = f"D{start:%Y-%m-%d}"
    else:
        start = local.date() - timedelta(days=local.weekday())
        end = start + timedelta(days=7)
        year, week, _ = start.isocalendar()
        pid = f"W{year}-W{week:02d}"
    return Period(pid, _midnight(end, zone))


def _midnight(day: date, zone: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def net_loss(staked: Decimal, won: Decimal) -> Decimal:
    """Net real losses of a period: stakes of settled rounds minus wins, floored at 0 (a rolled-back stake
    was never settled, so it is not in `staked`)."""
    return max(staked - won, Decimal(0))


def cashback_amount(loss: Decimal, percent: Decimal, exp: int) -> Decimal:
    """The level's percentage of the loss, rounded down to the currency's exponent."""
    return (loss * percent / HUNDRED).quantize(money.quantum(exp), rounding=ROUND_DOWN, context=money.ROUNDING_CTX)


SkipReason = Literal["closed", "self_excluded", "blocked"]


def skip_reason(status: str, self_excluded: bool, blocked: bool) -> SkipReason | None:
    """Why a player gets no cashback at payout time: closed, self-excluded, or blocked (a hold, a suspension,
    a cool-off: whatever blocks a promotion)."""
    if status == "closed":
        return "closed"
    if self_excluded or status == "self_excluded":
        return "self_excluded"
    if blocked:
        return "blocked"
    return None
