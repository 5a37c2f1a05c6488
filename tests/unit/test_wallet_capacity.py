"""What a movement writes, by size: each stored answer is packed and kept once per item that must keep it,
a rollback never rewrites its bet's ref, and older (text) answers still replay. DynamoDB bills a
transactional write 2 WCU per started KB of each item, so these sizes are the cost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pitboss import keys, observability, store
from pitboss.wallet import repository
from pitboss.wallet.output import movement_answer
from tests.wallet_support import Driver, assert_ledger_consistent

KB = 1024


def _idem_record(d: Driver, key: str) -> dict[str, Any]:
    record = store.get(keys.idempotency_pk(d.who.realm, key), "IDEM")
    assert record is not None
    return record


def test_answers_are_packed_and_each_item_stays_within_one_write_unit(table: str) -> None:
    """A player with 20 open rounds: every round is in the wallet item and in each answer's wallet view,
    but the ref and the idempotency record that keep the win's answer stay under 1 KB each."""
    d = Driver()
    d.deposit("100.00")
    for i in range(20):
        d.bet("1.00", rnd=f"open-{i}")
    win = d.call("win", {"amount": "0.50", "ref_id": "w-cap", "round_id": "open-0", "round_closed": True}, "cap-key")
    assert len(win.body["wallet"]["open_rounds"]) == 19
    ref = store.get(*repository.ref_key(d.who.realm, "default", "w-cap"))
    record = _idem_record(d, "cap-key")
    assert ref is not None
    for item in (ref, record):
        assert isinstance(item["response"], bytes)  # packed, not JSON text
        assert store.item_size(item) < KB, store.item_size(item)
    assert_ledger_consistent(d)


def test_a_rollback_keeps_its_answer_in_its_own_item_and_leaves_the_bets_ref_alone(table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    d.bet("2.00", ref="rb-cap", rnd="R")
    bet_ref = repository.ref_key(d.who.realm, "default", "rb-cap")
    before = store.get(*bet_ref)
    first = d.rollback("rb-cap")
    assert store.get(*bet_ref) == before  # not rewritten: its write units are not paid again
    kept = store.get(*repository.rollback_key(bet_ref))
    assert kept is not None and store.item_size(kept) < KB
    again = d.rollback("rb-cap")
    assert again.deduped and again.body == first.body
    assert_ledger_consistent(d)


def test_answers_stored_as_text_before_packing_still_replay(table: str) -> None:
    """Items written before answers were packed: a ref, an idempotency record, a rolled-back bet's ref
    (its rollback answer on the ref itself) and a settled withdrawal, all with JSON text."""
    d = Driver()
    d.deposit("10.00")
    bet = d.call("bet", {"amount": "1.00", "ref_id": "old-1", "round_id": "R"}, "old-key")
    ref_key = repository.ref_key(d.who.realm, "default", "old-1")
    ref = store.get(*ref_key)
    assert ref is not None
    store.put({**ref, "response": json.dumps(bet.body)})
    record = _idem_record(d, "old-key")
    store.put({**record, "response": json.dumps(bet.body)})
    assert d.call("bet", {"amount": "1.00", "ref_id": "old-1", "round_id": "R"}, "old-key").body == bet.body
    assert d.call("bet", {"amount": "1.00", "ref_id": "old-1", "round_id": "R"}, "new-key").body == bet.body
    legacy_answer = {**bet.body, "note": "a rollback answered before rollbacks had their own item"}
    store.put({**ref, "rollback_seq": 99, "rollback_response": json.dumps(legacy_answer)})
    replayed = d.rollback("old-1")
    assert replayed.deduped and replayed.body == legacy_answer
    wd = d.call("withdraw", {"amount": "1.00"}).body["withdrawal"]["id"]
    done = d.settle(wd, "cancel")
    stored = store.get(*repository.withdrawal_key(d.pk, wd))
    assert stored is not None
    store.put({**stored, "outcome_response": json.dumps(done.body)})
    assert d.settle(wd, "cancel").body == done.body
    # An answer stored before the wallet view listed open rounds still maps to the route's model.
    older = {**bet.body, "wallet": {k: v for k, v in bet.body["wallet"].items() if k != "open_rounds"}}
    store.put({**ref, "response": json.dumps(older)})
    replay = d.call("bet", {"amount": "1.00", "ref_id": "old-1", "round_id": "R"}, "newer-key")
    assert replay.body == older and movement_answer(replay).wallet.open_rounds == []


def test_each_applied_movement_is_counted_by_type(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    counted: list[tuple[str, dict[str, str]]] = []
    monkeypatch.setattr(observability, "count", lambda name, **dims: counted.append((name, dims)))
    d = Driver()
    d.call("deposit", {"amount": "10.00"}, "m-1")
    d.call("deposit", {"amount": "10.00"}, "m-1")  # a replay moves nothing and counts nothing
    d.bet("1.00", ref="m-bet", rnd="R")
    before = len(counted)
    d.bet("1.00", ref="m-bet", rnd="R")  # a provider's retry of its ref: a replay, no movement
    assert counted[before:] == [("IdempotentReplay", {})]
    d.win("2.00", rnd="R", round_closed=True)
    with pytest.raises(Exception, match="insufficient"):
        d.call("withdraw", {"amount": "1000.00"})  # refused: counted by the HTTP layer, not here
    assert [c for c in counted if c[0] != "IdempotentReplay"] == [
        ("Movement", {"type": "deposit"}),
        ("Movement", {"type": "debit"}),
        ("Movement", {"type": "credit"}),
    ]
