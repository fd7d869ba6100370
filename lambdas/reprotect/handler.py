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

from reprotect import aws, delivery, engine
from reprotect.config import Config
from reprotect.contract import Metric
from reprotect.cooldown import CooldownStore
from reprotect.deadline import Deadline
from reprotect.drs import make_client
from reprotect.events import Ignored, RunRequest, parse_event
from reprotect.journal import RunJournal
from reprotect.limits import LimitStore, keep_limits, start_pacing
from reprotect.observability import logger, metrics
from reprotect.pacing import Pacing
from reprotect.report import Report
from reprotect.services import Services

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
    # Every start worker (2 x MAX_CONCURRENCY, at most 100) may write a claim at once.
    dynamodb = _client("dynamodb", deadline.call_window, config, pool=2 * config.max_concurrency + 4)
    limits = LimitStore(dynamodb, str(config.table_name))
    pacing = start_pacing(config, deadline, limits)
    report = engine.run(
        request,
        config,
        _services(config, deadline, request.dedupe_key, dynamodb, pacing),
        run_id=context.aws_request_id,
        deadline=deadline,
        account=_account_of(context.invoked_function_arn),
    )
    keep_limits(pacing, limits, deadline)
    sns = _client("sns", deadline.publish_window(), config)
    return delivery.deliver(
        report, sns=sns, topic_arn=str(config.topic_arn), notify_when_idle=config.notify_when_idle
    )


def _services(
    config: Config, deadline: Deadline, event_key: str, dynamodb: Any, pacing: Pacing | None
) -> Services:
    """This run's clients, each call bounded by the run's deadline (see deadline.py)."""

    def drs(window: float) -> Any:
        return make_client(
            deadline,
            window,
            max_concurrency=config.max_concurrency,
            max_attempts=config.max_attempts,
            retry_mode=config.retry_mode,
            pacing=pacing,
        )

    table = str(config.table_name)
    return Services(
        drs=drs(deadline.page_window),
        starts=drs(deadline.call_window),
        cooldown=CooldownStore(dynamodb, table, config.restart_cooldown_seconds),
        journal=RunJournal(dynamodb, table, event_key, keep_seconds=DEDUPE_SECONDS),
    )


def _client(service: str, window: float, config: Config, pool: int = 10) -> Any:
    return aws.client(
        service, window, max_attempts=config.max_attempts, retry_mode=config.retry_mode, pool=pool
    )


def _once(config: Config, deadline: Deadline, context: LambdaContext) -> Any:
    idempotency = IdempotencyConfig(
        event_key_jmespath=IDEMPOTENCY_KEY,
        expires_after_seconds=DEDUPE_SECONDS,
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


def _account_of(function_arn: str | None) -> str | None:
    parts = (function_arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None
