"""Alarms notify the topic; the dashboard shows the engine's metrics; own alarms never trigger sweeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Capture, Template

from infra import constants as c
from infra.monitoring import ReprotectMonitoring
from tests.infra.conftest import bare_stack, resources, stub_function, synthesize, template_of

ENGINE_DIMENSIONS = [{"Name": "service", "Value": "drs-reprotect"}]


def alarms_by_name(template: Template) -> dict[str, dict[str, Any]]:
    found = resources(template, "AWS::CloudWatch::Alarm").values()
    return {alarm["Properties"]["AlarmName"]: alarm["Properties"] for alarm in found}


def test_six_alarms_each_notifying_the_topic(template: Template) -> None:
    topic = {"Ref": next(iter(template.find_resources("AWS::SNS::Topic")))}
    alarms = alarms_by_name(template)
    assert sorted(alarms) == [
        f"reprotect-tool-DrsReprotect-{purpose}"
        for purpose in (
            "failed-invocations-dead-letters",
            "function-errors",
            "rules-dead-letters",
            "run-failed",
            "schedule-dead-letters",
            "servers-failed",
        )
    ]
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [topic]
        assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
            "GreaterThanThreshold",
            0,
            1,
        )
        assert alarm["TreatMissingData"] == "notBreaching"


def test_alarm_metrics(template: Template) -> None:
    alarms = alarms_by_name(template)
    function = next(iter(template.find_resources("AWS::Lambda::Function")))
    errors = alarms["reprotect-tool-DrsReprotect-function-errors"]
    assert (errors["Namespace"], errors["MetricName"], errors["Statistic"]) == ("AWS/Lambda", "Errors", "Sum")
    assert errors["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
    for purpose, metric in (("servers-failed", "ServersFailed"), ("run-failed", "RunFailed")):
        alarm = alarms[f"reprotect-tool-DrsReprotect-{purpose}"]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
            "DrsReprotect",
            metric,
            "Sum",
        )
        assert alarm["Dimensions"] == ENGINE_DIMENSIONS
    for purpose, queue_part in (("schedule", "ScheduleDeadLetter"), ("rules", "RuleDeadLetter")):
        alarm = alarms[f"reprotect-tool-DrsReprotect-{purpose}-dead-letters"]
        queue = next(key for key in resources(template, "AWS::SQS::Queue") if queue_part in key)
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
        assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]


def test_no_rule_dead_letter_alarm_without_rules(tmp_path: Path) -> None:
    # Given neither alarm matching nor DRS events, there is no rule, no rule DLQ and no alarm for it
    context = {"alarm_name_prefix": "", "drs_events_enabled": "false"}
    template = template_of(synthesize(context, tmp_path), "DrsReprotect")
    template.resource_count_is("AWS::Events::Rule", 0)
    template.resource_count_is("AWS::SQS::Queue", 2)  # the schedule's DLQ and the on-failure destination
    assert not [name for name in alarms_by_name(template) if "rules" in name]


def test_own_alarms_cannot_match_the_alarm_rule(template: Template, opt_in_template: Template) -> None:
    prefix = Capture()
    template.has_resource_properties(
        "AWS::Events::Rule", {"EventPattern": {"detail": {"alarmName": [{"prefix": prefix}]}}}
    )
    for name in alarms_by_name(template):
        assert name.startswith(c.OWN_ALARM_NAME_PREFIX)
        assert not name.startswith(prefix.as_string())
    names = opt_in_template.find_resources("AWS::Events::Rule")
    watched = next(iter(names.values()))["Properties"]["EventPattern"]["detail"]["alarmName"]
    assert not set(watched) & set(alarms_by_name(opt_in_template))


def test_dashboard_shows_engine_metrics_and_function_errors(template: Template) -> None:
    body = Capture()
    template.has_resource_properties(
        "AWS::CloudWatch::Dashboard", {"DashboardName": "DrsReprotect", "DashboardBody": body}
    )
    text = json.dumps(body.as_object())
    for metric in (
        "ServersStarted",
        "ServersFailed",
        "ServersDeferred",
        "ServersNeedingAttention",
        "SourceNetworksStarted",
        "SourceNetworksFailed",
        "SourceNetworksNeedingAttention",
        "RecoveryInstancesReversed",
        "RecoveryInstancesFailed",
        "RecoveryInstancesNeedingAttention",
        "RunDuration",
    ):
        assert f'\\"DrsReprotect\\",\\"{metric}\\",\\"service\\",\\"drs-reprotect\\"' in text
    assert '\\"AWS/Lambda\\",\\"Errors\\",\\"FunctionName\\"' in text


def test_monitoring_construct_alone_in_a_bare_stack() -> None:
    # Given only the monitoring, for a stub function, one dead-letter queue and a topic of the caller's
    stack = bare_stack("Ops")
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Dlq")
    monitoring = ReprotectMonitoring(
        stack, "Monitoring", function=stub_function(stack), dead_letter_queues={"intake": queue}, topic=topic
    )
    # When it is synthesized on its own
    template = Template.from_stack(stack)
    # Then one alarm per purpose, named after the stack with the tool's own prefix, notifies the topic
    alarms = alarms_by_name(template)
    assert sorted(alarms) == [
        f"reprotect-tool-Ops-{purpose}"
        for purpose in ("function-errors", "intake-dead-letters", "run-failed", "servers-failed")
    ]
    assert sorted(monitoring.alarms) == [
        "function-errors",
        "intake-dead-letters",
        "run-failed",
        "servers-failed",
    ]
    assert all(alarm["AlarmActions"] == [stack.resolve(topic.topic_arn)] for alarm in alarms.values())
    intake = alarms["reprotect-tool-Ops-intake-dead-letters"]
    assert intake["Dimensions"] == [{"Name": "QueueName", "Value": stack.resolve(queue.queue_name)}]
    # And a dashboard named after the stack
    template.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardName": "Ops"})
