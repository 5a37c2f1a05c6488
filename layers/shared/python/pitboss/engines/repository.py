"""The engines' items and how they are read and written: payout instructions (their own partition, listed
while pending in the `lists` index), reported-activity refs, cashback activity items (written by the wallet's
movements, settled here) and the reads of a cashback settlement. The only engines module that knows keys,
conditions and the store."""

from __future__ import annotations

import contextlib
from typing import Any

from pitboss import idempotency, keys, store
from pitboss.errors import Conflict

Key = tuple[str, str]
Item = dict[str, Any]
Op = store.Op

PAYOUT_SK = "PAYOUT"
_ABSENT = "attribute_not_exists(pk)"


# ---- payout instructions -----------------------------------------------------------------------


def payout_key(realm: str, payout_id: str) -> Key:
    return (keys.payout_pk(realm, payout_id), PAYOUT_SK)


def payout_put(realm: str, payout: Item) -> Op:
    """A new pending instruction, joining its realm's pending list."""
    pk, sk = payout_key(realm, payout["id"])
    return store.Put(
        {
            "pk": pk,
            "sk": sk,
            "kind": "payout",
            **payout,
            "list_pk": keys.payouts_pending_pk(realm),
            "list_sk": f"{payout['created_at']}#{payout['id']}",
        },
        condition=_ABSENT,
    )


def payout_acked(realm: str, payout_id: str, *, at: str, actor: str, memo: str | None) -> Op:
    """Pending -> acked, once; the instruction leaves the pending list."""
    pk, sk = payout_key(realm, payout_id)
    return store.Update(
        pk,
        sk,
        "SET #st = :acked, acked_at = :at, acked_by = :by, #memo = :memo REMOVE list_pk, list_sk",
        condition="#st = :pending",
        names={"#st": "status", "#memo": "memo"},
        values={":acked": "acked", ":pending": "pending", ":at": at, ":by": actor, ":memo": memo},
    )


def get_payout(realm: str, payout_id: str) -> Item | None:
    return store.get(*payout_key(realm, payout_id))


def pending_payouts(realm: str, limit: int, after: str | None) -> tuple[list[Item], str | None]:
    """A page of the realm's pending instructions, oldest first: a Query of the `lists` index (keys only)
    and one BatchGetItem. `after` is the list_sk of the previous page's last item."""
    start = None
    if after is not None:
        payout_id = after.rsplit("#", 1)[-1]
        pk, sk = payout_key(realm, payout_id)
        start = {"pk": pk, "sk": sk, "list_pk": keys.payouts_pending_pk(realm), "list_sk": after}
    page = store.query(
        keys.payouts_pending_pk(realm),
        index=keys.LISTS_INDEX,
        pk_name="list_pk",
        sk_name="list_sk",
        limit=limit,
        start_key=start,
    )
    wanted = [(i["pk"], i["sk"]) for i in page.items]
    found = store.batch_get(wanted) if wanted else {}
    items = [found[k] for k in wanted if k in found and found[k].get("status") == "pending"]
    last = page.last_key.get("list_sk") if page.last_key else None
    return items, last


def transact(ops: list[Op]) -> None:
    store.transact(ops)


# ---- reported activity (plug_in) ---------------------------------------------------------------


def activity_ref_key(realm: str, provider: str, ref: str) -> Key:
    # "#" can't occur in a provider's name: a reported ref never shares a key with a wallet bet's ref.
    return (keys.ref_pk(realm, f"activity#{provider}", ref), "REF")


def activity_ref_put(key: Key, *, user_id: str, fingerprint: str, body: dict[str, Any], now_iso: str) -> Op:
    return store.Put(
        {
            "pk": key[0],
            "sk": key[1],
            "kind": "activity_ref",
            "user_id": user_id,
            "fingerprint": fingerprint,
            "response": idempotency.pack(body),
            "created_at": now_iso,
        },
        condition=_ABSENT,
    )


# ---- cashback ----------------------------------------------------------------------------------


def closed_activity(now_iso: str, limit: int, start: dict[str, Any] | None) -> store.Page:
    """Activity items whose period ended by `now_iso`, from the `lists` index (keys only), oldest first."""
    return store.query(
        keys.CASHBACK_DUE,
        index=keys.LISTS_INDEX,
        pk_name="list_pk",
        sk_name="list_sk",
        sk_between=("0", f"{now_iso}#~"),
        limit=limit,
        start_key=start,
    )


def profile_key(player_pk: str) -> Key:
    return (player_pk, keys.PROFILE)


def wallet_key(player_pk: str) -> Key:
    return (player_pk, keys.WALLET)


def read(wanted: list[Key]) -> dict[Key, Item]:
    return store.batch_get(wanted)


def activity_settled(key: Key, *, outcome: str, amount: Any, at: str, reason: str | None = None) -> Op:
    """Settles a period's activity once: its outcome recorded, out of the cashback list. The condition makes
    a second settlement (a rerun, a concurrent run) cancel instead of paying twice."""
    return store.Update(
        key[0],
        key[1],
        "SET #st = :o, settled_amount = :a, settled_at = :at, #reason = :r REMOVE list_pk, list_sk",
        condition="attribute_exists(pk) AND attribute_not_exists(#st)",
        names={"#st": "status", "#reason": "reason"},
        values={":o": outcome, ":a": amount, ":at": at, ":r": reason},
    )


def unlist(key: Key) -> None:
    """An already settled item put back on the list by a late movement of its period leaves it again."""
    with contextlib.suppress(Conflict):
        store.update(
            key[0], key[1], "REMOVE list_pk, list_sk", condition="attribute_exists(#st)", names={"#st": "status"}
        )


def tenant_realm(player_pk: str) -> tuple[str, str]:
    """(realm, user_id) of a player partition key."""
    realm, _, user_id = player_pk.rpartition("#P#")
    return realm, user_id


def realm_tenant(realm: str) -> tuple[str, str]:
    return keys.realm_tenant(realm)
