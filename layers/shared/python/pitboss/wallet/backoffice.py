"""Back-office read API (seed 001): player listing, player detail with wallet balance, transaction history.

Listing reads the players index of one brand (gsi1, ordered by username) or of the whole realm (gsi2,
ordered by numeric id). `total` and page/size offsets have no shortcut in DynamoDB: a listing reads every
matching index item of the brand (or realm) once, so its cost grows with the number of players (about
0.5 RCU per 4 KB read, eventually consistent). Transaction history pages cost one query: entries have a
gapless seq, so page N is a key range and `total` is the wallet's seq."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from pitboss import keys, money, store
from pitboss.errors import NotFound
from pitboss.tenancy import Principal
from pitboss.wallet.ledger import Wallet


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
    wallet_balance: str | None = Field(description="Available real balance; null before any movement")
    wallet_frozen: str | None = Field(description="Held in open rounds and pending withdrawals; null before any")


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


def _currency(principal: Principal, item: dict[str, Any]) -> str:
    brand = principal.brands.get(int(item["brand_id"]))
    return brand.currency if brand else "USD"


def _player_item(principal: Principal, item: dict[str, Any]) -> dict[str, Any]:
    details = item.get("details") or {}
    return {
        "id": int(item["player_id"]),
        "team_id": principal.team_id,
        "brand_id": int(item["brand_id"]),
        "username": item["username"],
        "nickname": details.get("nickname") or item.get("nickname"),
        "currency": _currency(principal, item),
        "status": 1 if item.get("status", "active") == "active" else 0,
        "created_at": _seconds(item["created_at"]),
        "updated_at": _seconds(item["updated_at"]),
    }


def _seconds(iso: str) -> str:
    """2026-03-15T12:00:00.123456Z -> 2026-03-15T12:00:00Z, the seed's format."""
    return iso[:19] + "Z" if len(iso) >= 19 else iso


def list_players(
    principal: Principal, page: int, size: int, brand_id: int | None, username: str | None
) -> dict[str, Any]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    filters: list[str] = []
    if username:
        names["#u"] = "username_lc"
        values[":u"] = username.casefold()
        filters.append("contains(#u, :u)")
    if brand_id is not None:
        if not principal.can_see_brand(brand_id):
            return {"total": 0, "page": page, "page_size": size, "items": []}
        pk, index = keys.brand_players_gsi_pk(principal.realm, brand_id), "gsi1"
    else:
        pk, index = keys.tenant_players_gsi_pk(principal.realm), "gsi2"
        if principal.brand_ids is not None:
            visible = principal.visible_brand_ids()
            if not visible:
                return {"total": 0, "page": page, "page_size": size, "items": []}
            names["#b"] = "brand_id"
            placeholders = []
            for i, b in enumerate(visible):
                values[f":b{i}"] = b
                placeholders.append(f":b{i}")
            filters.append(f"#b IN ({', '.join(placeholders)})")
    skip = (page - 1) * size
    total = 0
    items: list[dict[str, Any]] = []
    for item in store.query_all(
        pk,
        index=index,
        pk_name=f"{index}pk",
        sk_name=f"{index}sk",
        filter_expression=" AND ".join(filters) or None,
        names=names or None,
        values=values or None,
    ):
        if skip <= total < skip + size:
            items.append(_player_item(principal, item))
        total += 1
    return {"total": total, "page": page, "page_size": size, "items": items}


def _pointer(principal: Principal, player_id: int) -> dict[str, Any]:
    pointer = store.get(keys.player_number_pk(principal.realm, player_id), keys.UNIQUE)
    if pointer is None or not principal.can_see_brand(int(pointer["brand_id"])):
        raise NotFound("player not found", code="player_not_found")
    return pointer


def get_player(principal: Principal, player_id: int) -> dict[str, Any]:
    pointer = _pointer(principal, player_id)
    pk = keys.player_pk(principal.realm, pointer["user_id"])
    found = store.batch_get([(pk, keys.PROFILE), (pk, keys.WALLET)])
    profile = found.get((pk, keys.PROFILE))
    if profile is None:
        raise NotFound("player not found", code="player_not_found")
    out = _player_item(principal, profile)
    raw = found.get((pk, keys.WALLET))
    if raw is None:
        out.update(wallet_balance=None, wallet_frozen=None)
    else:
        wallet = Wallet.from_item(raw)
        out.update(
            wallet_balance=money.fmt(wallet.real, wallet.exp),
            wallet_frozen=money.fmt(wallet.frozen, wallet.exp),
        )
    return out


def player_transactions(principal: Principal, player_id: int, page: int, size: int) -> dict[str, Any]:
    """Newest first (descending id = seq). Page N is the key range of seqs [total-N*size+1, total-(N-1)*size]."""
    pointer = _pointer(principal, player_id)
    pk = keys.player_pk(principal.realm, pointer["user_id"])
    raw = store.get(pk, keys.WALLET)
    total = int(raw["seq"]) if raw else 0
    hi = total - (page - 1) * size
    items: list[dict[str, Any]] = []
    if hi >= 1:
        lo = max(1, hi - size + 1)
        # Strongly consistent, like the wallet read that gave `total`: page 1 always holds entry `total`.
        entries = store.query(pk, sk_between=(keys.tx_sk(lo), keys.tx_sk(hi)), forward=False, consistent=True).items
        brand_id = int(pointer["brand_id"])
        for e in entries:
            bal_exp = money.exponent(e["balance_currency"])
            exp = money.exponent(e["currency"])
            items.append(
                {
                    "id": int(e["seq"]),
                    "team_id": principal.team_id,
                    "brand_id": brand_id,
                    "player_id": player_id,
                    "type": e["type"],
                    "amount": money.fmt(money.to_decimal(e["amount"]), exp),
                    "currency": e["currency"],
                    "balance_before": money.fmt(money.to_decimal(e["balance_before"]), bal_exp),
                    "balance_after": money.fmt(money.to_decimal(e["balance_after"]), bal_exp),
                    "ref_id": e.get("ref_id"),
                    "memo": e.get("memo"),
                    "created_at": _seconds(e["created_at"]),
                }
            )
    return {"total": total, "page": page, "page_size": size, "items": items}
