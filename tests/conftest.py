"""Fixtures for the three test layers: unit (moto, in process), integration (DynamoDB Local, started and
stopped by this session) and e2e (HTTP against the local stack, started and stopped by this session)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"

# Credentials and region for boto3 before any client exists (moto and DynamoDB Local ignore them).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return data


def _point_at(endpoint: str | None, table: str) -> None:
    from pitboss.settings import reset_settings
    from pitboss.store import reset_clients

    os.environ["TABLE_NAME"] = table
    if endpoint:
        os.environ["DYNAMODB_ENDPOINT_URL"] = endpoint
    else:
        os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
    reset_settings()
    reset_clients()


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    from pitboss import clock

    clock.set_clock(None)


@pytest.fixture
def moto_table() -> Iterator[str]:
    """A fresh table on moto, created from template.yaml's own definition."""
    import boto3
    from moto import mock_aws

    from pitboss_local import template
    from tests import moto_backup, moto_serial

    moto_backup.install()
    moto_serial.install()
    with mock_aws():
        name = f"pitboss-{uuid.uuid4().hex[:8]}"
        _point_at(None, name)
        boto3.client("dynamodb", region_name="us-east-1").create_table(**template.table_definition(name))
        yield name
        _point_at(None, "pitboss")


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[Any]:
    """One in-memory DynamoDB Local for the session (Amazon's jar from the npm package, on Java)."""
    from pitboss_local import ddb

    db = ddb.DynamoDBLocal().start()
    yield db
    db.stop()


@pytest.fixture
def ddb_table(dynamodb_local: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh table on DynamoDB Local, created from template.yaml."""
    from pitboss_local import ddb

    if request.node.get_closest_marker("integration") is None:  # `make unit` must not need Java
        pytest.fail("this test uses DynamoDB Local: mark it @pytest.mark.integration or move it to tests/integration")

    name = f"pitboss-{uuid.uuid4().hex[:8]}"
    ddb.create_table(dynamodb_local.client(), name)
    _point_at(dynamodb_local.endpoint, name)
    yield name
    dynamodb_local.client().delete_table(TableName=name)
    _point_at(None, "pitboss")


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`pitboss dev` in a subprocess, exactly as `make dev` runs it, on a free port and a fresh data dir."""
    from tests.support import LocalStackProcess

    stack = LocalStackProcess(tmp_path_factory.mktemp("pitboss-data")).start()
    yield stack
    stack.stop()


@pytest.fixture
def api(local_stack: Any) -> Any:
    from tests.support import Api

    return Api(local_stack.url)


@pytest.fixture
def tenant_factory() -> Any:
    """Creates tenants (with a live and a test key) in whatever table the test points at."""
    from tests.support import make_tenant

    return make_tenant


@pytest.fixture(params=["moto", "dynamodb_local"])
def table(request: pytest.FixtureRequest) -> str:
    """Runs a test on moto and again on DynamoDB Local: behaviour must not depend on the backend."""
    name: str = request.getfixturevalue("moto_table" if request.param == "moto" else "ddb_table")
    return name


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.fspath)
        if "/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
        elif "/browser/" in path:  # a browser against the local stack: e2e too, so `make unit` leaves it out
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.e2e)
        elif "/integration/" in path or "dynamodb_local" in item.name:
            item.add_marker(pytest.mark.integration)
