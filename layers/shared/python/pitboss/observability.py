"""Logger and Metrics, built once per process. Log lines are short, lowercase, structured; no PII, no secrets."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

NAMESPACE = "Pitboss"
SERVICE = "pitboss"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count(name: str, **dims: str) -> None:
    """One occurrence of `name` (a Count metric) with its own dimensions, e.g. count("movements", type="debit").

    Flushed at once as its own EMF record: the shared `metrics` object holds one dimension set per flush, so
    two counts with different dimensions in one invocation would otherwise be merged under the last one.
    Nothing is printed when POWERTOOLS_METRICS_DISABLED is set (tests, the bench)."""
    metric = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
    for dim, value in dims.items():
        metric.add_dimension(name=dim, value=value)
    metric.add_metric(name=name, unit=MetricUnit.Count, value=1)
    metric.flush_metrics()
