"""Promotions: bonus grants (bonus money with a wagering requirement) and winz points (grant, redeem)."""

from __future__ import annotations

from decimal import Decimal

from pitboss import money, timeline
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.tenancy import Principal
from pitboss.wallet import movement, rules
from pitboss.wallet.ledger import WINZ_ISSUER
from pitboss.wallet.models import BonusIn, WinzIn
from pitboss.wallet.movement import Ctx


def grant_bonus(principal: Principal, user_id: str, body: BonusIn, idem: IdemRequest) -> Outcome:
    """Bonus money from the bonus pool, in one currency's purse (the brand's default unless named); converts
    to real of that currency once its wagering requirement (amount x multiplier) is staked in it. A zero
    requirement converts at once."""

    def act(ctx: Ctx) -> Decision:
        amount = ctx.amount(body.amount)
        m = ctx.m
        expires_at = rules.bonus_expiry(body.expires_at, m.at)
        required = rules.wagering_required(amount, Decimal(body.wagering_multiplier), ctx.exp)
        rules.bonus_in_mode(ctx.brand, required)  # the brand's mode first, as for the real-rail movements
        ctx.gate("bonus")
        m.forfeit_expired()
        rules.room_for_bonus(m.wallet)
        entry, bonus = m.grant_bonus("bonus_grant", amount, required, expires_at=expires_at, memo=body.memo)
        event = timeline.event_op(
            ctx.principal.realm,
            ctx.user_id,
            "bonus_granted",
            ctx.principal.actor,
            {
                "bonus_id": bonus.id,
                "amount": money.fmt(amount, ctx.exp),
                "currency": ctx.currency,
                "wagering_required": str(required),
            },
        )
        return movement.commit(ctx, entry, ops=[event])

    return movement.run(principal, user_id, idem, [], act, pick=movement.money_in(body.currency))


def winz(principal: Principal, user_id: str, body: WinzIn, idem: IdemRequest) -> Outcome:
    """Winz points (two places): a grant is gated like a bonus, a redemption never is."""

    def act(ctx: Ctx) -> Decision:
        amount = ctx.amount(body.amount, money.POINTS_EXPONENT)
        m = ctx.m
        if body.action == "grant":
            ctx.gate("bonus")  # no promotions to a blocked or excluded player
            legs = [m.leg(WINZ_ISSUER, "winz", -amount), m.leg("player:winz", "winz", amount)]
        else:
            rules.redeemable(m.wallet, amount)
            legs = [m.leg("player:winz", "winz", -amount), m.leg(WINZ_ISSUER, "winz", amount)]
        entry = m.entry(f"winz_{body.action}", amount, legs, rail="winz", memo=body.memo)
        return movement.commit(ctx, entry)

    return movement.run(principal, user_id, idem, [], act, pick=movement.home_currency)
