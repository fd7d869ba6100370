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

from reprotect import engine
from reprotect.config import Config, ConfigError
from reprotect.cooldown import CooldownStore
from reprotect.drs import make_client
from reprotect.events import InvalidEventError, RunRequest, Trigger, parse_event
from reprotect.report import summary

_COLUMNS = (("sourceServerID", 19), ("hostname", 24), ("outcome", 11), ("reason", 30), ("detail", 0))


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
    cooldown = None
    if config.table_name:
        cooldown = CooldownStore(
            session.client("dynamodb"), config.table_name, config.restart_cooldown_seconds
        )
    else:
        print("note: no --table given, so no cooldown is read or written", file=sys.stderr)
    services = engine.Services(
        drs=make_client(config.max_concurrency, config.retry_mode, session), cooldown=cooldown
    )
    report = engine.run(request, config, services, run_id=f"cli-{uuid.uuid4()}").to_dict()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_table(report))
    return 1 if report["status"] in ("failed", "partial-failure") else 0


def _request(ids: list[str] | None) -> RunRequest:
    if not ids:
        return RunRequest(Trigger("manual", "cli"), "cli")
    parsed = parse_event({"sourceServerIDs": ids}, "cli")
    assert isinstance(parsed, RunRequest)
    return parsed


def render_table(report: dict[str, Any]) -> str:
    """The report's servers as a fixed-width table, then the run's verdict."""
    lines = ["  ".join(name.ljust(width) for name, width in _COLUMNS).rstrip()]
    for server in report["servers"]:
        cells = [str(server.get(name) or "-") for name, _ in _COLUMNS]
        lines.append(
            "  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, _COLUMNS, strict=True)).rstrip()
        )
    if not report["servers"]:
        lines.append("(no server needed anything)")
    where = "/".join(x for x in (report.get("account"), report.get("region")) if x)
    lines += ["", f"{report['status'].upper()} {where}: {summary(report['counts'])}"]
    if report.get("error"):
        lines.append(f"error: {report['error']['code']}: {report['error']['message']}")
    if report["dryRun"]:
        lines.append("Dry run: nothing was started. Add --apply to start replication.")
    return "\n".join(lines)
