"""Process configuration, read from the environment once and validated; logic never reads os.environ."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field


class Settings(BaseModel):
    table_name: str = Field(default="pitboss", min_length=3)
    dynamodb_endpoint_url: str | None = None
    aws_region: str = "us-east-1"
    idempotency_ttl_days: int = Field(default=120, ge=1)
    stage: str = "local"
    event_bus_name: str | None = None
    public_gateway_url: str = "http://127.0.0.1:3000"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", "pitboss"),
        dynamodb_endpoint_url=env.get("DYNAMODB_ENDPOINT_URL") or None,
        aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        idempotency_ttl_days=int(env.get("IDEMPOTENCY_TTL_DAYS", "120")),
        stage=env.get("STAGE", "local"),
        event_bus_name=env.get("EVENT_BUS_NAME") or None,
        public_gateway_url=env.get("PUBLIC_GATEWAY_URL", "http://127.0.0.1:3000"),
    )


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
