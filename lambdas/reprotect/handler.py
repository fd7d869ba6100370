"""Lambda entry point: observability, parse the event, run the engine once per event, report."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config as BotoConfig

from reprotect import engine, notify
from reprotect.config import Config
from reprotect.cooldown import CooldownStore
from reprotect.drs import make_client
from reprotect.events import Ignored, RunRequest, parse_event
from reprotect.observability import logger, metrics

# A duplicate delivery of one event is answered from the record for this long: EventBridge and
# Scheduler retry for at most 24 hours.
DEDUPE_SECONDS = 24 * 3600
LOG_PART_SERVERS = 500  # about 100 KB of JSON a log line

_METRICS = {
    "ServersStarted": "started",
    "ServersWouldStart": "would-start",
    "ServersSkipped": "skipped",
    "ServersFailed": "failed",
    "ServersDeferred": "deferred",
    "ServersNeedingAttention": "attention",
}


# Clients and the persistence layer live as long as the execution environment, created on first use.
@cache
def _drs(max_concurrency: int, retry_mode: str) -> Any:
    return make_client(max_concurrency, retry_mode)


@cache
def _client(service: str) -> Any:
    # Every start worker (2 x MAX_CONCURRENCY, at most 100) may write a cooldown claim at once.
    return boto3.client(service, config=BotoConfig(max_pool_connections=104))


@cache
def _persistence(table_name: str) -> DynamoDBPersistenceLayer:
    # One idempotent function, so one layer instance: Powertools keeps per-call state on it.
    return DynamoDBPersistenceLayer(table_name=table_name, boto3_client=_client("dynamodb"))


@logger.inject_lambda_context(correlation_id_path="id || executionId", clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = Config.from_env()
    parsed = parse_event(event, context.aws_request_id)
    if isinstance(parsed, Ignored):
        logger.info("Event ignored", reason=parsed.reason)
        metrics.add_metric(name="EventsIgnored", unit=MetricUnit.Count, value=1)
        return {"status": "ignored", "reason": parsed.reason}
    if parsed.trigger.type == "manual":
        logger.set_correlation_id(context.aws_request_id)

    idempotency = IdempotencyConfig(
        event_key_jmespath="dedupeKey",
        expires_after_seconds=DEDUPE_SECONDS,
        response_hook=_mark_replay,
    )
    idempotency.register_lambda_context(context)
    once = idempotent_function(
        _run_and_publish,
        data_keyword_argument="request",
        persistence_store=_persistence(str(config.table_name)),
        config=idempotency,
    )
    report: dict[str, Any] = once(request=parsed.to_dict(), config=config, context=context)
    if report.pop("replayed", False):
        logger.info("Duplicate event: returning the first run's report", run_id=report["runId"])
        metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=1)
        return report
    _record_metrics(report)
    return report


def _run_and_publish(request: dict[str, Any], config: Config, context: LambdaContext) -> dict[str, Any]:
    run_request = RunRequest.from_dict(request)
    config = config.with_dry_run(run_request.dry_run)
    services = engine.Services(
        drs=_drs(config.max_concurrency, config.retry_mode),
        cooldown=CooldownStore(_client("dynamodb"), str(config.table_name), config.restart_cooldown_seconds),
    )
    full = engine.run(
        run_request,
        config,
        services,
        run_id=context.aws_request_id,
        account=_account_of(context.invoked_function_arn),
        remaining_ms=context.get_remaining_time_in_millis,
    ).to_dict()
    report = notify.fit(full)
    if report["truncated"]:
        # The full list stays findable: the log holds what SNS could not carry, in parts that each
        # fit a CloudWatch Logs event (256 KB).
        servers = full["servers"]
        parts = range(0, len(servers), LOG_PART_SERVERS)
        for number, start in enumerate(parts, 1):
            logger.info(
                "Full server list (trimmed from the notification)",
                part=number,
                parts=len(parts),
                servers=servers[start : start + LOG_PART_SERVERS],
            )
    logger.info(
        "Run finished",
        status=report["status"],
        counts=report["counts"],
        duration_ms=report["durationMs"],
        error=report.get("error"),
    )
    if notify.should_publish(report, config.notify_when_idle):
        message_id = notify.publish(_client("sns"), str(config.topic_arn), report)
        logger.info("Report published", message_id=message_id)
    return report


def _mark_replay(response: Any, idempotent_data: DataRecord) -> Any:
    """Called only when the response comes from the store: a duplicate delivery."""
    return {**response, "replayed": True}


def _record_metrics(report: dict[str, Any]) -> None:
    counts = report["counts"]
    for name, kind in _METRICS.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=counts[kind])
    metrics.add_metric(
        name="RunFailed", unit=MetricUnit.Count, value=1 if report["status"] == "failed" else 0
    )
    metrics.add_metric(name="RunDuration", unit=MetricUnit.Milliseconds, value=report["durationMs"] or 0)


def _account_of(function_arn: str | None) -> str | None:
    parts = (function_arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None
