"""The wallet ledger in process: exact money, idempotency on keys and refs, rounds, rollbacks and
tombstones, bonuses, withdrawals, RG gates and limits, round trips, and the conflict retry path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from botocore.stub import Stubber

from pitboss import clock, idempotency, keys, store
from pitboss.errors import (
    Conflict,
    IdempotencyConflict,
    InsufficientFunds,
    LimitExceeded,
    NotFound,
    PlayerBlocked,
    Unprocessable,
)
from pitboss.identity.gates import STATUS_GATES
from pitboss.wallet import movement, payments, queries, rules
from pitboss.wallet.models import DepositIn
from tests.support import at
from tests.wallet_support import Driver, as_json, assert_ledger_consistent

list_transactions = as_json(queries.list_transactions)


# ---- exact money -------------------------------------------------------------------------------


def test_thirty_bets_of_one_cent_leave_exactly_99_70(table: str) -> None:
    d = Driver()
    d.deposit("100.00")
    for i in range(30):
        d.bet("0.01", rnd=f"r{i}", round_closed=True)
    wallet = d.wallet()
    assert wallet["balances"]["real"] == "99.70" and wallet["frozen"] == "0.00"
    stored = d.stored_wallet()
    assert stored is not None
    assert stored["balances"]["real"] == Decimal("99.70")  # exact, not 99.69999999...
    assert_ledger_consistent(d)


@pytest.mark.parametrize(
    ("currency", "good", "bad"),
    [("KRW", "45200", "45200.5"), ("USD", "0.01", "0.001"), ("BTC", "0.00000001", "0.000000001")],
)
def test_amounts_are_quantised_per_currency(moto_table: str, currency: str, good: str, bad: str) -> None:
    d = Driver(currency)
    out = d.deposit(good)
    assert out.body["transaction"]["amount"] == good
    with pytest.raises(Unprocessable) as err:
        d.deposit(bad)
    assert err.value.code == "invalid_amount"


@pytest.mark.parametrize("amount", ["0", "-1", "NaN", "Infinity", "1e400", "abc", "", Decimal("-0.5"), 0])
def test_bad_amounts_are_422_and_write_nothing(moto_table: str, amount: Any) -> None:
    d = Driver()
    with pytest.raises(Unprocessable):
        d.deposit(amount)
    assert d.stored_wallet() is None


def test_numbers_and_strings_are_the_same_amount(moto_table: str) -> None:
    d = Driver()
    d.deposit(Decimal("0.1"))  # type: ignore[arg-type]
    d.deposit("0.2")
    assert d.wallet()["balances"]["real"] == "0.30"


def test_currency_must_match_the_wallet(moto_table: str) -> None:
    d = Driver("EUR")
    with pytest.raises(Unprocessable) as err:
        d.deposit("10.00", currency="USD")
    assert err.value.code == "currency_mismatch"
    assert d.deposit("10.00", currency="EUR").body["wallet"]["currency"] == "EUR"


# ---- idempotency: keys and provider refs -------------------------------------------------------


def test_replays_and_duplicate_refs_move_money_once(table: str) -> None:
    d = Driver()
    first = d.call("deposit", {"amount": "50.00", "psp_ref": "psp-1"}, "dep-1")
    again = d.call("deposit", {"amount": "50.00", "psp_ref": "psp-1"}, "dep-1")
    assert (first.status, again.status, again.deduped) == (201, 200, True)
    assert again.body == first.body
    with pytest.raises(IdempotencyConflict):
        d.call("deposit", {"amount": "60.00", "psp_ref": "psp-1"}, "dep-1")
    # the PSP retries with a new idempotency key but the same psp_ref
    same_ref = d.call("deposit", {"amount": "50.00", "psp_ref": "psp-1"}, "dep-2")
    assert same_ref.deduped and same_ref.body["transaction"]["id"] == first.body["transaction"]["id"]
    with pytest.raises(Conflict) as err:
        d.call("deposit", {"amount": "51.00", "psp_ref": "psp-1"}, "dep-3")
    assert err.value.code == "duplicate_ref"

    bet = d.bet("5.00", ref="bet-1", rnd="r1")
    dup = d.bet("5.00", ref="bet-1", rnd="r1")
    assert dup.deduped and dup.body["transaction"]["seq"] == bet.body["transaction"]["seq"]
    with pytest.raises(Conflict) as err:
        d.bet("6.00", ref="bet-1", rnd="r1")
    assert err.value.code == "duplicate_ref"
    win = d.win("7.00", ref="win-1", rnd="r1")
    assert d.win("7.00", ref="win-1", rnd="r1").body == win.body
    assert d.wallet()["balances"]["real"] == "52.00"
    assert len(d.entries()) == 3
    assert_ledger_consistent(d)


def test_a_ref_is_never_reused_across_players(moto_table: str) -> None:
    d = Driver()
    other = d.new_player()
    d.deposit("10.00")
    d.call("deposit", {"amount": "10.00"}, user=other)
    d.bet("1.00", ref="shared")
    with pytest.raises(Conflict):
        d.call("bet", {"amount": "1.00", "ref_id": "shared", "round_id": "r1"}, user=other)
    # another provider's namespace is separate
    d.call("bet", {"amount": "1.00", "ref_id": "shared", "round_id": "r1", "provider": "evo"}, user=other)


# ---- rounds, wins, rollbacks -------------------------------------------------------------------


def test_open_round_stakes_are_frozen_until_the_round_closes(table: str) -> None:
    d = Driver()
    d.deposit("100.00")
    d.bet("10.00", rnd="r1")
    d.bet("5.00", rnd="r1")
    w = d.wallet()
    assert (w["balances"]["real"], w["frozen"]) == ("85.00", "15.00")
    (r1,) = w["open_rounds"]
    assert (r1["provider"], r1["round_id"], r1["stake"], r1["frozen"], r1["bets"]) == ("default", "r1", "15.00",
                                                                                       "15.00", 2)  # fmt: skip
    d.win("25.00", rnd="r1", round_closed=True)
    w = d.wallet()
    assert (w["balances"]["real"], w["frozen"], w["open_rounds"]) == ("110.00", "0.00", [])
    # a late win on the settled round is still paid (a round must not strand)
    d.win("1.00", rnd="r1")
    assert d.wallet()["balances"]["real"] == "111.00"
    with pytest.raises(Conflict) as err:
        d.bet("1.00", rnd="r1")
    assert err.value.code == "round_closed"
    assert_ledger_consistent(d)


def test_a_win_for_an_unknown_round_is_404(moto_table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    with pytest.raises(NotFound) as err:
        d.win("5.00", rnd="never")
    assert err.value.code == "round_not_found"
    assert d.wallet()["balances"]["real"] == "10.00"
    d.bet("1.00", rnd="lost")
    closed = d.win("0", rnd="lost", round_closed=True)  # a zero win closes a lost round
    assert closed.body["wallet"]["frozen"] == "0.00"


def test_rollback_reverses_once_and_a_closed_round_is_409(table: str) -> None:
    d = Driver()
    d.deposit("20.00")
    d.bet("4.00", ref="b1", rnd="r1")
    first = d.rollback("b1")
    assert first.status == 201 and first.body["transaction"]["type"] == "rollback"
    again = d.rollback("b1")
    assert again.deduped and again.body == first.body
    w = d.wallet()
    assert (w["balances"]["real"], w["frozen"], w["balances"]["xp"]) == ("20.00", "0.00", "0.00")
    d.bet("3.00", ref="b2", rnd="r2", round_closed=True)
    with pytest.raises(Conflict) as err:
        d.rollback("b2")
    assert err.value.code == "round_closed"
    with pytest.raises(Conflict) as err:
        d.rollback(d.win("1.00", rnd="r2", ref="w9").body["transaction"]["ref_id"])
    assert err.value.code == "not_a_bet"
    assert [e["type"] for e in d.entries()] == ["deposit", "debit", "rollback", "debit", "credit"]
    assert_ledger_consistent(d)


def test_rollback_before_bet_tombstones_the_ref(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    with pytest.raises(NotFound) as err:
        d.rollback("late-bet")
    assert err.value.code == "ref_not_found"
    with pytest.raises(NotFound):
        d.rollback("late-bet")  # still unknown; the tombstone is not a bet
    with pytest.raises(Conflict) as conflict:
        d.bet("1.00", ref="late-bet")
    assert conflict.value.code == "ref_rolled_back"
    tomb = store.get(keys.ref_pk(d.who.realm, "default", "late-bet"), "REF")
    assert tomb is not None and tomb["kind"] == "tombstone" and "ttl" not in tomb
    assert d.wallet()["balances"]["real"] == "10.00"
    assert_ledger_consistent(d)


def test_rollback_of_another_players_bet_is_404(moto_table: str) -> None:
    d = Driver()
    other = d.new_player()
    d.deposit("10.00")
    d.bet("1.00", ref="mine")
    with pytest.raises(NotFound):
        d.call("rollback", {"ref_id": "mine"}, user=other)


# ---- spend order, bonuses, xp, winz ------------------------------------------------------------


def test_real_is_spent_before_bonus_and_wagering_converts_in_one_entry(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    granted = d.call("bonus", {"amount": "20.00", "wagering_multiplier": 2})
    bonus_id = granted.body["wallet"]["bonuses"][0]["id"]
    assert granted.body["wallet"]["bonuses"][0]["wagering_required"] == "40.00"
    d.bet("15.00", rnd="r1", round_closed=True)  # 10 real + 5 bonus
    w = d.wallet()
    assert (w["balances"]["real"], w["balances"]["bonus"]) == ("0.00", "15.00")
    d.win("30.00", rnd="r1")
    done = d.bet("25.00", rnd="r2", round_closed=True)  # real again: wagering reaches 40
    assert [t["type"] for t in done.body["related_transactions"]] == ["bonus_convert"]
    w = d.wallet()
    assert (w["balances"]["real"], w["balances"]["bonus"]) == ("20.00", "0.00")
    assert [(b["id"], b["status"]) for b in w["bonuses"]] == [(bonus_id, "converted")]
    assert_ledger_consistent(d)


def test_bonus_first_spend_order(moto_table: str) -> None:
    d = Driver(spend_order="bonus_first")
    d.deposit("10.00")
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 10})
    d.bet("6.00", round_closed=True)
    w = d.wallet()
    assert (w["balances"]["real"], w["balances"]["bonus"]) == ("9.00", "0.00")
    assert_ledger_consistent(d)


def test_wagering_multiplier_is_capped_at_10(moto_table: str) -> None:
    d = Driver()
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        d.call("bonus", {"amount": "5.00", "wagering_multiplier": 11})


def test_expired_bonus_is_forfeited_in_one_entry(table: str) -> None:
    d = Driver()
    at("2026-01-10T12:00:00")
    d.deposit("10.00")
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 3, "expires_at": "2026-01-11T00:00:00Z"})
    at("2026-01-12T00:00:00")
    w = d.wallet()
    assert w["balances"]["bonus"] == "0.00" and w["bonuses"][0]["status"] == "expired"
    out = d.deposit("1.00")
    assert [t["type"] for t in out.body["related_transactions"]] == ["bonus_forfeit"]
    assert d.wallet()["bonuses"][0]["status"] == "forfeited"
    assert_ledger_consistent(d)


def test_xp_accrues_from_real_stakes_capped_per_day(moto_table: str) -> None:
    d = Driver(xp_per_unit="2", xp_daily_cap="30")
    at("2026-03-01T10:00:00")
    d.deposit("100.00")
    d.call("bonus", {"amount": "50.00", "wagering_multiplier": 10})
    d.bet("10.00", round_closed=True, rnd="a")  # 20 xp
    d.bet("10.00", round_closed=True, rnd="b")  # capped: +10
    assert d.wallet()["balances"]["xp"] == "30.00"
    at("2026-03-02T10:00:00")
    d.bet("1.00", round_closed=True, rnd="c")
    assert d.wallet()["balances"]["xp"] == "32.00"
    d2 = Driver(xp_per_unit="1")
    d2.call("bonus", {"amount": "50.00", "wagering_multiplier": 10})
    d2.bet("10.00", round_closed=True)  # bonus money only: no xp
    assert d2.wallet()["balances"]["xp"] == "0.00"
    assert_ledger_consistent(d)


def test_winz_grant_and_redeem(moto_table: str) -> None:
    d = Driver()
    d.call("winz", {"amount": "50", "action": "grant"})
    d.call("winz", {"amount": "20.5", "action": "redeem"})
    assert d.wallet()["balances"]["winz"] == "29.50"
    with pytest.raises(InsufficientFunds):
        d.call("winz", {"amount": "30", "action": "redeem"})
    assert_ledger_consistent(d)


# ---- withdrawals -------------------------------------------------------------------------------


def test_withdrawal_freezes_forfeits_bonuses_and_settles_once(table: str) -> None:
    d = Driver()
    d.deposit("100.00")
    d.call("bonus", {"amount": "10.00", "wagering_multiplier": 5})
    with pytest.raises(InsufficientFunds):
        d.call("withdraw", {"amount": "100.01"})
    out = d.call("withdraw", {"amount": "40.00"})
    assert out.status == 201 and out.body["withdrawal"]["status"] == "pending"
    assert [t["type"] for t in out.body["related_transactions"]] == ["bonus_forfeit"]
    w = out.body["wallet"]
    assert (w["balances"]["real"], w["frozen"], w["balances"]["bonus"]) == ("60.00", "40.00", "0.00")
    wd = out.body["withdrawal"]["id"]
    done = d.settle(wd, "complete")
    assert done.status == 200 and done.body["withdrawal"]["status"] == "completed"
    assert d.settle(wd, "complete").deduped
    with pytest.raises(Conflict):
        d.settle(wd, "cancel")
    second = d.call("withdraw", {"amount": "10.00"}).body["withdrawal"]["id"]
    d.settle(second, "cancel")
    w = d.wallet()
    assert (w["balances"]["real"], w["frozen"]) == ("60.00", "0.00")
    with pytest.raises(NotFound):
        d.settle("wd_01aaaaaaaaaaaaaaaaaaaaaaaa", "complete")
    assert_ledger_consistent(d)


# ---- RG: gates and limits ----------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(STATUS_GATES))
def test_status_gates_on_money(moto_table: str, status: str) -> None:
    d = Driver()
    d.deposit("50.00")
    d.bet("5.00", ref="open-bet", rnd="r1")
    d.update_player(status=status)
    blocked = STATUS_GATES[status]  # type: ignore[index]
    calls: list[tuple[str, Callable[[], object]]] = [
        ("deposit", lambda: d.deposit("1.00")),
        ("bet", lambda: d.bet("1.00", rnd="r1")),
        ("withdrawal", lambda: d.call("withdraw", {"amount": "1.00"})),
        ("bonus", lambda: d.call("bonus", {"amount": "1.00", "wagering_multiplier": 1})),
    ]
    for action, call in calls:
        if action in blocked:
            with pytest.raises(PlayerBlocked) as err:
                call()
            assert err.value.details["reason"] == "status"
            assert err.value.details["player_status"] == status
        else:
            call()
    # wins and rollbacks are never refused: the round must not strand
    d.win("2.00", rnd="r1")
    d.rollback("open-bet")
    assert_ledger_consistent(d)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"cooloff_until": "2999-01-01T00:00:00.000000Z"}, "cooloff"),
        ({"self_exclusion_permanent": True}, "self_exclusion"),
        ({"date_of_birth": datetime(2020, 1, 1).date()}, "age_gate"),
    ],
)
def test_rg_blocks_deposits_and_bets_but_not_wins(moto_table: str, changes: dict[str, Any], reason: str) -> None:
    d = Driver()
    d.deposit("50.00")
    d.bet("5.00", ref="ob", rnd="r1")
    d.update_player(**changes)
    gated: list[Callable[[], object]] = [lambda: d.deposit("1.00"), lambda: d.bet("1.00", rnd="r1")]
    for call in gated:
        with pytest.raises(PlayerBlocked) as err:
            call()
        assert err.value.details["reason"] == reason
    d.win("1.00", rnd="r1", round_closed=True)
    assert d.wallet()["balances"]["real"] == "46.00"


def test_deposit_limits_use_day_week_month_windows_in_the_brand_zone(moto_table: str) -> None:
    d = Driver(timezone="Asia/Seoul")
    d.update_player(limits={"deposit_daily_limit": Decimal(100), "deposit_weekly_limit": Decimal(150)})
    at("2026-06-01T10:00:00")  # Monday 19:00 in Seoul
    d.deposit("60.00")
    with pytest.raises(LimitExceeded) as err:
        d.deposit("50.00")
    assert err.value.details["limit"] == "deposit_daily_limit" and err.value.details["remaining"] == "40.00"
    at("2026-06-01T15:30:00")  # Tuesday 00:30 in Seoul: a new day, same ISO week
    d.deposit("80.00")
    with pytest.raises(LimitExceeded) as err:
        d.deposit("20.00")
    assert err.value.details["limit"] == "deposit_weekly_limit"
    at("2026-06-08T00:00:00")  # next ISO week
    d.deposit("100.00")
    assert d.wallet()["balances"]["real"] == "240.00"


def test_loss_limit_refuses_the_bet_that_would_exceed_it(moto_table: str) -> None:
    d = Driver()
    d.deposit("500.00")
    d.update_player(limits={"loss_daily_limit": Decimal(50), "wager_daily_limit": Decimal(120)})
    d.bet("40.00", rnd="r1")
    d.win("30.00", rnd="r1", round_closed=True)  # net loss 10
    d.bet("40.00", rnd="r2", round_closed=True)  # net loss 50: allowed
    with pytest.raises(LimitExceeded) as err:
        d.bet("0.01", rnd="r3")
    assert err.value.details["limit"] == "loss_daily_limit"
    d.win("40.00", rnd="r2")  # a late win lowers the net loss
    d.bet("30.00", rnd="r4", round_closed=True)  # wagered 110
    with pytest.raises(LimitExceeded) as err:
        d.bet("10.01", rnd="r5")
    assert err.value.details["limit"] == "wager_daily_limit"
    # a rollback gives the wager and loss back
    d.bet("10.00", ref="rb", rnd="r6")
    d.rollback("rb")
    d.bet("10.00", rnd="r7", round_closed=True)
    assert_ledger_consistent(d)


# ---- round trips, retries ----------------------------------------------------------------------


def test_round_trips_per_movement_replay_and_read(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    store.round_trips.count = 0
    d.call("bet", {"amount": "1.00", "ref_id": "rt-1", "round_id": "r1"}, "rt-key")
    assert store.round_trips.count == 2
    store.round_trips.count = 0
    assert d.call("bet", {"amount": "1.00", "ref_id": "rt-1", "round_id": "r1"}, "rt-key").deduped
    assert store.round_trips.count == 1
    store.round_trips.count = 0
    assert d.call("bet", {"amount": "1.00", "ref_id": "rt-1", "round_id": "r1"}, "other-key").deduped
    assert store.round_trips.count == 1  # a provider retry with a new key: the ref answers, still 1
    store.round_trips.count = 0
    d.wallet()
    assert store.round_trips.count == 1
    store.round_trips.count = 0
    d.deposit("1.00")
    d.win("1.00", rnd="r1", round_closed=True)
    assert store.round_trips.count == 4


def test_a_lost_seq_race_re_reads_and_applies_both(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = Driver()
    d.deposit("10.00")
    real_batch_get = store.batch_get
    fired: list[bool] = []

    def racing(wanted: Any, **kwargs: Any) -> Any:
        items = real_batch_get(wanted, **kwargs)
        if not fired:
            fired.append(True)
            d.deposit("5.00")  # lands between this read and its write
        return items

    monkeypatch.setattr(store, "batch_get", racing)
    d.deposit("1.00")
    monkeypatch.undo()
    assert d.wallet()["balances"]["real"] == "16.00"
    assert len(d.entries()) == 3
    assert_ledger_consistent(d)


def test_transaction_conflict_is_retried(moto_table: str) -> None:
    """Neither moto nor DynamoDB Local raises TransactionConflict: stub it once, then let the write through."""
    d = Driver()
    d.deposit("10.00")
    pk = d.pk
    items = store.batch_get([(pk, keys.PROFILE), (pk, keys.WALLET)])
    raw = [store.serialize(i) for i in items.values()]
    client = store.client()
    stub = Stubber(client)
    read = {"Responses": {store.table_name(): raw}, "UnprocessedKeys": {}}
    stub.add_response("batch_get_item", read)
    stub.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="Transaction cancelled, please refer cancellation reasons for specific reasons",
        http_status_code=400,
        modeled_fields={"CancellationReasons": [{"Code": "TransactionConflict"}] + [{"Code": "None"}] * 3},
    )
    stub.add_response("batch_get_item", read)
    stub.add_response("transact_write_items", {})
    with stub:
        out = d.call("deposit", {"amount": "1.00"}, "stubbed")
        stub.assert_no_pending_responses()
    assert out.status == 201 and out.body["wallet"]["balances"]["real"] == "11.00"


def test_retries_are_bounded(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pitboss.errors import ConcurrentUpdate, TransactionCancelled

    d = Driver()
    d.deposit("10.00")

    from pitboss import retry

    tries: list[int] = []
    pauses: list[int] = []

    def always_conflict(ops: Any) -> None:
        tries.append(len(ops))
        raise TransactionCancelled(["TransactionConflict"] * len(ops))

    monkeypatch.setattr(store, "transact", always_conflict)
    monkeypatch.setattr(retry, "pause", pauses.append)
    with pytest.raises(ConcurrentUpdate):
        d.deposit("1.00")
    # The one retry policy: a bounded number of attempts, with a (jittered) pause before each retry.
    assert len(tries) == movement.ATTEMPTS
    assert pauses == list(range(movement.ATTEMPTS - 1))


def test_isolation_other_tenant_and_mode_are_404(moto_table: str) -> None:
    import pitboss.tenancy as tenancy
    from tests.support import make_tenant

    d = Driver()
    d.deposit("10.00")
    d.bet("1.00", ref="iso", rnd="r1")
    stranger = tenancy.authenticate(f"Bearer {make_tenant().live_key}")
    test_mode = tenancy.authenticate(f"Bearer {d.tenant.test_key}")
    for who in (stranger, test_mode):
        with pytest.raises(NotFound):
            queries.get_wallet(who, d.user_id)
        with pytest.raises(NotFound):
            queries.list_transactions(who, d.user_id, 10, None)
        idem = idempotency.begin(who.realm, None, "POST", "x", {})
        with pytest.raises(NotFound):
            payments.deposit(who, d.user_id, DepositIn(amount="1.00"), idem)
    assert d.wallet()["balances"]["real"] == "9.00"


def test_transactions_page_newest_first_with_cursor(moto_table: str) -> None:
    d = Driver()
    for i in range(5):
        d.deposit(f"{i + 1}.00")
    page = list_transactions(d.who, d.user_id, 2, None)
    assert page["total"] == 5 and [t["seq"] for t in page["transactions"]] == [5, 4]
    page2 = list_transactions(d.who, d.user_id, 2, int(page["next_cursor"]))
    assert [t["seq"] for t in page2["transactions"]] == [3, 2]
    page3 = list_transactions(d.who, d.user_id, 2, int(page2["next_cursor"]))
    assert [t["seq"] for t in page3["transactions"]] == [1] and page3["next_cursor"] is None


def test_entries_have_no_ttl_and_idempotency_records_last_120_days(moto_table: str) -> None:
    d = Driver()
    at("2026-01-01T00:00:00")
    d.call("deposit", {"amount": "1.00"}, "keep")
    assert all("ttl" not in e for e in d.entries())
    record = store.get(keys.idempotency_pk(d.who.realm, "keep"), "IDEM")
    assert record is not None
    assert int(record["ttl"]) - int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) == int(
        timedelta(days=120).total_seconds()
    )


# ---- review findings ---------------------------------------------------------------------------


def _race_profile(monkeypatch: pytest.MonkeyPatch, d: Driver, **changes: Any) -> None:
    """Saves a profile change (version bumped) between the movement's read and its commit, once."""
    real = store.transact
    done = {"raced": False}

    def racing(ops: list[store.Op]) -> None:
        if not done["raced"]:
            done["raced"] = True
            item = store.get(d.pk, keys.PROFILE)
            assert item is not None
            store.put({**item, **changes, "version": int(item.get("version", 0)) + 1})
        real(ops)

    monkeypatch.setattr(store, "transact", racing)


@pytest.mark.parametrize(
    ("op", "changes"),
    [
        ("bet", {"status": "self_excluded"}),
        ("deposit", {"status": "suspended"}),
        ("withdraw", {"status": "aml_hold"}),
        ("bonus", {"status": "suspended"}),
    ],
)
def test_a_profile_change_between_read_and_commit_is_seen(
    table: str, monkeypatch: pytest.MonkeyPatch, op: str, changes: dict[str, Any]
) -> None:
    d = Driver()
    d.deposit("10.00")
    _race_profile(monkeypatch, d, **changes)
    bodies = {
        "bet": {"amount": "5.00", "ref_id": "race1", "round_id": "RR", "round_closed": True},
        "deposit": {"amount": "5.00"},
        "withdraw": {"amount": "5.00"},
        "bonus": {"amount": "5.00", "wagering_multiplier": "1"},
    }
    with pytest.raises(PlayerBlocked):
        d.call(op, bodies[op])
    assert d.wallet()["balances"]["real"] == "10.00"
    assert_ledger_consistent(d)


def test_wins_are_not_refused_by_a_profile_change_in_flight(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = Driver()
    d.deposit("10.00")
    d.bet("5.00", rnd="R")
    _race_profile(monkeypatch, d, status="self_excluded")
    assert d.win("7.00", rnd="R", round_closed=True).status == 201
    assert d.wallet()["balances"]["real"] == "12.00"


def test_rollback_takes_back_its_wagering_contribution(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    d.call("bonus", {"amount": "10.00", "wagering_multiplier": "2"})
    d.bet("5.00", ref="bw1", rnd="rr")
    assert d.wallet()["bonuses"][0]["wagered"] == "5.00"
    d.rollback("bw1")
    assert d.wallet()["bonuses"][0]["wagered"] == "0.00"
    assert_ledger_consistent(d)


def test_rollback_of_a_bet_that_converted_a_bonus_is_409(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    d.call("bonus", {"amount": "10.00", "wagering_multiplier": "1"})
    d.bet("10.00", ref="bx1", rnd="rr1")
    with pytest.raises(Conflict) as exc:
        d.rollback("bx1")
    assert exc.value.code == "bonus_converted"
    w = d.wallet()
    assert w["balances"]["real"] == "10.00" and w["frozen"] == "10.00"
    # The round still settles normally.
    assert d.win("0", rnd="rr1", round_closed=True).status == 201
    assert d.wallet()["balances"]["real"] == "10.00"
    assert_ledger_consistent(d)


def test_a_win_on_a_round_whose_bets_were_all_rolled_back_is_404(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    d.bet("5.00", ref="b1", rnd="R")
    d.rollback("b1")
    assert "default#R" not in (d.stored_wallet() or {})["rounds"]
    with pytest.raises(NotFound):
        d.win("100.00", rnd="R", round_closed=True)
    assert d.wallet()["balances"]["real"] == "10.00"
    # The round can be opened again by a new bet; a partial rollback keeps the round.
    d.bet("2.00", ref="b2", rnd="R")
    d.bet("3.00", ref="b3", rnd="R")
    d.rollback("b2")
    assert d.win("1.00", rnd="R", round_closed=True).status == 201
    assert d.wallet()["balances"]["real"] == "8.00"
    assert_ledger_consistent(d)


def test_active_bonuses_are_capped_so_no_transaction_exceeds_100_items(table: str) -> None:
    d = Driver()
    d.deposit("100.00")
    for _ in range(rules.MAX_ACTIVE_BONUSES):
        d.call("bonus", {"amount": "0.01", "wagering_multiplier": "5"})
    with pytest.raises(Conflict) as exc:
        d.call("bonus", {"amount": "0.01", "wagering_multiplier": "5"})
    assert exc.value.code == "too_many_bonuses"
    out = d.call("withdraw", {"amount": "1.00"})
    assert out.status == 201 and len(out.body["related_transactions"]) == rules.MAX_ACTIVE_BONUSES
    assert_ledger_consistent(d)


def test_an_oversized_transaction_is_a_4xx_not_a_500(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = Driver()
    d.deposit("100.00")
    monkeypatch.setattr(movement, "MAX_TRANSACT_ITEMS", 3)
    with pytest.raises(Conflict) as exc:
        d.deposit("1.00")
    assert exc.value.code == "movement_too_large"
    assert d.wallet()["balances"]["real"] == "100.00"


def test_completing_a_withdrawal_is_gated_but_cancelling_is_not(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    wd1 = d.call("withdraw", {"amount": "3.00"}).body["withdrawal"]["id"]
    wd2 = d.call("withdraw", {"amount": "2.00"}).body["withdrawal"]["id"]
    d.update_player(status="fraud_hold")
    with pytest.raises(PlayerBlocked):
        d.settle(wd1, "complete")
    assert d.settle(wd2, "cancel").status == 200
    w = d.wallet()
    assert w["balances"]["real"] == "7.00" and w["frozen"] == "3.00"
    assert_ledger_consistent(d)


@pytest.mark.parametrize(
    "expires_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2099-01-01T00:00:00+00:00"]
)
def test_bonus_expiry_out_of_range_is_422(moto_table: str, expires_at: str) -> None:
    d = Driver()
    with pytest.raises(Unprocessable):
        d.call("bonus", {"amount": "1.00", "wagering_multiplier": "1", "expires_at": expires_at})
    assert d.stored_wallet() is None


def test_huge_amounts_are_422_and_balances_are_capped(moto_table: str) -> None:
    d = Driver("BTC")
    with pytest.raises(Unprocessable):
        d.call("bonus", {"amount": "10000000000000000000.00000001", "wagering_multiplier": "10"})
    with pytest.raises(Unprocessable):
        d.deposit("99999999999999999999.99999999")
    d.deposit("9999999999.99999999")
    with pytest.raises(Unprocessable) as exc:
        d.deposit("0.00000001")
    assert exc.value.code == "balance_limit"
    assert d.wallet()["balances"]["real"] == "9999999999.99999999"
    assert_ledger_consistent(d)


def test_history_reads_are_strongly_consistent(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = Driver()
    d.deposit("1.00")
    seen: list[bool] = []
    real = store.query

    def spy(*args: Any, **kwargs: Any) -> store.Page:
        seen.append(bool(kwargs.get("consistent")))
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "query", spy)
    assert list_transactions(d.who, d.user_id, 10, None)["total"] == 1
    assert seen == [True]


def test_psp_refs_do_not_collide_with_a_game_provider_named_psp(table: str) -> None:
    d = Driver()
    d.deposit("10.00", psp_ref="X1")
    out = d.bet("1.00", ref="X1", rnd="r", provider="psp")
    assert out.status == 201
    assert d.wallet()["balances"]["real"] == "9.00"
    assert_ledger_consistent(d)


def test_rollback_entry_amount_is_what_was_returned(table: str) -> None:
    d = Driver()
    d.deposit("1.00")
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": "10"})
    d.bet("3.00", ref="bb", rnd="R")  # 1.00 real + 2.00 bonus
    d.deposit("1.00")
    d.call("withdraw", {"amount": "1.00"})  # forfeits the bonus
    out = d.rollback("bb")
    assert out.body["transaction"]["amount"] == "1.00"
    assert d.wallet()["balances"] == {
        "real": "1.00",
        "bonus": "0.00",
        "winz": "0.00",
        "xp": out.body["wallet"]["balances"]["xp"],
    }
    assert_ledger_consistent(d)


@pytest.mark.parametrize(("tz", "allowed"), [("Asia/Seoul", True), ("America/New_York", False)])
def test_the_age_gate_uses_the_brand_s_calendar_date(moto_table: str, tz: str, allowed: bool) -> None:
    from datetime import date

    from pitboss.identity import gates as rules
    from pitboss.tenancy import BrandSettings

    item = Driver(timezone=tz)
    item.update_player(date_of_birth=date(2008, 11, 24))
    at("2026-11-23T16:00:00")  # 18th birthday in Seoul (01:00 on the 24th); still the 23rd in UTC and New York
    profile = store.get(item.pk, keys.PROFILE)
    assert profile is not None
    from pitboss.identity.entity import Player

    player = Player.from_item(item.who.realm, profile)
    assert rules.age_verified(player, BrandSettings(timezone=tz), clock.now()) is allowed
    if allowed:
        assert item.deposit("1.00").status == 201
    else:
        with pytest.raises(PlayerBlocked):
            item.deposit("1.00")
