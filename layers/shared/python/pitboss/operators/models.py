"""What the console sends to the operators flows (input) and what they answer (output): never a stored item."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from pitboss.operators.entity import Operator
from pitboss.operators.rules import Role, Status
from pitboss.types import EmailAddress, Model

Secret = Annotated[str, StringConstraints(max_length=256)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class OperatorIn(Model):
    """An operator to create (the CLI) or invite (the console)."""

    model_config = ConfigDict(extra="ignore")

    email: Annotated[EmailAddress, Field(max_length=254)]
    display_name: DisplayName | None = None
    role: Role


class RoleIn(Model):
    model_config = ConfigDict(extra="ignore")

    role: Role


class LoginIn(Model):
    model_config = ConfigDict(extra="ignore")

    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class PasswordChangeIn(Model):
    model_config = ConfigDict(extra="ignore")

    current_password: Secret = ""
    new_password: Secret


class CodeIn(Model):
    model_config = ConfigDict(extra="ignore")

    totp: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=12)]


class AuditQuery(Model):
    """The audit page's filters: one operator, a date range (the tenant's calendar days, UTC)."""

    model_config = ConfigDict(extra="ignore")

    operator_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    date_from: date | None = None
    date_to: date | None = None
    cursor: Annotated[str, StringConstraints(max_length=512)] | None = None


class OperatorOut(Model):
    operator_id: str
    email: str
    display_name: str
    role: Role
    status: Status
    has_totp: bool
    created_at: str
    last_login_at: str | None

    @classmethod
    def of(cls, operator: Operator) -> OperatorOut:
        return cls(
            operator_id=operator.operator_id,
            email=operator.email,
            display_name=operator.display_name,
            role=operator.role,
            status=operator.status,
            has_totp=operator.has_totp,
            created_at=operator.created_at,
            last_login_at=operator.last_login_at,
        )


class CreatedOperator(Model):
    """What `pitboss create-operator --json` prints: the password works at once and is shown only here."""

    operator_id: str
    email: str
    role: Role
    password: str


class AuditEntry(Model):
    at: str
    type: str
    actor: str
    actor_email: str | None
    actor_ip: str | None
    mode: str | None
    user_id: str | None = Field(description="The player acted on; none for tenant-level actions")
    data: dict[str, Any]


class AuditPage(Model):
    entries: list[AuditEntry]
    next_cursor: str | None


class TotpSetup(Model):
    """A second factor being set up: the secret and its otpauth:// URI (shown once, as text and QR code)."""

    secret: str
    uri: str
