"""Scheduled (EventBridge, every minute): RG expiries and matured pending limits, found through the due index."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import clock
from pitboss.observability import count, logger, metrics
from pitboss.players import expiry

# Stop taking new players with this much of the invocation left; the next run picks up the rest.
RESERVE_MS = 5_000


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = expiry.run(keep_going=clock.time_left(context, RESERVE_MS))
    logger.info("expiries run", extra=asdict(report))
    count("SchedulerRun")  # the heartbeat: a minute without one is a missed run (SchedulerMissedRunsAlarm)
    return asdict(report)
