"""After a run: fit the report to SNS, log what SNS cannot carry, publish, and record the metrics."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from reprotect import render
from reprotect.contract import Metric
from reprotect.hub import Hub
from reprotect.observability import logger, metrics
from reprotect.outcomes import KINDS, OUTCOME_TABLE, Entry, ServerOutcome
from reprotect.publication import NoPublicationLog, Policy, Published, standing_news, why_publish
from reprotect.report import Report, Status
from reprotect.services import Publications

LOG_PART_SERVERS = 500  # about 100 KB of JSON a log line, so each part fits a CloudWatch Logs event
UNPUBLISHED = "Report not published"


class PublishError(RuntimeError):
    """The report could not be published. Raised so the invocation fails and the platform retries it
    (the retry reports this run's starts again, from the run journal); the message says where the
    report is, for whoever finds the event in a dead-letter queue or on-failure destination."""


def deliver(
    report: Report,
    *,
    sns: Any,
    topic_arn: str,
    policy: Policy,
    publications: Publications | None = None,
    hub: Hub | None = None,
) -> Report:
    """Publish the run's report when it has something to say (publication.py) and return it as
    published, or as it would have been; then, with a hub, send it a copy (every report, quiet ones
    too: the hub's digest counts every place's runs)."""
    fitted = render.fit(report)
    if fitted.truncated:
        _log_whole_list(report)
    logger.info(
        "Run finished",
        status=fitted.status,
        counts=fitted.count_map(),
        duration_ms=fitted.duration_ms,
        error=fitted.error,
    )
    _publish_if_news(report, fitted, sns, topic_arn, policy, publications or NoPublicationLog())
    if hub is not None:
        hub.send(fitted)  # after the member's own publish; never raises (reprotect.hub)
    return fitted


def _publish_if_news(
    report: Report, fitted: Report, sns: Any, topic_arn: str, policy: Policy, log: Publications
) -> None:
    now = int(time.time())
    why = why_publish(report, _last(log, report), now, policy)  # the whole report, not the trimmed one
    if why is None:
        logger.info("Report not published: nothing new since the last one", status=fitted.status)
        return
    try:
        message_id = publish(sns, topic_arn, fitted)
    except (ClientError, BotoCoreError) as exc:
        logger.exception(UNPUBLISHED, report=fitted.to_dict())
        cause = f"{type(exc).__name__}: {exc!s:.200}"
        raise PublishError(
            f"run {report.info.run_id}: publishing its report to {topic_arn} failed ({cause});"
            f" the report is in the function's log as '{UNPUBLISHED}'"
        ) from exc
    logger.info("Report published", message_id=message_id, why=why)
    _remember(log, report, now)


def _last(log: Publications, report: Report) -> Published | None:
    try:
        return log.last(report.info.account, report.info.region)
    except (ClientError, BotoCoreError):
        # Unknown is treated as never published: a report with news is sent rather than lost.
        logger.exception("Could not read the last publication")
        return None


def _remember(log: Publications, report: Report, now: int) -> None:
    try:
        log.remember(report.info.account, report.info.region, standing_news(report), now)
    except (ClientError, BotoCoreError):
        # The report is out; the next run may publish the same news again, which is only noise.
        logger.exception("Could not record the publication")


def publish(sns: Any, topic_arn: str, report: Report) -> str:
    """Publish one report (already fitted). Returns the SNS message id."""
    response = sns.publish(
        TopicArn=topic_arn,
        Message=render.message_body(report),
        MessageStructure="json",
        Subject=render.subject(report),
        MessageAttributes=render.attributes(report),
    )
    return str(response["MessageId"])


def _log_whole_list(report: Report) -> None:
    # The full lists stay findable: the log holds what SNS could not carry.
    _log_parts("Full server list (trimmed from the notification)", "servers", report.servers)
    for listing in (report.networks, report.instances):
        key = KINDS[listing.kind].list_key
        _log_parts(
            f"Full {KINDS[listing.kind].title.lower()} list (trimmed from the notification)",
            key,
            listing.entries,
        )


def _log_parts(message: str, key: str, entries: Sequence[ServerOutcome | Entry]) -> None:
    rows = [entry.to_dict() for entry in entries]
    parts = range(0, len(rows), LOG_PART_SERVERS)
    for number, start in enumerate(parts, 1):
        fields: dict[str, Any] = {
            "part": number,
            "parts": len(parts),
            key: rows[start : start + LOG_PART_SERVERS],
        }
        logger.info(message, **fields)


def record_metrics(report: Report) -> None:
    """One run's metrics, from the outcome table and the other lists' own: counts, whether it failed,
    how long it took."""
    for info in OUTCOME_TABLE:
        if info.metric is not None:
            metrics.add_metric(name=info.metric, unit=MetricUnit.Count, value=report.counts[info.outcome])
    for listing in (report.networks, report.instances):
        for outcome, metric in KINDS[listing.kind].metrics.items():
            metrics.add_metric(name=metric, unit=MetricUnit.Count, value=listing.counts[outcome])
    failed = 1 if report.status is Status.FAILED else 0
    metrics.add_metric(name=Metric.RUN_FAILED, unit=MetricUnit.Count, value=failed)
    metrics.add_metric(name=Metric.RUN_DURATION, unit=MetricUnit.Milliseconds, value=report.duration_ms)
