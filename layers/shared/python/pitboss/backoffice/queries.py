"""Back-office read API (seed 001): player listing, player detail with wallet balance, transaction history.

Listing reads the players index of one brand (gsi1, ordered by username) or of the whole realm (gsi2,
ordered by numeric id). `total` and page/size offsets have no shortcut in DynamoDB: a listing reads every
matching index item of the brand (or realm) once, so its cost grows with the number of players (about
0.5 RCU per 4 KB read, eventually consistent). Transaction history pages cost one query: entries have a
gapless seq, so page N is a key range and `total` is the wallet's seq."""

from __future__ import annotations

from typing import Any

from pitboss import money
from pitboss.backoffice import repository
from pitboss.backoffice.models import (
    PlayerDetail,
    PlayerList,
    TransactionList,
    player_detail,
    player_item,
    transaction_item,
)
from pitboss.errors import NotFound
from pitboss.tenancy import Principal
from pitboss.wallet.entity import Wallet


def _currency(principal: Principal, item: dict[str, Any]) -> str:
    brand = principal.brands.get(int(item["brand_id"]))
    return brand.currency if brand else "USD"


def list_players(principal: Principal, page: int, size: int, brand_id: int | None, username: str | None) -> PlayerList:
    empty = PlayerList(total=0, page=page, page_size=size, items=[])
    brand_ids: list[int] | None = None
    if brand_id is not None:
        if not principal.can_see_brand(brand_id):
            return empty
    elif principal.brand_ids is not None:
        brand_ids = principal.visible_brand_ids()
        if not brand_ids:
            return empty
    skip = (page - 1) * size
    total = 0
    items = []
    for item in repository.players(principal.realm, brand_id, username, brand_ids):
        if skip <= total < skip + size:
            items.append(player_item(item, principal.team_id, _currency(principal, item)))
        total += 1
    return PlayerList(total=total, page=page, page_size=size, items=items)


def _pointer(principal: Principal, player_id: int) -> dict[str, Any]:
    pointer = repository.number_pointer(principal.realm, player_id)
    if pointer is None or not principal.can_see_brand(int(pointer["brand_id"])):
        raise NotFound("player not found", code="player_not_found")
    return pointer


def get_player(principal: Principal, player_id: int) -> PlayerDetail:
    pointer = _pointer(principal, player_id)
    profile, stored = repository.profile_and_wallet(repository.player_pk(principal.realm, pointer["user_id"]))
    if profile is None:
        raise NotFound("player not found", code="player_not_found")
    currency = _currency(principal, profile)
    balance = frozen = None
    if stored is not None:
        # The brand's default currency's purse (seed 001 shows one balance, next to `currency`); a wallet that
        # holds none of it shows zeros. Every currency is on the wallet API.
        purse = Wallet.from_item(stored).purse(currency)
        balance, frozen = money.fmt(purse.real, purse.exp), money.fmt(purse.frozen, purse.exp)
    return player_detail(profile, principal.team_id, currency, balance, frozen)


def player_transactions(principal: Principal, player_id: int, page: int, size: int) -> TransactionList:
    """Newest first (descending id = seq). Page N is the key range of seqs [total-N*size+1, total-(N-1)*size]."""
    pointer = _pointer(principal, player_id)
    pk = repository.player_pk(principal.realm, pointer["user_id"])
    stored = repository.wallet(pk)
    total = int(stored["seq"]) if stored else 0
    hi = total - (page - 1) * size
    items = []
    if hi >= 1:
        brand_id = int(pointer["brand_id"])
        for entry in repository.entries_newest_first(pk, max(1, hi - size + 1), hi):
            items.append(transaction_item(entry, principal.team_id, brand_id, player_id))
    return TransactionList(total=total, page=page, page_size=size, items=items)
