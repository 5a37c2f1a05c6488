"""Process configuration: one pydantic model read from the environment once and validated; logic never
reads os.environ. Tests and the local stack change the environment, then call reset_settings()."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

# A plain model filled from os.environ here, not pydantic-settings: its import (sources for dotenv files,
# secrets managers, CLIs) cost about a third of a bare boto3 client's cold start on every function that
# imports this module (`make coldstart`, docs/performance.md), for three lines of reading done below.


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(default="pitboss", min_length=3)
    dynamodb_endpoint_url: str | None = None
    aws_region: str = "us-east-1"
    idempotency_ttl_days: int = Field(default=120, ge=1)
    stage: str = "local"
    event_bus_name: str | None = None
    public_gateway_url: str = "http://127.0.0.1:3000"
    # Webhooks (issue 14 §2): the retry schedule (exponential from base, capped, with jitter) inside a window,
    # after which the endpoint is marked failing. The local stack's tests shorten the base.
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_retry_window_seconds: float = Field(default=3 * 86400.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)


# A field's variables, first found wins. Lambda sets AWS_REGION; tools and the local stack usually set
# AWS_DEFAULT_REGION. Every other field reads its own name in capitals (TABLE_NAME, STAGE, ...).
VARIABLES = {"aws_region": ("AWS_REGION", "AWS_DEFAULT_REGION")}


def from_environment(environ: Mapping[str, str] = os.environ) -> Settings:
    """The settings the environment names: variable names case-insensitive, an empty value unset (so
    `DYNAMODB_ENDPOINT_URL=` means "real DynamoDB", not an empty URL); raises pydantic's ValidationError."""
    found = {name.upper(): value for name, value in environ.items() if value}
    values = {}
    for field in Settings.model_fields:
        for variable in VARIABLES.get(field, (field.upper(),)):
            if variable in found:
                values[field] = found[variable]
                break
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return from_environment()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
