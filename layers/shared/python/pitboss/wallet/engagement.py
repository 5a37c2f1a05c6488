"""What every wallet movement does for the engagement engines (issue 13), in its own transaction: the
service-mode backstop (no real-rail posting for a plug_in brand), the brand's "has real-rail entries"
marker (once per player), lifetime xp and the VIP level it gives (with its `vip.level_changed` event), and
the player's cashback activity of the period (only when the brand's ladder pays cashback). The decisions
are pitboss.engines.rules'; this module only applies them to the movement being committed."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pitboss.engines.rules as engines
from pitboss import clock, money, timeline
from pitboss.wallet import repository
from pitboss.wallet.ledger import HOUSE_WAGERS
from pitboss.wallet.repository import Op

if TYPE_CHECKING:
    from pitboss.wallet.movement import Ctx

# Entry types whose xp postings count toward lifetime xp: real play (a bet, its rollback) and play reported
# by a plug_in operator (`activity`). Spending xp (a lootbox's cost) does not lower a level.
XP_EARNING = frozenset({"debit", "rollback", "activity"})


def ops(ctx: Ctx) -> list[Op]:
    m, brand, realm = ctx.m, ctx.brand, ctx.principal.realm
    engagement = m.wallet.engagement
    found: list[Op] = []
    postings = [(e, p) for e in m.entries for p in e["postings"]]
    if any(p["rail"] == "real" for _, p in postings):
        engines.refuse_real_rail(brand)
        if not engagement.get("real_since"):
            engagement["real_since"] = m.now_iso
            found.append(repository.real_rail_marker_put(realm, brand.brand_id, ctx.user_id, m.now_iso))
    earned = sum(
        (money.to_decimal(p["amount"]) for e, p in postings if e["type"] in XP_EARNING and p["account"] == "player:xp"),
        Decimal(0),
    )
    levels = engines.ladder(brand.settings)
    if earned:
        xp = max(engines.lifetime_xp(engagement) + earned, Decimal(0))
        engagement["xp_lifetime"] = xp
        level = engines.level_for(xp, levels)
        before = int(engagement.get("vip_level") or 1)
        if level.number != before:
            engagement["vip_level"] = level.number
            found.append(
                timeline.event_op(
                    realm,
                    ctx.user_id,
                    "vip.level_changed",
                    ctx.principal.actor,
                    {"from_level": before, "level": level.number, "name": level.name, "xp": str(xp)},
                )
            )
    if any(level.cashback_percent > 0 for level in levels):
        staked = sum((money.to_decimal(p["amount"]) for _, p in postings if _wagers(p, 1)), Decimal(0))
        staked += sum((money.to_decimal(e.get("reported_stake")) for e in m.entries), Decimal(0))
        won = -sum((money.to_decimal(p["amount"]) for _, p in postings if _wagers(p, -1)), Decimal(0))
        won += sum((money.to_decimal(e.get("reported_win")) for e in m.entries), Decimal(0))
        if staked or won:
            period = engines.period_of(m.at, brand.settings)
            found.append(
                repository.activity_add(
                    ctx.pk,
                    user_id=ctx.user_id,
                    period=period.id,
                    ends_at=clock.iso(period.ends_at),
                    currency=m.currency,
                    brand_id=brand.brand_id,
                    staked=staked,
                    won=won,
                )
            )
    return found


def _wagers(posting: dict[str, object], sign: int) -> bool:
    """A real-rail posting to the house's wagers account: + a settled stake, - a win."""
    if posting["account"] != HOUSE_WAGERS or posting["rail"] != "real":
        return False
    amount = money.to_decimal(posting["amount"])
    return amount > 0 if sign > 0 else amount < 0
