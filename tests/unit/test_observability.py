"""Operator metrics: refusals by code, idempotent replays, lock retries and scheduler work, as EMF lines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pitboss import observability, retry
from pitboss.players import expiry
from tests.dossier_support import T0, new_player, principal, write
from tests.support import at, make_tenant
from tests.unit.test_http_contract import _app, _get


@pytest.fixture
def emf(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Metrics on (tests turn them off), and a reader of the EMF lines printed since."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    def lines() -> list[dict[str, Any]]:
        found = []
        for line in capsys.readouterr().out.splitlines():
            if line.startswith("{") and "_aws" in line:
                found.append(json.loads(line))
        return found

    return lines


def _counts(lines: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [line for line in lines if name in line]


def test_count_emits_one_emf_line_with_its_dimensions(emf: Any) -> None:
    observability.count("Movement", 2, type="bet")
    [line] = emf()
    assert line["Movement"] == [2.0] and line["type"] == "bet" and line["service"] == "pitboss"
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "Pitboss" and set(directive["Dimensions"][0]) == {"type", "service"}


def test_count_is_silent_when_metrics_are_disabled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    observability.count("Movement", type="bet")
    assert capsys.readouterr().out == ""


def test_refusals_and_failures_are_counted_by_code(emf: Any) -> None:
    app = _app()
    _get(app, "/nowhere")
    _get(app, "/drifted")
    lines = emf()
    assert [(line["surface"], line["code"]) for line in _counts(lines, "Refused")] == [("v1", "no_route")]
    assert [line["kind"] for line in _counts(lines, "Failed")] == ["response_invalid"]


def test_lock_retries_are_counted_by_loop(emf: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "pause", lambda _attempt: None)
    for _ in retry.attempts(3, what="profile"):
        pass
    assert [line["loop"] for line in _counts(emf(), "Retry")] == ["profile", "profile"]


def test_idempotent_replays_are_counted(moto_table: str, emf: Any) -> None:
    at(T0)
    who = principal(make_tenant().live_key)
    uid = new_player(who)["user_id"]
    write(who, "notes", uid, {"text": "hello"}, "note-1")
    assert not _counts(emf(), "IdempotentReplay")
    assert write(who, "notes", uid, {"text": "hello"}, "note-1").deduped
    assert len(_counts(emf(), "IdempotentReplay")) == 1


def test_scheduler_work_is_counted(moto_table: str, emf: Any) -> None:
    at(T0)
    who = principal(make_tenant().live_key)
    uid = new_player(who)["user_id"]
    write(who, "rg", uid, {"cooloff_until": "2026-11-24T12:00:00Z"})
    observability.metrics.clear_metrics()
    at(T0.replace(day=25))
    report = expiry.run()
    assert report.settled == 1
    by_type = _counts(emf(), "ExpiryEventsByType")
    assert [(line["type"], line["ExpiryEventsByType"]) for line in by_type] == [("cooloff_ended", [1.0])]
    observability.metrics.flush_metrics()
    [flushed] = _counts(emf(), "ExpiryPlayersSettled")
    assert flushed["ExpiryPlayersSettled"] == [1.0] and flushed["ExpiryEvents"] == [1.0]


def test_every_scheduler_run_beats_even_with_nothing_due(moto_table: str, emf: Any) -> None:
    """Issue 14 §6: "scheduler runs missed" is an alarm on the heartbeat each completed run counts."""
    from pitboss_local import template
    from pitboss_local.runtime import LambdaContext, load_handler
    from tests.conftest import load_event

    handler = load_handler(template.functions()["SchedulerFunction"], 1001)
    for _ in range(2):
        handler(load_event("scheduler__schedule"), LambdaContext(function_name="SchedulerFunction"))
    beats = _counts(emf(), "SchedulerRun")
    assert [(line["SchedulerRun"], line["service"]) for line in beats] == [([1.0], "pitboss")] * 2
