"""The tenant's administration from the console: API keys (owner/admin) and brand settings, each change
with its audit record in the same transaction. The keys and brands themselves are pitboss.tenancy's."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from pitboss import tenancy
from pitboss.errors import Unprocessable
from pitboss.operators import audit
from pitboss.operators.auth import Console
from pitboss.tenancy import Brand, Mode
from pitboss.types import Model


class KeyIn(Model):
    """A new API key: its name, mode, scopes and (optionally) the brands it is limited to."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(default="", max_length=80)
    mode: Mode
    scopes: list[str] = Field(min_length=1)
    brand_ids: list[int] = Field(default_factory=list)


class NewKey(Model):
    """A key just created: the raw key is shown once, here, and never stored."""

    key: str
    record: dict[str, Any]


def list_keys(console: Console) -> list[dict[str, Any]]:
    console.require("keys.manage")
    return sorted(tenancy.list_keys(console.operator.tenant_id), key=lambda k: str(k.get("created_at")), reverse=True)


def create_key(console: Console, form: KeyIn) -> NewKey:
    console.require("keys.manage")
    data = {"name": form.name, "mode": form.mode, "scopes": form.scopes, "brand_ids": form.brand_ids or None}
    raw, record = tenancy.create_key(
        console.operator.tenant_id,
        form.mode,
        scopes=form.scopes,
        brand_ids=form.brand_ids or None,
        name=form.name,
        also=[audit.record_op(console.principal, "api_key_created", data)],
    )
    return NewKey(key=raw, record=record)


def revoke_key(console: Console, key_id: str) -> dict[str, Any]:
    console.require("keys.manage")
    record = audit.record_op(console.principal, "api_key_revoked", {"key_id": key_id})
    return tenancy.revoke_key(console.operator.tenant_id, key_id, also=[record])


def update_brand_settings(console: Console, brand_id: int, changes: dict[str, Any]) -> Brand:
    """The settings the CLI edits, validated the same way (422 with the field's problem)."""
    console.require("settings.manage")
    record = audit.record_op(console.principal, "brand_settings_changed", {"brand_id": brand_id, "changes": changes})
    try:
        return tenancy.update_brand_settings(console.operator.tenant_id, brand_id, changes, also=[record])
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise Unprocessable(f"invalid settings: {problems}", code="invalid_settings") from exc
