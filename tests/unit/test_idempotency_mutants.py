"""Survivors of `make mutation` in idempotency.py (docs/testing.md), each killed by a pure test.

Issue 10 #2: a replay goes only to a caller that may see the player the stored answer is about; the brand
comes from the record, or (a record written before brands were stored) from the profile read with it.
"""

from __future__ import annotations

from typing import Any

from pitboss import idempotency, keys
from pitboss.errors import IdempotencyConflict

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
