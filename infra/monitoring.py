"""Alarms that page the outcome topic, and a dashboard of the engine's own metrics.

Alarm names start with OWN_ALARM_NAME_PREFIX, which the settings forbid the alarm rule from matching:
the tool's alarms notify people, they never trigger sweeps.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c

PERIOD = Duration.minutes(5)


def engine_metric(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
    """A metric the engine emits through EMF."""
    return cloudwatch.Metric(
        namespace=c.METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map=dict(c.METRIC_DIMENSIONS),
        statistic=statistic,
        period=PERIOD,
    )


class ReprotectMonitoring(Construct):
    """Alarms on function errors, dead letters, failed servers and failed runs; one dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        dead_letter_queues: Mapping[str, sqs.IQueue],
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self._name_stem = f"{c.OWN_ALARM_NAME_PREFIX}{Stack.of(self).stack_name}"
        self._action = actions.SnsAction(topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {
            "function-errors": self._build_alarm(
                "FunctionErrors",
                "function-errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                "The drs-reprotect function raised errors",
            ),
            "servers-failed": self._build_alarm(
                "ServersFailed",
                "servers-failed",
                engine_metric(c.METRIC_SERVERS_FAILED),
                "drs-reprotect could not restart replication on some source servers",
            ),
            "run-failed": self._build_alarm(
                "RunFailed",
                "run-failed",
                engine_metric(c.METRIC_RUN_FAILED),
                "A drs-reprotect run failed as a whole",
            ),
        }
        for purpose, queue in dead_letter_queues.items():
            self.alarms[f"{purpose}-dead-letters"] = self._build_alarm(
                f"{purpose.title()}DeadLetters",
                f"{purpose}-dead-letters",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                f"Triggers ({purpose}) could not be delivered to drs-reprotect and were dead-lettered",
            )
        self.dashboard = self._build_dashboard(function)

    def _build_alarm(
        self, construct_id: str, purpose: str, metric: cloudwatch.IMetric, description: str
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=f"{self._name_stem}-{purpose}",
            alarm_description=description,
            metric=metric,
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        return alarm

    def _build_dashboard(self, function: lambda_.IFunction) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=Stack.of(self).stack_name)
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Source servers per run",
                left=[
                    engine_metric(c.METRIC_SERVERS_STARTED),
                    engine_metric(c.METRIC_SERVERS_WOULD_START),
                    engine_metric(c.METRIC_SERVERS_FAILED),
                    engine_metric(c.METRIC_SERVERS_DEFERRED),
                    engine_metric(c.METRIC_SERVERS_NEEDING_ATTENTION),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Run duration (ms)",
                left=[
                    engine_metric(c.METRIC_RUN_DURATION, "Maximum"),
                    engine_metric(c.METRIC_RUN_DURATION, "Average"),
                ],
                width=6,
            ),
            cloudwatch.GraphWidget(
                title="Function errors and failed runs",
                left=[
                    function.metric_errors(period=PERIOD, statistic="Sum"),
                    engine_metric(c.METRIC_RUN_FAILED),
                ],
                width=6,
            ),
        )
        return dashboard
