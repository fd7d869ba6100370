"""`python -m scripts.count_requests`: the requests full sweeps of a large fleet make, counted, not timed.

A generated account (4,000 servers by default, seed 2026, a third of them stopped, 40 recovery
instances) in the DRS emulator, moto in this process, and the real handler answering two scheduled
events in a row: the first sweep starts what it may, the second finds nothing new. For each sweep it
prints the DRS calls by operation (the emulator's call log), the DynamoDB requests by operation (a
`before-send` hook on the default boto3 session, which makes the handler's clients, so retries count)
and the SNS publishes.

The cap is raised to its maximum and the replicating-server limit to its own (`--defaults` keeps both
at their defaults), so every eligible server is started and the figures compare with earlier versions.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import warnings
from collections import Counter
from typing import Any

import boto3

from drs_emulator import DrsBackend, EmulatorServer, generate_account
from harness.context import FakeContext
from harness.env import endpoints, use_fake_aws
from harness.events import load_event
from harness.function import lambda_handler
from harness.moto_server import running_moto
from harness.resources import Clients
from harness.stack import Stack

SEED = 2026
UNCAPPED = {"MAX_STARTS_PER_RUN": "4000", "REPLICATING_SERVER_LIMIT": "10000"}
SWEEPS = ("06:00:00Z", "06:30:00Z")  # two scheduled times: two events, not one delivered twice


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.count_requests", description=__doc__)
    parser.add_argument("--servers", type=int, default=4000, help="fleet size (default 4000)")
    parser.add_argument("--stopped", type=float, default=0.33, help="share of stopped servers")
    parser.add_argument("--recovery-instances", type=int, default=40, help="recovery instances")
    parser.add_argument("--defaults", action="store_true", help="keep the cap and the limit at defaults")
    return parser.parse_args(argv)


class Counted:
    """DynamoDB and SNS requests sent through the default session since the last `take`."""

    def __init__(self, session: Any) -> None:
        self.requests: Counter[str] = Counter()
        session.events.register("before-send.dynamodb", self._dynamodb)
        session.events.register("before-call.sns", self._sns)

    def _dynamodb(self, request: Any, **_: Any) -> None:
        target = str(request.headers.get("X-Amz-Target", b"?"), "utf-8")
        self.requests[f"dynamodb:{target.rsplit('.', 1)[-1]}"] += 1

    def _sns(self, model: Any, **_: Any) -> None:
        self.requests[f"sns:{model.name}"] += 1

    def take(self) -> Counter[str]:
        taken, self.requests = self.requests, Counter()
        return taken


def sweep(backend: DrsBackend, counted: Counted, scheduled: str) -> tuple[dict[str, Any], Counter[str]]:
    before = len(backend.calls)
    event = load_event("scheduler.json", scheduledTime=f"2026-11-27T{scheduled}", executionId=scheduled)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = lambda_handler()(event, FakeContext(budget_ms=900_000))
    calls = Counter(f"drs:{call.operation}" for call in backend.calls[before:])
    return report, calls + counted.take()


def show(number: int, report: dict[str, Any], requests: Counter[str]) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items() if v)
    print(f"Sweep {number}: status {report['status']}; {counts}")
    for service in ("drs", "dynamodb", "sns"):
        mine = {k.split(":", 1)[1]: v for k, v in sorted(requests.items()) if k.startswith(service + ":")}
        total = sum(mine.values())
        print(
            f"  {service}: {total}" + (f" ({', '.join(f'{k} {v}' for k, v in mine.items())})" if mine else "")
        )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    use_fake_aws()
    fleet = generate_account(
        args.servers, seed=SEED, stopped=args.stopped, recovery_instances=args.recovery_instances
    )
    backend = DrsBackend()
    backend.add_fleet(fleet)
    with running_moto() as moto_url, EmulatorServer(backend) as drs:
        os.environ.update(endpoints(moto_url, drs.url))
        stack = Stack.create(drs, "count-requests", Clients.create())
        os.environ.update(stack.env())
        if not args.defaults:
            os.environ.update(UNCAPPED)
        boto3.setup_default_session()
        counted = Counted(boto3.DEFAULT_SESSION)
        print(f"{args.servers:,} servers, {args.recovery_instances} recovery instances, seed {SEED}")
        for number, scheduled in enumerate(SWEEPS, 1):
            show(number, *sweep(backend, counted, scheduled))
    return 0


if __name__ == "__main__":
    sys.exit(main())
