"""Issue 10 #6: the local front answers like API Gateway and never drops a connection, whatever the framing:
a URI over 64 KiB is 414, a bad or oversized Content-Length 400/413, a body that never arrives 408. Raw
sockets against the real server class (a stub behind it: no function runs)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pitboss_local import apigw


class _Echo:
    """Stands for the gateway: answers 200 with the body it was given."""

    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes, ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        return 200, {"content-type": "application/json"}, json.dumps({"got": body.decode()}).encode()


@pytest.fixture
def server() -> Iterator[tuple[str, int]]:
    handler = type("H", (apigw._Handler,), {"gateway": _Echo(), "quiet": True, "body_timeout": 0.5})
    srv = apigw._Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", int(srv.server_address[1])
    srv.shutdown()
    srv.server_close()


def _exchange(address: tuple[str, int], raw: bytes, then: bytes = b"") -> tuple[int, dict[str, str], Any]:
    """Sends `raw` (then `then`, unread by a refusing server), reads ONE whole response: status, headers, JSON."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(raw)
        if then:
            with contextlib.suppress(OSError):  # the server may already have answered and shut its side
                sock.sendall(then)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"connection dropped without an answer: {data!r}"
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection dropped mid-answer"
            rest += chunk
        return status, headers, json.loads(rest[:length])


def _post(headers: str, body: bytes = b"") -> bytes:
    return f"POST /v1/players HTTP/1.1\r\nHost: local\r\n{headers}\r\n".encode() + body


def test_a_well_framed_request_reaches_the_function(server: tuple[str, int]) -> None:
    assert _exchange(server, _post("Content-Length: 2\r\n", b"{}"))[::2] == (200, {"got": "{}"})
    assert _exchange(server, _post("", b""))[::2] == (200, {"got": ""})  # no Content-Length: no body
    chunked = b'4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n'
    assert _exchange(server, _post("Transfer-Encoding: chunked\r\n", chunked))[::2] == (200, {"got": '{"a":1}'})


def test_a_uri_over_64_kib_is_414(server: tuple[str, int]) -> None:
    raw = b"GET /v1/players?q=" + b"x" * (65 * 1024) + b" HTTP/1.1\r\nHost: local\r\n\r\n"
    status, headers, body = _exchange(server, raw)
    assert (status, body) == (414, {"message": "Request-URI Too Long"})
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"


@pytest.mark.parametrize(
    "header",
    ["Content-Length: ten\r\n", "Content-Length: -1\r\n", "Content-Length: 2\r\nContent-Length: 3\r\n",
     "Transfer-Encoding: gzip\r\n", "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n"],
)  # fmt: skip
def test_a_bad_content_length_or_framing_is_400(server: tuple[str, int], header: str) -> None:
    status, headers, body = _exchange(server, _post(header), then=b"{}")
    assert (status, body, headers["connection"]) == (400, {"message": "Bad Request"}, "close")


def test_an_oversized_content_length_is_413_without_reading_it(server: tuple[str, int]) -> None:
    status, headers, body = _exchange(server, _post(f"Content-Length: {apigw.MAX_BODY + 1}\r\n"), then=b"x" * 4096)
    assert (status, body, headers["connection"]) == (413, {"message": "Request Entity Too Large"}, "close")


def test_an_oversized_chunked_body_is_413(server: tuple[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apigw, "MAX_BODY", 10)
    chunk = b"b\r\n" + b"x" * 11 + b"\r\n0\r\n\r\n"
    assert _exchange(server, _post("Transfer-Encoding: chunked\r\n", chunk))[0] == 413


@pytest.mark.parametrize("sent", [b"", b'{"a":'])
def test_a_body_that_never_arrives_is_408(server: tuple[str, int], sent: bytes) -> None:
    status, headers, body = _exchange(server, _post("Content-Length: 100\r\n", sent))
    assert (status, body, headers["connection"]) == (408, {"message": "Request Timeout"}, "close")
