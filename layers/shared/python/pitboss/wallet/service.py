"""Wallet movements and reads. Every movement: one consistent BatchGetItem (profile + wallet + idempotency
record + provider ref / withdrawal / round as needed), a decision in Python (Decimal), and one
TransactWriteItems (wallet put conditioned on the seq it read, entries put if absent, refs put if absent,
the idempotency record appended by `idempotency.execute`). A lost race re-reads and retries, bounded,
with jitter. Wins and rollbacks are never refused for RG or status: a round must not strand."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_UP, Decimal, localcontext
from typing import Any

from pitboss import clock, idempotency, keys, money, retry, store, timeline
from pitboss.errors import (
    ConcurrentUpdate,
    Conflict,
    InsufficientFunds,
    NotFound,
    PlayerBlocked,
    Unprocessable,
)
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import gates as rules
from pitboss.identity import player_from, resolve_user_id
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand, Principal
from pitboss.wallet import ledger
from pitboss.wallet.ledger import (
    HOUSE_BONUS_POOL,
    HOUSE_WAGERS,
    PSP_CLEARING,
    WINZ_ISSUER,
    XP_ISSUER,
    Bonus,
    Movement,
    Wallet,
)
from pitboss.wallet.models import (
    BetIn,
    BonusIn,
    DepositIn,
    RollbackIn,
    WinIn,
    WinzIn,
    WithdrawalIn,
    WithdrawalOutcomeIn,
    transaction_out,
    wallet_out,
)

# More than idempotency's default: a hot player's wallet is one optimistic lock shared by all its rounds.
ATTEMPTS = 10
MAX_OPEN_ROUNDS = 500
# Each forfeited/converted bonus is one entry in the movement's transaction: capping active bonuses keeps
# every movement far below DynamoDB's 100-item TransactWriteItems limit (worst case ~2 x 20 + 10 items).
MAX_ACTIVE_BONUSES = 20
MAX_TRANSACT_ITEMS = 100
# A bonus expiry must lie in the future, at most this far ahead.
MAX_BONUS_LIFETIME = timedelta(days=5 * 366)
Key = tuple[str, str]


@dataclass
class Ctx:
    principal: Principal
    user_id: str
    pk: str
    player: Player
    brand: Brand
    state: rules.EffectiveState
    items: dict[Key, dict[str, Any]]
    m: Movement
    profile_version: int | None = None  # None: the stored profile has no version attribute
    gated: bool = False

    @property
    def wallet(self) -> Wallet:
        return self.m.wallet

    @property
    def exp(self) -> int:
        return self.m.wallet.exp

    @property
    def windows(self) -> dict[str, str]:
        return self.m.windows(self.brand.settings.timezone)


class _UnknownRef(Exception):
    def __init__(self, key: Key) -> None:
        super().__init__(key[0])
        self.key = key


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), default=str)


def _round_key(pk: str, provider: str, round_id: str) -> Key:
    return (pk, f"ROUND#{provider}#{round_id}")


def _wd_key(pk: str, wd_id: str) -> Key:
    return (pk, f"WD#{wd_id}")


def _ref_key(realm: str, provider: str, ref_id: str) -> Key:
    return (keys.ref_pk(realm, provider, ref_id), "REF")


def _psp_ref_key(realm: str, psp_ref: str) -> Key:
    # "!" can't occur in a game provider's name, so PSP refs never share a key with a game provider's refs.
    return (keys.ref_pk(realm, "!psp", psp_ref), "REF")


# ---- the movement skeleton ---------------------------------------------------------------------


def _run(  # noqa: PLR0917 - the movement skeleton every operation shares
    principal: Principal,
    key: str,
    brand_id: int | None,
    idem: IdemRequest,
    extra_keys: Callable[[str], list[Key]],
    act: Callable[[Ctx], Decision | Outcome],
) -> Outcome:
    user_id = resolve_user_id(principal, key, brand_id)
    pk = keys.player_pk(principal.realm, user_id)
    profile_key, wallet_key = (pk, keys.PROFILE), (pk, keys.WALLET)

    def decide(items: dict[Key, dict[str, Any]]) -> Decision | Outcome:
        player = player_from(principal, items.get(profile_key))
        brand = principal.brands[player.brand_id]
        now = clock.now()
        raw = items.get(wallet_key)
        wallet = Wallet.from_item(raw) if raw else Wallet(user_id=user_id, currency=brand.currency)
        state = rules.effective(player, brand.settings, now)
        stored_version = (items.get(profile_key) or {}).get("version")
        version = None if stored_version is None else int(stored_version)
        ctx = Ctx(principal, user_id, pk, player, brand, state, items, Movement(wallet, principal.actor, now), version)
        # Ledger arithmetic: 38 digits, and any rounding is an error rather than invented or lost money.
        with localcontext(money.LEDGER_CTX):
            return act(ctx)

    return idempotency.execute(idem, [profile_key, wallet_key, *extra_keys(pk)], decide, attempts=ATTEMPTS)


def _commit(
    ctx: Ctx,
    main: dict[str, Any],
    *,
    status: int = 201,
    ops: list[store.Op] | None = None,
    extra_body: dict[str, Any] | None = None,
    ref: tuple[Key, dict[str, Any]] | None = None,
) -> Decision:
    """The transaction of a movement: wallet (seq-conditioned), its entries, refs and extra items."""
    m = ctx.m
    wallet = m.finish()
    if m.existed:
        wallet_put = store.Put(
            wallet.to_item(ctx.pk), condition="#seq = :seq", names={"#seq": "seq"}, values={":seq": m.read_seq}
        )
    else:
        wallet_put = store.Put(wallet.to_item(ctx.pk), condition="attribute_not_exists(pk)")
    entry_puts: list[store.Op] = [
        store.Put(
            {"pk": ctx.pk, "sk": keys.tx_sk(e["seq"]), "kind": "entry", **e}, condition="attribute_not_exists(pk)"
        )
        for e in m.entries
    ]
    body: dict[str, Any] = {
        "transaction": transaction_out(main),
        "related_transactions": [transaction_out(e) for e in m.entries if e is not main],
        "wallet": wallet_out(wallet, m.now_iso),
        **(extra_body or {}),
    }
    all_ops: list[store.Op] = [wallet_put, *entry_puts, *(ops or [])]
    if ctx.gated:
        # The RG/status decision was made on this profile version: a change saved since (self-exclusion,
        # suspension, a hold, a tighter limit) cancels the transaction, and the retry decides again.
        if ctx.profile_version is None:
            all_ops.append(store.Check(ctx.pk, keys.PROFILE, "attribute_not_exists(#v)", names={"#v": "version"}))
        else:
            all_ops.append(
                store.Check(
                    ctx.pk, keys.PROFILE, "#v = :v", names={"#v": "version"}, values={":v": ctx.profile_version}
                )
            )
    if ref is not None:
        (ref_pk, ref_sk), fields = ref
        all_ops.append(
            store.Put(
                {"pk": ref_pk, "sk": ref_sk, **fields, "response": _dumps(body), "created_at": m.now_iso},
                condition="attribute_not_exists(pk)",
            )
        )
    # +1: the idempotency record `idempotency.execute` appends; +2 leaves room for the callers' extra items.
    if len(all_ops) + 3 > MAX_TRANSACT_ITEMS:
        raise Conflict(
            "this movement would write too many items at once; end some bonuses or rounds first",
            code="movement_too_large",
        )
    # Any cancellation (seq moved, profile changed, ref or entry taken) is a lost race: re-read, decide again.
    return Decision(ops=all_ops, status=status, body=body)


def _gate(ctx: Ctx, action: rules.Action) -> None:
    ctx.gated = True
    reasons = ctx.state.blocks.get(action)
    if reasons:
        kind = reasons[0].partition(":")[0]
        raise PlayerBlocked(
            f"the player is blocked from {action}: {reasons[0]}",
            reason=kind,
            player_status=ctx.player.status,
            reasons=reasons,
        )


def _amount(value: Any, exp: int, *, allow_zero: bool = False) -> Decimal:
    return money.parse_amount(value, exp, allow_zero=allow_zero)


def _currency(ctx: Ctx, currency: str | None) -> None:
    if currency is not None and currency != ctx.wallet.currency:
        raise Unprocessable(
            f"this wallet holds {ctx.wallet.currency}, not {currency}",
            code="currency_mismatch",
            fields=[{"field": "currency", "message": f"must be {ctx.wallet.currency}"}],
        )


def _ref_fingerprint(kind: str, user_id: str, body: dict[str, Any]) -> str:
    return idempotency.fingerprint("POST", f"{kind}:{user_id}", body)


def _replayed_ref(ref: dict[str, Any] | None, fingerprint: str) -> Outcome | None:
    """A provider retry of a ref it already sent: the original answer (200, deduped), or 409."""
    if ref is None:
        return None
    if ref.get("kind") == "tombstone":
        raise Conflict("this ref_id was rolled back before it arrived; it can't be used", code="ref_rolled_back")
    if ref.get("fingerprint") != fingerprint:
        raise Conflict("this ref_id was already used with a different request", code="duplicate_ref")
    return Outcome(status=200, body=json.loads(ref["response"]), deduped=True)


# ---- deposits and withdrawals ------------------------------------------------------------------


def deposit(principal: Principal, key: str, brand_id: int | None, body: DepositIn, idem: IdemRequest) -> Outcome:
    ref_key = _psp_ref_key(principal.realm, body.psp_ref) if body.psp_ref else None

    def act(ctx: Ctx) -> Decision | Outcome:
        amount = _amount(body.amount, ctx.exp)
        _currency(ctx, body.currency)
        fp = _ref_fingerprint("deposit", ctx.user_id, {"amount": str(amount), "psp_ref": body.psp_ref})
        if ref_key is not None and (found := _replayed_ref(ctx.items.get(ref_key), fp)) is not None:
            return found
        _gate(ctx, "deposit")
        m, windows = ctx.m, ctx.windows
        m.check_limits("deposit", amount, ctx.state.limits, windows)
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
            {"amount": money.fmt(amount, ctx.exp), "currency": ctx.wallet.currency, "seq": entry["seq"]},
        )
        ref = (ref_key, {"kind": "deposit", "user_id": ctx.user_id, "fingerprint": fp}) if ref_key else None
        return _commit(ctx, entry, ops=[event], ref=ref)

    return _run(principal, key, brand_id, idem, lambda pk: [ref_key] if ref_key else [], act)


def request_withdrawal(
    principal: Principal, key: str, brand_id: int | None, body: WithdrawalIn, idem: IdemRequest
) -> Outcome:
    def act(ctx: Ctx) -> Decision:
        amount = _amount(body.amount, ctx.exp)
        _currency(ctx, body.currency)
        _gate(ctx, "withdrawal")
        m = ctx.m
        if amount > m.wallet.real:
            raise InsufficientFunds(
                "insufficient real balance for this withdrawal",
                available=money.fmt(m.wallet.real, ctx.exp),
                requested=money.fmt(amount, ctx.exp),
            )
        m.forfeit_expired()
        # A withdrawal request forfeits active bonuses (one entry each), in the same transaction.
        for bonus in m.wallet.active_bonuses():
            m.forfeit(bonus, "withdrawal_requested")
        wd_id = ledger.new_id("wd")
        entry = m.entry(
            "withdrawal",
            amount,
            [m.leg("player:real", "real", -amount), m.leg("player:frozen", "real", amount)],
            memo=body.memo,
            extra={"withdrawal_id": wd_id, "status": "pending"},
        )
        withdrawal = {
            "id": wd_id,
            "amount": money.fmt(amount, ctx.exp),
            "currency": ctx.wallet.currency,
            "status": "pending",
            "created_at": m.now_iso,
            "updated_at": m.now_iso,
        }
        pk, sk = _wd_key(ctx.pk, wd_id)
        ops: list[store.Op] = [
            store.Put(
                {"pk": pk, "sk": sk, "kind": "withdrawal", **withdrawal, "amount": amount, "seq": entry["seq"]},
                condition="attribute_not_exists(pk)",
            ),
            timeline.event_op(
                ctx.principal.realm,
                ctx.user_id,
                "withdrawal_requested",
                ctx.principal.actor,
                {"withdrawal_id": wd_id, "amount": withdrawal["amount"], "currency": ctx.wallet.currency},
            ),
        ]
        return _commit(ctx, entry, ops=ops, extra_body={"withdrawal": withdrawal})

    return _run(principal, key, brand_id, idem, lambda pk: [], act)


def settle_withdrawal(  # noqa: PLR0917
    principal: Principal,
    key: str,
    brand_id: int | None,
    wd_id: str,
    outcome: str,
    body: WithdrawalOutcomeIn,
    idem: IdemRequest,
) -> Outcome:
    """`complete` pays the frozen amount out to PSP clearing (gated like a withdrawal request: a hold stops
    the payout); `cancel` returns it to real and is never gated."""
    target = "completed" if outcome == "complete" else "cancelled"

    def act(ctx: Ctx) -> Decision | Outcome:
        wd = ctx.items.get(_wd_key(ctx.pk, wd_id))
        if wd is None:
            raise NotFound("withdrawal not found", code="withdrawal_not_found")
        if wd["status"] == target:
            return Outcome(status=200, body=json.loads(wd["outcome_response"]), deduped=True)
        if wd["status"] != "pending":
            raise Conflict(f"the withdrawal is already {wd['status']}", code="withdrawal_not_pending")
        if target == "completed":
            _gate(ctx, "withdrawal")
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
        withdrawal = {
            "id": wd_id,
            "amount": money.fmt(amount, ctx.exp),
            "currency": wd["currency"],
            "status": target,
            "created_at": wd["created_at"],
            "updated_at": m.now_iso,
        }
        decision = _commit(ctx, entry, status=200, extra_body={"withdrawal": withdrawal})
        decision.ops += [
            store.Put(
                {
                    **wd,
                    "status": target,
                    "updated_at": m.now_iso,
                    "outcome_seq": entry["seq"],
                    "outcome_response": _dumps(decision.body),
                },
                condition="#s = :pending",
                names={"#s": "status"},
                values={":pending": "pending"},
            ),
            timeline.event_op(
                ctx.principal.realm,
                ctx.user_id,
                f"withdrawal_{target}",
                ctx.principal.actor,
                {"withdrawal_id": wd_id, "amount": withdrawal["amount"], "currency": wd["currency"]},
            ),
        ]
        return decision

    return _run(principal, key, brand_id, idem, lambda pk: [_wd_key(pk, wd_id)], act)


# ---- bets, wins, rollbacks ---------------------------------------------------------------------


def _round_name(provider: str, round_id: str) -> str:
    return f"{provider}#{round_id}"


def _close_round(ctx: Ctx, provider: str, round_id: str, state: dict[str, Any], opened_at: str) -> store.Put:
    pk, sk = _round_key(ctx.pk, provider, round_id)
    return store.Put(
        {
            "pk": pk,
            "sk": sk,
            "kind": "round",
            "provider": provider,
            "round_id": round_id,
            "status": "closed",
            "stake": state.get("stake", Decimal(0)),
            "wins": state.get("wins", Decimal(0)),
            "bets": int(state.get("bets", 0)),
            "opened_at": opened_at,
            "closed_at": ctx.m.now_iso,
        }
    )


def place_bet(principal: Principal, key: str, brand_id: int | None, body: BetIn, idem: IdemRequest) -> Outcome:
    """A debit: real first then bonus (brand spend_order). The real part of an open round's stakes is frozen
    until the round closes; XP accrues from the real part (brand rate, daily cap)."""
    ref_key = _ref_key(principal.realm, body.provider, body.ref_id)

    def act(ctx: Ctx) -> Decision | Outcome:
        amount = _amount(body.amount, ctx.exp)
        fp = _ref_fingerprint(
            "bet",
            ctx.user_id,
            {"amount": str(amount), "round_id": body.round_id, "game_id": body.game_id, "closed": body.round_closed},
        )
        if (found := _replayed_ref(ctx.items.get(ref_key), fp)) is not None:
            return found
        _gate(ctx, "bet")
        if ctx.items.get(_round_key(ctx.pk, body.provider, body.round_id)) is not None:
            raise Conflict("this round is already closed", code="round_closed")
        m, settings, windows = ctx.m, ctx.brand.settings, ctx.windows
        w = m.wallet
        name = _round_name(body.provider, body.round_id)
        if name not in w.rounds and len(w.rounds) >= MAX_OPEN_ROUNDS:
            raise Conflict("too many open rounds; close some before opening another", code="too_many_open_rounds")
        m.forfeit_expired()
        if settings.spend_order == "bonus_first":
            bonus_part = min(w.bonus, amount)
            real_part = amount - bonus_part
        else:
            real_part = min(w.real, amount)
            bonus_part = amount - real_part
        if real_part > w.real or bonus_part > w.bonus:
            raise InsufficientFunds(
                "insufficient funds for this bet",
                available=money.fmt(w.real + w.bonus, ctx.exp),
                requested=money.fmt(amount, ctx.exp),
            )
        m.check_limits("wager", amount, ctx.state.limits, windows)
        m.check_limits("loss", real_part, ctx.state.limits, windows)
        draws = m.draw_bonus(bonus_part) if bonus_part else {}
        xp = m.accrue_xp(real_part, Decimal(settings.xp_per_unit), Decimal(settings.xp_daily_cap), windows["D"])
        if name not in w.rounds:
            m.stat("rounds", 1)
        state = dict(w.rounds.get(name) or {"frozen": Decimal(0), "stake": Decimal(0), "wins": Decimal(0), "bets": 0})
        opened_at = str(state.pop("opened_at", m.now_iso))
        closing = body.round_closed
        postings = [
            m.leg("player:real", "real", -real_part),
            m.leg(HOUSE_WAGERS if closing else "player:frozen", "real", real_part),
            m.leg("player:bonus", "bonus", -bonus_part),
            m.leg(HOUSE_BONUS_POOL, "bonus", bonus_part),
            m.leg(XP_ISSUER, "xp", -xp),
            m.leg("player:xp", "xp", xp),
        ]
        prev_frozen = money.to_decimal(state["frozen"])
        if closing and prev_frozen:
            postings += [m.leg("player:frozen", "real", -prev_frozen), m.leg(HOUSE_WAGERS, "real", prev_frozen)]
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
        state.update(
            frozen=Decimal(0) if closing else prev_frozen + real_part,
            stake=money.to_decimal(state["stake"]) + amount,
            bets=int(state["bets"]) + 1,
        )
        ops: list[store.Op] = []
        if closing:
            w.rounds.pop(name, None)
            ops.append(_close_round(ctx, body.provider, body.round_id, state, opened_at))
        else:
            w.rounds[name] = {**state, "opened_at": opened_at}
        wagered, done = m.progress_wagering(amount)
        for bonus in done:
            m.convert(bonus)
        ref_fields = {
            "kind": "bet",
            "user_id": ctx.user_id,
            "fingerprint": fp,
            "provider": body.provider,
            "round_id": body.round_id,
            "seq": entry["seq"],
            "real_amount": real_part,
            "bonus_draws": draws,
            "wagered": wagered,
            "xp": xp,
            "xp_day": windows["D"],
            "counted": added,
        }
        return _commit(ctx, entry, ops=ops, ref=(ref_key, ref_fields))

    return _run(
        principal,
        key,
        brand_id,
        idem,
        lambda pk: [ref_key, _round_key(pk, body.provider, body.round_id)],
        act,
    )


def credit_win(principal: Principal, key: str, brand_id: int | None, body: WinIn, idem: IdemRequest) -> Outcome:
    """A credit to real. Never refused for RG or status. A win for a round this player never bet on: 404."""
    ref_key = _ref_key(principal.realm, body.provider, body.ref_id)

    def act(ctx: Ctx) -> Decision | Outcome:
        amount = _amount(body.amount, ctx.exp, allow_zero=True)
        fp = _ref_fingerprint(
            "win", ctx.user_id, {"amount": str(amount), "round_id": body.round_id, "closed": body.round_closed}
        )
        if (found := _replayed_ref(ctx.items.get(ref_key), fp)) is not None:
            return found
        m = ctx.m
        w = m.wallet
        name = _round_name(body.provider, body.round_id)
        closed_round = ctx.items.get(_round_key(ctx.pk, body.provider, body.round_id))
        state = w.rounds.get(name)
        if state is not None and not money.to_decimal(state.get("stake")):
            state = None  # every bet of it was rolled back (older wallets kept such rounds)
        if state is None and closed_round is None:
            # Retryable: a win can overtake its bet; the provider retries and it lands once the bet has.
            raise NotFound("no bet of this player in this round", code="round_not_found", retryable=True)
        m.forfeit_expired()
        postings = [m.leg(HOUSE_WAGERS, "real", -amount), m.leg("player:real", "real", amount)]
        closing = body.round_closed and state is not None
        if closing and state is not None and money.to_decimal(state["frozen"]):
            frozen = money.to_decimal(state["frozen"])
            postings += [m.leg("player:frozen", "real", -frozen), m.leg(HOUSE_WAGERS, "real", frozen)]
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
        ops: list[store.Op] = []
        if state is not None:
            state = {**state, "wins": money.to_decimal(state.get("wins")) + amount}
            if closing:
                w.rounds.pop(name, None)
                opened_at = str(state.pop("opened_at", m.now_iso))
                state["frozen"] = Decimal(0)
                ops.append(_close_round(ctx, body.provider, body.round_id, state, opened_at))
            else:
                w.rounds[name] = state
        elif closed_round is not None:
            # A late win on a settled round (jackpots, delayed results): paid, and added to its totals.
            ops.append(store.Put({**closed_round, "wins": money.to_decimal(closed_round.get("wins")) + amount}))
        ref_fields = {"kind": "win", "user_id": ctx.user_id, "fingerprint": fp, "seq": entry["seq"]}
        return _commit(ctx, entry, ops=ops, ref=(ref_key, ref_fields))

    return _run(
        principal,
        key,
        brand_id,
        idem,
        lambda pk: [ref_key, _round_key(pk, body.provider, body.round_id)],
        act,
    )


def rollback(principal: Principal, key: str, brand_id: int | None, body: RollbackIn, idem: IdemRequest) -> Outcome:
    """Reverses a bet once. Unknown ref: 404 and a tombstone (a bet arriving later with it gets 409).
    A second rollback of the same bet: the first answer, deduped. A bet of a closed round: 409."""
    ref_key = _ref_key(principal.realm, body.provider, body.ref_id)

    def act(ctx: Ctx) -> Decision | Outcome:
        ref = ctx.items.get(ref_key)
        if ref is None:
            raise _UnknownRef(ref_key)
        if ref.get("kind") == "tombstone" or ref.get("user_id") != ctx.user_id:
            raise NotFound("no bet of this player with this ref_id", code="ref_not_found")
        if ref.get("kind") != "bet":
            raise Conflict("only a bet can be rolled back", code="not_a_bet")
        if ref.get("rollback_response"):
            return Outcome(status=200, body=json.loads(ref["rollback_response"]), deduped=True)
        m = ctx.m
        w = m.wallet
        name = _round_name(str(ref["provider"]), str(ref["round_id"]))
        state = w.rounds.get(name)
        if state is None:
            raise Conflict("the bet's round is closed; it can't be rolled back", code="round_closed")
        real_part = money.to_decimal(ref["real_amount"])
        draws = {k: money.to_decimal(v) for k, v in (ref.get("bonus_draws") or {}).items()}
        active = {b.id: b for b in w.active_bonuses()}
        # The bet's wagering progress is taken back. If it completed a bonus, that bonus is already real
        # (withdrawable) money: the rollback is refused rather than leaving converted money it funded.
        wagered = {k: money.to_decimal(v) for k, v in (ref.get("wagered") or {}).items()}
        # (An ended bonus no longer on the wallet item may have converted: refused too, to be safe.)
        forfeited = {b.id for b in w.bonuses if b.status == "forfeited"}
        if any(bonus_id not in active and bonus_id not in forfeited for bonus_id in wagered):
            raise Conflict(
                "this bet completed a bonus's wagering, which converted it to real money; it can't be rolled back",
                code="bonus_converted",
            )
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
        left = money.to_decimal(state["stake"]) - stake
        if left > 0:
            w.rounds[name] = {**state, "frozen": money.to_decimal(state["frozen"]) - real_part, "stake": left}
        else:
            # Every bet of the round was rolled back: the round is gone (a win for it is 404, as for a round
            # never bet on; a new bet may open it again).
            w.rounds.pop(name, None)
            m.stat("rounds", -1)
        decision = _commit(ctx, entry, status=201)
        decision.ops.append(
            store.Put(
                {**ref, "rollback_seq": entry["seq"], "rollback_response": _dumps(decision.body)},
                condition="attribute_exists(pk) AND attribute_not_exists(rollback_seq)",
            )
        )
        return decision

    for _attempt in retry.attempts(3, what="rollback_tombstone"):
        try:
            return _run(principal, key, brand_id, idem, lambda pk: [ref_key], act)
        except _UnknownRef as unknown:
            pk, sk = unknown.key
            tombstone = {
                "pk": pk,
                "sk": sk,
                "kind": "tombstone",
                "provider": body.provider,
                "ref_id": body.ref_id,
                "user_id": resolve_user_id(principal, key, brand_id),
                "created_at": clock.iso(clock.now()),
            }
            if store.put_if_absent(tombstone):
                raise NotFound(
                    "no bet with this ref_id; a bet that arrives later with it will be refused",
                    code="ref_not_found",
                ) from None
            # The bet (or another rollback's tombstone) landed in between: decide again.
    raise ConcurrentUpdate("the bet changed while it was being rolled back; retry")


# ---- bonuses and points ------------------------------------------------------------------------


def _bonus_expiry(body: BonusIn, now: datetime) -> str | None:
    """expires_at with a zone, strictly in the future and at most MAX_BONUS_LIFETIME ahead, as UTC ISO."""
    if body.expires_at is None:
        return None
    if body.expires_at.tzinfo is None:
        raise Unprocessable("expires_at needs a time zone", code="validation_error", field="expires_at")
    try:
        expires = body.expires_at.astimezone(UTC)
        in_range = now < expires < now + MAX_BONUS_LIFETIME
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        raise Unprocessable(
            "expires_at must be in the future and at most 5 years ahead", code="validation_error", field="expires_at"
        )
    return clock.iso(expires)


def grant_bonus(principal: Principal, key: str, brand_id: int | None, body: BonusIn, idem: IdemRequest) -> Outcome:
    def act(ctx: Ctx) -> Decision:
        amount = _amount(body.amount, ctx.exp)
        m = ctx.m
        expires_at = _bonus_expiry(body, m.at)
        _gate(ctx, "bonus")
        m.forfeit_expired()
        if len(m.wallet.active_bonuses()) >= MAX_ACTIVE_BONUSES:
            raise Conflict(
                f"this player already has {MAX_ACTIVE_BONUSES} active bonuses; one must end first",
                code="too_many_bonuses",
                limit=MAX_ACTIVE_BONUSES,
            )
        multiplier = Decimal(body.wagering_multiplier)
        try:
            required = money.ROUNDING_CTX.multiply(amount, multiplier).quantize(
                money.quantum(ctx.exp), rounding=ROUND_UP, context=money.ROUNDING_CTX
            )
        except ArithmeticError as exc:
            raise Unprocessable("the wagering requirement is too large", code="invalid_amount", field="amount") from exc
        bonus = Bonus(
            id=ledger.new_id("bn"),
            amount=amount,
            balance=amount,
            wagering_required=required,
            wagered=Decimal(0),
            status="active",
            granted_at=m.now_iso,
            expires_at=expires_at,
        )
        m.wallet.bonuses.append(bonus)
        entry = m.entry(
            "bonus_grant",
            amount,
            [m.leg(HOUSE_BONUS_POOL, "bonus", -amount), m.leg("player:bonus", "bonus", amount)],
            rail="bonus",
            memo=body.memo,
            extra={"bonus_id": bonus.id},
        )
        if required == 0:
            m.convert(bonus)
        event = timeline.event_op(
            ctx.principal.realm,
            ctx.user_id,
            "bonus_granted",
            ctx.principal.actor,
            {"bonus_id": bonus.id, "amount": money.fmt(amount, ctx.exp), "wagering_required": str(required)},
        )
        return _commit(ctx, entry, ops=[event])

    return _run(principal, key, brand_id, idem, lambda pk: [], act)


def winz(principal: Principal, key: str, brand_id: int | None, body: WinzIn, idem: IdemRequest) -> Outcome:
    def act(ctx: Ctx) -> Decision:
        amount = _amount(body.amount, money.POINTS_EXPONENT)
        m = ctx.m
        if body.action == "grant":
            _gate(ctx, "bonus")  # no promotions to a blocked or excluded player
            legs = [m.leg(WINZ_ISSUER, "winz", -amount), m.leg("player:winz", "winz", amount)]
        else:
            if amount > m.wallet.winz:
                raise InsufficientFunds(
                    "insufficient winz balance",
                    available=money.fmt(m.wallet.winz, money.POINTS_EXPONENT),
                    requested=money.fmt(amount, money.POINTS_EXPONENT),
                )
            legs = [m.leg("player:winz", "winz", -amount), m.leg(WINZ_ISSUER, "winz", amount)]
        entry = m.entry(f"winz_{body.action}", amount, legs, rail="winz", memo=body.memo)
        return _commit(ctx, entry)

    return _run(principal, key, brand_id, idem, lambda pk: [], act)


# ---- reads -------------------------------------------------------------------------------------


def _read(principal: Principal, key: str, brand_id: int | None) -> tuple[str, Player, Wallet | None]:
    """Profile and wallet in one consistent BatchGetItem (one round trip by user_id)."""
    user_id = resolve_user_id(principal, key, brand_id)
    pk = keys.player_pk(principal.realm, user_id)
    items = store.batch_get([(pk, keys.PROFILE), (pk, keys.WALLET)])
    player = player_from(principal, items.get((pk, keys.PROFILE)))
    raw = items.get((pk, keys.WALLET))
    return pk, player, Wallet.from_item(raw) if raw else None


def get_wallet(principal: Principal, key: str, brand_id: int | None) -> dict[str, Any]:
    _, player, wallet = _read(principal, key, brand_id)
    if wallet is None:
        wallet = Wallet(user_id=player.user_id, currency=principal.brands[player.brand_id].currency)
    return {"wallet": wallet_out(wallet, clock.iso(clock.now()))}


def list_transactions(
    principal: Principal, key: str, brand_id: int | None, limit: int, cursor: int | None
) -> dict[str, Any]:
    """Newest first. The cursor is the seq to continue below; total is the wallet's seq (gapless)."""
    pk, _, wallet = _read(principal, key, brand_id)
    total = wallet.seq if wallet else 0
    top = min(cursor - 1, total) if cursor is not None else total
    if top < 1:
        return {"transactions": [], "total": total, "next_cursor": None}
    page = store.query(pk, sk_between=(keys.tx_sk(1), keys.tx_sk(top)), forward=False, limit=limit, consistent=True)
    entries = [transaction_out(e) for e in page.items]
    last = int(page.items[-1]["seq"]) if page.items else 1
    return {"transactions": entries, "total": total, "next_cursor": str(last) if last > 1 else None}
