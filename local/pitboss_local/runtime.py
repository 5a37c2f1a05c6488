"""A tiny Lambda runtime: loads a function's handler from its CodeUri, as Lambda would, into a pool of
isolated instances (one request at a time each, like a Lambda execution environment)."""

from __future__ import annotations

import importlib.util
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pitboss import beside, store
from pitboss_local.template import Function

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: float = 10.0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    function_version: str = "$LATEST"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


_load_lock = threading.Lock()


def load_handler(fn: Function, instance: int) -> Handler:
    from pitboss_local import threadsafe

    threadsafe.install()  # powertools keeps the current event per process; the local stack is threads
    module_file, _, attr = fn.handler.rpartition(".")
    path = fn.code_uri / f"{module_file}.py"
    name = f"pitboss_fn_{fn.logical_id}_{instance}"
    with _load_lock:
        if str(fn.code_uri) not in sys.path:
            sys.path.append(str(fn.code_uri))
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    handler: Handler = getattr(module, attr)
    return handler


@dataclass
class Usage:
    """What a function's invocations took, summed (for `make bench`: Lambda duration and round trips)."""

    invocations: int = 0
    cpu_seconds: float = 0.0  # the invoking thread's CPU time
    wall_seconds: float = 0.0
    round_trips: int = 0  # DynamoDB requests, counted by pitboss.store in the invoking thread

    def per_invocation(self) -> dict[str, float]:
        n = max(1, self.invocations)
        return {
            "invocations": self.invocations,
            "cpu_ms": round(self.cpu_seconds * 1000 / n, 3),
            "wall_ms": round(self.wall_seconds * 1000 / n, 3),
            "round_trips": round(self.round_trips / n, 4),
        }


class FunctionPool:
    """Up to `size` warm instances of one function; a request takes one, like a concurrent Lambda."""

    def __init__(self, fn: Function, size: int = 8) -> None:
        self.fn = fn
        self.size = size
        self._idle: queue.LifoQueue[Handler] = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self.usage = Usage()

    @contextmanager
    def instance(self) -> Iterator[Handler]:
        handler: Handler | None = None
        try:
            handler = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                create = self._created < self.size
                if create:
                    self._created += 1
                    index = self._created
            handler = load_handler(self.fn, index) if create else self._idle.get()
        try:
            yield handler
        finally:
            self._idle.put(handler)

    def invoke(self, event: dict[str, Any]) -> Any:
        with self.instance() as handler:
            round_trips = store.round_trips
            # CPU: this thread's, plus the work the handler ran beside it in threads of its own (usage counts)
            trips, wall = round_trips.count, time.perf_counter()
            cpu = time.thread_time() + beside.cpu_seconds()
            try:
                return handler(event, LambdaContext(function_name=self.fn.logical_id, timeout_seconds=self.fn.timeout))
            finally:
                cpu = time.thread_time() + beside.cpu_seconds() - cpu
                wall = time.perf_counter() - wall
                with self._lock:
                    self.usage.invocations += 1
                    self.usage.cpu_seconds += cpu
                    self.usage.wall_seconds += wall
                    self.usage.round_trips += round_trips.count - trips
