"""Issue 10 #7: "list its surviving mutants, each explained or killed". Moto unit tests of `pitboss.wallet.payments`
(deposits, withdrawal requests and their outcomes) against its mutants (docs/testing.md, "Mutation testing", "Fifth
run, wallet/payments.py"). Written before the run, each says what it pins (the entry, the event, the stored items,
the refusals); with them mutmut killed 505 of the 513 mutants. The tests written after it name the survivors they
kill, verified: run under each and seen to fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pitboss import clock, idempotency, keys, store, tenancy
from pitboss.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    LimitExceeded,
    NotFound,
    PlayerBlocked,
    Unprocessable,
)
from pitboss.idempotency import Outcome
from pitboss.wallet import payments, repository, rules
from pitboss.wallet.entity import Wallet
from pitboss.wallet.ledger import PSP_CLEARING
from pitboss.wallet.models import WithdrawalOutcomeIn
from tests.support import at
from tests.unit.test_wallet_flows_mutants import _events, _legs
from tests.wallet_support import Driver, assert_ledger_consistent

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=3)


def _settle(d: Driver, wd_id: str, outcome: str, memo: str | None = None, key: str | None = None) -> Outcome:
    body = {"memo": memo} if memo else {}
    idem = idempotency.begin(d.who.realm, key, "POST", f"{outcome}:{wd_id}", body)
    return payments.settle_withdrawal(d.who, d.user_id, wd_id, outcome, WithdrawalOutcomeIn.model_validate(body), idem)


def _hide_ref(monkeypatch: pytest.MonkeyPatch, key: tuple[str, str]) -> None:
    """Every read of the movement misses `key`: what a read racing a twin's commit sees (the BatchGetItem is no
    snapshot: the twin's ref may land after the ref was read and before the rest)."""
    real = store.batch_get

    def batch_get(wanted: Any, **kw: Any) -> dict[tuple[str, str], dict[str, Any]]:
        found = real(wanted, **kw)
        found.pop(key, None)
        return found

    monkeypatch.setattr(store, "batch_get", batch_get)


# ---- deposit -----------------------------------------------------------------------------------


def test_a_deposit_writes_its_entry_its_event_and_its_counters(moto_table: str) -> None:
    # The entry (type, amount, legs, memo, no ref), the timeline event (type, actor, data) and the deposit counters
    # of the brand's windows; without a psp_ref, no ref is read or written.
    at(NOW)
    d = Driver()
    out = d.deposit("12.50", memo="card")
    assert (out.status, out.deduped) == (201, False)
    [entry] = d.entries()
    assert (entry["type"], entry["rail"], entry["amount"], entry["memo"]) == (
        "deposit",
        "real",
        Decimal("12.50"),
        "card",
    )
    assert "psp_ref" not in entry and "ref_id" not in entry
    assert _legs(entry) == sorted(
        [
            (PSP_CLEARING, "real", "USD", Decimal("-12.50")),
            ("player:real", "real", "USD", Decimal("12.50")),
        ]
    )
    assert out.body["transaction"]["id"] == entry["id"]
    [event] = _events(d, "deposit")
    assert event["actor"] == str(d.who.actor)
    assert event["data"] == {"amount": "12.50", "currency": "USD", "seq": 1}
    stored = d.stored_wallet()
    assert stored is not None
    windows = rules.window_ids(NOW, "UTC")
    day, week, month = (windows[w] for w in "DWM")
    assert Wallet.from_item(stored).purses["USD"].counters == {
        "deposit": {day: Decimal("12.50"), week: Decimal("12.50"), month: Decimal("12.50")}
    }
    assert_ledger_consistent(d)


def test_a_deposit_event_shows_the_amount_in_its_currencys_places(moto_table: str) -> None:
    # The event's amount formatted with the movement's exponent (JPY: none).
    d = Driver("JPY")
    d.deposit("1500")
    [event] = _events(d, "deposit")
    assert event["data"] == {"amount": "1500", "currency": "JPY", "seq": 1}


def test_a_deposit_with_a_psp_ref_keeps_its_answer_and_a_psp_retry_gets_it(moto_table: str) -> None:
    # The ref read, fingerprinted (amount and psp_ref), stored with kind, player, fingerprint, answer and time; the
    # entry names the psp_ref; a retry under another key is answered from the ref; another amount is 409.
    at(NOW)
    d = Driver()
    first = d.call("deposit", {"amount": "10", "psp_ref": "psp-1", "memo": "visa"}, "k1")
    assert first.status == 201
    [entry] = d.entries()
    assert (entry["ref_id"], entry["psp_ref"], entry["memo"]) == ("psp-1", "psp-1", "visa")
    ref = store.get(*repository.psp_ref_key(d.who.realm, "psp-1"))
    assert ref is not None
    fp = rules.ref_fingerprint("deposit", d.user_id, {"amount": "10.00", "psp_ref": "psp-1"}, "USD", "USD")
    assert (ref["kind"], ref["user_id"], ref["fingerprint"], ref["created_at"]) == (
        "deposit",
        d.user_id,
        fp,
        clock.iso(NOW),
    )
    assert idempotency.unpack(ref["response"]) == first.body
    [event] = _events(d, "deposit")  # kills x_deposit 141, 145: the event of a deposit with a psp_ref
    assert (event["actor"], event["data"]) == (str(d.who.actor), {"amount": "10.00", "currency": "USD", "seq": 1})
    again = d.call("deposit", {"amount": "10.00", "psp_ref": "psp-1"}, "k2")
    assert (again.status, again.deduped, again.body) == (200, True, first.body)
    with pytest.raises(Conflict) as refused:
        d.call("deposit", {"amount": "11.00", "psp_ref": "psp-1"}, "k3")
    assert refused.value.code == "duplicate_ref"
    assert d.wallet()["balances"]["real"] == "10.00"
    assert len(d.entries()) == 1
    assert_ledger_consistent(d)


def test_a_deposit_refused_after_its_twin_landed_unseen_is_the_twins_answer(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The psp_ref named as this request's record (`recorded_in`): the retry of an applied deposit whose read missed
    # the ref is refused by the gate (the player was suspended since), and the ref read again answers it.
    d = Driver()
    first = d.deposit("10.00", psp_ref="psp-9")
    d.update_player(status="suspended")
    _hide_ref(monkeypatch, repository.psp_ref_key(d.who.realm, "psp-9"))
    again = d.deposit("10.00", psp_ref="psp-9")
    assert (again.status, again.deduped, again.body) == (200, True, first.body)


def test_a_deposit_refused_beside_another_request_under_its_psp_ref_is_refused(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The record is named with this request's fingerprint: a ref of another request (another amount) does not turn
    # the refusal into its answer.
    d = Driver()
    d.deposit("10.00", psp_ref="psp-8")
    d.update_player(status="suspended")
    _hide_ref(monkeypatch, repository.psp_ref_key(d.who.realm, "psp-8"))
    with pytest.raises(PlayerBlocked):
        d.deposit("11.00", psp_ref="psp-8")


def test_a_deposit_is_gated_for_deposits_and_limited_by_deposit_limits(moto_table: str) -> None:
    # The "deposit" gate (affordability_review blocks deposits, not withdrawals) and the deposit limits, counted on
    # what was deposited before.
    d = Driver()
    d.deposit("10.00")
    d.update_player(limits={"deposit_daily_limit": Decimal("15.00")})
    d.deposit("5.00")
    with pytest.raises(LimitExceeded) as over:
        d.deposit("0.01")
    assert over.value.body()["error"] == {
        "code": "limit_exceeded",
        "message": "deposit_daily_limit would be exceeded",
        "limit": "deposit_daily_limit",
        "limit_value": "15.00",
        "used": "15.00",
        "remaining": "0.00",
    }
    d.update_player(limits={}, status="affordability_review")
    with pytest.raises(PlayerBlocked) as blocked:
        d.deposit("1.00")
    assert blocked.value.code == "player_blocked"
    assert d.call("withdraw", {"amount": "1.00"}).status == 201
    assert d.wallet()["balances"]["real"] == "14.00"
    assert_ledger_consistent(d)


def test_a_deposit_ends_expired_bonuses_first(moto_table: str) -> None:
    # forfeit_expired before the deposit's entry.
    at(NOW)
    d = Driver()
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 2, "expires_at": "2031-06-01T13:00:00Z"})
    at(LATER)
    out = d.deposit("1.00")
    assert [e["type"] for e in d.entries()] == ["bonus_grant", "bonus_forfeit", "deposit"]
    assert d.entries()[1]["memo"].endswith("forfeited: expired")
    assert out.body["transaction"]["type"] == "deposit"
    assert_ledger_consistent(d)


def test_money_moves_are_refused_for_a_plug_in_brand(moto_table: str) -> None:
    # real=True on all three: a plug_in brand's wallet moves no real money (409 service_mode), before any read
    # of the withdrawal (a plug_in brand never has one).
    d = Driver(service_mode="plug_in")
    wd = "wd_01aaaaaaaaaaaaaaaaaaaaaaaa"
    calls = [
        lambda: d.deposit("1.00"),
        lambda: d.call("withdraw", {"amount": "1.00"}),
        lambda: _settle(d, wd, "complete"),
        lambda: _settle(d, wd, "cancel"),
    ]
    for call in calls:
        with pytest.raises(Conflict) as refused:
            call()
        assert refused.value.code == "service_mode"
    assert d.entries() == []


def test_a_plug_in_brand_refuses_a_deposit_before_anything_else(moto_table: str) -> None:
    # Kills payments.x_deposit 162, 169 (`real=True` -> None, dropped): the commit's service-mode backstop would
    # still refuse the deposit, but only after the decision, so a blocked player would hear 403 instead of 409.
    d = Driver(service_mode="plug_in")
    d.update_player(status="suspended")
    with pytest.raises(Conflict) as refused:
        d.deposit("1.00")
    assert refused.value.code == "service_mode"


def test_a_deposit_is_in_the_currency_named(moto_table: str) -> None:
    # pick=money_in(body.currency).
    d = Driver("EUR", currencies=["EUR", "USD"])
    out = d.deposit("3.00", currency="USD")
    [entry] = d.entries()
    assert (entry["currency"], out.body["wallet"]["currency"]) == ("USD", "USD")
    [event] = _events(d, "deposit")
    assert event["data"]["currency"] == "USD"


# ---- withdrawal request ------------------------------------------------------------------------


def test_a_withdrawal_request_freezes_forfeits_and_records_the_withdrawal(moto_table: str) -> None:
    # The entry (type, legs, memo, withdrawal_id, pending), each active bonus forfeited for the request, the answer's
    # withdrawal, the stored withdrawal (queued) and the timeline event.
    at(NOW)
    d = Driver()
    d.deposit("100.00")
    d.call("bonus", {"amount": "10.00", "wagering_multiplier": 5})
    out = d.call("withdraw", {"amount": "40", "memo": "to bank"})
    assert out.status == 201
    wd = out.body["withdrawal"]
    assert wd["id"].startswith("wd_")
    assert wd == {
        "id": wd["id"],
        "amount": "40.00",
        "currency": "USD",
        "status": "pending",
        "created_at": clock.iso(NOW),
        "updated_at": clock.iso(NOW),
    }
    _deposit, _grant, forfeit, entry = d.entries()
    assert (forfeit["type"], forfeit["memo"]) == (
        "bonus_forfeit",
        f"bonus {forfeit['bonus_id']} forfeited: withdrawal_requested",
    )
    assert (entry["type"], entry["amount"], entry["memo"], entry["withdrawal_id"], entry["status"]) == (
        "withdrawal",
        Decimal("40.00"),
        "to bank",
        wd["id"],
        "pending",
    )
    assert _legs(entry) == [
        ("player:frozen", "real", "USD", Decimal("40.00")),
        ("player:real", "real", "USD", Decimal("-40.00")),
    ]
    item = store.get(*repository.withdrawal_key(d.pk, wd["id"]))
    assert item is not None
    assert {k: item[k] for k in ("kind", "id", "amount", "currency", "status", "created_at", "updated_at", "seq")} == {
        "kind": "withdrawal",
        "id": wd["id"],
        "amount": Decimal("40.00"),
        "currency": "USD",
        "status": "pending",
        "created_at": clock.iso(NOW),
        "updated_at": clock.iso(NOW),
        "seq": entry["seq"],
    }
    assert item["list_sk"] == f"{clock.iso(NOW)}#{wd['id']}"
    [event] = _events(d, "withdrawal_requested")
    assert event["actor"] == str(d.who.actor)
    assert event["data"] == {"withdrawal_id": wd["id"], "amount": "40.00", "currency": "USD"}
    w = out.body["wallet"]
    assert (w["balances"]["real"], w["frozen"], w["balances"]["bonus"]) == ("60.00", "40.00", "0.00")
    assert_ledger_consistent(d)


def test_a_withdrawal_ends_expired_bonuses_as_expired(moto_table: str) -> None:
    # forfeit_expired before the request's own forfeits: an expired bonus ends "expired", an active one
    # "withdrawal_requested".
    at(NOW)
    d = Driver()
    d.deposit("10.00")
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 2, "expires_at": "2031-06-01T13:00:00Z"})
    d.call("bonus", {"amount": "3.00", "wagering_multiplier": 2})
    at(LATER)
    d.call("withdraw", {"amount": "1.00"})
    memos = [e["memo"].rsplit(": ", 1)[1] for e in d.entries() if e["type"] == "bonus_forfeit"]
    assert memos == ["expired", "withdrawal_requested"]
    assert_ledger_consistent(d)


def test_a_withdrawal_is_of_real_money_only_and_gated(moto_table: str) -> None:
    # rules.withdrawable (the bonus balance is not withdrawable: its 422 body) and the "withdrawal" gate (fraud_hold).
    d = Driver()
    d.deposit("10.00")
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 2})
    with pytest.raises(InsufficientFunds) as short:
        d.call("withdraw", {"amount": "10.01"})
    assert short.value.body()["error"] == {
        "code": "insufficient_funds",
        "message": "insufficient real balance for this withdrawal",
        "available": "10.00",
        "requested": "10.01",
    }
    d.update_player(status="fraud_hold")
    with pytest.raises(PlayerBlocked):
        d.call("withdraw", {"amount": "1.00"})
    assert d.wallet()["frozen"] == "0.00"


def test_a_withdrawal_needs_kyc_when_the_brand_says_so(moto_table: str) -> None:
    # rules.kyc_for_withdrawal given the player's kyc_status and the brand's setting.
    d = Driver(withdrawal_requires_kyc=True)
    d.deposit("10.00")
    with pytest.raises(Forbidden) as refused:
        d.call("withdraw", {"amount": "1.00"})
    assert refused.value.code == "kyc_required"
    d.update_player(kyc_status="approved")
    assert d.call("withdraw", {"amount": "1.00"}).status == 201


def test_a_withdrawal_is_in_a_currency_the_wallet_holds(moto_table: str) -> None:
    # pick=rules.held_or_offered(brand, wallet, body.currency): the currency named, with its purse.
    at(NOW)
    d = Driver("EUR", currencies=["EUR", "USD"])
    d.deposit("10.00")
    d.deposit("8.00", currency="USD")
    out = d.call("withdraw", {"amount": "5.00", "currency": "USD"})
    wd = out.body["withdrawal"]
    assert (wd["currency"], wd["amount"], out.body["wallet"]["currency"]) == ("USD", "5.00", "USD")
    item = store.get(*repository.withdrawal_key(d.pk, wd["id"]))
    assert item is not None and item["currency"] == "USD"
    # settled in the withdrawal's own currency, whatever the wallet's home currency
    at(LATER)
    done = _settle(d, wd["id"], "cancel")
    assert (done.body["withdrawal"]["currency"], done.body["wallet"]["currency"]) == ("USD", "USD")
    assert d.entries()[-1]["currency"] == "USD"
    assert_ledger_consistent(d)


# ---- outcome -----------------------------------------------------------------------------------


def _pending(d: Driver, amount: str = "40.00") -> str:
    at(NOW)
    d.deposit("100.00")
    return str(d.call("withdraw", {"amount": amount}).body["withdrawal"]["id"])


@pytest.mark.parametrize(
    ("outcome", "status", "entry_type", "to", "real", "frozen"),
    [
        ("complete", "completed", "withdrawal_complete", PSP_CLEARING, "60.00", "0.00"),
        ("cancel", "cancelled", "withdrawal_cancel", "player:real", "100.00", "0.00"),
    ],
)
def test_an_outcome_moves_the_frozen_amount_and_keeps_its_answer(
    moto_table: str, outcome: str, status: str, entry_type: str, to: str, real: str, frozen: str
) -> None:
    # The target status, the entry (type, legs, memo, withdrawal_id, status), the answer (200, the withdrawal's
    # created_at kept, updated_at now), the event, and the stored withdrawal settled with its answer (out of the
    # queue); the same outcome again answers the first (deduped), the other one is 409.
    d = Driver()
    wd_id = _pending(d)
    at(LATER)
    out = _settle(d, wd_id, outcome, memo="psp says")
    assert (out.status, out.deduped) == (200, False)
    assert out.body["withdrawal"] == {
        "id": wd_id,
        "amount": "40.00",
        "currency": "USD",
        "status": status,
        "created_at": clock.iso(NOW),
        "updated_at": clock.iso(LATER),
    }
    entry = d.entries()[-1]
    assert (entry["type"], entry["amount"], entry["memo"], entry["withdrawal_id"], entry["status"]) == (
        entry_type,
        Decimal("40.00"),
        "psp says",
        wd_id,
        status,
    )
    assert _legs(entry) == sorted([("player:frozen", "real", "USD", Decimal(-40)), (to, "real", "USD", Decimal(40))])
    assert out.body["transaction"]["id"] == entry["id"]
    w = out.body["wallet"]
    assert (w["balances"]["real"], w["frozen"]) == (real, frozen)
    [event] = _events(d, f"withdrawal_{status}")
    assert event["actor"] == str(d.who.actor)
    assert event["data"] == {"withdrawal_id": wd_id, "amount": "40.00", "currency": "USD"}
    item = store.get(*repository.withdrawal_key(d.pk, wd_id))
    assert item is not None
    assert (item["status"], item["updated_at"], item["outcome_seq"], item["created_at"]) == (
        status,
        clock.iso(LATER),
        entry["seq"],
        clock.iso(NOW),
    )
    assert idempotency.unpack(item["outcome_response"]) == out.body
    assert not set(keys.LIST_ATTRIBUTES) & set(item)
    again = _settle(d, wd_id, outcome, key="other")
    assert (again.status, again.deduped, again.body) == (200, True, out.body)
    other = "cancel" if outcome == "complete" else "complete"
    with pytest.raises(Conflict) as refused:
        _settle(d, wd_id, other)
    assert refused.value.body()["error"] == {
        "code": "withdrawal_not_pending",
        "message": f"the withdrawal is already {status}",
    }
    assert_ledger_consistent(d)


def test_an_outcome_for_no_such_withdrawal_is_404(moto_table: str) -> None:
    # The withdrawal read (its key: this player's) and the 404 body, with and without a wallet.
    d = Driver()
    for outcome in ("complete", "cancel"):
        with pytest.raises(NotFound) as missing:
            _settle(d, "wd_01aaaaaaaaaaaaaaaaaaaaaaaa", outcome)
        assert missing.value.body()["error"] == {"code": "withdrawal_not_found", "message": "withdrawal not found"}
    wd_id = _pending(d)
    other = Driver()
    other.deposit("1.00")
    with pytest.raises(NotFound):
        _settle(other, wd_id, "complete")
    assert _settle(d, wd_id, "complete").status == 200


def test_completing_is_gated_and_cancelling_is_not(moto_table: str) -> None:
    # Only `complete` asks the "withdrawal" gate (fraud_hold blocks it); a cancel under the same hold goes through.
    d = Driver()
    wd_id = _pending(d)
    d.update_player(status="fraud_hold")
    with pytest.raises(PlayerBlocked):
        _settle(d, wd_id, "complete")
    assert _settle(d, wd_id, "cancel").body["withdrawal"]["status"] == "cancelled"
    assert d.wallet()["balances"]["real"] == "100.00"


def test_money_held_in_a_currency_the_brand_no_longer_offers_can_still_be_withdrawn(moto_table: str) -> None:
    # Kills payments.x_request_withdrawal 123 (the wallet not passed to held_or_offered: its purses not asked): USD,
    # dropped by the brand, is still held and goes out; a currency neither offered nor held is 422.
    d = Driver("EUR", currencies=["EUR", "USD"])
    d.deposit("8.00", currency="USD")
    tenancy.update_brand_settings(d.tenant.tenant_id, d.tenant.brand_id, {"currencies": ["EUR"]})
    d.who = tenancy.authenticate(f"Bearer {d.tenant.live_key}")
    out = d.call("withdraw", {"amount": "5.00", "currency": "USD"})
    assert (out.status, out.body["withdrawal"]["currency"], out.body["wallet"]["balances"]["real"]) == (
        201,
        "USD",
        "3.00",
    )
    with pytest.raises(Unprocessable) as refused:
        d.call("withdraw", {"amount": "1.00", "currency": "GBP"})
    assert refused.value.code == "currency_mismatch"
    assert_ledger_consistent(d)
