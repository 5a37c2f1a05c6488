"""Signing in to the console and being signed in: password (argon2id) with lockout, the second factor
(TOTP), console sessions (random tokens stored as SHA-256, idle and absolute timeouts), and the Console a
request acts as: the operator, the session and the Principal every domain flow takes.

A session goes through stages: `totp` (the password was right, the code is next), `enrol` (the tenant
requires a second factor this operator has not set up), `password` (an invited operator sets their own),
then `ready`. Only a ready session reaches the pages; the others last PENDING at most."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from pitboss import clock, passwords, tenancy
from pitboss.actors import Actor
from pitboss.errors import Conflict, SessionEnded, SignInRefused
from pitboss.operators import repository, rules
from pitboss.operators.entity import ConsoleSession, Operator
from pitboss.operators.models import LoginIn
from pitboss.operators.rules import Permission
from pitboss.tenancy import Mode, Principal

TOKEN_MAX = 200
CONSOLE_KEY_ID = "console"  # the Principal's key_id: operators act through no API key


@dataclass(frozen=True)
class Console:
    """An authenticated console request: who, in which session, as which Principal (tenant, mode, actor)."""

    operator: Operator
    session: ConsoleSession
    principal: Principal
    csrf: str

    @property
    def actor(self) -> Actor:
        return self.principal.actor

    @property
    def ready(self) -> bool:
        return self.session.stage == "ready"

    def can(self, permission: Permission) -> bool:
        return rules.allows(self.operator.role, permission)

    def require(self, permission: Permission) -> None:
        rules.require(self.operator.role, permission)


@dataclass(frozen=True)
class Started:
    """A sign-in that passed the password: the new session's token (for the cookie) and its stage."""

    token: str
    stage: rules.Stage


def token_hash(token: str) -> str:
    """How a session token is kept: only its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(token: str) -> str:
    """The session's one CSRF token, derived from its secret (so it needs no storage and can't be guessed)."""
    return hmac.new(token.encode(), b"pitboss-console-csrf", hashlib.sha256).hexdigest()


def login(form: LoginIn, ip: str | None, tenant_id: str | None = None) -> Started:
    """Email and password -> a new session. Refusals read the same whatever was wrong (and cost the same
    argon2 work when no account exists); `locked` once MAX_FAILURES in a row lock the account."""
    now = clock.now()
    accounts = [o for o in repository.by_email(form.email) if o.status != "disabled"]
    if tenant_id:
        accounts = [o for o in accounts if o.tenant_id == tenant_id]
    open_ = [o for o in accounts if not rules.locked(o.locked_until, now)]
    if not open_:
        passwords.verify(None, form.password)
        if accounts:
            until = min(str(o.locked_until) for o in accounts)
            raise SignInRefused("locked", retry_after=rules.retry_after_seconds(until, now))
        raise SignInRefused()
    matched = [o for o in open_ if passwords.verify(o.password_hash, form.password)]
    if not matched:
        _failed(open_, now)
        raise SignInRefused()
    if len(matched) > 1:
        names = {o.tenant_id: (tenancy.get_tenant(o.tenant_id) or {}).get("name", o.tenant_id) for o in matched}
        raise SignInRefused("choose_tenant", tenants=names)
    operator = matched[0]
    repository.signed_in(operator, clock.iso(now))
    policy = repository.policy(operator.tenant_id)
    stage = rules.first_stage(
        has_totp=operator.has_totp,
        totp_required=policy.totp_required,
        must_change_password=operator.password_change_required,
    )
    token = secrets.token_urlsafe(32)
    session = ConsoleSession(
        token_hash=token_hash(token),
        tenant_id=operator.tenant_id,
        operator_id=operator.operator_id,
        epoch=operator.epoch,
        stage=stage,
        created_at=clock.iso(now),
        last_seen_at=clock.iso(now),
    )
    deadline = rules.session_deadline(session.created_at, session.last_seen_at, stage)
    repository.commit([repository.session_put(session, deadline)])
    return Started(token=token, stage=stage)


def _failed(operators: list[Operator], now: datetime) -> None:
    """One more failure on each account the address names; an account reaching the limit is locked."""
    for operator in operators:
        until = rules.lock_after(repository.count_failure(operator), now)
        if until is not None:
            repository.lock(operator, until, rules.MAX_FAILURES)


def authenticate(token: str | None, ip: str | None) -> Console:
    """The Console a session cookie opens, or SessionEnded: unknown, timed out (idle or absolute), or its
    operator disabled or their password changed since. The idle deadline moves at most once a minute."""
    if not token or len(token) > TOKEN_MAX:
        raise SessionEnded()
    session = repository.session(token_hash(token))
    if session is None:
        raise SessionEnded()
    now = clock.now()
    operator = repository.get(session.tenant_id, session.operator_id)
    ended = rules.session_ended(session.created_at, session.last_seen_at, session.stage, now)
    if ended or operator is None or operator.status == "disabled" or operator.epoch != session.epoch:
        repository.session_delete(session.token_hash)
        raise SessionEnded()
    if session.stage == "ready" and now - clock.parse_iso(session.last_seen_at) >= rules.TOUCH_EVERY:
        session = _save(session, last_seen_at=clock.iso(now))
    principal = _principal(operator, session, ip)
    return Console(operator=operator, session=session, principal=principal, csrf=csrf_token(token))


def _principal(operator: Operator, session: ConsoleSession, ip: str | None) -> Principal:
    """The operator as a caller of the domain flows: every brand of the tenant, in the session's mode."""
    brands = tenancy.tenant_brands(operator.tenant_id)
    return Principal(
        tenant_id=operator.tenant_id,
        mode=session.mode,
        key_id=CONSOLE_KEY_ID,
        scopes=["*"],  # the operator's role is checked by the console (rules.PERMISSIONS), not API scopes
        brands={b.brand_id: b for b in brands},
        operator_id=operator.operator_id,
        operator_email=operator.email,
        client_ip=ip,
    )


def _save(session: ConsoleSession, **changes: object) -> ConsoleSession:
    stage = changes.get("stage", session.stage)
    last_seen = changes.get("last_seen_at", session.last_seen_at)
    deadline = rules.session_deadline(session.created_at, str(last_seen), stage)  # type: ignore[arg-type]
    try:
        return repository.session_update(session, deadline, **changes)
    except Conflict as exc:  # the session was deleted meanwhile (signed out elsewhere, operator disabled)
        raise SessionEnded() from exc


def second_factor(console: Console, code: str) -> rules.Stage:
    """The TOTP code of a `totp` session: right -> the next stage; wrong counts toward the lockout."""
    operator = console.operator
    if console.session.stage != "totp" or operator.totp_secret is None:
        raise SessionEnded()
    now = clock.now()
    if rules.locked(operator.locked_until, now):
        raise SignInRefused("locked", retry_after=rules.retry_after_seconds(str(operator.locked_until), now))
    step = rules.totp_step(operator.totp_secret, code, now, operator.totp_last_step)
    if step is None or not repository.use_totp_step(operator, step):
        _failed([operator], now)
        raise SignInRefused("invalid_code")
    policy = repository.policy(operator.tenant_id)
    stage = rules.next_stage(
        has_totp=True, totp_required=policy.totp_required, must_change_password=operator.password_change_required
    )
    _save(console.session, stage=stage)
    return stage


def advance(console: Console, operator: Operator) -> rules.Stage:
    """After a login stage was done (a second factor set up, a password set): the next one."""
    policy = repository.policy(operator.tenant_id)
    stage = rules.next_stage(
        has_totp=operator.has_totp,
        totp_required=policy.totp_required,
        must_change_password=operator.password_change_required,
    )
    _save(console.session, stage=stage, epoch=operator.epoch)
    return stage


def keep_session(console: Console, operator: Operator) -> None:
    """The caller's session follows the operator's new password epoch (their other sessions end)."""
    _save(console.session, epoch=operator.epoch)


def switch_mode(console: Console, mode: Mode) -> None:
    """Live or test data for the rest of the session (the header's switch)."""
    _save(console.session, mode=mode)


def logout(token: str | None) -> None:
    if token and len(token) <= TOKEN_MAX:
        repository.session_delete(token_hash(token))
