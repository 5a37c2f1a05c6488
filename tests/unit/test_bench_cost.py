"""bench/cost.py: the cost table is computed from a bench result, with its arithmetic."""

from __future__ import annotations

from typing import Any

import pytest

from bench import cost


def _result(win_wcu: float) -> dict[str, Any]:
    return {
        "at": "2026-11-30T00:00:00Z",
        "operations": {
            "bet (closes round)": {"round_trips": 2.0, "rcu": 2.0, "rcu_aws": 5.0, "wcu": 2.0, "wcu_aws": 12.0},
            "win (closes round)": {"round_trips": 2.0, "rcu": 2.0, "wcu": 5.9, "wcu_aws": win_wcu},
        },
        "lambda_per_http_bet": {
            "AuthorizerFunction": {"cpu_ms": 0.2, "round_trips": 0.003, "memory_mb": 256},
            "WalletFunction": {"cpu_ms": 4.0, "round_trips": 2.0, "memory_mb": 512},
        },
    }


def test_a_bet_costs_its_lines_and_a_round_adds_the_win() -> None:
    bet = cost.lines(_result(12.0), hit_rate=1.0)
    dollars = {item: value for item, _, value in bet}
    assert dollars["HTTP API request"] == 1.00
    assert dollars["bet: DynamoDB writes"] == pytest.approx(12 * 0.625)  # AWS's units, not DynamoDB Local's
    # 4 ms CPU at 512 MB is 4 * 1769/512 = 13.8 ms, plus 2 round trips of 5 ms: 24 ms billed at 0.5 GB.
    assert dollars["wallet duration (512 MB)"] == pytest.approx(0.5 * 0.024 * 0.0000133334 * 1e6)
    assert dollars["bet: DynamoDB reads"] == pytest.approx(5 * 0.125)
    assert dollars["authorizer reads (misses only)"] == 0
    assert dollars["usage count (metering)"] == pytest.approx(0.625)  # every request's UpdateItem, 1 WRU
    cheaper, dearer = cost.table(_result(12.2), 0.99), cost.table(_result(19.7), 0.99)
    assert "12.2 WRU x $0.625/M" in cheaper and "19.7 WRU x $0.625/M" in dearer
    assert cheaper != dearer


def test_read_units_are_billed_per_item_read(moto_table: str) -> None:
    """bench/capacity.py: a BatchGetItem bills each key (found or not) by its 4 KB steps; an eventually
    consistent read half of that."""
    from bench import capacity
    from pitboss import store

    store.put({"pk": "A", "sk": "1", "blob": "x" * 5000})
    store.put({"pk": "B", "sk": "1"})
    with capacity.billed() as billed:
        billed.rru = 0.0
        store.batch_get([("A", "1"), ("B", "1"), ("C", "1")])
        assert billed.rru == 2 + 1 + 1
        store.get("B", "1", consistent=False)
        assert billed.rru == 4.5
    assert store.get.__module__ == "pitboss.store"  # put back
