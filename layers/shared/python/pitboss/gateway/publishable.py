"""Publishable brand keys (issue 11 #12): `wpk_live_...` / `wpk_test_...`, safe to ship in a browser because
they grant nothing but the choice of a brand and a mode. A gateway request carrying `x-pitboss-key:
wpk_test_...` runs in the brand's test realm (its players, sessions and wallets are the test key's, apart from
live data); without the header it is live, as seed 002 shows. Only a SHA-256 of a key is stored."""

from __future__ import annotations

import secrets
from typing import Any

from pitboss import clock, tenancy
from pitboss.errors import InvalidPublishableKey, NotFound
from pitboss.gateway import repository
from pitboss.tenancy import Brand, Mode

PREFIX = "wpk_"
KEY_MAX = 100


def create(tenant_id: str, brand_id: int, mode: Mode) -> tuple[str, dict[str, Any]]:
    """A new key for one of the tenant's brands: (the key, shown once; its record)."""
    brand = tenancy.get_brand(brand_id)
    if brand is None or brand.tenant_id != tenant_id:
        raise NotFound("brand not found for this tenant", code="brand_not_found")
    raw = f"{PREFIX}{mode}_{secrets.token_urlsafe(24)}"
    record = {
        "tenant_id": tenant_id,
        "brand_id": brand_id,
        "mode": mode,
        "prefix": raw[:13],
        "created_at": clock.iso(clock.now()),
    }
    repository.new_publishable_key(raw, record)
    return raw, record


def mode_of(brand: Brand, raw: str | None) -> Mode:
    """The mode a request runs in: live without a key; the key's mode when it is one of this brand's keys;
    InvalidPublishableKey otherwise (another brand's key selects nothing here)."""
    if raw is None or not raw.strip():
        return "live"
    raw = raw.strip()
    if not raw.startswith(PREFIX) or len(raw) > KEY_MAX:
        raise InvalidPublishableKey()
    record = repository.publishable_key(raw)
    if record is None or record.get("revoked") or int(record.get("brand_id", 0)) != brand.brand_id:
        raise InvalidPublishableKey()
    if str(record.get("tenant_id")) != brand.tenant_id:
        raise InvalidPublishableKey()
    mode: Mode = "test" if record.get("mode") == "test" else "live"
    return mode
