"""Issue 10 #1, the interleaving made deterministic on moto: "A retry of an applied bet must never be told it
failed for good ... Before answering any domain refusal that a concurrent twin could have caused
(`round_closed`, `duplicate_ref`, `round_not_found`, `ref_rolled_back`), confirm with a strongly consistent
read ... of the ref; if the same request was applied, answer its stored result (200, "deduped": true)."

The BatchGetItem is no snapshot: a twin's transaction can commit after the ref (or the rollback record) was
read absent and before the round or the wallet was read. Here the twin is applied first and the next read is
made to miss the record, which is exactly what such a read sees.
tests/integration/test_wallet_twins_on_dynamodb_local.py fires the real race on DynamoDB Local."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pitboss import store
from pitboss.errors import Conflict
from pitboss.wallet.repository import ROLLBACK_SK
from tests.wallet_support import Driver, assert_ledger_consistent


@pytest.fixture
def stale_read(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Sort-key prefixes the NEXT batch read misses (as one that ran before the twin's commit did)."""
    missed: set[str] = set()
    real = store.batch_get

    def batch_get(wanted: Any, **kw: Any) -> dict[tuple[str, str], dict[str, Any]]:
        found = real(wanted, **kw)
        hide = {k for k in found if any(k[1].startswith(prefix) for prefix in missed)}
        missed.clear()
        return {k: v for k, v in found.items() if k not in hide}

    monkeypatch.setattr(store, "batch_get", batch_get)
    return missed


def _real(d: Driver) -> Decimal:
    return Decimal(d.wallet()["balances"]["real"])


def test_the_twin_of_an_applied_closing_bet_is_deduped_not_round_closed(moto_table: str, stale_read: set[str]) -> None:
    # Before the fix: 409 {"code": "conflict", "reason": "round_closed", "retryable": false}.
    d = Driver()
    d.deposit("10.00")
    body = {"amount": "1.00", "ref_id": "b1", "round_id": "r1", "round_closed": True}
    first = d.call("bet", body)
    stale_read.add("REF")
    twin = d.call("bet", body)
    assert (twin.status, twin.deduped, twin.body) == (200, True, first.body)
    assert _real(d) == Decimal("9.00")
    assert_ledger_consistent(d)


def test_the_twin_of_an_applied_closing_win_is_deduped_not_round_not_found(
    moto_table: str, stale_read: set[str]
) -> None:
    # The twin read neither the ref nor the closed round, but the wallet after the round left it. Before the
    # fix: 404 round_not_found.
    d = Driver()
    d.deposit("10.00")
    d.bet("1.00", ref="b1", rnd="r1")
    body = {"amount": "2.00", "ref_id": "w1", "round_id": "r1", "round_closed": True}
    first = d.call("win", body)
    stale_read.update({"REF", "ROUND#"})
    twin = d.call("win", body)
    assert (twin.status, twin.deduped, twin.body) == (200, True, first.body)
    assert _real(d) == Decimal("11.00")
    assert_ledger_consistent(d)


def test_the_twin_of_an_applied_rollback_is_deduped_not_round_closed(moto_table: str, stale_read: set[str]) -> None:
    # The twin read the bet's ref but not the rollback record, and the wallet after the round was emptied.
    # Before the fix: 409 round_closed, final.
    d = Driver()
    d.deposit("10.00")
    d.bet("1.00", ref="b1", rnd="r1")
    first = d.call("rollback", {"ref_id": "b1"})
    stale_read.add(ROLLBACK_SK)
    twin = d.call("rollback", {"ref_id": "b1"})
    assert (twin.status, twin.deduped, twin.body) == (200, True, first.body)
    assert _real(d) == Decimal("10.00")
    assert_ledger_consistent(d)


def test_a_different_request_on_a_used_ref_is_still_refused(moto_table: str, stale_read: set[str]) -> None:
    # The confirmation answers only the same request: another amount on the ref stays a final refusal.
    d = Driver()
    d.deposit("10.00")
    d.call("bet", {"amount": "1.00", "ref_id": "b1", "round_id": "r1", "round_closed": True})
    stale_read.add("REF")
    with pytest.raises(Conflict) as refused:
        d.call("bet", {"amount": "2.00", "ref_id": "b1", "round_id": "r1", "round_closed": True})
    assert refused.value.code == "round_closed"
    assert _real(d) == Decimal("9.00")
