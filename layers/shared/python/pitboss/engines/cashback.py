"""Cashback (issue 13 §3): the level's percentage of a closed period's net real losses, paid once per
(player, period, currency) by the scheduled run.

What is due is found without a Scan: every settled round adds to the player's activity item of the period
(written with the movement, wallet/engagement.py), which sits in the `lists` index until settled; the run
queries the items whose period has ended. Each item is settled once, by a conditional write in the same
transaction as what it pays: white_label posts the cashback through the wallet's port (real, or a bonus
with its wagering), plug_in records a payout instruction. A rerun, a concurrent run, or a run that crashed
between its reads and its writes pays nobody twice: the condition `attribute_not_exists(status)` on the
activity item (and the movement's deterministic idempotency key) let only one settlement commit. Players
who are closed, self-excluded or blocked at payout time get nothing; the item is settled as skipped and the
timeline says why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pitboss.wallet.port as wallet_port
import pitboss.wallet.rules as wallet_rules
from pitboss import actors, clock, idempotency, money, tenancy, timeline
from pitboss.engines import payouts, repository
from pitboss.engines import rules as engines
from pitboss.errors import PitbossError, TransactionCancelled
from pitboss.idempotency import Decision, Outcome
from pitboss.identity import gates, player_from
from pitboss.observability import logger
from pitboss.tenancy import Brand, Principal

ACTOR = actors.Actor("system", "cashback")
PAGE = 100
HOUSE_CASHBACK = "house:cashback"  # what the house pays out as cashback (named in postings only)


class _System(Principal):
    """The run acts on a realm's players as the system, with every brand of the tenant."""

    @property
    def actor(self) -> actors.Actor:
        return ACTOR


@dataclass
class Report:
    paid: int = 0
    instructions: int = 0
    nothing: int = 0
    skipped: int = 0
    already: int = 0
    failed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


class _Principals:
    """One principal per realm per run (the tenant's brands read once)."""

    def __init__(self) -> None:
        self._found: dict[str, Principal] = {}

    def get(self, realm: str) -> Principal:
        found = self._found.get(realm)
        if found is None:
            tenant_id, mode = repository.realm_tenant(realm)
            brands = {b.brand_id: b for b in tenancy.tenant_brands(tenant_id)}
            found = self._found[realm] = _System(
                tenant_id=tenant_id,
                mode=mode,
                key_id="cashback",
                scopes=["*"],
                brands=brands,
            )
        return found


def run(now: datetime | None = None, *, keep_going: Callable[[], bool] = lambda: True) -> Report:
    """Settles every activity item whose period has ended by `now`."""
    at = now or clock.now()
    now_iso = clock.iso(at)
    report, principals = Report(), _Principals()
    start: dict[str, Any] | None = None
    while keep_going():
        page = repository.closed_activity(now_iso, PAGE, start)
        for listed in page.items:
            if not keep_going():
                return report
            try:
                settle(principals.get(repository.tenant_realm(listed["pk"])[0]), (listed["pk"], listed["sk"]), report)
            except (PitbossError, TransactionCancelled):
                # This player is left for the next run (nothing was written for it).
                logger.exception("cashback settlement failed", extra={"sk": listed["sk"]})
                report.failed += 1
        if page.last_key is None:
            break
        start = page.last_key
    return report


@dataclass(frozen=True)
class _Due:
    outcome: str  # paid | nothing | skipped
    amount: Decimal
    percent: Decimal
    rail: str
    multiplier: Decimal
    reason: str | None = None


def _due(
    item: dict[str, Any],
    player_state: tuple[str, bool, bool],
    wallet_engagement: dict[str, Any],
    brand: Brand,
    exp: int,
) -> _Due:
    loss = engines.net_loss(money.to_decimal(item.get("staked")), money.to_decimal(item.get("won")))
    vip = engines.level_for(engines.lifetime_xp(wallet_engagement), engines.ladder(brand.settings))
    amount = engines.cashback_amount(loss, vip.cashback_percent, exp)
    reason = engines.skip_reason(*player_state)
    minimum = Decimal(brand.settings.cashback_min_payout)
    if amount <= 0 or amount < minimum:
        return _Due("nothing", Decimal(0), vip.cashback_percent, vip.cashback_rail, vip.wagering_multiplier)
    if reason is not None:
        return _Due("skipped", amount, vip.cashback_percent, vip.cashback_rail, vip.wagering_multiplier, reason)
    return _Due("paid", amount, vip.cashback_percent, vip.cashback_rail, vip.wagering_multiplier)


def settle(principal: Principal, key: repository.Key, report: Report) -> None:
    pk = key[0]
    _realm, user_id = repository.tenant_realm(pk)
    profile_key, wallet_key = repository.profile_key(pk), repository.wallet_key(pk)
    found = repository.read([key, profile_key, wallet_key])
    item, profile = found.get(key), found.get(profile_key)
    if item is None or profile is None:
        return
    if item.get("status"):
        repository.unlist(key)  # a late movement of a settled period put it back on the list
        report.already += 1
        return
    player = player_from(principal, profile)
    brand = principal.brands[player.brand_id]
    currency = str(item["currency"])
    exp = money.exponent(currency)
    now = clock.now()
    state = gates.effective(player, brand.settings, now)
    standing = (player.status, state.self_exclusion_active, state.block_reason("bonus") is not None)
    engagement = dict((found.get(wallet_key) or {}).get("engagement") or {})
    due = _due(item, standing, engagement, brand, exp)
    period = str(item["period"])
    if due.outcome == "paid" and not engines.plug_in(brand):
        _pay_through_wallet(principal, user_id, key, period, currency, report=report)
        return
    now_iso = clock.iso(now)
    ops: list[repository.Op] = []
    data = {"period": period, "currency": currency, "amount": money.fmt(due.amount, exp), "percent": str(due.percent)}
    if due.outcome == "paid":  # plug_in: the operator pays it
        payout, ops = payouts.instruction_ops(
            principal.realm,
            user_id=user_id,
            brand_id=brand.brand_id,
            amount=due.amount,
            currency=currency,
            source="cashback",
            source_ref=f"{period}#{currency}",
            actor=ACTOR,
            payout_id=None,
        )
        ops.append(
            timeline.event_op(
                principal.realm, user_id, "cashback.instructed", ACTOR, {**data, "payout_id": payout["id"]}
            )
        )
    elif due.outcome == "skipped":
        ops.append(
            timeline.event_op(principal.realm, user_id, "cashback.skipped", ACTOR, {**data, "reason": due.reason})
        )
    ops.append(repository.activity_settled(key, outcome=due.outcome, amount=due.amount, at=now_iso, reason=due.reason))
    try:
        repository.transact(ops)
    except TransactionCancelled:
        report.already += 1  # settled by another run meanwhile
        return
    if due.outcome == "paid":
        report.instructions += 1
    elif due.outcome == "skipped":
        report.skipped += 1
        report.reasons[str(due.reason)] = report.reasons.get(str(due.reason), 0) + 1
    else:
        report.nothing += 1


def _pay_through_wallet(
    principal: Principal, user_id: str, key: repository.Key, period: str, currency: str, *, report: Report
) -> None:
    """white_label: the cashback is a wallet movement (real, or a bonus with its wagering), committed with the
    activity item's settlement. Decided again on what the movement read, so nothing stale is paid."""
    idem = idempotency.begin(
        principal.realm, f"cashback:{user_id}:{period}:{currency}", "POST", "cashback", {"period": period}
    )
    outcome_holder: dict[str, str] = {}

    def act(ctx: wallet_port.Ctx) -> Decision | Outcome:
        item = ctx.items.get(key)
        if item is None or item.get("status"):
            outcome_holder["outcome"] = "already"
            return Outcome(status=200, body={}, deduped=True)
        standing = (ctx.player.status, ctx.state.self_exclusion_active, ctx.state.block_reason("bonus") is not None)
        due = _due(item, standing, ctx.wallet.engagement, ctx.brand, ctx.exp)
        if due.outcome != "paid":
            outcome_holder["outcome"] = "changed"
            return Outcome(status=200, body={})  # the standing changed since the run read it: the next run decides
        m = ctx.m
        memo = f"Cashback {period}: {due.percent}% of net losses"
        if due.rail == "bonus":  # a bonus like any other: expired ones end first, then the cap
            m.forfeit_expired()
            wallet_rules.room_for_bonus(m.wallet)  # no place: refused, the period waits for the next run
            required = wallet_rules.wagering_required(due.amount, due.multiplier, ctx.exp)
            entry, _bonus = m.grant_bonus(
                "bonus_grant", due.amount, required, memo=memo, extra={"cashback_period": period}
            )
        else:
            entry = m.entry(
                "cashback",
                due.amount,
                [m.leg(HOUSE_CASHBACK, "real", -due.amount), m.leg("player:real", "real", due.amount)],
                memo=memo,
                extra={"cashback_period": period},
            )
        data = {
            "period": period,
            "currency": currency,
            "amount": money.fmt(due.amount, ctx.exp),
            "percent": str(due.percent),
            "rail": due.rail,
            "transaction_id": entry["id"],
        }
        ops = [
            timeline.event_op(principal.realm, user_id, "cashback.paid", ACTOR, data),
            repository.activity_settled(key, outcome="paid", amount=due.amount, at=m.now_iso),
        ]
        outcome_holder["outcome"] = "paid"
        return wallet_port.commit(ctx, entry, ops=ops)

    wallet_port.run(principal, user_id, idem, [key], act, pick=lambda _b, _w, _i: currency)
    if outcome_holder.get("outcome") == "paid":
        report.paid += 1
    else:
        report.already += 1
