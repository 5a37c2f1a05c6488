"""Tenants, brands and API keys: who is calling, in which mode, with which scopes and brands.

Only a SHA-256 of an API key is stored. A key names its tenant and mode; the realm derived from them
prefixes every key the caller can reach, so nothing else is addressable. Each key record also carries its
tenant's brand set, so the authorizer verifies a key with one GetItem (pitboss.apikeys): it is written with
the key, and rewritten on every live key of the tenant whenever a brand changes. The tenant item's
`brands_rev` orders those writes, so a slow writer never puts an older brand set back."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pitboss import actors, apikeys, clock, ids, keys, retry, store
from pitboss.errors import (
    ConcurrentUpdate,
    Conflict,
    Forbidden,
    NotFound,
    TransactionCancelled,
    Unauthorized,
    Unprocessable,
)

Mode = Literal["live", "test"]
Document = Literal["tnc", "privacy"]
DOCUMENTS: tuple[Document, ...] = ("tnc", "privacy")

SCOPES = (
    "*",
    "players:read",
    "players:write",
    "wallet:read",
    "wallet:write",
    "backoffice:read",
    # Least privilege on the wallet (issue 10 #3): a game provider's credential needs only bets, a PSP's only
    # payments; `wallet:write` stays the union of the three (keys made before the split keep working).
    "wallet:bets",
    "wallet:payments",
    "wallet:bonuses",
    "webhooks:read",
    "webhooks:write",
    # issue 14 §3-4: usage metering and reports (GGR)
    "usage:read",
    "reports:read",
)
# Scopes that grant others: a key holding the left one may do what each on the right allows.
IMPLIED_SCOPES: dict[str, frozenset[str]] = {
    "wallet:write": frozenset({"wallet:bets", "wallet:payments", "wallet:bonuses"}),
}
WALLET_WRITE_SCOPES = ("wallet:bets", "wallet:payments", "wallet:bonuses")


class RateLimit(BaseModel):
    """How many requests of one kind the gateway takes per client address and per account in a window
    (0: no limit of that kind); more answer 429 until the window ends."""

    per_ip: int = Field(ge=0, description="Per client address (an IPv6 client: its /64)")
    per_account: int = Field(ge=0, description="Per username, email address, player or link")
    window_seconds: int = Field(ge=1, le=86_400)


class RateLimits(BaseModel):
    """The gateway's per-brand rate limits. Sane for a casino front end: a household or a mobile carrier's
    shared address still fits, a script hammering one login or one address does not."""

    registration: RateLimit = RateLimit(per_ip=50, per_account=10, window_seconds=3600)
    login: RateLimit = RateLimit(per_ip=100, per_account=50, window_seconds=300)
    forgot_password: RateLimit = RateLimit(per_ip=20, per_account=5, window_seconds=3600)
    resend_activation: RateLimit = RateLimit(per_ip=20, per_account=5, window_seconds=3600)
    verify_link: RateLimit = RateLimit(per_ip=30, per_account=10, window_seconds=300)


class BrandSettings(BaseModel):
    """Per-brand rules. Defaults are the strict, regulator-friendly choice."""

    # A setting this model does not know is refused (issue 10 #6: `--set timezon=Europe/Malta` was silently
    # ignored). Stored brands are read through Brand, which drops unknown keys instead (see there).
    model_config = ConfigDict(extra="forbid")

    timezone: str = "UTC"
    min_age: int = Field(default=18, ge=0, le=99)
    require_date_of_birth: bool = False
    rg_increase_delay_hours: int = Field(default=24, ge=0)
    self_exclusion_reinstatement: Literal["on_request", "automatic"] = "on_request"
    spend_order: Literal["real_first", "bonus_first"] = "real_first"
    xp_per_unit: str = "1"
    xp_daily_cap: str = "1000"
    required_documents: list[Document] = Field(default_factory=lambda: list(DOCUMENTS))
    require_email_verification: bool = False
    mobile_verification: bool = False
    blocked_email_domains: list[str] = Field(default_factory=list)
    session_idle_minutes: int = Field(default=30, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # The console's four eyes: a withdrawal above this amount (brand currency) needs a second operator's
    # approval before it can be completed. None: never.
    withdrawal_second_approval_above: str | None = None

    @field_validator("withdrawal_second_approval_above")
    @classmethod
    def _amount(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("a decimal amount, e.g. 1000.00") from exc
        if not amount.is_finite() or amount < 0:
            raise ValueError("a decimal amount of 0 or more")
        return str(amount)

    # The currencies the brand's wallets take, its default first (the brand's `currency` follows it). Empty:
    # only the brand's `currency`. Settable as a JSON list or "EUR,USD,BTC".
    currencies: list[str] = Field(default_factory=list)

    @field_validator("currencies", mode="before")
    @classmethod
    def _currency_list(cls, value: object) -> object:
        from pitboss import money

        if isinstance(value, str):
            value = [c.strip() for c in value.split(",") if c.strip()]
        if isinstance(value, list):
            codes = [str(c).upper() for c in value]
            unknown = [c for c in codes if not money.supported_currency(c)]
            if unknown:
                raise ValueError(f"unsupported currencies: {', '.join(unknown)}")
            if len(set(codes)) != len(codes):
                raise ValueError("a currency is listed twice")
            return codes
        return value

    # Gateway hardening (issue 10): an email change needs the current password too (false keeps seed 002's
    # body valid: email and comment only).
    email_change_requires_password: bool = False
    # Floods and enumeration (issue 10 #5): rate limits per client address and per account; at most this many
    # reset / activation messages (and mobile codes) per address an hour, whatever the answer says; the
    # lockout counts failures per (account, client address) and locks the account itself only once this
    # many addresses are locked out of it.
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    messages_per_address_per_hour: int = Field(default=3, ge=0)
    login_lock_ips: int = Field(default=3, ge=1)
    # Message formats (issue 11 #9): the brand's own texts of the gateway's message_format keys, by language
    # then key ({"en": {"email_verified": "..."}}); GET /gateway/message-formats answers them over the defaults.
    message_formats: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("message_formats")
    @classmethod
    def _formats(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        import re  # only here: the rest of the settings need no patterns

        for language, texts in value.items():
            if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", language):
                raise ValueError(f"message_formats: {language!r} is not a language code such as en or pt-br")
            for key, text in texts.items():
                if not re.fullmatch(r"[a-z0-9_]{1,64}", key) or len(text) > 2000:
                    raise ValueError(f"message_formats: {language}.{key} needs a snake_case key and a text <= 2000")
        return value

    # Service modes and engagement engines (issue 13, engines-a). `service_mode`: plug_in = the operator owns
    # accounts and cash (real-rail movements refused, cash awards become payout instructions); changing it
    # is refused once the brand has real-rail entries. (`message_formats` above is also written by PUT
    # /v1/brands/{id}/message-formats/{language}.) `vip_levels`: the VIP
    # ladder (pitboss.engines.rules.Level as JSON, PUT /v1/brands/{id}/vip-levels). Cashback: the period
    # (brand time zone) and the smallest amount paid (brand currency).
    service_mode: Literal["white_label", "plug_in"] = "white_label"
    vip_levels: list[dict[str, Any]] = Field(default_factory=list)
    cashback_period: Literal["daily", "weekly"] = "weekly"
    cashback_min_payout: str = "0"

    @field_validator("cashback_min_payout")
    @classmethod
    def _min_payout(cls, value: str) -> str:
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("a decimal amount, e.g. 1.00") from exc
        if not amount.is_finite() or amount < 0:
            raise ValueError("a decimal amount of 0 or more")
        return str(amount)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class Brand(BaseModel):
    brand_id: int
    tenant_id: str
    # The owning tenant's public number (the back-office API's integer `team_id`), kept on each brand so a
    # key's one query of its tenant's brands has it. 0 on brands created before team numbers existed.
    team_id: int = 0
    name: str
    currency: str = Field(description="The default currency: the first of `currencies`")
    settings: BrandSettings = Field(default_factory=BrandSettings)

    @field_validator("settings", mode="before")
    @classmethod
    def _known_settings(cls, value: object) -> object:
        """A brand as stored (or carried by a key's brand set) may hold a setting this code no longer or not
        yet knows (a removed setting, a rollback): it is dropped rather than failing every request of the
        tenant. Input is checked where it is written (update_brand_settings validates BrandSettings)."""
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k in BrandSettings.model_fields}
        return value

    @model_validator(mode="after")
    def _default_currency_first(self) -> Brand:
        if self.settings.currencies and self.currency != self.settings.currencies[0]:
            self.currency = self.settings.currencies[0]
        return self

    @property
    def currencies(self) -> list[str]:
        """Every currency the brand takes, its default first."""
        return list(self.settings.currencies) or [self.currency]


class Principal(BaseModel):
    """The authenticated caller of the operator, wallet and back-office APIs."""

    tenant_id: str
    mode: Mode
    key_id: str
    scopes: list[str]
    brand_ids: list[int] | None = None  # None: every brand of the tenant
    brands: dict[int, Brand] = Field(default_factory=dict)
    # Set when an operator acts through the console (pitboss.operators): the same flows, another actor.
    operator_id: str | None = None
    operator_email: str | None = None
    client_ip: str | None = None

    @property
    def realm(self) -> str:
        return keys.realm(self.tenant_id, self.mode)

    @property
    def actor(self) -> actors.Actor:
        """`key:<key_id>`, or `operator:<operator_id>` carrying the operator's email and client IP."""
        if self.operator_id is not None:
            return actors.operator(self.operator_id, self.operator_email or "", self.client_ip)
        return actors.key(self.key_id)

    @property
    def team_id(self) -> int:
        """The tenant's public number, as the back-office API shows it."""
        return next((b.team_id for b in self.brands.values()), 0)

    def has_scope(self, scope: str) -> bool:
        """`*`, the scope itself, or a scope that implies it (`wallet:write` -> bets, payments, bonuses). A key
        with no scopes at all has none (fail closed)."""
        return any(s in ("*", scope) or scope in IMPLIED_SCOPES.get(s, ()) for s in self.scopes)

    def require(self, scope: str) -> None:
        self.require_any(scope)

    def require_any(self, *scopes: str) -> None:
        """403 unless the key has one of `scopes`; the error's `scope` lists them, space-separated (as OAuth's)."""
        if any(self.has_scope(s) for s in scopes):
            return
        named = " or ".join(repr(s) for s in scopes)
        raise Forbidden(f"this API key lacks the {named} scope", code="insufficient_scope", scope=" ".join(scopes))

    def can_see_brand(self, brand_id: int) -> bool:
        return brand_id in self.brands and (self.brand_ids is None or brand_id in self.brand_ids)

    def visible_brand_ids(self) -> list[int]:
        return sorted(b for b in self.brands if self.can_see_brand(b))

    def brand(self, brand_id: int | None) -> Brand:
        """The brand a request acts on: the one named, or the only one the key can see."""
        if brand_id is not None:
            if not self.can_see_brand(brand_id):
                raise NotFound(f"brand {brand_id} not found", code="brand_not_found")
            return self.brands[brand_id]
        visible = self.visible_brand_ids()
        if len(visible) == 1:
            return self.brands[visible[0]]
        raise Unprocessable(
            "brand_id is required: this key can act on several brands",
            code="brand_id_required",
            fields=[{"field": "brand_id", "message": "required when the key is not limited to one brand"}],
        )

    # The authorizer hands the principal to functions through the API Gateway context, which
    # carries only flat string values.
    def to_context(self) -> dict[str, str]:
        return {"principal": self.model_dump_json()}

    @classmethod
    def from_context(cls, context: dict[str, Any] | None) -> Principal:
        if not context or not context.get("principal"):
            raise Unauthorized(
                (context or {}).get("auth_error") or "missing API key",
                code=(context or {}).get("auth_code") or "unauthorized",
            )
        return cls.model_validate_json(context["principal"])


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
