"""API keys on the authorizer's path: the bearer token, the key record (which carries the brand set its
principal needs) in ONE GetItem, and the warm container's cache of verified keys.

No pydantic here, on purpose: the authorizer imports this, the store and the logger, so its cold start stays
near a bare boto3 client's. The principal travels as plain JSON; the functions validate it
(pitboss.tenancy.Principal). pitboss.tenancy writes the brand set whenever keys or brands change."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from pitboss import keys, store
from pitboss.errors import Unauthorized

KEY_SK = "KEY"
# The longest a revoked key, or a changed brand setting, can go unseen by a warm authorizer.
CACHE_SECONDS = 10.0
CACHE_ENTRIES = 1024


def bearer(authorization: str | None) -> str:
    """The API key in `Authorization: Bearer wsk_...`; 401 for anything else."""
    if not authorization:
        raise Unauthorized("missing API key: send Authorization: Bearer wsk_live_... or wsk_test_...")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header must be 'Bearer <api key>'", code="invalid_api_key")
    if not (token.startswith("wsk_live_") or token.startswith("wsk_test_")) or len(token) > 200:
        raise Unauthorized("invalid API key", code="invalid_api_key")
    return token


def brand_record(item: dict[str, Any]) -> dict[str, Any]:
    """A stored brand item as the principal carries it (settings parsed; the model fills defaults)."""
    return {
        "brand_id": int(item["brand_id"]),
        "tenant_id": item["tenant_id"],
        "team_id": int(item.get("team_id", 0)),
        "name": item["name"],
        "currency": item["currency"],
        "settings": json.loads(item.get("settings") or "{}"),
    }


def brand_set(brands: list[dict[str, Any]]) -> str:
    """The `brands` attribute of a key record: the tenant's brands by id, as JSON text (a string attribute
    keeps numbers out of DynamoDB's Decimal round trip)."""
    return json.dumps(_by_id(brands), separators=(",", ":"), sort_keys=True)


def _by_id(brands: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(b["brand_id"]): b for b in brands}


def tenant_brand_items(tenant_id: str) -> list[dict[str, Any]]:
    return list(store.query_all(keys.tenant_pk(tenant_id), sk_prefix="BRAND#", consistent=True))


def principal_of(raw: str, item: dict[str, Any] | None) -> dict[str, Any]:
    """The principal (plain JSON-able dict) of a verified key record; 401 for unknown or revoked keys."""
    if item is None or item.get("revoked"):
        raise Unauthorized("invalid or revoked API key", code="invalid_api_key")
    mode = item["mode"]
    if not raw.startswith(f"wsk_{mode}_"):
        raise Unauthorized("invalid API key", code="invalid_api_key")
    if "brands" in item:
        brands = json.loads(item["brands"])
    else:  # a key written before key records carried their brand set: one Query more, as before
        brands = _by_id([brand_record(i) for i in tenant_brand_items(item["tenant_id"])])
    restricted = item.get("brand_ids")
    return {
        "tenant_id": item["tenant_id"],
        "mode": mode,
        "key_id": item["key_id"],
        "scopes": list(item.get("scopes") or []),  # no scopes: none at all (fail closed), never everything
        "brand_ids": [int(b) for b in restricted] if restricted else None,
        "brands": brands,
    }


def lookup(authorization: str | None) -> dict[str, Any]:
    """Verifies a key against its record now: one GetItem (strongly consistent), no cache."""
    raw = bearer(authorization)
    return principal_of(raw, store.get(keys.api_key_pk(raw), KEY_SK))


def context(principal: dict[str, Any]) -> dict[str, str]:
    """The authorizer context carries only flat strings: the principal as one JSON string."""
    return {"principal": json.dumps(principal, separators=(",", ":"))}


class KeyCache:
    """Verified keys of one warm container, each kept at most `seconds` from its GetItem, by the key's hash
    (never the key). Refusals are not kept: an unknown key costs its GetItem every time."""

    def __init__(
        self,
        seconds: float | None = None,
        *,
        entries: int = CACHE_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = min(CACHE_SECONDS, CACHE_SECONDS if seconds is None else max(0.0, seconds))
        self.entries = entries
        self.clock = clock
        self._found: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def verify(self, authorization: str | None) -> dict[str, Any]:
        raw = bearer(authorization)
        digest = keys.api_key_pk(raw)
        now = self.clock()
        hit = self._found.get(digest)
        if hit is not None and now < hit[0]:
            return hit[1]
        principal = principal_of(raw, store.get(digest, KEY_SK))
        if self.seconds > 0:
            with self._lock:
                if len(self._found) >= self.entries:
                    self._evict(now)
                self._found[digest] = (now + self.seconds, principal)
        return principal

    def _evict(self, now: float) -> None:
        for digest in [d for d, (until, _) in self._found.items() if until <= now]:
            del self._found[digest]
        while len(self._found) >= self.entries:  # all still fresh: drop the oldest (insertion order)
            del self._found[next(iter(self._found))]

    def clear(self) -> None:
        with self._lock:
            self._found.clear()
