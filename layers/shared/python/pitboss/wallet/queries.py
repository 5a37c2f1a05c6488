"""Wallet reads: the wallet view and pages of its ledger (the player resolved by the route, by user_id), and
the console's queue of pending withdrawals across players."""

from __future__ import annotations

from typing import Any

from pitboss import clock, money
from pitboss.errors import NotFound
from pitboss.identity import player_from
from pitboss.tenancy import Principal
from pitboss.wallet import repository, rules
from pitboss.wallet.output import (
    QueuedWithdrawalOut,
    TransactionsPage,
    WalletEnvelope,
    WithdrawalOut,
    WithdrawalQueue,
    transactions_page,
    wallet_out,
    withdrawal_out,
)


def get_wallet(principal: Principal, user_id: str, currency: str | None = None) -> WalletEnvelope:
    """Balances per rail, frozen, bonuses and open rounds in one currency (the brand's default unless
    named), and every currency held: one BatchGetItem (profile and wallet)."""
    pk = repository.player_pk(principal.realm, user_id)
    profile, stored = repository.read_profile_and_wallet(pk)
    player = player_from(principal, profile)
    brand = principal.brands[player.brand_id]
    wallet = repository.wallet_of(stored, player.user_id, brand.currency)
    shown = rules.held_or_offered(brand, wallet, currency)
    return WalletEnvelope(wallet=wallet_out(wallet, clock.iso(clock.now()), shown))


def list_transactions(principal: Principal, user_id: str, limit: int, cursor: int | None) -> TransactionsPage:
    """Newest first. The cursor is the seq to continue below; total is the wallet's seq (gapless), so a
    page is one key-range Query after the BatchGetItem."""
    pk = repository.player_pk(principal.realm, user_id)
    profile, stored = repository.read_profile_and_wallet(pk)
    player_from(principal, profile)
    total = int(stored.get("seq", 0)) if stored else 0
    top = min(cursor - 1, total) if cursor is not None else total
    if top < 1:
        return transactions_page([], total, None)
    entries = repository.entries_newest_first(pk, 1, top, limit)
    last = int(entries[-1]["seq"]) if entries else 1
    return transactions_page(entries, total, str(last) if last > 1 else None)


def withdrawal_queue(principal: Principal, limit: int = 50, cursor: str | None = None) -> WithdrawalQueue:
    """Pending withdrawals across the realm's players, oldest first (the console's queue); players of a
    brand the caller can't see are left out. The cursor can't address another realm (422 invalid_cursor)."""
    rows, next_cursor = repository.pending_withdrawals(principal.realm, max(1, min(limit, 100)), cursor)
    out = []
    for wd, profile in rows:
        if profile is None or not principal.can_see_brand(int(profile["brand_id"])):
            continue
        base = _withdrawal(wd)
        out.append(
            QueuedWithdrawalOut(
                **base.model_dump(),
                user_id=str(profile["user_id"]),
                player_id=int(profile["player_id"]),
                username=str(profile["username"]),
                brand_id=int(profile["brand_id"]),
            )
        )
    return WithdrawalQueue(withdrawals=out, next_cursor=next_cursor)


def get_withdrawal(principal: Principal, user_id: str, wd_id: str) -> WithdrawalOut:
    """One withdrawal of a player the caller can see (404 otherwise)."""
    wd, profile = repository.withdrawal_with_profile(repository.player_pk(principal.realm, user_id), wd_id)
    player_from(principal, profile)
    if wd is None:
        raise NotFound("withdrawal not found", code="withdrawal_not_found")
    return _withdrawal(wd)


def _withdrawal(wd: dict[str, Any]) -> WithdrawalOut:
    return withdrawal_out(
        str(wd["id"]),
        money.to_decimal(wd["amount"]),
        str(wd["currency"]),
        str(wd["status"]),
        created_at=str(wd["created_at"]),
        updated_at=str(wd["updated_at"]),
    )
