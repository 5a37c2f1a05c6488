"""In-process helpers for the dossier tests: a player, each write as the route calls it, the timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from pitboss import idempotency, keys, store, tenancy
from pitboss.players import compliance, lifecycle, limits, queries, upsert, writes
from pitboss.players.models import FlagsChange, KycChange, NoteIn, PlayerUpsert, RgUpdate, StatusChange, TagsChange
from tests.support import unique

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

# name -> (method, route, model, service function)
WRITES: dict[str, tuple[str, str, type[BaseModel], Any]] = {
    "status": ("PATCH", "/v1/players/{key}/status", StatusChange, lifecycle.change_status),
    "rg": ("POST", "/v1/players/{key}/rg", RgUpdate, limits.set_rg),
    "kyc": ("POST", "/v1/players/{key}/kyc", KycChange, compliance.set_kyc),
    "flags": ("POST", "/v1/players/{key}/flags", FlagsChange, compliance.set_flags),
    "tags": ("POST", "/v1/players/{key}/tags", TagsChange, compliance.change_tags),
    "notes": ("POST", "/v1/players/{key}/notes", NoteIn, compliance.add_note),
}

SAMPLE: dict[str, dict[str, Any]] = {
    "status": {"status": "suspended", "reason": "document check"},
    "rg": {"deposit_daily_limit": 100},
    "kyc": {"kyc_status": "approved", "kyc_level": 2, "reason": "passport verified"},
    "flags": {"risk_band": "high", "is_pep": True, "reason": "screening hit"},
    "tags": {"add": ["vip", "whale"]},
    "notes": {"text": "called about a deposit"},
}


def principal(raw_key: str) -> tenancy.Principal:
    return tenancy.authenticate(f"Bearer {raw_key}")


def new_player(who: tenancy.Principal, **extra: Any) -> dict[str, Any]:
    name = unique("Dos")
    body = {"username": name, "email": f"{name}@example.com", **extra}
    outcome = upsert.upsert_player(
        who, PlayerUpsert.model_validate(body), idempotency.begin(who.realm, None, "POST", "/v1/players", body)
    )
    player: dict[str, Any] = outcome.body["player"]
    return player


def write(
    who: tenancy.Principal, name: str, key: str, body: dict[str, Any], idem_key: str | None = None
) -> idempotency.Outcome:
    method, route, model, fn = WRITES[name]
    payload = {**body, **({"idempotency_key": idem_key} if idem_key else {})}
    parsed = model.model_validate(payload)
    user_id, idem = writes.begin(who, key, None, method=method, route=route, body=payload)
    outcome: idempotency.Outcome = fn(who, user_id, parsed, idem)
    return outcome


def dossier_of(who: tenancy.Principal, key: str) -> dict[str, Any]:
    """The dossier as the wire shows it (the output model in JSON mode)."""
    player: dict[str, Any] = queries.get_dossier(who, key, None).model_dump(mode="json")["player"]
    return player


def timeline(who: tenancy.Principal, key: str, **page: Any) -> dict[str, Any]:
    """A timeline page as the wire shows it."""
    return queries.get_timeline(who, key, None, **page).model_dump(mode="json")


def events(who: tenancy.Principal, user_id: str) -> list[dict[str, Any]]:
    """Stored events, oldest first (straight from the table, not through the timeline route)."""
    return list(store.query_all(keys.player_pk(who.realm, user_id), sk_prefix="EVT#", consistent=True))


def profile(who: tenancy.Principal, user_id: str) -> dict[str, Any]:
    item = store.get(keys.player_pk(who.realm, user_id), keys.PROFILE)
    assert item is not None
    return item
