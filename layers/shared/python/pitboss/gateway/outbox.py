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

from ulid import ULID

from pitboss import bus, clock, keys, store
from pitboss.settings import get_settings

Purpose = Literal["activation", "email_change", "password_reset"]
LOCAL_MAILBOX_PK = "LOCAL#OUTBOX"  # the local stack's developer mailbox (full rows); never written when deployed
OUTBOX_TTL = timedelta(days=7)
LINK_LIFETIME: dict[Purpose, timedelta] = {
    "activation": timedelta(days=3),
    "email_change": timedelta(days=1),
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
}


def outbox_pk(realm: str) -> str:
    return f"{realm}#OUTBOX"


def local_stage() -> bool:
    return get_settings().stage == "local"


def mask(email: str) -> str:
    """Enough to recognise an address, not the address (a***@example.com)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def link_pk(token: str) -> str:
    return f"LINK#{keys.sha256(token)}"


def link_path(purpose: Purpose, brand_id: int, token: str) -> str:
    if purpose == "password_reset":
        return f"/gateway/admission/v1/verify/password/{brand_id}?hash={token}"
    return f"/gateway/admission/v1/verify/email/{brand_id}?hash={token}"


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

    def event_detail(self) -> dict[str, Any]:
        return {
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


@dataclass
class Outgoing:
    """What a flow sends: the link item, the queued messages (ops for the flow's transaction)."""

    ops: list[store.Op]
    messages: list[Message]

    def publish(self) -> None:
        """After the transaction committed: hand the messages to EventBridge (when a bus is configured)."""
        for message in self.messages:
            bus.publish(DETAIL_TYPES.get(message.type, message.type), message.event_detail())


def new_link(
    purpose: Purpose,
    *,
    realm: str,
    user_id: str,
    brand_id: int,
    player_id: int,
    language: str,
    recipients: list[tuple[str, str]],
    email: str | None = None,
) -> Outgoing:
    """A fresh single-use link for `purpose` and the messages carrying it to each (address, type)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    expires = now + LINK_LIFETIME[purpose]
    link = get_settings().public_gateway_url.rstrip("/") + link_path(purpose, brand_id, token)
    ops: list[store.Op] = [
        store.Put(
            {
                "pk": link_pk(token),
                "sk": "LINK",
                "purpose": purpose,
                "realm": realm,
                "user_id": user_id,
                "brand_id": brand_id,
                "email": email,
                "created_at": clock.iso(now),
                "expires_at": clock.iso(expires),
                "ttl": int(expires.timestamp()),
            },
            condition="attribute_not_exists(pk)",
        )
    ]
    messages = [
        _message(
            to,
            message_type=message_type,
            token=token,
            link=link,
            brand_id=brand_id,
            player_id=player_id,
            language=language,
            created_at=clock.iso(now),
        )
        for to, message_type in recipients
    ]
    for message in messages:
        ops += message_ops(realm, user_id, message)
    return Outgoing(ops=ops, messages=messages)


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
        message_id=str(ULID()),
    )


def message_ops(realm: str, user_id: str | None, message: Message) -> list[store.Op]:
    """The realm's outbox row (no token, no link, masked address) and, on the local stack only, the full
    row in the developer mailbox."""
    sk = f"MSG#{message.created_at}#{message.message_id}"
    ttl = int((clock.parse_iso(message.created_at) + OUTBOX_TTL).timestamp())
    detail_type = DETAIL_TYPES.get(message.type, message.type)
    row = {
        "pk": outbox_pk(realm),
        "sk": sk,
        "kind": "outbox_message",
        "user_id": user_id,
        "detail_type": detail_type,
        "message_id": message.message_id,
        "type": message.type,
        "to": mask(message.to),
        "brand_id": message.brand_id,
        "player_id": message.player_id,
        "language": message.language,
        "created_at": message.created_at,
        "ttl": ttl,
    }
    ops: list[store.Op] = [store.Put(row, condition="attribute_not_exists(pk)")]
    if local_stage():
        full = {**row, "pk": LOCAL_MAILBOX_PK, "realm": realm, **message.event_detail(), "ttl": ttl}
        ops.append(store.Put(full, condition="attribute_not_exists(pk)"))
    return ops


def read_link(token: str | None, purposes: tuple[Purpose, ...], brand_id: int) -> dict[str, Any] | None:
    """The live link a token names for one of these purposes and this brand, or None (unknown, used,
    expired, another brand's or another flow's)."""
    if not token or len(token) > 200:
        return None
    item = store.get(link_pk(token), "LINK")
    if item is None or item.get("purpose") not in purposes or int(item.get("brand_id", 0)) != brand_id:
        return None
    if item["expires_at"] <= clock.iso(clock.now()):
        return None
    return item


def consume_op(token: str) -> store.Delete:
    """Single use: the link is deleted in the effect's transaction, only if it still exists."""
    return store.Delete(link_pk(token), "LINK", condition="attribute_exists(pk)")


def list_messages(limit: int = 100, realm: str | None = None) -> list[dict[str, Any]]:
    """Newest first. Without a realm: the local developer mailbox (full rows, what `pitboss outbox --json`
    shows; empty when deployed). With a realm: that realm's outbox rows (masked, no token, no link)."""
    pk = outbox_pk(realm) if realm is not None else LOCAL_MAILBOX_PK
    page = store.query(pk, sk_prefix="MSG#", forward=False, limit=limit, consistent=True)
    return [
        {
            "to": i.get("to"),
            "type": i.get("type"),
            "token": i.get("token"),
            "link": i.get("link"),
            "created_at": i.get("created_at"),
            "brand_id": int(i["brand_id"]) if i.get("brand_id") is not None else None,
            "player_id": int(i["player_id"]) if i.get("player_id") is not None else None,
        }
        for i in page.items
    ]
