"""Schedule, alarm rule and DRS rule: patterns, retry policies, dead-letter queues, schedule input."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match, Template

from infra.triggers import ReprotectTriggers, ScheduleProps
from tests.infra.conftest import bare_stack, logical_id, only, resource_types, resources, stub_function

EXPECTED_SCHEDULE_INPUT = {
    "source": "drs-reprotect.schedule",
    "scheduleArn": "<aws.scheduler.schedule-arn>",
    "scheduledTime": "<aws.scheduler.scheduled-time>",
    "executionId": "<aws.scheduler.execution-id>",
    "attemptNumber": "<aws.scheduler.attempt-number>",
}
RETRY_POLICY = {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}


def _function(template: Template) -> str:
    return next(iter(template.find_resources("AWS::Lambda::Function")))


def _queue(template: Template, name_part: str) -> str:
    return next(key for key in resources(template, "AWS::SQS::Queue") if name_part in key)


def test_schedule_expression_time_zone_retry_dlq_and_input(template: Template) -> None:
    schedule = only(template, "AWS::Scheduler::Schedule")
    assert schedule["ScheduleExpression"] == "rate(30 minutes)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["State"] == "ENABLED"
    target = schedule["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [_function(template), "Arn"]}
    assert target["RetryPolicy"] == RETRY_POLICY
    assert target["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": [_queue(template, "ScheduleDeadLetter"), "Arn"]}
    }
    # The input is exactly the engine's schedule template, key order included.
    assert target["Input"] == json.dumps(EXPECTED_SCHEDULE_INPUT, separators=(",", ":"))


def test_schedule_from_configuration(opt_in_template: Template) -> None:
    opt_in_template.has_resource_properties(
        "AWS::Scheduler::Schedule",
        {"ScheduleExpression": "cron(0 6 * * ? *)", "ScheduleExpressionTimezone": "Europe/Berlin"},
    )


def test_schedule_role_may_invoke_the_function_and_dead_letter(template: Template) -> None:
    role = only(template, "AWS::Scheduler::Schedule")["Target"]["RoleArn"]["Fn::GetAtt"][0]
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "scheduler.amazonaws.com"},
                        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                    }
                ],
                "Version": "2012-10-17",
            }
        },
    )
    function_arn = {"Fn::GetAtt": [_function(template), "Arn"]}
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": role}],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "lambda:InvokeFunction",
                        "Effect": "Allow",
                        "Resource": [function_arn, {"Fn::Join": ["", [function_arn, ":*"]]}],
                    },
                    {
                        "Action": "sqs:SendMessage",
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [_queue(template, "ScheduleDeadLetter"), "Arn"]},
                    },
                ],
                "Version": "2012-10-17",
            },
        },
    )


def test_dead_letter_queues_are_encrypted_and_tls_only(template: Template) -> None:
    queues = resources(template, "AWS::SQS::Queue")
    assert len(queues) == 3  # the schedule's and the rules' DLQs, and the on-failure destination
    for queue_id, queue in queues.items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            {
                                "Action": "sqs:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Effect": "Deny",
                                "Principal": {"AWS": "*"},
                                "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
                            }
                        ]
                    )
                },
            },
        )


def _rule_target(template: Template) -> dict[str, object]:
    return {
        "Arn": {"Fn::GetAtt": [_function(template), "Arn"]},
        "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [_queue(template, "RuleDeadLetter"), "Arn"]}},
        "Id": "Target0",
        "RetryPolicy": RETRY_POLICY,
    }


def test_alarm_rule_matches_the_default_prefix_in_alarm_state(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.cloudwatch"],
                "detail-type": ["CloudWatch Alarm State Change"],
                "detail": {"state": {"value": ["ALARM"]}, "alarmName": [{"prefix": "drs-reprotect"}]},
            },
            "State": "ENABLED",
            "Targets": [_rule_target(template)],
        },
    )


def test_alarm_rule_with_names_and_no_prefix(opt_in_template: Template) -> None:
    opt_in_template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like(
                {
                    "detail": {
                        "state": {"value": ["ALARM"]},
                        "alarmName": ["db-replication-lag", "app-replication-lag"],
                    }
                }
            ),
            "Targets": [_rule_target(opt_in_template)],
        },
    )


def test_drs_rule_on_by_default(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.drs"],
                "detail-type": [
                    "DRS Source Server Data Replication Stalled Change",
                    "DRS Source Server Launch Result",  # a recovery: look at its recovery instances
                ],
            },
            "Targets": [_rule_target(template)],
        },
    )
    # EventBridge may invoke the function and write to the rule DLQ, each rule scoped by its ARN.
    rule = logical_id(
        template, "AWS::Events::Rule", lambda r: r["Properties"]["EventPattern"]["source"] == ["aws.drs"]
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": [rule, "Arn"]}},
    )
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "sqs:SendMessage",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule, "Arn"]}}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_drs_rule_can_be_switched_off(opt_in_template: Template) -> None:
    rules = resources(opt_in_template, "AWS::Events::Rule").values()
    assert [rule["Properties"]["EventPattern"]["source"] for rule in rules] == [["aws.cloudwatch"]]


def test_triggers_construct_alone_in_a_bare_stack() -> None:
    # Given only the triggers, pointed at a stub function, with names and a prefix and no DRS events
    stack = bare_stack()
    function = stub_function(stack)
    triggers = ReprotectTriggers(
        stack,
        "Triggers",
        function=function,
        schedule=ScheduleProps("rate(1 hour)", "Europe/Paris"),
        alarm_names=["db-lag"],
        alarm_name_prefix="app-",
        drs_events=False,
    )
    # When it is synthesized on its own
    template = Template.from_stack(stack)
    # Then the schedule invokes that function with the engine's input, when told
    schedule = only(template, "AWS::Scheduler::Schedule")
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        "rate(1 hour)",
        "Europe/Paris",
    )
    assert schedule["Target"]["Arn"] == stack.resolve(function.function_arn)
    assert json.loads(schedule["Target"]["Input"]) == EXPECTED_SCHEDULE_INPUT
    # And the one rule matches both the names and the prefix
    rule = only(template, "AWS::Events::Rule")
    assert rule["EventPattern"]["detail"]["alarmName"] == ["db-lag", {"prefix": "app-"}]
    assert triggers.drs_rule is None
    assert sorted(triggers.dead_letter_queues) == ["rules", "schedule"]
    assert resource_types(template).count("AWS::SQS::Queue") == 2


def test_triggers_without_alarm_matching_or_drs_events_have_only_the_schedule() -> None:
    stack = bare_stack()
    triggers = ReprotectTriggers(
        stack,
        "Triggers",
        function=stub_function(stack),
        schedule=ScheduleProps("cron(0 6 * * ? *)", "UTC"),
        alarm_names=(),
        alarm_name_prefix="",
        drs_events=False,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Events::Rule", 0)
    assert (triggers.alarm_rule, triggers.drs_rule, triggers.rule_dead_letter_queue) == (None, None, None)
    assert list(triggers.dead_letter_queues) == ["schedule"]


def test_schedule_role_trusts_only_this_schedule(template: Template) -> None:
    schedule = only(template, "AWS::Scheduler::Schedule")
    name = schedule["Name"]
    role_id = schedule["Target"]["RoleArn"]["Fn::GetAtt"][0]
    trust = resources(template, "AWS::IAM::Role")[role_id]["Properties"]["AssumeRolePolicyDocument"]

    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    arn = statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Join"][1]
    assert arn[-1] == f":schedule/default/{name}"
    assert 1 <= len(name) <= 64


def test_every_rule_pins_the_stacks_own_account(template: Template) -> None:
    rules = resources(template, "AWS::Events::Rule")
    assert len(rules) == 2
    for rule in rules.values():
        assert rule["Properties"]["EventPattern"]["account"] == [{"Ref": "AWS::AccountId"}]


def test_failed_invocations_go_to_an_encrypted_queue_that_is_alarmed(template: Template) -> None:
    config = only(template, "AWS::Lambda::EventInvokeConfig")
    function_id = next(iter(template.find_resources("AWS::Lambda::Function")))
    queue_id = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]

    assert config["FunctionName"] == {"Ref": function_id}
    assert config["Qualifier"] == "$LATEST"
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (2, 3600)
    assert resources(template, "AWS::SQS::Queue")[queue_id]["Properties"]["SqsManagedSseEnabled"] is True
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "AlarmName": "reprotect-tool-DrsReprotect-failed-invocations-dead-letters",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}],
        },
    )
