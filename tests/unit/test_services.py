"""A run's clients: made from the run's session, with a connection for every worker that may call at once."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from reprotect import services
from reprotect.config import Config
from reprotect.cooldown import NoCooldown
from reprotect.deadline import Deadline
from reprotect.journal import NoJournal

BASE = {"OUTCOME_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:t", "IDEMPOTENCY_TABLE_NAME": "table"}


class Recording(boto3.session.Session):
    """A session that notes each client it makes: the service and its connection pool."""

    def __init__(self) -> None:
        super().__init__(region_name="eu-west-2", aws_access_key_id="AKID", aws_secret_access_key="secret")
        self.made: list[tuple[str, int]] = []

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        self.made.append((service_name, kwargs["config"].max_pool_connections))
        return super().client(service_name, *args, **kwargs)


@pytest.mark.parametrize("concurrency", [1, 10, 50])
def test_every_worker_has_a_connection_at_once(concurrency: int) -> None:
    session = Recording()
    # Without the pacer, making the run's services calls nothing (the pacer reads its kept limits)
    config = Config.from_env({**BASE, "MAX_CONCURRENCY": str(concurrency), "PACE_DRS_CALLS": "false"})

    run = services.for_run(config, Deadline.after(300), "event", session=session)

    assert run.starts.meta.region_name == "eu-west-2"  # the session's, not the default one
    assert sorted(service for service, _ in session.made) == ["drs", "drs", "dynamodb"]
    # The start workers (2 x MAX_CONCURRENCY) may each write a claim at once
    (table_pool,) = [pool for service, pool in session.made if service == "dynamodb"]
    assert table_pool >= 2 * concurrency
    # MAX_CONCURRENCY StartReplication calls at once
    assert all(pool >= concurrency for service, pool in session.made if service == "drs")


def test_without_a_table_no_table_client_is_made() -> None:
    session = Recording()
    config = Config.from_env({"PACE_DRS_CALLS": "false"}, require_resources=False)  # the CLI's, no --table

    run = services.for_run(config, Deadline.after(300), "event", session=session)

    assert [service for service, _ in session.made] == ["drs", "drs"]
    assert isinstance(run.cooldown, NoCooldown)
    assert isinstance(run.journal, NoJournal)
