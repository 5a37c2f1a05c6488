"""Reconciliation on DynamoDB Local (issue 14 §4): "A test corrupts a stored balance directly in DynamoDB
Local and sees it reported." The touched markers come from the stream sink, fed real wallet changes."""

from __future__ import annotations

from decimal import Decimal

from pitboss import keys, store
from pitboss.changes import Change
from pitboss.reports import reconcile, sinks
from tests.wallet_support import Driver


def _touch(d: Driver) -> None:
    wallet = store.get(d.pk, keys.WALLET)
    assert wallet
    sinks.mark_touched(Change("w-" + d.user_id, "MODIFY", "1", d.pk, keys.WALLET, wallet, {**wallet, "seq": 0}))


def test_a_corrupted_balance_is_reported_once_and_never_corrected(ddb_table: str) -> None:
    honest, victim = Driver(), Driver()
    for d in (honest, victim):
        d.deposit("40.00")
        d.bet("10.00", ref="b1", rnd="r1")
        _touch(d)
    wallet = store.get(victim.pk, keys.WALLET)
    assert wallet
    store.put({**wallet, "balances": {**wallet["balances"], "real": Decimal("1000.00")}})  # the corruption
    summary = reconcile.run()
    assert summary.checked >= 2
    (found,) = [m for m in summary.mismatches if m["player"]["uuid"] == victim.user_id]
    assert found["type"] == "ledger.mismatch" and found["mode"] == "live"
    assert found["data"]["differences"] == [
        {"account": "player:real", "currency": "USD", "stored": "1000.00", "ledger": "30.00"}
    ]
    assert not [m for m in summary.mismatches if m["player"]["uuid"] == honest.user_id]
    stored = store.get(victim.pk, keys.WALLET)
    assert stored and stored["balances"]["real"] == Decimal("1000.00")  # never auto-corrected
    # Markers are consumed: the next run checks nothing until a wallet moves again.
    again = reconcile.run()
    assert victim.user_id not in {m["player"]["uuid"] for m in again.mismatches}
    victim.deposit("1.00")
    _touch(victim)
    assert victim.user_id in {m["player"]["uuid"] for m in reconcile.run().mismatches}


def test_an_unchanged_seq_or_an_older_redelivery_does_not_mark(ddb_table: str) -> None:
    d = Driver()
    d.deposit("5.00")
    wallet = store.get(d.pk, keys.WALLET)
    assert wallet
    sinks.mark_touched(Change("x", "MODIFY", "1", d.pk, keys.WALLET, wallet, dict(wallet)))
    assert not [m for m in store.query_all(f"RECON#TOUCHED#S{_shard(d.pk)}") if m["sk"] == d.pk]
    _touch(d)
    sinks.mark_touched(Change("y", "MODIFY", "1", d.pk, keys.WALLET, {**wallet, "seq": 0}, {**wallet, "seq": 9}))
    (marker,) = [m for m in store.query_all(f"RECON#TOUCHED#S{_shard(d.pk)}") if m["sk"] == d.pk]
    assert marker["seq"] == wallet["seq"]


def _shard(pk: str) -> int:
    return int(keys.sha256(pk)[:8], 16) % 10
