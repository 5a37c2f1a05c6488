"""The only webhooks module that knows items and keys: endpoints, deliveries and the sparse due list.

    endpoint   {realm}#WEBHOOKS / WH#{id}                      url, events, secret, enabled, status
    count      {realm}#WEBHOOKS / COUNT                        n: the realm's endpoints (the cap's condition)
    delivery   {realm}#WH#{id} / DLV#{occurred_at}#{event_id}  the signed body, status, attempts, next try
    due list   `lists` index: WHDUE#{shard} / {next_attempt_at}#...  only while a delivery is pending

Deliveries sort by event time inside their endpoint's partition, which is how the worker keeps order."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from pitboss import cursors, keys, store
from pitboss.errors import ConcurrentUpdate, Conflict, TransactionCancelled
from pitboss.store import Item

ENDPOINT_PREFIX = "WH#"
COUNT_SK = "COUNT"
DELIVERY_PREFIX = "DLV#"
DUE_PREFIX = "WHDUE#"
DUE_SHARDS = 8  # the due list spread over a few index partitions (no one hot key for every tenant)
DELIVERED_TTL_DAYS = 30


def realm_of(tenant_id: str, mode: str) -> str:
    return keys.realm(tenant_id, mode)


def endpoints_pk(realm: str) -> str:
    return f"{realm}#WEBHOOKS"


def deliveries_pk(realm: str, endpoint_id: str) -> str:
    return f"{realm}#WH#{endpoint_id}"


def split_deliveries_pk(pk: str) -> tuple[str, str]:
    """`{realm}#WH#{id}` -> (realm, endpoint id)."""
    realm, _, endpoint_id = pk.rpartition("#WH#")
    return realm, endpoint_id


def delivery_sk(occurred_at: str, event_id: str) -> str:
    return f"{DELIVERY_PREFIX}{occurred_at}#{event_id}"


def due_attributes(pk: str, sk: str, next_attempt_at: str) -> dict[str, str]:
    shard = int(hashlib.sha256(pk.encode()).hexdigest()[:8], 16) % DUE_SHARDS
    return {"list_pk": f"{DUE_PREFIX}{shard}", "list_sk": f"{next_attempt_at}#{pk}#{sk}"}


# ---- endpoints ---------------------------------------------------------------------------------------


def _endpoint_item(realm: str, endpoint: dict[str, Any]) -> Item:
    return {"pk": endpoints_pk(realm), "sk": ENDPOINT_PREFIX + endpoint["id"], "kind": "webhook", **endpoint}


def put_endpoint(realm: str, endpoint: dict[str, Any]) -> None:
    """An endpoint put as it is, uncounted (tests use it for endpoints stored before the count existed)."""
    store.put(_endpoint_item(realm, endpoint))


def ensure_count(realm: str) -> None:
    """Gives a realm whose endpoints predate the stored count its count, from a consistent listing, once. Every
    create and delete calls it before writing, so no counted write can land between a listing and its seed."""
    if store.get(endpoints_pk(realm), COUNT_SK) is None:
        reconcile_count(realm)


def reconcile_count(realm: str) -> bool:
    """Sets the realm's count to a consistent listing's length when it says otherwise (a count that drifted, say
    while an older deploy still wrote uncounted endpoints); True when it was off. The write is conditioned on the
    value read, so a counted create or delete landing meanwhile wins and the caller's retry reads again."""
    pk = endpoints_pk(realm)
    item = store.get(pk, COUNT_SK)
    seen = None if item is None else item.get("n")
    listed = len(list_endpoints(realm))
    if seen == listed:
        return False
    condition = "attribute_not_exists(pk)" if item is None else "#n = :seen"
    values: dict[str, Any] = {":n": listed, ":kind": "webhook_count"} | ({} if item is None else {":seen": seen})
    with contextlib.suppress(Conflict, ConcurrentUpdate):  # moved meanwhile: the retry decides again
        store.update(
            pk,
            COUNT_SK,
            "SET #n = :n, #kind = :kind",
            condition=condition,
            names={"#n": "n", "#kind": "kind"},
            values=values,
        )
    return True


def add_endpoint(realm: str, endpoint: dict[str, Any], cap: int) -> bool:
    """Puts the endpoint and counts it in one transaction, which the count conditions: False (and nothing
    written) when the realm already holds `cap`. Two creates racing for the last place get one endpoint.
    A TransactionConflict with a concurrent create or delete raises TransactionCancelled (`is_conflict`)."""
    try:
        store.transact(
            [
                store.Update(
                    endpoints_pk(realm),
                    COUNT_SK,
                    "SET n = n + :one",
                    condition="n < :cap",
                    values={":one": 1, ":cap": cap},
                ),
                store.Put(_endpoint_item(realm, endpoint), condition="attribute_not_exists(pk)"),
            ]
        )
    except TransactionCancelled as exc:
        if exc.failed(0):
            return False
        raise
    return True


def get_endpoint(realm: str, endpoint_id: str) -> Item | None:
    return store.get(endpoints_pk(realm), ENDPOINT_PREFIX + endpoint_id)


def list_endpoints(realm: str, *, consistent: bool = True) -> list[Item]:
    return list(store.query_all(endpoints_pk(realm), sk_prefix=ENDPOINT_PREFIX, consistent=consistent))


def update_endpoint(realm: str, endpoint_id: str, changes: dict[str, Any]) -> Item | None:
    """Sets only `changes` on an endpoint that still exists and returns it; None when there is none. Never a
    read-modify-put: a delete, a secret rotation or a status mark landing meanwhile is not undone."""
    sets = store.assignments(changes)
    try:
        return store.update(
            endpoints_pk(realm),
            ENDPOINT_PREFIX + endpoint_id,
            sets.expression,
            condition="attribute_exists(pk)",
            names=sets.names,
            values=sets.values,
        )
    except Conflict:
        return None


def delete_endpoint(realm: str, endpoint_id: str) -> bool:
    """Deletes the endpoint and uncounts it; False when there was none. A TransactionConflict with a concurrent
    create or delete raises TransactionCancelled (`is_conflict`)."""
    try:
        store.transact(
            [
                store.Delete(endpoints_pk(realm), ENDPOINT_PREFIX + endpoint_id, "attribute_exists(pk)"),
                store.Update(
                    endpoints_pk(realm),
                    COUNT_SK,
                    "SET n = n - :one",
                    condition="n > :zero",
                    values={":one": 1, ":zero": 0},
                ),
            ]
        )
    except TransactionCancelled as exc:
        if exc.failed(0):
            return False
        raise
    return True


def set_endpoint_status(realm: str, endpoint_id: str, status: str, now_iso: str) -> None:
    """Marks an endpoint ok / failing, if it still exists (a deleted one stays deleted)."""
    with contextlib.suppress(Conflict):  # gone, or already so
        store.update(
            endpoints_pk(realm),
            ENDPOINT_PREFIX + endpoint_id,
            "SET #s = :s, updated_at = :now",
            condition="attribute_exists(pk) AND #s <> :s",
            names={"#s": "status"},
            values={":s": status, ":now": now_iso},
        )


# ---- deliveries --------------------------------------------------------------------------------------


def add_delivery(realm: str, endpoint_id: str, event: dict[str, Any], body: str, now_iso: str) -> bool:
    """One delivery of one event to one endpoint, put once (a redelivered stream record adds nothing)."""
    pk, sk = deliveries_pk(realm, endpoint_id), delivery_sk(event["occurred_at"], event["id"])
    item = {
        "pk": pk,
        "sk": sk,
        "kind": "webhook_delivery",
        "endpoint_id": endpoint_id,
        "event_id": event["id"],
        "event_type": event["type"],
        "occurred_at": event["occurred_at"],
        "body": body,
        "status": "pending",
        "attempts": 0,
        "window_from": now_iso,
        "next_attempt_at": now_iso,
        "recent": [],
        "created_at": now_iso,
        **due_attributes(pk, sk, now_iso),
    }
    return store.put_if_absent(item)


def due(shard: int, now_iso: str, limit: int = 200) -> list[tuple[str, str]]:
    """(pk, sk) of pending deliveries whose next attempt is due, oldest due first (eventually consistent)."""
    page = store.query(
        f"{DUE_PREFIX}{shard}",
        index="lists",
        pk_name="list_pk",
        sk_name="list_sk",
        sk_between=("0", f"{now_iso}~"),  # every ISO instant up to now (and its suffixes)
        limit=limit,
    )
    return [(str(i["pk"]), str(i["sk"])) for i in page.items]


def pending(pk: str, limit: int = 25) -> list[Item]:
    """An endpoint's pending deliveries in event-time order (strongly consistent)."""
    page = store.query(
        pk,
        sk_prefix=DELIVERY_PREFIX,
        consistent=True,
        limit=limit,
        filter_expression="#st = :pending",
        names={"#st": "status"},
        values={":pending": "pending"},
    )
    return page.items


def get_delivery(pk: str, sk: str) -> Item | None:
    return store.get(pk, sk)


def record_attempt(item: Item, changes: dict[str, Any], *, keep_due: bool) -> bool:
    """Writes an attempt's outcome, conditioned on the attempt count read (two workers never both count)."""
    if keep_due:  # a re-sent delivery stays on the due list, at its next try, and must not expire
        sets = store.assignments({**changes, **due_attributes(item["pk"], item["sk"], changes["next_attempt_at"])})
        expression, names = sets.expression + " REMOVE #ttl", sets.names | {"#ttl": "ttl"}
    else:
        sets = store.assignments(changes)
        expression, names = sets.expression + " REMOVE list_pk, list_sk", dict(sets.names)
    names["#att"] = "attempts"
    values = sets.values | {":read": item["attempts"]}
    try:
        store.update(item["pk"], item["sk"], expression, condition="#att = :read", names=names, values=values)
    except Conflict:
        return False
    return True


def deliveries_page(pk: str, limit: int, cursor: str | None) -> tuple[list[Item], str | None]:
    """An endpoint's deliveries, newest event first."""
    page = store.query(
        pk,
        sk_prefix=DELIVERY_PREFIX,
        forward=False,
        limit=limit,
        start_key=cursors.decode(cursor, {"pk": pk}) if cursor else None,
    )
    return page.items, cursors.encode(page.last_key) if page.last_key else None


def ttl_for(now_epoch: int) -> int:
    return now_epoch + DELIVERED_TTL_DAYS * 86400
