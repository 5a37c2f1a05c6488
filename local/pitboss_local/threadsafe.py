"""Makes powertools' event handler safe for the local stack's threads.

powertools keeps the event being resolved in a CLASS attribute (`BaseRouter.current_event = ...`), which
is right for Lambda (one event per process at a time) but lets concurrent requests of the local stack,
which run as threads of one process, read each other's event: the body, the path and the authorizer
context (the caller's tenant). Here those two attributes become per-thread, for every resolver."""

from __future__ import annotations

import threading
from abc import ABCMeta
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter


class _PerThread:
    """A data descriptor whose value is per thread, whether set on the class or read through an instance."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.local = threading.local()

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        try:
            return self.local.value
        except AttributeError:
            raise AttributeError(self.name) from None

    def __set__(self, obj: Any, value: Any) -> None:
        self.local.value = value


_EVENT = _PerThread("current_event")
_CONTEXT = _PerThread("lambda_context")


class _PerThreadMeta(ABCMeta):
    # `BaseRouter.current_event = x` is an assignment on the class: only a metaclass descriptor sees it.
    current_event = _EVENT
    lambda_context = _CONTEXT


def install() -> None:
    if type(BaseRouter) is _PerThreadMeta:
        return
    type.__setattr__(BaseRouter, "current_event", _EVENT)  # read through instances
    type.__setattr__(BaseRouter, "lambda_context", _CONTEXT)
    BaseRouter.__class__ = _PerThreadMeta  # type: ignore[assignment]
