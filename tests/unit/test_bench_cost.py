"""bench/cost.py: the cost table is computed from a bench result, with its arithmetic."""

from __future__ import annotations

from typing import Any

import pytest

from bench import cost


def _result(win_wcu: float) -> dict[str, Any]:
    return {
        "at": "2026-11-30T00:00:00Z",
        "operations": {
            "bet (closes round)": {"round_trips": 2.0, "rcu": 2.0, "wcu": 6.0},
            "win (closes round)": {"round_trips": 2.0, "rcu": 2.0, "wcu": win_wcu},
        },
        "lambda_per_http_bet": {
            "AuthorizerFunction": {"cpu_ms": 0.2, "round_trips": 0.003, "memory_mb": 256},
            "WalletFunction": {"cpu_ms": 4.0, "round_trips": 2.0, "memory_mb": 512},
        },
    }


def test_a_bet_costs_its_lines_and_a_round_adds_the_win() -> None:
    bet = cost.lines(_result(8.0), hit_rate=1.0)
    dollars = {item: value for item, _, value in bet}
    assert dollars["HTTP API request"] == 1.00
    assert dollars["bet: DynamoDB writes"] == pytest.approx(6 * 0.625)
    # 4 ms CPU at 512 MB is 4 * 1769/512 = 13.8 ms, plus 2 round trips of 5 ms: 24 ms billed at 0.5 GB.
    assert dollars["wallet duration (512 MB)"] == pytest.approx(0.5 * 0.024 * 0.0000133334 * 1e6)
    assert dollars["authorizer reads (misses only)"] == 0
    cheaper, dearer = cost.table(_result(8.0), 0.99), cost.table(_result(10.9), 0.99)
    assert "8 WRU x $0.625/M" in cheaper and "10.9 WRU x $0.625/M" in dearer
    assert cheaper != dearer
