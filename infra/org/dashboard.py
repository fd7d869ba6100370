"""The organization's dashboard, in the hub: the tool's metrics by account for every region whose
metrics reach the hub through its observability sink there (Metrics Insights `GROUP BY AWS.AccountId`
queries, which a monitoring account runs across its linked accounts), and the hub's own functions."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from reprotect import contract
from reprotect.contract import Metric

DASHBOARD_NAME = "drs-reprotect-organization"
PERIOD = Duration.hours(1)
TOP = 50  # accounts per graph, most first

# (title, metric, statistic): one graph each per region.
BY_ACCOUNT = (
    ("Servers started", Metric.SERVERS_STARTED, "SUM"),
    ("Servers needing a person", Metric.SERVERS_NEEDING_ATTENTION, "MAX"),
    ("Servers that failed to start", Metric.SERVERS_FAILED, "SUM"),
    ("Runs that failed as a whole", Metric.RUN_FAILED, "SUM"),
    ("Reports that did not reach the hub", Metric.HUB_DELIVERY_FAILED, "SUM"),
)


def by_account(metric: Metric, statistic: str) -> str:
    """A Metrics Insights query: the members' `metric`, one line per account."""
    schema = f'SCHEMA("{contract.METRICS_NAMESPACE}", {contract.METRIC_DIMENSION})'
    return (
        f"SELECT {statistic}({metric.value}) FROM {schema}"  # noqa: S608 - constants, and not SQL
        f" GROUP BY AWS.AccountId ORDER BY {statistic}() DESC LIMIT {TOP}"
    )


class OrgDashboard(Construct):
    """One row per region: the members' metrics by account. Then the hub's functions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        regions: Sequence[str],
        functions: Sequence[lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=DASHBOARD_NAME)
        for region in regions:
            self.dashboard.add_widgets(
                cloudwatch.TextWidget(markdown=f"## {region}: by account", width=24, height=1),
                *(self._graph(region, title, metric, statistic) for title, metric, statistic in BY_ACCOUNT),
            )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Hub functions: invocations and errors",
                left=[f.metric_invocations(period=PERIOD) for f in functions],
                right=[f.metric_errors(period=PERIOD) for f in functions],
                width=24,
            )
        )

    @staticmethod
    def _graph(region: str, title: str, metric: Metric, statistic: str) -> cloudwatch.GraphWidget:
        query = cloudwatch.MathExpression(
            expression=by_account(metric, statistic), using_metrics={}, period=PERIOD
        )
        return cloudwatch.GraphWidget(
            title=f"{title} ({region})", left=[query], region=region, width=24 // 5 + 0
        )
