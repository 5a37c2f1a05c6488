"""Pure translation of one item change into domain events (no I/O, no clock): which changes are events,
their stable ids and, per event type, the allow-listed fields that may leave the table.

An allow-list, not a deny-list: a new attribute on a profile or an entry (a hash, a token, a note) stays
inside the table until someone adds it here on purpose."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, get_args

from pitboss.changes import Change

PROFILE = "PROFILE"
ENTRY_PREFIX = "TX#"

EventType = Literal[
    "player.created",
    "player.updated",
    "player.status_changed",
    "player.rg_changed",
    "player.kyc_changed",
    "wallet.transaction_posted",
    "withdrawal.requested",
    "withdrawal.completed",
    "withdrawal.cancelled",
    "bonus.granted",
    "bonus.converted",
    "bonus.forfeited",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)

# Profile attributes per event type. Never credentials, tokens, hashes, notes or personal details.
PLAYER_FIELDS = (
    "external_ref",
    "email",
    "email_verified",
    "country_code",
    "date_of_birth",
    "status",
    "kyc_status",
    "kyc_level",
    "risk_band",
    "is_pep",
    "is_sanctioned",
    "tags",
    "created_at",
    "updated_at",
)
UPDATED_FIELDS = (
    "username",
    "external_ref",
    "email",
    "email_verified",
    "country_code",
    "date_of_birth",
    "risk_band",
    "is_pep",
    "is_sanctioned",
    "tags",
)
RG_FIELDS = ("limits", "pending", "cooloff_until", "self_exclusion_until", "self_exclusion_permanent")
KYC_FIELDS = ("kyc_status", "kyc_level")
ENTRY_FIELDS = (
    "id",
    "seq",
    "type",
    "rail",
    "amount",
    "currency",
    "postings",
    "balance_currency",
    "balance_before",
    "balance_after",
    "ref_id",
    "round_id",
    "provider",
    "withdrawal_id",
    "bonus_id",
    "created_at",
)
POSTING_FIELDS = ("account", "rail", "currency", "amount")

# Ledger entry type -> the business event it also is (besides wallet.transaction_posted).
ENTRY_EVENTS = {
    "withdrawal": "withdrawal.requested",
    "withdrawal_complete": "withdrawal.completed",
    "withdrawal_cancel": "withdrawal.cancelled",
    "bonus_grant": "bonus.granted",
    "bonus_convert": "bonus.converted",
    "bonus_forfeit": "bonus.forfeited",
}


@dataclass(frozen=True)
class PlayerRef:
    """Who an event is about, as the profile says (wallet items do not carry it)."""

    user_id: str
    username: str
    player_id: int
    brand_id: int

    @classmethod
    def of(cls, profile: dict[str, Any]) -> PlayerRef:
        return cls(
            user_id=str(profile["user_id"]),
            username=str(profile["username"]),
            player_id=int(profile["player_id"]),
            brand_id=int(profile["brand_id"]),
        )


@dataclass(frozen=True)
class Realm:
    tenant_id: str
    mode: str
    user_id: str


def player_realm(pk: str) -> Realm | None:
    """`T#{tenant}#{mode}#P#{user_id}` -> its parts; None for any other partition."""
    parts = pk.split("#")
    if len(parts) != 5 or parts[0] != "T" or parts[3] != "P" or parts[2] not in ("live", "test"):
        return None
    return Realm(tenant_id=parts[1], mode=parts[2], user_id=parts[4])


def wants_player(change: Change) -> bool:
    """Whether this change becomes events that need the profile read (a ledger entry's player)."""
    return change.name == "INSERT" and change.sk.startswith(ENTRY_PREFIX) and player_realm(change.pk) is not None


def event_id(change: Change, type_: str, discriminator: Any) -> str:
    """Stable across redeliveries: the item's key, what makes this version of it unique, and the type."""
    raw = f"{change.pk}|{change.sk}|{discriminator}|{type_}"
    return "evt_" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def plain(value: Any) -> Any:
    """JSON-ready values: Decimals as exact decimal strings (money never becomes a float)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def pick(item: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(item[name]) for name in fields if item.get(name) is not None}


def events_of(change: Change, player: PlayerRef | None = None) -> list[dict[str, Any]]:
    """The domain events one item change is (often none). `player` is needed for ledger entries."""
    realm = player_realm(change.pk)
    if realm is None:
        return []
    if change.sk == PROFILE:
        return _profile_events(change, realm)
    if change.sk.startswith(ENTRY_PREFIX) and change.name == "INSERT" and change.new and player is not None:
        return _entry_events(change, realm, player, change.new)
    return []


def _envelope(
    change: Change, realm: Realm, player: PlayerRef, type_: str, *, at: Any, discriminator: Any, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": event_id(change, type_, discriminator),
        "type": type_,
        "occurred_at": str(at),
        "tenant_id": realm.tenant_id,
        "mode": realm.mode,
        "brand_id": player.brand_id,
        "player": {"uuid": player.user_id, "username": player.username, "player_id": player.player_id},
        "data": data,
    }


def _profile_events(change: Change, realm: Realm) -> list[dict[str, Any]]:
    new, old = change.new, change.old
    if new is None or new.get("kind", "player") != "player" or "username" not in new:
        return []
    player = PlayerRef.of(new)
    version = new.get("version", change.sequence)
    at = new.get("updated_at") or new.get("created_at") or ""

    def event(type_: str, data: dict[str, Any]) -> dict[str, Any]:
        return _envelope(change, realm, player, type_, at=at, discriminator=version, data=data)

    if old is None:
        return [event("player.created", pick(new, PLAYER_FIELDS))]
    found = []
    changed = [name for name in UPDATED_FIELDS if old.get(name) != new.get(name)]
    if changed:
        found.append(event("player.updated", {"changed": changed, **pick(new, UPDATED_FIELDS)}))
    if old.get("status") != new.get("status"):
        found.append(event("player.status_changed", {"from": old.get("status"), "to": new.get("status")}))
    if any(old.get(name) != new.get(name) for name in RG_FIELDS):
        found.append(event("player.rg_changed", {**_rg(new), "previous": _rg(old)}))
    if any(old.get(name) != new.get(name) for name in KYC_FIELDS):
        found.append(
            event(
                "player.kyc_changed",
                {"from": old.get("kyc_status"), "to": new.get("kyc_status"), "kyc_level": new.get("kyc_level")},
            )
        )
    return found


def _rg(item: dict[str, Any]) -> dict[str, Any]:
    rg = pick(item, RG_FIELDS)
    rg.setdefault("limits", {})
    rg.setdefault("pending", {})
    rg.setdefault("self_exclusion_permanent", False)
    return rg


def _entry_events(change: Change, realm: Realm, player: PlayerRef, entry: dict[str, Any]) -> list[dict[str, Any]]:
    data = pick(entry, ENTRY_FIELDS)
    data["postings"] = [pick(p, POSTING_FIELDS) for p in entry.get("postings") or []]
    at = entry.get("created_at") or ""
    seq = entry.get("seq")
    found = [_envelope(change, realm, player, "wallet.transaction_posted", at=at, discriminator=seq, data=data)]
    business = ENTRY_EVENTS.get(str(entry.get("type")))
    if business is not None:
        detail = {
            "transaction_id": data.get("id"),
            "amount": data.get("amount"),
            "currency": data.get("currency"),
            "created_at": data.get("created_at"),
        }
        if business.startswith("withdrawal."):
            detail["withdrawal_id"] = data.get("withdrawal_id")
        else:
            detail["bonus_id"] = data.get("bonus_id")
        found.append(_envelope(change, realm, player, business, at=at, discriminator=seq, data=detail))
    return found
