"""Scheduled (EventBridge, every minute) and, locally, every second: sends due webhook deliveries."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss.observability import logger, metrics
from pitboss.webhooks import delivery

# Stop starting endpoints with this much of the invocation left (an attempt may take the 10 s timeout).
RESERVE_MS = 15_000


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    report = delivery.sweep(keep_going=lambda: remaining is None or remaining() > RESERVE_MS)
    if report.attempts:
        logger.info("webhook sweep", extra=asdict(report))
    return asdict(report)
