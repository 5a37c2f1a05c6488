"""Admission: registering a player, logging in and out, and verifying an email address from its link.

Players registered here are the same PROFILE items the operator API reads (identity.create_ops), in the
brand tenant's `live` realm; gateway-only details live in the profile's `details` map. Every write is
conditional and transactional, with its timeline event in the same transaction; messages are queued in
that transaction and published after it commits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypedDict

from pitboss import clock, identity, timeline
from pitboss.errors import (
    ConcurrentUpdate,
    FieldErrors,
    GeneralFailure,
    InvalidInput,
    InvalidToken,
    LoginRefused,
    TransactionCancelled,
)
from pitboss.gateway import lockout, outbox, passwords, repository, rules, sessions, throttle
from pitboss.gateway.models import LoginIn, RegisterIn
from pitboss.gateway.output import GwMessageFormat, GwTokenOut
from pitboss.gateway.repository import mailing
from pitboss.gateway.sessions import Front
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.observability import logger


class Opened(TypedDict):
    token: str
    player_id: int


def register(front: Front, body: RegisterIn) -> GwTokenOut:
    """Creates the player (the operator API's own record), its credentials, a session and the activation
    email, in one transaction. An existing username or email answers the 422 `*_already_exists` codes,
    whatever the password: a repeated registration is never a password check (no oracle, no way around
    the login lockout). Rate limited per client address and per address (or username) registered."""
    brand, realm = front.brand, front.realm
    throttle.check(front, "registration", account=(body.email or body.username or "").strip())
    asked = rules.registration(body, brand.settings, clock.now())
    if asked.errors:
        raise FieldErrors(asked.errors)
    username, email, values = asked.username, asked.email, asked.values
    assert email is not None
    errors: list[tuple[str, str]] = []
    username_taken, email_taken = repository.pointers_taken(realm, brand.brand_id, username, email)
    if username_taken:
        errors.append(("username", "username_already_exists"))
    if email_taken:
        errors.append(("email", "email_already_exists"))
    if errors:
        raise FieldErrors(errors)

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
        player_id=identity.next_player_number(realm),
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
    ops = identity.create_ops(f"player:{user_id}", player, source="gateway")  # [0] username, [1] email pointer
    ops.append(repository.new_credentials(realm, user_id, passwords.hash_password(asked.password)))
    token, session_put = sessions.open_session(player, front, epoch=1, wallet_item=None)
    mail = outbox.new_link("activation", player, [(email, "activation_email")], email=email)
    counted = throttle.message_quota(front, email, clock.now(), enforce=False)  # the address is new here
    try:
        repository.commit([*ops, session_put, *mail.ops, counted])
    except TransactionCancelled as exc:
        if exc.failed(0):
            raise FieldErrors([("username", "username_already_exists")]) from exc
        if exc.failed(1):
            raise FieldErrors([("email", "email_already_exists")]) from exc
        raise ConcurrentUpdate("registration raced; retry") from exc
    mail.publish()
    logger.info("player registered", extra={"brand_id": brand.brand_id, "player_id": player.player_id})
    return GwTokenOut(token=token, player_id=player.player_id)


def login(front: Front, body: LoginIn) -> GwTokenOut:
    """Username (or email) and password -> a session. Wrong credentials or no such account:
    INVALID_CREDENTIALS; `login_max_failures` in a row from one client address lock that address out for
    `login_lockout_minutes` (ACCOUNT_LOCKED, with Retry-After), and `login_lock_ips` locked-out addresses
    lock the account; a player whose state blocks login is refused with the reason's code. Rate limited per
    address and per name first (429). Known and unknown names do the same work (lockout.check): one
    BatchGetItem (profile, credentials, wallet and the lockout's items; of a random id for an unknown
    name), one reservation, one argon2 verification."""
    brand, realm = front.brand, front.realm
    password = body.password or ""
    ident = (body.username or body.email or "").strip()
    if len(ident.encode()) > rules.EMAIL_MAX:  # longer than any username or address: never a key to look up
        passwords.verify(None, password)
        raise LoginRefused("INVALID_CREDENTIALS")
    if body.username and body.username.strip():
        lookup = body.username.strip()
        user_id = _user_id(front, lambda: repository.user_id_by_username(realm, brand.brand_id, lookup), lookup)
    elif body.email and body.email.strip():
        lookup = rules.lookup_email(body.email)
        user_id = _user_id(front, lambda: repository.user_id_by_email(realm, brand.brand_id, lookup), lookup)
    else:
        raise InvalidInput()
    guard = lockout.Guard.of(front, user_id, lookup)
    found = repository.account(realm, user_id or str(uuid.uuid4()), also=guard.keys)
    creds = found.credentials if found.profile is not None else None
    attempt = lockout.check(guard, guard.state(found.also), (creds or {}).get("password_hash"), password)
    if found.profile is None or creds is None:  # never: a right password has an account behind it
        raise LoginRefused("INVALID_CREDENTIALS")
    player = Player.from_item(realm, found.profile)
    opened = _open_session(front, player, creds, found.wallet, attempt)
    logger.info("player logged in", extra={"brand_id": brand.brand_id, "player_id": player.player_id})
    return GwTokenOut(**opened)


def _user_id(front: Front, lookup: Callable[[], str | None], name: str) -> str | None:
    """A login's name, once the request is counted against the rate limits (429 before any other work)."""
    throttle.check(front, "login", account=name)
    return lookup()


def _open_session(
    front: Front,
    player: Player,
    creds: dict[str, Any],
    wallet: dict[str, Any] | None,
    attempt: lockout.Attempt | None = None,
) -> Opened:
    """After a right password: a new session, and the attempt's count goes (same transaction). A player
    whose state blocks login is refused with the reason; the right password still clears the count."""
    reasons = gates.effective(player, front.settings).blocks.get("login")
    refusal = rules.login_block_code(reasons) if reasons else None
    if refusal is None and creds.get("password_reset_required"):  # a reverted email change: reset first
        refusal = "PASSWORD_CHANGE_REQUIRED"
    if refusal is not None:
        if attempt is not None:
            lockout.clear(attempt)
        raise LoginRefused(refusal)
    token, put = sessions.open_session(player, front, int(creds.get("epoch", 1)), wallet)
    ops = [put, repository.login_succeeded(creds), *([attempt.release()] if attempt is not None else [])]
    try:
        repository.commit(ops, retrying=True)
    except TransactionCancelled as exc:  # the credentials item went away meanwhile
        raise ConcurrentUpdate("the credentials changed concurrently; retry") from exc
    return Opened(token=token, player_id=player.player_id)


def logout(front: Front, token: str | None) -> None:
    """The session item goes. A missing, unknown or already ended token, or another brand's, is
    InvalidToken, as issue 5 says of every x-auth-token route."""
    if not token or len(token) > sessions.TOKEN_MAX or not repository.end_session(token, front.brand.brand_id):
        raise InvalidToken()


def verify_email(front: Front, token: str | None) -> GwMessageFormat:
    """The link of an activation or an email change: marks the address verified, or moves the player to
    the new address (the uniqueness pointer moves only now). Single use.

    Completing an email change moves the credentials to a new epoch in the same transaction: every session
    ends but the one that asked for the change (it follows the epoch), and every reset link dies."""
    throttle.check(front, "verify_link", account=token)
    link = outbox.read_link(token, ("activation", "email_change"), front.brand.brand_id)
    if link is None or token is None:
        raise GeneralFailure()
    realm, user_id, target = str(link["realm"]), str(link["user_id"]), str(link.get("email") or "")
    at: dict[str, int] = {}  # where the ops the answer depends on sit in the transaction

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        actor = f"player:{current.user_id}"
        at.clear()
        if link["purpose"] == "activation":
            if current.email.casefold() != target.casefold():
                raise GeneralFailure()  # the address changed since
            updated = current.model_copy(update={"email_verified": True})
            event = timeline.event_op(realm, user_id, "email_verified", actor, {"email": rules.mask(current.email)})
            at["link"] = 1
            return updated, [mailing.consume_link(token), event]
        details = dict(current.details)
        pending = str(details.get("pending_email") or "")
        if pending.casefold() != target.casefold():
            raise GeneralFailure()  # superseded by a later request
        details.pop("pending_email", None)
        updated = current.model_copy(update={"email": pending, "email_verified": True, "details": details})
        event = timeline.event_op(
            realm, user_id, "email_changed", actor, {"from": rules.mask(current.email), "to": rules.mask(pending)}
        )
        # after the profile: the pointers (old deleted, new put), the link, the event, then the credentials'
        # new epoch and the requesting session following it
        swap = identity.email_swap_ops(current, pending)
        at.update(pointer=len(swap), link=1 + len(swap))
        ops = [*swap, mailing.consume_link(token), event]
        return updated, ops + _new_epoch(realm, user_id, keep=link.get("session"))

    sessions.mutate(realm, user_id, change, on_cancel=lambda exc: _refusal(exc, at), missing=GeneralFailure)
    return GwMessageFormat(message_format="email_verified")


def _refusal(exc: TransactionCancelled, at: dict[str, int]) -> Exception | None:
    """What a cancelled link transaction means: the address was taken meanwhile, the link used meanwhile, or
    the credentials (or the surviving session) moved: retry. None: only the profile moved (mutate retries)."""
    if "pointer" in at and at["pointer"] and exc.failed(at["pointer"]):
        return FieldErrors([("email", "email_already_exists")])
    if exc.failed(at.get("link", -1)):
        return GeneralFailure()
    if any(exc.failed(i) for i in range(1, len(exc.reasons))):
        return ConcurrentUpdate("the credentials or the session changed meanwhile; retry")
    return None


def _new_epoch(realm: str, user_id: str, *, keep: str | None = None, force_reset: bool = False) -> list[repository.Op]:
    """The credentials' next epoch (every session and reset link of the older one ends) and, with `keep`,
    the one session that follows it. No credentials (an operator-made player without a password): none."""
    creds = repository.credentials(realm, user_id)
    if creds is None:
        return []
    epoch, op = repository.new_epoch(creds, force_reset=force_reset)
    ops = [op]
    survivor = repository.session_at(keep) if keep else None
    if survivor is not None and survivor.get("user_id") == user_id:
        ops.append(repository.session_epoch(survivor, epoch))
    return ops


def revert_email(front: Front, token: str | None) -> GwMessageFormat:
    """The revert link of an email-change notice (sent to the old address, 7 days): the old address comes
    back (and any change still pending is dropped), every session ends, every reset link dies, and the next
    login must go through a reset link sent to the restored address (401 PASSWORD_CHANGE_REQUIRED): whoever
    changed the address may also know the password by now. Single use."""
    throttle.check(front, "verify_link", account=token)
    link = outbox.read_link(token, ("email_revert",), front.brand.brand_id)
    if link is None or token is None:
        raise GeneralFailure()
    realm, user_id, old = str(link["realm"]), str(link["user_id"]), str(link.get("email") or "")
    at: dict[str, int] = {}

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        details = dict(current.details)
        details.pop("pending_email", None)
        updated = current.model_copy(update={"email": old, "email_verified": True, "details": details})
        event = timeline.event_op(
            realm,
            user_id,
            "email_change_reverted",
            f"player:{user_id}",
            {"from": rules.mask(current.email), "to": rules.mask(old)},
        )
        swap = identity.email_swap_ops(current, old)  # none when the change never completed
        at.clear()
        at.update(pointer=len(swap), link=1 + len(swap))
        return updated, [*swap, mailing.consume_link(token), event, *_new_epoch(realm, user_id, force_reset=True)]

    sessions.mutate(realm, user_id, change, on_cancel=lambda exc: _refusal(exc, at), missing=GeneralFailure)
    logger.info("email change reverted", extra={"brand_id": front.brand.brand_id})
    return GwMessageFormat(message_format="email_change_reverted")
