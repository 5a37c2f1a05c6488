"""Real play reported by a plug_in operator (issue 13 §1): `POST /v1/players/{key}/activity`, a settled
real-money round at the operator's wallet, applied once per (provider, ref). Pitboss holds no cash for such a
brand, so the report moves only points: xp accrues by the same rules as a real bet (xp_per_unit, the daily
cap; lifetime xp and the VIP level follow in wallet/engagement.py), the stake counts toward active bonuses'
wagering, and a bonus it completes becomes a payout instruction (the operator credits its own wallet)
instead of real money. The stake and the win feed the period's cashback activity."""

from __future__ import annotations

from decimal import Decimal

import pitboss.wallet.port as wallet_port
import pitboss.wallet.rules as wallet_rules
from pitboss import money, timeline
from pitboss.engines import payouts, repository
from pitboss.engines import rules as engines
from pitboss.engines.models import ActivityIn
from pitboss.errors import Conflict
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.tenancy import Principal
from pitboss.wallet.entity import Bonus

XP_ISSUER = "issuer:xp"  # the wallet's xp issuer account (pitboss.wallet.ledger.XP_ISSUER)
BONUS_POOL = "house:bonus_pool"  # where converted bonus money goes back (pitboss.wallet.ledger.HOUSE_BONUS_POOL)


def report(principal: Principal, user_id: str, body: ActivityIn, idem: IdemRequest) -> Outcome:
    ref_key = repository.activity_ref_key(principal.realm, body.provider, body.ref)

    def act(ctx: wallet_port.Ctx) -> Decision | Outcome:
        if not engines.plug_in(ctx.brand):
            raise Conflict(
                "this brand runs in white_label mode: report real play as bets and wins",
                code="service_mode",
                service_mode="white_label",
            )
        stake, win = ctx.amount(body.stake), ctx.amount(body.win)
        fp = ctx.fingerprint("activity", {"stake": str(stake), "win": str(win), "round_id": body.round_id})
        ref = ctx.items.get(ref_key)
        if wallet_rules.is_replay(ref, fp):
            return wallet_port.replayed(ref)
        m, settings = ctx.m, ctx.brand.settings
        m.forfeit_expired()
        rate = wallet_rules.xp_per_unit(settings.xp_per_unit, m.currency, ctx.brand.currency)
        xp = m.accrue_xp(stake, rate, Decimal(settings.xp_daily_cap), ctx.windows["D"])
        entry = m.entry(
            "activity",
            xp,
            [m.leg(XP_ISSUER, "xp", -xp), m.leg("player:xp", "xp", xp)],
            rail="xp",
            ref_id=body.ref,
            round_id=body.round_id,
            memo=f"Play reported by the operator - round_id: {body.round_id}",
            extra={"provider": body.provider, "reported_stake": stake, "reported_win": win, "xp": xp},
        )
        ops: list[repository.Op] = []
        _wagered, done = m.progress_wagering(stake)
        for bonus in done:
            ops += _convert_to_payout(ctx, bonus)
        return wallet_port.commit(
            ctx,
            entry,
            ops=ops,
            keeping_answer=lambda answer: [
                repository.activity_ref_put(
                    ref_key, user_id=ctx.user_id, fingerprint=fp, body=answer, now_iso=m.now_iso
                )
            ],
        )

    return wallet_port.run(principal, user_id, idem, [ref_key], act, pick=wallet_port.money_in(body.currency))


def _convert_to_payout(ctx: wallet_port.Ctx, bonus: Bonus) -> list[repository.Op]:
    """A bonus whose wagering is complete: its balance leaves the bonus rail and, since real money is the
    operator's, becomes a payout instruction for the operator's wallet (no real-rail posting)."""
    m = ctx.m
    amount = bonus.balance
    bonus.balance = Decimal(0)
    bonus.status = "converted"
    bonus.ended_at = m.now_iso
    bonus.end_reason = "wagering_complete"
    bonus.converted_amount = amount
    m.entry(
        "bonus_convert",
        amount,
        [m.leg("player:bonus", "bonus", -amount), m.leg(BONUS_POOL, "bonus", amount)],
        rail="bonus",
        memo=f"bonus {bonus.id} converted: wagering complete; paid by the operator (payout instruction)",
        extra={"bonus_id": bonus.id},
    )
    if amount <= 0:
        return []
    _payout, ops = payouts.instruction_ops(
        ctx.principal.realm,
        user_id=ctx.user_id,
        brand_id=ctx.brand.brand_id,
        amount=amount,
        currency=m.currency,
        source="bonus_conversion",
        source_ref=bonus.id,
        actor=ctx.principal.actor,
    )
    event = timeline.event_op(
        ctx.principal.realm,
        ctx.user_id,
        "bonus_converted",
        ctx.principal.actor,
        {"bonus_id": bonus.id, "amount": money.fmt(amount, ctx.exp), "currency": m.currency},
    )
    return [*ops, event]
