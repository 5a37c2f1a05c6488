"""What the /v1 functions declare alike, declared once so the OpenAPI document describes it alike: the
player named in the path by UUID or username, the brand query that disambiguates a username, and the
answers of an idempotent create (201, or 200 for a replay)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from pitboss.http.v1 import V1_ERRORS, ok
from pitboss.types import BrandId

PlayerKey = Annotated[str, Path(description="The player's UUID or username (case-insensitive)", max_length=64)]
BrandQuery = Annotated[BrandId | None, Query(description="Needed with a username when the key spans brands")]

REPLAY = "A replay (same idempotency_key): the original answer, deduped"


def replayable(created: str, model: type[Any], replay: str = REPLAY) -> dict[int, OpenAPIResponse]:
    """The responses of an idempotent write: the v1 errors, 201 with `model`, and 200 for a replay of it."""
    return {**V1_ERRORS, 201: ok(created, model), 200: ok(replay, model)}
