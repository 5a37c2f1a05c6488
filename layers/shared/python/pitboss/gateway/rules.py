"""The gateway's pure decisions (no I/O, no clock reads: `now` is passed in): the seed's field rules and
codes, password rules, the 401 requirement, lockout arithmetic, dates and message formats. What the wallet
item says as the gateway shows it is in gateway.wallet_view."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pitboss import clock
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.types import USERNAME_RE, EmailNotValidError, birth_date, country_code, validate_email

if TYPE_CHECKING:
    from pitboss.gateway.models import RegisterIn
    from pitboss.tenancy import BrandSettings

# Every `message_format` the gateway answers (issue 11 #9), with its English text: what
# GET /gateway/message-formats answers, and the only keys a brand's `message_formats` setting overrides.
MESSAGE_FORMAT_KEYS: dict[str, str] = {
    "email_verified": "Your email address is verified.",
    "email_change_reverted": "Your email address is restored. Set a new password through the link we sent you.",
    "forgot_email_sent": "If an account uses this address, we sent it a link to reset the password.",
    "email_required": "Enter your email address.",
    "general_failure": "This link is not valid any more. Ask for a new one.",
    "password_replaced": "Your password is changed.",
    "password_successfully_changed": "Your password is changed.",
    "wrong_old_password": "The current password is not right.",
    "tnc_approval_required": "Accept the terms and conditions to continue.",
    "mobile_verified": "Your mobile number is verified.",
    "wrong_verification_code": "The code is not right.",
    "mobile_verification_expired": "The code has expired. Update your number again for a new code.",
}
DEFAULT_LANGUAGE = "en"
EMAIL_MAX = 254
EMAIL_SYNTAX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{2,30}$")
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$")
TEST_PLAYER_PREFIX = "qqtst_"
PASSWORD_MIN = 8
PASSWORD_MAX = 15
PASSWORD_MIN_DISTINCT = 4
PASSWORD_MAX_RUN = 2  # three identical characters in a row is "too many repeating characters"


# ---- fields ------------------------------------------------------------------------------------


def mask(email: str) -> str:
    """Enough to recognise an address, not the address (a***@example.com): outbox rows, timeline data."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def code_hash(token: str, code: str) -> str:
    """How a mobile verification's code is kept: hashed with its 2fa token, so the item alone (a million
    codes) can't be matched without the token the player holds."""
    return hashlib.sha256(f"{token}:{code}".encode()).hexdigest()


def is_test_player(username: str) -> bool:
    return username.casefold().startswith(TEST_PLAYER_PREFIX)


def email_problem(raw: str | None, blocked_domains: list[str], username: str) -> tuple[str | None, str | None]:
    """(normalised email, None) or (None, the seed's error code) for a new email address."""
    value = (raw or "").strip()
    if not value:
        return None, "email_required"
    if len(value) > EMAIL_MAX:
        return None, "email_long"
    if not EMAIL_SYNTAX.match(value):
        return None, "email_syntax_error"
    try:
        info = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None, "invalid_email"
    domains = {info.domain.casefold(), (info.ascii_domain or info.domain).casefold()}
    if not is_test_player(username):
        for blocked in blocked_domains:
            b = blocked.strip().casefold().lstrip("@")
            forms = {f for f in (b, _ascii_domain(b)) if f}
            if any(d == f or d.endswith("." + f) for d in domains for f in forms):
                return None, "email_fraud"
    return info.normalized, None


def _ascii_domain(domain: str) -> str:
    """A blocked-list entry in its IDNA (xn--) form, so either spelling matches either spelling."""
    try:
        return domain.encode("idna").decode("ascii").casefold()
    except UnicodeError:
        return ""


def lookup_email(raw: str) -> str:
    """The form registration stores (email_validator's normalised address), for every lookup by email:
    an IDN address typed as xn--, decomposed or full-width finds the same player."""
    value = raw.strip()
    try:
        return validate_email(value, check_deliverability=False).normalized
    except (EmailNotValidError, ValueError):
        return value


def parse_country(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return country_code(value)


def parse_birthdate(value: str | None) -> date | None:
    if value is None or value == "":
        return None
    text = value.strip()
    if len(text) > 10 and text[10:].strip() in ("00:00:00", "T00:00:00", "T00:00:00Z"):
        text = text[:10]
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        raise ValueError("birthdate")
    return birth_date(date.fromisoformat(text))


def parse_gender(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    g = value.strip().upper()
    if g not in ("F", "M"):
        raise ValueError("gender")
    return g


def parse_phone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not PHONE_RE.match(value.strip()):
        raise ValueError("phone")
    return value.strip()


def parse_language(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not LANGUAGE_RE.match(value.strip()):
        raise ValueError("language")
    return value.strip().lower()


PARSERS = {
    "country": parse_country,
    "birthdate": parse_birthdate,
    "gender": parse_gender,
    "phone": parse_phone,
    "language": parse_language,
}


@dataclass(frozen=True)
class Registration:
    """A registration body as the seed's rules read it: the values, or every field's error code."""

    username: str
    email: str | None
    password: str
    values: dict[str, Any]
    errors: list[tuple[str, str]]


def registration(body: RegisterIn, settings: BrandSettings, now: datetime) -> Registration:
    errors: list[tuple[str, str]] = []
    username = (body.username or "").strip()
    if not username:
        errors.append(("username", "username_required"))
    elif not re.match(USERNAME_RE, username):
        errors.append(("username", "username_invalid"))
    email, email_code = email_problem(body.email, settings.blocked_email_domains, username)
    if email_code:
        errors.append(("email", email_code))
    password = body.password or ""
    if not password:
        errors.append(("password", "password_required"))
    else:
        errors += [("password", c) for c in password_problems(password, username=username, email=email or "")]
    values: dict[str, Any] = {}
    for name, parse in PARSERS.items():
        try:
            values[name] = parse(getattr(body, name))
        except ValueError:
            errors.append((name, f"invalid_{name}"))
    # A self-registration below the brand's minimum age is refused outright (an operator-mirrored minor is
    # only flagged, age_verified false, for the wallet to refuse play).
    if values.get("birthdate") and not gates.old_enough(values["birthdate"], settings, now):
        errors.append(("birthdate", "birthdate_underage"))
    return Registration(username=username, email=email, password=password, values=values, errors=errors)


# ---- passwords ---------------------------------------------------------------------------------


def _longest_run(value: str) -> int:
    longest = run = 0
    previous = None
    for ch in value:
        run = run + 1 if ch == previous else 1
        previous = ch
        longest = max(longest, run)
    return longest


def password_problems(password: str, *, username: str, email: str) -> list[str]:
    """The seed's error codes for a new password, in the seed's order (empty: acceptable)."""
    codes: list[str] = []
    if len(password) < PASSWORD_MIN:
        codes.append("password_short")
    if len(password) > PASSWORD_MAX:
        codes.append("password_long")
    folded = password.casefold()
    local_part = email.partition("@")[0].casefold()
    if folded in {username.casefold(), email.casefold(), local_part} or (
        len(username) >= 3 and username.casefold() in folded
    ):
        codes.append("password_match_user_name")
    if len(set(password)) < PASSWORD_MIN_DISTINCT or _longest_run(password) > PASSWORD_MAX_RUN:
        codes.append("password_same_letters")
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        codes.append("password_mix_characters")
    return codes


# ---- requirements and refusals -----------------------------------------------------------------

DOCUMENT_NAMES = {"tnc": "tnc", "privacy": "privacy_policy"}


def signed_documents(player: Player) -> dict[str, Any]:
    return dict(player.details.get("documents") or {})


def unsigned(player: Player, settings: BrandSettings, *, besides: str | None = None) -> list[str]:
    """The seed's names of the required documents the player has not signed (other than `besides`)."""
    signed = signed_documents(player)
    return [DOCUMENT_NAMES[d] for d in settings.required_documents if d != besides and d not in signed]


def requirement(player: Player, settings: BrandSettings, credentials: dict[str, Any]) -> str | None:
    """The first of the seed's 401 requirement codes the player's real state calls for, or None."""
    d = player.details
    if (
        not d.get("first_name")
        or not d.get("last_name")
        or not player.country_code
        or (settings.require_date_of_birth and player.date_of_birth is None)
    ):
        return "INCOMPLETE_REGISTRATION"
    signed = signed_documents(player)
    if "tnc" in settings.required_documents and "tnc" not in signed:
        return "TNC_APPROVAL_REQUIRED"
    if "privacy" in settings.required_documents and "privacy" not in signed:
        return "PRIVACY_APPROVAL_REQUIRED"
    if credentials.get("password_change_required"):
        return "PASSWORD_CHANGE_REQUIRED"
    if settings.require_email_verification and not player.email_verified:
        return "EMAIL_NOT_VERIFIED"
    return None


_BLOCK_CODES = (
    ("status:closed", "ACCOUNT_CLOSED"),
    ("self_exclusion", "SELF_EXCLUDED"),
    ("status:self_excluded", "SELF_EXCLUDED"),
    ("cooloff", "COOLING_OFF"),
    ("status:suspended", "ACCOUNT_SUSPENDED"),
)


def reset_link_current(link: dict[str, Any], credentials: dict[str, Any] | None, token_hash: str) -> bool:
    """A reset link still works only while it is the latest one sent and the credentials are at the epoch it
    was sent in. Credentials that don't exist yet (a link from before links were bound): the link sets the
    first password."""
    if credentials is None:
        return True
    same_epoch = link.get("epoch") is not None and int(link["epoch"]) == int(credentials.get("epoch", 0))
    return same_epoch and credentials.get("reset_link") == token_hash


def login_block_code(reasons: list[str]) -> str:
    """The login refusal code for the reasons `gates.effective` blocks login with."""
    for reason, code in _BLOCK_CODES:
        if reason in reasons:
            return code
    return "LOGIN_BLOCKED"


def lock_ends(now: datetime, settings: BrandSettings) -> datetime:
    return now + timedelta(minutes=settings.login_lockout_minutes)


def retry_after(until: str, now: datetime) -> int:
    """Whole seconds until a lock ends, rounded up and at least 1 (the Retry-After header)."""
    return max(1, int((clock.parse_iso(until) - now).total_seconds()) + 1)


def months_after(at: datetime, months: int) -> datetime:
    """`at` plus calendar months (a self-exclusion of 6, 12 or 60 months); a day the month lacks becomes its
    last (31 August + 6 months = 28 or 29 February)."""
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return at.replace(year=year, month=month, day=min(at.day, (following - timedelta(days=1)).day))


def missing_player_details(player: Player) -> bool:
    """Online status' `is_missing_player_details`: what a deposit needs asked first - the identity KYC checks
    and the age gate reads (names, date of birth, country). Registration step two asks for the names and the
    country; the date of birth may still be missing where the brand does not require it to register."""
    d = player.details
    return not (d.get("first_name") and d.get("last_name") and player.date_of_birth and player.country_code)


def message_formats(overrides: dict[str, dict[str, str]], language: str | None) -> tuple[str, dict[str, str]]:
    """The language answered and every format's text: the brand's texts for `language` over its English ones
    over the defaults, key by key; a language the brand has no texts for falls back to English."""
    wanted = (language or DEFAULT_LANGUAGE).strip().lower()
    answered = wanted if wanted in overrides else DEFAULT_LANGUAGE
    layers = [overrides.get(DEFAULT_LANGUAGE, {}), overrides.get(answered, {})]
    return answered, {
        k: next((o[k] for o in reversed(layers) if k in o), text) for k, text in MESSAGE_FORMAT_KEYS.items()
    }
