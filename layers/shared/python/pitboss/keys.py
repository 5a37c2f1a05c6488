"""The table's key schema, in one place. Every tenant item key begins with its realm `T#{tenant}#{mode}`,
so a key from another tenant or the other mode can only ever miss: isolation by construction."""

from __future__ import annotations

import hashlib

PROFILE = "PROFILE"
WALLET = "WALLET"
UNIQUE = "UNIQUE"


def realm(tenant_id: str, mode: str) -> str:
    return f"T#{tenant_id}#{mode}"


def player_pk(realm_: str, user_id: str) -> str:
    return f"{realm_}#P#{user_id}"


def username_pk(realm_: str, brand_id: int, username: str) -> str:
    return f"{realm_}#B#{brand_id}#U#{username.casefold()}"


def email_pk(realm_: str, brand_id: int, email: str) -> str:
    return f"{realm_}#B#{brand_id}#E#{email.casefold()}"


def external_ref_pk(realm_: str, brand_id: int, external_ref: str) -> str:
    """The (brand, external_ref) uniqueness pointer: the operator's own id, exact (not case-folded)."""
    return f"{realm_}#B#{brand_id}#X#{external_ref}"


def player_number_pk(realm_: str, number: int) -> str:
    return f"{realm_}#N#{number}"


def counter_pk(realm_: str) -> str:
    return f"{realm_}#COUNTER"


def brand_players_gsi_pk(realm_: str, brand_id: int) -> str:
    return f"{realm_}#B#{brand_id}"


def tenant_players_gsi_pk(realm_: str) -> str:
    return f"{realm_}#PLAYERS"


def idempotency_pk(realm_: str, idem_key: str) -> str:
    return f"{realm_}#IDEM#{idem_key}"


def ref_pk(realm_: str, provider: str, ref_id: str) -> str:
    return f"{realm_}#REF#{provider}#{ref_id}"


def event_sk(iso_ts: str, ulid: str) -> str:
    return f"EVT#{iso_ts}#{ulid}"


def tx_sk(seq: int) -> str:
    return f"TX#{seq:012d}"


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def api_key_pk(raw_key: str) -> str:
    return f"KEY#{sha256(raw_key)}"


def session_pk(raw_token: str) -> str:
    return f"SESSION#{sha256(raw_token)}"


def tenant_pk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def brand_sk(brand_id: int) -> str:
    return f"BRAND#{brand_id}"


def brand_pointer_pk(brand_id: int) -> str:
    return f"BRAND#{brand_id}"


DUE_PK = "DUE"


def realm_tenant(realm_: str) -> tuple[str, str]:
    """(tenant_id, mode) of a realm `T#{tenant}#{mode}`."""
    _, tenant_id, mode = realm_.split("#", 2)
    return tenant_id, mode


# Sparse index `audit` (audit_pk / audit_sk, all attributes): every operator action of a tenant, newest
# last: the timeline events an operator's actions write and the tenant-level records (keys, operators,
# settings). Items outside it carry no audit_pk.
AUDIT_INDEX = "audit"


def audit_pk(tenant_id: str) -> str:
    return f"AUDIT#{tenant_id}"


def audit_sk(iso_ts: str, ulid: str) -> str:
    return f"{iso_ts}#{ulid}"


# Sparse index `lists` (list_pk / list_sk, keys only): small working lists that a key range of the table
# can't give, such as pending withdrawals across players and a player's gateway sessions. An item leaves
# its list by dropping list_pk.
LISTS_INDEX = "lists"


def withdrawal_queue_pk(realm_: str) -> str:
    return f"{realm_}#WDQUEUE"


def withdrawal_queue_attributes(player_pk_: str, created_at: str, wd_id: str) -> dict[str, str]:
    """A pending withdrawal's place in its realm's queue (the player's partition names the realm)."""
    realm_ = player_pk_.rsplit("#P#", 1)[0]
    return {"list_pk": withdrawal_queue_pk(realm_), "list_sk": f"{created_at}#{wd_id}"}


LIST_ATTRIBUTES = ("list_pk", "list_sk")


def gateway_sessions_pk(realm_: str, user_id: str) -> str:
    return f"{player_pk(realm_, user_id)}#SESSIONS"


# ---- service modes and engagement engines (issue 13) ---------------------------------------------------


def real_rail_sk(brand_id: int, mode: str, user_id: str) -> str:
    """A player's "has real-rail entries" marker, in its tenant's partition (pk = tenant_pk): written once,
    with the player's first real-rail movement; a brand's service mode may change only while it has none."""
    return f"REALRAIL#{brand_id}#{mode}#{user_id}"


def real_rail_prefix(brand_id: int) -> str:
    return f"REALRAIL#{brand_id}#"


def activity_sk(period: str, currency: str) -> str:
    """A player's cashback activity in one period and currency (net real losses), in the player's partition."""
    return f"CBACT#{period}#{currency}"


# The `lists` index partition of activity items whose period has not been settled yet; list_sk starts with
# the period's end (UTC), so the cashback run queries `list_sk < now` for the closed ones.
CASHBACK_DUE = "CASHBACK#DUE"


def payout_pk(realm_: str, payout_id: str) -> str:
    return f"{realm_}#PAYOUT#{payout_id}"


def payouts_pending_pk(realm_: str) -> str:
    """The `lists` index partition of a realm's pending payout instructions."""
    return f"{realm_}#PAYOUTS"
