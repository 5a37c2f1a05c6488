"""Operators (issue 12): accounts, sign-in with lockout and TOTP, console sessions, the roles table, the
operator as the actor of the same domain flows, the audit, four eyes. On moto, in process."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pyotp
import pytest

from pitboss import clock, idempotency, keys, store, tenancy
from pitboss.errors import Conflict, Forbidden, SessionEnded, SignInRefused, Unprocessable
from pitboss.operators import accounts, approvals, audit, auth, rules
from pitboss.operators.models import AuditQuery, CodeIn, LoginIn, OperatorIn, PasswordChangeIn, RoleIn
from pitboss.players import lifecycle, writes
from pitboss.players.models import StatusChange
from pitboss.wallet import payments, queries
from pitboss.wallet.models import DepositIn, WithdrawalIn
from tests.dossier_support import T0, new_player, principal
from tests.support import Tenant, at, make_tenant, unique

IP = "203.0.113.7"


def _operator(t: Tenant, role: str = "owner", email: str | None = None) -> tuple[str, str]:
    email = email or f"{unique('op')}@example.com"
    created = accounts.create_operator(t.tenant_id, OperatorIn(email=email, role=role), created_by="cli")  # type: ignore[arg-type]
    return email, created.password


def _console(t: Tenant, role: str = "owner") -> auth.Console:
    email, password = _operator(t, role)
    started = auth.login(LoginIn(email=email, password=password), IP)
    assert started.stage == "ready"
    return auth.authenticate(started.token, IP)


# ---- the roles table -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("owner", ["keys.manage", "operators.manage", "players.status", "withdrawals.decide"], []),
        ("admin", ["keys.manage", "operators.manage", "settings.manage"], []),
        (
            "compliance",
            ["players.status", "players.rg", "players.kyc", "players.flags", "players.notes"],
            ["withdrawals.decide", "keys.manage", "operators.manage", "players.access"],
        ),
        ("support", ["players.read", "players.notes", "players.access"], ["players.status", "withdrawals.decide"]),
        ("finance", ["wallet.read", "withdrawals.read", "withdrawals.decide"], ["players.status", "players.notes"]),
        (
            "viewer",
            ["players.read", "wallet.read", "withdrawals.read"],
            ["players.status", "players.notes", "withdrawals.decide", "keys.manage", "players.access"],
        ),
    ],
)
def test_roles_table(role: rules.Role, allowed: list[rules.Permission], refused: list[rules.Permission]) -> None:
    """Issue 12: "owner (everything, incl. operators and API keys), admin (everything but owners), compliance
    (status, RG, KYC, flags, notes, exclusions), support (read everything, notes, resend activation, reset
    password), finance (wallet reads, withdrawals queue, adjustments), viewer (read only)"."""
    assert all(rules.allows(role, p) for p in allowed)
    assert not any(rules.allows(role, p) for p in refused)


def test_viewer_can_write_nothing() -> None:
    writes_ = [p for p in rules.PERMISSIONS["owner"] if not p.endswith(".read")]
    assert not any(rules.allows("viewer", p) for p in writes_)


def test_admins_manage_everyone_but_owners() -> None:
    assert rules.can_manage("admin", "support", "finance")
    assert not rules.can_manage("admin", "owner")
    assert not rules.can_manage("admin", "support", "owner")
    assert rules.can_manage("owner", "owner", "admin")
    assert not rules.can_manage("compliance", "viewer", "viewer")
    assert "owner" not in rules.assignable_roles("admin")


# ---- accounts and sign-in ------------------------------------------------------------------------


def test_created_operator_signs_in_and_acts_as_the_principal_of_its_tenant(moto_table: str) -> None:
    t = make_tenant()
    email, password = _operator(t, "compliance")
    started = auth.login(LoginIn(email=email.upper(), password=password), IP)  # email case-insensitive
    console = auth.authenticate(started.token, IP)
    who = console.principal
    assert (who.tenant_id, who.mode, who.realm) == (t.tenant_id, "live", keys.realm(t.tenant_id, "live"))
    assert who.actor == f"operator:{console.operator.operator_id}"
    assert (who.actor.email, who.actor.ip) == (email, IP)
    assert console.csrf == auth.csrf_token(started.token) and len(console.csrf) == 64


def test_email_is_unique_per_tenant_case_insensitively(moto_table: str) -> None:
    t, other = make_tenant(), make_tenant()
    email, _ = _operator(t)
    with pytest.raises(Conflict):
        _operator(t, email=email.upper())
    _operator(other, email=email)  # another tenant may have the same address


def test_wrong_password_and_unknown_email_read_the_same(moto_table: str) -> None:
    t = make_tenant()
    email, _ = _operator(t)
    with pytest.raises(SignInRefused) as wrong:
        auth.login(LoginIn(email=email, password="not the password"), IP)
    with pytest.raises(SignInRefused) as unknown:
        auth.login(LoginIn(email=f"{unique('nobody')}@example.com", password="whatever"), IP)
    assert wrong.value.code == unknown.value.code == "invalid_credentials"


def test_lockout_after_five_failures_then_unlock_after_fifteen_minutes(moto_table: str) -> None:
    """Issue 12: "lockout after failures"."""
    at(T0)
    t = make_tenant()
    email, password = _operator(t)
    for _ in range(rules.MAX_FAILURES):
        with pytest.raises(SignInRefused):
            auth.login(LoginIn(email=email, password="wrong password!"), IP)
    with pytest.raises(SignInRefused) as locked:
        auth.login(LoginIn(email=email, password=password), IP)  # even the right password
    assert locked.value.code == "locked" and 0 < (locked.value.retry_after or 0) <= 15 * 60 + 1
    at(T0 + rules.LOCKOUT + timedelta(seconds=1))
    assert auth.login(LoginIn(email=email, password=password), IP).stage == "ready"


def test_a_success_resets_the_failure_count(moto_table: str) -> None:
    t = make_tenant()
    email, password = _operator(t)
    for _ in range(rules.MAX_FAILURES - 1):
        with pytest.raises(SignInRefused):
            auth.login(LoginIn(email=email, password="wrong password!"), IP)
    auth.login(LoginIn(email=email, password=password), IP)
    with pytest.raises(SignInRefused) as again:
        auth.login(LoginIn(email=email, password="wrong password!"), IP)
    assert again.value.code == "invalid_credentials"


def test_sessions_end_on_idle_and_absolute_timeouts(moto_table: str) -> None:
    at(T0)
    t = make_tenant()
    email, password = _operator(t)
    token = auth.login(LoginIn(email=email, password=password), IP).token
    at(T0 + rules.IDLE - timedelta(seconds=1))
    auth.authenticate(token, IP)  # moves the idle deadline
    at(T0 + rules.IDLE + timedelta(minutes=5))
    auth.authenticate(token, IP)
    at(T0 + rules.IDLE * 3)
    with pytest.raises(SessionEnded):
        auth.authenticate(token, IP)
    token = auth.login(LoginIn(email=email, password=password), IP).token
    start = T0 + rules.IDLE * 3
    moment = start
    while moment < start + rules.ABSOLUTE - rules.IDLE:
        moment += rules.IDLE - timedelta(minutes=1)
        at(moment)
        auth.authenticate(token, IP)
    at(start + rules.ABSOLUTE)
    with pytest.raises(SessionEnded):
        auth.authenticate(token, IP)


def test_disabling_an_operator_ends_their_sessions(moto_table: str) -> None:
    t = make_tenant()
    owner = _console(t)
    email, password = _operator(t, "support")
    token = auth.login(LoginIn(email=email, password=password), IP).token
    target = auth.authenticate(token, IP).operator
    accounts.disable(owner, target.operator_id)
    with pytest.raises(SessionEnded):
        auth.authenticate(token, IP)
    with pytest.raises(SignInRefused):
        auth.login(LoginIn(email=email, password=password), IP)


def test_invited_operator_must_set_a_password_first(moto_table: str) -> None:
    t = make_tenant()
    owner = _console(t)
    email = f"{unique('inv')}@example.com"
    created = accounts.invite(owner, OperatorIn(email=email, role="finance"))  # type: ignore[arg-type]
    started = auth.login(LoginIn(email=email, password=created.password), IP)
    assert started.stage == "password"
    console = auth.authenticate(started.token, IP)
    assert not console.ready
    with pytest.raises(Unprocessable):
        accounts.change_password(console, PasswordChangeIn(new_password="short"))
    accounts.change_password(console, PasswordChangeIn(new_password="a long enough passphrase"))
    console = auth.authenticate(started.token, IP)
    assert console.ready and console.operator.status == "active"
    assert auth.login(LoginIn(email=email, password="a long enough passphrase"), IP).stage == "ready"


def test_admin_cannot_touch_owners_and_nobody_changes_themselves(moto_table: str) -> None:
    t = make_tenant()
    owner = _console(t)
    admin = _console(t, "admin")
    with pytest.raises(Forbidden):
        accounts.change_role(admin, owner.operator.operator_id, RoleIn(role="viewer"))
    with pytest.raises(Forbidden):
        accounts.invite(admin, OperatorIn(email=f"{unique('o')}@example.com", role="owner"))  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        accounts.change_role(owner, owner.operator.operator_id, RoleIn(role="viewer"))
    viewer = _console(t, "viewer")
    with pytest.raises(Forbidden):
        accounts.invite(viewer, OperatorIn(email=f"{unique('o')}@example.com", role="viewer"))  # type: ignore[arg-type]
    changed = accounts.change_role(owner, admin.operator.operator_id, RoleIn(role="support"))
    assert changed.role == "support"


# ---- TOTP ----------------------------------------------------------------------------------------


def test_totp_second_factor_and_replay(moto_table: str) -> None:
    at(T0)
    t = make_tenant()
    email, password = _operator(t)
    console = auth.authenticate(auth.login(LoginIn(email=email, password=password), IP).token, IP)
    setup = accounts.start_totp(console)
    console = auth.authenticate(auth.login(LoginIn(email=email, password=password), IP).token, IP)
    with pytest.raises(Unprocessable):
        accounts.confirm_totp(console, CodeIn(totp="000000"))
    accounts.confirm_totp(console, CodeIn(totp=pyotp.TOTP(setup.secret).at(T0)))
    started = auth.login(LoginIn(email=email, password=password), IP)
    assert started.stage == "totp"
    half = auth.authenticate(started.token, IP)
    assert not half.ready
    at(T0 + timedelta(seconds=30))
    code = pyotp.TOTP(setup.secret).at(T0 + timedelta(seconds=30))
    assert auth.second_factor(half, code) == "ready"
    assert auth.authenticate(started.token, IP).ready
    # the same code again (another sign-in within its 30 seconds) is refused: a code works once
    again = auth.authenticate(auth.login(LoginIn(email=email, password=password), IP).token, IP)
    with pytest.raises(SignInRefused):
        auth.second_factor(again, code)


def test_tenant_can_require_totp(moto_table: str) -> None:
    t = make_tenant()
    owner = _console(t)
    accounts.set_policy(owner, totp_required=True)
    email, password = _operator(t, "viewer")
    started = auth.login(LoginIn(email=email, password=password), IP)
    assert started.stage == "enrol"
    console = auth.authenticate(started.token, IP)
    setup = accounts.start_totp(console)
    console = auth.authenticate(started.token, IP)
    accounts.confirm_totp(console, CodeIn(totp=pyotp.TOTP(setup.secret).now()))
    assert auth.authenticate(started.token, IP).ready


# ---- the same flows with another actor, the audit ------------------------------------------------


def test_operator_status_change_is_on_the_timeline_with_email_and_ip_and_in_the_audit(moto_table: str) -> None:
    """Issue 12: "Every action an operator takes is written on the player's timeline with actor
    operator:<operator_id>, the operator's email and the client IP, in the same transaction as the change";
    seed 000: "The reason is appended as a compliance note on the player dossier"."""
    t = make_tenant()
    player = new_player(principal(t.live_key))
    console = _console(t, "compliance")
    who = console.principal
    body = {"status": "suspended", "reason": "documents requested"}
    user_id, idem = writes.begin(who, player["user_id"], None, method="PATCH", route="/console/status", body=body)
    outcome = lifecycle.change_status(who, user_id, StatusChange.model_validate(body), idem)
    note = outcome.body["player"]["notes"][-1]
    assert note["kind"] == "compliance" and note["text"] == "documents requested"
    assert note["actor"] == f"operator:{console.operator.operator_id}"
    events = store.query(keys.player_pk(who.realm, user_id), sk_prefix="EVT#", forward=False).items
    changed = next(e for e in events if e["type"] == "status_changed")
    assert changed["actor"] == f"operator:{console.operator.operator_id}"
    assert changed["actor_email"] == console.operator.email and changed["actor_ip"] == IP
    entries = audit.page(who, AuditQuery()).entries
    assert [e.type for e in entries] == ["status_changed"]
    assert entries[0].user_id == user_id and entries[0].actor_ip == IP
    # an API key's events keep their shape: no email, no IP, not in the audit
    created = next(e for e in events if e["type"] == "player_created")
    assert created["actor"].startswith("key:") and "actor_email" not in created and "audit_pk" not in created


def test_audit_filters_by_operator_and_date(moto_table: str) -> None:
    at(T0)
    t = make_tenant()
    owner = _console(t)
    accounts.invite(owner, OperatorIn(email=f"{unique('a')}@example.com", role="viewer"))  # type: ignore[arg-type]
    at(T0 + timedelta(days=2))
    other = _console(t, "admin")
    accounts.set_policy(other, totp_required=False)
    everything = audit.page(owner.principal, AuditQuery()).entries
    assert [e.type for e in everything] == ["console_policy_changed", "operator_invited"]
    mine = audit.page(owner.principal, AuditQuery(operator_id=owner.operator.operator_id)).entries
    assert [e.type for e in mine] == ["operator_invited"]
    first_day = audit.page(owner.principal, AuditQuery(date_from=T0.date(), date_to=T0.date())).entries
    assert [e.type for e in first_day] == ["operator_invited"]
    with pytest.raises(Unprocessable):
        audit.page(make_tenant_console().principal, AuditQuery(cursor=_cursor_of(owner)))


def make_tenant_console() -> auth.Console:
    return _console(make_tenant())


def _cursor_of(console: auth.Console) -> str:
    page = audit.page(console.principal, AuditQuery(), limit=1)
    assert page.next_cursor
    return page.next_cursor


# ---- four eyes -----------------------------------------------------------------------------------


def test_four_eyes_above_the_brand_threshold(moto_table: str) -> None:
    t = make_tenant()
    settings = {"withdrawal_second_approval_above": "100", "withdrawal_requires_kyc": False}  # KYC: not this test's
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, settings)
    key_who = principal(t.live_key)
    player = new_player(key_who)
    uid = player["user_id"]
    payments.deposit(
        key_who, uid, DepositIn(amount=Decimal("500")), idempotency.begin(key_who.realm, None, "POST", "d", {})
    )
    payments.request_withdrawal(
        key_who, uid, WithdrawalIn(amount=Decimal("300")), idempotency.begin(key_who.realm, None, "POST", "w", {})
    )
    first, second = _console(t, "finance"), _console(t, "admin")
    queue = queries.withdrawal_queue(first.principal)
    assert [w.amount for w in queue.withdrawals] == ["300.00"]
    wd = queue.withdrawals[0]
    brand = first.principal.brands[t.brand_id]
    assert approvals.completion_step(first.principal, uid, brand, wd) == "approved"
    with pytest.raises(Conflict):
        approvals.completion_step(first.principal, uid, brand, wd)  # the same operator again
    assert approvals.completion_step(second.principal, uid, brand, wd) == "complete"
    assert approvals.approver(second.principal, uid, wd.id) == first.operator.email
    payments.settle_withdrawal(
        second.principal, uid, wd.id, "complete", _outcome(), idempotency.begin(key_who.realm, None, "POST", "c", {})
    )
    assert queries.withdrawal_queue(first.principal).withdrawals == []  # settled: out of the queue
    clock.set_clock(None)


def _outcome() -> object:
    from pitboss.wallet.models import WithdrawalOutcomeIn

    return WithdrawalOutcomeIn(memo="paid")
