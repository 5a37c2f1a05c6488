"""A webhook receiver for `make dev`: verifies each delivery's Pitboss-Signature and prints the event.

    python -m pitboss_local.receiver --port 9000 --secret whsec_...

It answers 200 to a verified delivery, 400 to a bad signature; `--fail-first N` answers 500 to the first N
deliveries (to watch retries). The tests use `Receiver` the same way."""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pitboss.webhooks.rules import SIGNATURE_HEADER, verify


class Receiver:
    def __init__(
        self,
        port: int = 0,
        secret: str = "",
        fail_first: int = 0,
        echo: bool = False,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.secret = secret
        self.now = now  # what "recent" means for the signature's timestamp (tests freeze the clock)
        self.fail_first = fail_first
        self.echo = echo
        self.lock = threading.Lock()
        self.calls: list[dict[str, Any]] = []  # every request: status answered, event id, verified
        self.accepted: list[dict[str, Any]] = []  # events answered 2xx (verified)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.handle(self.headers.get(SIGNATURE_HEADER, ""), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    def handle(self, header: str, body: bytes) -> int:
        ok = bool(self.secret) and verify(self.secret, header, body, int(self.now()))
        event = json.loads(body) if body else {}
        with self.lock:
            if not ok:
                status = 400
            elif self.fail_first > 0:
                self.fail_first -= 1
                status = 500
            else:
                status = 200
                self.accepted.append(event)
            self.calls.append({"status": status, "event_id": event.get("id"), "verified": ok})
        if self.echo:
            mark = "verified" if ok else "BAD SIGNATURE"
            print(f"{status} {mark} {event.get('type')} {event.get('id')}\n{json.dumps(event, indent=2)}", flush=True)
        return status

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pitboss_local.receiver", description=__doc__)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", required=True, help="the webhook's signing secret (POST /v1/webhooks answer)")
    parser.add_argument("--fail-first", type=int, default=0, help="answer 500 to this many deliveries first")
    args = parser.parse_args(argv)
    receiver = Receiver(args.port, args.secret, args.fail_first, echo=True)
    print(f"listening on {receiver.url} (Ctrl-C stops)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        receiver.server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
