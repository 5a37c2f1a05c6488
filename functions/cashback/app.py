"""Scheduled (EventBridge, every hour): pays each closed cashback period once per player (issue 13 §3)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import clock
from pitboss.engines import cashback
from pitboss.observability import logger, metrics

# Stop taking new players with this much of the invocation left; the next run picks up the rest.
RESERVE_MS = 10_000


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = cashback.run(keep_going=clock.time_left(context, RESERVE_MS))
    logger.info("cashback run", extra=asdict(report))
    return asdict(report)
