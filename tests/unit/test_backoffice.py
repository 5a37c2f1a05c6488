"""Back-office read API (seed 001) in process: listing, detail with balances, transaction pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pitboss import store, tenancy
from pitboss.backoffice import queries
from pitboss.errors import NotFound
from tests.support import make_tenant
from tests.wallet_support import Driver, as_json

# The flows' answers, read as the routes send them.
backoffice = SimpleNamespace(
    list_players=as_json(queries.list_players),
    get_player=as_json(queries.get_player),
    player_transactions=as_json(queries.player_transactions),
)


def _player_id(d: Driver, user_id: str) -> int:
    from pitboss.identity import load_player

    return load_player(d.who, user_id, None).player_id


def test_list_filters_pages_and_counts(table: str) -> None:
    d = Driver("KRW")
    users = [d.user_id, *(d.new_player() for _ in range(4))]
    listed = backoffice.list_players(d.who, 1, 2, None, None)
    assert listed["total"] == 5 and listed["page"] == 1 and listed["page_size"] == 2
    assert len(listed["items"]) == 2
    item = listed["items"][0]
    assert set(item) == {
        "id",
        "team_id",
        "brand_id",
        "username",
        "nickname",
        "currency",
        "status",
        "created_at",
        "updated_at",
    }
    assert item["team_id"] == d.who.team_id > 0 and item["currency"] == "KRW" and item["status"] == 1
    assert isinstance(item["team_id"], int) and Driver().who.team_id != d.who.team_id  # one number per tenant
    assert item["created_at"].endswith("Z") and len(item["created_at"]) == 20
    ids = [i["id"] for p in (1, 2, 3) for i in backoffice.list_players(d.who, p, 2, None, None)["items"]]
    assert len(set(ids)) == 5 and ids == sorted(ids)
    assert backoffice.list_players(d.who, 4, 2, None, None)["items"] == []
    by_brand = backoffice.list_players(d.who, 1, 20, d.tenant.brand_id, None)
    assert by_brand["total"] == 5
    name = backoffice.get_player(d.who, _player_id(d, users[2]))["username"]
    found = backoffice.list_players(d.who, 1, 20, None, name[2:8].upper())
    assert [i["username"] for i in found["items"]] == [name] and found["total"] == 1
    assert backoffice.list_players(d.who, 1, 20, 999_999, None)["total"] == 0


def test_detail_balances_are_null_before_any_movement(moto_table: str) -> None:
    d = Driver()
    pid = _player_id(d, d.user_id)
    detail = backoffice.get_player(d.who, pid)
    assert detail["wallet_balance"] is None and detail["wallet_frozen"] is None and detail["id"] == pid
    d.deposit("45200.00")
    d.bet("10.00", rnd="open")
    detail = backoffice.get_player(d.who, pid)
    assert (detail["wallet_balance"], detail["wallet_frozen"]) == ("45190.00", "10.00")
    d.update_player(status="suspended")
    assert backoffice.get_player(d.who, pid)["status"] == 0


def test_transactions_newest_first_with_seed_fields(table: str) -> None:
    d = Driver()
    pid = _player_id(d, d.user_id)
    d.deposit("55200.00")
    d.bet("10000.00", ref="txn_abc123", rnd="rnd_9988")
    d.win("25000.00", ref="txn_xyz789", rnd="rnd_9988", round_closed=True)
    d.bet("1.00", ref="b3", rnd="r3")
    d.rollback("b3")
    store.round_trips.count = 0
    page = backoffice.player_transactions(d.who, pid, 1, 2)
    assert store.round_trips.count == 3
    assert page["total"] == 5 and page["page_size"] == 2
    assert [t["id"] for t in page["items"]] == [5, 4]
    assert [t["type"] for t in page["items"]] == ["rollback", "debit"]
    page2 = backoffice.player_transactions(d.who, pid, 2, 2)["items"]
    credit, debit = page2
    assert credit["type"] == "credit" and credit["amount"] == "25000.00"
    assert (credit["balance_before"], credit["balance_after"]) == ("45200.00", "70200.00")
    assert debit["memo"] == "Bet placed - round_id: rnd_9988" and debit["ref_id"] == "txn_abc123"
    assert set(debit) == {
        "id",
        "team_id",
        "brand_id",
        "player_id",
        "type",
        "kind",
        "amount",
        "currency",
        "balance_before",
        "balance_after",
        "ref_id",
        "memo",
        "created_at",
    }
    assert debit["player_id"] == pid and debit["team_id"] == d.who.team_id
    assert [t["id"] for t in backoffice.player_transactions(d.who, pid, 3, 2)["items"]] == [1]
    assert backoffice.player_transactions(d.who, pid, 4, 2)["items"] == []


def test_another_tenant_or_mode_is_404(moto_table: str) -> None:
    d = Driver()
    pid = _player_id(d, d.user_id)
    d.deposit("1.00")
    stranger = tenancy.authenticate(f"Bearer {make_tenant().live_key}")
    test_mode = tenancy.authenticate(f"Bearer {d.tenant.test_key}")
    for who in (stranger, test_mode):
        with pytest.raises(NotFound):
            backoffice.get_player(who, pid)
        with pytest.raises(NotFound):
            backoffice.player_transactions(who, pid, 1, 20)
        assert backoffice.list_players(who, 1, 20, None, None)["total"] == 0


def test_transaction_pages_are_read_consistently(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = Driver()
    d.deposit("1.00")
    seen: list[bool] = []
    real = store.query

    def spy(*args: object, **kwargs: object) -> store.Page:
        seen.append(bool(kwargs.get("consistent")))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "query", spy)
    out = backoffice.player_transactions(d.who, _player_id(d, d.user_id), 1, 20)
    assert out["total"] == 1 and len(out["items"]) == 1
    assert seen == [True]


def test_transaction_type_is_debit_credit_or_rollback_and_kind_says_what(moto_table: str) -> None:
    """Seed 001: "`type` - Transaction type: "debit", "credit", or "rollback"" (issue 11 #5): money in is a
    credit, money out a debit, a reversal a rollback; the detailed kind is in `kind`."""
    d = Driver()
    pid = _player_id(d, d.user_id)
    d.deposit("100.00")
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": "1"})
    d.bet("2.00", ref="k1", rnd="R1")
    d.rollback("k1")
    d.bet("5.00", ref="k2", rnd="R2")  # converts the bonus (wagering 5 reached)
    d.win("3.00", rnd="R2", round_closed=True)
    d.call("bonus", {"amount": "1.00", "wagering_multiplier": "3"})
    wd = d.call("withdraw", {"amount": "10.00"}).body["withdrawal"]["id"]  # forfeits the second bonus
    d.settle(wd, "cancel")
    wd2 = d.call("withdraw", {"amount": "1.00"}).body["withdrawal"]["id"]
    d.settle(wd2, "complete")
    d.call("winz", {"amount": "5", "action": "grant"})
    d.call("winz", {"amount": "1", "action": "redeem"})
    rows = backoffice.player_transactions(d.who, pid, 1, 100)["items"]
    assert [(r["type"], r["kind"]) for r in reversed(rows)] == [
        ("credit", "deposit"),
        ("credit", "bonus_grant"),
        ("debit", "bet"),
        ("rollback", "rollback"),
        ("debit", "bet"),
        ("credit", "bonus_convert"),
        ("credit", "win"),
        ("credit", "bonus_grant"),
        ("debit", "bonus_forfeit"),
        ("debit", "withdrawal"),
        ("rollback", "withdrawal_cancel"),
        ("debit", "withdrawal"),
        ("debit", "withdrawal_complete"),
        ("credit", "winz_grant"),
        ("debit", "winz_redeem"),
    ]
    assert {r["type"] for r in rows} == {"debit", "credit", "rollback"}


def test_an_entry_type_the_back_office_does_not_know_is_typed_by_its_direction() -> None:
    from pitboss.backoffice.models import row_type

    base = {"balance_before": "5.00", "balance_after": "7.00"}
    assert row_type({**base, "type": "cashback"}) == ("credit", "cashback")
    assert row_type({**base, "type": "fee", "balance_after": "4.00"}) == ("debit", "fee")
