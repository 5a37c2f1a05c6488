"""The audited timeline: every audited change puts its event in the same transaction as the change.

An event records its actor's reference (`key:…`, `operator:…`, `system:…`, `player:…`); an operator's
event also records the operator's email and client IP and joins the tenant's `audit` index, so the
console's audit page reads operator actions across players without a scan."""

from __future__ import annotations

from typing import Any

from pitboss import clock, ids, keys, store
from pitboss.actors import Actor


def event_op(realm: str, user_id: str, event_type: str, actor: str, data: dict[str, Any] | None = None) -> store.Put:
    at = clock.now()
    event_id = ids.ulid()
    item: dict[str, Any] = {
        "pk": keys.player_pk(realm, user_id),
        "sk": keys.event_sk(clock.iso(at), event_id),
        "kind": "event",
        "id": event_id,
        "type": event_type,
        "at": clock.iso(at),
        "actor": str(actor),
        "data": data or {},
    }
    if isinstance(actor, Actor) and actor.is_operator:
        tenant_id, mode = keys.realm_tenant(realm)
        item.update(actor.details())
        item.update(audit_attributes(tenant_id, mode, actor, clock.iso(at), event_id))
        item["user_id"] = user_id
    return store.Put(item, condition="attribute_not_exists(pk)")


def audit_attributes(tenant_id: str, mode: str, actor: Actor, at_iso: str, event_id: str) -> dict[str, Any]:
    """What puts an item in the tenant's audit index: its place (time, id), the operator and the mode."""
    return {
        "audit_pk": keys.audit_pk(tenant_id),
        "audit_sk": keys.audit_sk(at_iso, event_id),
        "operator_id": actor.id,
        "mode": mode,
    }
