"""Survivors of `make mutation` in idempotency.py (docs/testing.md), each killed by a pure test.

Issue 10 #2: a replay goes only to a caller that may see the player the stored answer is about; the brand
comes from the record, or (a record written before brands were stored) from the profile read with it.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest

from pitboss import idempotency, keys, store
from pitboss.errors import ConcurrentUpdate, IdempotencyConflict

PROFILE_OF_BRAND_1: dict[tuple[str, str], dict[str, Any]] = {("T#t#live#P#u1", keys.PROFILE): {"brand_id": 1}}


def test_the_brand_written_on_the_record_decides_over_the_profile() -> None:
    # Kills _record_brand mutants 1-5 (the stored brand ignored, its attribute misspelt).
    assert idempotency._record_brand({"brand_id": "2"}, PROFILE_OF_BRAND_1) == 2


def test_a_record_from_before_brands_were_written_takes_the_profile_brand() -> None:
    # Kills _record_brand mutants 6, 8 and 9 (int(None), or the profile not consulted).
    assert idempotency._record_brand({}, PROFILE_OF_BRAND_1) == 1
    assert idempotency._record_brand({}, {}) is None


def test_a_reused_key_answers_409_with_the_key_it_was_used_under() -> None:
    # Kills _key_used mutants 2 and 4: the body names the key, so a client can tell which retry collided.
    request = idempotency.IdemRequest(realm="T#t#live", key="k-1", fingerprint="f", supplied=True)
    error = idempotency._key_used(request)
    assert isinstance(error, IdempotencyConflict)
    assert error.body() == {
        "error": {
            "code": "idempotency_key_reused",
            "message": "this idempotency_key was already used with a different request",
            "idempotency_key": "k-1",
        }
    }


def test_only_a_replay_says_deduped_and_only_a_recorded_key_is_echoed() -> None:
    # Kills Outcome.response_body mutants 3 and 7: a first answer is not "deduped", an answer with no key has none.
    assert idempotency.Outcome(status=201, body={"id": "tx_1"}).response_body() == {"id": "tx_1"}
    replayed = idempotency.Outcome(status=200, body={"id": "tx_1"}, deduped=True, idempotency_key="k-1")
    assert replayed.response_body() == {"id": "tx_1", "deduped": True, "idempotency_key": "k-1"}


def test_the_fingerprint_is_the_sha256_of_one_canonical_json() -> None:
    # Kills fingerprint mutants 2-13. Records store the fingerprint for days (the TTL): any change of the
    # canonical form (key order, separators, the method's case, Decimal as text) would answer 409 to every
    # retry of a request written before a deploy, so the form is pinned.
    body = {"b": Decimal("1.50"), "a": 1, "idempotency_key": "k-1"}
    canonical = '["POST","/v1/players/{key}/bets",{"a":1,"b":"1.50"}]'
    assert (
        idempotency.fingerprint("post", "/v1/players/{key}/bets", body)
        == hashlib.sha256(canonical.encode()).hexdigest()
    )


def test_a_supplied_key_is_kept_and_a_missing_one_is_generated() -> None:
    # Kills begin mutants 1-3.
    supplied = idempotency.begin("T#t#live", "k-1", "POST", "/r", {})
    assert (supplied.key, supplied.supplied, supplied.brands) == ("k-1", True, None)
    generated = idempotency.begin("T#t#live", None, "POST", "/r", {})
    assert generated.key.startswith("auto-") and len(generated.key) > len("auto-") and not generated.supplied


def test_the_record_stores_the_answer_status_under_its_name() -> None:
    # Kills record_op mutants 1 and 2: a replay's status is read back from "status".
    request = idempotency.IdemRequest(realm="T#t#live", key="k-1", fingerprint="f", supplied=True)
    put = idempotency.record_op(request, 201, {"id": "tx_1"}, brand_id=3)
    assert (put.item["status"], put.item["fingerprint"], put.item["brand_id"]) == (201, "f", 3)
    assert idempotency.unpack(put.item["response"]) == {"id": "tx_1"}
    assert put.condition == "attribute_not_exists(pk)"


REQUEST = idempotency.IdemRequest(realm="T#t#live", key="k-1", fingerprint="f", supplied=True)
PROFILE_KEY = ("T#t#live#P#u1", keys.PROFILE)
EFFECT = {"pk": "T#t#live#X", "sk": "EFFECT"}


def _decide(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
    assert PROFILE_KEY in items  # the flow's own reads come back to it, the record apart
    put = store.Put(dict(EFFECT), condition="attribute_not_exists(pk)")
    return idempotency.Decision(ops=[put], status=201, body={"id": "tx_1"})


def _profile() -> None:
    store.put({"pk": PROFILE_KEY[0], "sk": PROFILE_KEY[1], "brand_id": 1})


def test_execute_reads_the_flow_items_with_the_record_and_commits_once(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kills _execute mutants 1 and 2 (the read). On moto; the read is spied on, not replaced.
    _profile()
    reads: list[list[tuple[str, str]]] = []
    read = store.batch_get

    def spy(wanted: Any, **kwargs: Any) -> dict[tuple[str, str], dict[str, Any]]:
        reads.append(list(wanted))
        return read(wanted, **kwargs)

    monkeypatch.setattr(store, "batch_get", spy)
    outcome = idempotency.execute(REQUEST, [PROFILE_KEY], _decide)
    assert reads == [[PROFILE_KEY, REQUEST.item_key]]
    assert (outcome.status, outcome.body, outcome.deduped, outcome.idempotency_key) == (
        201,
        {"id": "tx_1"},
        False,
        "k-1",
    )
    record = store.get(*REQUEST.item_key)
    assert store.get(EFFECT["pk"], EFFECT["sk"]) is not None and record is not None and record["status"] == 201


def test_a_record_that_lost_the_race_answers_the_twin_s_stored_result(moto_table: str) -> None:
    # Kills _execute mutants 3-5: the record is the LAST operation; its condition failing means a twin won.
    _profile()

    def twin_commits_first(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
        # Between this request's read and its write, a twin with the same key committed its record.
        store.put(idempotency.record_op(REQUEST, 201, {"id": "tx_twin"}, brand_id=1).item)
        return idempotency.Decision(ops=[store.Put({"pk": "T#t#live#X", "sk": "OTHER"})], status=201, body={})

    outcome = idempotency.execute(REQUEST, [PROFILE_KEY], twin_commits_first, attempts=1)
    assert (outcome.status, outcome.body, outcome.deduped) == (200, {"id": "tx_twin"}, True)
    assert store.get("T#t#live#X", "OTHER") is None  # the losing transaction wrote nothing


def test_a_flow_op_that_lost_its_condition_is_a_concurrent_update_not_a_replay(moto_table: str) -> None:
    # The flow's own op failed (not the record's): re-read and decide again; with one attempt, give up.
    _profile()
    store.put(dict(EFFECT))  # the effect's condition (attribute_not_exists) now fails
    with pytest.raises(ConcurrentUpdate):
        idempotency.execute(REQUEST, [PROFILE_KEY], _decide, attempts=1)
    assert store.get(*REQUEST.item_key) is None


def test_a_replay_goes_only_to_a_caller_that_sees_its_brand() -> None:
    limited = idempotency.IdemRequest(realm="T#t#live", key="k", fingerprint="f", supplied=True, brands=frozenset({1}))
    internal = idempotency.IdemRequest(realm="T#t#live", key="k", fingerprint="f", supplied=True)
    assert limited.may_see(1) and limited.may_see(None) and not limited.may_see(2)
    assert internal.may_see(2)
