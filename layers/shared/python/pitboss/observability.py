"""Logger and Metrics, built once per process, and `count`, the one way any module emits an operator metric.

Log lines are short, lowercase, structured; no PII, no secrets. Metrics are CloudWatch EMF lines in the
function's log (namespace Pitboss, dimension service=pitboss plus the count's own dimensions):

    Refused (surface, code)        every 4xx answer, by its error code          pitboss.http
    Failed (surface, kind)         every 5xx answer: unexpected, response_invalid pitboss.http
    IdempotentReplay               a request answered from its idempotency record pitboss.idempotency
    Retry (loop)                   each retry of an optimistic-lock loop         pitboss.retry hook
    ExpiryPlayers (outcome)        the scheduler's players seen / settled / ...  pitboss.players.expiry
    ExpiryEvents (type)            the events an expiry run wrote, by type       pitboss.players.expiry
    SchedulerRun                   one per completed scheduler run (heartbeat)  functions/scheduler

Tracing is Lambda's active tracing (template Globals, no SDK in the package); see docs/architecture.md."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from pitboss import retry

NAMESPACE = "Pitboss"
SERVICE = "pitboss"

logger = Logger(service=SERVICE)
# Flushed by each handler's @metrics.log_metrics (with the ColdStart metric). `count` does not go through
# it: EMF carries one value per dimension name per document, so each dimensioned count is its own line.
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# A warm invocation that counted nothing through `metrics` is normal here, not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """Emits `value` of the count `name` now, with these dimensions (keep their values a small, fixed set:
    each combination is a CloudWatch metric). Honours POWERTOOLS_METRICS_DISABLED (tests, local stack)."""
    emf = AmazonCloudWatchEMFProvider(namespace=NAMESPACE, service=SERVICE)
    emf.add_metric(name=name, unit=MetricUnit.Count, value=value)
    for key, dimension in dimensions.items():
        emf.add_dimension(name=key, value=dimension)
    emf.flush_metrics()


def _count_retry(loop: str) -> None:
    count("Retry", loop=loop)


retry.on_retry(_count_retry)
