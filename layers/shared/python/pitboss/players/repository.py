"""The players domain's data access: the only players module that knows item keys and talks to the store.

The profile itself (read, versioned put, pointers) belongs to pitboss.identity, shared with wallet and
gateway; this module holds what only the players surface reads: the username pointer an upsert decides
on, a page of the timeline with its opaque cursor, and the sparse `due` index the scheduler walks."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from pitboss import keys, store
from pitboss.errors import Unprocessable

# The operations a flow decides and the kernel commits (idempotency.Decision, store.transact).
Op = store.Op
Key = tuple[str, str]

EVENT_PREFIX = "EVT#"
DUE_INDEX = "due"
MAX_CURSOR_SK = 200


def username_pointer(realm: str, brand_id: int, username: str) -> Key:
    """The (brand, username) uniqueness pointer: it holds the user_id once the player exists."""
    return (keys.username_pk(realm, brand_id, username), keys.UNIQUE)


def external_ref_pointer(realm: str, brand_id: int, external_ref: str) -> Key:
    """The (brand, external_ref) uniqueness pointer (seed 000: "Stored on the player metadata for
    cross-lookup"): it holds the user_id of the one player of the brand carrying that ref."""
    return (keys.external_ref_pk(realm, brand_id, external_ref), keys.UNIQUE)


def claim_external_ref(realm: str, brand_id: int, external_ref: str, user_id: str) -> Op:
    """Points the ref at this player, unless another player of the brand holds it (the transaction cancels)."""
    pk, sk = external_ref_pointer(realm, brand_id, external_ref)
    return store.Put(
        {"pk": pk, "sk": sk, "user_id": user_id, "brand_id": brand_id},
        condition="attribute_not_exists(pk) OR user_id = :u",
        values={":u": user_id},
    )


def release_external_ref(realm: str, brand_id: int, external_ref: str, user_id: str) -> Op:
    """Removes the player's old ref pointer, only while it is still this player's."""
    pk, sk = external_ref_pointer(realm, brand_id, external_ref)
    return store.Delete(pk, sk, condition="attribute_not_exists(pk) OR user_id = :u", values={":u": user_id})


def profiles_by_external_ref(realm: str, brand_ids: list[int], external_ref: str) -> list[dict[str, Any]]:
    """The profiles the ref points at in these brands (two BatchGetItems: the pointers, then the profiles)."""
    pointers = store.batch_get([external_ref_pointer(realm, b, external_ref) for b in brand_ids])
    user_ids = sorted({str(p["user_id"]) for p in pointers.values()})
    profiles = store.batch_get([(keys.player_pk(realm, u), keys.PROFILE) for u in user_ids])
    return [profiles[k] for k in sorted(profiles)]


def commit(ops: list[Op]) -> None:
    """One TransactWriteItems; a cancelled one raises TransactionCancelled (read item by item)."""
    store.transact(ops)


# ---- timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def timeline_page(player_pk: str, limit: int, cursor: str | None) -> EventPage:
    """Newest first. The cursor names an event of THIS player only: it is bound to the partition it came from."""
    start = _decode_cursor(cursor, player_pk) if cursor else None
    page = store.query(
        player_pk,
        sk_prefix=EVENT_PREFIX,
        forward=False,
        limit=limit + 1,
        start_key={"pk": player_pk, "sk": start} if start else None,
        consistent=True,
    )
    items = page.items[:limit]
    more = len(page.items) > limit
    return EventPage(items, _encode_cursor(items[-1]["sk"], player_pk) if more and items else None)


def _partition_tag(pk: str) -> str:
    return keys.sha256(pk)[:16]


def _encode_cursor(sk: str, pk: str) -> str:
    raw = json.dumps({"s": sk, "p": _partition_tag(pk)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, pk: str) -> str:
    invalid = Unprocessable(
        "cursor is not valid for this timeline",
        code="invalid_cursor",
        fields=[{"field": "cursor", "message": "use next_cursor from the previous page of this player's timeline"}],
    )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not isinstance(data, dict) or data.get("p") != _partition_tag(pk):
        raise invalid
    sk = data.get("s")
    if not isinstance(sk, str) or not sk.startswith(EVENT_PREFIX) or len(sk) > MAX_CURSOR_SK:
        raise invalid
    return sk


# ---- the due index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A player with an expiry due: its realm, tenant and user_id, read from the index entry's key."""

    realm: str
    tenant_id: str
    user_id: str


@dataclass(frozen=True)
class DuePage:
    entries: list[Due | None]  # None: an index entry that is not a player profile (skipped, counted)
    last_key: dict[str, Any] | None


def due_page(until_iso: str, page_size: int, start: dict[str, Any] | None) -> DuePage:
    """One page of the sparse, keys-only `due` index: players with an expiry at or before `until_iso`.

    The index is eventually consistent: callers re-read each profile consistently before deciding."""
    page = store.query(
        keys.DUE_PK,
        index=DUE_INDEX,
        pk_name="due_pk",
        sk_name="due_at",
        sk_between=("0", until_iso),
        limit=page_size,
        start_key=start,
    )
    return DuePage([_due(entry) for entry in page.items], page.last_key)


def _due(entry: dict[str, Any]) -> Due | None:
    """`T#{tenant}#{mode}#P#{user_id}` / PROFILE -> Due; None for anything else."""
    parts = str(entry.get("pk", "")).split("#")
    if entry.get("sk") != keys.PROFILE or len(parts) != 5 or parts[0] != "T" or parts[3] != "P":
        return None
    return Due(realm="#".join(parts[:3]), tenant_id=parts[1], user_id=parts[4])


def profile_and_engagement(realm: str, user_id: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The profile and the `engagement` attribute of the wallet (lifetime xp, VIP level; issue 13), in one
    BatchGetItem."""
    pk = keys.player_pk(realm, user_id)
    found = store.batch_get([(pk, keys.PROFILE), (pk, keys.WALLET)])
    wallet = found.get((pk, keys.WALLET)) or {}
    return found.get((pk, keys.PROFILE)), dict(wallet.get("engagement") or {})


def wallet_engagement(player_pk: str) -> dict[str, Any]:
    """The engagement attribute of the player's wallet (lifetime xp, VIP level; issue 13), or {}."""
    item = store.get(player_pk, keys.WALLET, consistent=False)
    return dict((item or {}).get("engagement") or {})
