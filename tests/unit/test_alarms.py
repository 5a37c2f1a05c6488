"""Issue 14 §6: the alarms an on-call engineer needs, in template.yaml, each notifying the AlarmTopicArn topic."""

from __future__ import annotations

from typing import Any

import pytest

from pitboss import observability
from pitboss_local import template

TOPIC = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}


def _resources() -> dict[str, Any]:
    resources: dict[str, Any] = template.load()["Resources"]
    return resources


def _alarms() -> dict[str, dict[str, Any]]:
    return {n: r["Properties"] for n, r in _resources().items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def _functions() -> list[str]:
    return sorted(n for n, r in _resources().items() if r["Type"] == "AWS::Serverless::Function")


def test_every_alarm_notifies_the_topic_given_as_a_parameter() -> None:
    assert template.load()["Parameters"]["AlarmTopicArn"]["Type"] == "String"
    assert _alarms()
    for name, alarm in _alarms().items():
        assert alarm["AlarmActions"] == TOPIC and alarm["OKActions"] == TOPIC, name
        assert alarm.get("AlarmDescription"), name


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_its_errors_and_throttles_alarms(metric: str) -> None:
    """A new function fails here until it gets both alarms (name them `<Function><Metric>Alarm`)."""
    for function in _functions():
        alarm = _alarms().get(f"{function}{metric}Alarm")
        assert alarm is not None, f"{function} has no {metric} alarm"
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/Lambda", metric, "Sum")
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)


def test_the_api_5xx_rate_alarm_divides_5xx_by_requests() -> None:
    alarm = _alarms()["Api5xxRateAlarm"]
    by_id = {m["Id"]: m for m in alarm["Metrics"]}
    for metric_id, name in (("errors", "5xx"), ("requests", "Count")):
        metric = by_id[metric_id]["MetricStat"]["Metric"]
        assert (metric["Namespace"], metric["MetricName"]) == ("AWS/ApiGateway", name)
        assert metric["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    assert "errors / requests" in by_id["rate"]["Expression"] and by_id["rate"]["ReturnData"] is True
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 1)


def test_wallet_p99_above_60_ms_alarms() -> None:
    alarm = _alarms()["WalletLatencyAlarm"]
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "WalletFunction"}}]
    assert (alarm["MetricName"], alarm["ExtendedStatistic"], alarm["Unit"]) == ("Duration", "p99", "Milliseconds")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 60)


def test_missed_scheduler_runs_alarm_on_the_heartbeat_the_scheduler_counts() -> None:
    alarm = _alarms()["SchedulerMissedRunsAlarm"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (observability.NAMESPACE, "SchedulerRun")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": observability.SERVICE}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["TreatMissingData"]) == (
        "LessThanThreshold",
        1,
        "breaching",  # no heartbeat at all is exactly the missed run
    )
    assert alarm["Period"] == 60 and alarm["EvaluationPeriods"] >= 2


def test_one_scheduler_run_at_a_time_and_the_access_logs_outlive_the_stack() -> None:
    resources = _resources()
    assert resources["SchedulerFunction"]["Properties"]["ReservedConcurrentExecutions"] == 1
    logs = resources["HttpApiAccessLogs"]
    assert (logs["DeletionPolicy"], logs["UpdateReplacePolicy"]) == ("Retain", "Retain")
