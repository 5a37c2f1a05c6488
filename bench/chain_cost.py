"""What the hash chain (issue 14 §5) costs: AWS-billed write units (bench/capacity.py, from item sizes) and
round trips per operation, with the chain and with sealing switched off, on one DynamoDB Local.

    .venv/bin/python -m bench.chain_cost [--samples N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
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
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args(argv)

    from bench import capacity
    from pitboss import chain, idempotency, keys, store, tenancy
    from pitboss.players import lifecycle
    from pitboss.players import upsert as players
    from pitboss.players.models import PlayerUpsert, StatusChange
    from pitboss.wallet import payments, rounds
    from pitboss.wallet.models import BetIn, DepositIn, WinIn
    from pitboss_local import ddb, stack
    from pitboss_local.cli import create_tenant_with_keys

    db = ddb.DynamoDBLocal().start()
    real_seal = chain.seal
    results: dict[str, dict[str, Any]] = {}
    try:
        ddb.create_table(db.client(), "pitboss-chain-bench")
        stack.apply_env(db.endpoint, "pitboss-chain-bench")
        tenant = create_tenant_with_keys("bench", [("Bench USD", "USD")])
        who = tenancy.authenticate(f"Bearer {tenant['live_key']}")

        def idem(body: dict[str, Any]) -> idempotency.IdemRequest:
            return idempotency.begin(who.realm, None, "POST", "bench", body)

        def new_player() -> str:
            name = f"b{uuid.uuid4().hex[:10]}"
            body = {"username": name, "email": f"{name}@example.com"}
            return str(
                players.upsert_player(who, PlayerUpsert.model_validate(body), idem(body)).body["player"]["user_id"]
            )

        def run_variant(variant: str) -> None:
            user = new_player()
            payments.deposit(who, user, DepositIn.model_validate({"amount": "1000.00"}), idem({"a": 1}))
            n = iter(range(10**9))

            def deposit() -> None:
                body = {"amount": "1.00"}
                payments.deposit(who, user, DepositIn.model_validate(body), idem(body))

            def bet_open() -> None:
                body = {"amount": "1.00", "ref_id": f"o{user}{next(n)}", "round_id": "open"}
                rounds.place_bet(who, user, BetIn.model_validate(body), idem(body))

            def bet_win() -> None:
                i = next(n)
                bet = {"amount": "1.00", "ref_id": f"b{user}{i}", "round_id": f"r{i}"}
                rounds.place_bet(who, user, BetIn.model_validate(bet), idem(bet))
                win = {"amount": "0.50", "ref_id": f"w{user}{i}", "round_id": f"r{i}", "round_closed": True}
                rounds.credit_win(who, user, WinIn.model_validate(win), idem(win))

            def status() -> None:
                s = "suspended" if next(n) % 2 else "active"
                body = {"status": s, "reason": "bench"}
                from pitboss.players import writes

                _, request = writes.begin(who, user, None, method="PATCH", route="/bench", body=body)
                lifecycle.change_status(who, user, StatusChange.model_validate(body), request)

            ops: dict[str, Callable[[], None]] = {
                "deposit": deposit,
                "bet (open round)": bet_open,
                "bet + win (closes round)": bet_win,
                "status change (dossier)": status,
            }
            for name, fn in ops.items():
                rt = store.round_trips
                rt.count = 0
                with capacity.billed() as billed:
                    billed.wcu, billed.rru = 0, 0.0
                    for _ in range(args.samples):
                        fn()
                results.setdefault(name, {})[variant] = {
                    "wcu_aws": round(billed.wcu / args.samples, 2),
                    "round_trips": round(rt.count / args.samples, 2),
                }
            pk = keys.player_pk(who.realm, user)
            sizes = {
                "wallet": store.item_size(store.get(pk, keys.WALLET) or {}),
                "profile": store.item_size(store.get(pk, keys.PROFILE) or {}),
                "entry (last)": store.item_size(list(store.query_all(pk, sk_prefix="TX#", consistent=True))[-1]),
            }
            results.setdefault("item sizes (bytes)", {})[variant] = sizes

        for variant, seal in (("without chain", lambda ops: ops), ("with chain", real_seal)):
            chain.seal = seal
            run_variant(variant)
        chain.seal = real_seal

        # Usage metering's cost on the request path (issue 14 §3): one UpdateItem ADD per request, next to a
        # GetItem of the same size for scale (wall clock on this DynamoDB Local, median of the samples); and a
        # route's GetItem with the count in line (as it was) and beside it (pitboss.beside, as it is).
        from pitboss import beside
        from pitboss.reports import repository as usage_repository
        from pitboss.reports import usage

        def timed(fn: Callable[[], Any], at_least: int = 20) -> float:
            for _ in range(10):
                fn()
            samples = []
            for _ in range(max(at_least, args.samples)):
                started = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - started) * 1000)
            return round(statistics.median(samples), 2)

        def read() -> None:
            store.get(keys.tenant_pk(who.tenant_id), "TENANT")

        def count_in_line() -> None:
            usage_repository.add_usage(who.realm, "2026-01-01", {"req:v1:read": 1})
            read()

        def count_beside() -> None:
            usage.count_request(who.realm, "v1", "GET")
            read()
            beside.settle()

        results["usage count per request (ms, median)"] = {
            "count_request (UpdateItem ADD), awaited": timed(
                lambda: (usage.count_request(who.realm, "v1", "GET"), beside.settle())
            ),
            "GetItem (for scale)": timed(read),
            "GetItem + count in line (300 samples)": timed(count_in_line, 300),
            "GetItem + count beside (300 samples)": timed(count_beside, 300),
        }
    finally:
        chain.seal = real_seal
        db.stop()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
