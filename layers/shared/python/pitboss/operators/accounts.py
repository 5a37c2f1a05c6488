"""Operator accounts: created by the CLI (a password that works at once) or invited from the console (a
one-time password, changed at first sign-in), listed, given another role, disabled; an operator's own
password and second factor; the tenant's console policy. Changes made in the console are audited in the
same transaction as the change."""

from __future__ import annotations

import secrets

from pydantic import ValidationError

from pitboss import clock, ids, passwords, tenancy
from pitboss.errors import Conflict, Forbidden, NotFound, TransactionCancelled, Unprocessable
from pitboss.operators import audit, auth, repository, rules
from pitboss.operators.auth import Console
from pitboss.operators.entity import Operator, Policy
from pitboss.operators.models import (
    CodeIn,
    CreatedOperator,
    OperatorIn,
    OperatorOut,
    PasswordChangeIn,
    RoleIn,
    TotpSetup,
)

GENERATED_PASSWORD_BYTES = 15  # 20 URL-safe characters


def generated_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def create_operator(
    tenant_id: str,
    form: OperatorIn,
    *,
    created_by: str,
    invited: bool = False,
    password: str | None = None,
    console: Console | None = None,
) -> CreatedOperator:
    """A new operator with a generated password (shown once): active at once from the CLI; `invited` from
    the console (the password must be changed at the first sign-in). 409 when the tenant has the address."""
    if tenancy.get_tenant(tenant_id) is None:
        raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")
    password = password or generated_password()
    now = clock.iso(clock.now())
    operator = Operator(
        tenant_id=tenant_id,
        operator_id=f"op_{ids.ulid()}".lower(),
        email=str(form.email),
        display_name=form.display_name or str(form.email).partition("@")[0],
        role=form.role,
        status="invited" if invited else "active",
        password_hash=passwords.hash_password(password),
        password_change_required=invited,
        created_at=now,
        updated_at=now,
        created_by=created_by,
    )
    ops = repository.create_ops(operator)
    if console is not None:
        data = {"operator_id": operator.operator_id, "email": operator.email, "role": operator.role}
        ops.append(audit.record_op(console.principal, "operator_invited", data))
    try:
        repository.commit(ops)
    except TransactionCancelled as exc:
        if exc.failed(0):
            raise Conflict("this tenant already has an operator with that email", code="operator_exists") from exc
        raise
    return CreatedOperator(
        operator_id=operator.operator_id, email=operator.email, role=operator.role, password=password
    )


def invite(console: Console, form: OperatorIn) -> CreatedOperator:
    console.require("operators.manage")
    if not rules.can_manage(console.operator.role, form.role, form.role):
        raise Forbidden(f"a {console.operator.role} can't invite a {form.role}", code="operator_forbidden")
    return create_operator(
        console.operator.tenant_id, form, created_by=str(console.actor), invited=True, console=console
    )


def list_operators(tenant_id: str) -> list[OperatorOut]:
    return [OperatorOut.of(o) for o in repository.of_tenant(tenant_id)]


def _target(console: Console, operator_id: str) -> Operator:
    found = repository.get(console.operator.tenant_id, operator_id)
    if found is None:
        raise NotFound("operator not found", code="operator_not_found")
    if found.operator_id == console.operator.operator_id:
        raise Conflict("you can't change your own role or status here", code="operator_self")
    return found


def _save(original: Operator, changed: Operator, extra: list[repository.Op] | None = None) -> Operator:
    """Writes only what changed (so counters moved by a sign-in meanwhile are kept), if nobody else changed
    the operator since it was read; `extra` (the audit record) commits with it."""
    changes = {k: v for k, v in changed.fields().items() if v != original.fields()[k]}
    changes |= {"version": original.version + 1, "updated_at": clock.iso(clock.now())}
    try:
        repository.commit([repository.update_fields(original, changes), *(extra or [])])
    except TransactionCancelled as exc:
        raise Conflict("the operator changed meanwhile; reload and try again", code="concurrent_update") from exc
    return changed.model_copy(update=changes)


def change_role(console: Console, operator_id: str, form: RoleIn) -> OperatorOut:
    console.require("operators.manage")
    target = _target(console, operator_id)
    if not rules.can_manage(console.operator.role, target.role, form.role):
        raise Forbidden(f"a {console.operator.role} can't make that change", code="operator_forbidden")
    data = {"operator_id": target.operator_id, "email": target.email, "from": target.role, "to": form.role}
    record = audit.record_op(console.principal, "operator_role_changed", data)
    return OperatorOut.of(_save(target, target.model_copy(update={"role": form.role}), [record]))


def disable(console: Console, operator_id: str) -> OperatorOut:
    """Disabled at once: the operator's sessions end at their next request (every request reads the operator)."""
    console.require("operators.manage")
    target = _target(console, operator_id)
    if not rules.can_manage(console.operator.role, target.role):
        raise Forbidden(f"a {console.operator.role} can't disable a {target.role}", code="operator_forbidden")
    record = audit.record_op(
        console.principal, "operator_disabled", {"operator_id": target.operator_id, "email": target.email}
    )
    return OperatorOut.of(_save(target, target.model_copy(update={"status": "disabled"}), [record]))


def disable_by_cli(tenant_id: str, who: str) -> OperatorOut:
    """`pitboss disable-operator`: by operator_id or email."""
    key = who.strip().casefold()
    found = next((o for o in repository.of_tenant(tenant_id) if key in (o.operator_id, o.email.casefold())), None)
    if found is None:
        raise NotFound("operator not found", code="operator_not_found")
    return OperatorOut.of(_save(found, found.model_copy(update={"status": "disabled"})))


# ---- the operator's own account ------------------------------------------------------------------


def change_password(console: Console, form: PasswordChangeIn) -> None:
    """An operator's new password. From a ready session the current one is checked first; an invited
    operator (stage `password`) just signed in with the one-time password. The caller's session carries on
    (its epoch follows); every other session of the operator ends."""
    operator = console.operator
    if console.ready and not passwords.verify(operator.password_hash, form.current_password):
        raise Unprocessable("the current password is not right", code="wrong_password")
    rules.check_password(form.new_password, operator.email)
    changed = operator.model_copy(
        update={
            "password_hash": passwords.hash_password(form.new_password),
            "password_change_required": False,
            "status": "active",
            "epoch": operator.epoch + 1,
        }
    )
    changed = _save(operator, changed, [audit.record_op(console.principal, "operator_password_changed")])
    if console.ready:
        auth.keep_session(console, changed)
    else:
        auth.advance(console, changed)


def start_totp(console: Console) -> TotpSetup:
    """A new secret to set up in an authenticator app; it counts only once a code from it is confirmed."""
    secret = rules.new_totp_secret()
    _save(console.operator, console.operator.model_copy(update={"totp_pending": secret}))
    return TotpSetup(secret=secret, uri=rules.totp_uri(secret, console.operator.email))


def confirm_totp(console: Console, form: CodeIn) -> None:
    operator = console.operator
    if operator.totp_pending is None:
        raise Conflict("start setting up the second factor first", code="totp_not_started")
    step = rules.totp_step(operator.totp_pending, form.totp, clock.now(), None)
    if step is None:
        raise Unprocessable("that code is not right; check the app's clock and try the next one", code="invalid_code")
    changed = operator.model_copy(
        update={"totp_secret": operator.totp_pending, "totp_pending": None, "totp_last_step": step}
    )
    changed = _save(operator, changed, [audit.record_op(console.principal, "operator_totp_enabled")])
    if not console.ready:
        auth.advance(console, changed)


def setup_in_progress(console: Console) -> TotpSetup | None:
    pending = console.operator.totp_pending
    return TotpSetup(secret=pending, uri=rules.totp_uri(pending, console.operator.email)) if pending else None


# ---- the tenant's console policy -----------------------------------------------------------------


def policy(tenant_id: str) -> Policy:
    return repository.policy(tenant_id)


def set_policy(console: Console, totp_required: bool) -> Policy:
    """Requiring a second factor applies at each operator's next sign-in (set one up before anything else)."""
    console.require("settings.manage")
    updated = Policy(totp_required=totp_required)
    record = audit.record_op(console.principal, "console_policy_changed", updated.model_dump())
    repository.commit([repository.policy_put(console.operator.tenant_id, updated), record])
    return updated


def operator_in(email: str, role: str, display_name: str | None = None) -> OperatorIn:
    """The CLI's arguments as the model the console's form also fills (422 for a bad email or role)."""
    try:
        return OperatorIn.model_validate({"email": email, "role": role, "display_name": display_name})
    except ValidationError as exc:
        raise Unprocessable(f"invalid operator: {exc.errors()[0]['msg']}", code="validation_error") from exc
