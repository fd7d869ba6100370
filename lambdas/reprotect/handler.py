"""Lambda entry point: observability, parse the event, run the engine once per event, deliver."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext

from reprotect import aws, delivery, engine, reversal, services
from reprotect.config import Config
from reprotect.contract import EVENT_RECORD_SECONDS, Metric
from reprotect.deadline import Deadline
from reprotect.events import Ignored, RunRequest, parse_event
from reprotect.fields import account_of
from reprotect.hub import Hub
from reprotect.observability import logger, metrics
from reprotect.publication import Policy
from reprotect.report import Report

IDEMPOTENCY_KEY = "dedupe_key"  # the RunRequest field two deliveries of one event share
_REPORTS = CustomDictSerializer(to_dict=Report.to_dict, from_dict=Report.from_dict)


@logger.inject_lambda_context(correlation_id_path="id || executionId", clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = Config.from_env()
    request = parse_event(event, context.aws_request_id, account_of(context.invoked_function_arn))
    if isinstance(request, RunRequest):
        request = reversal.ignored(request, config) or request
    if isinstance(request, Ignored):
        logger.info("Event ignored", reason=request.reason)
        metrics.add_metric(name=Metric.EVENTS_IGNORED, unit=MetricUnit.Count, value=1)
        return {"status": "ignored", "reason": request.reason}
    if request.trigger.type == "manual":
        logger.set_correlation_id(context.aws_request_id)
    deadline = Deadline.after(context.get_remaining_time_in_millis() / 1000)
    run_once = _once(config, deadline, context)
    report: Report = run_once(request=request, config=config, deadline=deadline, context=context)
    if report.replayed:
        logger.info("Duplicate event: returning the first run's report", run_id=report.info.run_id)
        metrics.add_metric(name=Metric.DUPLICATE_EVENTS, unit=MetricUnit.Count, value=1)
    else:
        delivery.record_metrics(report)
    return report.to_dict()


def run_and_deliver(
    request: RunRequest, config: Config, deadline: Deadline, context: LambdaContext
) -> Report:
    """The work done once per event: run, then publish. Its result is the idempotency record."""
    config = config.with_dry_run(request.dry_run)
    run_services = services.for_run(config, deadline, request.dedupe_key)
    report = engine.run(
        request,
        config,
        run_services,
        run_id=context.aws_request_id,
        deadline=deadline,
        account=account_of(context.invoked_function_arn),
    )
    run_services.keep_learned(deadline)  # what the pacers learned, for the next run
    sns = _client("sns", deadline.publish_window(), config)
    return delivery.deliver(
        report,
        sns=sns,
        topic_arn=str(config.topic_arn),
        policy=Policy(config.notify_when_idle, config.remind_after_seconds),
        publications=run_services.publications,
        hub=Hub.for_run(config, deadline),
    )


def _client(service: str, window: float, config: Config) -> Any:
    return aws.client(service, window, max_attempts=config.max_attempts, retry_mode=config.retry_mode)


def _once(config: Config, deadline: Deadline, context: LambdaContext) -> Any:
    idempotency = IdempotencyConfig(
        event_key_jmespath=IDEMPOTENCY_KEY,
        expires_after_seconds=EVENT_RECORD_SECONDS,  # a duplicate is answered this long
        response_hook=_mark_replay,
    )
    idempotency.register_lambda_context(context)
    # One idempotent function, so one persistence layer a call: Powertools keeps per-call state on it.
    # Its last write follows the publish, so its calls end within the record window.
    records = _client("dynamodb", deadline.record_window, config)
    return idempotent_function(
        run_and_deliver,
        data_keyword_argument="request",
        persistence_store=DynamoDBPersistenceLayer(table_name=str(config.table_name), boto3_client=records),
        config=idempotency,
        output_serializer=_REPORTS,
    )


def _mark_replay(response: Any, idempotent_data: DataRecord) -> Any:
    """Called only when the response comes from the store: a duplicate delivery."""
    return replace(response, replayed=True)
