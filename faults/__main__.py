"""Run every deadline case concurrently (they mostly wait), print how much time each left, exit 1 if
any left less than the promised 5 s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from drs_emulator import DrsBackend, EmulatorServer, make_server
from faults.cases import CASES, Case, Setup
from harness.env import endpoints, use_fake_aws
from harness.moto_server import running_moto
from harness.resources import Clients, create_table, create_topic, function_env

ROOT = Path(__file__).resolve().parent.parent
SPARE_SECONDS = 5.0
STOPPED_SERVERS = 20


def run_case(case: Case, moto_url: str) -> dict[str, Any]:
    backend = DrsBackend([make_server("STOPPED") for _ in range(STOPPED_SERVERS)])
    with EmulatorServer(backend) as drs:
        clients = Clients.create(moto_url)
        name = f"faults{uuid.uuid4().hex[:10]}"
        env = {
            **os.environ,
            **endpoints(moto_url, drs.url),
            **function_env(create_topic(clients, name), create_table(clients, name)),
        }
        setup = Setup(backend, env, moto_url)
        case.apply(setup)
        try:
            done = subprocess.run(  # noqa: S603 (our own interpreter and program)
                [sys.executable, "-m", "faults.child", str(case.budget)],
                cwd=ROOT,
                env=setup.env,
                capture_output=True,
                text=True,
                timeout=case.budget + 60,
                check=True,
            )
        finally:
            backend.faults.reset()
            for close in setup.closers:
                close()
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    use_fake_aws()
    with running_moto() as moto_url, ThreadPoolExecutor(max_workers=len(CASES)) as pool:
        results = list(pool.map(lambda case: run_case(case, moto_url), CASES))
    print(f"{'case':28} {'budget':>6} {'took':>6} {'left':>6}  ended")
    missed = 0
    for case, result in zip(CASES, results, strict=True):
        ok = result["leftSeconds"] >= SPARE_SECONDS
        missed += not ok
        ended = result["ended"] + (f" ({result['status']})" if "status" in result else "")
        times = f"{case.budget:>5.0f}s {result['tookSeconds']:>5.1f}s {result['leftSeconds']:>5.1f}s"
        print(f"{case.name:28} {times}  {ended}{'' if ok else '  <-- less than 5 s left'}")
        print(f"{'':28} {case.fault}")
    kept = len(CASES) - missed
    print(f"\n{kept} of {len(CASES)} cases returned with at least {SPARE_SECONDS:.0f} s to spare.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
