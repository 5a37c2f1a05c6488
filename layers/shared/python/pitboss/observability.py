"""Logger and Metrics, built once per process. Log lines are short, lowercase, structured; no PII, no secrets."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="pitboss")
metrics = Metrics(namespace="Pitboss", service="pitboss")
