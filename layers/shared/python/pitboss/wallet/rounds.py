"""Game play: bets (debits), wins (credits) and rollbacks, each applied once per (provider, ref_id).

The real part of an open round's stakes is frozen until the round closes (a bet or a win with
round_closed). Wins and rollbacks are never refused for RG or status: a round must not strand. A round is
played in one currency (the bet's); its wins and rollbacks follow it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from pitboss import clock, money, retry
from pitboss.errors import ConcurrentUpdate, Conflict, NotFound
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.tenancy import Brand, Principal
from pitboss.wallet import movement, repository, rules
from pitboss.wallet.entity import OpenRound, Wallet, round_name
from pitboss.wallet.ledger import HOUSE_BONUS_POOL, HOUSE_WAGERS, XP_ISSUER
from pitboss.wallet.models import BetIn, RollbackIn, WinIn
from pitboss.wallet.movement import Ctx
from pitboss.wallet.repository import Key, Op

TOMBSTONE_ATTEMPTS = 3


def place_bet(principal: Principal, user_id: str, body: BetIn, idem: IdemRequest) -> Outcome:
    """A debit: real first then bonus (brand spend_order). XP accrues from the real part (brand rate, daily
    cap); the stake counts toward active bonuses' wagering, and a bonus it completes converts to real."""
    ref_key = repository.ref_key(principal.realm, body.provider, body.ref_id)
    round_key = repository.round_key(repository.player_pk(principal.realm, user_id), body.provider, body.round_id)

    def act(ctx: Ctx) -> Decision | Outcome:
        amount = ctx.amount(body.amount)
        fp = ctx.fingerprint(
            "bet",
            {"amount": str(amount), "round_id": body.round_id, "game_id": body.game_id, "closed": body.round_closed},
        )
        ref = ctx.items.get(ref_key)
        if rules.is_replay(ref, fp):
            return movement.replayed(ref)
        ctx.recorded_in(ref_key, fp)
        ctx.gate("bet")
        if ctx.items.get(round_key) is not None:
            raise Conflict("this round is already closed", code="round_closed")
        m, settings, windows = ctx.m, ctx.brand.settings, ctx.windows
        p = m.purse
        name = round_name(body.provider, body.round_id)
        rules.room_for_round(m.wallet, name, m.currency)
        m.forfeit_expired()
        real_part, bonus_part = rules.stake_split(p, amount, settings.spend_order)
        limits = ctx.limits
        rules.check_limits(p, "wager", amount, limits, windows)
        rules.check_limits(p, "loss", real_part, limits, windows)
        draws = m.draw_bonus(bonus_part) if bonus_part else {}
        rate = rules.xp_per_unit(settings.xp_per_unit, m.currency, ctx.brand.currency)
        xp = m.accrue_xp(real_part, rate, Decimal(settings.xp_daily_cap), windows["D"])
        if name not in p.rounds:
            m.stat("rounds", 1)
        opened = p.rounds.get(name)
        state = replace(opened) if opened else OpenRound()
        state.opened_at = state.opened_at or m.now_iso
        closing = body.round_closed
        postings = [
            m.leg("player:real", "real", -real_part),
            m.leg(HOUSE_WAGERS if closing else "player:frozen", "real", real_part),
            m.leg("player:bonus", "bonus", -bonus_part),
            m.leg(HOUSE_BONUS_POOL, "bonus", bonus_part),
            m.leg(XP_ISSUER, "xp", -xp),
            m.leg("player:xp", "xp", xp),
        ]
        if closing and state.frozen:
            postings += [m.leg("player:frozen", "real", -state.frozen), m.leg(HOUSE_WAGERS, "real", state.frozen)]
        entry = m.entry(
            "debit",
            amount,
            postings,
            ref_id=body.ref_id,
            round_id=body.round_id,
            memo=body.memo or f"Bet placed - round_id: {body.round_id}",
            extra={
                "provider": body.provider,
                "game_id": body.game_id,
                "real_amount": real_part,
                "bonus_amount": bonus_part,
                "xp": xp,
            },
        )
        added = {"wager": m.count("wager", amount, windows), "loss": m.count("loss", real_part, windows)}
        state.frozen = Decimal(0) if closing else state.frozen + real_part
        state.stake += amount
        state.bets += 1
        ops: list[Op] = []
        if closing:
            p.rounds.pop(name, None)
            ops.append(
                repository.closed_round_put(ctx.pk, body.provider, body.round_id, state, m.now_iso, currency=m.currency)
            )
        else:
            p.rounds[name] = state
        wagered, done = m.progress_wagering(amount)
        for bonus in done:
            m.convert(bonus)
        # What a rollback of this bet must reverse, kept with the ref.
        fields = {
            "kind": "bet",
            "user_id": ctx.user_id,
            "fingerprint": fp,
            "provider": body.provider,
            "round_id": body.round_id,
            "currency": m.currency,
            "seq": entry["seq"],
            "real_amount": real_part,
            "bonus_draws": draws,
            "wagered": wagered,
            "xp": xp,
            "xp_day": windows["D"],
            "counted": added,
        }
        return movement.commit(ctx, entry, ops=ops, keeping_answer=_ref_keeping(ref_key, fields, m.now_iso))

    return movement.run(
        principal, user_id, idem, [ref_key, round_key], act, pick=movement.money_in(body.currency), real=True
    )


def credit_win(principal: Principal, user_id: str, body: WinIn, idem: IdemRequest) -> Outcome:
    """A credit to real. Never refused for RG or status. A win for a round this player never bet on: 404
    (retryable: a win can overtake its bet). A late win on a closed round is paid."""
    ref_key = repository.ref_key(principal.realm, body.provider, body.ref_id)
    round_key = repository.round_key(repository.player_pk(principal.realm, user_id), body.provider, body.round_id)

    def act(ctx: Ctx) -> Decision | Outcome:
        amount = ctx.amount(body.amount)
        fp = ctx.fingerprint("win", {"amount": str(amount), "round_id": body.round_id, "closed": body.round_closed})
        ref = ctx.items.get(ref_key)
        if rules.is_replay(ref, fp):
            return movement.replayed(ref)
        ctx.recorded_in(ref_key, fp)
        m = ctx.m
        p = m.purse
        name = round_name(body.provider, body.round_id)
        closed_round = ctx.items.get(round_key)
        state = p.rounds.get(name)
        if state is not None and not state.stake:
            state = None  # every bet of it was rolled back (older wallets kept such rounds)
        if state is None and closed_round is None:
            raise NotFound("no bet of this player in this round", code="round_not_found", retryable=True)
        m.forfeit_expired()
        postings = [m.leg(HOUSE_WAGERS, "real", -amount), m.leg("player:real", "real", amount)]
        closing = body.round_closed and state is not None
        if closing and state is not None and state.frozen:
            postings += [m.leg("player:frozen", "real", -state.frozen), m.leg(HOUSE_WAGERS, "real", state.frozen)]
        entry = m.entry(
            "credit",
            amount,
            postings,
            ref_id=body.ref_id,
            round_id=body.round_id,
            memo=body.memo,
            extra={"provider": body.provider},
        )
        m.count("loss", -amount, ctx.windows)
        ops: list[Op] = []
        if state is not None:
            state = replace(state, wins=state.wins + amount)
            if closing:
                p.rounds.pop(name, None)
                state.opened_at = state.opened_at or m.now_iso
                state.frozen = Decimal(0)
                ops.append(
                    repository.closed_round_put(
                        ctx.pk, body.provider, body.round_id, state, m.now_iso, currency=m.currency
                    )
                )
            else:
                p.rounds[name] = state
        elif closed_round is not None:
            # A late win on a settled round (jackpots, delayed results): paid, and added to its totals.
            ops.append(repository.late_win_put(closed_round, money.to_decimal(closed_round.get("wins")) + amount))
        fields = {"kind": "win", "user_id": ctx.user_id, "fingerprint": fp, "seq": entry["seq"]}
        return movement.commit(ctx, entry, ops=ops, keeping_answer=_ref_keeping(ref_key, fields, m.now_iso))

    def pick(brand: Brand, wallet: Wallet, items: dict[Key, dict[str, Any]]) -> str:
        name = round_name(body.provider, body.round_id)
        return rules.round_currency(brand, wallet, name, items.get(round_key), body.currency)

    return movement.run(principal, user_id, idem, [ref_key, round_key], act, pick=pick, real=True)


def _ref_keeping(key: Key, fields: dict[str, Any], now_iso: str) -> movement.AnswerOps:
    return lambda body: [repository.ref_put(key, fields, body, now_iso)]


class _UnknownRef(Exception):
    def __init__(self, key: Key) -> None:
        super().__init__(key[0])
        self.key = key


def rollback(principal: Principal, user_id: str, body: RollbackIn, idem: IdemRequest) -> Outcome:
    """Reverses a bet once. Unknown ref: 404 and a tombstone (a bet arriving later with it gets 409).
    A second rollback of the same bet: the first answer, deduped. A bet of a closed round: 409."""
    ref_key = repository.ref_key(principal.realm, body.provider, body.ref_id)
    done_key = repository.rollback_key(ref_key)

    def act(ctx: Ctx) -> Decision | Outcome:
        ref = ctx.items.get(ref_key)
        if ref is None:
            raise _UnknownRef(ref_key)
        rules.rollback_target(ref, ctx.user_id)
        done = ctx.items.get(done_key)
        if done is not None:
            return movement.replayed(done)
        if ref.get("rollback_response"):  # rolled back before rollbacks had their own item
            return movement.replayed(ref, "rollback_response")
        ctx.recorded_in(done_key)
        m = ctx.m
        w, p = m.wallet, m.purse
        name = round_name(str(ref["provider"]), str(ref["round_id"]))
        state = p.rounds.get(name)
        if state is None:
            raise Conflict("the bet's round is closed; it can't be rolled back", code="round_closed")
        real_part = money.to_decimal(ref["real_amount"])
        draws = {k: money.to_decimal(v) for k, v in (ref.get("bonus_draws") or {}).items()}
        # The bet's wagering progress is taken back, unless it converted a bonus (then: refused).
        wagered = {k: money.to_decimal(v) for k, v in (ref.get("wagered") or {}).items()}
        rules.wagering_can_be_undone(p, wagered)
        active = {b.id: b for b in p.active_bonuses()}
        for bonus_id, progress in wagered.items():
            if bonus_id in active:
                active[bonus_id].wagered = max(active[bonus_id].wagered - progress, Decimal(0))
        bonus_back = Decimal(0)
        for bonus_id, taken in draws.items():
            if bonus_id in active:  # an ended bonus keeps its outcome; its stake stays in the pool
                active[bonus_id].balance += taken
                bonus_back += taken
        xp = min(money.to_decimal(ref.get("xp")), w.xp)
        postings = [
            m.leg("player:frozen", "real", -real_part),
            m.leg("player:real", "real", real_part),
            m.leg(HOUSE_BONUS_POOL, "bonus", -bonus_back),
            m.leg("player:bonus", "bonus", bonus_back),
            m.leg("player:xp", "xp", -xp),
            m.leg(XP_ISSUER, "xp", xp),
        ]
        stake = real_part + sum(draws.values(), Decimal(0))
        entry = m.entry(
            "rollback",
            real_part + bonus_back,  # what was actually returned (an ended bonus's draw stays in the pool)
            postings,
            ref_id=body.ref_id,
            round_id=str(ref["round_id"]),
            memo=body.memo or f"Rollback of bet {body.ref_id}",
            extra={"provider": ref["provider"], "rolled_back_seq": int(ref["seq"])},
        )
        m.stat("stakes", -stake)
        m.stat("bet_count", -1)
        counted = ref.get("counted") or {}
        for kind in ("wager", "loss"):
            m.uncount(kind, counted.get(kind) or {})
        if w.xp_day.get("day") == ref.get("xp_day"):
            w.xp_day["amount"] = max(money.to_decimal(w.xp_day.get("amount")) - xp, Decimal(0))
        left = state.stake - stake
        if left > 0:
            p.rounds[name] = replace(state, frozen=state.frozen - real_part, stake=left)
        else:
            # Every bet of the round was rolled back: the round is gone (a win for it is 404, as for a round
            # never bet on; a new bet may open it again).
            p.rounds.pop(name, None)
            m.stat("rounds", -1)
        return movement.commit(
            ctx,
            entry,
            keeping_answer=lambda answer: [
                repository.rollback_put(ref_key, user_id=ctx.user_id, seq=entry["seq"], body=answer, now_iso=m.now_iso)
            ],
        )

    def pick(_brand: Brand, wallet: Wallet, items: dict[Key, dict[str, Any]]) -> str:
        # The bet's currency (refs from before wallets held several currencies: the wallet's home one).
        return str((items.get(ref_key) or {}).get("currency") or wallet.currency)

    for _attempt in retry.attempts(TOMBSTONE_ATTEMPTS, what="rollback_tombstone"):
        try:
            return movement.run(principal, user_id, idem, [ref_key, done_key], act, pick=pick, real=True)
        except _UnknownRef as unknown:
            now_iso = clock.iso(clock.now())
            if repository.tombstone_if_absent(
                unknown.key, provider=body.provider, ref_id=body.ref_id, user_id=user_id, now_iso=now_iso
            ):
                raise NotFound(
                    "no bet with this ref_id; a bet that arrives later with it will be refused",
                    code="ref_not_found",
                ) from None
            # The bet (or another rollback's tombstone) landed in between: decide again.
    raise ConcurrentUpdate("the bet changed while it was being rolled back; retry")
