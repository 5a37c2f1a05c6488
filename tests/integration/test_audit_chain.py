"""Tamper-evident history on DynamoDB Local (issue 14 §5): "A test edits a stored event in DynamoDB Local and
sees the break reported." Real movements and dossier writes, then the stored items are tampered with."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from pitboss import chain, keys, store
from pitboss.audit import verify
from pitboss.errors import ConcurrentUpdate
from tests import dossier_support as dossier
from tests.wallet_support import Driver, assert_ledger_consistent


def _history(d: Driver) -> None:
    d.deposit("50.00")
    d.bet("5.00", ref="b1", rnd="r1")
    d.win("7.50", rnd="r1", round_closed=True)
    dossier.write(d.who, "status", d.user_id, {"status": "suspended", "reason": "document check"})
    dossier.write(d.who, "notes", d.user_id, {"text": "a note: written without the profile"})
    dossier.write(d.who, "status", d.user_id, {"status": "active", "reason": "documents fine"})


def _items(d: Driver, prefix: str) -> list[dict[str, Any]]:
    return list(store.query_all(d.pk, sk_prefix=prefix, consistent=True))


def test_real_history_verifies_and_every_item_is_chained(ddb_table: str) -> None:
    d = Driver()
    _history(d)
    events, entries = _items(d, "EVT#"), _items(d, "TX#")
    out = verify.verify_user(d.who.realm, d.user_id)
    assert out.ok and out.first_broken is None
    assert out.checked == len(events) + len(entries) and out.unchained == 0
    assert all("hash" in i for i in events + entries)
    # "the chain head lives on the profile / wallet item the transaction already writes"
    profile, wallet = store.get(d.pk, keys.PROFILE), store.get(d.pk, keys.WALLET)
    assert profile and wallet
    assert profile[chain.HEAD] in {e["hash"] for e in events}
    assert wallet[chain.HEAD] == max(entries, key=lambda e: int(e["seq"]))["hash"]
    note = next(e for e in events if e["type"] == "note_added")
    assert "prev_hash" not in note  # the documented exception: sealed alone


def test_an_edited_event_is_reported_as_the_first_broken_link(ddb_table: str) -> None:
    d = Driver()
    _history(d)
    events = _items(d, "EVT#")
    victim = next(e for e in events if e["type"] == "status_changed")
    store.put({**victim, "data": {**victim["data"], "reason": "nothing to see here"}})
    out = verify.verify_user(d.who.realm, d.user_id)
    assert not out.ok and out.first_broken is not None
    assert (out.first_broken.reason, out.first_broken.kind, out.first_broken.id) == (
        "content_changed",
        "event",
        victim["id"],
    )


def test_an_edited_and_rehashed_ledger_entry_breaks_the_link_after_it(ddb_table: str) -> None:
    d = Driver()
    _history(d)
    first = _items(d, "TX#")[0]
    forged = {**first, "amount": Decimal("5000.00")}
    forged["hash"] = chain.digest(forged)  # the forger knows the algorithm: the next link still breaks
    store.put(forged)
    out = verify.verify_user(d.who.realm, d.user_id)
    assert not out.ok and out.first_broken is not None
    assert (out.first_broken.kind, out.first_broken.seq) == ("entry", 1)


def test_a_deleted_newest_entry_is_reported(ddb_table: str) -> None:
    d = Driver()
    _history(d)
    last = _items(d, "TX#")[-1]
    store.transact([store.Delete(last["pk"], last["sk"])])
    out = verify.verify_user(d.who.realm, d.user_id)
    # The head names a missing entry; the entry before it is now the top of a chain no head leads to.
    assert not out.ok and out.first_broken is not None
    assert (out.first_broken.reason, out.first_broken.seq) == ("not_on_chain", int(last["seq"]) - 1)


def test_concurrent_movements_never_fork_the_chain(ddb_table: str) -> None:
    d = Driver()
    d.deposit("100.00")

    def act(i: int) -> None:
        for _ in range(8):
            try:
                if i % 2:
                    d.bet("1.00", ref=f"cb-{i}", rnd=f"cr-{i}", round_closed=True)
                else:
                    d.deposit("1.00")
                return
            except ConcurrentUpdate:
                continue

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(act, range(16)))
    assert_ledger_consistent(d)
    out = verify.verify_user(d.who.realm, d.user_id)
    assert out.ok, out
    assert out.checked == len(_items(d, "EVT#")) + len(_items(d, "TX#"))


def test_history_written_before_the_chain_is_unchained_and_the_chain_starts_at_the_next_write(
    ddb_table: str,
) -> None:
    d = Driver()
    d.deposit("10.00")
    for item in _items(d, "TX#") + _items(d, "EVT#"):  # as if written before this release
        store.put({k: v for k, v in item.items() if k not in ("hash", "prev_hash")})
    for sk in (keys.PROFILE, keys.WALLET):
        anchor = store.get(d.pk, sk)
        assert anchor
        store.put({k: v for k, v in anchor.items() if k != chain.HEAD})
    before = verify.verify_user(d.who.realm, d.user_id)
    assert before.ok and before.checked == 0 and before.unchained >= 2
    d.deposit("5.00")
    after = verify.verify_user(d.who.realm, d.user_id)
    assert after.ok and after.checked == 2 and after.unchained == before.unchained  # an entry and its event
