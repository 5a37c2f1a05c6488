"""Multi-currency wallets (issue 11 #13; seed 003: "real - Cash equivalent (USD, EUR, BTC, USDC, ...)"): one
purse per currency with its own exponent, frozen, rounds, bonuses, withdrawals, RG windows and limits; the
points rails stay single; single-currency wallets read and write exactly as before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from pitboss import keys, money, store, tenancy
from pitboss.backoffice import queries as backoffice
from pitboss.errors import Conflict, LimitExceeded, NotFound, Unprocessable
from pitboss.identity import load_player
from pitboss.wallet import queries, rules
from pitboss.wallet.entity import Stats, Wallet
from pitboss.wallet.output import movement_answer
from tests.wallet_support import Driver, as_json, assert_ledger_consistent

CURRENCIES = ["EUR", "USD", "BTC", "USDC"]


def _multi(**settings: Any) -> Driver:
    return Driver("EUR", currencies=CURRENCIES, **settings)


def _view(d: Driver, currency: str | None = None) -> dict[str, Any]:
    return as_json(queries.get_wallet)(d.who, d.user_id, currency)["wallet"]  # type: ignore[no-any-return]


def _held(view: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["currency"]: (c["real"], c["bonus"], c["frozen"]) for c in view["currencies"]}


def test_each_currency_has_its_own_exponent() -> None:
    """Issue 11 #13: "each currency uses its own exponent (BTC 8, USDC 6, KRW 0, ...)"."""
    assert [money.exponent(c) for c in ("BTC", "USDC", "USDT", "KRW", "EUR")] == [8, 6, 6, 0, 2]


def test_a_wallet_holds_real_money_per_currency(table: str) -> None:
    """Seed 003: "real - Cash equivalent (USD, EUR, BTC, USDC, ...)": movements take an optional currency
    (default the brand's), each quantised to its own exponent; the wallet view lists every currency held."""
    d = _multi()
    assert d.deposit("100.00").body["wallet"]["currency"] == "EUR"  # no currency: the brand's default
    btc = d.deposit("0.00000001", currency="BTC")
    assert btc.body["transaction"]["currency"] == "BTC" and btc.body["transaction"]["amount"] == "0.00000001"
    assert btc.body["wallet"]["currency"] == "BTC" and btc.body["wallet"]["balances"]["real"] == "0.00000001"
    usdc = d.deposit("2.5", currency="USDC")
    assert usdc.body["transaction"]["amount"] == "2.500000"
    with pytest.raises(Unprocessable) as err:
        d.deposit("0.0000001", currency="USDC")  # 7 places: more than USDC has
    assert err.value.code == "invalid_amount"
    view = _view(d)
    assert view["currency"] == "EUR" and view["balances"]["real"] == "100.00"
    assert _held(view) == {
        "EUR": ("100.00", "0.00", "0.00"),
        "BTC": ("0.00000001", "0.00000000", "0.00000000"),
        "USDC": ("2.500000", "0.000000", "0.000000"),
    }
    assert [c["currency"] for c in view["currencies"]] == ["EUR", "BTC", "USDC"]  # home first, then A-Z
    assert _view(d, "BTC")["balances"]["real"] == "0.00000001"
    # ledger entries carry their currency, and balance_before/after are that currency's real balance
    by_currency = {e["currency"]: e for e in d.entries()}
    assert by_currency["BTC"]["balance_currency"] == "BTC" and by_currency["BTC"]["balance_before"] == 0
    assert_ledger_consistent(d)


def test_a_currency_the_brand_does_not_offer_is_422(moto_table: str) -> None:
    d = _multi()
    for op, body in (
        ("deposit", {"amount": "1.00", "currency": "GBP"}),
        ("bet", {"amount": "1.00", "currency": "GBP", "ref_id": "g", "round_id": "r"}),
        ("bonus", {"amount": "1.00", "currency": "GBP", "wagering_multiplier": 1}),
        ("withdraw", {"amount": "1.00", "currency": "GBP"}),
    ):
        with pytest.raises(Unprocessable) as err:
            d.call(op, body)
        assert err.value.code == "currency_mismatch", op
    with pytest.raises(Unprocessable):
        queries.get_wallet(d.who, d.user_id, "GBP")
    assert d.stored_wallet() is None


def test_rounds_frozen_and_rollbacks_stay_in_their_currency(table: str) -> None:
    """Frozen and open rounds are per currency; a win or rollback follows its round's currency."""
    d = _multi()
    d.deposit("10.00")
    d.deposit("1.00000000", currency="BTC")
    d.bet("0.10000000", ref="b-btc", rnd="R1", currency="BTC")
    d.bet("2.00", ref="b-eur", rnd="R2")
    view = _view(d)
    assert _held(view)["BTC"] == ("0.90000000", "0.00000000", "0.10000000")
    assert (view["balances"]["real"], view["frozen"], [r["round_id"] for r in view["open_rounds"]]) == (
        "8.00", "2.00", ["R2"])  # fmt: skip
    assert [r["round_id"] for r in _view(d, "BTC")["open_rounds"]] == ["R1"]
    # a round is played in one currency: another bet on it in another currency is refused
    with pytest.raises(Unprocessable) as err:
        d.bet("1.00", rnd="R1")
    assert err.value.code == "currency_mismatch"
    # a win names no currency: it is the round's; a wrong one is refused
    with pytest.raises(Unprocessable):
        d.win("1.00", rnd="R1", currency="EUR")
    won = d.win("0.5", rnd="R1", round_closed=True)
    assert won.body["transaction"]["currency"] == "BTC" and won.body["wallet"]["currency"] == "BTC"
    closed = store.get(*rules_round_key(d, "R1"))
    assert closed is not None and closed["currency"] == "BTC"
    late = d.win("0.00000002", rnd="R1")  # a late win on the closed round: still BTC
    assert late.body["transaction"]["currency"] == "BTC"
    back = d.rollback("b-eur")  # the bet's currency, from its ref
    assert back.body["transaction"]["currency"] == "EUR" and back.body["wallet"]["balances"]["real"] == "10.00"
    assert _held(_view(d)) == {
        "EUR": ("10.00", "0.00", "0.00"),
        "BTC": ("1.40000002", "0.00000000", "0.00000000"),
    }
    assert_ledger_consistent(d)


def rules_round_key(d: Driver, round_id: str) -> tuple[str, str]:
    from pitboss.wallet import repository

    return repository.round_key(d.pk, "default", round_id)


def test_bonuses_and_withdrawals_are_per_currency(table: str) -> None:
    d = _multi()
    d.deposit("50.00")
    d.deposit("50.00", currency="USD")
    eur_bonus = d.call("bonus", {"amount": "5.00", "wagering_multiplier": 2})
    usd_bonus = d.call("bonus", {"amount": "7.00", "wagering_multiplier": 2, "currency": "USD"})
    assert eur_bonus.body["wallet"]["currency"] == "EUR" and len(eur_bonus.body["wallet"]["bonuses"]) == 1
    assert usd_bonus.body["wallet"]["bonuses"][0]["amount"] == "7.00"
    out = d.call("withdraw", {"amount": "20.00", "currency": "USD"})
    assert out.body["withdrawal"]["currency"] == "USD"
    assert [t["type"] for t in out.body["related_transactions"]] == ["bonus_forfeit"]  # the USD bonus only
    assert _held(out.body["wallet"])["USD"] == ("30.00", "0.00", "20.00")
    assert _held(out.body["wallet"])["EUR"] == ("50.00", "5.00", "0.00")
    settled = d.settle(out.body["withdrawal"]["id"], "complete")
    assert settled.body["transaction"]["currency"] == "USD" and settled.body["wallet"]["currency"] == "USD"
    assert _held(_view(d))["USD"] == ("30.00", "0.00", "0.00")
    with pytest.raises(Exception, match="insufficient"):
        d.call("withdraw", {"amount": "30.01", "currency": "USD"})
    assert_ledger_consistent(d)


def test_a_currency_the_brand_stops_offering_can_still_be_withdrawn(moto_table: str) -> None:
    """Funds must be returnable: a currency the wallet holds stays withdrawable (and visible), while no new
    money comes in in it."""
    d = _multi()
    d.deposit("5.00", currency="USD")
    tenancy.update_brand_settings(d.tenant.tenant_id, d.tenant.brand_id, {"currencies": ["EUR"]})
    d.who = tenancy.authenticate(f"Bearer {d.tenant.live_key}")
    with pytest.raises(Unprocessable):
        d.deposit("1.00", currency="USD")
    assert _view(d, "USD")["balances"]["real"] == "5.00"
    assert d.call("withdraw", {"amount": "5.00", "currency": "USD"}).status == 201
    assert_ledger_consistent(d)


# ---- RG: limits and windows per currency ---------------------------------------------------------------


def test_limits_are_per_currency_and_fail_closed_elsewhere(moto_table: str) -> None:
    """Issue 11 #13: "limits and RG windows are per currency". A limit set without a currency is the brand
    default currency's; in another currency the player has no limit of that kind set for, it is 0 (never
    escaped by switching currency) until one is set in that currency (`<name>@<CURRENCY>`)."""
    d = _multi()
    d.deposit("1.00", currency="BTC")  # no limits at all: any currency moves freely
    d.update_player(limits={"deposit_daily_limit": Decimal(100)})
    d.deposit("100.00")
    with pytest.raises(LimitExceeded) as err:
        d.deposit("0.01")
    assert err.value.details["limit"] == "deposit_daily_limit"
    with pytest.raises(LimitExceeded) as err:
        d.deposit("0.00000001", currency="BTC")
    assert (err.value.details["limit"], err.value.details["limit_value"]) == ("deposit_daily_limit", "0.00000000")
    d.update_player(limits={"deposit_daily_limit": Decimal(100), "deposit_daily_limit@BTC": Decimal(2)})
    d.deposit("1", currency="BTC")  # its own window: 2 BTC a day, the 100 EUR deposited do not count in BTC
    with pytest.raises(LimitExceeded) as err:
        d.deposit("0.00000001", currency="BTC")
    assert (err.value.details["limit_value"], err.value.details["used"]) == ("2.00000000", "2.00000000")
    stored = d.stored_wallet()
    assert stored is not None
    counters = Wallet.from_item(stored)
    assert sum(counters.purse("BTC").counters["deposit"].values()) == Decimal(6)  # day, week, month: 2 each
    assert sum(counters.purse("EUR").counters["deposit"].values()) == Decimal(300)


def test_limits_in_is_a_pure_rule() -> None:
    limits: dict[str, Any] = {"loss_daily_limit": Decimal(50), "wager_daily_limit@USD": Decimal(7)}
    assert rules.limits_in(limits, "EUR", "EUR") == {"loss_daily_limit": Decimal(50)}
    assert rules.limits_in(limits, "USD", "EUR") == {"loss_daily_limit": Decimal(0), "wager_daily_limit": Decimal(7)}
    assert rules.limits_in({}, "BTC", "EUR") == {}


def test_xp_accrues_only_from_default_currency_stakes(moto_table: str) -> None:
    """xp stays one points rail: its rate is per unit of the brand's default currency (no exchange rates)."""
    d = _multi(xp_per_unit="1")
    d.deposit("10.00")
    d.deposit("1", currency="BTC")
    d.bet("1", round_closed=True, rnd="x1", currency="BTC")
    assert _view(d)["balances"]["xp"] == "0.00"
    d.bet("2.00", round_closed=True, rnd="x2")
    assert _view(d)["balances"]["xp"] == "2.00"
    assert_ledger_consistent(d)


# ---- single-currency wallets, the gateway and the back-office ----------------------------------------


def test_a_single_currency_wallet_item_keeps_its_layout(moto_table: str) -> None:
    """Existing wallet items keep reading correctly: a single-currency wallet is stored exactly as before
    (no `purses`), and its top level is its currency's purse, which the gateway reads."""
    d = Driver()
    d.deposit("10.00")
    d.bet("1.00", rnd="R")
    stored = d.stored_wallet()
    assert stored is not None and "purses" not in stored
    # + `engagement` (issue 13): lifetime xp, VIP level and the first real movement, beside the purse;
    # + `chain_head` (issue 14 §5): the head of the ledger's hash chain.
    assert set(stored) == {"pk", "sk", "kind", "user_id", "currency", "balances", "frozen", "seq", "counters",
                           "xp_day", "bonuses", "rounds", "stats", "created_at", "updated_at",
                           "engagement", "chain_head"}  # fmt: skip
    assert set(stored["balances"]) == {"real", "bonus", "winz", "xp"}
    wallet = Wallet.from_item(stored)
    assert (wallet.real, wallet.frozen, list(wallet.rounds)) == (Decimal("9.00"), Decimal("1.00"), ["default#R"])


def test_readers_of_one_currency_read_the_home_purse_and_any_other_by_name(moto_table: str) -> None:
    d = _multi()
    d.deposit("3.00")
    d.deposit("0.25", currency="BTC")
    d.bet("0.05", rnd="R", currency="BTC")
    stored = d.stored_wallet()
    assert stored is not None and set(stored["purses"]) == {"BTC"}
    wallet = Wallet.from_item(stored)
    assert (wallet.currency, wallet.real, wallet.frozen) == ("EUR", Decimal("3.00"), Decimal(0))
    assert (wallet.purse("BTC").real, wallet.purse("BTC").frozen) == (Decimal("0.20"), Decimal("0.05"))
    assert wallet.purse("USD").real == 0 and "USD" not in wallet.purses  # reading does not add a purse
    assert Stats.of(stored).deposits == Decimal("3.00") and Stats.of(stored, "EUR").deposit_count == 1
    assert (Stats.of(stored, "BTC").stakes, Stats.of(stored, "USD").deposit_count) == (Decimal("0.05"), 0)
    assert Wallet.from_item(Wallet.from_item(stored).to_item() | {"pk": "x"}).purse("BTC").frozen == Decimal("0.05")


def test_back_office_shows_the_default_currency_and_every_entry_s_currency(moto_table: str) -> None:
    """Seed 001's `wallet_balance`/`wallet_frozen` are in `currency`, the brand's default."""
    d = _multi()
    pid = load_player(d.who, d.user_id, None).player_id
    d.deposit("0.5", currency="BTC")
    detail = as_json(backoffice.get_player)(d.who, pid)
    assert (detail["currency"], detail["wallet_balance"], detail["wallet_frozen"]) == ("EUR", "0.00", "0.00")
    d.deposit("12.00")
    d.bet("2.00", rnd="R")
    detail = as_json(backoffice.get_player)(d.who, pid)
    assert (detail["wallet_balance"], detail["wallet_frozen"]) == ("10.00", "2.00")
    rows = as_json(backoffice.player_transactions)(d.who, pid, 1, 20)["items"]
    assert [(r["currency"], r["amount"]) for r in rows] == [("EUR", "2.00"), ("EUR", "12.00"), ("BTC", "0.50000000")]
    assert rows[2]["balance_after"] == "0.50000000"


def test_answers_stored_before_currencies_were_listed_still_replay(moto_table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    bet = d.call("bet", {"amount": "1.00", "ref_id": "old-c", "round_id": "R"}, "old-c")
    older = {**bet.body, "wallet": {k: v for k, v in bet.body["wallet"].items() if k != "currencies"}}
    record = store.get(keys.idempotency_pk(d.who.realm, "old-c"), "IDEM")
    assert record is not None
    store.put({**record, "response": __import__("json").dumps(older)})
    replay = d.call("bet", {"amount": "1.00", "ref_id": "old-c", "round_id": "R"}, "old-c")
    listed = movement_answer(replay).wallet.currencies
    assert [(c.currency, c.real, c.frozen) for c in listed] == [("USD", "9.00", "1.00")]


def test_home_currency_refs_keep_their_fingerprint(moto_table: str) -> None:
    """A ref recorded before wallets held several currencies (all in the home currency) is still "the same
    request" when its provider retries it: the currency is fingerprinted only when it is not the home one."""
    body = {"amount": "1.00", "round_id": "R"}
    before = __import__("pitboss.idempotency", fromlist=["fingerprint"]).fingerprint("POST", "bet:u1", body)
    assert rules.ref_fingerprint("bet", "u1", body, "EUR", "EUR") == before
    assert rules.ref_fingerprint("bet", "u1", body, "BTC", "EUR") != before
    d = _multi()
    d.deposit("5.00")
    d.bet("1.00", ref="same-ref", rnd="R")
    assert d.bet("1.00", ref="same-ref", rnd="R", currency="EUR").deduped  # naming the default: same request
    with pytest.raises(Conflict) as err:
        d.bet("1.00", ref="same-ref", rnd="R", currency="USD")
    assert err.value.code == "duplicate_ref"


# ---- brands ------------------------------------------------------------------------------------------


def test_a_brand_lists_its_currencies_default_first(moto_table: str) -> None:
    d = Driver("EUR")
    brand = d.who.brands[d.tenant.brand_id]
    assert (brand.currency, brand.currencies) == ("EUR", ["EUR"])
    changed = tenancy.update_brand_settings(d.tenant.tenant_id, d.tenant.brand_id, {"currencies": "usd, EUR,BTC"})
    assert (changed.currency, changed.currencies) == ("USD", ["USD", "EUR", "BTC"])
    (stored,) = tenancy.tenant_brands(d.tenant.tenant_id)
    assert (stored.currency, stored.currencies) == ("USD", ["USD", "EUR", "BTC"])
    for bad in (["EUR", "EUR"], ["XXX"], "EUR,NOPE"):
        with pytest.raises(ValidationError):
            tenancy.update_brand_settings(d.tenant.tenant_id, d.tenant.brand_id, {"currencies": bad})
    with pytest.raises(NotFound):
        tenancy.update_brand_settings(d.tenant.tenant_id, 999_999_999, {"currencies": ["EUR"]})
