"""Tenants, brands and API keys: who is calling, in which mode, with which scopes and brands.

Only a SHA-256 of an API key is stored. A key names its tenant and mode; the realm derived from them
prefixes every key the caller can reach, so nothing else is addressable. Each key record also carries its
tenant's brand set, so the authorizer verifies a key with one GetItem (pitboss.apikeys): it is written with
the key, and rewritten on every live key of the tenant whenever a brand changes. The tenant item's
`brands_rev` orders those writes, so a slow writer never puts an older brand set back."""

from __future__ import annotations

import secrets
from typing import Any

from pitboss import apikeys, clock, ids, keys, retry, store

# Re-exported: brand settings and scopes have their own modules, tenancy is where callers find them.
from pitboss.brand_settings import DOCUMENTS as DOCUMENTS  # noqa: PLC0414
from pitboss.brand_settings import BrandSettings as BrandSettings  # noqa: PLC0414
from pitboss.brand_settings import Document as Document  # noqa: PLC0414
from pitboss.brand_settings import RateLimit as RateLimit  # noqa: PLC0414
from pitboss.brand_settings import RateLimits as RateLimits  # noqa: PLC0414
from pitboss.errors import ConcurrentUpdate, Conflict, NotFound, TransactionCancelled, Unprocessable

# Re-exported: the caller and its brands are pure models of their own module (pitboss.principal).
from pitboss.principal import Brand as Brand  # noqa: PLC0414
from pitboss.principal import Mode as Mode  # noqa: PLC0414
from pitboss.principal import Principal as Principal  # noqa: PLC0414
from pitboss.scopes import IMPLIED_SCOPES as IMPLIED_SCOPES  # noqa: PLC0414
from pitboss.scopes import SCOPES as SCOPES  # noqa: PLC0414
from pitboss.scopes import WALLET_WRITE_SCOPES as WALLET_WRITE_SCOPES  # noqa: PLC0414

# ---- API keys ----------------------------------------------------------------------------------


def new_api_key(mode: Mode) -> str:
    return f"wsk_{mode}_{secrets.token_urlsafe(32)}"


def authenticate(authorization: str | None) -> Principal:
    """Resolves `Authorization: Bearer wsk_...` to a principal; 401 for missing, unknown or revoked keys.
    One GetItem, never cached (the authorizer keeps its own short cache: apikeys.KeyCache)."""
    return Principal.model_validate(apikeys.lookup(authorization))


def create_key(
    tenant_id: str,
    mode: Mode,
    *,
    scopes: list[str] | None = None,
    brand_ids: list[int] | None = None,
    name: str = "",
    also: list[store.Op] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Creates a key and returns (the raw key, shown once; its public record). The key record carries the
    tenant's brand set as of `brands_rev`; the write checks that revision, so a brand change racing it
    either sees the new key (and rewrites its set) or makes this write retry with the new brands.
    `also`: writes that commit with it (the console's audit record)."""
    scopes = ["*"] if scopes is None else scopes  # an explicit empty list is a key with no scope (fail closed)
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise Unprocessable(f"unknown scopes: {', '.join(unknown)}", code="unknown_scope")
    for _ in retry.attempts(what="create_key"):
        tenant = get_tenant(tenant_id)
        if tenant is None:
            raise NotFound(f"tenant {tenant_id} not found")
        brands = tenant_brands(tenant_id)
        if brand_ids and not set(brand_ids) <= {b.brand_id for b in brands}:
            raise NotFound("brand not found for this tenant", code="brand_not_found")
        raw = new_api_key(mode)
        key_id = f"key_{ids.ulid()}".lower()
        record = {
            "key_id": key_id,
            "tenant_id": tenant_id,
            "mode": mode,
            "scopes": scopes,
            "brand_ids": brand_ids or None,
            "name": name,
            "prefix": raw[:13],
            "revoked": False,
            "created_at": clock.iso(clock.now()),
        }
        digest = keys.api_key_pk(raw)
        rev = _brands_rev(tenant)
        key_item = {"pk": digest, "sk": apikeys.KEY_SK, **record, **_brand_set_attributes(brands, rev)}
        try:
            store.transact(
                [
                    store.Put(key_item, condition="attribute_not_exists(pk)"),
                    store.Put(
                        {"pk": keys.tenant_pk(tenant_id), "sk": f"KEYID#{key_id}", "key_hash": digest, **record},
                        condition="attribute_not_exists(pk)",
                    ),
                    store.Check(keys.tenant_pk(tenant_id), "TENANT", **_at_rev(rev)),
                    *(also or []),
                ]
            )
        except TransactionCancelled as exc:
            if exc.failed(2) or exc.is_conflict:
                continue  # the brands changed while we read them: again, with the new set
            raise
        return raw, record
    raise ConcurrentUpdate("the tenant's brands kept changing; retry")


def _brands_rev(tenant: dict[str, Any]) -> int:
    return int(tenant.get("brands_rev", 0))


def _at_rev(rev: int) -> dict[str, Any]:
    """The condition "the tenant's brand set is still at revision `rev`" (absent means 0)."""
    if rev == 0:
        return {"condition": "attribute_not_exists(#rev)", "names": {"#rev": "brands_rev"}}
    return {"condition": "#rev = :rev", "names": {"#rev": "brands_rev"}, "values": {":rev": rev}}


def _brand_set_attributes(brands: list[Brand], rev: int) -> dict[str, Any]:
    return {"brands": apikeys.brand_set([b.model_dump(mode="json") for b in brands]), "brands_rev": rev}


def _write_brand_sets(tenant_id: str) -> None:
    """Rewrites the brand set on every live key of the tenant, after a brand changed. Each write names the
    tenant's revision and only replaces an older one. The brands are read after the revision, so they are
    at least that new."""
    tenant = get_tenant(tenant_id)
    if tenant is None:
        return
    rev = _brands_rev(tenant)
    attributes = _brand_set_attributes(tenant_brands(tenant_id), rev)
    for index in store.query_all(keys.tenant_pk(tenant_id), sk_prefix="KEYID#", consistent=True):
        if index.get("revoked"):
            continue
        try:
            store.update(
                index["key_hash"],
                apikeys.KEY_SK,
                "SET brands = :brands, #rev = :rev",
                condition="attribute_exists(pk) AND (attribute_not_exists(#rev) OR #rev < :rev)",
                names={"#rev": "brands_rev"},
                values={":brands": attributes["brands"], ":rev": rev},
            )
        except Conflict:
            continue  # revoked meanwhile, or a newer brand set is already there


def list_keys(tenant_id: str) -> list[dict[str, Any]]:
    items = store.query_all(keys.tenant_pk(tenant_id), sk_prefix="KEYID#", consistent=True)
    return [_public_key(i) for i in items]


def revoke_key(tenant_id: str, key_id: str, also: list[store.Op] | None = None) -> dict[str, Any]:
    index = store.get(keys.tenant_pk(tenant_id), f"KEYID#{key_id}")
    if index is None:
        raise NotFound(f"key {key_id} not found")
    revoked_at = clock.iso(clock.now())
    store.transact(
        [
            store.Update(
                index["key_hash"],
                apikeys.KEY_SK,
                "SET revoked = :t, revoked_at = :at",
                condition="attribute_exists(pk)",
                values={":t": True, ":at": revoked_at},
            ),
            store.Update(
                keys.tenant_pk(tenant_id),
                f"KEYID#{key_id}",
                "SET revoked = :t, revoked_at = :at",
                values={":t": True, ":at": revoked_at},
            ),
            *(also or []),
        ]
    )
    index.update(revoked=True, revoked_at=revoked_at)
    return _public_key(index)


def _public_key(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "key_id": item["key_id"],
        "mode": item["mode"],
        "prefix": item.get("prefix"),
        "name": item.get("name", ""),
        "scopes": list(item.get("scopes") or []),
        "brand_ids": [int(b) for b in item["brand_ids"]] if item.get("brand_ids") else None,
        "revoked": bool(item.get("revoked")),
        "created_at": item.get("created_at"),
        "revoked_at": item.get("revoked_at"),
    }


# ---- tenants and brands ------------------------------------------------------------------------


def create_tenant(name: str, brands: list[tuple[str, str]]) -> dict[str, Any]:
    """Creates a tenant owning the given (brand name, currency) brands. Brand ids are global integers."""
    from pitboss import money

    if not name.strip():
        raise Unprocessable("tenant name is required")
    if not brands:
        raise Unprocessable("a tenant needs at least one brand")
    for _, currency in brands:
        if not money.supported_currency(currency):
            raise Unprocessable(f"unsupported currency {currency!r}", code="unsupported_currency")
    tenant_id = f"ten_{ids.ulid()}".lower()
    team_id = store.next_counter("COUNTER#TEAM", "COUNTER")
    now = clock.iso(clock.now())
    tenant = {"pk": keys.tenant_pk(tenant_id), "sk": "TENANT", "tenant_id": tenant_id, "team_id": team_id}
    ops: list[store.Op] = [store.Put({**tenant, "name": name, "created_at": now}, condition="attribute_not_exists(pk)")]
    created = []
    for brand_name, currency in brands:
        brand_id = store.next_counter("COUNTER#BRAND", "COUNTER")
        brand = Brand(brand_id=brand_id, tenant_id=tenant_id, team_id=team_id, name=brand_name, currency=currency)
        created.append(brand)
        ops.append(store.Put(_brand_item(brand), condition="attribute_not_exists(pk)"))
        ops.append(store.Put(_pointer_item(brand), condition="attribute_not_exists(pk)"))
    store.transact(ops)
    return {
        "tenant_id": tenant_id,
        "name": name,
        "brands": [
            {"brand_id": b.brand_id, "name": b.name, "currency": b.currency, "currencies": b.currencies}
            for b in created
        ],
    }


def _brand_item(brand: Brand) -> dict[str, Any]:
    return {
        "pk": keys.tenant_pk(brand.tenant_id),
        "sk": keys.brand_sk(brand.brand_id),
        "brand_id": brand.brand_id,
        "tenant_id": brand.tenant_id,
        "team_id": brand.team_id,
        "name": brand.name,
        "currency": brand.currency,
        "settings": brand.settings.model_dump_json(),
    }


def _pointer_item(brand: Brand) -> dict[str, Any]:
    """The brand's public pointer `BRAND#{id}` carries a copy of the brand: the player gateway reads the brand
    from it alone, so its IAM policy never opens the tenant's partition (operators, key ids, policies)."""
    return {**_brand_item(brand), "pk": keys.brand_pointer_pk(brand.brand_id), "sk": "BRAND"}


def _brand_from_item(item: dict[str, Any]) -> Brand:
    return Brand.model_validate(apikeys.brand_record(item))


def get_tenant(tenant_id: str) -> dict[str, Any] | None:
    return store.get(keys.tenant_pk(tenant_id), "TENANT")


def tenant_brands(tenant_id: str) -> list[Brand]:
    return [_brand_from_item(i) for i in apikeys.tenant_brand_items(tenant_id)]


def get_brand(brand_id: int) -> Brand | None:
    """A brand by its public id (the player gateway's path carries only this)."""
    pointer = store.get(keys.brand_pointer_pk(brand_id), "BRAND", consistent=False)
    if pointer is None:
        return None
    if "settings" in pointer:  # the brand's copy (see _pointer_item)
        return _brand_from_item(pointer)
    # A pointer written before it carried the copy (local data of older versions; deployed, the gateway's
    # policy refuses this read: rewrite the brand's settings once to refresh the pointer).
    item = store.get(keys.tenant_pk(pointer["tenant_id"]), keys.brand_sk(brand_id), consistent=False)
    return _brand_from_item(item) if item else None


def update_brand_settings(
    tenant_id: str, brand_id: int, changes: dict[str, Any], also: list[store.Op] | None = None
) -> Brand:
    """Validates and saves a brand's new settings, bumping the tenant's `brands_rev` in the same write
    (so two changes never lose one another), then rewrites the brand set on the tenant's keys. Warm
    authorizers see it within apikeys.CACHE_SECONDS."""
    tenant_pk = keys.tenant_pk(tenant_id)
    for _ in retry.attempts(what="brand_settings"):
        found = store.batch_get([(tenant_pk, "TENANT"), (tenant_pk, keys.brand_sk(brand_id))])
        tenant, item = found.get((tenant_pk, "TENANT")), found.get((tenant_pk, keys.brand_sk(brand_id)))
        if tenant is None or item is None:
            raise NotFound(f"brand {brand_id} not found", code="brand_not_found")
        brand = _brand_from_item(item)
        merged = BrandSettings.model_validate({**brand.settings.model_dump(), **changes})
        if merged.service_mode != brand.settings.service_mode and has_real_entries(tenant_id, brand_id):
            raise Conflict(
                "this brand has real-rail entries: its service mode can no longer change",
                code="service_mode",
            )
        brand = Brand.model_validate(
            {**brand.model_dump(), "settings": merged}
        )  # validated: `currencies` moves `currency`
        rev = _brands_rev(tenant)
        try:
            store.transact(
                [
                    store.Put(_brand_item(brand), condition="attribute_exists(pk)"),
                    store.Update(tenant_pk, "TENANT", "SET #rev = :next", **_merge(_at_rev(rev), {":next": rev + 1})),
                    *(also or []),
                    store.Put(_pointer_item(brand)),
                ]
            )
        except TransactionCancelled as exc:
            if exc.failed(1) or exc.is_conflict:
                continue  # another brand change landed first: apply ours on top of it
            raise
        _write_brand_sets(tenant_id)
        return brand
    raise ConcurrentUpdate("the tenant's brands kept changing; retry")


def _merge(at_rev: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**at_rev, "values": {**at_rev.get("values", {}), **values}}


def has_real_entries(tenant_id: str, brand_id: int) -> bool:
    """Whether any wallet of the brand (live or test) ever held a real-rail entry: one Query for one marker
    (keys.real_rail_sk, written with a player's first real-rail movement)."""
    page = store.query(keys.tenant_pk(tenant_id), sk_prefix=keys.real_rail_prefix(brand_id), limit=1, consistent=True)
    return bool(page.items)
