"""Four eyes on withdrawals: above the brand's threshold, completing a withdrawal takes two different
operators. The first one's "complete" records an approval (audited on the player's timeline, in the same
transaction); the completion itself happens when another operator completes it."""

from __future__ import annotations

from typing import Literal

from pitboss import money, retry, timeline
from pitboss.errors import ConcurrentUpdate, Conflict, TransactionCancelled
from pitboss.operators import repository, rules
from pitboss.tenancy import Brand, Principal
from pitboss.wallet.output import WithdrawalOut

Step = Literal["complete", "approved"]


def completion_step(principal: Principal, user_id: str, brand: Brand, withdrawal: WithdrawalOut) -> Step:
    """`complete` when the caller may complete the withdrawal now; `approved` when the caller's approval was
    recorded and a second operator must complete it; Conflict when the caller already approved it."""
    amount = money.to_decimal(withdrawal.amount)
    if not rules.needs_second_approval(amount, brand.settings.withdrawal_second_approval_above):
        return "complete"
    me = principal.operator_id
    for _attempt in retry.attempts(what="withdrawal_approval"):
        approval = repository.approval(principal.realm, user_id, withdrawal.id)
        if approval is not None:
            if approval.get("operator_id") == me:
                raise Conflict("a second operator must approve this withdrawal", code="second_approval_required")
            return "complete"
        data = {"withdrawal_id": withdrawal.id, "amount": withdrawal.amount, "currency": withdrawal.currency}
        fields = {"operator_id": me, "operator_email": principal.operator_email, **data}
        event = timeline.event_op(principal.realm, user_id, "withdrawal_approved", principal.actor, data)
        try:
            repository.commit([repository.approval_put(principal.realm, user_id, withdrawal.id, fields), event])
        except TransactionCancelled:
            continue  # another operator approved it first: look again
        return "approved"
    raise ConcurrentUpdate("the withdrawal's approval kept changing; retry")


def approver(principal: Principal, user_id: str, withdrawal_id: str) -> str | None:
    """The email of the operator whose approval waits for a second one, if any."""
    found = repository.approval(principal.realm, user_id, withdrawal_id)
    return str(found.get("operator_email") or found.get("operator_id")) if found else None


def needs_second(brand: Brand, amount: str) -> bool:
    """Whether a withdrawal of this amount needs a second operator in this brand (the queue shows it)."""
    return rules.needs_second_approval(money.to_decimal(amount), brand.settings.withdrawal_second_approval_above)
