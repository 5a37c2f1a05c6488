"""The wallet over HTTP, against `pitboss dev`: movements, replays, rollbacks, errors, isolation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support import Api, unique


def _player(api: Api, key: str) -> dict[str, Any]:
    name = unique("Wal")
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com"})
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


def _no_kyc_needed(local_stack: Any, t: Any) -> None:
    """Withdrawals without KYC for this tenant's brand (issue 10 #6: `withdrawal_requires_kyc` defaults to true);
    set before the tenant's key is first used, so no authorizer holds the old settings."""
    where = ("--tenant", t.tenant_id, "--brand-id", str(t.brand_id))
    done = local_stack.cli("brand-settings", *where, "--set", "withdrawal_requires_kyc=false")
    assert done.returncode == 0, done.stderr


def test_a_round_over_http(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant(("Won", "KRW"))
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    r = api.post(f"{base}/deposits", t.live_key, {"amount": 55200, "idempotency_key": "d1"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["transaction"]["amount"] == "55200" and body["wallet"]["balances"]["real"] == "55200"
    replay = api.post(f"{base}/deposits", t.live_key, {"amount": 55200, "idempotency_key": "d1"})
    assert replay.status_code == 200 and replay.json()["deduped"] is True
    reused = api.post(f"{base}/deposits", t.live_key, {"amount": 1, "idempotency_key": "d1"})
    assert (reused.status_code, reused.json()["error"]["code"], reused.json()["error"]["reason"]) == (
        409,
        "conflict",
        "idempotency_key_reused",
    )
    bet = api.post(f"{base}/bets", t.live_key, {"amount": "10000", "ref_id": "txn_abc123", "round_id": "rnd_9988"})
    assert bet.status_code == 201, bet.text
    assert bet.json()["wallet"]["frozen"] == "10000"
    dup = api.post(f"{base}/bets", t.live_key, {"amount": "10000", "ref_id": "txn_abc123", "round_id": "rnd_9988"})
    assert dup.status_code == 200 and dup.json()["deduped"] is True
    other = api.post(f"{base}/bets", t.live_key, {"amount": "1", "ref_id": "txn_abc123", "round_id": "rnd_9988"})
    assert (
        other.status_code == 409
        and other.json()["error"]["code"] == "conflict"
        and other.json()["error"]["reason"] == "duplicate_ref"
    )
    win = api.post(
        f"{base}/wins",
        t.live_key,
        {"amount": "25000", "ref_id": "txn_xyz789", "round_id": "rnd_9988", "round_closed": True},
    )
    assert win.status_code == 201 and win.json()["wallet"]["balances"]["real"] == "70200"
    nope = api.post(f"{base}/wins", t.live_key, {"amount": "1", "ref_id": "w2", "round_id": "nope"})
    assert (nope.status_code, nope.json()["error"]["code"], nope.json()["error"]["reason"]) == (
        404,
        "not_found",
        "round_not_found",
    )
    rb = api.post(f"{base}/rollbacks", t.live_key, {"ref_id": "txn_abc123"})
    assert rb.status_code == 409 and (rb.json()["error"]["code"], rb.json()["error"]["reason"]) == (
        "conflict",
        "round_closed",
    )
    early = api.post(f"{base}/rollbacks", t.live_key, {"ref_id": "late"})
    assert early.status_code == 404 and (early.json()["error"]["code"], early.json()["error"]["reason"]) == (
        "not_found",
        "ref_not_found",
    )
    late = api.post(f"{base}/bets", t.live_key, {"amount": "1", "ref_id": "late", "round_id": "r2"})
    assert late.status_code == 409 and (late.json()["error"]["code"], late.json()["error"]["reason"]) == (
        "conflict",
        "ref_rolled_back",
    )
    wallet = api.get(f"{base}/wallet", t.live_key).json()["wallet"]
    assert wallet["balances"] == {"real": "70200", "bonus": "0", "winz": "0.00", "xp": "1000.00"}
    assert wallet["frozen"] == "0" and wallet["currency"] == "KRW"
    txs = api.get(f"{base}/transactions?limit=2", t.live_key).json()
    assert txs["total"] == 3 and [x["seq"] for x in txs["transactions"]] == [3, 2]
    nxt = api.get(f"{base}/transactions?limit=2&cursor={txs['next_cursor']}", t.live_key).json()
    assert [x["seq"] for x in nxt["transactions"]] == [1] and nxt["next_cursor"] is None


def test_a_win_that_overtakes_its_bet_is_a_retryable_404(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    assert api.post(f"{base}/deposits", t.live_key, {"amount": "10.00"}).status_code == 201
    early = {"amount": "3.00", "ref_id": "w-late", "round_id": "late", "round_closed": True}
    r = api.post(f"{base}/wins", t.live_key, early)
    assert r.status_code == 404, r.text
    assert (r.json()["error"]["code"], r.json()["error"]["reason"], r.json()["error"]["retryable"]) == (
        "not_found", "round_not_found", True)  # fmt: skip
    assert (
        api.post(f"{base}/bets", t.live_key, {"amount": "1.00", "ref_id": "b-late", "round_id": "late"}).status_code
        == 201
    )
    r = api.post(f"{base}/wins", t.live_key, early)  # the provider's retry lands once the bet has
    assert r.status_code == 201 and r.json()["wallet"]["balances"]["real"] == "12.00", r.text


def test_errors_have_codes(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    _no_kyc_needed(local_stack, t)
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    for amount in ('"0"', '"-1"', '"1.001"', '"NaN"', '"abc"', "1e400", "Infinity", "0.001", "true", "null"):
        r = api.call(
            "POST",
            f"{base}/deposits",
            t.live_key,
            data=f'{{"amount": {amount}}}',
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 422, (amount, r.text)
    r = api.post(f"{base}/bets", t.live_key, {"amount": "1.00", "ref_id": "x", "round_id": "r"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "insufficient_funds"
    r = api.post(f"{base}/withdrawals", t.live_key, {"amount": "1.00"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "insufficient_funds"
    r = api.post(f"{base}/bonuses", t.live_key, {"amount": "1.00", "wagering_multiplier": 11})
    assert r.status_code == 422
    done = local_stack.cli("create-key", "--tenant", t.tenant_id, "--mode", "live", "--scope", "wallet:read", "--json")
    import json

    read_only = json.loads(done.stdout)["key"]
    assert api.get(f"{base}/wallet", read_only).status_code == 200
    r = api.post(f"{base}/deposits", read_only, {"amount": "1.00"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope"


def test_withdrawal_flow(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    _no_kyc_needed(local_stack, t)
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['username']}"
    api.post(f"{base}/deposits", t.live_key, {"amount": "100.00"})
    r = api.post(f"{base}/withdrawals", t.live_key, {"amount": "30.00"})
    assert r.status_code == 201 and r.json()["withdrawal"]["status"] == "pending"
    wd = r.json()["withdrawal"]["id"]
    assert r.json()["wallet"]["frozen"] == "30.00"
    done = api.post(f"{base}/withdrawals/{wd}/complete", t.live_key)  # a PSP callback may send no body
    assert done.status_code == 200 and done.json()["withdrawal"]["status"] == "completed"
    late = api.post(f"{base}/withdrawals/{wd}/cancel", t.live_key, {})
    assert (late.status_code, late.json()["error"]["reason"]) == (409, "withdrawal_not_pending")
    assert api.get(f"{base}/wallet", t.live_key).json()["wallet"]["frozen"] == "0.00"


def test_a_retry_under_any_spelling_of_the_player_is_the_same_request(api: Api, local_stack: Any) -> None:
    """The UUID and any case of the username name one player: a retry with the same idempotency_key is a
    deduped 200 whichever is used; another body under the key is 409 (reason idempotency_key_reused)."""
    t = local_stack.tenant()
    p = _player(api, t.live_key)
    body = {"amount": "7.00", "idempotency_key": unique("dep")}
    first = api.post(f"/v1/players/{p['username']}/deposits", t.live_key, body)
    assert first.status_code == 201, first.text
    for spelling in (p["username"].upper(), p["username"].lower(), p["user_id"], p["user_id"].upper()):
        again = api.post(f"/v1/players/{spelling}/deposits", t.live_key, body)
        assert again.status_code == 200 and again.json()["deduped"] is True, (spelling, again.text)
        assert again.json()["transaction"] == first.json()["transaction"]
    other = api.post(f"/v1/players/{p['user_id']}/deposits", t.live_key, {**body, "amount": "8.00"})
    assert other.status_code == 409 and other.json()["error"]["reason"] == "idempotency_key_reused"
    assert api.get(f"/v1/players/{p['user_id']}/wallet", t.live_key).json()["wallet"]["balances"]["real"] == "7.00"


def test_twenty_concurrent_bets_over_http(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    api.post(f"{base}/deposits", t.live_key, {"amount": "10.00"})

    def bet(i: int) -> int:
        body = {
            "amount": "1.00",
            "ref_id": f"h{i}",
            "round_id": f"r{i}",
            "round_closed": True,
            "idempotency_key": f"k{i}",
        }
        client = Api(api.base_url)
        for _ in range(30):  # a provider retries 409 concurrent_update with the same key and ref
            r = client.post(f"{base}/bets", t.live_key, body)
            if r.status_code != 409:
                return r.status_code
            assert (r.json()["error"]["reason"], r.json()["error"]["retryable"]) == ("concurrent_update", True)
        return 409

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(bet, range(20)))
    assert codes.count(201) == 10 and codes.count(422) == 10, codes
    assert api.get(f"{base}/wallet", t.live_key).json()["wallet"]["balances"]["real"] == "0.00"


WALLET_ROUTES = [
    ("POST", "deposits", {"amount": "1.00"}),
    ("POST", "withdrawals", {"amount": "1.00"}),
    ("POST", "withdrawals/wd_01aaaaaaaaaaaaaaaaaaaaaaaa/complete", {}),
    ("POST", "withdrawals/wd_01aaaaaaaaaaaaaaaaaaaaaaaa/cancel", {}),
    ("POST", "bets", {"amount": "1.00", "ref_id": "iso", "round_id": "r"}),
    ("POST", "wins", {"amount": "1.00", "ref_id": "iso-w", "round_id": "r"}),
    ("POST", "rollbacks", {"ref_id": "iso"}),
    ("POST", "bonuses", {"amount": "1.00", "wagering_multiplier": 1}),
    ("POST", "winz", {"amount": "1", "action": "grant"}),
    ("GET", "wallet", None),
    ("GET", "transactions", None),
]


def test_other_tenant_and_other_mode_are_404_on_every_wallet_route(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    stranger = local_stack.tenant()
    p = _player(api, t.live_key)
    api.post(f"/v1/players/{p['user_id']}/deposits", t.live_key, {"amount": "5.00"})
    for key in (stranger.live_key, t.test_key):
        for ident in (p["user_id"], p["username"]):
            for method, tail, body in WALLET_ROUTES:
                r = api.call(method, f"/v1/players/{ident}/{tail}", key, json=body)
                assert r.status_code == 404, (method, tail, r.status_code, r.text)
                assert r.json()["error"]["code"] == "not_found"
    assert api.get(f"/v1/players/{p['user_id']}/wallet", t.live_key).json()["wallet"]["balances"]["real"] == "5.00"


def test_a_suspended_player_can_not_bet_but_is_paid(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    api.post(f"{base}/deposits", t.live_key, {"amount": "10.00"})
    assert api.post(f"{base}/bets", t.live_key, {"amount": "2.00", "ref_id": "s1", "round_id": "sr"}).status_code == 201
    r = api.patch(f"{base}/status", t.live_key, {"status": "suspended", "reason": "investigation"})
    assert r.status_code == 200, r.text
    r = api.post(f"{base}/bets", t.live_key, {"amount": "1.00", "ref_id": "s2", "round_id": "sr"})
    assert r.status_code == 403
    error = r.json()["error"]
    assert (error["code"], error["reason"], error["player_status"]) == ("player_blocked", "status", "suspended")
    assert api.post(f"{base}/deposits", t.live_key, {"amount": "1.00"}).status_code == 403
    win = api.post(
        f"{base}/wins", t.live_key, {"amount": "5.00", "ref_id": "s3", "round_id": "sr", "round_closed": True}
    )
    assert win.status_code == 201 and win.json()["wallet"]["balances"]["real"] == "13.00"


def test_inputs_that_once_gave_500_are_4xx(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant(("Sats", "BTC"))
    _no_kyc_needed(local_stack, t)
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    for expires_at in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        body = {"amount": "1.00", "wagering_multiplier": 1, "expires_at": expires_at}
        r = api.post(f"{base}/bonuses", t.live_key, body)
        assert r.status_code == 422, (expires_at, r.text)
    huge = {"amount": "10000000000000000000.00000001", "wagering_multiplier": 10}
    r = api.post(f"{base}/bonuses", t.live_key, huge)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_amount", r.text
    r = api.post(f"{base}/deposits", t.live_key, {"amount": "99999999999999999999.99999999"})
    assert r.status_code == 422, r.text
    assert api.post(f"{base}/deposits", t.live_key, {"amount": "9999999999.99999999"}).status_code == 201
    r = api.post(f"{base}/deposits", t.live_key, {"amount": "0.00000001"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "balance_limit", r.text
    for _ in range(20):
        r = api.post(f"{base}/bonuses", t.live_key, {"amount": "0.00000001", "wagering_multiplier": 5})
        assert r.status_code == 201, r.text
    r = api.post(f"{base}/bonuses", t.live_key, {"amount": "0.00000001", "wagering_multiplier": 5})
    assert r.status_code == 409 and (r.json()["error"]["code"], r.json()["error"]["reason"]) == (
        "conflict",
        "too_many_bonuses",
    ), r.text
    r = api.post(f"{base}/withdrawals", t.live_key, {"amount": "1.00000000"})
    assert r.status_code == 201 and len(r.json()["related_transactions"]) == 20, r.text


def test_a_multi_currency_wallet_over_http(api: Api, local_stack: Any) -> None:
    """Seed 003: "real - Cash equivalent (USD, EUR, BTC, USDC, ...)"; issue 11 #13: a brand lists its currencies
    (the first is the default), movements take an optional currency, each with its own exponent, and the
    wallet view lists every currency held. The back-office shows the default currency's balance."""
    import json

    t = local_stack.tenant(("Multi", "EUR"))
    # Set before the key's first request, so no warm authorizer holds the brand's older settings.
    done = local_stack.cli(
        "brand-settings", "--tenant", t.tenant_id, "--brand-id", str(t.brand_id), "--set", "currencies=EUR,BTC,USDC",
        "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert (shown["currency"], shown["currencies"]) == ("EUR", ["EUR", "BTC", "USDC"])
    p = _player(api, t.live_key)
    base = f"/v1/players/{p['user_id']}"
    assert api.post(f"{base}/deposits", t.live_key, {"amount": "20.00"}).status_code == 201
    r = api.post(f"{base}/deposits", t.live_key, {"amount": "0.015", "currency": "BTC"})
    assert r.status_code == 201, r.text
    assert (r.json()["transaction"]["amount"], r.json()["wallet"]["currency"]) == ("0.01500000", "BTC")
    r = api.post(f"{base}/deposits", t.live_key, {"amount": "1.0000001", "currency": "USDC"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_amount", r.text  # USDC has 6 places
    r = api.post(f"{base}/deposits", t.live_key, {"amount": "1.00", "currency": "GBP"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "currency_mismatch", r.text
    bet = {"amount": "0.005", "currency": "BTC", "ref_id": "mc-1", "round_id": "mc"}
    assert api.post(f"{base}/bets", t.live_key, bet).status_code == 201
    win = api.post(
        f"{base}/wins", t.live_key, {"amount": "0.01", "ref_id": "mc-w", "round_id": "mc", "round_closed": True}
    )
    assert win.status_code == 201 and win.json()["transaction"]["currency"] == "BTC", win.text
    wallet = api.get(f"{base}/wallet", t.live_key).json()["wallet"]
    assert (wallet["currency"], wallet["balances"]["real"]) == ("EUR", "20.00")
    assert [(c["currency"], c["real"], c["frozen"]) for c in wallet["currencies"]] == [
        ("EUR", "20.00", "0.00"),
        ("BTC", "0.02000000", "0.00000000"),
    ]
    btc = api.get(f"{base}/wallet?currency=BTC", t.live_key).json()["wallet"]
    assert (btc["currency"], btc["balances"]["real"], btc["open_rounds"]) == ("BTC", "0.02000000", [])
    assert api.get(f"{base}/wallet?currency=GBP", t.live_key).status_code == 422
    detail = api.get(f"/api/player/{p['player_id']}", t.live_key).json()
    assert (detail["currency"], detail["wallet_balance"], detail["wallet_frozen"]) == ("EUR", "20.00", "0.00")
    rows = api.get(f"/api/player/{p['player_id']}/transactions", t.live_key).json()["items"]
    assert [(x["currency"], x["amount"]) for x in rows] == [
        ("BTC", "0.01000000"),
        ("BTC", "0.00500000"),
        ("BTC", "0.01500000"),
        ("EUR", "20.00"),
    ]
