"""Admission: registering a player, logging in and out, and verifying an email address from its link.

Players registered here are the same PROFILE items the operator API reads (identity.create_ops), in the
brand tenant's `live` realm; gateway-only details live in the profile's `details` map. Every write is
conditional and transactional, with its timeline event in the same transaction; messages are queued in
that transaction and published after it commits."""

from __future__ import annotations

import uuid
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
from pitboss.gateway import lockout, outbox, passwords, repository, rules, sessions
from pitboss.gateway.models import GwMessageFormat, GwTokenOut, LoginIn, RegisterIn
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.observability import logger
from pitboss.tenancy import Brand


class Opened(TypedDict):
    token: str
    player_id: int


def register(brand: Brand, body: RegisterIn) -> GwTokenOut:
    """Creates the player (the operator API's own record), its credentials, a session and the activation
    email, in one transaction. An existing username or email answers the 422 `*_already_exists` codes,
    whatever the password: a repeated registration is never a password check (no oracle, no way around
    the login lockout)."""
    realm = repository.realm_of(brand)
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
    token, session_put = sessions.open_session(player, brand, epoch=1, wallet_item=None)
    mail = outbox.new_link("activation", player, [(email, "activation_email")], email=email)
    try:
        repository.commit([*ops, session_put, *mail.ops])
    except TransactionCancelled as exc:
        if exc.failed(0):
            raise FieldErrors([("username", "username_already_exists")]) from exc
        if exc.failed(1):
            raise FieldErrors([("email", "email_already_exists")]) from exc
        raise ConcurrentUpdate("registration raced; retry") from exc
    mail.publish()
    logger.info("player registered", extra={"brand_id": brand.brand_id, "player_id": player.player_id})
    return GwTokenOut(token=token, player_id=player.player_id)


def login(brand: Brand, body: LoginIn) -> GwTokenOut:
    """Username (or email) and password -> a session. Wrong credentials: INVALID_CREDENTIALS;
    `login_max_failures` in a row lock the account for `login_lockout_minutes` (ACCOUNT_LOCKED, with
    Retry-After); a player whose state blocks login is refused with the reason's code. Every password check
    is reserved before it runs (`lockout.reserve_attempt`), so parallel guesses can't get past the limit."""
    realm = repository.realm_of(brand)
    password = body.password or ""
    ident = (body.username or body.email or "").strip()
    if len(ident.encode()) > rules.EMAIL_MAX:  # longer than any username or address: never a key to look up
        passwords.verify(None, password)
        raise LoginRefused("INVALID_CREDENTIALS")
    if body.username and body.username.strip():
        user_id = repository.user_id_by_username(realm, brand.brand_id, body.username.strip())
    elif body.email and body.email.strip():
        user_id = repository.user_id_by_email(realm, brand.brand_id, rules.lookup_email(body.email))
    else:
        raise InvalidInput()
    if not password:
        raise InvalidInput()
    found = repository.account(realm, user_id) if user_id is not None else None
    if found is None or found.profile is None or found.credentials is None:
        passwords.verify(None, password)  # same cost as a real check: no user-enumeration timing
        raise LoginRefused("INVALID_CREDENTIALS")
    creds = found.credentials
    locked_until = lockout.reserve_attempt(str(creds["pk"]), brand)
    if not passwords.verify(creds.get("password_hash"), password):
        if locked_until:
            raise lockout.locked(locked_until)
        raise LoginRefused("INVALID_CREDENTIALS")
    player = Player.from_item(realm, found.profile)
    opened = _open_session(brand, realm, player, creds, found.wallet)
    logger.info("player logged in", extra={"brand_id": brand.brand_id, "player_id": player.player_id})
    return GwTokenOut(**opened)


def _open_session(
    brand: Brand, realm: str, player: Player, creds: dict[str, Any], wallet: dict[str, Any] | None
) -> Opened:
    """After a right password: a new session, and the failure count starts again (same transaction). A
    player whose state blocks login is refused with the reason; the right password still clears the count."""
    reasons = gates.effective(player, brand.settings).blocks.get("login")
    if reasons:
        lockout.clear_failures(str(creds["pk"]))
        raise LoginRefused(rules.login_block_code(reasons))
    token, put = sessions.open_session(player, brand, int(creds.get("epoch", 1)), wallet)
    try:
        repository.commit([put, repository.login_succeeded(creds)], retrying=True)
    except TransactionCancelled as exc:  # the credentials item went away meanwhile
        raise ConcurrentUpdate("the credentials changed concurrently; retry") from exc
    return Opened(token=token, player_id=player.player_id)


def logout(brand: Brand, token: str | None) -> None:
    """The session item goes. A missing, unknown or already ended token, or another brand's, is
    InvalidToken, as issue 5 says of every x-auth-token route."""
    if not token or len(token) > sessions.TOKEN_MAX or not repository.end_session(token, brand.brand_id):
        raise InvalidToken()


def verify_email(brand: Brand, token: str | None) -> GwMessageFormat:
    """The link of an activation or an email change: marks the address verified, or moves the player to
    the new address (the uniqueness pointer moves only now). Single use."""
    link = outbox.read_link(token, ("activation", "email_change"), brand.brand_id)
    if link is None or token is None:
        raise GeneralFailure()
    realm, user_id, target = str(link["realm"]), str(link["user_id"]), str(link.get("email") or "")

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        actor = f"player:{current.user_id}"
        if link["purpose"] == "activation":
            if current.email.casefold() != target.casefold():
                raise GeneralFailure()  # the address changed since
            updated = current.model_copy(update={"email_verified": True})
            event = timeline.event_op(realm, user_id, "email_verified", actor, {"email": rules.mask(current.email)})
            return updated, [repository.consume_link(token), event]
        details = dict(current.details)
        pending = str(details.get("pending_email") or "")
        if pending.casefold() != target.casefold():
            raise GeneralFailure()  # superseded by a later request
        details.pop("pending_email", None)
        updated = current.model_copy(update={"email": pending, "email_verified": True, "details": details})
        event = timeline.event_op(
            realm, user_id, "email_changed", actor, {"from": rules.mask(current.email), "to": rules.mask(pending)}
        )
        # ops after the profile: [1] old pointer delete, [2] new pointer put, [3] link, [4] event
        return updated, [*identity.email_swap_ops(current, pending), repository.consume_link(token), event]

    def on_cancel(exc: TransactionCancelled) -> Exception | None:
        if link["purpose"] == "email_change" and exc.failed(2):
            return FieldErrors([("email", "email_already_exists")])
        if exc.failed(len(exc.reasons) - 2):
            return GeneralFailure()  # the link was used meanwhile
        return None

    sessions.mutate(realm, user_id, change, on_cancel=on_cancel, missing=GeneralFailure)
    return GwMessageFormat(message_format="email_verified")
