"""The tenant's audit of operator actions: the records of actions on no player (API keys, operators,
settings), written in the same transaction as the action, and the audit page, which reads those and the
timeline events operators' actions wrote on players (both are in the `audit` index)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pitboss import clock, ids, timeline
from pitboss.operators import repository
from pitboss.operators.models import AuditEntry, AuditPage, AuditQuery
from pitboss.players.output import json_value
from pitboss.tenancy import Principal

PAGE_SIZE = 50


def record_op(principal: Principal, event_type: str, data: dict[str, Any] | None = None) -> repository.Op:
    """The audit record of a tenant-level action by the principal's operator (commit it with the action)."""
    actor = principal.actor
    at, event_id = clock.iso(clock.now()), ids.ulid()
    record = {"id": event_id, "type": event_type, "at": at, "actor": str(actor), **actor.details(), "data": data or {}}
    audit = timeline.audit_attributes(principal.tenant_id, principal.mode, actor, at, event_id)
    return repository.audit_put(principal.tenant_id, record, audit)


def page(principal: Principal, query: AuditQuery, limit: int = PAGE_SIZE) -> AuditPage:
    """Newest first; by operator and by day (UTC), both optional. The cursor can't name another tenant."""
    low = f"{query.date_from.isoformat()}T" if query.date_from else "0"
    high = f"{(query.date_to + timedelta(days=1)).isoformat()}T" if query.date_to else "9"
    items, next_cursor = repository.audit_page(
        principal.tenant_id, low, high, operator_id=query.operator_id or None, limit=limit, cursor=query.cursor
    )
    return AuditPage(entries=[_entry(i) for i in items], next_cursor=next_cursor)


def _entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        at=str(item["at"]),
        type=str(item["type"]),
        actor=str(item["actor"]),
        actor_email=item.get("actor_email"),
        actor_ip=item.get("actor_ip"),
        mode=item.get("mode"),
        user_id=item.get("user_id"),
        data=json_value(dict(item.get("data") or {})),
    )
