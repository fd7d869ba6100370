"""Lambda entry point: observability, parse the event, run the engine once per event, deliver."""

from __future__ import annotations

from dataclasses import replace
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
from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config as BotoConfig

from reprotect import delivery, engine
from reprotect.config import Config
from reprotect.contract import Metric
from reprotect.cooldown import CooldownStore
from reprotect.deadline import Deadline
from reprotect.drs import make_client
from reprotect.events import Ignored, RunRequest, parse_event
from reprotect.observability import logger, metrics
from reprotect.report import Report

# A duplicate delivery of one event is answered from the record for this long: EventBridge and
# Scheduler retry for at most 24 hours.
DEDUPE_SECONDS = 24 * 3600
IDEMPOTENCY_KEY = "dedupe_key"  # the RunRequest field two deliveries of one event share
_REPORTS = CustomDictSerializer(to_dict=Report.to_dict, from_dict=Report.from_dict)


@logger.inject_lambda_context(correlation_id_path="id || executionId", clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = Config.from_env()
    request = parse_event(event, context.aws_request_id, _account_of(context.invoked_function_arn))
    if isinstance(request, Ignored):
        logger.info("Event ignored", reason=request.reason)
        metrics.add_metric(name=Metric.EVENTS_IGNORED, unit=MetricUnit.Count, value=1)
        return {"status": "ignored", "reason": request.reason}
    if request.trigger.type == "manual":
        logger.set_correlation_id(context.aws_request_id)
    report: Report = _once(config, context)(request=request, config=config, context=context)
    if report.replayed:
        logger.info("Duplicate event: returning the first run's report", run_id=report.info.run_id)
        metrics.add_metric(name=Metric.DUPLICATE_EVENTS, unit=MetricUnit.Count, value=1)
    else:
        delivery.record_metrics(report)
    return report.to_dict()


def run_and_deliver(request: RunRequest, config: Config, context: LambdaContext) -> Report:
    """The work done once per event: run, then publish. Its result is the idempotency record."""
    config = config.with_dry_run(request.dry_run)
    deadline = Deadline.after(context.get_remaining_time_in_millis() / 1000)
    services = engine.Services(
        drs=make_client(config.max_concurrency, deadline, config.retry_mode),
        cooldown=CooldownStore(_client("dynamodb"), str(config.table_name), config.restart_cooldown_seconds),
    )
    report = engine.run(
        request,
        config,
        services,
        run_id=context.aws_request_id,
        deadline=deadline,
        account=_account_of(context.invoked_function_arn),
    )
    return delivery.deliver(
        report, sns=_client("sns"), topic_arn=str(config.topic_arn), notify_when_idle=config.notify_when_idle
    )


def _once(config: Config, context: LambdaContext) -> Any:
    idempotency = IdempotencyConfig(
        event_key_jmespath=IDEMPOTENCY_KEY,
        expires_after_seconds=DEDUPE_SECONDS,
        response_hook=_mark_replay,
    )
    idempotency.register_lambda_context(context)
    return idempotent_function(
        run_and_deliver,
        data_keyword_argument="request",
        persistence_store=_persistence(str(config.table_name)),
        config=idempotency,
        output_serializer=_REPORTS,
    )


def _mark_replay(response: Any, idempotent_data: DataRecord) -> Any:
    """Called only when the response comes from the store: a duplicate delivery."""
    return replace(response, replayed=True)


# Clients and the persistence layer live as long as the execution environment, created on first use.
@cache
def _client(service: str) -> Any:
    # Every start worker (2 x MAX_CONCURRENCY, at most 100) may write a cooldown claim at once.
    return boto3.client(service, config=BotoConfig(max_pool_connections=104))


@cache
def _persistence(table_name: str) -> DynamoDBPersistenceLayer:
    # One idempotent function, so one layer instance: Powertools keeps per-call state on it.
    return DynamoDBPersistenceLayer(table_name=table_name, boto3_client=_client("dynamodb"))


def _account_of(function_arn: str | None) -> str | None:
    parts = (function_arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None
