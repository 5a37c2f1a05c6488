"""Helpers shared by the tests: tenants with keys, a small HTTP client, unique names."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests

BIN = Path(sys.executable).parent
# The e2e stack's authorizer cache window (deployed: apikeys.CACHE_SECONDS, 10 s): a revoked key or a changed
# brand setting reaches the API within it, so tests that change one wait this long at most.
AUTH_CACHE_SECONDS = 1.0
T = TypeVar("T")


def at(when: datetime | str) -> None:
    """Pins pitboss's clock at `when` (a datetime, or an ISO string; a naive one is UTC) until the next pin or
    the end of the test (the autouse fixture resets it)."""
    from pitboss import clock

    moment = datetime.fromisoformat(when.replace("Z", "+00:00")) if isinstance(when, str) else when
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    clock.set_clock(lambda: moment)


def unique(prefix: str = "p") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class Tenant:
    tenant_id: str
    brands: list[dict[str, Any]]
    live_key: str
    test_key: str

    @property
    def brand_id(self) -> int:
        return int(self.brands[0]["brand_id"])


def make_tenant(*brands: tuple[str, str]) -> Tenant:
    """A new tenant with the given (name, currency) brands (default one USD brand) and its two keys,
    written in process to whatever table the test points at (moto or DynamoDB Local)."""
    from pitboss_local.cli import create_tenant_with_keys

    created = create_tenant_with_keys(unique("tenant-"), list(brands) or [("Brand USD", "USD")])
    return Tenant(**created)


class LocalStackProcess:
    """`pitboss dev` as a subprocess; tenants are made with `pitboss create-tenant --json`, as a user would."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "PITBOSS_DATA_DIR": str(data_dir), "PORT": str(self.port)}
        # Webhook retries (issue 14 §2) a fraction of a second apart instead of 30 s, so retry tests are fast.
        self.env.setdefault("WEBHOOK_RETRY_BASE_SECONDS", "0.2")
        self.env.pop("TABLE_NAME", None)
        self.env.pop("DYNAMODB_ENDPOINT_URL", None)

    def start(self, timeout: float = float(os.environ.get("PITBOSS_STACK_START_SECONDS", "180"))) -> LocalStackProcess:
        self.log = (self.data_dir / "stack.log").open("wb")
        self.process = subprocess.Popen(
            [
                str(BIN / "pitboss"),
                *("dev", "--quiet", "--schedule-seconds", "2", "--auth-cache-seconds", str(AUTH_CACHE_SECONDS)),
            ],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pitboss dev exited: {(self.data_dir / 'stack.log').read_text()[-3000:]}")
            if (self.data_dir / "demo-credentials.json").exists():
                try:
                    if requests.get(f"{self.url}/v1/openapi.json", timeout=2).status_code == 200:
                        return self
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("pitboss dev did not come up")

    @property
    def demo(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.data_dir / "demo-credentials.json").read_text())
        return data

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "pitboss"), *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )

    def table(self) -> Any:
        """The stack's own DynamoDB Local table (boto3 resource): a test moves stored timestamps instead of
        sleeping until a real clock gets there."""
        import boto3

        info = json.loads((self.data_dir / "stack.json").read_text())
        resource = boto3.resource("dynamodb", endpoint_url=info["dynamodb_endpoint"], region_name="us-east-1")
        return resource.Table(info["table_name"])

    def tenant(self, *brands: tuple[str, str]) -> Tenant:
        brand_args: list[str] = []
        for name, currency in brands or (("Brand USD", "USD"),):
            brand_args += ["--brand", f"{name}:{currency}"]
        done = self.cli("create-tenant", "--name", unique("tenant-"), *brand_args, "--json")
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return Tenant(**json.loads(done.stdout))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Api:
    """requests against the local stack, with the key set per call."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def call(
        self, method: str, path: str, key: str | None = None, json: Any = None, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return self.session.request(method, self.base_url + path, json=json, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, key: str | None = None, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, key, **kwargs)

    def post(self, path: str, key: str | None = None, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, key, json=json, **kwargs)

    def patch(self, path: str, key: str | None = None, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("PATCH", path, key, json=json, **kwargs)


def eventually(read: Callable[[], T], until: Callable[[T], bool], within: float = AUTH_CACHE_SECONDS + 2) -> T:
    """Reads until `until` holds or `within` seconds have passed, and returns the last reading (the caller
    asserts on it): for what the authorizer's cache window may hold back."""
    deadline = time.monotonic() + within
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}
