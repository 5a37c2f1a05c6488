"""API output models of the back-office surface (seed 001), and the mapping from stored profiles and ledger
entries to them: integer ids, timestamps to the second, amounts as strings in their currency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from pitboss import money


class PlayerItem(BaseModel):
    id: int
    team_id: int = Field(description="The tenant's number (its brands' owner)")
    brand_id: int
    username: str
    nickname: str | None
    currency: str
    status: int = Field(description="1 active, 0 any other status")
    created_at: str
    updated_at: str


class PlayerList(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[PlayerItem]


class PlayerDetail(PlayerItem):
    wallet_balance: str | None = Field(
        description="Available real balance in `currency` (the brand's default); null before any movement"
    )
    wallet_frozen: str | None = Field(
        description="Held in open rounds and pending withdrawals, in `currency`; null before any movement"
    )


class TransactionItem(BaseModel):
    id: int = Field(description="The entry's position in the player's ledger")
    team_id: int
    brand_id: int
    player_id: int
    type: str = Field(description="debit | credit | rollback | deposit | withdrawal | ... ")
    amount: str = Field(description="Always positive")
    currency: str
    balance_before: str
    balance_after: str
    ref_id: str | None
    memo: str | None
    created_at: str


class TransactionList(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[TransactionItem]


def seconds(iso: str) -> str:
    """2026-03-15T12:00:00.123456Z -> 2026-03-15T12:00:00Z, the seed's format."""
    return iso[:19] + "Z" if len(iso) >= 19 else iso


def _fields(profile: Mapping[str, Any], team_id: int, currency: str) -> dict[str, Any]:
    details = profile.get("details") or {}
    return {
        "id": int(profile["player_id"]),
        "team_id": team_id,
        "brand_id": int(profile["brand_id"]),
        "username": profile["username"],
        "nickname": details.get("nickname") or profile.get("nickname"),
        "currency": currency,
        "status": 1 if profile.get("status", "active") == "active" else 0,
        "created_at": seconds(profile["created_at"]),
        "updated_at": seconds(profile["updated_at"]),
    }


def player_item(profile: Mapping[str, Any], team_id: int, currency: str) -> PlayerItem:
    """A stored profile (or its index projection) as a listing row."""
    return PlayerItem(**_fields(profile, team_id, currency))


def player_detail(
    profile: Mapping[str, Any], team_id: int, currency: str, balance: str | None, frozen: str | None
) -> PlayerDetail:
    return PlayerDetail(**_fields(profile, team_id, currency), wallet_balance=balance, wallet_frozen=frozen)


def transaction_item(entry: Mapping[str, Any], team_id: int, brand_id: int, player_id: int) -> TransactionItem:
    """A ledger entry as a history row: `amount` is the whole movement, the balances the real rail's."""
    balance_exp = money.exponent(entry["balance_currency"])
    return TransactionItem(
        id=int(entry["seq"]),
        team_id=team_id,
        brand_id=brand_id,
        player_id=player_id,
        type=entry["type"],
        amount=money.fmt(money.to_decimal(entry["amount"]), money.exponent(entry["currency"])),
        currency=entry["currency"],
        balance_before=money.fmt(money.to_decimal(entry["balance_before"]), balance_exp),
        balance_after=money.fmt(money.to_decimal(entry["balance_after"]), balance_exp),
        ref_id=entry.get("ref_id"),
        memo=entry.get("memo"),
        created_at=seconds(entry["created_at"]),
    )
