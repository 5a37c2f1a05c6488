"""DynamoDB Streams -> the sinks: domain events (bus + webhook fan-out) and whatever else reads the stream."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import streams
from pitboss.changes import Sink
from pitboss.events import publish as domain_events
from pitboss.observability import logger, metrics
from pitboss.reports import sinks as reports
from pitboss.webhooks import delivery as webhooks

# Every stream sink, in the order they run on each change. Add a sink here (one line); it must be
# idempotent on the change (a record can come again).
SINKS: list[Sink] = [
    domain_events.sink(webhooks.fan_out),
    *reports.SINKS,  # usage (ledger entries, active players), reconciliation's touched wallets, GGR
]


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return streams.consume(event.get("Records") or [], SINKS)
