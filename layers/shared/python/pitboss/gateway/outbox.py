"""Outgoing player messages and the single-use links they carry.

A message is queued in the table in the same transaction as the change that needs it, and published to
EventBridge (source "pitboss", detail-type per message) after that transaction commits, for the operator's
own mail sender. A link token is random, stored only as a SHA-256 (LINK#{hash}), expires, and is consumed
(deleted, conditionally) in the same transaction as the effect it confirms.

Where messages are stored depends on the stage. Every message gets a row in its realm's own partition
(`{realm}#OUTBOX`): type, brand, player, a masked address, no token and no link, so a deployed table never
holds a usable link token (the token travels only in the EventBridge detail). On the local stack
(`stage == "local"`) the message is also copied in full (to, token, link) to the developer mailbox
partition `LOCAL#OUTBOX`, which `pitboss outbox` lists so a developer can click through a flow."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from pitboss import bus, clock, ids
from pitboss.gateway import repository
from pitboss.gateway.repository import mailing
from pitboss.gateway.rules import mask
from pitboss.identity.entity import Player
from pitboss.settings import get_settings

Purpose = Literal["activation", "email_change", "email_revert", "password_reset"]
OUTBOX_TTL = timedelta(days=7)
LINK_TOKEN_MAX = 200
LINK_LIFETIME: dict[Purpose, timedelta] = {
    "activation": timedelta(days=3),
    "email_change": timedelta(days=1),
    # the old address's way back: long enough to notice a change made by someone holding a stolen session
    "email_revert": timedelta(days=7),
    "password_reset": timedelta(hours=1),
}
# detail-type of the EventBridge event, per message type
DETAIL_TYPES = {
    "activation_email": "Player Activation Email",
    "email_change_verification": "Player Email Change Verification",
    "email_change_notice": "Player Email Change Notice",
    "password_reset_email": "Player Password Reset Email",
    # forgot-password for an address no player has: the mail sender may drop it (or say "no account")
    "password_reset_unknown": "Player Password Reset Unknown Address",
    # a new mobile number's 6-digit code (issue 11 #8); `token` is the code, `to` the number
    "mobile_verification_sms": "Player Mobile Verification SMS",
}


def local_stage() -> bool:
    return get_settings().stage == "local"


def link_path(purpose: Purpose, brand_id: int, token: str) -> str:
    if purpose == "password_reset":
        return f"/gateway/admission/v1/verify/password/{brand_id}?hash={token}"
    if purpose == "email_revert":
        return f"/gateway/admission/v1/revert/email/{brand_id}?hash={token}"
    return f"/gateway/admission/v1/verify/email/{brand_id}?hash={token}"


def _url(purpose: Purpose, brand_id: int, token: str) -> str:
    return get_settings().public_gateway_url.rstrip("/") + link_path(purpose, brand_id, token)


@dataclass
class Message:
    to: str
    type: str
    token: str | None
    link: str | None
    brand_id: int
    player_id: int | None
    language: str
    created_at: str
    message_id: str
    # The email-change notice to the old address also carries the link that undoes the change.
    revert_token: str | None = None
    revert_link: str | None = None

    def event_detail(self) -> dict[str, Any]:
        detail = {
            "message_id": self.message_id,
            "type": self.type,
            "to": self.to,
            "link": self.link,
            "token": self.token,
            "brand_id": self.brand_id,
            "player_id": self.player_id,
            "language": self.language,
            "created_at": self.created_at,
        }
        if self.revert_token is not None:
            detail.update(revert_token=self.revert_token, revert_link=self.revert_link)
        return detail


@dataclass
class Outgoing:
    """What a flow sends: the link item, the queued messages (ops for the flow's transaction)."""

    ops: list[repository.Op]
    messages: list[Message]
    token: str = ""  # the link's token, when there is a link

    def publish(self) -> None:
        """After the transaction committed: hand the messages to EventBridge (when a bus is configured)."""
        for message in self.messages:
            bus.publish(DETAIL_TYPES.get(message.type, message.type), message.event_detail())


def _link_op(purpose: Purpose, token: str, player: Player, email: str | None, **bound: Any) -> repository.Op:
    now = clock.now()
    return mailing.new_link(
        token,
        purpose=purpose,
        realm=player.realm,
        user_id=player.user_id,
        brand_id=player.brand_id,
        email=email,
        now=now,
        expires=now + LINK_LIFETIME[purpose],
        **bound,
    )


def new_link(
    purpose: Purpose,
    player: Player,
    recipients: list[tuple[str, str]],
    *,
    email: str | None = None,
    revert_to: str | None = None,
    **bound: Any,
) -> Outgoing:
    """A fresh single-use link for `purpose` and the messages carrying it to each (address, type), in the
    player's language; `email` is the address the link confirms (activation, email change). `bound` is
    stored with the link (a reset link's credentials `epoch`, an email change's requesting `session`).

    `revert_to` (an email change): a second link, `email_revert`, that restores that address; the message
    sent to it (the notice to the old address) carries both."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    link = _url(purpose, player.brand_id, token)
    ops = [_link_op(purpose, token, player, email, **bound)]
    messages = [
        _message(
            to,
            message_type=message_type,
            token=token,
            link=link,
            brand_id=player.brand_id,
            player_id=player.player_id,
            language=str(player.details.get("language", "en")),
            created_at=clock.iso(now),
        )
        for to, message_type in recipients
    ]
    if revert_to is not None:
        revert = secrets.token_urlsafe(32)
        ops.append(_link_op("email_revert", revert, player, revert_to))
        for message in messages:
            if message.to == revert_to:
                message.revert_token, message.revert_link = revert, _url("email_revert", player.brand_id, revert)
    for message in messages:
        ops += message_ops(player.realm, player.user_id, message)
    return Outgoing(ops=ops, messages=messages, token=token)


def notice(message_type: str, *, realm: str, brand_id: int, to: str, language: str = "en") -> Outgoing:
    """A message without a link and without a player (e.g. a reset asked for an unknown address)."""
    message = _message(
        to,
        message_type=message_type,
        token=None,
        link=None,
        brand_id=brand_id,
        player_id=None,
        language=language,
        created_at=clock.iso(clock.now()),
    )
    return Outgoing(ops=message_ops(realm, None, message), messages=[message])


def sms(message_type: str, player: Player, to: str, code: str) -> Outgoing:
    """A text message to a phone number carrying a one-time `code` (in the token's place; no link)."""
    message = _message(
        to,
        message_type=message_type,
        token=code,
        link=None,
        brand_id=player.brand_id,
        player_id=player.player_id,
        language=str(player.details.get("language", "en")),
        created_at=clock.iso(clock.now()),
    )
    return Outgoing(ops=message_ops(player.realm, player.user_id, message), messages=[message])


def _masked(to: str) -> str:
    return mask(to) if "@" in to else f"{to[:4]}***{to[-2:]}"  # an address, or a phone number


def _message(
    to: str,
    *,
    message_type: str,
    token: str | None,
    link: str | None,
    brand_id: int,
    player_id: int | None,
    language: str,
    created_at: str,
) -> Message:
    return Message(
        to=to,
        type=message_type,
        token=token,
        link=link,
        brand_id=brand_id,
        player_id=player_id,
        language=language,
        created_at=created_at,
        message_id=ids.ulid(),
    )


def message_ops(realm: str, user_id: str | None, message: Message) -> list[repository.Op]:
    """The realm's outbox row (no token, no link, masked address) and, on the local stack only, the full
    row in the developer mailbox."""
    return mailing.message_puts(
        realm,
        user_id,
        DETAIL_TYPES.get(message.type, message.type),
        message.event_detail(),
        masked_to=_masked(message.to),
        ttl=int((clock.parse_iso(message.created_at) + OUTBOX_TTL).timestamp()),
        local=local_stage(),
    )


def read_link(token: str | None, purposes: tuple[Purpose, ...], brand_id: int) -> dict[str, Any] | None:
    """The live link a token names for one of these purposes and this brand, or None (unknown, used,
    expired, another brand's or another flow's)."""
    if not token or len(token) > LINK_TOKEN_MAX:
        return None
    item = mailing.link(token)
    if item is None or item.get("purpose") not in purposes or int(item.get("brand_id", 0)) != brand_id:
        return None
    if item["expires_at"] <= clock.iso(clock.now()):
        return None
    return item


def list_messages(limit: int = 100, realm: str | None = None) -> list[dict[str, Any]]:
    """Newest first. Without a realm: the local developer mailbox (full rows, what `pitboss outbox --json`
    shows; empty when deployed). With a realm: that realm's outbox rows (masked, no token, no link).
    `revert_link` is set on an email-change notice only (the old address's way back)."""
    return [
        {
            "to": i.get("to"),
            "type": i.get("type"),
            "token": i.get("token"),
            "link": i.get("link"),
            "revert_token": i.get("revert_token"),
            "revert_link": i.get("revert_link"),
            "created_at": i.get("created_at"),
            "brand_id": int(i["brand_id"]) if i.get("brand_id") is not None else None,
            "player_id": int(i["player_id"]) if i.get("player_id") is not None else None,
        }
        for i in mailing.messages(realm, limit)
    ]
