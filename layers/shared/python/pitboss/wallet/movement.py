"""The one skeleton every wallet movement runs: read, decide, commit, retry.

Read: one consistent BatchGetItem (profile + wallet + idempotency record + the provider ref, closed round
or withdrawal the movement needs). Pick the currency (the flow's `pick`: the one named, the brand's default,
the round's, the bet's or the withdrawal's), and with it the purse the movement works in. Decide: the flow's
`act`, in Python Decimal under a context that traps any rounding. Commit: one TransactWriteItems (the wallet
put conditioned on the seq it read, entries put if absent, refs put if absent, the profile version when the
decision was gated, the idempotency record last, appended by `idempotency.execute`). Any cancellation is a
lost race: read and decide again, bounded, with jitter (pitboss.retry). The player was resolved by the
route: flows get its user_id and never resolve it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

import pitboss.engines.rules as engines
from pitboss import clock, idempotency, money, observability
from pitboss.errors import Conflict, PitbossError
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import gates, player_from
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand, Principal
from pitboss.wallet import engagement, repository, rules
from pitboss.wallet.entity import Purse, Wallet
from pitboss.wallet.ledger import Movement
from pitboss.wallet.output import WithdrawalOut, movement_out
from pitboss.wallet.repository import Key, Op

# More than idempotency's default: a hot player's wallet is one optimistic lock shared by all its rounds.
ATTEMPTS = 10
MAX_TRANSACT_ITEMS = 100


@dataclass
class Ctx:
    """What one attempt of a movement read, and the movement it is building."""

    principal: Principal
    user_id: str
    pk: str
    player: Player
    brand: Brand
    state: gates.EffectiveState
    items: dict[Key, dict[str, Any]]
    m: Movement
    profile_version: int | None = None  # None: the stored profile has no version attribute
    gated: bool = False
    # Amounts already checked against a currency, shared by every attempt of the movement.
    checked: dict[tuple[Decimal, int], Decimal] = field(default_factory=dict)
    # The item that will record this very request (its provider ref and fingerprint, or a bet's rollback
    # record), once the flow has read it absent: see `recorded_in`.
    record: tuple[Key, str | None] | None = None

    @property
    def wallet(self) -> Wallet:
        return self.m.wallet

    @property
    def purse(self) -> Purse:
        """The movement's currency's purse."""
        return self.m.purse

    @property
    def currency(self) -> str:
        return self.m.currency

    @property
    def exp(self) -> int:
        return self.m.exp

    @property
    def limits(self) -> dict[str, Decimal]:
        """The player's effective money limits in the movement's currency (rules.limits_in)."""
        return rules.limits_in(self.state.limits, self.m.currency, self.brand.currency)

    def fingerprint(self, kind: str, body: dict[str, Any]) -> str:
        """A provider ref's fingerprint for this player, in this movement's currency."""
        return rules.ref_fingerprint(kind, self.user_id, body, self.m.currency, self.m.wallet.currency)

    @property
    def windows(self) -> dict[str, str]:
        return rules.window_ids(self.m.at, self.brand.settings.timezone)

    def amount(self, value: Decimal, exp: int | None = None) -> Decimal:
        """The request's amount in the movement's currency (or `exp` places): the currency's decimals and
        bounds checked once per movement, not again on a retry (the edge already checked the rest)."""
        places = self.exp if exp is None else exp
        found = self.checked.get((value, places))
        if found is None:
            found = self.checked[(value, places)] = money.in_currency(value, places)
        return found

    def recorded_in(self, key: Key, fingerprint: str | None = None) -> None:
        """Names the item that will record this request (a provider ref with `fingerprint`; a bet's rollback
        record, whose presence is enough), read absent. Any refusal decided from here on is first checked
        against it (`confirmed_refusal`)."""
        self.record = (key, fingerprint)

    def gate(self, action: gates.Action) -> None:
        """Refuses a blocked action; the commit then checks the profile version the decision saw."""
        self.gated = True
        rules.gate(self.player, self.state, action)


Act = Callable[[Ctx], Decision | Outcome]
# The movement's currency, from the brand, the wallet as read and the other items read.
Pick = Callable[[Brand, Wallet, dict[Key, dict[str, Any]]], str]


def home_currency(_brand: Brand, wallet: Wallet, _items: dict[Key, dict[str, Any]]) -> str:
    """The wallet's own currency (movements of the points rails, which have no money currency)."""
    return wallet.currency


def money_in(currency: str | None) -> Pick:
    """Money coming in (a deposit, a bet, a bonus): the currency named, which the brand must take, or its
    default."""
    return lambda brand, _wallet, _items: rules.money_in_currency(brand, currency)


def run(
    principal: Principal, user_id: str, idem: IdemRequest, reads: list[Key], act: Act, *, pick: Pick, real: bool = False
) -> Outcome:
    """Runs a movement for the player `user_id` (resolved by the route): `reads` are the keys it needs
    besides profile and wallet; `pick` names its currency; `act` decides (an Outcome: answer without
    writing). `real`: a real-rail movement, refused first for a plug_in brand (409 service_mode)."""
    pk = repository.player_pk(principal.realm, user_id)
    profile_key, wallet_key = repository.profile_key(pk), repository.wallet_key(pk)
    checked: dict[tuple[Decimal, int], Decimal] = {}

    def decide(items: dict[Key, dict[str, Any]]) -> Decision | Outcome:
        profile = items.get(profile_key)
        player = player_from(principal, profile)
        brand = principal.brands[player.brand_id]
        if real:
            engines.refuse_real_rail(brand)
        now = clock.now()
        wallet = repository.wallet_of(items.get(wallet_key), user_id, brand.currency)
        stored_version = (profile or {}).get("version")
        ctx = Ctx(
            principal,
            user_id,
            pk,
            player,
            brand,
            gates.effective(player, brand.settings, now),
            items,
            Movement(wallet, principal.actor, now, pick(brand, wallet, items)),
            None if stored_version is None else int(stored_version),
            checked=checked,
        )
        # Ledger arithmetic: 38 digits, and any rounding is an error rather than invented or lost money.
        with localcontext(money.LEDGER_CTX):
            try:
                return act(ctx)
            except PitbossError as refusal:
                if ctx.record is None:
                    raise
                return confirmed_refusal(refusal, *ctx.record)

    return idempotency.execute(idem, [profile_key, wallet_key, *reads], decide, attempts=ATTEMPTS)


AnswerOps = Callable[[dict[str, Any]], list[Op]]


def commit(
    ctx: Ctx,
    main: dict[str, Any],
    *,
    status: int = 201,
    ops: list[Op] | None = None,
    withdrawal: WithdrawalOut | None = None,
    keeping_answer: AnswerOps | None = None,
) -> Decision:
    """The transaction of a movement: the wallet (seq-conditioned), its entries, the flow's `ops`, the items
    that keep the answer (`keeping_answer(body)`: a provider ref, a rollback, a withdrawal outcome), and the
    profile version check when the decision was gated. Its answer: `main`, the other entries, the wallet."""
    m = ctx.m
    wallet = m.finish()
    engaged = engagement.ops(ctx)  # service mode backstop, lifetime xp and VIP level, cashback activity
    answer = movement_out(main, m.entries, wallet, m.now_iso, currency=m.currency, withdrawal=withdrawal)
    body = answer.model_dump(mode="json")
    all_ops: list[Op] = [
        repository.wallet_put(ctx.pk, wallet, read_seq=m.read_seq, existed=m.existed),
        *(repository.entry_put(ctx.pk, e) for e in m.entries),
        *(ops or []),
        *engaged,
        *(keeping_answer(body) if keeping_answer else []),
    ]
    if ctx.gated:
        # The RG/status decision was made on this profile version: a change saved since (self-exclusion,
        # suspension, a hold, a tighter limit) cancels the transaction, and the retry decides again.
        all_ops.append(repository.profile_unchanged(ctx.pk, ctx.profile_version))
    if len(all_ops) + 1 > MAX_TRANSACT_ITEMS:  # +1: the idempotency record `idempotency.execute` appends
        raise Conflict(
            "this movement would write too many items at once; end some bonuses or rounds first",
            code="movement_too_large",
        )
    kind = str(main["type"])
    # Any cancellation (seq moved, profile changed, ref or entry taken) is a lost race: re-read, decide again.
    return Decision(
        ops=all_ops,
        status=status,
        body=body,
        after_commit=lambda: observability.count("Movement", type=kind),
    )


def confirmed_refusal(refusal: PitbossError, key: Key, fingerprint: str | None) -> Outcome:
    """Raises `refusal`, unless a concurrent twin of this very request caused it.

    The BatchGetItem that read the movement is no snapshot: each item is read consistently, but a twin's
    transaction may commit between two of them (the ref read before it; the closed round, the wallet or
    the rollback record after), and the decision then refuses a request that was applied (issue 10 #1: the
    retry of an applied bet told `round_closed`, final, so the provider believed it failed). So before a
    refusal is answered, the item that records this request is read again, strongly consistent; if the
    request is applied there, its stored answer is the answer (200, deduped). One GetItem, on refusals only."""
    now = repository.read_now(key)
    if now is None or now.get("kind") == "tombstone" or (fingerprint and now.get("fingerprint") != fingerprint):
        raise refusal
    return replayed(now)


def replayed(item: dict[str, Any], name: str = "response") -> Outcome:
    """The answer an earlier request stored on `item` (a provider ref, a rollback, a withdrawal outcome),
    given again: 200, deduped. Counted like a replay of an idempotency record."""
    observability.count("IdempotentReplay")
    return Outcome(status=200, body=repository.answer(item, name), deduped=True)
