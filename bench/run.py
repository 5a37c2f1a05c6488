"""Wallet benchmark: DynamoDB round trips and consumed capacity per operation, and movements per second
through the local HTTP stack next to the bare service and a bare boto3 TransactWriteItems loop, all on
one DynamoDB Local started for this run. Bounded loops, loopback only. Writes bench/results/latest.json.

    make bench            (python -m bench.run [--movements N])
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for extra in ("layers/shared/python", "functions", "local", "."):
    if str(ROOT / extra) not in sys.path:
        sys.path.insert(0, str(ROOT / extra))
os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

RESULTS = ROOT / "bench" / "results"
WARMUP = 30


def _measure(fn: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Average DynamoDB round trips and consumed capacity of one call (counted in this thread), and the
    write units AWS would bill for it (bench/capacity.py: DynamoDB Local under-reports transactions)."""
    from bench import capacity
    from pitboss import store

    rt = store.round_trips
    rt.count, rt.consumed_rcu, rt.consumed_wcu = 0, 0.0, 0.0
    with capacity.billed() as billed:
        billed.wcu, billed.rru = 0, 0.0
        for _ in range(repeat):
            fn()
    return {
        "round_trips": rt.count / repeat,
        "rcu": round(rt.consumed_rcu / repeat, 2),
        "wcu": round(rt.consumed_wcu / repeat, 2),
        "wcu_aws": round(billed.wcu / repeat, 2),
        "rcu_aws": round(billed.rru / repeat, 2),
        "samples": repeat,
    }


def _rate(fn: Callable[[int], Any], n: int) -> dict[str, Any]:
    latencies = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "movements": n,
        "per_second": round(n / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
    }


def _parallel_rate(fn: Callable[[int, int], Any], workers: int, per_worker: int) -> dict[str, Any]:
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda w: [fn(w, i) for i in range(per_worker)], range(workers)))
    elapsed = time.perf_counter() - started
    n = workers * per_worker
    return {"movements": n, "workers": workers, "per_second": round(n / elapsed, 1)}


def _memory_mb(function: str) -> int:
    from pitboss_local import template

    resources = template.load()["Resources"]
    size = resources[function]["Properties"].get("MemorySize")
    default = (template.load().get("Globals") or {}).get("Function", {}).get("MemorySize", 128)
    return int(size or default)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--movements", type=int, default=300, help="movements per throughput loop (bounded)")
    parser.add_argument("--samples", type=int, default=20, help="calls per round-trip measurement")
    args = parser.parse_args(argv)
    n = max(10, min(args.movements, 5000))

    import boto3
    import requests

    from pitboss import idempotency, identity, keys, store, tenancy
    from pitboss.backoffice import queries as backoffice
    from pitboss.lootbox import definitions as lootboxes
    from pitboss.lootbox import opening
    from pitboss.lootbox.models import LootboxIn
    from pitboss.players import queries as player_queries
    from pitboss.players import upsert as players
    from pitboss.players.models import PlayerUpsert
    from pitboss.wallet import payments, promotions, queries, rounds
    from pitboss.wallet.models import BetIn, DepositIn, RollbackIn, WinIn, WinzIn
    from pitboss_local import ddb, stack, template
    from pitboss_local.apigw import LocalApi
    from pitboss_local.cli import create_tenant_with_keys
    from pitboss_local.runtime import Usage

    db = ddb.DynamoDBLocal().start()
    api: LocalApi | None = None
    try:
        table = "pitboss-bench"
        ddb.create_table(db.client(), table)
        stack.apply_env(db.endpoint, table)
        tenant = create_tenant_with_keys("bench", [("Bench USD", "USD")])
        who = tenancy.authenticate(f"Bearer {tenant['live_key']}")

        def new_player() -> str:
            name = f"b{uuid.uuid4().hex[:10]}"
            body = {"username": name, "email": f"{name}@example.com"}
            idem = idempotency.begin(who.realm, None, "POST", "/v1/players", body)
            return str(players.upsert_player(who, PlayerUpsert.model_validate(body), idem).body["player"]["user_id"])

        def idem_for(key: str | None, body: dict[str, Any]) -> idempotency.IdemRequest:
            return idempotency.begin(who.realm, key, "POST", "bench", body)

        def deposit(user: str, amount: str = "1000000.00", key: str | None = None) -> Any:
            body = {"amount": amount}
            return payments.deposit(who, user, DepositIn.model_validate(body), idem_for(key, body))

        def bet(user: str, ref: str, rnd: str, closed: bool = False, key: str | None = None) -> Any:
            body = {"amount": "1.00", "ref_id": ref, "round_id": rnd, "round_closed": closed}
            return rounds.place_bet(who, user, BetIn.model_validate(body), idem_for(key, body))

        def win(user: str, ref: str, rnd: str) -> Any:
            body = {"amount": "0.50", "ref_id": ref, "round_id": rnd, "round_closed": True}
            return rounds.credit_win(who, user, WinIn.model_validate(body), idem_for(None, body))

        def rollback(user: str, ref: str) -> Any:
            body = {"ref_id": ref}
            return rounds.rollback(who, user, RollbackIn.model_validate(body), idem_for(None, body))

        # ---- round trips and capacity per operation -------------------------------------------
        user = new_player()
        number = identity.load_player(who, user, None).player_id
        deposit(user)
        s = args.samples
        counter = iter(range(10**9))
        ops: dict[str, dict[str, Any]] = {}
        ops["deposit"] = _measure(lambda: deposit(user, "1.00"), s)
        ops["bet (open round)"] = _measure(lambda: bet(user, f"r{next(counter)}", "open-round"), s)
        ops["bet (closes round)"] = _measure(lambda: bet(user, f"r{next(counter)}", f"c{next(counter)}", True), s)
        wins = [(f"w{i}", f"wr{i}") for i in range(s)]
        for _, rnd in wins:
            bet(user, f"wb-{rnd}", rnd)
        it = iter(wins)
        ops["win (closes round)"] = _measure(lambda: win(user, *next(it)), s)
        refs = [f"rb{i}" for i in range(s)]
        for ref in refs:
            bet(user, ref, "rb-round")
        rit = iter(refs)
        ops["rollback"] = _measure(lambda: rollback(user, next(rit)), s)
        bet(user, "replayed", "rr", key="replay-key")
        ops["replay (same idempotency_key)"] = _measure(lambda: bet(user, "replayed", "rr", key="replay-key"), s)
        ops["replay (same ref_id, new key)"] = _measure(lambda: bet(user, "replayed", "rr"), s)
        ops["wallet read by uuid"] = _measure(lambda: queries.get_wallet(who, user), s)
        ops["dossier read by uuid"] = _measure(lambda: player_queries.get_dossier(who, user, None), s)
        ops["transactions page (20)"] = _measure(lambda: queries.list_transactions(who, user, 20, None), s)
        ops["back-office player detail"] = _measure(lambda: backoffice.get_player(who, number), s)
        ops["back-office transactions page (20)"] = _measure(
            lambda: backoffice.player_transactions(who, number, 1, 20), s
        )
        # A lootbox open bought with winz (issue 13 §4): draw, cost debit, prize credit, nonce: one movement.
        box_body = {
            "name": "bench",
            "cost": {"rail": "winz", "amount": "1"},
            "prizes": [{"weight": 3, "rail": "winz", "amount": "1"}, {"weight": 1, "nothing": True}],
        }
        defined = lootboxes.create(who, LootboxIn.model_validate(box_body), idem_for(None, box_body))
        box_id = defined.body["lootbox"]["id"]

        def open_box(u: str) -> Any:
            return opening.open_box(who, u, box_id, idem_for(None, {"user_id": u}))

        def winz(u: str) -> Any:
            body = {"action": "grant", "amount": "1000000"}
            return promotions.winz(who, u, WinzIn.model_validate(body), idem_for(None, body))

        winz(user)
        ops["lootbox open (bought with winz)"] = _measure(lambda: open_box(user), s)
        wallet_item = store.get(keys.player_pk(who.realm, user), keys.WALLET) or {}
        entries = int(wallet_item.get("seq", 0))

        # ---- throughput ----------------------------------------------------------------------
        client = boto3.client("dynamodb", endpoint_url=db.endpoint, region_name="us-east-1")
        bare_pk = f"BENCH#{uuid.uuid4().hex}"

        def bare(i: int) -> None:
            # The same shape as a movement: wallet put (seq condition), entry put, idempotency record put.
            cond = {"ConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "seq"}}
            wallet_put: dict[str, Any] = {
                "TableName": table,
                "Item": {"pk": {"S": bare_pk}, "sk": {"S": "WALLET"}, "seq": {"N": str(i + 1)}},
            }
            if i:
                wallet_put.update(cond, ExpressionAttributeValues={":s": {"N": str(i)}})
            client.transact_write_items(
                TransactItems=[
                    {"Put": wallet_put},  # type: ignore[typeddict-item]
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {"pk": {"S": bare_pk}, "sk": {"S": f"TX#{i + 1:012d}"}, "amount": {"N": "1"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {"pk": {"S": f"{bare_pk}#IDEM#{i}"}, "sk": {"S": "IDEM"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )

        throughput: dict[str, dict[str, Any]] = {}
        # Warm-up (not measured): the JVM behind DynamoDB Local speeds up after its first requests.
        for i in range(WARMUP):
            bare(i)
        bare_pk = f"BENCH#{uuid.uuid4().hex}"
        throughput["bare boto3 TransactWriteItems loop"] = _rate(bare, n)
        svc_user = new_player()
        deposit(svc_user)
        for i in range(WARMUP):
            bet(svc_user, f"warm{i}", f"warm{i}", True)
        throughput["service: bet (read + transact)"] = _rate(lambda i: bet(svc_user, f"s{i}", f"s{i}", True), n)
        winz(svc_user)
        throughput["service: lootbox open (read + transact)"] = _rate(lambda i: open_box(svc_user), n)

        api = LocalApi(0, pool_size=8, quiet=True).start()
        http_user = new_player()
        deposit(http_user)
        session = requests.Session()
        headers = {"Authorization": f"Bearer {tenant['live_key']}"}

        def http_bet(i: int, user: str = http_user, sess: requests.Session = session) -> None:
            r = sess.post(
                f"{api.url}/v1/players/{user}/bets",
                json={"amount": "1.00", "ref_id": f"h{user}{i}", "round_id": f"h{i}", "round_closed": True},
                headers=headers,
                timeout=30,
            )
            if r.status_code != 201:
                raise RuntimeError(f"bet failed: {r.status_code} {r.text}")

        for i in range(WARMUP):  # warm the function instances (imports), as a warm Lambda would be
            http_bet(-1 - i)
        pools = api.server.RequestHandlerClass.gateway.pools  # type: ignore[attr-defined]
        for pool in pools.values():
            pool.usage = Usage()
        throughput["HTTP: bet through the local stack"] = _rate(http_bet, n)
        # Per invocation during that loop: what bench/cost.py turns into Lambda GB-seconds, and the
        # authorizer's DynamoDB round trips per request (its cache's hit rate, on one key).
        functions = template.functions()
        lambdas = {
            name: {**pools[name].usage.per_invocation(), "memory_mb": _memory_mb(name)}
            for name in ("AuthorizerFunction", "WalletFunction")
            if name in functions
        }
        workers = 8
        users = [new_player() for _ in range(workers)]
        for u in users:
            deposit(u)
        sessions = [requests.Session() for _ in range(workers)]
        throughput[f"HTTP: bet, {workers} clients on {workers} players"] = _parallel_rate(
            lambda w, i: http_bet(i, users[w], sessions[w]), workers, max(1, n // workers)
        )
        bare_rate = throughput["bare boto3 TransactWriteItems loop"]["per_second"]
        for row in throughput.values():
            row["ratio_to_bare"] = round(row["per_second"] / bare_rate, 2) if bare_rate else None

        result = {
            "command": "make bench  (python -m bench.run)",
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
            "database": "DynamoDB Local (in memory), loopback",
            "operations": ops,
            "ledger_entries_written_for_round_trip_figures": entries,
            "throughput": throughput,
            "lambda_per_http_bet": lambdas,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
        _print(result)
    finally:
        if api is not None:
            api.stop()
        db.stop()
    return 0


def _print(result: dict[str, Any]) -> None:
    print(f"\nRound trips and consumed capacity per call ({result['database']}):")
    print(f"  {'operation':40} {'round trips':>11} {'RCU':>7} {'WCU':>7} {'RCU(AWS)':>9} {'WCU(AWS)':>9}")
    for name, row in result["operations"].items():
        aws = row.get("wcu_aws", 0.0)
        print(
            f"  {name:40} {row['round_trips']:>11.2f} {row['rcu']:>7.2f} {row['wcu']:>7.2f}"
            f" {row.get('rcu_aws', 0.0):>9.2f} {aws:>9.2f}"
        )
    print("\nMovements per second (sequential unless noted):")
    print(f"  {'loop':48} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x bare':>7}")
    for name, row in result["throughput"].items():
        p50 = f"{row['p50_ms']:.2f}" if "p50_ms" in row else "-"
        p99 = f"{row['p99_ms']:.2f}" if "p99_ms" in row else "-"
        print(f"  {name:48} {row['per_second']:>8.1f} {p50:>8} {p99:>8} {row['ratio_to_bare']:>7}")
    print("\nPer invocation during the sequential HTTP loop (local CPU and wall time, DynamoDB round trips):")
    for name, row in result.get("lambda_per_http_bet", {}).items():
        print(
            f"  {name:22} {row['invocations']:>6} invocations  cpu {row['cpu_ms']:.2f} ms  wall {row['wall_ms']:.2f} ms"
            f"  round trips {row['round_trips']:.4f}  ({row['memory_mb']} MB)"
        )
    print(f"\nwritten: {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    raise SystemExit(main())
