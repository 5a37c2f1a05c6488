"""HTTP API Lambda authorizer for the API-key surfaces (/v1, /api).

It authenticates but never denies: API Gateway's own denials answer 403 {"message": "Forbidden"}, while
the contract wants 401 with the surface's error body. So a failed lookup passes the reason on in the
context and the function answers 401 in the seed's shape before doing anything else.

One GetItem per key per warm container every apikeys.CACHE_SECONDS at most (the key record carries the
brand set); no pydantic at import, so a cold start costs little more than the boto3 client."""

from __future__ import annotations

from typing import Any

from pitboss import apikeys
from pitboss.errors import Unauthorized
from pitboss.observability import logger

# This container's verified keys: a revoked key or a changed brand is seen within CACHE_SECONDS.
cache = apikeys.KeyCache()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    try:
        principal = cache.verify(headers.get("authorization"))
    except Unauthorized as exc:
        logger.info("api key rejected", extra={"code": exc.code})
        return {"isAuthorized": True, "context": {"auth_error": exc.message, "auth_code": exc.code}}
    logger.info("api key accepted", extra={"tenant_id": principal["tenant_id"], "mode": principal["mode"]})
    return {"isAuthorized": True, "context": apikeys.context(principal)}
