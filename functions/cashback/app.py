"""Scheduled (EventBridge, every hour): pays each closed cashback period once per player (issue 13 §3)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss.engines import cashback
from pitboss.observability import logger, metrics

# Stop taking new players with this much of the invocation left; the next run picks up the rest.
RESERVE_MS = 10_000


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)

    def keep_going() -> bool:
        return remaining is None or remaining() > RESERVE_MS

    report = cashback.run(keep_going=keep_going)
    logger.info("cashback run", extra=asdict(report))
    return asdict(report)
