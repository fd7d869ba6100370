"""The hub's two functions: `collect`, invoked by a rule on the hub's bus with each member's report,
and `send_digest`, invoked once a day by a schedule (or by a person, with `{"day": "YYYY-MM-DD"}`).

`collect` forwards a report that is not idle to the organization's topic, with the member's own
message and attributes, then records it for the digest. A malformed event is logged and dropped
(retrying it could not help); an AWS error fails the invocation, so Lambda retries it and, in the end,
parks the event in the hub's dead-letter queue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from reprotect import aws, delivery
from reprotect.observability import logger
from reprotect.org.config import HubConfig
from reprotect.org.digest import compose
from reprotect.org.digest_render import attributes, message_body, subject
from reprotect.org.records import Received, RejectedEvent
from reprotect.org.store import DigestStore
from reprotect.report import Status

WINDOW = 20.0  # each call, all attempts included; the functions' timeouts leave room for several
ATTEMPTS = 3


def _client(service: str) -> Any:
    return aws.client(service, WINDOW, max_attempts=ATTEMPTS)


@logger.inject_lambda_context(clear_state=True)
def collect(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = HubConfig.from_env()
    try:
        received = Received.from_event(event)
    except RejectedEvent as exc:
        logger.error(
            "Hub event rejected", reason=str(exc), event_id=event.get("id"), account=event.get("account")
        )
        return {"status": "rejected", "reason": str(exc)}
    report = received.report
    forwarded = None
    if report.status is not Status.IDLE:
        forwarded = delivery.publish(_client("sns"), config.topic_arn, report)
    first = DigestStore(_client("dynamodb"), config.table_name).record(received, datetime.now(UTC))
    logger.info(
        "Report collected",
        account=received.account,
        region=received.region,
        run_id=report.info.run_id,
        status=report.status,
        message_id=forwarded,
        duplicate=not first,
    )
    return {"status": "collected" if first else "duplicate", "messageId": forwarded}


@logger.inject_lambda_context(clear_state=True)
def send_digest(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = HubConfig.from_env()
    now = datetime.now(UTC)
    day = digest_day(event, now)
    places = DigestStore(_client("dynamodb"), config.table_name).places(day.isoformat())
    digest = compose(
        places,
        organization_id=config.organization_id,
        day=day,
        now=now,
        silent_after_hours=config.silent_after_hours,
    )
    response = _client("sns").publish(
        TopicArn=config.topic_arn,
        Message=message_body(digest),
        MessageStructure="json",
        Subject=subject(digest),
        MessageAttributes=attributes(digest),
    )
    summary: dict[str, Any] = {
        "day": day.isoformat(),
        "places": len(digest.places),
        "needsPerson": digest.now("attention"),
        "silentPlaces": len(digest.silent),
    }
    logger.info("Digest published", message_id=response["MessageId"], summary=summary)
    return {"status": "published", "messageId": response["MessageId"], **summary}


def digest_day(event: dict[str, Any], now: datetime) -> date:
    """The day a digest covers: the event's `day` if a person asked for one, else yesterday (UTC)."""
    asked = event.get("day") if isinstance(event, dict) else None
    if asked is None:
        return (now - timedelta(days=1)).date()
    try:
        return date.fromisoformat(str(asked))
    except ValueError:
        raise ValueError(f"'day' must be a date like 2026-11-26, got {asked!r}") from None
