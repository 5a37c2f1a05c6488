"""The stream consumer's loop: one batch of DynamoDB Streams records through the sinks, with Lambda's
partial-failure answer (`ReportBatchItemFailures`). Shared by the Lambda (functions/stream) and the local
stack's stream reader, so both behave the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pitboss import changes
from pitboss.observability import count, logger


def consume(records: Iterable[Mapping[str, Any]], sinks: Sequence[changes.Sink]) -> dict[str, Any]:
    """Runs every sink on every record, in stream order, and answers the records to redeliver.

    A record that can't be read or that a sink fails on is reported; the rest of the batch still runs
    (a poison record does not hold up other players), except later changes of the SAME item, which are
    reported too so one item's changes never overtake each other. Lambda restarts the shard from the lowest
    reported sequence number; sinks are idempotent on the change, so what ran already runs again harmlessly.
    After the function's retries, the record lands in the dead-letter queue (template.yaml)."""
    failed: list[str] = []
    blocked: set[tuple[str, str]] = set()
    for record in records:
        sequence = str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
        try:
            change = changes.from_record(record)
        except Exception:
            logger.exception("unreadable stream record", extra={"sequence": sequence})
            failed.append(sequence)
            continue
        item = (change.pk, change.sk)
        if item in blocked:
            failed.append(sequence)
            continue
        try:
            for sink in sinks:
                sink(change)
        except Exception:
            logger.exception("stream sink failed", extra={"sequence": sequence, "sk": change.sk})
            blocked.add(item)
            failed.append(sequence)
    if failed:
        count("StreamRecordsFailed", len(failed))
    return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}
