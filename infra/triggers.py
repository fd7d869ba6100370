"""What starts a sweep: a schedule, CloudWatch alarms going to ALARM, and DRS's own events (replication
stalled; a source server's launch result, for reverse replication after a real recovery).

Each target retries for a bounded time and then parks the event in an encrypted, TLS-only dead-letter
queue, which ReprotectMonitoring alarms on.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, CfnElement, Duration, Names, Stack, TimeZone
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.failures import last_queue
from infra.nag import acknowledge
from reprotect import contract

RETRY_ATTEMPTS = 3
# A sweep that could not be delivered within the hour is superseded by the next trigger anyway.
MAX_EVENT_AGE = Duration.hours(1)
SCHEDULE_GROUP = "default"
SCHEDULE_NAME_LENGTH = 64  # EventBridge Scheduler's limit

# The exact input contract of the engine's schedule events (documented in docs/deploy.md).
SCHEDULE_INPUT = {
    "source": contract.SCHEDULE_SOURCE,
    "scheduleArn": scheduler.ContextAttribute.schedule_arn,
    "scheduledTime": scheduler.ContextAttribute.scheduled_time,
    "executionId": scheduler.ContextAttribute.execution_id,
    "attemptNumber": scheduler.ContextAttribute.attempt_number,
}


@dataclass(frozen=True)
class ScheduleProps:
    """When the periodic sweep runs: an EventBridge Scheduler expression and its IANA time zone."""

    expression: str
    time_zone: str


def alarm_name_patterns(names: Sequence[str], prefix: str) -> list[str]:
    """Exact alarm names plus, if set, a prefix match; empty means alarm-triggered sweeps are off."""
    patterns = list(names)
    if prefix:
        patterns.extend(events.Match.prefix(prefix))
    return patterns


class ReprotectTriggers(Construct):
    """Schedule, alarm rule and DRS rule, with their dead-letter queues.

    Alarms going to ALARM trigger a sweep when their name is one of `alarm_names` or starts with
    `alarm_name_prefix` (empty: no prefix matching); with neither there is no alarm rule. `drs_events`
    adds the rule for DRS's own events: stalled replication, and launch results.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        schedule: ScheduleProps,
        alarm_names: Sequence[str],
        alarm_name_prefix: str,
        drs_events: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.schedule_dead_letter_queue = self._build_dead_letter_queue("ScheduleDeadLetterQueue")
        self.schedule = self._build_schedule(function, schedule)
        self.alarm_name_patterns = alarm_name_patterns(alarm_names, alarm_name_prefix)
        rules_wanted = bool(self.alarm_name_patterns) or drs_events
        self.rule_dead_letter_queue = (
            self._build_dead_letter_queue("RuleDeadLetterQueue") if rules_wanted else None
        )
        self.alarm_rule = self._build_alarm_rule(function) if self.alarm_name_patterns else None
        self.drs_rule = self._build_drs_rule(function) if drs_events else None

    @property
    def dead_letter_queues(self) -> dict[str, sqs.IQueue]:
        queues: dict[str, sqs.IQueue] = {"schedule": self.schedule_dead_letter_queue}
        if self.rule_dead_letter_queue is not None:
            queues["rules"] = self.rule_dead_letter_queue
        return queues

    def _build_dead_letter_queue(self, construct_id: str) -> sqs.Queue:
        queue = last_queue(self, construct_id)
        acknowledge(
            queue,
            "AwsSolutions-SQS3",
            "This queue is itself a dead-letter queue (for EventBridge targets); it needs none of its own.",
        )
        return queue

    def _build_schedule_role(self, function: lambda_.IFunction, schedule_name: str) -> iam.Role:
        # The schedule's ARN is built from its name rather than read from the resource (which would make
        # the role and the schedule depend on each other), so the trust can name this one schedule.
        schedule_arn = (
            f"arn:{Aws.PARTITION}:scheduler:{Aws.REGION}:{Aws.ACCOUNT_ID}"
            f":schedule/{SCHEDULE_GROUP}/{schedule_name}"
        )
        role = iam.Role(
            self,
            "ScheduleRole",
            description="EventBridge Scheduler invoking drs-reprotect",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnEquals": {"aws:SourceArn": schedule_arn},
                },
            ),
        )
        stack = Stack.of(self)
        function_id = stack.resolve(
            stack.get_logical_id(typing.cast(CfnElement, function.node.default_child))
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
            "CDK's grantInvoke also covers the function's versions and aliases ('<function arn>:*');"
            " the grant is still lambda:InvokeFunction on this one function.",
        )
        return role

    def _build_schedule(self, function: lambda_.IFunction, props: ScheduleProps) -> scheduler.Schedule:
        name = Names.unique_resource_name(self, max_length=SCHEDULE_NAME_LENGTH, separator="-")
        return scheduler.Schedule(
            self,
            "Schedule",
            schedule_name=name,
            description="drs-reprotect periodic sweep",
            schedule=scheduler.ScheduleExpression.expression(props.expression, TimeZone.of(props.time_zone)),
            target=scheduler_targets.LambdaInvoke(
                function,
                input=scheduler.ScheduleTargetInput.from_object(SCHEDULE_INPUT),
                dead_letter_queue=self.schedule_dead_letter_queue,
                retry_attempts=RETRY_ATTEMPTS,
                max_event_age=MAX_EVENT_AGE,
                role=self._build_schedule_role(function, name),
            ),
        )

    def _rule_target(self, function: lambda_.IFunction) -> events_targets.LambdaFunction:
        assert self.rule_dead_letter_queue is not None  # created whenever a rule is
        return events_targets.LambdaFunction(
            function,
            dead_letter_queue=self.rule_dead_letter_queue,
            retry_attempts=RETRY_ATTEMPTS,
            max_event_age=MAX_EVENT_AGE,
        )

    def _build_alarm_rule(self, function: lambda_.IFunction) -> events.Rule:
        return events.Rule(
            self,
            "AlarmRule",
            description="Sweep when a watched CloudWatch alarm goes to ALARM",
            event_pattern=events.EventPattern(
                account=[Aws.ACCOUNT_ID],  # the function refuses any other account's events
                source=[contract.ALARM_EVENT_SOURCE],
                detail_type=[contract.ALARM_EVENT_DETAIL_TYPE],
                detail={"state": {"value": [contract.ALARM_STATE]}, "alarmName": self.alarm_name_patterns},
            ),
            targets=[self._rule_target(function)],
        )

    def _build_drs_rule(self, function: lambda_.IFunction) -> events.Rule:
        return events.Rule(
            self,
            "DrsRule",
            description="Check the servers DRS reports stalled, and the recovery instances of a recovery",
            event_pattern=events.EventPattern(
                account=[Aws.ACCOUNT_ID],
                source=[contract.DRS_EVENT_SOURCE],
                detail_type=list(contract.DRS_EVENT_DETAIL_TYPES),
            ),
            targets=[self._rule_target(function)],
        )
