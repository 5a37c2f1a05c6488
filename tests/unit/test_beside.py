"""A request's usage count runs beside the route (pitboss.beside) instead of before it: it overlaps the route's
own DynamoDB calls, is finished before the handler answers, and its round trip is still counted as the
request's. Over the wallet's Lambda handler, on moto."""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

import pytest

from pitboss import beside, clock, store, tenancy
from pitboss.reports import repository as usage_repository
from pitboss.reports import usage
from pitboss.wallet import queries
from pitboss_local import template
from pitboss_local.runtime import LambdaContext, load_handler
from tests.conftest import load_event
from tests.unit.test_wallet_edge import WALLET_ROUTES, _event, _handler
from tests.wallet_support import Driver

WALLET_READ = next(r for r in WALLET_ROUTES if r.method == "GET" and r.path.endswith("/wallet"))


def _caller(d: Driver) -> dict[str, str]:
    raw, _ = tenancy.create_key(d.tenant.tenant_id, "live", scopes=["*"])
    return tenancy.authenticate(f"Bearer {raw}").to_context()


def _v1_requests(d: Driver) -> tuple[int, int]:
    today = clock.now().date().isoformat()
    found = usage.realm_report(d.tenant.tenant_id, "live", today, today).total.requests.get("v1")
    return (found.read, found.write) if found else (0, 0)


def test_the_count_overlaps_the_route_and_is_done_before_the_answer(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = Driver()
    d.deposit("10.00")
    who = _caller(d)
    handler, _ = _handler()
    route_started = threading.Event()
    seen: dict[str, Any] = {}
    read_wallet, add_usage = queries.get_wallet, usage_repository.add_usage

    def get_wallet(*args: Any, **kwargs: Any) -> Any:
        route_started.set()
        return read_wallet(*args, **kwargs)

    def count(realm: str, day: str, counts: dict[str, int]) -> None:
        # Counted first and alone (as before), this waits out its bound and finds the route not started.
        seen["route_ran_beside"] = route_started.wait(timeout=5)
        add_usage(realm, day, counts)
        seen["counted"] = counts

    monkeypatch.setattr(queries, "get_wallet", get_wallet)
    monkeypatch.setattr(usage_repository, "add_usage", count)
    response = handler(_event(WALLET_READ, who, d.user_id), LambdaContext("wallet"))
    assert response["statusCode"] == 200, response["body"]
    # answered only once the count was in: nothing of it runs after the handler returns
    assert seen == {"route_ran_beside": True, "counted": {"req:v1:read": 1}}
    assert _v1_requests(d) == (1, 0)


def test_the_counts_round_trip_is_the_requests(moto_table: str) -> None:
    d = Driver()
    d.deposit("10.00")
    who = _caller(d)
    handler, _ = _handler()
    before = store.round_trips.count
    response = handler(_event(WALLET_READ, who, d.user_id), LambdaContext("wallet"))
    assert response["statusCode"] == 200, response["body"]
    assert store.round_trips.count - before == 2  # the wallet read and the usage count
    assert _v1_requests(d) == (1, 0)


def test_a_failed_count_is_logged_and_the_request_answered(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = Driver()
    d.deposit("10.00")
    who = _caller(d)
    handler, _ = _handler()
    warned: list[str] = []

    def refuse(*_args: Any) -> None:
        raise store.ConcurrentUpdate("usage shard busy")

    monkeypatch.setattr(usage_repository, "add_usage", refuse)
    monkeypatch.setattr(usage.logger, "warning", lambda message, **_kw: warned.append(message))
    response = handler(_event(WALLET_READ, who, d.user_id), LambdaContext("wallet"))
    assert response["statusCode"] == 200, response["body"]
    assert warned == ["usage request count failed"]


def test_settle_waits_only_for_what_its_own_thread_started() -> None:
    other_started, release = threading.Event(), threading.Event()
    done: list[str] = []

    def elsewhere() -> None:
        beside.run(lambda: (other_started.set(), release.wait(timeout=5), done.append("other")))
        # this thread's settle is the one that waits for it
        beside.settle()

    other = threading.Thread(target=elsewhere)
    other.start()
    assert other_started.wait(timeout=5)
    beside.run(lambda: done.append("mine"))
    beside.settle()  # returns although the other thread's piece is still waiting
    assert done == ["mine"]
    release.set()
    other.join(timeout=5)
    assert done == ["mine", "other"]


def test_a_usage_report_counts_the_request_asking_for_it(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /v1/usage is itself a metered read: its count (beside the route) is awaited before the counters are
    read, so the report includes it, however the two threads would otherwise interleave."""
    d = Driver()
    who = _caller(d)
    handler = load_handler(template.functions()["ReportsFunction"], 7001)
    read_done = threading.Event()
    read_days, add_usage = usage_repository.usage_days, usage_repository.add_usage

    def usage_days(*args: Any, **kwargs: Any) -> Any:
        try:
            return read_days(*args, **kwargs)
        finally:
            read_done.set()

    def count_after_any_read(realm: str, day: str, counts: dict[str, int]) -> None:
        read_done.wait(timeout=0.3)  # unawaited, the count lands after the report's read
        add_usage(realm, day, counts)

    monkeypatch.setattr(usage_repository, "usage_days", usage_days)
    monkeypatch.setattr(usage_repository, "add_usage", count_after_any_read)
    today = clock.now().date().isoformat()
    event = copy.deepcopy(load_event("reports__get__v1_usage"))
    event["rawQueryString"] = f"from={today}&to={today}"
    event["queryStringParameters"] = {"from": today, "to": today}
    event["requestContext"]["authorizer"]["lambda"] = who
    response = handler(event, LambdaContext("reports"))
    assert response["statusCode"] == 200, response["body"]
    assert json.loads(response["body"])["total"]["requests"]["v1"] == {"read": 1, "write": 0}


def test_when_no_thread_can_start_the_work_runs_in_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_self: Any) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(beside._Piece, "start", refuse)
    done: list[str] = []
    beside.run(lambda: done.append(threading.current_thread().name))
    assert done == [threading.current_thread().name]  # done already, here
    beside.settle()


def test_settled_pieces_cpu_is_counted_for_the_thread_that_waited() -> None:
    before = beside.cpu_seconds()
    beside.run(lambda: sum(i * i for i in range(200_000)))
    beside.settle()
    assert beside.cpu_seconds() > before
