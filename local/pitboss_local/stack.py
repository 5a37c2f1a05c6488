"""The whole local stack in one process: DynamoDB Local, the table, the HTTP API and the schedules."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pitboss_local import ddb, template
from pitboss_local.apigw import LocalApi
from pitboss_local.streams import StreamReader

TABLE_NAME = "pitboss"
# Functions the stream reader runs right after each read (every ~0.3 s), not on their schedule's timer.
STREAM_FUNCTION = "StreamFunction"
AFTER_STREAM = ("WebhookDeliveryFunction",)


def data_dir() -> Path:
    return Path(os.environ.get("PITBOSS_DATA_DIR", ".pitboss")).resolve()


def stack_file(base: Path) -> Path:
    return base / "stack.json"


def apply_env(endpoint: str, table_name: str) -> None:
    """Points this process (handlers, CLI) at the local database, as template.yaml's Globals do in AWS."""
    os.environ.update(ddb.local_env(endpoint, table_name))
    from pitboss.settings import reset_settings
    from pitboss.store import reset_clients

    reset_settings()
    reset_clients()


@dataclass
class Stack:
    db: ddb.DynamoDBLocal
    api: LocalApi
    table_name: str
    scheduler: threading.Thread | None = None
    _stop: threading.Event | None = None
    stream: StreamReader | None = None

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self.stream is not None:
            self.stream.stop()
        self.api.stop()
        self.db.stop()


def start(
    *,
    port: int = 0,
    db_dir: Path | None = None,
    db_port: int | None = None,
    table_name: str = TABLE_NAME,
    pool_size: int = 8,
    quiet: bool = True,
    schedule_seconds: float | None = None,
    auth_cache_seconds: float | None = None,
) -> Stack:
    db = ddb.DynamoDBLocal(port=db_port, data_dir=db_dir).start()
    try:
        ddb.create_table(db.client(), table_name)
        apply_env(db.endpoint, table_name)
        api = LocalApi(port, pool_size=pool_size, quiet=quiet, auth_cache_seconds=auth_cache_seconds)
        # Links in queued messages point at this stack, whatever port it got.
        os.environ.setdefault("PUBLIC_GATEWAY_URL", api.url)
        from pitboss.settings import reset_settings

        reset_settings()
        api.start()
    except BaseException:
        db.stop()
        raise
    stack = Stack(db=db, api=api, table_name=table_name)
    stack.stream = _read_stream(api, db.endpoint, table_name)
    if schedule_seconds:
        stack._stop = threading.Event()
        stack.scheduler = threading.Thread(
            target=_run_schedules, args=(api, stack._stop, schedule_seconds), name="pitboss-schedules", daemon=True
        )
        stack.scheduler.start()
    return stack


def _read_stream(api: LocalApi, endpoint: str, table_name: str) -> StreamReader | None:
    """The table's stream into the same StreamFunction handler Lambda runs (issue 14: events under make dev)."""
    from pitboss_local.events import scheduled_event

    pools = api.server.RequestHandlerClass.gateway.pools  # type: ignore[attr-defined]
    if STREAM_FUNCTION not in pools:
        return None

    def after() -> None:
        for name in AFTER_STREAM:
            if name in pools:
                pools[name].invoke(scheduled_event(name))

    return StreamReader(endpoint, table_name, pools[STREAM_FUNCTION].invoke, after).start()


def _run_schedules(api: LocalApi, stop: threading.Event, every: float) -> None:
    """Invokes each scheduled function every `every` seconds, with an EventBridge scheduled event."""
    from pitboss_local.events import scheduled_event

    gateway = api.server.RequestHandlerClass.gateway  # type: ignore[attr-defined]
    while not stop.wait(every):
        for name in template.schedules():
            if name in AFTER_STREAM:
                continue
            try:
                gateway.pools[name].invoke(scheduled_event(name))
            except Exception as exc:
                print(f"schedule {name} failed: {exc}", flush=True)


def write_stack_file(base: Path, stack: Stack) -> None:
    base.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {
        "api_url": stack.api.url,
        "dynamodb_endpoint": stack.db.endpoint,
        "table_name": stack.table_name,
        "pid": os.getpid(),
    }
    stack_file(base).write_text(json.dumps(info, indent=2))
