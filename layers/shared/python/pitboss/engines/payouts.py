"""Payout instructions (issue 13 §1): in a plug_in brand the operator's own wallet holds real money, so an
engine that awards cash (cashback, a lootbox prize, a bonus converted by wagering) records an instruction
for the operator instead of posting it; the operator lists the pending ones and acknowledges each once it
has credited its wallet. Recording, listing and acknowledging each land on the player's timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pitboss import clock, ids, money, retry, timeline
from pitboss.engines import repository
from pitboss.engines.models import AckIn, PayoutEnvelope, PayoutOut, PayoutSource, PayoutsPage
from pitboss.errors import ConcurrentUpdate, NotFound, TransactionCancelled
from pitboss.tenancy import Principal


def new_id() -> str:
    return f"po_{ids.ulid().lower()}"


def instruction_ops(
    realm: str,
    *,
    user_id: str,
    brand_id: int,
    amount: Decimal,
    currency: str,
    source: PayoutSource,
    source_ref: str,
    actor: str,
    payout_id: str | None = None,
) -> tuple[dict[str, Any], list[repository.Op]]:
    """The writes that record one pending instruction (commit them in the caller's own transaction: the
    award and its instruction land together or not at all) and the instruction as stored. `source_ref`
    names what awarded it (a cashback period, a lootbox open)."""
    now_iso = clock.iso(clock.now())
    payout = {
        "id": payout_id or new_id(),
        "user_id": user_id,
        "brand_id": brand_id,
        "amount": amount,
        "currency": currency,
        "source": source,
        "source_ref": source_ref,
        "status": "pending",
        "created_at": now_iso,
    }
    event = timeline.event_op(
        realm,
        user_id,
        "payout.recorded",
        actor,
        {
            "payout_id": payout["id"],
            "amount": money.fmt(amount, money.exponent(currency)),
            "currency": currency,
            "source": source,
            "source_ref": source_ref,
        },
    )
    return payout, [repository.payout_put(realm, payout), event]


def list_pending(principal: Principal, limit: int, cursor: str | None) -> PayoutsPage:
    """The realm's pending instructions, oldest first, of the brands the key can see."""
    items, last = repository.pending_payouts(principal.realm, limit, cursor)
    visible = [i for i in items if principal.can_see_brand(int(i["brand_id"]))]
    return PayoutsPage(payouts=[PayoutOut.of(i) for i in visible], next_cursor=last)


def acknowledge(principal: Principal, payout_id: str, body: AckIn) -> PayoutEnvelope:
    """The operator credited its wallet: pending -> acked, once. Again: the same answer, deduped."""
    realm = principal.realm
    for _ in retry.attempts(what="payout_ack"):
        item = repository.get_payout(realm, payout_id)
        if item is None or not principal.can_see_brand(int(item["brand_id"])):
            raise NotFound(f"payout {payout_id} not found", code="payout_not_found")
        if item["status"] == "acked":
            return PayoutEnvelope(payout=PayoutOut.of(item), deduped=True)
        now_iso = clock.iso(clock.now())
        actor = principal.actor
        event = timeline.event_op(
            realm,
            str(item["user_id"]),
            "payout.acked",
            actor,
            {"payout_id": payout_id, "amount": str(item["amount"]), "currency": item["currency"]},
        )
        try:
            repository.transact(
                [repository.payout_acked(realm, payout_id, at=now_iso, actor=str(actor), memo=body.memo), event]
            )
        except TransactionCancelled:
            continue  # acknowledged meanwhile: read it again and answer it
        acked = {**item, "status": "acked", "acked_at": now_iso, "memo": body.memo}
        return PayoutEnvelope(payout=PayoutOut.of(acked))
    raise ConcurrentUpdate("the payout kept changing; retry")
