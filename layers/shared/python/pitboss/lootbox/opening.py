"""Opening a lootbox (seed 003's call): one wallet movement through the wallet port. The draw, the cost
debit, the prize credit, the box taken from the player's unopened ones, the nonce advanced and the draw's
record are one TransactWriteItems with the wallet's guarantees (seq-conditioned wallet, balanced entries,
the profile version when gated, the idempotency record last, bounded retry)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pitboss.engines.port import instruction_ops
from pitboss.errors import Conflict, InsufficientFunds
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import profiles
from pitboss.lootbox import definitions, repository, rules
from pitboss.lootbox.entity import Lootbox, Prize, Seed
from pitboss.lootbox.models import DrawProof, OpenOut, RewardOut, amount_str, lootbox_out
from pitboss.tenancy import Brand, Principal
from pitboss.wallet.entity import Wallet
from pitboss.wallet.output import transaction_out
from pitboss.wallet.port import Ctx, commit, run
from pitboss.wallet.rules import room_for_bonus, wagering_required

# House-side accounts named in the postings (derived later, never a hot item; see the wallet's postings).
ISSUERS = {"winz": "issuer:winz", "xp": "issuer:xp"}
HOUSE_LOOTBOX = "house:lootbox"  # real-money prizes


@dataclass
class Posted:
    """What a prize became: a ledger entry, or (real money in a plug_in brand) a payout instruction's ops."""

    entry: dict[str, Any] | None = None
    ops: list[repository.Op] = field(default_factory=list)
    payout_id: str | None = None


def _post_prize(ctx: Ctx, box: Lootbox, prize: Prize, source_ref: str) -> Posted:
    """The one place a prize becomes money. A real prize in a plug_in brand (issue 13 §1: the operator's wallet
    holds the cash) is a payout instruction recorded in the open's own transaction, never a ledger entry; so is
    a bonus prize with nothing to wager, which would convert to real money at once."""
    if prize.rail is None or prize.amount is None:
        return Posted()
    m, amount = ctx.m, prize.amount
    cash = prize.rail == "real" or (prize.rail == "bonus" and not prize.wagering_multiplier)
    if cash and ctx.brand.settings.service_mode == "plug_in":
        payout, ops = instruction_ops(
            ctx.principal.realm,
            user_id=ctx.user_id,
            brand_id=ctx.brand.brand_id,
            amount=amount,
            currency=m.currency,
            source="lootbox",
            source_ref=source_ref,
            actor=ctx.principal.actor,
        )
        return Posted(ops=ops, payout_id=str(payout["id"]))
    extra = {"lootbox_id": box.id}
    if prize.rail in ISSUERS:
        legs = [m.leg(ISSUERS[prize.rail], prize.rail, -amount), m.leg(f"player:{prize.rail}", prize.rail, amount)]
        return Posted(m.entry("lootbox_prize", amount, legs, rail=prize.rail, extra=extra))
    if prize.rail == "real":
        legs = [m.leg(HOUSE_LOOTBOX, "real", -amount), m.leg("player:real", "real", amount)]
        return Posted(m.entry("lootbox_prize", amount, legs, rail="real", extra=extra))
    # bonus: a bonus like a granted one, with the prize's wagering multiplier
    m.forfeit_expired()
    room_for_bonus(m.wallet)
    required = wagering_required(amount, Decimal(prize.wagering_multiplier or 0), ctx.exp)
    entry, _bonus = m.grant_bonus("lootbox_prize", amount, required, extra=extra)
    return Posted(entry)


def _buy(ctx: Ctx, box: Lootbox) -> dict[str, Any]:
    """The cost, from the cost rail to its issuer: 422 insufficient_funds when the player has no box and
    not enough of the rail."""
    assert box.cost is not None
    m, cost = ctx.m, box.cost
    legs = [m.leg(f"player:{cost.rail}", cost.rail, -cost.amount), m.leg(ISSUERS[cost.rail], cost.rail, cost.amount)]
    try:
        return m.entry("lootbox_purchase", cost.amount, legs, rail=cost.rail, extra={"lootbox_id": box.id})
    except InsufficientFunds as exc:
        price = amount_str(cost.rail, cost.amount, box.currency)
        raise InsufficientFunds(
            f"no unopened box, and the {cost.rail} balance does not cover its cost ({price})", rail=cost.rail
        ) from exc


def open_box(principal: Principal, user_id: str, lootbox_id: str, idem: IdemRequest) -> Outcome:
    realm = principal.realm
    brand_id = rules.brand_of(lootbox_id)
    box_key = repository.definition_key(realm, lootbox_id)
    seed_key = repository.seed_key(realm, brand_id)
    inventory_key = repository.inventory_key(realm, user_id, lootbox_id)
    nonce_key = repository.nonce_key(realm, user_id)

    def pick(brand: Brand, _wallet: Wallet, items: dict[tuple[str, str], dict[str, Any]]) -> str:
        return str((items.get(box_key) or {}).get("currency") or brand.currency)

    def act(ctx: Ctx) -> Decision:
        found = ctx.items.get(box_key)
        box = definitions.visible(principal, Lootbox.from_item(found) if found else None)
        if box.brand_id != ctx.player.brand_id:
            raise definitions.not_found()
        rules.refuse_disabled(box.disabled)
        ctx.gate("bonus")  # no promotions to a blocked or excluded player (403 player_blocked)
        seed_item = ctx.items.get(seed_key)
        if seed_item is None:  # written with the brand's first definition; absent only if deleted by hand
            raise Conflict("this brand has no lootbox seed; rotate to create one", code="no_seed")
        seed = Seed.from_item(seed_item)
        held, nonce_item = ctx.items.get(inventory_key), ctx.items.get(nonce_key)
        unopened = repository.count_of(held)
        paid_with = rules.pays_with(unopened, box.cost is not None)
        nonce = repository.nonce_of(nonce_item)
        drawn = rules.draw(seed.seed, user_id, nonce, box.weights)
        prize = box.prizes[drawn.index]
        bought = _buy(ctx, box) if paid_with == "cost" else None
        posted = _post_prize(ctx, box, prize, source_ref=f"{box.id}:{drawn.message}")
        left = unopened - 1 if paid_with == "box" else unopened
        at = ctx.m.now_iso
        proof = DrawProof(
            seed_number=seed.number,
            commitment=seed.commitment,
            nonce=nonce,
            message=drawn.message,
            roll=drawn.roll,
            total_weight=drawn.total,
        )
        reward = RewardOut(
            prize=drawn.index,
            nothing=prize.nothing,
            rail=prize.rail,
            amount=None if prize.rail is None else amount_str(prize.rail, prize.amount, box.currency),
            currency=None if prize.rail is None else ctx.m.currency_of(prize.rail),
            paid_with=paid_with,
            boxes_left=left,
            opened_at=at,
            fairness=proof,
            payout_id=posted.payout_id,
        )
        entries = ctx.m.entries
        main = posted.entry or bought
        answer = OpenOut(
            reward=reward,
            lootbox=lootbox_out(box),
            transaction=None if main is None else transaction_out(main),
            related_transactions=[transaction_out(e) for e in entries if e is not main],
        )
        record = {
            "lootbox_id": box.id,
            "version": box.version,
            "reward": reward.model_dump(mode="json"),
            "transaction_ids": [e["id"] for e in entries],
            "user_id": user_id,
        }
        ops: list[repository.Op] = [
            repository.nonce_put(realm, user_id, nonce + 1, None if nonce_item is None else nonce),
            repository.open_put(realm, user_id, nonce, record),
            repository.still_enabled(realm, box.id),
            repository.seed_unchanged(realm, brand_id, seed.number),
            *posted.ops,
        ]
        if paid_with == "box":
            ops.append(repository.inventory_put(realm, user_id, box.id, count=left, read=unopened, at=at))
        body = answer.model_dump(mode="json")
        if main is None:  # no entry (nothing won, or a payout instruction, with a held or free box): no wallet write
            if ctx.profile_version is not None:
                ops.append(profiles.unchanged(ctx.player))
            return Decision(ops=ops, status=201, body=body)
        return dataclasses.replace(commit(ctx, main, ops=ops), body=body)

    return run(principal, user_id, idem, [box_key, seed_key, inventory_key, nonce_key], act, pick=pick)
