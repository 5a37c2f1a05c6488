"""The operators' items, their keys and conditions: the only operators module that imports the store.

| item                  | pk                          | sk                       |
|-----------------------|-----------------------------|--------------------------|
| operator              | TENANT#{tenant}             | OP#{operator_id}         |
| email pointer         | OPEMAIL#{email_lc}          | TENANT#{tenant}          |
| console session       | OPSESSION#{sha256(token)}   | OPSESSION                |
| console policy        | TENANT#{tenant}             | OPPOLICY                 |
| tenant audit record   | TENANT#{tenant}             | AUDIT#{iso}#{ulid}       |
| withdrawal approval   | {realm}#P#{user_id}         | WDAPPROVAL#{wd_id}       |

The email pointer is keyed by the address first, so one put-if-absent makes an address unique within a
tenant and one Query finds the tenants an address signs in to (the login form asks only for the email)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pitboss import cursors, keys, store
from pitboss.errors import Conflict
from pitboss.operators.entity import ConsoleSession, Operator, Policy

Op = store.Op
Item = dict[str, Any]
SESSION_SK = "OPSESSION"
POLICY_SK = "OPPOLICY"
NEW = "attribute_not_exists(pk)"
EXISTS = "attribute_exists(pk)"
AUDIT_PAGE_READS = 5  # queries per audit page at most, when a filter skips many records


def operator_key(tenant_id: str, operator_id: str) -> tuple[str, str]:
    return (keys.tenant_pk(tenant_id), f"OP#{operator_id}")


def _email_pk(email: str) -> str:
    return f"OPEMAIL#{email.casefold()}"


def _operator_item(operator: Operator) -> Item:
    pk, sk = operator_key(operator.tenant_id, operator.operator_id)
    return {"pk": pk, "sk": sk, "kind": "operator", "email_lc": operator.email.casefold(), **operator.fields()}


# ---- operators -----------------------------------------------------------------------------------


def create_ops(operator: Operator) -> list[Op]:
    """The email pointer (index 0: a taken address cancels it) and the operator, both put if absent."""
    pointer = {
        "pk": _email_pk(operator.email),
        "sk": keys.tenant_pk(operator.tenant_id),
        "tenant_id": operator.tenant_id,
        "operator_id": operator.operator_id,
    }
    return [store.Put(pointer, condition=NEW), store.Put(_operator_item(operator), condition=NEW)]


def update_fields(operator: Operator, changes: dict[str, Any]) -> Op:
    """Sets the changed fields (None removes one), only if the operator is still at the version read."""
    sets = store.assignments(changes, none_removes=True)
    return store.Update(
        *operator_key(operator.tenant_id, operator.operator_id),
        sets.expression,
        condition="#cur = :cur",
        names=sets.names | {"#cur": "version"},
        values=sets.values | {":cur": operator.version},
    )


def get(tenant_id: str, operator_id: str) -> Operator | None:
    item = store.get(*operator_key(tenant_id, operator_id))
    return Operator.from_item(item) if item else None


def of_tenant(tenant_id: str) -> list[Operator]:
    items = store.query_all(keys.tenant_pk(tenant_id), sk_prefix="OP#", consistent=True)
    return sorted((Operator.from_item(i) for i in items), key=lambda o: o.email.casefold())


def by_email(email: str) -> list[Operator]:
    """Every operator account an address has, across tenants (one Query, then one BatchGetItem)."""
    pointers = store.query(_email_pk(email), consistent=True, limit=25).items
    wanted = [operator_key(str(p["tenant_id"]), str(p["operator_id"])) for p in pointers]
    return [Operator.from_item(i) for i in store.batch_get(wanted).values()]


def count_failure(operator: Operator) -> int:
    """Adds one failed sign-in (atomically) and answers the count."""
    item = store.update(
        *operator_key(operator.tenant_id, operator.operator_id), "ADD failures :one", values={":one": 1}
    )
    return int(item.get("failures", 0))


def lock(operator: Operator, until: str, limit: int) -> None:
    """Locks the account while the failures reached the limit (a success meanwhile reset them: no lock)."""
    with contextlib.suppress(Conflict):
        store.update(
            *operator_key(operator.tenant_id, operator.operator_id),
            "SET locked_until = :until, failures = :z",
            condition="failures >= :max",
            values={":until": until, ":z": 0, ":max": limit},
        )


def use_totp_step(operator: Operator, step: int) -> bool:
    """Records a TOTP step as used; False when it (or a later one) already was: a code works once."""
    try:
        store.update(
            *operator_key(operator.tenant_id, operator.operator_id),
            "SET totp_last_step = :s",
            condition="attribute_not_exists(totp_last_step) OR totp_last_step < :s",
            values={":s": step},
        )
    except Conflict:
        return False
    return True


def signed_in(operator: Operator, now_iso: str) -> None:
    store.update(
        *operator_key(operator.tenant_id, operator.operator_id),
        "SET failures = :z, last_login_at = :now REMOVE locked_until",
        condition=EXISTS,
        values={":z": 0, ":now": now_iso},
    )


def commit(ops: list[Op]) -> None:
    store.transact(ops)


# ---- console sessions ----------------------------------------------------------------------------


def _session_pk(token_hash: str) -> str:
    return f"OPSESSION#{token_hash}"


def session_put(session: ConsoleSession, ttl: datetime) -> Op:
    item = {
        "pk": _session_pk(session.token_hash),
        "sk": SESSION_SK,
        "kind": "console_session",
        **session.model_dump(),
        "ttl": int(ttl.timestamp()),
    }
    return store.Put(item, condition=NEW)


def session(token_hash: str) -> ConsoleSession | None:
    item = store.get(_session_pk(token_hash), SESSION_SK)
    return ConsoleSession.from_item(item) if item else None


def session_update(session: ConsoleSession, ttl: datetime, **changes: Any) -> ConsoleSession:
    """Saves changed fields (stage, mode, epoch, last_seen_at) of a session that still exists."""
    sets = store.assignments({**changes, "ttl": int(ttl.timestamp())})
    item = store.update(
        _session_pk(session.token_hash),
        SESSION_SK,
        sets.expression,
        condition=EXISTS,
        names=sets.names,
        values=sets.values,
    )
    return ConsoleSession.from_item(item)


def session_delete(token_hash: str) -> None:
    store.transact([store.Delete(_session_pk(token_hash), SESSION_SK)])


# ---- the tenant's console policy -----------------------------------------------------------------


def policy(tenant_id: str) -> Policy:
    item = store.get(keys.tenant_pk(tenant_id), POLICY_SK)
    return Policy(totp_required=bool(item.get("totp_required"))) if item else Policy()


def policy_put(tenant_id: str, policy_: Policy) -> Op:
    return store.Put(
        {"pk": keys.tenant_pk(tenant_id), "sk": POLICY_SK, "kind": "console_policy", **policy_.model_dump()}
    )


# ---- audit ---------------------------------------------------------------------------------------


def audit_put(tenant_id: str, record: Item, audit: Item) -> Op:
    """A tenant-level audit record (an action on no player: keys, operators, settings)."""
    return store.Put(
        {"pk": keys.tenant_pk(tenant_id), "sk": f"AUDIT#{audit['audit_sk']}", "kind": "audit", **record, **audit},
        condition=NEW,
    )


def audit_page(
    tenant_id: str, low: str, high: str, *, operator_id: str | None, limit: int, cursor: str | None
) -> tuple[list[Item], str | None]:
    """Newest first, between two instants, optionally one operator's: a few Queries of the `audit` index at
    most (the operator filter applies after DynamoDB's page limit), then whatever was found. The cursor is
    bound to this tenant's audit (422 invalid_cursor otherwise)."""
    audit_pk = keys.audit_pk(tenant_id)
    start = cursors.decode(cursor, {"audit_pk": audit_pk}) if cursor else None
    found: list[Item] = []
    filters = {}
    if operator_id:
        filters = {"filter_expression": "#op = :op", "names": {"#op": "operator_id"}, "values": {":op": operator_id}}
    for _ in range(AUDIT_PAGE_READS):
        page = store.query(
            audit_pk,
            index=keys.AUDIT_INDEX,
            pk_name="audit_pk",
            sk_name="audit_sk",
            sk_between=(low, high),
            forward=False,
            limit=limit - len(found),
            start_key=start,
            **filters,  # type: ignore[arg-type]
        )
        found += page.items
        start = page.last_key
        if start is None or len(found) >= limit:
            break
    return found, cursors.encode(start) if start else None


# ---- four eyes -----------------------------------------------------------------------------------


def approval_key(realm: str, user_id: str, wd_id: str) -> tuple[str, str]:
    return (keys.player_pk(realm, user_id), f"WDAPPROVAL#{wd_id}")


def approval(realm: str, user_id: str, wd_id: str) -> Item | None:
    return store.get(*approval_key(realm, user_id, wd_id))


def approval_put(realm: str, user_id: str, wd_id: str, fields: Item) -> Op:
    """The first operator's approval, put once (the second operator's "complete" is the completion)."""
    pk, sk = approval_key(realm, user_id, wd_id)
    return store.Put({"pk": pk, "sk": sk, "kind": "withdrawal_approval", **fields}, condition=NEW)
