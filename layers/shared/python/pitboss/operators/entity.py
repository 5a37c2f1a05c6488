"""Operators, their console sessions and the tenant's console policy as the domain sees them (pure)."""

from __future__ import annotations

from typing import Any

from pitboss.operators.rules import Role, Stage, Status
from pitboss.tenancy import Mode
from pitboss.types import Model


class Operator(Model):
    """A member of the tenant's team who uses the console (seed 003: "A user of your admin console")."""

    tenant_id: str
    operator_id: str
    email: str  # as given; unique per tenant, case-insensitively
    display_name: str
    role: Role
    status: Status
    password_hash: str
    password_change_required: bool = False
    totp_secret: str | None = None  # confirmed second factor
    totp_pending: str | None = None  # being set up, not yet confirmed with a code
    totp_last_step: int | None = None
    failures: int = 0
    locked_until: str | None = None
    epoch: int = 1  # moves with a password change: the operator's other sessions end
    version: int = 0
    created_at: str
    updated_at: str
    created_by: str
    last_login_at: str | None = None

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Operator:
        # Numbers come back from DynamoDB as Decimal; pydantic makes them ints where the model says so.
        return cls.model_validate({k: item[k] for k in cls.model_fields if item.get(k) is not None})

    def fields(self) -> dict[str, Any]:
        return self.model_dump()


class ConsoleSession(Model):
    """A signed-in console: stored under the SHA-256 of its token, never the token."""

    token_hash: str
    tenant_id: str
    operator_id: str
    epoch: int
    mode: Mode = "live"
    stage: Stage
    created_at: str
    last_seen_at: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ConsoleSession:
        return cls(
            token_hash=str(item["token_hash"]),
            tenant_id=str(item["tenant_id"]),
            operator_id=str(item["operator_id"]),
            epoch=int(item["epoch"]),
            mode=item.get("mode", "live"),
            stage=item["stage"],
            created_at=str(item["created_at"]),
            last_seen_at=str(item["last_seen_at"]),
        )


class Policy(Model):
    """The tenant's console security settings."""

    totp_required: bool = False
