"""Wallet reads: the wallet view and pages of its ledger (the player resolved by the route, by user_id)."""

from __future__ import annotations

from pitboss import clock
from pitboss.identity import player_from
from pitboss.tenancy import Principal
from pitboss.wallet import repository, rules
from pitboss.wallet.models import TransactionsPage, WalletEnvelope, transactions_page, wallet_out


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
