"""Money in and out through a PSP: deposits, withdrawal requests and their outcomes (complete, cancel), each
in one currency: a deposit in one the brand offers, a withdrawal in one the wallet holds."""

from __future__ import annotations

from typing import Any

from pitboss import money, timeline
from pitboss.errors import Conflict, NotFound
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.tenancy import Brand, Principal
from pitboss.wallet import movement, repository, rules
from pitboss.wallet.entity import Wallet
from pitboss.wallet.ledger import PSP_CLEARING, new_id
from pitboss.wallet.models import DepositIn, WithdrawalIn, WithdrawalOutcomeIn
from pitboss.wallet.movement import Ctx
from pitboss.wallet.output import withdrawal_out
from pitboss.wallet.repository import Key


def deposit(principal: Principal, user_id: str, body: DepositIn, idem: IdemRequest) -> Outcome:
    """Real money in. Gated and limited (deposit limits per day/week/month); a PSP's retry with the same
    psp_ref (any idempotency key) answers the first deposit, deduped."""
    ref_key = repository.psp_ref_key(principal.realm, body.psp_ref) if body.psp_ref else None

    def act(ctx: Ctx) -> Decision | Outcome:
        amount = ctx.amount(body.amount)
        fp = ctx.fingerprint("deposit", {"amount": str(amount), "psp_ref": body.psp_ref})
        ref = ctx.items.get(ref_key) if ref_key else None
        if rules.is_replay(ref, fp):
            return movement.replayed(ref)
        if ref_key is not None:
            ctx.recorded_in(ref_key, fp)
        ctx.gate("deposit")
        m, windows = ctx.m, ctx.windows
        rules.check_limits(m.purse, "deposit", amount, ctx.limits, windows)
        m.forfeit_expired()
        entry = m.entry(
            "deposit",
            amount,
            [m.leg(PSP_CLEARING, "real", -amount), m.leg("player:real", "real", amount)],
            ref_id=body.psp_ref,
            memo=body.memo,
            extra={"psp_ref": body.psp_ref} if body.psp_ref else None,
        )
        m.count("deposit", amount, windows)
        event = timeline.event_op(
            ctx.principal.realm,
            ctx.user_id,
            "deposit",
            ctx.principal.actor,
            {"amount": money.fmt(amount, ctx.exp), "currency": ctx.currency, "seq": entry["seq"]},
        )
        if ref_key is None:
            return movement.commit(ctx, entry, ops=[event])
        fields = {"kind": "deposit", "user_id": ctx.user_id, "fingerprint": fp}
        return movement.commit(
            ctx, entry, ops=[event], keeping_answer=lambda body: [repository.ref_put(ref_key, fields, body, m.now_iso)]
        )

    return movement.run(
        principal, user_id, idem, [ref_key] if ref_key else [], act, pick=movement.money_in(body.currency), real=True
    )


def request_withdrawal(principal: Principal, user_id: str, body: WithdrawalIn, idem: IdemRequest) -> Outcome:
    """Moves the amount from real to frozen (pending) and forfeits the currency's active bonuses, one entry
    each."""

    def act(ctx: Ctx) -> Decision:
        amount = ctx.amount(body.amount)
        ctx.gate("withdrawal")  # also makes the commit check the profile version: a KYC change since re-decides
        rules.kyc_for_withdrawal(ctx.player.kyc_status, ctx.brand.settings.withdrawal_requires_kyc)
        m = ctx.m
        rules.withdrawable(m.purse, amount)
        m.forfeit_expired()
        for bonus in m.purse.active_bonuses():
            m.forfeit(bonus, "withdrawal_requested")
        wd_id = new_id("wd")
        entry = m.entry(
            "withdrawal",
            amount,
            [m.leg("player:real", "real", -amount), m.leg("player:frozen", "real", amount)],
            memo=body.memo,
            extra={"withdrawal_id": wd_id, "status": "pending"},
        )
        currency = ctx.currency
        withdrawal = withdrawal_out(wd_id, amount, currency, "pending", created_at=m.now_iso, updated_at=m.now_iso)
        ops = [
            repository.withdrawal_put(ctx.pk, wd_id, amount=amount, currency=currency, at=m.now_iso, seq=entry["seq"]),
            timeline.event_op(
                ctx.principal.realm,
                ctx.user_id,
                "withdrawal_requested",
                ctx.principal.actor,
                {"withdrawal_id": wd_id, "amount": withdrawal.amount, "currency": currency},
            ),
        ]
        return movement.commit(ctx, entry, ops=ops, withdrawal=withdrawal)

    def pick(brand: Brand, wallet: Wallet, _items: dict[Key, dict[str, Any]]) -> str:
        return rules.held_or_offered(brand, wallet, body.currency)

    return movement.run(principal, user_id, idem, [], act, pick=pick, real=True)


def settle_withdrawal(  # noqa: PLR0917 - who, whose, which, what, with what, under which key
    principal: Principal,
    user_id: str,
    wd_id: str,
    outcome: str,
    body: WithdrawalOutcomeIn,
    idem: IdemRequest,
) -> Outcome:
    """`complete` pays the frozen amount out to PSP clearing (gated like a withdrawal request: a hold stops
    the payout); `cancel` returns it to real and is never gated. The same outcome again: its first answer."""
    target = "completed" if outcome == "complete" else "cancelled"
    wd_key = repository.withdrawal_key(repository.player_pk(principal.realm, user_id), wd_id)

    def act(ctx: Ctx) -> Decision | Outcome:
        wd = ctx.items.get(wd_key)
        if wd is None:
            raise NotFound("withdrawal not found", code="withdrawal_not_found")
        if wd["status"] == target:
            return movement.replayed(wd, "outcome_response")
        if wd["status"] != "pending":
            raise Conflict(f"the withdrawal is already {wd['status']}", code="withdrawal_not_pending")
        if target == "completed":
            ctx.gate("withdrawal")
        m = ctx.m
        amount = money.to_decimal(wd["amount"])
        to = PSP_CLEARING if target == "completed" else "player:real"
        entry = m.entry(
            "withdrawal_complete" if target == "completed" else "withdrawal_cancel",
            amount,
            [m.leg("player:frozen", "real", -amount), m.leg(to, "real", amount)],
            memo=body.memo,
            extra={"withdrawal_id": wd_id, "status": target},
        )
        withdrawal = withdrawal_out(
            wd_id, amount, wd["currency"], target, created_at=wd["created_at"], updated_at=m.now_iso
        )
        event = timeline.event_op(
            ctx.principal.realm,
            ctx.user_id,
            f"withdrawal_{target}",
            ctx.principal.actor,
            {"withdrawal_id": wd_id, "amount": withdrawal.amount, "currency": wd["currency"]},
        )
        return movement.commit(
            ctx,
            entry,
            status=200,
            ops=[event],
            withdrawal=withdrawal,
            keeping_answer=lambda body: [
                repository.withdrawal_settled_put(wd, status=target, now_iso=m.now_iso, seq=entry["seq"], body=body)
            ],
        )

    def pick(_brand: Brand, wallet: Wallet, items: dict[Key, dict[str, Any]]) -> str:
        return str((items.get(wd_key) or {}).get("currency") or wallet.currency)  # the withdrawal's

    return movement.run(principal, user_id, idem, [wd_key], act, pick=pick, real=True)
