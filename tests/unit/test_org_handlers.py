"""The hub's functions: their configuration, the day a digest covers, and the digest table's requests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reprotect.config import ConfigError
from reprotect.org.config import HubConfig
from reprotect.org.handlers import digest_day
from reprotect.org.records import PlaceState, Received, latest_item
from reprotect.org.store import DigestStore, to_item
from tests.unit.test_org_records import NOW, event

TOPIC = "arn:aws:sns:eu-central-1:999999999999:drs-reprotect-organization"
HUB_ENV = {"ORG_TOPIC_ARN": TOPIC, "DIGEST_TABLE_NAME": "digest", "ORGANIZATION_ID": "o-a1b2c3d4e5"}


# --- Configuration ---------------------------------------------------------------------------------------
def test_the_configuration_is_read_from_the_environment_given_trimmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (*HUB_ENV, "SILENT_AFTER_HOURS"):
        monkeypatch.setenv(name, "from-the-process")

    config = HubConfig.from_env(
        {
            "ORG_TOPIC_ARN": f" {TOPIC} ",
            "DIGEST_TABLE_NAME": "digest\n",
            "ORGANIZATION_ID": "o-a1b2c3d4e5",
            "SILENT_AFTER_HOURS": " 6 ",
        }
    )

    assert config == HubConfig(TOPIC, "digest", "o-a1b2c3d4e5", 6)


@pytest.mark.parametrize("hours", [None, "", "  "])
def test_a_place_is_silent_after_2_hours_unless_told_otherwise(hours: str | None) -> None:
    env = HUB_ENV if hours is None else {**HUB_ENV, "SILENT_AFTER_HOURS": hours}

    assert HubConfig.from_env(env).silent_after_hours == 2


@pytest.mark.parametrize("missing", list(HUB_ENV))
@pytest.mark.parametrize("blank", [None, " "])
def test_a_missing_variable_is_refused_by_name(missing: str, blank: str | None) -> None:
    env = {name: value for name, value in HUB_ENV.items() if name != missing}
    if blank is not None:
        env[missing] = blank

    with pytest.raises(ConfigError) as caught:
        HubConfig.from_env(env)
    assert str(caught.value) == f"{missing} is required"


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (" 0 ", "SILENT_AFTER_HOURS='0' is out of range: it must be from 1 to 168"),
        ("169", "SILENT_AFTER_HOURS='169' is out of range: it must be from 1 to 168"),
        ("two", "SILENT_AFTER_HOURS='two' is not a whole number"),
    ],
)
def test_a_bad_silence_threshold_is_refused_with_its_value(hours: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        HubConfig.from_env({**HUB_ENV, "SILENT_AFTER_HOURS": hours})
    assert str(caught.value) == message


# --- The day a digest covers -----------------------------------------------------------------------------
SCHEDULED = {"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


@pytest.mark.parametrize("event", [SCHEDULED, {}, None, [], "2026-11-20"])
def test_the_digest_covers_yesterday_unless_a_person_asks_for_a_day(event: Any) -> None:
    # Just after midnight UTC: yesterday is the day that just ended
    assert digest_day(event, datetime(2026, 11, 27, 0, 30, tzinfo=UTC)) == date(2026, 11, 26)


def test_a_person_can_ask_for_another_day() -> None:
    assert digest_day({"day": "2026-11-20"}, NOW) == date(2026, 11, 20)


def test_a_day_that_is_not_a_date_is_refused_with_an_example() -> None:
    with pytest.raises(ValueError, match=r"^'day' must be a date like 2026-11-26, got 'yesterday'$"):
        digest_day({"day": "yesterday"}, NOW)


# --- The digest table -----------------------------------------------------------------------------------
class FakeDynamoDB:
    """A DynamoDB client that records its requests, fails as told and answers queries by partition."""

    def __init__(
        self,
        put_error: ClientError | None = None,
        update_error: ClientError | None = None,
        pages: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.put_error, self.update_error, self.pages = put_error, update_error, pages or {}
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("PutItem", request))
        if self.put_error:
            raise self.put_error
        return {}

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("UpdateItem", request))
        if self.update_error:
            raise self.update_error
        return {}

    def get_paginator(self, operation: str) -> FakeDynamoDB:
        assert operation == "query"
        return self

    def paginate(self, **request: Any) -> list[dict[str, Any]]:
        self.requests.append(("Query", request))
        return self.pages[request["ExpressionAttributeValues"][":pk"]["S"]]


def error(code: str | None, operation: str) -> ClientError:
    return ClientError({} if code is None else {"Error": {"Code": code, "Message": "x"}}, operation)


def test_a_report_is_kept_as_its_places_latest_run_and_added_once_to_its_days_totals() -> None:
    db = FakeDynamoDB()

    assert DigestStore(db, "digest").record(Received.from_event(event()), NOW) is True

    (put, sent), (update, added) = db.requests
    assert put == "PutItem"
    assert {key: value for key, value in sent.items() if key != "Item"} == {
        "TableName": "digest",
        "ConditionExpression": "attribute_not_exists(#pk) OR #at < :at",
        "ExpressionAttributeNames": {"#pk": "pk", "#at": "finishedAt"},
        "ExpressionAttributeValues": {":at": {"S": "2026-11-27T06:00:01.000Z"}},
    }
    assert (sent["Item"]["pk"], sent["Item"]["sk"]) == ({"S": "latest"}, {"S": "123456789012#eu-west-1"})
    assert update == "UpdateItem"
    assert added == {
        "TableName": "digest",
        "Key": {"pk": {"S": "day#2026-11-27"}, "sk": {"S": "123456789012#eu-west-1"}},
        "UpdateExpression": "ADD #runs :runs, #runsFailed :runsFailed, #started :started,"
        " #wouldStart :wouldStart, #failed :failed, #runIds :runIds"
        " SET #account = :account, #region = :region, #expiresAt = :expiresAt",
        "ConditionExpression": "attribute_not_exists(#runIds) OR NOT contains(#runIds, :runId)",
        "ExpressionAttributeNames": {
            "#runs": "runs",
            "#runsFailed": "runsFailed",
            "#started": "started",
            "#wouldStart": "wouldStart",
            "#failed": "failed",
            "#account": "account",
            "#region": "region",
            "#expiresAt": "expiresAt",
            "#runIds": "runIds",
        },
        "ExpressionAttributeValues": {
            ":runs": {"N": "1"},
            ":runsFailed": {"N": "0"},
            ":started": {"N": "1"},
            ":wouldStart": {"N": "0"},
            ":failed": {"N": "0"},
            ":account": {"S": "123456789012"},
            ":region": {"S": "eu-west-1"},
            ":expiresAt": {"N": str(int(datetime(2026, 12, 5, 6, 0, tzinfo=UTC).timestamp()))},
            ":runIds": {"SS": ["run-1"]},
            ":runId": {"S": "run-1"},
        },
    }


def test_a_later_run_already_kept_still_counts_this_one_in_its_day() -> None:
    db = FakeDynamoDB(put_error=error("ConditionalCheckFailedException", "PutItem"))

    assert DigestStore(db, "digest").record(Received.from_event(event()), NOW) is True
    assert [operation for operation, _ in db.requests] == ["PutItem", "UpdateItem"]


def test_a_second_delivery_of_a_run_counts_nothing() -> None:
    db = FakeDynamoDB(update_error=error("ConditionalCheckFailedException", "UpdateItem"))

    assert DigestStore(db, "digest").record(Received.from_event(event()), NOW) is False


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", None])
@pytest.mark.parametrize("failing", ["put_error", "update_error"])
def test_any_other_table_error_fails_the_invocation_so_lambda_retries_it(
    code: str | None, failing: str
) -> None:
    # Including an error that came back with no code at all
    failure = error(code, "PutItem")
    db = FakeDynamoDB(**{failing: failure})

    with pytest.raises(ClientError) as caught:
        DigestStore(db, "digest").record(Received.from_event(event()), NOW)
    assert caught.value is failure


def test_every_place_is_read_back_from_every_page_even_pages_without_items() -> None:
    latest = latest_item(Received.from_event(event()), NOW)
    day_only: dict[str, Any] = {
        "pk": "day#2026-11-27",
        "sk": "999999999999#us-east-1",
        "account": "999999999999",
        "region": "us-east-1",
        "runs": 2,
        "runIds": {"a", "b"},
    }
    db = FakeDynamoDB(
        pages={
            "latest": [{"Items": [to_item(latest)], "Count": 1}, {"Count": 0}],
            "day#2026-11-27": [{"Count": 0}, {"Items": [to_item(day_only)], "Count": 1}],
        }
    )

    places = DigestStore(db, "digest").places("2026-11-27")

    assert [(p.account, p.region, p.status, dict(p.day)) for p in places] == [
        ("123456789012", "eu-west-1", "attention", {}),
        ("999999999999", "us-east-1", None, {"runs": 2}),
    ]
    assert places[1] == PlaceState("999999999999", "us-east-1", day={"runs": 2})
    assert [request["ExpressionAttributeValues"] for _, request in db.requests] == [
        {":pk": {"S": "latest"}},
        {":pk": {"S": "day#2026-11-27"}},
    ]
