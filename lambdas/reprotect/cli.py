"""`python -m reprotect`: the same engine, from a laptop, against the current credentials' account."""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Sequence
from typing import Any

import boto3

from reprotect import aws, engine, render
from reprotect.config import Config, ConfigError
from reprotect.cooldown import CooldownStore, NoCooldown
from reprotect.deadline import UNBOUNDED_SECONDS, Deadline
from reprotect.drs import make_client
from reprotect.events import InvalidEventError, RunRequest, Trigger, parse_event
from reprotect.journal import NoJournal
from reprotect.limits import Limits, LimitStore, NoLimitStore, keep_limits, start_pacing
from reprotect.pacing import Pacing
from reprotect.report import Status
from reprotect.services import Cooldowns, Services


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reprotect",
        description="Find stopped DRS source servers and restart replication (a dry run unless --apply).",
    )
    parser.add_argument("--apply", action="store_true", help="really call StartReplication")
    parser.add_argument("--ids", nargs="+", metavar="ID", help="check only these source server ids")
    parser.add_argument("--region", help="AWS region (default: from your AWS configuration)")
    parser.add_argument("--profile", help="AWS profile (default: from your AWS configuration)")
    parser.add_argument("--exclude-tag", help="key=value or key: never start such servers (EXCLUDE_TAG)")
    parser.add_argument("--include-tag", help="key=value or key: start only such servers (INCLUDE_TAG)")
    parser.add_argument("--max-starts", help="at most this many starts (MAX_STARTS_PER_RUN)")
    parser.add_argument("--concurrency", help="StartReplication calls in flight (MAX_CONCURRENCY)")
    parser.add_argument("--table", help="idempotency table: keep and honour the Lambda's cooldowns")
    parser.add_argument("--cooldown-seconds", help="cooldown written with --table (RESTART_COOLDOWN_SECONDS)")
    parser.add_argument("--json", action="store_true", help="print the JSON report instead of a table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {
        "EXCLUDE_TAG": args.exclude_tag,
        "INCLUDE_TAG": args.include_tag,
        "MAX_STARTS_PER_RUN": args.max_starts,
        "MAX_CONCURRENCY": args.concurrency,
        "RESTART_COOLDOWN_SECONDS": args.cooldown_seconds,
        "IDEMPOTENCY_TABLE_NAME": args.table,
        "DRY_RUN": "false" if args.apply else "true",
    }
    env = {**os.environ, **{k: v for k, v in overrides.items() if v is not None}}
    if args.table is None:
        env.pop("IDEMPOTENCY_TABLE_NAME", None)
    try:
        config = Config.from_env(env, require_resources=False)
        request = _request(args.ids)
    except (ConfigError, InvalidEventError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    deadline = Deadline.after(UNBOUNDED_SECONDS)
    dynamodb = None
    limits: Limits = NoLimitStore()
    if config.table_name:
        dynamodb = aws.client(
            "dynamodb", deadline.call_window, max_attempts=config.max_attempts, session=session
        )
        limits = LimitStore(dynamodb, config.table_name)
    pacing = start_pacing(config, deadline, limits)
    services = _services(config, deadline, session, dynamodb, pacing)
    report = engine.run(request, config, services, run_id=request.dedupe_key, deadline=deadline)
    keep_limits(pacing, limits, deadline)
    print(json.dumps(report.to_dict(), indent=2) if args.json else render.table(report))
    return 1 if report.status in (Status.FAILED, Status.PARTIAL_FAILURE) else 0


def _services(
    config: Config, deadline: Deadline, session: boto3.session.Session, dynamodb: Any, pacing: Pacing | None
) -> Services:
    """The Lambda's clients, with the operator's session. A CLI run is never retried by a platform, so
    it keeps no journal."""
    cooldown: Cooldowns = NoCooldown()
    if config.table_name:
        cooldown = CooldownStore(dynamodb, config.table_name, config.restart_cooldown_seconds)
    else:
        print("note: no --table given, so no cooldown is read or written", file=sys.stderr)

    def drs(window: float) -> Any:
        return make_client(
            deadline,
            window,
            max_concurrency=config.max_concurrency,
            max_attempts=config.max_attempts,
            retry_mode=config.retry_mode,
            pacing=pacing,
            session=session,
        )

    return Services(
        drs=drs(deadline.page_window),
        starts=drs(deadline.call_window),
        cooldown=cooldown,
        journal=NoJournal(),
    )


def _request(ids: list[str] | None) -> RunRequest:
    run_id = f"cli-{uuid.uuid4()}"  # also the claims' key: no two CLI runs share one
    if not ids:
        return RunRequest(Trigger("manual", "cli"), run_id)
    parsed = parse_event({"sourceServerIDs": ids}, run_id)
    assert isinstance(parsed, RunRequest)
    return RunRequest(Trigger("manual", "cli", run_id), run_id, parsed.server_ids)
