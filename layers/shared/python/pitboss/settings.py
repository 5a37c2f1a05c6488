"""Process configuration: one pydantic-settings model read from the environment once and validated; logic
never reads os.environ. Tests and the local stack change the environment, then call reset_settings()."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # Variable names as template.yaml sets them (TABLE_NAME, STAGE, ...), case-insensitive; an empty value
    # counts as unset, so `DYNAMODB_ENDPOINT_URL=` means "real DynamoDB", not an empty URL.
    model_config = SettingsConfigDict(case_sensitive=False, env_ignore_empty=True, extra="ignore")

    table_name: str = Field(default="pitboss", min_length=3)
    dynamodb_endpoint_url: str | None = None
    # Lambda sets AWS_REGION; tools and the local stack usually set AWS_DEFAULT_REGION.
    aws_region: str = Field(default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
