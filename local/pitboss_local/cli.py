"""`pitboss`: the admin CLI (tenants, API keys, the outbox) and `pitboss dev`, the local stack.

Locally it finds the stack through PITBOSS_DATA_DIR (default .pitboss); against a deployed stack pass
--table NAME (and the usual AWS credentials/region)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from pitboss_local import stack as local_stack


def _print(data: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=2, default=str))
        return
    if isinstance(data, list):
        for row in data:
            print("  ".join(f"{k}={v}" for k, v in row.items()))
    elif isinstance(data, dict):
        for k, v in data.items():
            print(f"{k}: {v}")


@contextmanager
def connected(table: str | None) -> Iterator[None]:
    """Points pitboss.store at the deployed table, the running local stack, or a DynamoDB Local it starts."""
    from pitboss.settings import reset_settings
    from pitboss.store import reset_clients

    if table:
        os.environ["TABLE_NAME"] = table
        os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
        reset_settings()
        reset_clients()
        yield
        return
    base = local_stack.data_dir()
    info_file = local_stack.stack_file(base)
    if info_file.exists():
        info = json.loads(info_file.read_text())
        if _reachable(info["dynamodb_endpoint"]):
            local_stack.apply_env(info["dynamodb_endpoint"], info["table_name"])
            yield
            return
    from pitboss_local import ddb

    db = ddb.DynamoDBLocal(data_dir=base / "dynamodb").start()
    try:
        ddb.create_table(db.client(), local_stack.TABLE_NAME)
        local_stack.apply_env(db.endpoint, local_stack.TABLE_NAME)
        yield
    finally:
        db.stop()


def _reachable(endpoint: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - loopback DynamoDB Local
    except urllib.error.HTTPError:
        return True  # it answered (400 for a bare GET): it is up
    except OSError:
        return False
    return True


def _brand_args(values: list[str]) -> list[tuple[str, str]]:
    brands = []
    for value in values:
        name, _, currency = value.partition(":")
        brands.append((name.strip(), (currency or "USD").strip().upper()))
    return brands


def create_tenant_with_keys(name: str, brands: list[tuple[str, str]]) -> dict[str, Any]:
    from pitboss import tenancy

    tenant = tenancy.create_tenant(name, brands)
    live, _ = tenancy.create_key(tenant["tenant_id"], "live", name="default live")
    test, _ = tenancy.create_key(tenant["tenant_id"], "test", name="default test")
    return {"tenant_id": tenant["tenant_id"], "brands": tenant["brands"], "live_key": live, "test_key": test}


def cmd_create_tenant(args: argparse.Namespace) -> int:
    with connected(args.table):
        result = create_tenant_with_keys(args.name, _brand_args(args.brand))
    _print(result, args.json)
    return 0


def cmd_create_key(args: argparse.Namespace) -> int:
    from pitboss import tenancy

    scopes = list(args.scope or ["*"])  # seed 003: a key has every scope unless limited; stored as ["*"]
    with connected(args.table):
        raw, record = tenancy.create_key(
            args.tenant, args.mode, scopes=scopes, brand_ids=args.brand_id or None, name=args.name or ""
        )
    _print({"key": raw, **record}, args.json)
    return 0


def cmd_create_publishable_key(args: argparse.Namespace) -> int:
    from pitboss.gateway import publishable

    with connected(args.table):
        raw, record = publishable.create(args.tenant, args.brand_id, args.mode)
    _print({"key": raw, **record}, args.json)
    return 0


def cmd_revoke_key(args: argparse.Namespace) -> int:
    from pitboss import tenancy

    with connected(args.table):
        record = tenancy.revoke_key(args.tenant, args.key_id)
    _print(record, args.json)
    return 0


def cmd_list_keys(args: argparse.Namespace) -> int:
    from pitboss import tenancy

    with connected(args.table):
        rows = tenancy.list_keys(args.tenant)
    _print(rows, args.json)
    return 0


def _setting_value(raw: str) -> Any:
    """`--set key=value`: JSON where it parses (true, 21, ["tnc"]), else the plain string (Europe/Malta)."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _unknown_settings(changes: dict[str, Any]) -> str:
    """An error naming every setting --set gave that a brand does not have (a typo is never ignored)."""
    import difflib

    from pitboss.tenancy import BrandSettings

    known = sorted(BrandSettings.model_fields)
    lines = []
    for name in changes:
        if name not in BrandSettings.model_fields:
            close = difflib.get_close_matches(name, known, n=1)
            lines.append(f"error: unknown setting {name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return "\n".join([*lines, f"known settings: {', '.join(known)}"]) if lines else ""


def _settings_error(exc: ValidationError) -> str:
    """One line per refused value: `error: min_age: Input should be a valid integer (got 'abc')`."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        lines.append(f"error: {where}: {error['msg']} (got {error.get('input')!r})")
    return "\n".join(lines)


def cmd_brand_settings(args: argparse.Namespace) -> int:
    """Shows a brand's settings; with --set, changes them (validated like every other write)."""
    from pitboss import tenancy
    from pitboss.errors import Conflict

    changes: dict[str, Any] = {}
    for pair in args.set or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise SystemExit(f"--set takes key=value, got {pair!r}")
        changes[name.strip()] = _setting_value(raw)
    unknown = _unknown_settings(changes)
    if unknown:
        print(unknown, file=sys.stderr)
        return 2
    with connected(args.table):
        if changes:
            try:
                brand = tenancy.update_brand_settings(args.tenant, args.brand_id, changes)
            except ValidationError as exc:
                print(_settings_error(exc), file=sys.stderr)
                return 2
            except Conflict as exc:  # e.g. service_mode: the brand has real-rail entries (issue 13)
                print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
                return 2
        else:
            found = next((b for b in tenancy.tenant_brands(args.tenant) if b.brand_id == args.brand_id), None)
            if found is None:
                print(f"error: brand {args.brand_id} not found for tenant {args.tenant}", file=sys.stderr)
                return 2
            brand = found
    _print(
        {
            "brand_id": brand.brand_id,
            "name": brand.name,
            "currency": brand.currency,
            **brand.settings.model_dump(),
            "currencies": brand.currencies,
        },
        args.json,
    )
    return 0


def cmd_create_operator(args: argparse.Namespace) -> int:
    """A console operator whose generated password works at once (printed once; never stored in clear)."""
    from pitboss.operators import accounts

    with connected(args.table):
        form = accounts.operator_in(args.email, args.role, args.name)
        created = accounts.create_operator(args.tenant, form, created_by="system:cli")
    _print(created.model_dump(), args.json)
    return 0


def cmd_list_operators(args: argparse.Namespace) -> int:
    from pitboss.operators import accounts

    with connected(args.table):
        rows = [o.model_dump() for o in accounts.list_operators(args.tenant)]
    _print(rows, args.json)
    return 0


def cmd_disable_operator(args: argparse.Namespace) -> int:
    from pitboss.operators import accounts

    with connected(args.table):
        row = accounts.disable_by_cli(args.tenant, args.operator)
    _print(row.model_dump(), args.json)
    return 0


def demo_operator(creds: dict[str, Any]) -> dict[str, Any]:
    """The demo tenant's console owner, created once (`make dev` prints it and keeps it in the file)."""
    from pitboss.operators import accounts

    created = accounts.create_operator(
        creds["tenant_id"], accounts.operator_in("owner@demo.example", "owner", "Demo owner"), created_by="system:cli"
    )
    return {"email": created.email, "password": created.password}


def demo_brand_keys(creds: dict[str, Any]) -> list[dict[str, Any]]:
    """A live and a test key per demo brand, each limited to its brand (issue 11 #14): with one of them a
    request needs no brand_id, so seed 000's curl example works as written."""
    from pitboss import tenancy

    rows = []
    for brand in creds["brands"]:
        brand_id = int(brand["brand_id"])
        live, _ = tenancy.create_key(creds["tenant_id"], "live", brand_ids=[brand_id], name=f"{brand['name']} live")
        test, _ = tenancy.create_key(creds["tenant_id"], "test", brand_ids=[brand_id], name=f"{brand['name']} test")
        rows.append({"brand_id": brand_id, "live_key": live, "test_key": test})
    return rows


def cmd_outbox(args: argparse.Namespace) -> int:
    """Queued player messages (activation, email change, password reset), newest first, with their links."""
    from pitboss.gateway import outbox

    with connected(args.table):
        rows = outbox.list_messages(limit=args.limit)
    if args.to:
        rows = [r for r in rows if str(r.get("to", "")).casefold() == args.to.casefold()]
    if args.type:
        rows = [r for r in rows if r.get("type") == args.type]
    _print(rows, args.json)
    return 0


def _currencies(brand: dict[str, Any]) -> str:
    return ", ".join(brand.get("currencies") or [brand["currency"]])


def cmd_dev(args: argparse.Namespace) -> int:
    base = local_stack.data_dir()
    port = int(os.environ.get("PORT", args.port))
    stack = local_stack.start(
        port=port,
        db_dir=base / "dynamodb",
        quiet=args.quiet,
        schedule_seconds=args.schedule_seconds,
        auth_cache_seconds=args.auth_cache_seconds,
    )
    local_stack.write_stack_file(base, stack)
    creds_file = base / "demo-credentials.json"
    if not creds_file.exists():
        creds = create_tenant_with_keys("Demo Casino", [("Demo USD", "USD"), ("Demo EUR", "EUR")])
        creds_file.write_text(json.dumps(creds, indent=2))
        creds_file.chmod(0o600)
    creds = json.loads(creds_file.read_text())
    if "operator" not in creds:  # data from before the console: add its demo owner
        creds["operator"] = demo_operator(creds)
        creds_file.write_text(json.dumps(creds, indent=2))
    if "brand_keys" not in creds:  # data from before per-brand demo keys: add them
        creds["brand_keys"] = demo_brand_keys(creds)
        creds_file.write_text(json.dumps(creds, indent=2))
    url = stack.api.url
    brand_keys = "; ".join(f"brand {k['brand_id']}: {k['test_key']}, {k['live_key']}" for k in creds["brand_keys"])
    print(
        f"""
Pitboss local stack is up.
  API:        {url}
  Docs:       {url}/v1/docs   (OpenAPI: {url}/v1/openapi.json)
  DynamoDB:   {stack.db.endpoint} (data in {base / "dynamodb"})
  Tenant:     {creds["tenant_id"]}
  Brands:     {", ".join(f"{b['brand_id']} {b['name']} ({_currencies(b)})" for b in creds["brands"])}
  Live key:   {creds["live_key"]}
  Test key:   {creds["test_key"]}
  Brand keys: {brand_keys}
  Console:    {url}/console   (sign in as {creds["operator"]["email"]} / {creds["operator"]["password"]})
  (also in {creds_file})

Try:
  curl -s -X POST {url}/v1/players -H "Authorization: Bearer {creds["test_key"]}" \\
       -H "Content-Type: application/json" \\
       -d '{{"brand_id": {creds["brands"][0]["brand_id"]}, "username": "StarlordV7", "email": "sv7@example.com"}}'
  or, with a key limited to one brand (no brand_id needed), seed 000's example as written:
  curl -s -X POST {url}/v1/players -H "Authorization: Bearer {creds["brand_keys"][0]["test_key"]}" \\
       -H "Content-Type: application/json" \\
       -d '{{"username": "StarlordV7", "email": "sv7@example.com", "external_ref": "pam-uuid-abc",
            "country_code": "US"}}'
Ctrl-C stops everything.""",
        flush=True,
    )
    stopped = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    stopped.wait()
    print("stopping...", flush=True)
    stack.stop()
    local_stack.stack_file(base).unlink(missing_ok=True)
    return 0


def cmd_verify_chain(args: argparse.Namespace) -> int:
    """Recomputes the hash chains (issue 14 §5) of one player or every player of the tenant's mode."""
    from pitboss import keys
    from pitboss.audit import verify

    with connected(args.table):
        results = [
            {"user_id": uid, **out.model_dump(mode="json", exclude_none=True)}
            for uid, out in verify.verify_realm(keys.realm(args.tenant, args.mode), args.player)
        ]
    broken = [r for r in results if not r["ok"]]
    summary = {"players": len(results), "broken": len(broken), "checked": sum(int(r["checked"]) for r in results)}
    _print({**summary, "results": broken if not args.all else results} if args.json else summary, args.json)
    if not args.json:
        for row in broken:
            print(f"BROKEN {row['user_id']}: {row['first_broken']}")
    return 1 if broken else 0


def cmd_usage(args: argparse.Namespace) -> int:
    """Usage of a tenant for a month (issue 14 §3): live (billable) and test, per day and in total."""
    from pitboss.reports import usage

    with connected(args.table):
        report = usage.month_report(args.tenant, args.month)
    if args.json:
        _print(report, True)
        return 0
    for mode in ("live", "test"):
        data: Any = report[mode]
        total = data["total"]
        billable = "billable" if data["billable"] else "not billable"
        print(
            f"{mode} ({billable}): requests={total['requests_total']} ledger_entries={total['ledger_entries']} "
            f"active_player_days={total['active_player_days']} monthly_active_players={data['monthly_active_players']}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pitboss", description=__doc__)
    parser.add_argument("--table", help="a deployed table name (uses AWS credentials) instead of the local stack")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run the local stack in the foreground")
    dev.add_argument("--port", type=int, default=3000)
    dev.add_argument("--quiet", action="store_true", help="no access log lines")
    dev.add_argument("--schedule-seconds", type=float, default=60.0, help="how often scheduled functions run")
    dev.add_argument(
        "--auth-cache-seconds",
        type=float,
        help="how long a warm authorizer keeps a verified key (default and maximum: 10, as deployed)",
    )
    dev.set_defaults(func=cmd_dev)

    ct = sub.add_parser("create-tenant", help="create a tenant with brands and a live and a test key")
    ct.add_argument("--name", required=True)
    ct.add_argument("--brand", action="append", required=True, help="NAME or NAME:CURRENCY (default USD); repeat")
    ct.add_argument("--json", action="store_true")
    ct.set_defaults(func=cmd_create_tenant)

    ck = sub.add_parser("create-key", help="create an API key")
    ck.add_argument("--tenant", required=True)
    ck.add_argument("--mode", choices=["live", "test"], default="test")
    ck.add_argument(
        "--scope",
        action="append",
        help="repeat: players:read, players:write, wallet:read, wallet:bets, wallet:payments, wallet:bonuses, "
        "wallet:write (bets + payments + bonuses), backoffice:read or *; default * (written on the key)",
    )
    ck.add_argument("--brand-id", type=int, action="append", help="restrict to these brands; repeat")
    ck.add_argument("--name")
    ck.add_argument("--json", action="store_true")
    ck.set_defaults(func=cmd_create_key)

    pk = sub.add_parser(
        "create-publishable-key", help="create a publishable brand key (wpk_...) for the gateway's x-pitboss-key"
    )
    pk.add_argument("--tenant", required=True)
    pk.add_argument("--brand-id", type=int, required=True)
    pk.add_argument("--mode", choices=["live", "test"], default="test")
    pk.add_argument("--json", action="store_true")
    pk.set_defaults(func=cmd_create_publishable_key)

    rk = sub.add_parser("revoke-key", help="revoke an API key by its key_id")
    rk.add_argument("--tenant", required=True)
    rk.add_argument("--key-id", required=True)
    rk.add_argument("--json", action="store_true")
    rk.set_defaults(func=cmd_revoke_key)

    lk = sub.add_parser("list-keys", help="list a tenant's API keys (never the keys themselves)")
    lk.add_argument("--tenant", required=True)
    lk.add_argument("--json", action="store_true")
    lk.set_defaults(func=cmd_list_keys)

    bs = sub.add_parser("brand-settings", help="show or change a brand's settings (time zone, age, documents, ...)")
    bs.add_argument("--tenant", required=True)
    bs.add_argument("--brand-id", type=int, required=True)
    bs.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="e.g. min_age=21, timezone=Europe/Malta, currencies=EUR,USD,BTC (default first); repeat",
    )
    bs.add_argument("--json", action="store_true")
    bs.set_defaults(func=cmd_brand_settings)

    co = sub.add_parser("create-operator", help="create a console operator; prints a password that works at once")
    co.add_argument("--tenant", required=True)
    co.add_argument("--email", required=True)
    co.add_argument("--role", required=True, choices=["owner", "admin", "compliance", "support", "finance", "viewer"])
    co.add_argument("--name", help="display name (default: the email's local part)")
    co.add_argument("--json", action="store_true")
    co.set_defaults(func=cmd_create_operator)

    lo = sub.add_parser("list-operators", help="list a tenant's console operators")
    lo.add_argument("--tenant", required=True)
    lo.add_argument("--json", action="store_true")
    lo.set_defaults(func=cmd_list_operators)

    do = sub.add_parser("disable-operator", help="disable a console operator (their sessions end at once)")
    do.add_argument("--tenant", required=True)
    do.add_argument("--operator", required=True, help="operator_id or email")
    do.add_argument("--json", action="store_true")
    do.set_defaults(func=cmd_disable_operator)

    ob = sub.add_parser("outbox", help="list queued player messages (to, type, token, link, created_at)")
    ob.add_argument("--to", help="only messages to this address")
    ob.add_argument("--type", help="only this message type, e.g. activation_email")
    ob.add_argument("--limit", type=int, default=100)
    ob.add_argument("--json", action="store_true")
    ob.set_defaults(func=cmd_outbox)

    vc = sub.add_parser("verify-chain", help="verify the tamper-evident history (hash chains) of a tenant's players")
    vc.add_argument("--tenant", required=True)
    vc.add_argument("--player", help="one player's user_id (default: every player of the mode)")
    vc.add_argument("--mode", choices=["live", "test"], default="live")
    vc.add_argument("--all", action="store_true", help="with --json: list every player, not only broken ones")
    vc.add_argument("--json", action="store_true")
    vc.set_defaults(func=cmd_verify_chain)

    us = sub.add_parser("usage", help="a tenant's usage for a month: requests, ledger entries, active players")
    us.add_argument("--tenant", required=True)
    us.add_argument("--month", required=True, help="YYYY-MM")
    us.add_argument("--json", action="store_true")
    us.set_defaults(func=cmd_usage)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from pitboss.errors import PitbossError

    try:
        return int(args.func(args))
    except PitbossError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["main"]
