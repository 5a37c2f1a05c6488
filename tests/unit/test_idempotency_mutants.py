"""Survivors of `make mutation` in idempotency.py (docs/testing.md), each killed by a pure test.

Issue 10 #2: a replay goes only to a caller that may see the player the stored answer is about; the brand
comes from the record, or (a record written before brands were stored) from the profile read with it.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from pitboss import clock, idempotency, keys, store
from pitboss.errors import ConcurrentUpdate, Forbidden, IdempotencyConflict, PitbossError, TransactionCancelled
from pitboss.principal import Brand, Principal
from pitboss.settings import get_settings

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


# ---- the fifth run (2026-12-01): every mutant of idempotency.py, today's numbering ---------------------------

BRAND_2_ONLY = idempotency.IdemRequest(
    realm="T#t#live", key="k-1", fingerprint="f", supplied=True, brands=frozenset({2})
)


@pytest.fixture
def emf(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict[str, Any]]]:
    """Metrics on (tests turn them off), and a reader of the EMF lines printed since."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    return lambda: [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]


def test_a_replay_answers_the_stored_body_and_is_counted_another_request_is_409(emf: Any) -> None:
    # Kills replay mutants 5 (the 409 names the key) and 7-9 (the IdempotentReplay metric's name); also asserts
    # the replay's status 200, stored body and deduped flag.
    record = idempotency.record_op(REQUEST, 201, {"id": "tx_1"}).item
    outcome = idempotency.replay(record, REQUEST)
    assert (outcome.status, outcome.body, outcome.deduped) == (200, {"id": "tx_1"}, True)
    assert [line["IdempotentReplay"] for line in emf() if "IdempotentReplay" in line] == [[1.0]]
    with pytest.raises(IdempotencyConflict) as refused:
        idempotency.replay({**record, "fingerprint": "other"}, REQUEST)
    assert refused.value.body()["error"]["idempotency_key"] == "k-1"


def test_the_record_keeps_a_compact_answer_its_creation_and_a_ttl_of_the_configured_days() -> None:
    # Kills record_op mutants 16, 17, 19, 20 and 22 (created_at and ttl: DynamoDB deletes the record at `ttl`)
    # and pack mutants 3, 4 and 6-8 (compact JSON, Decimals as text: write units follow size).
    put = idempotency.record_op(REQUEST, 201, {"id": "tx_1", "amount": Decimal("1.50")})
    created = clock.parse_iso(put.item["created_at"])
    days = get_settings().idempotency_ttl_days
    assert put.item["ttl"] == int((created + timedelta(days=days)).timestamp())
    assert abs(put.item["ttl"] - (time.time() + days * 86400)) < 60
    assert zlib.decompress(put.item["response"]) == b'{"id":"tx_1","amount":"1.50"}'
    assert "brand_id" not in put.item  # an answer about no one player names no brand


def test_a_principal_s_request_carries_its_realm_its_visible_brands_and_its_fingerprint() -> None:
    # Kills begin mutants 8-10, 12, 14, 19, 21 and 22: a route's caller is a Principal, whose replays are limited
    # to its brands.
    brands = {n: Brand(brand_id=n, tenant_id="t", name=f"B{n}", currency="USD") for n in (1, 2, 3)}
    who = Principal(tenant_id="t", mode="live", key_id="k", scopes=[], brand_ids=[3, 1], brands=brands)
    request = idempotency.begin(who, "k-1", "PATCH", "/r", {"a": 1})
    assert request == idempotency.IdemRequest(
        realm=keys.realm("t", "live"),
        key="k-1",
        fingerprint=idempotency.fingerprint("PATCH", "/r", {"a": 1}),
        supplied=True,
        brands=frozenset({1, 3}),
    )
    assert request.fingerprint != idempotency.fingerprint("PATCH", "/r", {})


def test_the_profile_brand_is_read_from_the_profile_only() -> None:
    # Kills _profile_brand mutants 1 and 2 (another item's brand_id taken for the player's).
    items = {("T#t#live#X", "WALLET"): {"brand_id": 9}, PROFILE_KEY: {"brand_id": "1"}}
    assert idempotency._profile_brand(items) == 1
    assert idempotency._profile_brand({PROFILE_KEY: {}}) is None


def _record(brand_id: int | None, fingerprint: str = "f") -> None:
    request = idempotency.IdemRequest(realm="T#t#live", key="k-1", fingerprint=fingerprint, supplied=True)
    store.put(idempotency.record_op(request, 201, {"id": "tx_brand_1"}, brand_id=brand_id).item)


def test_a_record_in_the_caller_s_brands_is_replayed_without_deciding_again(moto_table: str) -> None:
    # Kills _execute mutants 9, 10 and 16-23: a visible record (here by the profile: written before brands were)
    # replays.
    _profile()
    _record(None)
    limited = idempotency.IdemRequest(
        realm="T#t#live", key="k-1", fingerprint="f", supplied=True, brands=frozenset({1})
    )

    def must_not_decide(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
        raise AssertionError("a replay decides nothing")

    outcome = idempotency.execute(limited, [PROFILE_KEY], must_not_decide)
    assert (outcome.status, outcome.body, outcome.deduped, outcome.idempotency_key) == (
        200,
        {"id": "tx_brand_1"},
        True,
        "k-1",
    )


@pytest.mark.parametrize("stored_brand", [1, None], ids=["named on the record", "the profile's (an older record)"])
def test_a_record_the_caller_may_not_see_is_decided_afresh_and_a_write_is_409(
    moto_table: str, stored_brand: int | None
) -> None:
    # Kills _execute mutants 15-19 and 27: the flow answers (its own refusal), and a write it decides is a 409
    # naming the key, never the stored answer; nothing is written.
    _profile()
    _record(stored_brand)
    refused = idempotency.Outcome(status=404, body={"error": {"code": "player_not_found"}})
    assert idempotency.execute(BRAND_2_ONLY, [PROFILE_KEY], lambda _items: refused) is refused
    with pytest.raises(IdempotencyConflict) as conflict:
        idempotency.execute(BRAND_2_ONLY, [PROFILE_KEY], _decide)
    assert conflict.value.body() == idempotency._key_used(BRAND_2_ONLY).body()
    assert store.get(EFFECT["pk"], EFFECT["sk"]) is None


@pytest.mark.parametrize(
    ("profile", "decided", "recorded"),
    [(True, 5, 5), (True, None, 1), (False, None, None)],
    ids=["the decision's brand", "else the profile's", "else none"],
)
def test_the_record_names_the_decision_s_brand_else_the_profile_s(
    moto_table: str, profile: bool, decided: int | None, recorded: int | None
) -> None:
    # Kills _execute mutants 28-31, 36, 37, 40 and 41: the record's brand, status and answer as written with the
    # effect.
    if profile:
        _profile()

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
        put = store.Put(dict(EFFECT), condition="attribute_not_exists(pk)")
        return idempotency.Decision(ops=[put], status=202, body={"id": "tx_2"}, brand_id=decided)

    outcome = idempotency.execute(REQUEST, [PROFILE_KEY], decide)
    record = store.get(*REQUEST.item_key)
    assert record is not None and record.get("brand_id") == recorded
    assert (record["status"], idempotency.unpack(record["response"]), record["fingerprint"]) == (
        202,
        {"id": "tx_2"},
        "f",
    )
    assert (outcome.status, outcome.body, outcome.deduped) == (202, {"id": "tx_2"}, False)


@pytest.mark.parametrize("twin_brand", [1, None], ids=["named on the record", "the profile's (an older record)"])
def test_a_twin_that_won_the_race_for_a_player_the_caller_may_not_see_is_409(
    moto_table: str, twin_brand: int | None
) -> None:
    # Kills _execute mutants 49, 51 and 54: the winner's answer goes only to a caller that may see its brand.
    _profile()

    def twin_commits_first(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
        _record(twin_brand)
        return idempotency.Decision(ops=[store.Put(dict(EFFECT))], status=201, body={})

    with pytest.raises(IdempotencyConflict) as conflict:
        idempotency.execute(BRAND_2_ONLY, [PROFILE_KEY], twin_commits_first, attempts=1)
    assert conflict.value.body()["error"]["idempotency_key"] == "k-1"
    assert store.get(EFFECT["pk"], EFFECT["sk"]) is None


def test_a_cancelled_write_is_the_flow_s_own_refusal_when_it_names_one(moto_table: str) -> None:
    # Kills _execute mutants 59, 61 and 62: on_cancel maps the cancellation (it reads which op failed).
    store.put(dict(EFFECT))

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
        put = store.Put(dict(EFFECT), condition="attribute_not_exists(pk)")

        def on_cancel(exc: TransactionCancelled) -> PitbossError | None:
            return Forbidden("the effect exists", code="effect_exists") if exc.failed(0) else None

        return idempotency.Decision(ops=[put], status=201, body={}, on_cancel=on_cancel)

    with pytest.raises(Forbidden, match="the effect exists"):
        idempotency.execute(REQUEST, [], decide)
    assert store.get(*REQUEST.item_key) is None


def test_a_transaction_conflict_is_retried_not_mapped_and_counted_under_its_loop(
    moto_table: str, monkeypatch: pytest.MonkeyPatch, emf: Any
) -> None:
    # Kills _execute mutants 2, 4-6 (the retry loop's name in the Retry metric), 60 (a conflict handed to
    # on_cancel) and 64 (`continue` -> `break`: no second attempt). Neither moto nor DynamoDB
    # Local raises TransactionConflict: the store's first transaction answers it (as store.transact raises it),
    # the second goes through to moto.
    real_transact, tries, committed = store.transact, [], []

    def conflict_once(ops: list[store.Op]) -> None:
        tries.append(len(ops))
        if len(tries) == 1:
            raise TransactionCancelled(["TransactionConflict"] * len(ops))
        real_transact(ops)

    monkeypatch.setattr(store, "transact", conflict_once)

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
        put = store.Put(dict(EFFECT), condition="attribute_not_exists(pk)")
        return idempotency.Decision(
            ops=[put],
            status=201,
            body={"id": "tx_1"},
            on_cancel=lambda _exc: Forbidden("not for a conflict"),
            after_commit=lambda: committed.append(True),
        )

    outcome = idempotency.execute(REQUEST, [], decide)
    assert (outcome.status, outcome.body, tries, committed) == (201, {"id": "tx_1"}, [2, 2], [True])
    assert [line["loop"] for line in emf() if "Retry" in line] == ["idempotent_write"]
    assert store.get(EFFECT["pk"], EFFECT["sk"]) is not None


def test_the_attempts_are_bounded_by_the_caller_and_then_a_409_says_to_retry(moto_table: str) -> None:
    # Kills _execute mutants 3 (the default of 6 attempts instead of the caller's), 64 (no second attempt) and
    # 70-72 (the 409's message).
    store.put(dict(EFFECT))
    decided: list[int] = []

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> idempotency.Decision:
        decided.append(1)
        return _decide({PROFILE_KEY: {}})

    with pytest.raises(ConcurrentUpdate) as gave_up:
        idempotency.execute(REQUEST, [], decide, attempts=2)
    assert len(decided) == 2
    assert gave_up.value.body() == {
        "error": {
            "code": "concurrent_update",
            "message": "too many concurrent changes to this record; retry with the same idempotency_key",
        }
    }
