"""The audited timeline: every audited change puts its event in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from pitboss import clock, ids, keys, store


def event_op(realm: str, user_id: str, event_type: str, actor: str, data: dict[str, Any] | None = None) -> store.Put:
    at = clock.now()
    event_id = ids.ulid()
    return store.Put(
        {
            "pk": keys.player_pk(realm, user_id),
            "sk": keys.event_sk(clock.iso(at), event_id),
            "kind": "event",
            "id": event_id,
            "type": event_type,
            "at": clock.iso(at),
            "actor": actor,
            "data": data or {},
        },
        condition="attribute_not_exists(pk)",
    )
