"""What a run protects beside source servers: it lists source networks and recovery instances, lets
the pure decisions judge each (`networks.classify`, `reversal.classify`), and hands the calls they
allow to `Acts`.

Only a full sweep looks at source networks, and only with PROTECT_SOURCE_NETWORKS. A full sweep looks
at every recovery instance, a recovery's launch-result event at those of the servers it names, and
neither when REVERSE_REPLICATION is off. A setting that is off makes no call at all. A listing that
fails is a `surveyErrors` entry and leaves the sweep incomplete; what it found before is still judged.
A retry of the same event reports what its earlier attempt did (the run journal) as started.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import networks, recovery, reversal
from reprotect import targets as t
from reprotect.acts import Acts, Crew, note
from reprotect.config import Config
from reprotect.decisions import STARTED_EARLIER
from reprotect.drs import error_code
from reprotect.events import RunRequest
from reprotect.observability import logger
from reprotect.outcomes import Entry
from reprotect.recovery import RecoveryInstance
from reprotect.report import SurveyError
from reprotect.services import STORE_ERRORS, Cooldowns

LISTING_ERRORS = (ClientError, BotoCoreError)
PAGE_SIZE = 1000


def protect(request: RunRequest, config: Config, crew: Crew) -> None:
    """Source networks, then recovery instances, as the request and the settings ask."""
    if request.server_ids is None and config.protect_source_networks:
        acts = Acts(t.NETWORK_START, crew.services.network_claims, crew, **_limits(config))
        acts.admit(
            _survey(crew, "DescribeSourceNetworks", network_pages(crew.services.drs), _network(config, crew))
        )
    scope = reversal.scope(request, config)
    if scope != ():
        acts = Acts(t.REVERSAL, crew.services.reverse_claims, crew, **_limits(config))
        pages = recovery.pages(crew.services.drs, scope)
        acts.admit(_survey(crew, "DescribeRecoveryInstances", pages, _instance(config, crew)))


def _limits(config: Config) -> dict[str, Any]:
    return {"cap": config.max_starts_per_run, "dry_run": config.dry_run}


def network_pages(client: Any) -> Iterator[list[dict[str, Any]]]:
    """Each page of source networks; only the token's absence ends the list."""
    request: dict[str, Any] = {"maxResults": PAGE_SIZE}
    while True:
        page = client.describe_source_networks(**request)
        yield list(page.get("items", []))
        token = page.get("nextToken")
        if not token:
            return
        request["nextToken"] = token


Judge = Callable[[Mapping[str, Any]], t.Target | Entry]


def _survey(
    crew: Crew, operation: str, pages: Iterator[list[dict[str, Any]]], judge: Judge
) -> list[t.Target]:
    """Judge every item of every page (once each); return the targets. A listing that fails or runs
    out of time leaves the sweep incomplete."""
    found: list[t.Target] = []
    seen: set[str] = set()
    if crew.deadline.reached():  # the servers took the time: these wait for the next run
        crew.tally.sweep_complete = False
        return found
    try:
        for page in pages:
            for item in page:
                ident = item.get("sourceNetworkID") or item.get("recoveryInstanceID")
                if ident in seen:  # an item that moved between pages is judged once
                    continue
                seen.add(str(ident))
                verdict = judge(item)
                if isinstance(verdict, t.Target):
                    found.append(verdict)
                else:
                    note(crew.tally, verdict)
            if crew.deadline.reached():
                crew.tally.sweep_complete = False
                break
    except LISTING_ERRORS as exc:
        logger.exception("Listing failed", operation=operation, error_code=error_code(exc))
        crew.tally.survey_failed(SurveyError(operation, error_code(exc), f"{exc!s:.300}"))
    return found


def _network(config: Config, crew: Crew) -> Judge:
    def judge(network: Mapping[str, Any]) -> t.Target | Entry:
        ident = str(network["sourceNetworkID"])
        if ident in crew.earlier and network.get("replicationStatus") != t.NETWORK_START.idle:
            _confirm(crew.services.network_claims, ident, crew)
            return t.started(networks.target_of(network), STARTED_EARLIER)
        return networks.classify(network, config)

    return judge


def _instance(config: Config, crew: Crew) -> Judge:
    def judge(item: Mapping[str, Any]) -> t.Target | Entry:
        instance = RecoveryInstance.from_api(item)
        ident = instance.recovery_instance_id
        if ident in crew.earlier and instance.reverse_state not in (t.REVERSAL.idle, None):
            _confirm(crew.services.reverse_claims, ident, crew)
            arn = _reversed_arn(crew, instance.source_server_id)
            detail = STARTED_EARLIER + (f"; new source server {arn}" if arn else "")
            return t.started(reversal.target_of(instance), detail)
        return reversal.classify(instance, config)

    return judge


def _confirm(store: Cooldowns, ident: str, crew: Crew) -> None:
    """The earlier attempt may have died before confirming its claim: it is confirmed now."""
    try:
        store.confirm(ident, crew.claim, int(time.time()))
    except STORE_ERRORS:
        logger.warning("Could not confirm an earlier attempt's claim", resource_id=ident)


def _reversed_arn(crew: Crew, source_server_id: str | None) -> str | None:
    """The source server an earlier ReverseReplication created, as its original server names it."""
    if not source_server_id or not crew.deadline.allows(crew.deadline.page_window):
        return None
    try:
        page = crew.services.drs.describe_source_servers(filters={"sourceServerIDs": [source_server_id]})
    except LISTING_ERRORS:
        logger.warning("Could not read the reversed server's ARN", source_server_id=source_server_id)
        return None
    arns = [s.get("reversedDirectionSourceServerArn") for s in page.get("items", [])]
    return str(arns[0]) if arns and arns[0] else None
