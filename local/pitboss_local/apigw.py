"""An HTTP front that behaves like API Gateway HTTP API for the routes in template.yaml: it matches the
route, runs the Lambda authorizer (payload 2.0, simple responses), builds the payload 2.0 event, invokes
the function and turns its result into the HTTP response."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
import traceback
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pitboss_local import template
from pitboss_local.runtime import FunctionPool

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
LINGER_SECONDS = 1.0  # after refusing a request, how long its unread rest is drained before closing


class _Refused(Exception):
    """A request the front refuses before any function runs (its framing is wrong): status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class Gateway:
    def __init__(self, pool_size: int = 8, auth_cache_seconds: float | None = None) -> None:
        if auth_cache_seconds is not None:
            # A shorter window than the deployed one (tests that revoke a key or change a brand wait less).
            from pitboss import apikeys

            apikeys.CACHE_SECONDS = min(apikeys.CACHE_SECONDS, max(0.0, auth_cache_seconds))
        self.cors = template.cors(os.environ.get("PITBOSS_CORS_ORIGINS"))
        self.routes = template.routes()
        self.functions = template.functions()
        self.pools = {name: FunctionPool(fn, pool_size) for name, fn in self.functions.items()}
        self.authorizer = self._authorizer_name()

    def _authorizer_name(self) -> str | None:
        api = next(
            (r for r in template.load()["Resources"].values() if r.get("Type") == "AWS::Serverless::HttpApi"), None
        )
        if api is None:
            return None
        auth = api["Properties"].get("Auth") or {}
        default = auth.get("DefaultAuthorizer")
        if not default:
            return None
        arn = auth["Authorizers"][default]["FunctionArn"]
        # FunctionArn: !GetAtt AuthorizerFunction.Arn -> {"Fn::GetAtt": "AuthorizerFunction.Arn"}
        ref = arn.get("Fn::GetAtt") if isinstance(arn, dict) else None
        if isinstance(ref, list):
            return str(ref[0])
        return str(ref).split(".")[0] if ref else None

    def match(self, method: str, path: str) -> tuple[template.Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    def handle(
        self, method: str, raw_url: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        """CORS as API Gateway applies a CorsConfiguration: it answers preflights itself (no route needed)
        and sets the CORS headers on every response to a request with an Origin, replacing the function's."""
        lower = _headers(headers)
        origin = lower.get("origin")
        if self.cors is None or not origin:
            return self._handle(method, raw_url, headers, body, source_ip)
        allowed = self.cors.origin_header(origin)
        if method == "OPTIONS" and "access-control-request-method" in lower:
            out: dict[str, str] = {}
            if allowed:
                out = self._cors_headers(allowed)
                out["access-control-allow-methods"] = ",".join(self.cors.allow_methods)
                out["access-control-allow-headers"] = ",".join(self.cors.allow_headers)
                if self.cors.max_age is not None:
                    out["access-control-max-age"] = str(self.cors.max_age)
            return 204, out, b""
        status, out, payload = self._handle(method, raw_url, headers, body, source_ip)
        out = {k: v for k, v in out.items() if not k.startswith("access-control-")}
        if allowed:
            out.update(self._cors_headers(allowed))
            if self.cors.expose_headers:
                out["access-control-expose-headers"] = ",".join(self.cors.expose_headers)
        return status, out, payload

    def _cors_headers(self, allowed: str) -> dict[str, str]:
        assert self.cors is not None
        out = {"access-control-allow-origin": allowed}
        if allowed != "*":
            out["vary"] = "origin"
        if self.cors.allow_credentials:
            out["access-control-allow-credentials"] = "true"
        return out

    def _handle(
        self, method: str, raw_url: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(raw_url)
        path = url.path or "/"
        matched = self.match(method, path)
        if matched is None:
            return _json(404, {"message": "Not Found"})
        route, params = matched
        lower = _headers(headers)
        query = _query(url.query)
        now = datetime.now(UTC)
        request_context: dict[str, Any] = {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lower.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lower.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        }
        cookies = [c.strip() for c in lower.get("cookie", "").split(";") if c.strip()]
        if route.authorized and self.authorizer:
            auth_event = {
                "version": "2.0",
                "type": "REQUEST",
                "routeArn": f"arn:aws:execute-api:us-east-1:123456789012:local/$default/{method}{path}",
                "identitySource": [],
                "routeKey": route.route_key,
                "rawPath": path,
                "rawQueryString": url.query,
                "cookies": cookies or None,
                "headers": lower,
                "queryStringParameters": query or None,
                "requestContext": request_context,
                "pathParameters": params or None,
            }
            try:
                decision = self.pools[self.authorizer].invoke(auth_event)
            except Exception:
                traceback.print_exc()
                return _json(500, {"message": "Internal Server Error"})
            if not isinstance(decision, dict) or not decision.get("isAuthorized"):
                return _json(403, {"message": "Forbidden"})
            request_context["authorizer"] = {"lambda": decision.get("context") or {}}
        text_body: str | None = None
        is_b64 = False
        if body:
            try:
                text_body = body.decode("utf-8")
            except UnicodeDecodeError:
                text_body, is_b64 = base64.b64encode(body).decode(), True
        event = {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": path,
            "rawQueryString": url.query,
            "cookies": cookies or None,
            "headers": lower,
            "queryStringParameters": query or None,
            "requestContext": request_context,
            "pathParameters": params or None,
            "body": text_body,
            "isBase64Encoded": is_b64,
            "stageVariables": None,
        }
        try:
            result = self.pools[route.function].invoke(event)
        except Exception:
            traceback.print_exc()
            return _json(500, {"message": "Internal Server Error"})
        return _response(result)


def _headers(headers: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    return merged


def _query(raw: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


def _response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """Payload 2.0 response rules: a dict with statusCode is used as is; anything else is JSON 200."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return _json(200, result)
    headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = ",".join(str(v) for v in values)
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    if result.get("cookies"):
        headers["set-cookie"] = "; ".join(result["cookies"])
    return int(result["statusCode"]), headers, body


class _Handler(BaseHTTPRequestHandler):
    server_version = "pitboss-local"
    protocol_version = "HTTP/1.1"
    # One send per response, with Nagle off. The default handler writes the headers and then the body in
    # two small sends; with Nagle on, the body waited for the client's delayed ACK of the headers (40 ms
    # on Linux), which was most of a local request's time. Buffered, both leave together when
    # handle_one_request flushes; a body larger than the buffer goes straight out after the headers.
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024
    gateway: Gateway
    quiet = False
    # How long a declared body may take to arrive in full: then 408 and the connection closes, as API Gateway
    # does (a client that never sends its body must not hold a thread forever). Tests make it short.
    body_timeout = float(os.environ.get("PITBOSS_BODY_TIMEOUT_SECONDS", "30"))
    # The standard library's own refusals (414 URI too long, 431 headers, 400 bad request line) answer like
    # API Gateway's: JSON {"message": ...}, never an HTML page.
    error_message_format = '{"message": "%(message)s"}'
    error_content_type = "application/json"
    _linger = False

    def _serve(self) -> None:
        try:
            raw = self._body()
        except _Refused as refused:
            status, headers, body = _json(refused.status, {"message": refused.message})
            headers["connection"] = "close"
            self.close_connection = self._linger = True
        else:
            status, headers, body = self.gateway.handle(
                self.command, self.path, dict(self.headers.items()), raw, self.client_address[0]
            )
        self.send_response(status)
        for name, value in headers.items():
            if name not in ("content-length", "connection"):
                self.send_header(name, value)
        if headers.get("connection") == "close":
            self.send_header("connection", "close")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes:
        """The request body by its framing: one numeric Content-Length (no header: no body) or chunked
        transfer coding; anything else is refused (400, 413 over the payload limit, 408 when it stalls)."""
        encoding = (self.headers.get("transfer-encoding") or "").strip().lower()
        declared = {v.strip() for v in self.headers.get_all("content-length") or []}
        if encoding:
            if encoding != "chunked" or declared:  # both framings at once is how requests get smuggled
                raise _Refused(400, "Bad Request")
            return self._chunked()
        if not declared:
            return b""
        if len(declared) != 1 or not next(iter(declared)).isdigit():
            raise _Refused(400, "Bad Request")
        length = int(next(iter(declared)))
        if length > MAX_BODY:
            raise _Refused(413, "Request Entity Too Large")
        return self._read(length, time.monotonic() + self.body_timeout)

    def _read(self, length: int, deadline: float, line: bool = False) -> bytes:
        """`length` bytes (or one line of at most `length`) before `deadline`, else 408."""
        out = bytearray()
        try:
            while len(out) < length:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Refused(408, "Request Timeout")
                self.connection.settimeout(left)
                piece = self.rfile.readline(length - len(out)) if line else self.rfile.read1(length - len(out))
                if not piece:
                    raise _Refused(400, "Bad Request")  # the client closed before its body was complete
                out += piece
                if line and out.endswith(b"\n"):
                    break
        except TimeoutError:
            raise _Refused(408, "Request Timeout") from None
        finally:
            self.connection.settimeout(self.timeout)
        return bytes(out)

    def _chunked(self) -> bytes:
        deadline = time.monotonic() + self.body_timeout
        out = bytearray()
        while True:
            size_line = self._read(1024, deadline, line=True)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _Refused(400, "Bad Request") from None
            if size < 0:
                raise _Refused(400, "Bad Request")
            if size == 0:
                while self._read(8 * 1024, deadline, line=True) not in (b"\r\n", b"\n"):
                    pass  # trailer fields: read and dropped
                return bytes(out)
            if len(out) + size > MAX_BODY:
                raise _Refused(413, "Request Entity Too Large")
            out += self._read(size, deadline)
            if self._read(2, deadline, line=True) not in (b"\r\n", b"\n"):
                raise _Refused(400, "Bad Request")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self._linger = True
        super().send_error(code, message, explain)

    def finish(self) -> None:
        """After a refusal, the client may still be sending (a long URI, a body we did not read): closing a
        socket with unread input resets the connection and can destroy the answer in flight. Shut our side,
        drain what arrives for a moment, then close: the client reads its 4xx."""
        super().finish()
        if not self._linger:
            return
        try:
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(64 * 1024):
                    break
        except OSError:
            pass

    def __getattr__(self, name: str) -> Any:
        # Any method (TRACE, CONNECT, PROPFIND...) goes through route matching, as in API Gateway.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Like the deployed access log ($context.path): no query string, which may carry a link token
        # (?hash=) that must never reach a log line.
        if not self.quiet:
            path = urlsplit(self.path).path
            self.log_message('"%s %s" %s %s', self.command, path, str(code), str(size))

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a burst of concurrent clients (20 providers' bets at
    # once) overflowed it and got connections reset. API Gateway takes bursts; so does this.
    request_queue_size = 1024


class LocalApi:
    """The HTTP server on 127.0.0.1:port, served from a background thread."""

    def __init__(
        self, port: int, pool_size: int = 8, quiet: bool = False, auth_cache_seconds: float | None = None
    ) -> None:
        gateway = Gateway(pool_size, auth_cache_seconds)
        handler = type("Handler", (_Handler,), {"gateway": gateway, "quiet": quiet})
        self.server = _Server(("127.0.0.1", port), handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, name="pitboss-api", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/v1/openapi.json", timeout=2):  # noqa: S310 - loopback
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")
