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
from reprotect import contract
from reprotect.contract import Metric

PERIOD = Duration.minutes(5)
# What a run did beside source servers, graphed together.
PROTECTION_METRICS = (
    Metric.SOURCE_NETWORKS_STARTED,
    Metric.SOURCE_NETWORKS_FAILED,
    Metric.SOURCE_NETWORKS_NEEDING_ATTENTION,
    Metric.RECOVERY_INSTANCES_REVERSED,
    Metric.RECOVERY_INSTANCES_FAILED,
    Metric.RECOVERY_INSTANCES_NEEDING_ATTENTION,
)


def engine_metric(metric: Metric, statistic: str = "Sum") -> cloudwatch.Metric:
    """A metric the engine emits through EMF."""
    return cloudwatch.Metric(
        namespace=contract.METRICS_NAMESPACE,
        metric_name=metric.value,
        dimensions_map={contract.METRIC_DIMENSION: contract.SERVICE_NAME},
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
            **self._build_engine_alarms(function),
            **self._build_dead_letter_alarms(dead_letter_queues),
        }
        self.dashboard = self._build_dashboard(function)

    def _build_engine_alarms(self, function: lambda_.IFunction) -> dict[str, cloudwatch.Alarm]:
        return {
            "function-errors": self._build_alarm(
                "FunctionErrors",
                "function-errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                "The drs-reprotect function raised errors",
            ),
            "servers-failed": self._build_alarm(
                "ServersFailed",
                "servers-failed",
                engine_metric(Metric.SERVERS_FAILED),
                "drs-reprotect could not restart replication on some source servers",
            ),
            "run-failed": self._build_alarm(
                "RunFailed",
                "run-failed",
                engine_metric(Metric.RUN_FAILED),
                "A drs-reprotect run failed as a whole",
            ),
        }

    def _build_dead_letter_alarms(self, queues: Mapping[str, sqs.IQueue]) -> dict[str, cloudwatch.Alarm]:
        return {
            f"{purpose}-dead-letters": self._build_alarm(
                f"{purpose.title()}DeadLetters",
                f"{purpose}-dead-letters",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                f"Triggers ({purpose}) could not be delivered to drs-reprotect and were dead-lettered",
            )
            for purpose, queue in queues.items()
        }

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
                    engine_metric(Metric.SERVERS_STARTED),
                    engine_metric(Metric.SERVERS_WOULD_START),
                    engine_metric(Metric.SERVERS_FAILED),
                    engine_metric(Metric.SERVERS_DEFERRED),
                    engine_metric(Metric.SERVERS_NEEDING_ATTENTION),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Source networks and recovery instances per run",
                left=[engine_metric(metric) for metric in PROTECTION_METRICS],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Run duration (ms)",
                left=[
                    engine_metric(Metric.RUN_DURATION, "Maximum"),
                    engine_metric(Metric.RUN_DURATION, "Average"),
                ],
                width=6,
            ),
            cloudwatch.GraphWidget(
                title="Function errors and failed runs",
                left=[
                    function.metric_errors(period=PERIOD, statistic="Sum"),
                    engine_metric(Metric.RUN_FAILED),
                ],
                width=6,
            ),
        )
        return dashboard
