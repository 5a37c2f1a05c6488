"""Process settings come from the environment once, validated (a pydantic model); tests reset them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from pitboss.settings import from_environment, get_settings, reset_settings

NAMES = ("TABLE_NAME", "DYNAMODB_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "IDEMPOTENCY_TTL_DAYS", "STAGE")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    yield monkeypatch
    reset_settings()


def test_defaults_without_environment(env: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    assert (settings.table_name, settings.aws_region, settings.stage) == ("pitboss", "us-east-1", "local")
    assert settings.dynamodb_endpoint_url is None and settings.idempotency_ttl_days == 120


def test_environment_is_read_once_until_reset(env: pytest.MonkeyPatch) -> None:
    env.setenv("TABLE_NAME", "pitboss-prod")
    env.setenv("DYNAMODB_ENDPOINT_URL", "")  # empty means unset: the real endpoint
    env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert get_settings().table_name == "pitboss-prod"
    assert get_settings().dynamodb_endpoint_url is None and get_settings().aws_region == "eu-west-1"
    env.setenv("TABLE_NAME", "other")
    env.setenv("AWS_REGION", "us-west-2")  # Lambda's own variable wins over the tools' one
    assert get_settings().table_name == "pitboss-prod"
    reset_settings()
    assert (get_settings().table_name, get_settings().aws_region) == ("other", "us-west-2")


def test_invalid_settings_are_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("IDEMPOTENCY_TTL_DAYS", "0")
    with pytest.raises(ValidationError):
        get_settings()


def test_variable_names_are_case_insensitive_and_empty_is_unset() -> None:
    """As pydantic-settings read them (case_sensitive=False, env_ignore_empty=True) before the model was
    filled by hand to keep pydantic-settings' import off every cold start."""
    settings = from_environment({"table_name": "pitboss-lower", "Stage": "prod", "EVENT_BUS_NAME": "", "X": "y"})
    assert (settings.table_name, settings.stage, settings.event_bus_name) == ("pitboss-lower", "prod", None)
    assert from_environment({"WEBHOOK_RETRY_BASE_SECONDS": "0.5"}).webhook_retry_base_seconds == 0.5


def test_the_settings_do_not_import_pydantic_settings() -> None:
    code = "import sys, pitboss.settings as s\ns.get_settings()\nprint('pydantic_settings' in sys.modules)"
    layer = Path(__file__).resolve().parents[2] / "layers" / "shared" / "python"
    env = {**os.environ, "PYTHONPATH": str(layer)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
