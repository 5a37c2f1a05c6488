"""The table's stream, read from DynamoDB Local (DescribeStream / GetShardIterator / GetRecords) and handed
to the very StreamFunction handler Lambda runs, as a DynamoDB Streams event; then the webhook delivery
function runs, so under `make dev` events reach a webhook receiver within a second or two.

Like Lambda's event source mapping: records of a shard go in order; a batch answer's `batchItemFailures`
makes the reader start again at the lowest failed record; a record that keeps failing is set aside after
MAX_ATTEMPTS (printed: the local dead-letter queue) and the shard moves on."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

Invoke = Callable[[dict[str, Any]], Any]
MAX_ATTEMPTS = 3
BATCH = 100
AFTER_EVERY = 0.5


def _raw_records(http_response: Any, parsed: dict[str, Any], **_kwargs: Any) -> None:
    if getattr(http_response, "status_code", 500) == 200:
        parsed["Records"] = json.loads(http_response.content).get("Records", [])


class StreamReader:
    def __init__(
        self, endpoint: str, table_name: str, consume: Invoke, after: Callable[[], Any] | None, every: float = 0.3
    ) -> None:
        self.client = boto3.client(
            "dynamodbstreams",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - DynamoDB Local ignores credentials
            config=Config(retries={"max_attempts": 2}, connect_timeout=2, read_timeout=10),
        )
        # Records exactly as Lambda delivers them (JSON: binary as base64, empty maps as {"M": {}}), not as
        # botocore parses them (bytes, and empty maps lose their type tag).
        self.client.meta.events.register("after-call.dynamodbstreams.GetRecords", _raw_records)
        self.tables = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106
        )
        self.table_name = table_name
        self.consume = consume
        self.after = after
        self.every = every
        self.stop_event = threading.Event()
        self.iterators: dict[str, str | None] = {}  # shard id -> next iterator (None: closed, done)
        self.failures: dict[str, int] = {}  # sequence number -> failed attempts
        self.thread = threading.Thread(target=self._run, name="pitboss-stream", daemon=True)
        self.stream_arn = ""

    def start(self) -> StreamReader:
        self.stream_arn = self.tables.describe_table(TableName=self.table_name)["Table"].get("LatestStreamArn", "")
        if not self.stream_arn:
            raise RuntimeError("the table has no stream (template.yaml StreamSpecification)")
        # Start at the end of existing shards (a restarted `make dev` does not replay old history);
        # shards that appear later are read from their start.
        self._discover(first="LATEST")
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)

    def _discover(self, first: str = "TRIM_HORIZON") -> None:
        shards = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"].get("Shards", [])
        for shard in shards:
            sid = shard["ShardId"]
            if sid in self.iterators:
                continue
            self.iterators[sid] = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=sid, ShardIteratorType=first
            )["ShardIterator"]

    def _run(self) -> None:
        last_discovery = last_after = time.monotonic()
        while not self.stop_event.wait(self.every):
            try:
                if time.monotonic() - last_discovery > 2:
                    self._discover()
                    last_discovery = time.monotonic()
                consumed = sum(self._read(sid) for sid in list(self.iterators))
                # At once after new records (a fan-out may have queued deliveries), else twice a second
                # (retries falling due), so an idle stack costs DynamoDB Local little.
                if self.after is not None and (consumed or time.monotonic() - last_after >= AFTER_EVERY):
                    last_after = time.monotonic()
                    self.after()
            except Exception as exc:  # the dev stack keeps going; the next round tries again
                print(f"stream reader: {type(exc).__name__}: {exc}", flush=True)

    def _read(self, sid: str) -> int:
        """Reads and consumes one batch of the shard; the number of records read."""
        iterator = self.iterators.get(sid)
        if iterator is None:
            return 0
        response = self.client.get_records(ShardIterator=iterator, Limit=BATCH)
        records = response.get("Records", [])
        self.iterators[sid] = response.get("NextShardIterator")
        if not records:
            return 0
        for record in records:
            record.setdefault("eventSource", "aws:dynamodb")
            record.setdefault("eventSourceARN", self.stream_arn)
            record.setdefault("awsRegion", "us-east-1")
        answer = self.consume({"Records": records}) or {}
        failed = [str(f["itemIdentifier"]) for f in answer.get("batchItemFailures") or []]
        if not failed:
            return len(records)
        lowest = min(failed, key=int)
        self.failures[lowest] = self.failures.get(lowest, 0) + 1
        if self.failures[lowest] >= MAX_ATTEMPTS:
            print(f"stream record {lowest} failed {MAX_ATTEMPTS} times: set aside (dead letter)", flush=True)
            kind = "AFTER_SEQUENCE_NUMBER"
        else:
            kind = "AT_SEQUENCE_NUMBER"
        self.iterators[sid] = self.client.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=sid, ShardIteratorType=kind, SequenceNumber=lowest
        )["ShardIterator"]
        return len(records)
