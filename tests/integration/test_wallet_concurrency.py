"""Real races on DynamoDB Local: threads calling the wallet service at once on one player's wallet."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from pitboss.errors import ConcurrentUpdate, InsufficientFunds
from tests.wallet_support import Driver, assert_ledger_consistent


def _bet(d: Driver, barrier: Barrier, i: int) -> str:
    barrier.wait()
    body = {"amount": "1.00", "ref_id": f"c-{i}", "round_id": f"r-{i}", "round_closed": True}
    for _ in range(5):  # a provider retries a 409 concurrent_update with the same key and ref
        try:
            out = d.call("bet", body, f"bet-{i}")
            return "deduped" if out.deduped else "ok"
        except InsufficientFunds:
            return "insufficient"
        except ConcurrentUpdate:
            continue
    return "gave_up"


def test_twenty_concurrent_bets_on_ten_dollars(ddb_table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    barrier = Barrier(20)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda i: _bet(d, barrier, i), range(20)))
    assert results.count("ok") == 10, results
    assert results.count("insufficient") == 10, results
    assert d.wallet()["balances"]["real"] == "0.00"
    assert len(d.entries()) == 11
    assert_ledger_consistent(d)


def test_concurrent_replays_of_one_request_move_money_once(ddb_table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    barrier = Barrier(10)
    body = {"amount": "3.00", "ref_id": "same", "round_id": "r1"}

    def send(i: int) -> tuple[int, bool]:
        barrier.wait()
        for _ in range(5):
            try:
                out = d.call("bet", body, f"key-{i % 2}")  # two keys, one ref
                return out.status, out.deduped
            except ConcurrentUpdate:
                continue
        raise AssertionError("gave up")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(send, range(10)))
    assert sum(1 for status, deduped in results if status == 201 and not deduped) == 1, results
    assert d.wallet()["balances"]["real"] == "7.00"
    assert len(d.entries()) == 2
    assert_ledger_consistent(d)


def test_concurrent_mixed_movements_keep_the_ledger_balanced(ddb_table: str) -> None:
    d = Driver()
    d.deposit("50.00")
    barrier = Barrier(12)

    def act(i: int) -> None:
        barrier.wait()
        for _ in range(5):
            try:
                if i % 3 == 0:
                    d.call("deposit", {"amount": "2.00"}, f"m-dep-{i}")
                elif i % 3 == 1:
                    d.call("bet", {"amount": "1.50", "ref_id": f"m-{i}", "round_id": "shared"}, f"m-bet-{i}")
                else:
                    d.call("winz", {"amount": "1", "action": "grant"}, f"m-winz-{i}")
                return
            except ConcurrentUpdate:
                continue

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(act, range(12)))
    w = d.wallet()
    assert (w["balances"]["real"], w["frozen"], w["balances"]["winz"]) == ("52.00", "6.00", "4.00")
    assert_ledger_consistent(d)
