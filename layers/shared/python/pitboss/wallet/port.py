"""The wallet's published port: what another domain (the engines: cashback, lootboxes, payouts) uses to move
a player's money with the wallet's own guarantees, instead of writing wallet items itself.

An engine's money movement is a wallet movement: the same read (profile, wallet, idempotency record and the
engine's own items), the same decision context (`Ctx`: player, brand, effective RG state, the Movement being
built in one currency's purse), the same commit (`commit`: the wallet put conditioned on its seq, balanced
entries, the engine's own `ops` in the same TransactWriteItems) and the same bounded retry. Everything else in
pitboss.wallet stays private to the wallet domain (tests/unit/test_architecture.py: only pure modules and
ports cross a domain boundary)."""

from __future__ import annotations

from pitboss.wallet.ledger import Movement
from pitboss.wallet.movement import Act, Ctx, Pick, commit, home_currency, money_in, replayed, run

__all__ = ["Act", "Ctx", "Movement", "Pick", "commit", "home_currency", "money_in", "replayed", "run"]
