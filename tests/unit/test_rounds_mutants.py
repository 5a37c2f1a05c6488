"""Issue 10 #7: "list its surviving mutants, each explained or killed". Moto unit tests of `wallet/rounds.py`
(bets, wins, rollbacks) that kill the survivors of mutmut's fifth run (docs/testing.md, "Mutation testing"); each
names the mutants it kills, by today's numbering under the run's selection (see docs/testing.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pitboss import idempotency, retry, store
from pitboss.errors import Conflict, NotFound
from pitboss.wallet import repository
from pitboss.wallet.entity import OpenRound, round_name
from tests.support import at
from tests.wallet_support import Driver, assert_ledger_consistent


def test_a_second_rollback_of_a_bet_whose_round_is_still_open_answers_the_first(moto_table: str) -> None:
    """The rollback record is read with the ref: a second rollback (another idempotency key, as a provider's
    retry loop sends it) of a bet whose round another bet keeps open is the first answer again, deduped; the
    money comes back once. Kills `rollback` 18, 19 (the record read as absent: the rollback is decided again,
    its record's put fails every attempt, and the retry is told 409 instead of its answer)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1")
    d.bet("3.00", ref="b2")  # same round r1, still open
    first = d.rollback("b1")
    again = d.rollback("b1")
    assert first.status == 201
    assert (again.status, again.deduped) == (200, True)
    assert again.body == first.body
    assert d.wallet()["balances"]["real"] == "7.00"
    assert_ledger_consistent(d)


def test_a_rollback_of_a_bet_in_a_closed_round_says_why(moto_table: str) -> None:
    """Kills `rollback` 48, 52, 53 (the 409's message dropped or changed)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", round_closed=True)
    with pytest.raises(Conflict) as refused:
        d.rollback("b1")
    assert refused.value.body() == {
        "error": {"code": "round_closed", "message": "the bet's round is closed; it can't be rolled back"}
    }
    assert d.wallet()["balances"]["real"] == "8.00"
    assert_ledger_consistent(d)


def test_a_rollback_returns_each_active_bonus_its_own_draw(moto_table: str) -> None:
    """A stake drawn from two active bonuses: the rollback gives each its draw back, and the bonus balance the
    sum. Kills `rollback` 92 (`bonus_back += taken` -> `=`: only the last bonus's draw is posted back)."""
    d = Driver()
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 10})
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 10})
    d.bet("8.00", ref="b1")
    assert d.wallet()["balances"]["bonus"] == "2.00"
    back = d.rollback("b1")
    assert back.body["transaction"]["amount"] == "8.00"
    assert d.wallet()["balances"]["bonus"] == "10.00"
    assert_ledger_consistent(d)


def test_a_rollback_entry_names_its_bet_round_and_memo(moto_table: str) -> None:
    """Kills `rollback` 175-177, 182-184, 189, 192 (the entry's ref_id, round_id or memo dropped, None or
    changed; the default memo only when the provider sent none)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r7")
    d.bet("2.00", ref="b2", rnd="r8")
    plain = d.rollback("b1").body["transaction"]
    told = d.rollback("b2", memo="provider voided it").body["transaction"]
    assert (plain["ref_id"], plain["round_id"], plain["memo"]) == ("b1", "r7", "Rollback of bet b1")
    assert (told["ref_id"], told["round_id"], told["memo"]) == ("b2", "r8", "provider voided it")
    stored = {e["ref_id"]: e for e in d.entries() if e["type"] == "rollback"}
    assert (stored["b1"]["round_id"], stored["b1"]["memo"]) == ("r7", "Rollback of bet b1")
    assert_ledger_consistent(d)


def test_a_rollback_frees_the_days_xp_room_it_used(moto_table: str) -> None:
    """XP accrues from real stakes up to a daily cap; a rollback the same day takes its XP back and frees that
    much of the day's room, not more. Kills `rollback` 232-241, 246-250 (the day's count not reduced, reduced
    from nothing, or increased)."""
    d = Driver(xp_per_unit="2", xp_daily_cap="30")
    at("2026-03-01T10:00:00")
    d.deposit("100.00")
    d.bet("10.00", ref="b1", rnd="a")  # 20 xp
    d.bet("10.00", ref="b2", rnd="b")  # capped: +10
    d.rollback("b1")  # -20 xp; the day has used 10
    assert d.wallet()["balances"]["xp"] == "10.00"
    d.bet("15.00", ref="b3", rnd="c")  # 30 xp asked, 20 left today
    assert d.wallet()["balances"]["xp"] == "30.00"
    assert_ledger_consistent(d)


def test_a_rollback_of_the_days_only_bet_leaves_the_whole_room(moto_table: str) -> None:
    """The day's count goes back to exactly 0, not below and not to 1. Kills `rollback` 252 (`max(..., 1)`)."""
    d = Driver(xp_per_unit="2", xp_daily_cap="30")
    at("2026-03-01T10:00:00")
    d.deposit("100.00")
    d.bet("10.00", ref="b1", rnd="a")
    d.rollback("b1")
    assert d.wallet()["balances"]["xp"] == "0.00"
    d.bet("15.00", ref="b2", rnd="c")  # 30 xp: the whole cap
    assert d.wallet()["balances"]["xp"] == "30.00"
    assert_ledger_consistent(d)


def test_a_rollback_on_a_later_day_leaves_that_days_room_alone(moto_table: str) -> None:
    """A bet of yesterday rolled back today takes its XP back but does not free today's room."""
    d = Driver(xp_per_unit="2", xp_daily_cap="30")
    at("2026-03-01T10:00:00")
    d.deposit("100.00")
    d.bet("10.00", ref="b1", rnd="a")  # 20 xp, yesterday
    at("2026-03-02T10:00:00")
    d.bet("15.00", ref="b2", rnd="b")  # 30 xp: today's cap
    d.rollback("b1")
    assert d.wallet()["balances"]["xp"] == "30.00"
    d.bet("1.00", ref="b3", rnd="c")  # today's room is used up
    assert d.wallet()["balances"]["xp"] == "30.00"
    assert_ledger_consistent(d)


def test_a_rollback_of_a_bet_in_another_currency_returns_it_there(moto_table: str) -> None:
    """A rollback names no currency: it is its bet's, read from the ref, not the wallet's home currency. Kills
    `rollback` 296, 297 (the ref's currency ignored: the home purse is used)."""
    d = Driver("EUR", currencies=["EUR", "BTC"])
    d.deposit("10.00")
    d.deposit("1.00000000", currency="BTC")
    d.bet("0.10000000", ref="b-btc", rnd="R1", currency="BTC")
    back = d.rollback("b-btc")
    assert back.body["transaction"]["currency"] == "BTC"
    assert back.body["wallet"]["balances"]["real"] == "1.00000000"
    assert d.wallet()["balances"]["real"] == "10.00"  # the home purse untouched
    assert_ledger_consistent(d)


def test_rolling_back_every_bet_of_a_round_ends_it(moto_table: str) -> None:
    """Each rollback takes its stake off the round; when none is left the round is gone (a win for it is 404,
    as for a round never bet on). Kills `rollback` 263 (the round's stake left as it was: the round outlives its
    bets and takes the win)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    d.bet("3.00", ref="b2", rnd="r1")
    d.rollback("b1")
    d.rollback("b2")
    assert d.wallet()["balances"]["real"] == "10.00"
    with pytest.raises(NotFound) as missing:
        d.win("1.00", rnd="r1")
    assert missing.value.code == "round_not_found"
    assert d.wallet()["balances"]["real"] == "10.00"
    assert_ledger_consistent(d)


def test_a_bet_landing_between_the_rollbacks_read_and_its_tombstone_is_rolled_back(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rollback reads no bet, and the bet lands before the rollback's tombstone: the tombstone is refused, the
    rollback decides again and reverses the bet (201), and the retry is counted under its own name. Kills
    `rollback` 303, 305-307 (the retry's name dropped or changed). `rollback` 304 (3 attempts -> the default 6)
    is equivalent: a tombstone is refused only when the ref exists, and the next attempt's consistent read then
    sees it, so no real interleaving needs a third attempt."""
    d = Driver()
    d.deposit("10.00")
    retried: list[str] = []
    monkeypatch.setattr(retry, "_on_retry", retried.append)
    real = repository.tombstone_if_absent
    landed: list[str] = []

    def bet_first(*args: Any, **kwargs: Any) -> bool:
        if not landed:
            landed.append(d.bet("2.00", ref="late", rnd="r1").body["transaction"]["ref_id"])
        return real(*args, **kwargs)

    monkeypatch.setattr(repository, "tombstone_if_absent", bet_first)
    back = d.rollback("late")
    assert (back.status, back.body["transaction"]["type"]) == (201, "rollback")
    assert landed == ["late"]
    assert retried == ["rollback_tombstone"]
    assert d.wallet()["balances"]["real"] == "10.00"
    assert_ledger_consistent(d)


def test_a_rollbacks_record_says_whose_bet_which_entry_and_when(moto_table: str) -> None:
    """The rollback's own item (the record that the bet was reversed, with its answer) names the player, the
    rollback's ledger entry and its time: what support reads when a provider disputes a rollback. Kills
    `rollback` 284, 285, 287 (the record's user_id, rollback_seq or created_at left empty)."""
    d = Driver()
    at("2026-03-01T10:00:00")
    d.deposit("10.00")
    d.bet("2.00", ref="b1")
    back = d.rollback("b1")
    kept = store.get(*repository.rollback_key(repository.ref_key(d.who.realm, "default", "b1")))
    assert kept is not None
    assert (kept["kind"], kept["user_id"], kept["rollback_seq"], kept["created_at"]) == (
        "rollback",
        d.user_id,
        back.body["transaction"]["seq"],
        "2026-03-01T10:00:00.000000Z",
    )


def _stored_ref(d: Driver, ref_id: str) -> dict[str, Any]:
    item = store.get(*repository.ref_key(d.who.realm, "default", ref_id))
    assert item is not None
    return item


def test_a_wins_ref_keeps_the_fingerprint_earlier_deploys_stored(moto_table: str) -> None:
    """A provider's retry is told apart from a new request by the fingerprint stored on its ref; refs written
    by earlier deploys must still match, so the recipe (kind, field names, the amount at the currency's
    exponent) is part of the contract. Kills `credit_win` 22, 26-34."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    d.win("1.5", ref="w1", rnd="r1", round_closed=True)
    expected = idempotency.fingerprint("POST", f"win:{d.user_id}", {"amount": "1.50", "round_id": "r1", "closed": True})
    assert _stored_ref(d, "w1")["fingerprint"] == expected


def test_a_wins_ref_reused_for_another_win_is_refused(moto_table: str) -> None:
    """Kills `credit_win` 21 (no fingerprint: any reuse of the ref looks like a retry and is answered the first
    win's answer)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    d.win("1.00", ref="w1", rnd="r1")
    with pytest.raises(Conflict) as refused:
        d.win("3.00", ref="w1", rnd="r1")
    assert refused.value.code == "duplicate_ref"
    assert d.wallet()["balances"]["real"] == "9.00"
    assert_ledger_consistent(d)


def test_a_refused_win_is_not_answered_with_a_twins_answer_for_another_request(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A win for a round never bet on is refused (404); if meanwhile another win took its ref, the refusal is
    confirmed against the ref's fingerprint, and this request's refusal stands. Kills `credit_win` 43, 45 (the
    ref recorded without its fingerprint: the other request's answer is replayed as this one's, 200)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r2")
    real = repository.wallet_of
    twin: list[int] = []

    def other_win_first(*args: Any, **kwargs: Any) -> Any:
        if not twin:
            twin.append(0)  # the twin's own read passes straight through
            twin[0] = d.win("1.00", ref="w1", rnd="r2").status
        return real(*args, **kwargs)

    monkeypatch.setattr(repository, "wallet_of", other_win_first)
    with pytest.raises(NotFound) as refused:
        d.win("5.00", ref="w1", rnd="r1")
    assert (twin, refused.value.code) == ([201], "round_not_found")
    assert d.wallet()["balances"]["real"] == "9.00"
    assert_ledger_consistent(d)


def test_a_win_for_a_round_never_bet_on_is_404_and_retryable(moto_table: str) -> None:
    """A win can overtake its bet: the 404 says so (retryable), with its message. Kills `credit_win` 64, 66,
    69-71, 74."""
    d = Driver()
    d.deposit("10.00")
    with pytest.raises(NotFound) as missing:
        d.win("1.00", ref="w1", rnd="r9")
    assert missing.value.body() == {
        "error": {"code": "round_not_found", "message": "no bet of this player in this round", "retryable": True}
    }
    assert d.wallet()["balances"]["real"] == "10.00"


def test_a_win_for_a_round_an_older_wallet_kept_with_no_stake_is_404(moto_table: str) -> None:
    """Wallets written before rollbacks removed emptied rounds kept a round whose every bet was rolled back
    (stake 0); a win for it is answered as for a round never bet on, not a crash. Kills `credit_win` 60
    (`state = None` -> `""`: the empty round is taken for an open one)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    d.rollback("b1")
    item = d.stored_wallet()
    assert item is not None and not item["rounds"]
    item["rounds"] = {round_name("default", "r1"): OpenRound(bets=1, opened_at="2026-03-01T10:00:00Z").to_item()}
    store.put(item)  # as an older deploy left it
    with pytest.raises(NotFound) as missing:
        d.win("1.00", ref="w1", rnd="r1")
    assert missing.value.code == "round_not_found"
    assert d.wallet()["balances"]["real"] == "10.00"


def test_a_win_entry_names_its_round_memo_and_provider_and_the_round_adds_up_its_wins(moto_table: str) -> None:
    """Kills `credit_win` 127-129, 134-136, 139, 140 (the entry's round_id, memo or provider dropped) and 154,
    156 (the round's wins not added up: the closed round's record keeps the total)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    d.win("1.00", ref="w1", rnd="r1", memo="free spin")
    d.win("0.50", ref="w2", rnd="r1", round_closed=True)
    won = {e["ref_id"]: e for e in d.entries() if e["type"] == "credit"}
    assert (won["w1"]["round_id"], won["w1"]["memo"], won["w1"]["provider"]) == ("r1", "free spin", "default")
    assert "memo" not in won["w2"] or won["w2"]["memo"] is None
    closed = store.get(*repository.round_key(d.pk, "default", "r1"))
    assert closed is not None
    assert (closed["stake"], closed["wins"]) == (Decimal("2.00"), Decimal("1.50"))
    assert_ledger_consistent(d)


def test_a_closed_rounds_record_keeps_its_times_and_adds_up_late_wins(moto_table: str) -> None:
    """The closing win writes the round's record (opened when its first bet came, closed now, its wins); a late
    win on the settled round is paid and added to that record; the win's ref says it is a win. Kills
    `credit_win` 157 (wins subtracted), 161, 162 (the open time lost or replaced by the close time), 171 (no
    close time), 180, 183, 186-190 (a late win not added up) and 192-195, 200, 201 (the ref's kind and seq)."""
    d = Driver()
    at("2026-03-01T10:00:00")
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    at("2026-03-01T10:05:00")
    closing = d.win("1.00", ref="w1", rnd="r1", round_closed=True)
    key = repository.round_key(d.pk, "default", "r1")
    closed = store.get(*key)
    assert closed is not None
    assert (closed["status"], closed["opened_at"], closed["closed_at"], closed["wins"]) == (
        "closed",
        "2026-03-01T10:00:00.000000Z",
        "2026-03-01T10:05:00.000000Z",
        Decimal("1.00"),
    )
    at("2026-03-01T11:00:00")
    late = d.win("0.25", ref="w2", rnd="r1")  # a jackpot settled later
    assert late.status == 201
    assert store.get(*key)["wins"] == Decimal("1.25")  # type: ignore[index]
    ref = _stored_ref(d, "w1")
    assert (ref["kind"], ref["user_id"], ref["seq"]) == ("win", d.user_id, closing.body["transaction"]["seq"])
    assert d.wallet()["balances"]["real"] == "9.25"
    assert_ledger_consistent(d)


def test_a_rollback_of_an_unknown_ref_leaves_a_tombstone_and_says_so(moto_table: str) -> None:
    """Kills `rollback` 326-329 (the tombstone's provider), 335-340 (the 404's message) and `credit_win` 214 (a
    win ref's time)."""
    d = Driver()
    at("2026-03-01T10:00:00")
    with pytest.raises(NotFound) as missing:
        d.rollback("never")
    assert missing.value.body() == {
        "error": {
            "code": "ref_not_found",
            "message": "no bet with this ref_id; a bet that arrives later with it will be refused",
        }
    }
    stone = _stored_ref(d, "never")
    assert (stone["kind"], stone["provider"], stone["ref_id"], stone["user_id"], stone["created_at"]) == (
        "tombstone",
        "default",
        "never",
        d.user_id,
        "2026-03-01T10:00:00.000000Z",
    )
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    d.win("1.00", ref="w1", rnd="r1")
    assert _stored_ref(d, "w1")["created_at"] == "2026-03-01T10:00:00.000000Z"


def test_a_plug_in_brand_refuses_a_rollback_before_looking_for_its_bet(moto_table: str) -> None:
    """A plug_in brand's wallet moves no real money: a rollback is 409 `service_mode` first, and an unknown ref
    leaves no tombstone behind. Kills `rollback` 314, 321-323 (`real=True` dropped: the commit-time backstop
    still refuses a known bet, but an unknown ref was answered 404 and tombstoned)."""
    d = Driver(service_mode="plug_in")
    with pytest.raises(Conflict) as refused:
        d.rollback("never")
    assert refused.value.code == "service_mode"
    assert store.get(*repository.ref_key(d.who.realm, "default", "never")) is None


# ---- place_bet (the fifth run's last function) ---------------------------------------------------------


def test_a_bets_ref_keeps_the_fingerprint_earlier_deploys_stored(moto_table: str) -> None:
    """A bet's ref stores the fingerprint its retries are compared with; refs stored by earlier deploys must still
    match, so the recipe (kind, field names, the amount at the currency's exponent, the game and the closing
    flag) is part of the contract. Kills `place_bet` 22, 26-36."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2", ref="b1", rnd="r1", game_id="g-7", round_closed=True)
    body = {"amount": "2.00", "round_id": "r1", "game_id": "g-7", "closed": True}
    assert _stored_ref(d, "b1")["fingerprint"] == idempotency.fingerprint("POST", f"bet:{d.user_id}", body)


def test_a_bet_on_a_closed_round_says_why(moto_table: str) -> None:
    """Kills `place_bet` 53, 57, 58 (the 409's message dropped or changed)."""
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1", round_closed=True)
    with pytest.raises(Conflict) as refused:
        d.bet("1.00", ref="b2", rnd="r1")
    assert refused.value.body() == {"error": {"code": "round_closed", "message": "this round is already closed"}}
    assert d.wallet()["balances"]["real"] == "8.00"
    assert_ledger_consistent(d)


def test_a_bet_entry_keeps_its_split_its_xp_and_its_memo(moto_table: str) -> None:
    """The debit entry is the audit record of the stake: how much came from real and from bonus, the XP it
    earned, and the provider's memo (or the default naming the round). Kills `place_bet` 236, 243, 247 (the memo
    dropped, or the default taken for the provider's) and 252-257 (`real_amount`, `bonus_amount`, `xp` renamed)."""
    d = Driver(xp_per_unit="2", xp_daily_cap="30")
    d.call("bonus", {"amount": "5.00", "wagering_multiplier": 10})
    d.deposit("3.00")
    d.bet("5.00", ref="b1", rnd="r1")  # real first: 3.00 real, 2.00 bonus; XP from the real part only
    d.deposit("1.00")
    d.bet("1.00", ref="b2", rnd="r2", memo="spin 7")
    debits = {e["ref_id"]: e for e in d.entries() if e["type"] == "debit"}
    first, second = debits["b1"], debits["b2"]
    assert (first["real_amount"], first["bonus_amount"], first["xp"]) == (Decimal("3"), Decimal("2"), Decimal("6"))
    assert first["memo"] == "Bet placed - round_id: r1"
    assert second["memo"] == "spin 7"
    assert_ledger_consistent(d)


def test_a_closing_bet_ends_its_open_round_and_records_it(moto_table: str) -> None:
    """A bet that closes a round another bet opened: the round leaves the wallet's open rounds (its frozen stake
    goes to the house) and its record keeps currency, totals and times; the bet's ref keeps its time. Kills
    `place_bet` 291 (the open round left in the wallet beside its record), 299 (no close time), 300 (no
    currency) and 354 (the ref's `created_at` left empty). The other closing tests close a round with its only
    bet, where there is no open round to remove."""
    d = Driver()
    at("2026-03-01T10:00:00")
    d.deposit("10.00")
    d.bet("2.00", ref="b1", rnd="r1")
    assert [(r["round_id"], r["frozen"]) for r in d.wallet()["open_rounds"]] == [("r1", "2.00")]
    at("2026-03-01T10:05:00")
    d.bet("1.00", ref="b2", rnd="r1", round_closed=True)
    view = d.wallet()
    assert (view["open_rounds"], view["balances"]["real"], view["frozen"]) == ([], "7.00", "0.00")
    closed = store.get(*repository.round_key(d.pk, "default", "r1"))
    assert closed is not None
    assert {k: closed[k] for k in ("status", "currency", "stake", "bets", "opened_at", "closed_at")} == {
        "status": "closed",
        "currency": "USD",
        "stake": Decimal("3.00"),
        "bets": 2,
        "opened_at": "2026-03-01T10:00:00.000000Z",
        "closed_at": "2026-03-01T10:05:00.000000Z",
    }
    assert _stored_ref(d, "b2")["created_at"] == "2026-03-01T10:05:00.000000Z"
    assert_ledger_consistent(d)
