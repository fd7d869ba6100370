"""The DRS limits a run learned, kept in the table for the next run: one item, read once, written once.

The item (`pacer#drs`, beside the cooldown claims) holds, per operation, the rate and burst its pacer
ended the run with. The next run's pacers start from them instead of finding the limit again. It is
read when a run starts and written when it ends, only if a pacer learned something; it expires a week
after the last run that did. Neither failing can fail a run: a pacer without a seed finds the limit
again, and an unwritten limit is found again next time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from reprotect.config import Config
from reprotect.contract import LIMITS_KEY, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE
from reprotect.deadline import Deadline
from reprotect.observability import logger
from reprotect.pacer import MAX_RATE, MIN_RATE, Limit
from reprotect.pacing import Pacing

KEEP_SECONDS = 7 * 24 * 3600
STORE_ERRORS = (ClientError, BotoCoreError)
_KEY = {TABLE_PARTITION_KEY: {"S": LIMITS_KEY}}


class Limits(Protocol):
    """Where learned limits are kept: LimitStore, or NoLimitStore without a table."""

    def load(self) -> dict[str, Limit]: ...
    def save(self, limits: Mapping[str, Limit]) -> None: ...


def start_pacing(config: Config, deadline: Deadline, limits: Limits) -> Pacing | None:
    """The run's pacing (None when PACE_DRS_CALLS is false), seeded from what the last run kept."""
    if not config.pace_drs_calls:
        return None
    return Pacing(deadline, max_burst=config.max_concurrency, seeds=limits.load())


def keep_limits(pacing: Pacing | None, limits: Limits, deadline: Deadline) -> None:
    """At the end of a run: log how each operation was paced and keep what was learned, if time allows."""
    if pacing is None:
        return
    pacing.log()
    if deadline.allows(deadline.call_window):
        limits.save(pacing.learned())


class LimitStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def load(self) -> dict[str, Limit]:
        """The limits the last run kept, by operation; none when there are none or they cannot be read."""
        try:
            item = self._client.get_item(TableName=self._table, Key=_KEY, ConsistentRead=True).get("Item")
        except STORE_ERRORS:
            logger.warning("Could not read the learned DRS limits; pacing starts afresh")
            return {}
        return read_limits(item or {}, int(time.time()))

    def save(self, limits: Mapping[str, Limit]) -> None:
        """Keep what this run learned (nothing to write when it learned nothing)."""
        if not limits:
            return
        now = int(time.time())
        item = {
            **_KEY,
            TABLE_TTL_ATTRIBUTE: {"N": str(now + KEEP_SECONDS)},
            "limits": {
                "M": {
                    operation: {"M": {"rate": {"N": repr(limit.rate)}, "burst": {"N": repr(limit.burst)}}}
                    for operation, limit in limits.items()
                }
            },
        }
        try:
            self._client.put_item(TableName=self._table, Item=item)
        except STORE_ERRORS:
            logger.warning("Could not keep the learned DRS limits; the next run finds them again")


class NoLimitStore:
    """No table (the CLI without --table): every run finds the limits afresh."""

    def load(self) -> dict[str, Limit]:
        return {}

    def save(self, limits: Mapping[str, Limit]) -> None:
        return None


def read_limits(item: Mapping[str, Any], now: int) -> dict[str, Limit]:
    """The item's limits that make sense (an expired item, or a damaged entry, is ignored)."""
    try:
        if int(item[TABLE_TTL_ATTRIBUTE]["N"]) <= now:
            return {}
        entries = item["limits"]["M"]
    except (KeyError, TypeError, ValueError):
        return {}
    found: dict[str, Limit] = {}
    for operation, entry in entries.items() if isinstance(entries, dict) else ():
        try:
            rate, burst = float(entry["M"]["rate"]["N"]), float(entry["M"]["burst"]["N"])
        except (KeyError, TypeError, ValueError):
            continue
        if math.isfinite(rate) and math.isfinite(burst) and MIN_RATE <= rate <= MAX_RATE and burst >= 1:
            found[str(operation)] = Limit(rate, burst)
    return found
