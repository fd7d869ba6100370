"""Run the DRS emulator by hand: ``python -m drs_emulator --servers 500``."""

from __future__ import annotations

import argparse
import sys

from drs_emulator.fleet import DEFAULT_ACCOUNT, DEFAULT_REGION, generate_fleet
from drs_emulator.models import DrsBackend
from drs_emulator.server import EmulatorServer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drs_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--servers", type=int, default=50, help="size of the generated fleet")
    parser.add_argument("--seed", type=int, default=0, help="fleet generator seed")
    parser.add_argument("--stopped", type=float, default=0.15, help="share of STOPPED servers (0..1)")
    parser.add_argument("--account-id", default=DEFAULT_ACCOUNT)
    parser.add_argument("--region", default=DEFAULT_REGION)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every call")
    parser.add_argument("--start-rate", type=float, help="StartReplication calls/s before 429s")
    parser.add_argument("--start-burst", type=float, help="StartReplication bucket size (default: rate)")
    parser.add_argument("--describe-rate", type=float, help="DescribeSourceServers calls/s before 429s")
    parser.add_argument("--page-cap", type=int, help="largest DescribeSourceServers page served")
    parser.add_argument("--empty-pages-every", type=int, help="every Nth page is empty (N >= 2)")
    parser.add_argument("--uninitialized", action="store_true", help="answer UninitializedAccountException")
    parser.add_argument("--deny-describe", action="store_true", help="DescribeSourceServers answers 403")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.empty_pages_every is not None and args.empty_pages_every < 2:
        raise SystemExit("--empty-pages-every must be at least 2, or paging never ends")
    fleet = generate_fleet(
        args.servers, seed=args.seed, account_id=args.account_id, region=args.region, stopped=args.stopped
    )
    backend = DrsBackend(fleet, account_id=args.account_id, region=args.region)
    backend.set_latency(args.latency_ms / 1000)
    if args.start_rate:
        backend.set_rate_limit("StartReplication", args.start_rate, args.start_burst)
    if args.describe_rate:
        backend.set_rate_limit("DescribeSourceServers", args.describe_rate)
    backend.page_cap = args.page_cap
    backend.empty_pages_every = args.empty_pages_every
    backend.uninitialized = args.uninitialized
    backend.deny_describe = args.deny_describe

    server = EmulatorServer(backend, host=args.host, port=args.port)
    # One line, flushed, so scripts can read the URL from a pipe.
    print(f"DRS emulator listening on {server.url} with {args.servers} servers", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
