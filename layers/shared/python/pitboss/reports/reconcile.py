"""Reconciliation (issue 14 §4): for every wallet the stream saw move since the last run (the sparse
"touched" markers, never a Scan), re-derive each player-side balance from the ledger's postings and compare
it with the stored wallet. A difference is reported (metric `LedgerMismatch`, a `ledger.mismatch` event on
the bus, an error log) and never corrected: the ledger is the source of truth and a human decides."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pitboss import bus, clock, observability
from pitboss.observability import logger
from pitboss.reports import repository
from pitboss.wallet.entity import Wallet

POINTS = {"player:winz": "WINZ", "player:xp": "XP"}


@dataclass
class Summary:
    checked: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    unfinished: bool = False


def differences(wallet_item: dict[str, Any], entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pure: every (account, currency) whose stored balance is not the sum of the entries' postings."""
    derived: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        for p in entry.get("postings") or []:
            if str(p["account"]).startswith("player:"):
                derived[(str(p["account"]), str(p["currency"]))] += Decimal(p["amount"])
    wallet = Wallet.from_item(wallet_item)
    stored: dict[tuple[str, str], Decimal] = {
        ("player:winz", "WINZ"): wallet.winz,
        ("player:xp", "XP"): wallet.xp,
    }
    for currency, purse in wallet.purses.items():
        stored[("player:real", currency)] = purse.real
        stored[("player:bonus", currency)] = purse.bonus
        stored[("player:frozen", currency)] = purse.frozen
    out = []
    for account, currency in sorted(set(stored) | set(derived)):
        have, want = stored.get((account, currency), Decimal(0)), derived.get((account, currency), Decimal(0))
        if have != want:
            out.append({"account": account, "currency": currency, "stored": str(have), "ledger": str(want)})
    return out


def run(budget_seconds: float = 50.0) -> Summary:
    """One run over the touched wallets; stops early near its budget (the rest stays marked for the next)."""
    deadline = time.monotonic() + budget_seconds
    summary = Summary()
    for marker in repository.touched():
        if time.monotonic() > deadline:
            summary.unfinished = True
            break
        player_pk = str(marker["sk"])
        wallet, entries = repository.wallet_with_entries(player_pk)
        if wallet is not None:
            summary.checked += 1
            found = differences(wallet, entries)
            if found:
                summary.mismatches.append(_report(player_pk, wallet, found))
        repository.untouch(marker)
    observability.count("ReconciledWallets", summary.checked)
    return summary


def _report(player_pk: str, wallet: dict[str, Any], found: list[dict[str, str]]) -> dict[str, Any]:
    where = repository.realm_of(player_pk)
    realm, user_id = where if where else ("", "")
    tenant_id, mode = repository.realm_tenant(realm) if realm else ("", "")
    event = {
        "id": f"ledger.mismatch:{player_pk}:{wallet.get('seq', 0)}",
        "type": "ledger.mismatch",
        "occurred_at": clock.iso(clock.now()),
        "tenant_id": tenant_id,
        "mode": mode,
        "player": {"uuid": user_id},
        "data": {"seq": int(wallet.get("seq", 0)), "differences": found},
    }
    observability.count("LedgerMismatch", 1)
    logger.error(
        "ledger mismatch", extra={"tenant_id": tenant_id, "mode": mode, "user_id": user_id, "differences": found}
    )
    bus.publish("ledger.mismatch", event)
    return event
