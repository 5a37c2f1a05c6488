"""Webhook API input and output models (what the routes parse and return)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from pitboss.events.rules import EventType
from pitboss.types import Model

Url = Annotated[str, Field(min_length=8, max_length=2048, description="Where events are POSTed (https)")]
Events = Annotated[
    list[EventType] | Literal["*"],
    Field(description='The event types to send, or "*" for every type (also types added later)'),
]
Description = Annotated[str, Field(max_length=500)]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class WebhookIn(Model):
    model_config = ConfigDict(extra="forbid")

    url: Url
    events: Events = "*"
    description: Description | None = None


class WebhookPatch(Model):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = Field(default=None, description="false pauses deliveries; true resumes (and clears failing)")
    events: Events | None = None
    description: Description | None = None


class WebhookOut(Model):
    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    events: list[EventType] | Literal["*"]
    description: str | None
    enabled: bool
    status: Literal["ok", "failing"] = Field(
        description="failing: a delivery kept failing for the whole retry window (3 days)"
    )
    created_at: Timestamp
    updated_at: Timestamp


class WebhookSecret(WebhookOut):
    secret: str = Field(description="The signing secret: shown only in this answer; keep it")


class WebhookList(Model):
    model_config = ConfigDict(extra="forbid")

    data: list[WebhookOut]


class AttemptOut(Model):
    model_config = ConfigDict(extra="forbid")

    at: Timestamp
    status_code: int | None = Field(description="The endpoint's HTTP status; null when there was none")
    error: str | None = Field(description="Why there was no answer (timeout, refused, address not allowed)")


class DeliveryOut(Model):
    model_config = ConfigDict(extra="forbid")

    id: str
    event_id: str
    event_type: EventType
    occurred_at: Timestamp
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: Timestamp | None
    delivered_at: Timestamp | None
    recent_attempts: list[AttemptOut] = Field(description="The latest attempts, newest last (at most 10)")


class DeliveryList(Model):
    model_config = ConfigDict(extra="forbid")

    data: list[DeliveryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page; null at the end")
