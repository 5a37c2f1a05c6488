"""Cost on paper: dollars per million bets and per million rounds (bet + win) on AWS list prices, from the
figures `make bench` measured (bench/results/latest.json). Re-run after `make bench` and the table follows
the code: a cheaper win, a faster handler, a better cache.

    python -m bench.cost [--results bench/results/latest.json] [--hit-rate 0.99]

Prices: us-east-1, arm64, on-demand, as listed in 2025 (sources in docs/performance.md):
  HTTP API            $1.00 per million requests (first 300 million a month)
  Lambda requests     $0.20 per million invocations
  Lambda duration     $0.0000133334 per GB-second on arm64 (first 7.5 billion GB-s a month)
  DynamoDB on-demand  $0.625 per million write request units, $0.125 per million read request units

Lambda duration is not measured on AWS here; it is estimated from the local run: the handler's CPU time
scaled to the function's CPU share (Lambda gives one vCPU at 1,769 MB, proportionally less below), plus
each DynamoDB round trip at an assumed in-region latency, rounded up to Lambda's 1 ms billing."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HTTP_API_PER_MILLION = 1.00
LAMBDA_REQUEST_PER_MILLION = 0.20
LAMBDA_ARM_GB_SECOND = 0.0000133334
WRU_PER_MILLION = 0.625
RRU_PER_MILLION = 0.125
VCPU_MB = 1769  # memory at which a function gets one full vCPU
DYNAMODB_ROUND_TRIP_MS = 5.0  # assumed: DynamoDB in-region, single-digit milliseconds
USAGE_COUNT_WRU = 1.0  # a request's usage count: one small UpdateItem
# The authorizer's cache keeps a key 10 s per warm container. An operator's game server sends its bets
# with one key; at a steady 10 bets/s or more on that key, each container misses at most once per 100
# requests or so: 99%. A quiet key (1 request/s) would be near 90%; both are printed.
DEFAULT_HIT_RATE = 0.99


def _wru(row: dict[str, Any]) -> float:
    """Units as AWS bills them (bench/capacity.py, from item sizes), or DynamoDB Local's figure from a
    result written before the bench computed them (Local under-reports reads and writes of several
    items)."""
    return float(row.get("wcu_aws", row["wcu"]))


def _rru(row: dict[str, Any]) -> float:
    return float(row.get("rcu_aws", row["rcu"]))


def _billed_ms(cpu_ms: float, round_trips: float, memory_mb: int) -> int:
    return max(1, math.ceil(cpu_ms * VCPU_MB / memory_mb + round_trips * DYNAMODB_ROUND_TRIP_MS))


def lines(result: dict[str, Any], hit_rate: float) -> list[tuple[str, str, float]]:
    """(item, arithmetic, dollars per million bets) for one bet; a round adds the win's DynamoDB units."""
    lam = result["lambda_per_http_bet"]
    auth, wallet = lam["AuthorizerFunction"], lam["WalletFunction"]
    bet = result["operations"]["bet (closes round)"]
    # The authorizer: a hit is its CPU only; a miss adds one GetItem (strongly consistent, 1 RRU: the key
    # record with its brand set stays under 4 KB for a handful of brands).
    auth_hit_ms = _billed_ms(auth["cpu_ms"], 0, auth["memory_mb"])
    auth_miss_ms = _billed_ms(auth["cpu_ms"], 1, auth["memory_mb"])
    auth_ms = hit_rate * auth_hit_ms + (1 - hit_rate) * auth_miss_ms
    wallet_ms = _billed_ms(wallet["cpu_ms"], bet["round_trips"], wallet["memory_mb"])
    auth_gbs = auth["memory_mb"] / 1024 * auth_ms / 1000
    wallet_gbs = wallet["memory_mb"] / 1024 * wallet_ms / 1000
    per_million = 1_000_000
    return [
        ("HTTP API request", f"1 x ${HTTP_API_PER_MILLION:.2f}/M", HTTP_API_PER_MILLION),
        (
            "Lambda invocations (authorizer + wallet)",
            f"2 x ${LAMBDA_REQUEST_PER_MILLION:.2f}/M",
            2 * LAMBDA_REQUEST_PER_MILLION,
        ),
        (
            f"authorizer duration ({auth['memory_mb']} MB, {hit_rate:.0%} cache hits)",
            f"{hit_rate:.2f} x {auth_hit_ms} ms + {1 - hit_rate:.2f} x {auth_miss_ms} ms = {auth_ms:.2f} ms"
            f" -> {auth_gbs:.7f} GB-s x ${LAMBDA_ARM_GB_SECOND:.10f}",
            auth_gbs * LAMBDA_ARM_GB_SECOND * per_million,
        ),
        (
            f"wallet duration ({wallet['memory_mb']} MB)",
            f"{wallet['cpu_ms']:.2f} ms CPU x {VCPU_MB}/{wallet['memory_mb']} + {bet['round_trips']:g} x "
            f"{DYNAMODB_ROUND_TRIP_MS:g} ms = {wallet_ms} ms -> {wallet_gbs:.6f} GB-s x ${LAMBDA_ARM_GB_SECOND:.10f}",
            wallet_gbs * LAMBDA_ARM_GB_SECOND * per_million,
        ),
        (
            "authorizer reads (misses only)",
            f"{1 - hit_rate:.2f} x 1 RRU x ${RRU_PER_MILLION}/M",
            (1 - hit_rate) * RRU_PER_MILLION,
        ),
        # Usage metering (issue 14 §3): every authenticated request adds one UpdateItem to a usage shard (an
        # item well under 1 KB: 1 WRU), beside the route, so it adds write units but no billed latency.
        ("usage count (metering)", f"1 WRU x ${WRU_PER_MILLION}/M", USAGE_COUNT_WRU * WRU_PER_MILLION),
        ("bet: DynamoDB writes", f"{_wru(bet):g} WRU x ${WRU_PER_MILLION}/M", _wru(bet) * WRU_PER_MILLION),
        ("bet: DynamoDB reads", f"{_rru(bet):g} RRU x ${RRU_PER_MILLION}/M", _rru(bet) * RRU_PER_MILLION),
    ]


def table(result: dict[str, Any], hit_rate: float, source: str = "bench/results/latest.json") -> str:
    bet_lines = lines(result, hit_rate)
    per_bet = sum(dollars for _, _, dollars in bet_lines)
    win = result["operations"]["win (closes round)"]
    # A win is another request through the same path: the same HTTP, Lambda and authorizer lines as a
    # bet (same handler work, same round trips), with its own DynamoDB units.
    shared = sum(dollars for item, _, dollars in bet_lines if not item.startswith("bet:"))
    win_db = _wru(win) * WRU_PER_MILLION + _rru(win) * RRU_PER_MILLION
    per_round = per_bet + shared + win_db
    out = [
        f"Measured: {result.get('at', '?')} ({source}); prices us-east-1, arm64, on-demand.",
        "",
        "| per bet | arithmetic | $ per million bets |",
        "|---|---|---|",
    ]
    out += [f"| {item} | {how} | {dollars:.4f} |" for item, how, dollars in bet_lines]
    out += [
        f"| **a bet** | | **{per_bet:.2f}** |",
        f"| a win: the same request lines | | {shared:.4f} |",
        f"| win: DynamoDB | {_wru(win):g} WRU x ${WRU_PER_MILLION}/M + {_rru(win):g} RRU x ${RRU_PER_MILLION}/M"
        f" | {win_db:.4f} |",
        f"| **a round (bet + win)** | | **{per_round:.2f}** per million rounds |",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--hit-rate", type=float, default=DEFAULT_HIT_RATE, help="authorizer cache hits, 0..1")
    args = parser.parse_args(argv)
    result = json.loads(args.results.read_text())
    if "lambda_per_http_bet" not in result:
        raise SystemExit("no per-invocation figures in the results: run `make bench` first")
    print(table(result, min(1.0, max(0.0, args.hit_rate)), str(args.results)))
    for other in (0.9, 0.0):
        per_bet = sum(dollars for _, _, dollars in lines(result, other))
        print(f"\nwith {other:.0%} authorizer cache hits: {per_bet:.2f} $ per million bets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
