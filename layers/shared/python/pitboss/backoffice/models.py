"""API output models of the back-office surface (seed 001), and the mapping from stored profiles and ledger
entries to them: integer ids, timestamps to the second, amounts as strings in their currency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from pitboss import money
from pitboss.types import Model


class PlayerItem(Model):
    id: int
    team_id: int = Field(description="The tenant's number (its brands' owner)")
    brand_id: int
    username: str
    nickname: str | None
    currency: str
    status: int = Field(description="1 active, 0 any other status")
    created_at: str
    updated_at: str


class PlayerList(Model):
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


class TransactionItem(Model):
    id: int = Field(description="The entry's position in the player's ledger")
    team_id: int
    brand_id: int
    player_id: int
    type: Literal["debit", "credit", "rollback"] = Field(
        description='Seed 001: "debit", "credit", or "rollback" - money out of the player\'s wallet, money in, a '
        "reversal (a bet rolled back, a withdrawal cancelled)"
    )
    kind: str = Field(
        description="What the entry is: bet, win, rollback, deposit, withdrawal, withdrawal_complete, "
        "withdrawal_cancel, bonus_grant, bonus_convert, bonus_forfeit, winz_grant, winz_redeem"
    )
    amount: str = Field(description="Always positive")
    currency: str
    balance_before: str
    balance_after: str
    ref_id: str | None
    memo: str | None
    created_at: str


class TransactionList(Model):
    total: int
    page: int
    page_size: int
    items: list[TransactionItem]


# Ledger entry type -> (seed 001 `type`, `kind`): money in = credit, out = debit, reversal = rollback.
ROW_TYPES: dict[str, tuple[Literal["debit", "credit", "rollback"], str]] = {
    "debit": ("debit", "bet"),
    "credit": ("credit", "win"),
    "rollback": ("rollback", "rollback"),
    "deposit": ("credit", "deposit"),
    "withdrawal": ("debit", "withdrawal"),
    "withdrawal_complete": ("debit", "withdrawal_complete"),  # frozen paid out to the PSP
    "withdrawal_cancel": ("rollback", "withdrawal_cancel"),  # the request reversed: frozen back to real
    "bonus_grant": ("credit", "bonus_grant"),
    "bonus_convert": ("credit", "bonus_convert"),
    "bonus_forfeit": ("debit", "bonus_forfeit"),
    "winz_grant": ("credit", "winz_grant"),
    "winz_redeem": ("debit", "winz_redeem"),
}


def row_type(entry: Mapping[str, Any]) -> tuple[Literal["debit", "credit", "rollback"], str]:
    """An entry's seed 001 `type` and its `kind`; an entry type this table does not know yet is a credit
    or a debit by the direction of its real balance."""
    known = ROW_TYPES.get(entry["type"])
    if known is not None:
        return known
    up = money.to_decimal(entry["balance_after"]) >= money.to_decimal(entry["balance_before"])
    return ("credit" if up else "debit"), str(entry["type"])


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
    type_, kind = row_type(entry)
    return TransactionItem(
        id=int(entry["seq"]),
        team_id=team_id,
        brand_id=brand_id,
        player_id=player_id,
        type=type_,
        kind=kind,
        amount=money.fmt(money.to_decimal(entry["amount"]), money.exponent(entry["currency"])),
        currency=entry["currency"],
        balance_before=money.fmt(money.to_decimal(entry["balance_before"]), balance_exp),
        balance_after=money.fmt(money.to_decimal(entry["balance_after"]), balance_exp),
        ref_id=entry.get("ref_id"),
        memo=entry.get("memo"),
        created_at=seconds(entry["created_at"]),
    )
