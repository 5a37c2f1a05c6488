"""Pure decisions about operators: what each role may do (one table), who may manage whom, password and
lockout rules, console session timeouts, TOTP codes. No I/O and no clock reads: every rule is given `at`."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

import pyotp

from pitboss import clock
from pitboss.errors import Forbidden, Unprocessable

Role = Literal["owner", "admin", "compliance", "support", "finance", "viewer"]
ROLES: tuple[Role, ...] = ("owner", "admin", "compliance", "support", "finance", "viewer")
Status = Literal["invited", "active", "disabled"]

Permission = Literal[
    "players.read",  # search, the player page and its panels, the timeline
    "players.status",  # lifecycle status (with its compliance note)
    "players.rg",  # RG limits, cool-off, self-exclusion
    "players.kyc",  # KYC decisions
    "players.flags",  # risk band, PEP, sanctions, tags
    "players.notes",  # operator notes
    "players.sessions",  # end a player's gateway sessions
    "players.access",  # password reset link, temporary password, resend activation
    "wallet.read",  # balances, open rounds, transactions
    "withdrawals.read",  # the pending queue
    "withdrawals.decide",  # complete, cancel, approve (four eyes)
    "keys.manage",  # API keys: list, create, revoke
    "operators.manage",  # invite, change role, disable
    "settings.manage",  # brand settings, console security
    "audit.read",  # operator actions across the tenant
]

_READ: frozenset[Permission] = frozenset({"players.read", "wallet.read", "withdrawals.read"})
_ALL: frozenset[Permission] = frozenset(Permission.__args__)  # type: ignore[attr-defined]

# THE table: role -> what it may do. The server checks it on every action; pages show only what it allows.
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "owner": _ALL,
    "admin": _ALL,  # everything; `can_manage` keeps admins away from owners
    "compliance": _READ
    | {
        "players.status",
        "players.rg",
        "players.kyc",
        "players.flags",
        "players.notes",
        "players.sessions",
        "audit.read",
    },
    "support": _READ | {"players.notes", "players.access", "players.sessions", "audit.read"},
    "finance": _READ | {"withdrawals.decide"},
    "viewer": _READ | {"audit.read"},
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def require(role: Role, permission: Permission) -> None:
    """Forbidden (403) unless the role has the permission."""
    if not allows(role, permission):
        raise Forbidden(f"the {role} role may not do this ({permission})", code="operator_forbidden")


def can_manage(actor_role: Role, target_role: Role, new_role: Role | None = None) -> bool:
    """Owners manage anyone; admins manage everyone but owners (and never make one)."""
    if not allows(actor_role, "operators.manage"):
        return False
    if actor_role == "owner":
        return True
    return target_role != "owner" and new_role != "owner"


def assignable_roles(actor_role: Role) -> tuple[Role, ...]:
    return tuple(r for r in ROLES if can_manage(actor_role, r, r))


# ---- passwords -----------------------------------------------------------------------------------

PASSWORD_MIN = 12
PASSWORD_MAX = 128


def password_problems(password: str, email: str) -> list[str]:
    """Why a new operator password is refused (empty: acceptable). Length matters most (NIST SP 800-63B)."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        problems.append(f"at most {PASSWORD_MAX} characters")
    if password.casefold() in {email.casefold(), email.partition("@")[0].casefold()}:
        problems.append("not your email address")
    if len(set(password)) < 5:
        problems.append("at least 5 different characters")
    return problems


def check_password(password: str, email: str) -> None:
    problems = password_problems(password, email)
    if problems:
        raise Unprocessable("the password needs " + ", ".join(problems), code="weak_password")


# ---- lockout -------------------------------------------------------------------------------------

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def locked(locked_until: str | None, at: datetime) -> bool:
    return bool(locked_until and locked_until > clock.iso(at))


def lock_after(failures: int, at: datetime) -> str | None:
    """The instant a lock ends when `failures` consecutive failures reach the limit, else None."""
    return clock.iso(at + LOCKOUT) if failures >= MAX_FAILURES else None


def retry_after_seconds(locked_until: str, at: datetime) -> int:
    return max(1, int((clock.parse_iso(locked_until) - at).total_seconds()) + 1)


# ---- console sessions ----------------------------------------------------------------------------

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
PENDING = timedelta(minutes=10)  # a login half done (second factor, new password) must finish in this
TOUCH_EVERY = timedelta(seconds=60)

Stage = Literal["totp", "enrol", "password", "ready"]


def first_stage(*, has_totp: bool, totp_required: bool, must_change_password: bool) -> Stage:
    """What a login that passed the password still needs, in order: the second factor, setting one up when
    the tenant requires it, a new password (invited operators); else the session is ready."""
    if has_totp:
        return "totp"
    return next_stage(has_totp=False, totp_required=totp_required, must_change_password=must_change_password)


def next_stage(*, has_totp: bool, totp_required: bool, must_change_password: bool) -> Stage:
    """The stage after the second factor was given (or there is none to give)."""
    if totp_required and not has_totp:
        return "enrol"
    if must_change_password:
        return "password"
    return "ready"


def session_deadline(created_at: str, last_seen_at: str, stage: Stage) -> datetime:
    """When a session ends: idle timeout after the last request, capped by its absolute lifetime; a session
    still in a login stage lasts only PENDING."""
    created = clock.parse_iso(created_at)
    if stage != "ready":
        return created + PENDING
    return min(clock.parse_iso(last_seen_at) + IDLE, created + ABSOLUTE)


def session_ended(created_at: str, last_seen_at: str, stage: Stage, at: datetime) -> bool:
    return at >= session_deadline(created_at, last_seen_at, stage)


# ---- TOTP (RFC 6238, 30-second steps, 6 digits) --------------------------------------------------

TOTP_ISSUER = "Pitboss console"


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to (one step of clock drift either way), or None when it is wrong or was
    already used: a step is accepted once, so an overheard code can't be replayed."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        moment = at + timedelta(seconds=30 * drift)
        if totp.at(moment) == code:
            step = int(totp.timecode(moment))
            return step if last_step is None or step > last_step else None
    return None


# ---- four eyes ------------------------------------------------------------------------------------


def needs_second_approval(amount: Decimal, threshold: str | None) -> bool:
    """A withdrawal above the brand's threshold is completed only once a second operator approved it."""
    return threshold is not None and amount > Decimal(threshold)
