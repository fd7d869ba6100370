"""`drs-reprotect` (or `python -m reprotect`): the Lambda's engine, from a laptop, against the account of
your current AWS credentials. A dry run unless --apply; it publishes nothing.

stdout carries the report alone (a table, or the JSON report with --json); notes and logs go to stderr,
and logs only with --verbose (warnings and errors always). Settings come from the flags alone (the
defaults are the Lambda's); the environment supplies the region, profile, credentials and botocore's
AWS_RETRY_MODE / AWS_MAX_ATTEMPTS.

Exit codes: 0 the run finished (ok, attention, dry-run or idle); 1 it failed or partly failed (the report says
why); 2 an option is wrong; 3 no region, profile or credentials. 2 and 3 come before any AWS call.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

import boto3
from botocore.exceptions import BotoCoreError

from reprotect import contract, engine, render, services
from reprotect.config import Config, ConfigError
from reprotect.contract import Setting, SettingError
from reprotect.deadline import UNBOUNDED_SECONDS, Deadline
from reprotect.events import InvalidEventError, RunRequest, Trigger, parse_event
from reprotect.observability import logger
from reprotect.report import SCHEMA_VERSION, Status
from reprotect.tags import TagSpec

PROG = "drs-reprotect"
EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, EXIT_NO_AWS = 0, 1, 2, 3
DEFAULT_EXCLUDE = str(contract.EXCLUDE_TAG.default)
# What the CLI takes from the environment: botocore's own settings and the log level. The engine's
# settings (EXCLUDE_TAG, MAX_STARTS_PER_RUN, ...) come from the flags only, so --help tells the truth.
PASSED_THROUGH = (*(setting.env for setting in contract.RUNTIME_SETTINGS), contract.RETRY_MODE.env)


def _tag(text: str) -> TagSpec:
    try:
        return TagSpec.parse(text)
    except SettingError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} {exc}") from None


def _number(setting: Setting) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            return int(setting.parse(text))
        except SettingError as exc:
            raise argparse.ArgumentTypeError(f"{text!r} {exc}") from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        allow_abbrev=False,  # a flag is spelled out, as the settings are: no guessing in a DR tool
        description="Find stopped DRS source servers and restart their replication, as the Lambda does."
        " A dry run unless --apply.",
        epilog="Exit codes: 0 finished (ok, attention, dry-run, idle); 1 the run failed or partly failed;"
        " 2 a bad option; 3 no region, profile or credentials. 2 and 3 come before any AWS call.",
    )
    add = parser.add_argument
    add("--apply", action="store_true", help="really call StartReplication (default: a dry run)")
    add("--ids", nargs="+", metavar="ID", help="check only these source servers (default: the whole fleet)")
    add("--region", help=f"AWS region (default: {_configured_region()})")
    add("--profile", help="AWS profile (default: AWS_PROFILE, else your default profile)")
    _add_policy(parser)
    add(
        "--table",
        metavar="NAME",
        help="the Lambda's idempotency table: honour and write its cooldowns (default: none)",
    )
    add(
        "--json",
        action="store_true",
        help=f"print the JSON report (schemaVersion {SCHEMA_VERSION}) instead of a table",
    )
    add("--verbose", action="store_true", help="log each server action to stderr (default: warnings only)")
    return parser


def _add_policy(parser: argparse.ArgumentParser) -> None:
    """The engine's settings, each with the Lambda's default."""
    add, tag = parser.add_argument, "KEY[=VALUE]"
    add(
        "--exclude-tag",
        action="append",
        type=_tag,
        default=[],
        metavar=tag,
        help=f"also never start servers carrying this tag; repeatable (always excluded: {DEFAULT_EXCLUDE})",
    )
    add(
        "--no-default-exclude",
        action="store_true",
        help=f"drop {DEFAULT_EXCLUDE} on purpose: such servers may be started",
    )
    add(
        "--include-tag",
        type=_tag,
        metavar=tag,
        help="start only servers carrying this tag (default: every server not excluded)",
    )
    for flag, setting, metavar, what in NUMBERS:
        add(flag, type=_number(setting), metavar=metavar, default=setting.default,
            help=f"{what} (default: %(default)s)")  # fmt: skip


# The engine's numeric settings, as flags: (flag, setting, metavar, help).
NUMBERS: tuple[tuple[str, Setting, str, str], ...] = (
    ("--max-starts", contract.MAX_STARTS_PER_RUN, "N", "at most N starts in this run"),
    ("--concurrency", contract.MAX_CONCURRENCY, "N", "StartReplication calls in flight"),
    ("--cooldown-seconds", contract.RESTART_COOLDOWN_SECONDS, "S", "cooldown written with --table"),
    (
        "--replicating-limit",
        contract.REPLICATING_SERVER_LIMIT,
        "N",
        "replicating servers the run stays under",
    ),
    ("--max-lag-seconds", contract.MAX_LAG_SECONDS, "S", "lag beyond which a server needs a person (0: off)"),
    (
        "--max-restarts-per-day",
        contract.MAX_RESTARTS_PER_DAY,
        "N",
        "starts a day before a restart loop (0: off)",
    ),
)


def _configured_region() -> str:
    try:
        region = boto3.session.Session().region_name
    except BotoCoreError:
        region = None
    return f"your AWS configuration's, now {region}" if region else "none configured: give --region"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or argparse's own refusal (already printed)
        return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    try:
        config = Config.from_env(_environment(args, os.environ), require_resources=False)
        config = _with_exclusions(config, args.exclude_tag, not args.no_default_exclude)
        request = _request(args.ids)
    except (ConfigError, InvalidEventError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    session, problem = _session(args.profile, args.region)
    if session is None:
        return _fail(EXIT_NO_AWS, problem)
    _route_logs(args.verbose)
    if not config.table_name:
        print("note: no --table given, so no cooldown is read or written", file=sys.stderr)
    deadline = Deadline.after(UNBOUNDED_SECONDS)
    clients = services.for_run(config, deadline, request.dedupe_key, session)
    report = engine.run(request, config, clients, run_id=request.dedupe_key, deadline=deadline)
    clients.keep_learned(deadline)
    print(json.dumps(report.to_dict(), indent=2) if args.json else render.table(report), flush=True)
    return EXIT_RUN_FAILED if report.status in (Status.FAILED, Status.PARTIAL_FAILURE) else EXIT_OK


def _environment(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, str]:
    """The engine's configuration as the Lambda would read it: the flags, and botocore's own settings."""
    env = {name: environ[name] for name in PASSED_THROUGH if name in environ}
    env.update(
        {
            contract.DRY_RUN.env: "false" if args.apply else "true",
            contract.INCLUDE_TAG.env: str(args.include_tag or ""),
            **{
                setting.env: str(getattr(args, flag.removeprefix("--").replace("-", "_")))
                for flag, setting, _, _ in NUMBERS
            },
        }
    )
    if args.table:
        env[contract.Env.IDEMPOTENCY_TABLE_NAME.value] = args.table
    return env


def _with_exclusions(config: Config, extra: Iterable[TagSpec], keep_default: bool) -> Config:
    specs = ([TagSpec.parse(DEFAULT_EXCLUDE)] if keep_default else []) + list(extra)
    return replace(config, exclude_tags=tuple(specs))


def _session(profile: str | None, region: str | None) -> tuple[boto3.session.Session | None, str]:
    """A session with a region and credentials, or None and the one line that says how to get them."""
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
        credentials = session.get_credentials()
    except BotoCoreError as exc:  # an unknown profile, an expired SSO token, a broken config file
        return None, f"{exc} (check --profile / AWS_PROFILE and your AWS configuration)"
    if not session.region_name:
        return None, "no AWS region: give --region, set AWS_REGION, or set one in your profile"
    if credentials is None:
        return None, "no AWS credentials: run `aws configure` or `aws sso login`, or give --profile"
    return session, ""


def _route_logs(verbose: bool) -> None:
    """The engine's logs to stderr, so stdout is the report alone; per-server lines only if verbose."""
    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(sys.stderr)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def _fail(code: int, message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _request(ids: list[str] | None) -> RunRequest:
    run_id = f"cli-{uuid.uuid4()}"  # also the claims' key: no two CLI runs share one
    trigger = Trigger("manual", "cli", run_id)
    if not ids:
        return RunRequest(trigger, run_id)
    parsed = parse_event({"sourceServerIDs": ids}, run_id)
    assert isinstance(parsed, RunRequest)
    return RunRequest(trigger, run_id, parsed.server_ids)
