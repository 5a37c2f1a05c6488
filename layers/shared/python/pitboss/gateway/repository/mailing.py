"""The gateway's mail as items: the single-use LINK a message carries (only its token's SHA-256 is kept) and
the outbox rows of what was sent (the realm's, with the address masked; on the local stack also the full
row in the developer mailbox).

| item        | pk                           | sk                      |
|-------------|------------------------------|-------------------------|
| link        | LINK#{sha256(token)}         | LINK                    |
| outbox row  | {realm}#OUTBOX, LOCAL#OUTBOX | MSG#{iso}#{ulid}        |"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pitboss import clock, store
from pitboss.gateway.repository import EXISTS, NEW, Op, token_hash

LINK_SK = "LINK"
LOCAL_MAILBOX_PK = "LOCAL#OUTBOX"  # the local stack's developer mailbox (full rows); never written when deployed


def _link_pk(token: str) -> str:
    return f"LINK#{token_hash(token)}"


def new_link(
    token: str,
    *,
    purpose: str,
    realm: str,
    user_id: str,
    brand_id: int,
    email: str | None,
    now: datetime,
    expires: datetime,
    epoch: int | None = None,
    session: str | None = None,
) -> Op:
    """`epoch`: a reset link, valid only while the credentials are at that epoch. `session`: the key of the
    session that asked for an email change (it alone survives the change)."""
    item = {
        "pk": _link_pk(token),
        "sk": LINK_SK,
        "purpose": purpose,
        "realm": realm,
        "user_id": user_id,
        "brand_id": brand_id,
        "email": email,
        "epoch": epoch,
        "session": session,
        "created_at": clock.iso(now),
        "expires_at": clock.iso(expires),
        "ttl": int(expires.timestamp()),
    }
    return store.Put(item, condition=NEW)


def link(token: str) -> dict[str, Any] | None:
    return store.get(_link_pk(token), LINK_SK)


def consume_link(token: str) -> Op:
    """Single use: the link is deleted in the effect's transaction, only if it still exists."""
    return store.Delete(_link_pk(token), LINK_SK, condition=EXISTS)


def outbox_pk(realm: str) -> str:
    return f"{realm}#OUTBOX"


def message_puts(
    realm: str, user_id: str | None, detail_type: str, detail: dict[str, Any], *, masked_to: str, ttl: int, local: bool
) -> list[Op]:
    """The realm's outbox row (no token, no link, the masked address) and, when `local`, the full row in
    the developer mailbox. `detail` is the message as published (message_id, type, created_at, ...)."""
    row = {
        "pk": outbox_pk(realm),
        "sk": f"MSG#{detail['created_at']}#{detail['message_id']}",
        "kind": "outbox_message",
        "user_id": user_id,
        "detail_type": detail_type,
        "message_id": detail["message_id"],
        "type": detail["type"],
        "to": masked_to,
        "brand_id": detail["brand_id"],
        "player_id": detail["player_id"],
        "language": detail["language"],
        "created_at": detail["created_at"],
        "ttl": ttl,
    }
    ops: list[Op] = [store.Put(row, condition=NEW)]
    if local:
        ops.append(store.Put({**row, "pk": LOCAL_MAILBOX_PK, "realm": realm, **detail, "ttl": ttl}, condition=NEW))
    return ops


def messages(realm: str | None, limit: int) -> list[dict[str, Any]]:
    """Newest first: a realm's outbox rows, or (no realm) the developer mailbox."""
    pk = outbox_pk(realm) if realm is not None else LOCAL_MAILBOX_PK
    return store.query(pk, sk_prefix="MSG#", forward=False, limit=limit, consistent=True).items
