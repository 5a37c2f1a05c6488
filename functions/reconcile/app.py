"""Scheduled (EventBridge, every 15 minutes): reconciliation of the wallets the stream saw move (issue 14 §4)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss.observability import logger, metrics
from pitboss.reports import reconcile

# Stop taking new wallets with this much of the invocation left; their markers stay for the next run.
RESERVE_MS = 10_000


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    budget = (remaining() - RESERVE_MS) / 1000 if remaining is not None else 50.0
    summary = reconcile.run(budget_seconds=max(1.0, budget))
    out = {"checked": summary.checked, "mismatches": len(summary.mismatches), "unfinished": summary.unfinished}
    logger.info("reconciliation run", extra=out)
    return out
