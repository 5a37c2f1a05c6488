"""The player gateway's flows (seed 002). Every write is conditional and transactional, with its timeline
event in the same transaction; messages are queued in that transaction and published after it commits.

Players registered here are the same PROFILE items the operator API reads (identity.create_ops),
in the brand tenant's `live` realm; gateway-only details live in the profile's `details` map."""

from __future__ import annotations

import contextlib
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from email_validator import EmailNotValidError, validate_email

from pitboss import clock, identity, keys, money, retry, store, timeline
from pitboss.errors import ConcurrentUpdate, Conflict, TransactionCancelled
from pitboss.gateway import outbox, passwords, responses, sessions
from pitboss.gateway.models import (
    ChangePasswordIn,
    DetailsIn,
    EmailUpdateIn,
    ForgotPasswordIn,
    GwCustomFields,
    GwSignIn,
    LoginIn,
    RegisterIn,
    VerifyPasswordIn,
)
from pitboss.gateway.sessions import Caller, brand_of, realm_of
from pitboss.http import HttpError
from pitboss.identity import create_ops, email_swap_ops
from pitboss.identity import gates as rules
from pitboss.identity.entity import Player
from pitboss.observability import logger
from pitboss.settings import get_settings
from pitboss.tenancy import Brand
from pitboss.types import USERNAME_RE, birth_date, country_code
from pitboss.wallet.ledger import Stats, Wallet

MAX_ATTEMPTS = 4
EMAIL_MAX = 254
EMAIL_SYNTAX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{2,30}$")
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$")
TEST_PLAYER_PREFIX = "qqtst_"
DOCUMENT_NAMES = {"tnc": "tnc", "privacy": "privacy_policy"}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3", "JPY": "\u00a5", "KRW": "\u20a9", "INR": "\u20b9"}
SIGNED_TEXT = "successfully signed TNC"


# ---- shared helpers ----------------------------------------------------------------------------


def _mask(email: str) -> str:
    """For timeline data: enough to recognise an address, not the address (a***@example.com)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def email_problem(raw: str | None, brand: Brand, username: str) -> tuple[str | None, str | None]:
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
    if not username.casefold().startswith(TEST_PLAYER_PREFIX):
        for blocked in brand.settings.blocked_email_domains:
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


def _country(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return country_code(value)


def _birthdate(value: str | None) -> date | None:
    if value is None or value == "":
        return None
    text = value.strip()
    if len(text) > 10 and text[10:].strip() in ("00:00:00", "T00:00:00", "T00:00:00Z"):
        text = text[:10]
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        raise ValueError("birthdate")
    return birth_date(date.fromisoformat(text))


def _gender(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    g = value.strip().upper()
    if g not in ("F", "M"):
        raise ValueError("gender")
    return g


def _phone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not PHONE_RE.match(value.strip()):
        raise ValueError("phone")
    return value.strip()


def _language(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not LANGUAGE_RE.match(value.strip()):
        raise ValueError("language")
    return value.strip().lower()


def mutate(
    realm: str,
    user_id: str,
    change: identity.profiles.Change,
    *,
    on_cancel: Callable[[TransactionCancelled], Exception | None] | None = None,
    missing: HttpError | None = None,
) -> Player | None:
    """identity.mutate, where a vanished player is the session's player gone: 401 invalid token."""
    return identity.mutate(
        realm, user_id, change, on_cancel=on_cancel, missing=lambda: missing or responses.invalid_token()
    )


def _details(player: Player) -> dict[str, Any]:
    return dict(player.details)


def _documents(player: Player) -> dict[str, Any]:
    return dict(player.details.get("documents") or {})


def requirement(caller: Caller) -> str | None:
    """The first of the seed's 401 requirement codes the player's real state calls for, or None."""
    player, settings = caller.player, caller.brand.settings
    d = player.details
    if (
        not d.get("first_name")
        or not d.get("last_name")
        or not player.country_code
        or (settings.require_date_of_birth and player.date_of_birth is None)
    ):
        return "INCOMPLETE_REGISTRATION"
    signed = _documents(player)
    if "tnc" in settings.required_documents and "tnc" not in signed:
        return "TNC_APPROVAL_REQUIRED"
    if "privacy" in settings.required_documents and "privacy" not in signed:
        return "PRIVACY_APPROVAL_REQUIRED"
    if caller.credentials.get("password_change_required"):
        return "PASSWORD_CHANGE_REQUIRED"
    if settings.require_email_verification and not player.email_verified:
        return "EMAIL_NOT_VERIFIED"
    return None


def require(caller: Caller) -> None:
    code = requirement(caller)
    if code is not None:
        raise responses.result(401, code)


# ---- sessions ----------------------------------------------------------------------------------


def register(brand: Brand, body: RegisterIn) -> dict[str, Any]:
    """Creates the player (the operator API's own record), its credentials, a session and the activation
    email, in one transaction. An existing username or email answers the 422 `*_already_exists` codes,
    whatever the password: a repeated registration is never a password check (no oracle, no way around
    the login lockout)."""
    realm = realm_of(brand)
    errors: list[tuple[str, str]] = []
    username = (body.username or "").strip()
    if not username:
        errors.append(("username", "username_required"))
    elif not re.match(USERNAME_RE, username):
        errors.append(("username", "username_invalid"))
    email, email_code = email_problem(body.email, brand, username)
    if email_code:
        errors.append(("email", email_code))
    password = body.password or ""
    if not password:
        errors.append(("password", "password_required"))
    else:
        errors += [("password", c) for c in passwords.problems(password, username=username, email=email or "")]
    values: dict[str, Any] = {}
    for name, parse in (
        ("country", _country),
        ("birthdate", _birthdate),
        ("gender", _gender),
        ("phone", _phone),
        ("language", _language),
    ):
        try:
            values[name] = parse(getattr(body, name))
        except ValueError:
            errors.append((name, f"invalid_{name}"))
    # A self-registration below the brand's minimum age is refused outright (an operator-mirrored minor is
    # only flagged, age_verified false, for the wallet to refuse play).
    if values.get("birthdate") and not rules.old_enough(values["birthdate"], brand.settings, clock.now()):
        errors.append(("birthdate", "birthdate_underage"))
    if errors:
        raise responses.fields(errors)
    assert email is not None
    pointers = store.batch_get(
        [
            (keys.username_pk(realm, brand.brand_id, username), keys.UNIQUE),
            (keys.email_pk(realm, brand.brand_id, email), keys.UNIQUE),
        ]
    )
    if pointers.get((keys.username_pk(realm, brand.brand_id, username), keys.UNIQUE)) is not None:
        errors.append(("username", "username_already_exists"))
    if pointers.get((keys.email_pk(realm, brand.brand_id, email), keys.UNIQUE)) is not None:
        errors.append(("email", "email_already_exists"))
    if errors:
        raise responses.fields(errors)

    now = clock.iso(clock.now())
    user_id = str(uuid.uuid4())
    details: dict[str, Any] = {
        "first_name": body.first_name or None,
        "last_name": body.last_name or None,
        "gender": values["gender"],
        "language": values["language"] or "en",
        "phone": values["phone"],
        "registered_via": "gateway",
    }
    player = Player(
        realm=realm,
        user_id=user_id,
        player_id=store.next_counter(keys.counter_pk(realm), "PLAYER"),
        brand_id=brand.brand_id,
        username=username,
        email=email,
        country_code=values["country"],
        date_of_birth=values["birthdate"],
        details={k: v for k, v in details.items() if v is not None},
        version=1,
        created_at=now,
        updated_at=now,
    )
    actor = f"player:{user_id}"
    ops = create_ops(actor, player, source="gateway")  # [0] username pointer, [1] email pointer, ...
    ops.append(
        store.Put(
            sessions.credentials_item(realm, user_id, passwords.hash_password(password)),
            condition="attribute_not_exists(pk)",
        )
    )
    token, session_put = sessions.new_session(realm, player, brand, epoch=1)
    mail = outbox.new_link(
        "activation",
        realm=realm,
        user_id=user_id,
        brand_id=brand.brand_id,
        player_id=player.player_id,
        language=str(player.details.get("language", "en")),
        recipients=[(email, "activation_email")],
        email=email,
    )
    try:
        store.transact([*ops, session_put, *mail.ops])
    except TransactionCancelled as exc:
        if exc.failed(0):
            raise responses.fields([("username", "username_already_exists")]) from exc
        if exc.failed(1):
            raise responses.fields([("email", "email_already_exists")]) from exc
        raise ConcurrentUpdate("registration raced; retry") from exc
    mail.publish()
    logger.info("player registered", extra={"brand_id": brand.brand_id, "player_id": player.player_id})
    return {"token": token, "player_id": player.player_id}


def _open_session(
    brand: Brand, realm: str, player: Player, creds: dict[str, Any], wallet: dict[str, Any] | None
) -> dict[str, Any]:
    """After a right password: a new session, and the failure count starts again (same transaction). A
    player whose state blocks login gets the reason's 401; the right password still clears the count."""
    state = rules.effective(player, brand.settings)
    reasons = state.blocks.get("login")
    if reasons:
        _clear_failures(str(creds["pk"]))
        raise responses.result(401, sessions.login_block_code(reasons))
    token, put = sessions.new_session(realm, player, brand, int(creds.get("epoch", 1)), wallet)
    ops: list[store.Op] = [
        put,
        store.Update(
            creds["pk"],
            sessions.CREDENTIALS_SK,
            "SET failures = :z, last_login_at = :now REMOVE locked_until",
            condition="attribute_exists(pk)",
            values={":z": 0, ":now": clock.iso(clock.now())},
        ),
    ]
    try:
        sessions.retry_conflicts(lambda: store.transact(ops))
    except TransactionCancelled as exc:  # the credentials item went away meanwhile
        raise ConcurrentUpdate("the credentials changed concurrently; retry") from exc
    return {"token": token, "player_id": player.player_id}


def login(brand: Brand, body: LoginIn) -> dict[str, Any]:
    """Username (or email) and password -> a session. Wrong credentials: 401 INVALID_CREDENTIALS;
    `login_max_failures` in a row lock the account for `login_lockout_minutes` (401 ACCOUNT_LOCKED,
    Retry-After); a player whose state blocks login gets 401 with the reason's code. Every password check
    is reserved before it runs (`_reserve_attempt`), so parallel guesses can't get past the limit."""
    realm = realm_of(brand)
    password = body.password or ""
    ident = (body.username or body.email or "").strip()
    if len(ident.encode()) > EMAIL_MAX:  # longer than any username or address: never a key to look up
        passwords.verify(None, password)
        raise responses.result(401, "INVALID_CREDENTIALS")
    if body.username and body.username.strip():
        pointer_pk = keys.username_pk(realm, brand.brand_id, body.username.strip())
    elif body.email and body.email.strip():
        pointer_pk = keys.email_pk(realm, brand.brand_id, lookup_email(body.email))
    else:
        raise responses.invalid_input()
    if not password:
        raise responses.invalid_input()
    pointer = store.get(pointer_pk, keys.UNIQUE)
    creds = profile = wallet = None
    if pointer is not None:
        pk = keys.player_pk(realm, str(pointer["user_id"]))
        items = store.batch_get([(pk, keys.PROFILE), (pk, sessions.CREDENTIALS_SK), (pk, keys.WALLET)])
        profile, creds = items.get((pk, keys.PROFILE)), items.get((pk, sessions.CREDENTIALS_SK))
        wallet = items.get((pk, keys.WALLET))
    if profile is None or creds is None:
        passwords.verify(None, password)  # same cost as a real check: no user-enumeration timing
        raise responses.result(401, "INVALID_CREDENTIALS")
    locked_until = _reserve_attempt(str(creds["pk"]), brand)
    if not passwords.verify(creds.get("password_hash"), password):
        if locked_until:
            raise _locked(locked_until)
        raise responses.result(401, "INVALID_CREDENTIALS")
    player = Player.from_item(realm, profile)
    result = _open_session(brand, realm, player, creds, wallet)
    logger.info("player logged in", extra={"brand_id": brand.brand_id, "player_id": player.player_id})
    return result


def _locked(until: str) -> HttpError:
    seconds = max(1, int((clock.parse_iso(until) - clock.now()).total_seconds()) + 1)
    return responses.result(401, "ACCOUNT_LOCKED", {"Retry-After": str(seconds)})


LOCK_CONDITION = "attribute_not_exists(locked_until) OR locked_until <= :now"


def _credentials_update(pk: str, expression: str, condition: str, values: dict[str, Any]) -> dict[str, Any]:
    return sessions.retry_conflicts(
        lambda: store.update(pk, sessions.CREDENTIALS_SK, expression, condition=condition, values=values)
    )


def _reserve_attempt(pk: str, brand: Brand) -> str | None:
    """Reserves one password check before it runs, atomically: `ADD failures 1` only while fewer than
    `login_max_failures` checks are counted and no lock is in force, so parallel guesses can never get more
    than the limit checked. The attempt that takes the last slot sets `locked_until` at once (a right
    password on it still logs in and clears the lock); a right password resets the count. Refused: 401
    ACCOUNT_LOCKED. Returns the lock this attempt set (its failure answers ACCOUNT_LOCKED), else None."""
    limit = brand.settings.login_max_failures
    reserve = f"attribute_exists(pk) AND (attribute_not_exists(failures) OR failures < :max) AND ({LOCK_CONDITION})"
    for _attempt in retry.attempts(MAX_ATTEMPTS, what="credentials"):
        now = clock.iso(clock.now())
        lock_until = clock.iso(clock.now() + timedelta(minutes=brand.settings.login_lockout_minutes))
        try:
            item = _credentials_update(pk, "ADD failures :one", reserve, {":one": 1, ":max": limit, ":now": now})
        except Conflict:
            current = store.get(pk, sessions.CREDENTIALS_SK)
            if current is None:
                raise responses.result(401, "INVALID_CREDENTIALS") from None
            until = current.get("locked_until")
            if until and until > now:
                raise _locked(str(until)) from None
            try:
                if not until:  # the limit is taken by checks in flight (or lost ones): lock now
                    _set_lock(pk, limit, now, lock_until)
                    raise _locked(lock_until) from None
                # the lock ran out: the first attempt to notice starts the count again, with itself
                item = _credentials_update(
                    pk, "SET failures = :one REMOVE locked_until", "locked_until = :seen", {":one": 1, ":seen": until}
                )
            except Conflict:
                continue  # another attempt moved the item first: decide again
        if int(item.get("failures", 0)) < limit:
            return None
        with contextlib.suppress(Conflict):  # a parallel refusal set the lock first; this attempt keeps its slot
            _set_lock(pk, limit, now, lock_until)
        logger.info("login locked", extra={"brand_id": brand.brand_id})
        return lock_until
    raise ConcurrentUpdate("the credentials changed concurrently; retry")


def _set_lock(pk: str, limit: int, now: str, until: str) -> None:
    _credentials_update(
        pk,
        "SET locked_until = :until",
        f"failures >= :max AND ({LOCK_CONDITION})",
        {":max": limit, ":now": now, ":until": until},
    )


def _clear_failures(pk: str) -> None:
    """A right password releases the attempt it reserved (and any lock it set). Gone or busy: the count
    then stays until the next right password."""
    with contextlib.suppress(Conflict, ConcurrentUpdate):
        _credentials_update(pk, "SET failures = :z REMOVE locked_until", "attribute_exists(pk)", {":z": 0})


def verify_email(brand: Brand, token: str | None) -> dict[str, Any]:
    """The link of an activation or an email change: marks the address verified, or moves the player to
    the new address (the uniqueness pointer moves only now). Single use."""
    link = outbox.read_link(token, ("activation", "email_change"), brand.brand_id)
    if link is None or token is None:
        raise responses.message_format(400, "general_failure")
    realm, user_id, target = str(link["realm"]), str(link["user_id"]), str(link.get("email") or "")

    def change(current: Player) -> tuple[Player, list[store.Op]] | None:
        actor = f"player:{current.user_id}"
        if link["purpose"] == "activation":
            if current.email.casefold() != target.casefold():
                raise responses.message_format(400, "general_failure")  # the address changed since
            updated = current.model_copy(update={"email_verified": True})
            event = timeline.event_op(realm, user_id, "email_verified", actor, {"email": _mask(current.email)})
            return updated, [outbox.consume_op(token), event]
        details = _details(current)
        pending = str(details.get("pending_email") or "")
        if pending.casefold() != target.casefold():
            raise responses.message_format(400, "general_failure")  # superseded by a later request
        details.pop("pending_email", None)
        updated = current.model_copy(update={"email": pending, "email_verified": True, "details": details})
        event = timeline.event_op(
            realm, user_id, "email_changed", actor, {"from": _mask(current.email), "to": _mask(pending)}
        )
        # ops after the profile: [1] old pointer delete, [2] new pointer put, [3] link, [4] event
        return updated, [*email_swap_ops(current, pending), outbox.consume_op(token), event]

    def on_cancel(exc: TransactionCancelled) -> Exception | None:
        if link["purpose"] == "email_change" and exc.failed(2):
            return responses.fields([("email", "email_already_exists")])
        if exc.failed(len(exc.reasons) - 2):
            return responses.message_format(400, "general_failure")  # the link was used meanwhile
        return None

    mutate(realm, user_id, change, on_cancel=on_cancel, missing=responses.message_format(400, "general_failure"))
    return {"message_format": "email_verified"}


# ---- personal details --------------------------------------------------------------------------


def details_of(caller: Caller) -> dict[str, Any]:
    p = caller.player
    d = p.details
    opt = d.get("opt_out") or {}
    mobile = d.get("mobile") or {}
    return {
        "firstName": d.get("first_name"),
        "lastName": d.get("last_name"),
        "birthdate": f"{p.date_of_birth.isoformat()} 00:00:00" if p.date_of_birth else None,
        "gender": d.get("gender"),
        "language": d.get("language"),
        "country": p.country_code,
        "city": d.get("city"),
        "address": d.get("address"),
        "zipPostalCode": d.get("zip"),
        "phone": d.get("phone"),
        "eMail": {"eMailAdress": p.email, "isVerified": p.email_verified},
        "optOut": {k: bool(opt.get(k, False)) for k in ("chat", "sms", "email", "phone")},
        "is2faRequired": bool(d.get("is_2fa_required", False)),
        "mobileVerificationStatus": int(mobile.get("status", 0)),
        "mobileVerificationStatusDate": mobile.get("status_date"),
        "mobileVerificationStatusChangedBy": mobile.get("changed_by"),
        "pendingMobileNumber": mobile.get("pending_number"),
    }


def update_details(caller: Caller, body: DetailsIn) -> dict[str, Any] | None:
    """Applies the fields sent. A new phone while the brand verifies mobiles is held pending and answered
    403 mobile_verification_required with the verification's id and token (the seed's `data`); the rest
    of that request is not applied (only the pending verification is stored).

    Date of birth and country gate play (age, licensing): a player may set them only while none is stored
    and KYC is `none`; any other change is 400 invalid input and left to the operator API."""
    try:
        parsed = {
            "gender": _gender(body.gender),
            "country": _country(body.country),
            "birthdate": _birthdate(body.birthdate),
            "phone": _phone(body.phone),
            "language": _language(body.language),
        }
    except ValueError as exc:
        raise responses.invalid_input() from exc
    sent = body.model_fields_set
    verification: dict[str, str] = {}

    def change(current: Player) -> tuple[Player, list[store.Op]] | None:
        details = _details(current)
        update: dict[str, Any] = {}
        changed: list[str] = []
        for field, key in (("firstName", "first_name"), ("lastName", "last_name"), ("city", "city"),
                           ("address", "address"), ("zipPostalCode", "zip")):  # fmt: skip
            value = getattr(body, field)
            if field in sent and value is not None and details.get(key) != value:
                details[key] = value
                changed.append(field)
        for field in ("gender", "language"):
            if parsed[field] is not None and details.get(field) != parsed[field]:
                details[field] = parsed[field]
                changed.append(field)
        if parsed["country"] is not None and parsed["country"] != current.country_code:
            if current.country_code is not None or current.kyc_status != "none":
                raise responses.invalid_input()
            update["country_code"] = parsed["country"]
            changed.append("country")
        if parsed["birthdate"] is not None and parsed["birthdate"] != current.date_of_birth:
            if current.date_of_birth is not None or current.kyc_status != "none":
                raise responses.invalid_input()
            update["date_of_birth"] = parsed["birthdate"]
            changed.append("birthdate")
        if body.optOut is not None:
            opt = dict(details.get("opt_out") or {})
            for k, v in body.optOut.model_dump(exclude_none=True).items():
                if opt.get(k) != v:
                    opt[k] = v
                    changed.append(f"optOut.{k}")
            details["opt_out"] = opt
        phone = parsed["phone"]
        if phone is not None and phone != details.get("phone"):
            mobile = dict(details.get("mobile") or {})
            if caller.brand.settings.mobile_verification:
                verification.clear()
                verification.update(
                    mobile_number=str(uuid.uuid4()),
                    twofa=f"{secrets.randbelow(900) + 100}-{secrets.randbelow(90_000_000) + 10_000_000}",
                )
                mobile.update(
                    pending_number=phone,
                    request_id=verification["mobile_number"],
                    token_hash=keys.sha256(verification["twofa"]),
                    requested_at=clock.iso(clock.now()),
                )
                # the whole update waits: only the verification request is stored, the rest is dropped
                details = {**_details(current), "mobile": mobile}
                update.clear()
                changed[:] = ["pendingMobileNumber"]
            else:
                details["phone"] = phone
                mobile.update(status=0, status_date=clock.iso_seconds(clock.now()).replace("T", " ").rstrip("Z"))
                mobile.update(changed_by="player", pending_number=None)
                changed.append("phone")
            details["mobile"] = mobile
        if not changed:
            return None
        event = timeline.event_op(
            caller.realm,
            current.user_id,
            "personal_details_updated",
            caller.actor,
            {"changed": changed, "comment": (body.comment or "player request")[:200], "operator": body.operator},
        )
        return current.model_copy(update={**update, "details": details}), [event]

    mutate(caller.realm, caller.player.user_id, change, missing=HttpError(404, responses.DETAILS_NOT_FOUND))
    if verification:
        return {
            "status": "mobile_verification_required",
            "data": {"mobile_number": verification["mobile_number"], "2fa_auth_token": verification["twofa"]},
        }
    return None


def custom_fields_of(caller: Caller) -> dict[str, Any]:
    stored = caller.player.details.get("custom_fields") or {}
    return {
        "strCustomFields": [{"id": k, **v} for k, v in sorted((stored.get("str") or {}).items())],
        "intCustomFields": [
            {"id": k, "name": v.get("name", ""), "value": int(v["value"])}
            for k, v in sorted((stored.get("int") or {}).items())
        ],
    }


def update_custom_fields(caller: Caller, body: GwCustomFields) -> None:
    """Merges by id (a field sent replaces the stored one; others stay)."""

    def change(current: Player) -> tuple[Player, list[store.Op]] | None:
        details = _details(current)
        stored = dict(details.get("custom_fields") or {})
        strs = dict(stored.get("str") or {})
        ints = dict(stored.get("int") or {})
        for f in body.strCustomFields:
            strs[f.id] = {"name": f.name, "value": f.value}
        for g in body.intCustomFields:
            ints[g.id] = {"name": g.name, "value": g.value}
        if len(strs) > 100 or len(ints) > 100:
            raise responses.invalid_input()
        new = {"str": strs, "int": ints}
        if new == {"str": stored.get("str") or {}, "int": stored.get("int") or {}}:
            return None
        details["custom_fields"] = new
        return current.model_copy(update={"details": details}), []

    mutate(caller.realm, caller.player.user_id, change)


def request_email_change(caller: Caller, body: EmailUpdateIn) -> None:
    """The new address waits (pending) until the link sent to it is followed; both addresses are told."""
    brand, player = caller.brand, caller.player
    email, code = email_problem(body.email, brand, player.username)
    if code or email is None:
        raise responses.fields([("email", code or "invalid_email")])
    if email.casefold() == player.email.casefold():
        if player.details.get("pending_email"):
            mutate(caller.realm, player.user_id, _drop_pending)
        return
    pointer = store.get(keys.email_pk(caller.realm, brand.brand_id, email), keys.UNIQUE)
    if pointer is not None and pointer.get("user_id") != player.user_id:
        raise responses.fields([("email", "email_already_exists")])
    sent: list[outbox.Outgoing] = []

    def change(current: Player) -> tuple[Player, list[store.Op]] | None:
        details = _details(current)
        details["pending_email"] = email
        mail = outbox.new_link(
            "email_change",
            realm=caller.realm,
            user_id=current.user_id,
            brand_id=brand.brand_id,
            player_id=current.player_id,
            language=str(details.get("language", "en")),
            recipients=[(email, "email_change_verification"), (current.email, "email_change_notice")],
            email=email,
        )
        sent[:] = [mail]
        event = timeline.event_op(
            caller.realm,
            current.user_id,
            "email_change_requested",
            caller.actor,
            {"to": _mask(email), "comment": (body.comment or "player request")[:200]},
        )
        return current.model_copy(update={"details": details}), [*mail.ops, event]

    mutate(caller.realm, player.user_id, change, missing=HttpError(404, responses.EMAIL_NOT_FOUND))
    for mail in sent:
        mail.publish()


def _drop_pending(current: Player) -> tuple[Player, list[store.Op]] | None:
    details = _details(current)
    details.pop("pending_email", None)
    return current.model_copy(update={"details": details}), []


# ---- passwords ---------------------------------------------------------------------------------


def forgot_password(brand: Brand, body: ForgotPasswordIn) -> dict[str, Any]:
    """Always 201 forgot_email_sent: whether the address exists is never revealed, not even by the work
    done as far as DynamoDB goes. Either way: the pointer GetItem, a profile GetItem (of a random id when
    the address is unknown), one TransactWriteItems queueing a message and one publish: a reset link for a
    player, a link-less `password_reset_unknown` message (the mail sender may drop it) otherwise."""
    mail_to = (body.mail or "").strip()
    if not mail_to:
        raise responses.message_format(400, "email_required")
    realm = realm_of(brand)
    if len(mail_to) > EMAIL_MAX:
        return {"message_format": "forgot_email_sent"}  # longer than any address: nothing to look up or send
    address = lookup_email(mail_to)
    pointer = store.get(keys.email_pk(realm, brand.brand_id, address), keys.UNIQUE)
    player = identity.load(realm, str(pointer["user_id"]) if pointer else str(uuid.uuid4()))
    if player is not None:
        mail = outbox.new_link(
            "password_reset",
            realm=realm,
            user_id=player.user_id,
            brand_id=brand.brand_id,
            player_id=player.player_id,
            language=str(player.details.get("language", "en")),
            recipients=[(player.email, "password_reset_email")],
        )
        event = timeline.event_op(realm, player.user_id, "password_reset_requested", "player:anonymous")
        ops = [*mail.ops, event]
    else:
        mail = outbox.notice("password_reset_unknown", realm=realm, brand_id=brand.brand_id, to=address)
        ops = list(mail.ops)
    store.transact(ops)
    mail.publish()
    return {"message_format": "forgot_email_sent"}


def _credentials_change(creds: dict[str, Any], new_password: str, new_epoch: int) -> store.Update:
    return store.Update(
        creds["pk"],
        sessions.CREDENTIALS_SK,
        "SET password_hash = :h, password_changed_at = :now, password_change_required = :f, failures = :z, "
        "epoch = :new REMOVE locked_until",
        condition="epoch = :old",
        values={
            ":h": passwords.hash_password(new_password),
            ":now": clock.iso(clock.now()),
            ":f": False,
            ":z": 0,
            ":new": new_epoch,
            ":old": int(creds.get("epoch", 0)),
        },
    )


def verify_password(brand: Brand, token: str | None, body: VerifyPasswordIn) -> tuple[int, dict[str, Any]]:
    """Sets the new password from a reset link (single use). Every older session ends; a player who may
    log in gets a new session (202 with its token), others 200."""
    link = outbox.read_link(token, ("password_reset",), brand.brand_id)
    if link is None or token is None:
        raise responses.message_format(400, "general_failure")
    realm, user_id = str(link["realm"]), str(link["user_id"])
    pk = keys.player_pk(realm, user_id)
    items = store.batch_get([(pk, keys.PROFILE), (pk, sessions.CREDENTIALS_SK), (pk, keys.WALLET)])
    profile, creds = items.get((pk, keys.PROFILE)), items.get((pk, sessions.CREDENTIALS_SK))
    if profile is None:
        raise responses.message_format(400, "general_failure")
    player = Player.from_item(realm, profile)
    new_password = body.new_password or ""
    codes = passwords.problems(new_password, username=player.username, email=player.email)
    if codes:
        raise responses.fields([("password", c) for c in codes])
    if creds is None:  # a player the operator created: the reset link sets the first password
        epoch = 1
        first = sessions.credentials_item(realm, user_id, passwords.hash_password(new_password), epoch=epoch)
        credentials_op: store.Op = store.Put(first, condition="attribute_not_exists(pk)")
    else:
        epoch = int(creds.get("epoch", 0)) + 1
        credentials_op = _credentials_change(creds, new_password, epoch)
    ops: list[store.Op] = [
        credentials_op,
        outbox.consume_op(token),
        timeline.event_op(realm, user_id, "password_reset", f"player:{user_id}"),
    ]
    session_token = None
    if not rules.effective(player, brand.settings).blocks.get("login"):
        session_token, put = sessions.new_session(realm, player, brand, epoch, items.get((pk, keys.WALLET)))
        ops.append(put)
    try:
        sessions.retry_conflicts(lambda: store.transact(ops))
    except TransactionCancelled as exc:
        raise responses.message_format(400, "general_failure") from exc
    if session_token:
        return 202, {"token": session_token, "message_format": "password_successfully_changed"}
    return 200, {"message_format": "password_successfully_changed"}


def change_password(caller: Caller, body: ChangePasswordIn) -> dict[str, Any]:
    """Old and new password -> 202 password_replaced. The caller's session carries on; every other
    session of the player ends (the credentials epoch moves and this session moves with it).

    The old password is checked like a login: the check is reserved first and a wrong old password counts
    toward the lockout (401 ACCOUNT_LOCKED with Retry-After once locked), so a session is no password
    oracle. There is no "retry" success: a wrong old password is 422 wrong_old_password, whatever the new
    one is."""
    if "tnc" in caller.brand.settings.required_documents and "tnc" not in _documents(caller.player):
        raise HttpError(303, responses.TNC_REQUIRED_303)
    creds, player = caller.credentials, caller.player
    old, new = body.old_password or "", body.new_password or ""
    if not creds.get("pk"):
        passwords.verify(None, old)
        raise responses.message_format(422, "wrong_old_password")
    locked_until = _reserve_attempt(str(creds["pk"]), caller.brand)
    if not passwords.verify(creds.get("password_hash"), old):
        if locked_until:
            raise _locked(locked_until)
        raise responses.message_format(422, "wrong_old_password")
    codes = passwords.problems(new, username=player.username, email=player.email)
    if codes:
        _clear_failures(str(creds["pk"]))
        raise responses.fields([("password", c) for c in codes])
    epoch = int(creds.get("epoch", 0)) + 1
    ops: list[store.Op] = [
        _credentials_change(creds, new, epoch),
        store.Update(
            caller.session_pk,
            sessions.SESSION_SK,
            "SET epoch = :e",
            condition="attribute_exists(pk)",
            values={":e": epoch},
        ),
        timeline.event_op(caller.realm, player.user_id, "password_changed", caller.actor),
    ]
    try:
        sessions.retry_conflicts(lambda: store.transact(ops))
    except TransactionCancelled as exc:
        raise ConcurrentUpdate("the credentials changed concurrently; retry") from exc
    return {"message_format": "password_replaced"}


def set_temporary_password(brand: Brand, user_id: str, password: str) -> None:
    """An operator-issued temporary password: the player must change it (401 PASSWORD_CHANGE_REQUIRED)."""
    realm = realm_of(brand)
    creds = store.get(keys.player_pk(realm, user_id), sessions.CREDENTIALS_SK)
    if creds is None:
        raise responses.invalid_input()
    update = _credentials_change(creds, password, int(creds.get("epoch", 0)) + 1)
    update.expression = update.expression.replace("password_change_required = :f", "password_change_required = :t")
    update.values[":t"] = True
    store.transact([update, timeline.event_op(realm, user_id, "temporary_password_set", "operator")])


def resend_activation(caller: Caller) -> dict[str, Any]:
    player = caller.player
    if not player.email_verified:
        mail = outbox.new_link(
            "activation",
            realm=caller.realm,
            user_id=player.user_id,
            brand_id=caller.brand.brand_id,
            player_id=player.player_id,
            language=str(player.details.get("language", "en")),
            recipients=[(player.email, "activation_email")],
            email=player.email,
        )
        store.transact(mail.ops)
        mail.publish()
    return {"msg": "Activation Email was sent."}


# ---- T&C ---------------------------------------------------------------------------------------


def sign(caller: Caller, body: GwSignIn) -> tuple[int, Any]:
    """Records the signature (with its timeline event) once; 303 names the other required document while
    it is still unsigned, else 201."""
    if str(body.player_id).strip() != str(caller.player.player_id):
        raise responses.invalid_input()
    document = body.type

    def change(current: Player) -> tuple[Player, list[store.Op]] | None:
        details = _details(current)
        signed = dict(details.get("documents") or {})
        if document in signed:
            return None
        signed[document] = {"signed_at": clock.iso(clock.now()), "language": body.language}
        details["documents"] = signed
        event = timeline.event_op(
            caller.realm,
            current.user_id,
            "document_signed",
            caller.actor,
            {"type": document, "language": body.language},
        )
        return current.model_copy(update={"details": details}), [event]

    updated = mutate(caller.realm, caller.player.user_id, change) or caller.player
    signed = _documents(updated)
    other = [d for d in caller.brand.settings.required_documents if d != document and d not in signed]
    if other:
        return 303, {"sign: ": [DOCUMENT_NAMES[d] for d in other]}
    return 201, SIGNED_TEXT


# ---- online status -----------------------------------------------------------------------------


def _display(amount: Decimal) -> int | float:
    """The seed shows balances as JSON numbers (936.04). Quantised amounts of at most 15 significant
    digits print exactly as a float's shortest repr, so this conversion is for display only."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)  # float ok: display only


def _wallet(caller: Caller) -> Wallet:
    if caller.wallet is None:
        return Wallet(user_id=caller.player.user_id, currency=caller.brand.currency)
    return Wallet.from_item(caller.wallet)


def _balances(caller: Caller) -> tuple[str, Decimal, Decimal]:
    """Currency, real and bonus as the player may spend them now (`sessions.spendable`)."""
    real, bonus = sessions.spendable(caller.wallet, caller.now)
    currency = str((caller.wallet or {}).get("currency") or caller.brand.currency)
    return currency, real, bonus


def _stamp(at: str | None) -> str | None:
    """The seed's "2022-01-01 00:00:01" (UTC) for a stored ISO instant."""
    return None if at is None else f"{clock.parse_iso(at):%Y-%m-%d %H:%M:%S}"


@dataclass(frozen=True)
class _SincePlay:
    """Play since the session began: the wallet's totals now less those the session started with."""

    stakes: Decimal
    wins: Decimal
    rounds: int
    balance: Decimal


def _since_login(caller: Caller, stats: Stats, total: Decimal) -> _SincePlay:
    base = caller.session.get("baseline")
    if not base:  # a session from before baselines: count from now
        return _SincePlay(Decimal(0), Decimal(0), 0, Decimal(0))
    # Floors at 0: a rollback during this session of a bet placed before it takes that stake (and its
    # round) off the lifetime totals, which must not show as negative play in this session.
    return _SincePlay(
        stakes=max(stats.stakes - money.to_decimal(base.get("stakes")), Decimal(0)),
        wins=max(stats.wins - money.to_decimal(base.get("wins")), Decimal(0)),
        rounds=max(stats.rounds - int(base.get("rounds", 0)), 0),
        balance=total - money.to_decimal(base.get("balance")),
    )


def _status_common(caller: Caller) -> dict[str, Any]:
    currency, real, bonus = _balances(caller)
    exp = money.exponent(currency)
    stats = Stats.of(caller.wallet)
    total = real + bonus
    since = _since_login(caller, stats, total)
    average = Decimal(0)
    if stats.deposit_count:
        ctx = money.ROUNDING_CTX
        average = ctx.divide(stats.deposits, stats.deposit_count).quantize(money.quantum(exp), context=ctx)
    opt = caller.player.details.get("opt_out") or {}
    base = get_settings().public_gateway_url.rstrip("/")
    return {
        "marketingSegmentation": "0",
        "tag_status": 0,
        "deposit_count": stats.deposit_count,
        "vip_level": "",
        "average_deposit": _display(average),
        "billboard": "",
        "segmentation_id": 0,
        "maxBalance": int(total.scaleb(exp)),
        "UT": 0,
        "decline": "0",
        "VIP_segment": 0,
        "total_balance": _display(total),
        "pending_withdrawal": _display(max(stats.withdrawals_pending, Decimal(0))),
        "total_withdrawals": _display(stats.withdrawals),
        "last_bet": _stamp(stats.last_bet_at),
        "last_deposit": _stamp(stats.last_deposit_at),
        "last_deposit_amount": _display(stats.last_deposit_amount or Decimal(0)),
        "rounds_since_login": since.rounds,
        "balance_since_login": _display(since.balance),
        "playerIdLink": f"{base}/api/player/{caller.player.player_id}",
        "bonusOptOut": 0,
        "real_balance": _display(real),
        "freeTraffic": False,
        "depositsAmount": _display(stats.deposits),
        "chat_opt_out": bool(opt.get("chat", False)),
    }


def _wagering(caller: Caller) -> dict[str, Any]:
    """Remaining wagering of active bonuses, and bonuses whose wagering completed during this session."""
    bonuses = _wallet(caller).bonuses
    now_iso = clock.iso(caller.now)
    live = [b for b in bonuses if b.status == "active" and not b.expired(now_iso)]
    remaining = sum((b.wagering_required - b.wagered for b in live), Decimal(0))
    started = str(caller.session["created_at"])
    completed = [
        b.converted_amount or Decimal(0)
        for b in bonuses
        if b.status == "converted" and b.ended_at is not None and b.ended_at >= started
    ]
    return {
        "maxWin": _display(max(completed, default=Decimal(0))),
        "wageringBalance": _display(max(remaining, Decimal(0))),
        "wageringComplete": "1" if completed else "",
    }


def _played(minutes: int) -> tuple[str, str, str]:
    h, m = divmod(minutes, 60)
    text = f"{h} hour{'' if h == 1 else 's'} {m} minute{'' if m == 1 else 's'}"
    return text, str(m), str(h)


def _reality_check(caller: Caller, *, in_game: bool) -> dict[str, Any] | None:
    """The reality-check body once the player's interval has passed since login or the last check; the
    check resets the clock (conditionally, so concurrent polls answer it once)."""
    interval = caller.state.limits.get("reality_check_interval")
    if interval is None or int(interval) <= 0:
        return None
    last = str(caller.session.get("reality_check_at") or caller.session["created_at"])
    if caller.now - clock.parse_iso(last) < timedelta(minutes=int(interval)):
        return None
    try:
        store.update(
            caller.session_pk,
            sessions.SESSION_SK,
            "SET reality_check_at = :now",
            condition="reality_check_at = :last",
            values={":now": clock.iso(caller.now), ":last": last},
        )
    except (Conflict, ConcurrentUpdate):  # another request answered this check, the session just ended, or busy
        return None
    currency, real, bonus = _balances(caller)
    since = _since_login(caller, Stats.of(caller.wallet), real + bonus)
    minutes = int((caller.now - clock.parse_iso(str(caller.session["created_at"]))).total_seconds() // 60)
    text, m, h = _played(minutes)
    body: dict[str, Any] = {"currency": currency, "profit": _display(since.wins - since.stakes)}
    if not in_game:
        lost = max(since.stakes - since.wins, Decimal(0))
        body.update(total_bets=_display(since.stakes), total_wins=_display(since.wins), total_lossed=_display(lost))
    body.update(restart_period=f"{int(interval)}_min", time_played=text, min=m, h=h)
    return body


def online_status(caller: Caller) -> dict[str, Any]:
    require(caller)
    check = _reality_check(caller, in_game=False)
    if check is not None:
        raise HttpError(303, check)
    _, _, bonus = _balances(caller)
    return {**_status_common(caller), "bonusBalance": _display(bonus), **_wagering(caller)}


def in_game_status(caller: Caller, game_session_id: str) -> dict[str, Any]:
    if not game_session_id or len(game_session_id) > 128:
        raise responses.invalid_input()
    require(caller)
    check = _reality_check(caller, in_game=True)
    if check is not None:
        raise HttpError(303, check)
    return _status_common(caller)


def player_info(caller: Caller) -> dict[str, Any]:
    require(caller)
    p, d = caller.player, caller.player.details
    currency, _, _ = _balances(caller)
    return {
        "playerID": {"username": p.username, "ID": p.player_id, "brand": p.brand_id},
        "firstName": d.get("first_name"),
        "lastName": d.get("last_name"),
        "gender": d.get("gender"),
        "email": p.email,
        "vip_level": int(d.get("vip_level", 1)),
        "country": p.country_code,
        "test_account": 1 if p.username.casefold().startswith(TEST_PLAYER_PREFIX) else 0,
        "currencyName": currency,
        "currencySymbol": CURRENCY_SYMBOLS.get(currency, currency),
        "bTag": str(d.get("btag", "")),
    }


__all__ = ["brand_of", "sessions"]
