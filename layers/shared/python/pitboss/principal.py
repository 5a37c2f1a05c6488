"""Who is calling: the authenticated principal of the operator, wallet and back-office APIs (tenant, mode,
scopes, the brands it may act on, its realm and actor) and the Brand record it carries. Pure: the records are
read and written by pitboss.tenancy (which re-exports these names) and pitboss.apikeys."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from pitboss import actors, keys
from pitboss.brand_settings import BrandSettings
from pitboss.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from pitboss.scopes import IMPLIED_SCOPES
from pitboss.types import Model

Mode = Literal["live", "test"]


class Brand(Model):
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


class Principal(Model):
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
