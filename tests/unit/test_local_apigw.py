"""The local API Gateway front's own behaviour (no functions invoked)."""

from __future__ import annotations

import io
import socket
from typing import Any

from pitboss_local.apigw import _Handler


def test_access_log_lines_carry_no_query_string() -> None:
    """Verify links put their token in ?hash=: the access log shows the path only, as the deployed one."""
    handler: Any = _Handler.__new__(_Handler)
    handler.command, handler.path, handler.quiet = "POST", "/gateway/admission/v1/verify/email/1?hash=s3cret", False
    lines: list[str] = []
    handler.log_message = lambda fmt, *args: lines.append(fmt % args)
    handler.log_request(200, 42)
    assert lines == ['"POST /gateway/admission/v1/verify/email/1" 200 42']


class _Wire(io.RawIOBase):
    """The server side of a connection: what the handler reads, and each send it makes."""

    def __init__(self, request: bytes) -> None:
        self.request = io.BytesIO(request)
        self.sends: list[bytes] = []
        self.options: list[tuple[int, int, int]] = []

    def makefile(self, mode: str, buffering: int = -1) -> Any:
        if "r" in mode:
            return self.request
        return io.BufferedWriter(self, buffering) if buffering else self

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sends.append(bytes(data))
        return len(data)

    def sendall(self, data: bytes) -> None:
        self.sends.append(bytes(data))

    def setsockopt(self, level: int, name: int, value: int) -> None:
        self.options.append((level, name, value))

    def settimeout(self, value: float | None) -> None:
        pass


class _Gateway:
    def handle(self, *_args: Any) -> tuple[int, dict[str, str], bytes]:
        return 201, {"content-type": "application/json"}, b'{"ok":true}'


def test_a_response_leaves_in_one_send_with_nagle_off() -> None:
    """Headers and body in two sends with Nagle on made every local request wait for the client's
    delayed ACK (~40 ms): the response goes out in one send, on a TCP_NODELAY socket."""
    wire = _Wire(b"POST /v1/players/x/bets HTTP/1.1\r\nHost: local\r\nContent-Length: 2\r\n\r\n{}")
    handler = type("H", (_Handler,), {"gateway": _Gateway(), "quiet": True})
    server: Any = type("S", (), {"shutdown_request": lambda *_: None})()
    handler(wire, ("127.0.0.1", 5555), server)
    assert (socket.IPPROTO_TCP, socket.TCP_NODELAY, True) in wire.options
    assert len(wire.sends) == 1, wire.sends
    head, _, body = wire.sends[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201") and body == b'{"ok":true}'
