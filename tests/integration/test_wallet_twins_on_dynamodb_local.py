"""Truthful answers under concurrency (issue 10 #1), on DynamoDB Local: "Contract, under any interleaving of
identical requests: exactly one 201, every other answer 200 with "deduped": true or 409 with "retryable":
true; money moves once. An integration test on DynamoDB Local fires 20 identical requests in parallel, 20
trials, for bets (with and without round_closed), wins and rollbacks."

One player per scenario, reused by every trial (each trial its own ref and round), so the 400 requests of a
scenario cost no tenant or player set-up; the threads wait on a barrier, never on a sleep."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pitboss import store
from pitboss.errors import ConcurrentUpdate, PitbossError
from tests.wallet_support import Driver, assert_ledger_consistent

TRIALS = 20
TWINS = 20

Answer = tuple[int, str]  # (status, "applied" | "deduped" | the refusal's code)


@pytest.fixture
def patient_table(ddb_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """DynamoDB Local runs every request through one SQLite thread: on a busy 2-core machine 20 twins queue
    behind each other for longer than the Lambda client's 5 s read timeout, and botocore's retry of a timed-out
    call is the emulator's latency, not the contract under test. The same client, patient."""
    real = store.client()
    patient = boto3.client(
        "dynamodb",
        endpoint_url=real.meta.endpoint_url,
        region_name=real.meta.region_name,
        config=real.meta.config.merge(Config(read_timeout=120, retries={"max_attempts": 1})),
    )
    monkeypatch.setattr(store, "client", lambda: patient)
    return ddb_table


def _answer(call: Callable[[], Any]) -> Answer:
    try:
        out = call()
    except PitbossError as exc:
        retryable = isinstance(exc, ConcurrentUpdate) or bool(exc.details.get("retryable"))
        return exc.status, f"{exc.code}{'' if retryable else ':final'}"
    return out.status, "deduped" if out.deduped else "applied"


def _twins(pool: ThreadPoolExecutor, call: Callable[[], Any]) -> list[Answer]:
    """TWINS identical requests released together (each with its own generated idempotency key, as a
    provider's retry loop sends them)."""
    barrier = Barrier(TWINS)

    def one(_: int) -> Answer:
        barrier.wait()
        return _answer(call)

    return list(pool.map(one, range(TWINS)))


def _truthful(answers: list[Answer]) -> None:
    assert answers.count((201, "applied")) == 1, answers
    for answer in answers:
        assert answer in {(201, "applied"), (200, "deduped")} or (answer[0] == 409 and "final" not in answer[1]), (
            answer,
            answers,
        )


def _real(d: Driver) -> Decimal:
    return Decimal(d.wallet()["balances"]["real"])


@pytest.mark.parametrize("closing", [True, False], ids=["round_closed", "open_round"])
def test_twenty_identical_bets(patient_table: str, closing: bool) -> None:
    d = Driver()
    d.deposit("100.00")
    with ThreadPoolExecutor(TWINS) as pool:
        for trial in range(TRIALS):
            before = _real(d)
            body = {"amount": "1.00", "ref_id": f"bet-{trial}", "round_id": f"rb-{trial}", "round_closed": closing}
            _truthful(_twins(pool, lambda body=body: d.call("bet", body)))  # type: ignore[misc]
            assert _real(d) == before - 1, trial
    assert len(d.entries()) == 1 + TRIALS
    assert_ledger_consistent(d)


@pytest.mark.parametrize("closing", [True, False], ids=["round_closed", "open_round"])
def test_twenty_identical_wins(patient_table: str, closing: bool) -> None:
    d = Driver()
    d.deposit("100.00")
    with ThreadPoolExecutor(TWINS) as pool:
        for trial in range(TRIALS):
            d.bet("1.00", ref=f"wb-{trial}", rnd=f"rw-{trial}")
            before = _real(d)
            body = {"amount": "2.00", "ref_id": f"win-{trial}", "round_id": f"rw-{trial}", "round_closed": closing}
            _truthful(_twins(pool, lambda body=body: d.call("win", body)))  # type: ignore[misc]
            assert _real(d) == before + 2, trial
    assert len(d.entries()) == 1 + 2 * TRIALS
    assert_ledger_consistent(d)


def test_twenty_identical_rollbacks(patient_table: str) -> None:
    d = Driver()
    d.deposit("100.00")
    with ThreadPoolExecutor(TWINS) as pool:
        for trial in range(TRIALS):
            d.bet("1.00", ref=f"rb-{trial}", rnd=f"rr-{trial}")
            before = _real(d)
            body = {"ref_id": f"rb-{trial}"}
            _truthful(_twins(pool, lambda body=body: d.call("rollback", body)))  # type: ignore[misc]
            assert _real(d) == before + 1, trial
    assert len(d.entries()) == 1 + 2 * TRIALS
    assert_ledger_consistent(d)
