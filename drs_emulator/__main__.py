"""Run the DRS emulator by hand: ``python -m drs_emulator --servers 500``."""

from __future__ import annotations

import argparse
import sys

from drs_emulator.fleet import DEFAULT_ACCOUNT, DEFAULT_REGION, generate_account
from drs_emulator.models import DrsBackend
from drs_emulator.operations import OPERATIONS
from drs_emulator.server import EmulatorServer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drs_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--servers", type=int, default=50, help="size of the generated fleet")
    parser.add_argument("--recovery-instances", type=int, default=0, help="recovery instances of the fleet")
    parser.add_argument("--source-networks", type=int, default=0, help="source networks of the fleet")
    parser.add_argument("--seed", type=int, default=0, help="fleet generator seed")
    parser.add_argument("--stopped", type=float, default=0.15, help="share of STOPPED servers (0..1)")
    parser.add_argument("--account-id", default=DEFAULT_ACCOUNT)
    parser.add_argument("--region", default=DEFAULT_REGION)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every call")
    parser.add_argument("--start-rate", type=float, help="StartReplication calls/s before 429s")
    parser.add_argument("--start-burst", type=float, help="StartReplication bucket size (default: rate)")
    parser.add_argument("--describe-rate", type=float, help="DescribeSourceServers calls/s before 429s")
    parser.add_argument("--page-cap", type=int, help="largest Describe* page served")
    parser.add_argument("--empty-pages-every", type=int, help="every Nth page is empty (N >= 2)")
    parser.add_argument("--uninitialized", action="store_true", help="answer UninitializedAccountException")
    parser.add_argument("--deny-describe", action="store_true", help="DescribeSourceServers answers 403")
    parser.add_argument(
        "--deny", action="append", default=[], choices=sorted(OPERATIONS), metavar="OPERATION",
        help="this operation answers AccessDeniedException (403); repeatable",
    )  # fmt: skip
    return parser


def build_backend(args: argparse.Namespace) -> DrsBackend:
    """The backend the flags describe: a generated account and its faults."""
    if args.empty_pages_every is not None and args.empty_pages_every < 2:
        raise SystemExit("--empty-pages-every must be at least 2, or paging never ends")
    backend = DrsBackend(account_id=args.account_id, region=args.region)
    backend.add_fleet(
        generate_account(
            args.servers,
            seed=args.seed,
            recovery_instances=args.recovery_instances,
            source_networks=args.source_networks,
            account_id=args.account_id,
            region=args.region,
            stopped=args.stopped,
        )
    )
    faults = backend.faults
    faults.latency(args.latency_ms / 1000)
    if args.start_rate:
        faults.rate_limit("StartReplication", args.start_rate, args.start_burst)
    if args.describe_rate:
        faults.rate_limit("DescribeSourceServers", args.describe_rate)
    faults.page_cap = args.page_cap
    faults.empty_pages_every = args.empty_pages_every
    faults.uninitialized = args.uninitialized
    for operation in args.deny + (["DescribeSourceServers"] if args.deny_describe else []):
        faults.deny(operation)
    return backend


def shell_exports(url: str, region: str) -> list[str]:
    """What a shell needs to point the AWS CLI and SDKs at the emulator (any credentials do)."""
    return [
        f"export AWS_ENDPOINT_URL_DRS={url}",
        "export AWS_ACCESS_KEY_ID=testing",
        "export AWS_SECRET_ACCESS_KEY=testing",
        f"export AWS_DEFAULT_REGION={region}",
    ]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    server = EmulatorServer(build_backend(args), host=args.host, port=args.port)
    # The first line stays exactly this (scripts read the URL from it); flushed, for pipes.
    print(f"DRS emulator listening on {server.url} with {args.servers} servers", flush=True)
    print("\n".join(shell_exports(server.url, args.region)), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
