"""Personal details, custom fields and the email change (pending until the link sent to the new address
is followed)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pitboss import clock, timeline
from pitboss.errors import (
    DetailsNotFound,
    EmailNotFound,
    FieldErrors,
    InvalidInput,
    MobileVerificationRequired,
    TransactionCancelled,
)
from pitboss.gateway import lockout, outbox, repository, rules, sessions, throttle
from pitboss.gateway.models import DetailsIn, EmailUpdateIn, GwCustomFields, GwIntCustomField, GwStrCustomField
from pitboss.gateway.output import DetailsOut, GwEMail, GwOptOutOut, GwSuccess
from pitboss.gateway.sessions import Caller
from pitboss.identity.entity import Player

CUSTOM_FIELDS_MAX = 100  # of each kind, per player
NAMED = (("firstName", "first_name"), ("lastName", "last_name"), ("city", "city"), ("address", "address"),
         ("zipPostalCode", "zip"))  # fmt: skip


def details_of(caller: Caller) -> DetailsOut:
    p = caller.player
    d = p.details
    opt = d.get("opt_out") or {}
    mobile = d.get("mobile") or {}
    return DetailsOut(
        firstName=d.get("first_name"),
        lastName=d.get("last_name"),
        birthdate=f"{p.date_of_birth.isoformat()} 00:00:00" if p.date_of_birth else None,
        gender=d.get("gender"),
        language=d.get("language"),
        country=p.country_code,
        city=d.get("city"),
        address=d.get("address"),
        zipPostalCode=d.get("zip"),
        phone=d.get("phone"),
        eMail=GwEMail(eMailAdress=p.email, isVerified=p.email_verified),
        optOut=GwOptOutOut(**{k: bool(opt.get(k, False)) for k in ("chat", "sms", "email", "phone")}),
        is2faRequired=caller.brand.settings.mobile_verification,  # a new number needs its SMS code
        mobileVerificationStatus=int(mobile.get("status", 0)),
        mobileVerificationStatusDate=mobile.get("status_date"),
        mobileVerificationStatusChangedBy=mobile.get("changed_by"),
        pendingMobileNumber=mobile.get("pending_number"),
    )


def update_details(caller: Caller, body: DetailsIn) -> None:
    """Applies the fields sent. A new phone while the brand verifies mobiles is held pending and refused
    with MobileVerificationRequired (the verification's id and token, the seed's 403 `data`) and a 6-digit
    code goes to that number as an SMS; the whole request waits with it and applies once the code is
    confirmed (`mobile.verify`).

    Date of birth and country (seed 002: "Player new birthdate", "Player new country") are the player's to
    change until KYC is approved; after that they are what the documents showed, and a change is InvalidInput
    (the seed's 400 "invalid input") left to the operator API (issue 11 #11)."""
    parsed = parse(body)
    held: list[Held] = []

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        return decide(caller, current, body, parsed, held)

    def refused(exc: TransactionCancelled) -> Exception | None:
        return throttle.quota_spent(clock.now()) if held and exc.failed(1) else None  # the SMS quota, op 1

    sessions.mutate(caller.realm, caller.player.user_id, change, on_cancel=refused, missing=DetailsNotFound)
    if held:
        held[0].sms.publish()
        raise MobileVerificationRequired(held[0].request_id, held[0].token)


@dataclass
class Held:
    """A new phone waiting for its code: the verification's id and token (the 403's data) and the SMS."""

    request_id: str
    token: str
    sms: outbox.Outgoing


def parse(body: DetailsIn) -> dict[str, Any]:
    try:
        return {
            name: rules.PARSERS[name](getattr(body, name))
            for name in ("gender", "country", "birthdate", "phone", "language")
        }
    except ValueError as exc:
        raise InvalidInput() from exc


def decide(
    caller: Caller,
    current: Player,
    body: DetailsIn,
    parsed: dict[str, Any],
    held: list[Held],
    *,
    verified: bool = False,
) -> tuple[Player, list[repository.Op]] | None:
    """The player with the details `body` sends, and the ops to commit with it (the audit event; the held
    verification's SMS). `verified`: the phone's code was just confirmed (the held update applies)."""
    sent = body.model_fields_set
    details = dict(current.details)
    update: dict[str, Any] = {}
    changed: list[str] = []
    for field, key in NAMED:
        value = getattr(body, field)
        if field in sent and value is not None and details.get(key) != value:
            details[key] = value
            changed.append(field)
    for field in ("gender", "language"):
        if parsed[field] is not None and details.get(field) != parsed[field]:
            details[field] = parsed[field]
            changed.append(field)
    if parsed["country"] is not None and parsed["country"] != current.country_code:
        if current.kyc_status == "approved":  # KYC checked it against documents: the operator's now
            raise InvalidInput()
        update["country_code"] = parsed["country"]
        changed.append("country")
    if parsed["birthdate"] is not None and parsed["birthdate"] != current.date_of_birth:
        if current.kyc_status == "approved":
            raise InvalidInput()
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
    ops: list[repository.Op] = []
    if phone is not None and (phone != details.get("phone") or verified):
        mobile = {k: v for k, v in (details.get("mobile") or {}).items() if k not in PENDING_KEYS}
        if caller.brand.settings.mobile_verification and not verified:
            held.clear()
            mobile, ops, hold = _hold(caller, current, body, phone, mobile)
            held.append(hold)
            # the whole update waits: only the verification request is stored, the rest applies with the code
            details = {**current.details, "mobile": mobile}
            update.clear()
            changed[:] = ["pendingMobileNumber"]
        else:
            details["phone"] = phone
            stamp = clock.iso_seconds(clock.now()).replace("T", " ").rstrip("Z")
            mobile.update(status=1 if verified else 0, status_date=stamp, changed_by="player", pending_number=None)
            changed.append("phone")
            details["mobile"] = mobile
    if not changed:
        return None
    event = timeline.event_op(
        caller.realm,
        current.user_id,
        "personal_details_updated",
        caller.actor,
        {"changed": changed},
    )
    return current.model_copy(update={**update, "details": details}), [*ops, event]


PENDING_KEYS = ("request_id", "token_hash", "code_hash", "attempts", "expires_at", "pending_update", "requested_at")
CODE_LIFETIME = timedelta(minutes=10)


def _hold(
    caller: Caller, current: Player, body: DetailsIn, phone: str, mobile: dict[str, Any]
) -> tuple[dict[str, Any], list[repository.Op], Held]:
    """A verification for `phone`: its id and token (handed out in the 403), a 6-digit code sent as an SMS
    (counted in the number's hourly message quota: op 0 here, 1 in the transaction), and the request kept
    whole until the code is confirmed. Only hashes of the token and the code are stored."""
    now = clock.now()
    request_id = str(uuid.uuid4())
    token = f"{secrets.randbelow(900) + 100}-{secrets.randbelow(90_000_000) + 10_000_000}"
    code = f"{secrets.randbelow(1_000_000):06d}"
    sms = outbox.sms("mobile_verification_sms", current, phone, code)
    mobile = {
        **mobile,
        "pending_number": phone,
        "request_id": request_id,
        "token_hash": repository.token_hash(token),
        "code_hash": rules.code_hash(token, code),
        "attempts": 0,
        "requested_at": clock.iso(now),
        "expires_at": clock.iso(now + CODE_LIFETIME),
        "pending_update": body.model_dump(mode="json", exclude_unset=True),
    }
    ops = [throttle.message_quota(caller.front, phone, now), *sms.ops]
    return mobile, ops, Held(request_id=request_id, token=token, sms=sms)


def custom_fields_of(caller: Caller) -> GwCustomFields:
    stored = caller.player.details.get("custom_fields") or {}
    return GwCustomFields(
        strCustomFields=[GwStrCustomField(id=k, **v) for k, v in sorted((stored.get("str") or {}).items())],
        intCustomFields=[
            GwIntCustomField(id=k, name=v.get("name", ""), value=int(v["value"]))
            for k, v in sorted((stored.get("int") or {}).items())
        ],
    )


def update_custom_fields(caller: Caller, body: GwCustomFields) -> GwSuccess:
    """Merges by id (a field sent replaces the stored one; others stay)."""

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        details = dict(current.details)
        stored = dict(details.get("custom_fields") or {})
        strs = dict(stored.get("str") or {})
        ints = dict(stored.get("int") or {})
        for f in body.strCustomFields:
            strs[f.id] = {"name": f.name, "value": f.value}
        for g in body.intCustomFields:
            ints[g.id] = {"name": g.name, "value": g.value}
        if len(strs) > CUSTOM_FIELDS_MAX or len(ints) > CUSTOM_FIELDS_MAX:
            raise InvalidInput()
        new = {"str": strs, "int": ints}
        if new == {"str": stored.get("str") or {}, "int": stored.get("int") or {}}:
            return None
        details["custom_fields"] = new
        return current.model_copy(update={"details": details}), []

    sessions.mutate(caller.realm, caller.player.user_id, change)
    return GwSuccess(result="success")


def request_email_change(caller: Caller, body: EmailUpdateIn) -> None:
    """The new address waits (pending) until the link sent to it is followed; both addresses are told, and
    the notice to the old one also carries a link that undoes the change (7 days). With the brand's
    `email_change_requires_password`, the current password must come with it, checked like a login (a
    wrong one counts toward the lockout): a stolen session alone can't move the account."""
    brand, player = caller.brand, caller.player
    if brand.settings.email_change_requires_password and not lockout.confirm(caller, body.password or ""):
        raise FieldErrors([("password", "wrong_password")])
    email, code = rules.email_problem(body.email, brand.settings.blocked_email_domains, player.username)
    if code or email is None:
        raise FieldErrors([("email", code or "invalid_email")])
    if email.casefold() == player.email.casefold():
        if player.details.get("pending_email"):
            sessions.mutate(caller.realm, player.user_id, _drop_pending)
        return
    owner = repository.user_id_by_email(caller.realm, brand.brand_id, email)
    if owner is not None and owner != player.user_id:
        raise FieldErrors([("email", "email_already_exists")])
    sent: list[outbox.Outgoing] = []

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        details = dict(current.details)
        details["pending_email"] = email
        recipients = [(email, "email_change_verification"), (current.email, "email_change_notice")]
        mail = outbox.new_link(
            "email_change", current, recipients, email=email, revert_to=current.email, session=caller.session["pk"]
        )
        sent[:] = [mail]
        event = timeline.event_op(
            caller.realm,
            current.user_id,
            "email_change_requested",
            caller.actor,
            {"to": rules.mask(email), "comment": (body.comment or "player request")[:200]},
        )
        return current.model_copy(update={"details": details}), [*mail.ops, event]

    sessions.mutate(caller.realm, player.user_id, change, missing=EmailNotFound)
    for mail in sent:
        mail.publish()


def _drop_pending(current: Player) -> tuple[Player, list[repository.Op]] | None:
    details = dict(current.details)
    details.pop("pending_email", None)
    return current.model_copy(update={"details": details}), []
