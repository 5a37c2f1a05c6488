"""Passwords and the activation email: forgot password (the reset link), setting a new password from it,
changing the password, an operator's temporary password, and resending the activation email."""

from __future__ import annotations

import uuid

from pitboss import clock, timeline
from pitboss.errors import (
    ConcurrentUpdate,
    EmailRequired,
    FieldErrors,
    GeneralFailure,
    InvalidInput,
    TncApprovalRequired,
    TransactionCancelled,
    WrongOldPassword,
)
from pitboss.gateway import lockout, outbox, passwords, repository, rules, sessions, throttle
from pitboss.gateway.models import ChangePasswordIn, ForgotPasswordIn, VerifyPasswordIn
from pitboss.gateway.output import GwMessageFormat, GwMsg, GwTokenMessage
from pitboss.gateway.repository import mailing
from pitboss.gateway.sessions import Caller, Front
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.observability import logger
from pitboss.tenancy import Brand

CHANGED = "password_successfully_changed"


def forgot_password(front: Front, body: ForgotPasswordIn) -> GwMessageFormat:
    """Always forgot_email_sent: whether the address exists is never revealed, not even by the work done
    as far as DynamoDB goes. Either way: the pointer GetItem, a profile + credentials BatchGetItem (of a
    random id when the address is unknown), one TransactWriteItems queueing a message and one publish: a
    reset link for a player, a link-less `password_reset_unknown` message (the mail sender may drop it)
    otherwise. The link is the player's only valid one: it supersedes older ones. Rate limited per client
    address and per address asked for; past the address's hourly message quota nothing is queued and the
    answer is the same."""
    sent = GwMessageFormat(message_format="forgot_email_sent")
    mail_to = (body.mail or "").strip()
    if not mail_to:
        raise EmailRequired()
    brand, realm = front.brand, front.realm
    if len(mail_to) > rules.EMAIL_MAX:
        return sent  # longer than any address: nothing to look up or send
    address = rules.lookup_email(mail_to)
    throttle.check(front, "forgot_password", account=address)
    user_id = repository.user_id_by_email(realm, brand.brand_id, address)
    found = repository.account(realm, user_id or str(uuid.uuid4()))
    if found.profile is not None:
        player = Player.from_item(realm, found.profile)
        # Bound to the credentials epoch (a completed reset or password change kills it) and the latest
        # link sent (a newer request supersedes it).
        epoch = int((found.credentials or {}).get("epoch", 0))
        mail = outbox.new_link("password_reset", player, [(player.email, "password_reset_email")], epoch=epoch)
        event = timeline.event_op(realm, player.user_id, "password_reset_requested", "player:anonymous")
        ops = [*mail.ops, repository.latest_reset_link(realm, player.user_id, mail.token), event]
    else:
        mail = outbox.notice("password_reset_unknown", realm=realm, brand_id=brand.brand_id, to=address)
        ops = list(mail.ops)
    _send_within_quota(front, address, ops, mail)
    return sent


def verify_password(front: Front, token: str | None, body: VerifyPasswordIn) -> GwTokenMessage | GwMessageFormat:
    """Sets the new password from a reset link (single use). Every older session ends; a player who may
    log in gets a new session (its token in the answer), others only the message. The link works only
    while it is the latest one sent and the credentials are at the epoch it was sent in: a newer request,
    a completed reset, a password change or an email change kill it."""
    throttle.check(front, "verify_link", account=token)
    link = outbox.read_link(token, ("password_reset",), front.brand.brand_id)
    if link is None or token is None:
        raise GeneralFailure()
    realm, user_id = str(link["realm"]), str(link["user_id"])
    found = repository.account(realm, user_id)
    if found.profile is None or not rules.reset_link_current(link, found.credentials, repository.token_hash(token)):
        raise GeneralFailure()
    player = Player.from_item(realm, found.profile)
    new_password = body.new_password or ""
    codes = rules.password_problems(new_password, username=player.username, email=player.email)
    if codes:
        raise FieldErrors([("password", c) for c in codes])
    password_hash = passwords.hash_password(new_password)
    if found.credentials is None:  # a player the operator created: the reset link sets the first password
        epoch = 1
        credentials_op = repository.new_credentials(realm, user_id, password_hash, epoch=epoch)
    else:
        epoch = int(found.credentials.get("epoch", 0)) + 1
        current = repository.token_hash(token)
        credentials_op = repository.password_change(found.credentials, password_hash, epoch, reset_link=current)
    ops = [
        credentials_op,
        mailing.consume_link(token),
        timeline.event_op(realm, user_id, "password_reset", f"player:{user_id}"),
    ]
    session_token = None
    if not gates.effective(player, front.settings).blocks.get("login"):
        session_token, put = sessions.open_session(player, front, epoch, found.wallet)
        ops.append(put)
    try:
        repository.commit(ops, retrying=True)
    except TransactionCancelled as exc:
        raise GeneralFailure() from exc
    if session_token:
        return GwTokenMessage(token=session_token, message_format=CHANGED)
    return GwMessageFormat(message_format=CHANGED)


def change_password(caller: Caller, body: ChangePasswordIn) -> GwMessageFormat:
    """Old and new password -> password_replaced. The caller's session carries on; every other session of
    the player ends (the credentials epoch moves and this session moves with it).

    The old password is checked like a login: the check is reserved first and a wrong old password counts
    toward the lockout (ACCOUNT_LOCKED with Retry-After once locked), so a session is no password oracle.
    There is no "retry" success: a wrong old password is wrong_old_password, whatever the new one is."""
    if "tnc" in caller.brand.settings.required_documents and "tnc" not in rules.signed_documents(caller.player):
        raise TncApprovalRequired()
    creds, player = caller.credentials, caller.player
    old, new = body.old_password or "", body.new_password or ""
    if not lockout.confirm(caller, old):
        raise WrongOldPassword()
    codes = rules.password_problems(new, username=player.username, email=player.email)
    if codes:
        raise FieldErrors([("password", c) for c in codes])
    epoch = int(creds.get("epoch", 0)) + 1
    ops = [
        repository.password_change(creds, passwords.hash_password(new), epoch),
        repository.session_epoch(caller.session, epoch),
        timeline.event_op(caller.realm, player.user_id, "password_changed", caller.actor),
    ]
    try:
        repository.commit(ops, retrying=True)
    except TransactionCancelled as exc:
        raise ConcurrentUpdate("the credentials changed concurrently; retry") from exc
    return GwMessageFormat(message_format="password_replaced")


def set_temporary_password(brand: Brand, user_id: str, password: str, actor: str = "operator") -> None:
    """An operator-issued temporary password: the player must change it (PASSWORD_CHANGE_REQUIRED)."""
    realm = repository.realm_of(brand)
    creds = repository.credentials(realm, user_id)
    if creds is None:
        raise InvalidInput()
    epoch = int(creds.get("epoch", 0)) + 1
    update = repository.password_change(creds, passwords.hash_password(password), epoch, temporary=True)
    repository.commit([update, timeline.event_op(realm, user_id, "temporary_password_set", actor)])


def resend_activation(caller: Caller) -> GwMsg:
    """The seed's answer whether or not a message went: none to a verified address, none past the address's
    hourly quota. Rate limited per client address and per player."""
    player = caller.player
    throttle.check(caller.front, "resend_activation", account=player.user_id)
    if not player.email_verified:
        mail = outbox.new_link("activation", player, [(player.email, "activation_email")], email=player.email)
        _send_within_quota(caller.front, player.email, list(mail.ops), mail)
    return GwMsg(msg="Activation Email was sent.")


def _send_within_quota(front: Front, address: str, ops: list[repository.Op], mail: outbox.Outgoing) -> None:
    """Queues the message with its changes and takes one of the address's messages this hour in the same
    transaction; a spent quota cancels it all (nothing queued, nothing published) and the caller answers
    as if it had sent: no flood of mail, and no answer that tells whether one went."""
    try:
        repository.commit([throttle.message_quota(front, address, clock.now()), *ops])
    except TransactionCancelled as exc:
        if exc.failed(0):
            logger.info("message quota spent", extra={"brand_id": front.brand.brand_id, "type": mail.messages[0].type})
            return
        raise
    mail.publish()
