"""The harness as the bench uses it: moto in its own process, the emulator in this one, and a way to
run one measured program against both and read what the emulator saw."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.settings import LATENCY, ROOT, SEED, STOPPED
from drs_emulator import EmulatorServer, generate_fleet
from harness import resources
from harness.emulator import start_emulator
from harness.env import endpoints, use_fake_aws
from harness.moto_server import MotoProcess


def fleet_emulator(size: int, *, stopped: float = STOPPED, latency: float = LATENCY) -> EmulatorServer:
    """A running emulator with `generate_fleet(size, seed=SEED, stopped=stopped)`, every call delayed."""
    return start_emulator(generate_fleet(size, seed=SEED, stopped=stopped), latency=latency)


class TestBed:
    """moto (in its own process), fresh resources per run, and running the measured programs."""

    def __init__(self) -> None:
        use_fake_aws()
        self._moto = MotoProcess()
        self._clients = resources.Clients.create(self._moto.url)
        self._created = 0

    def __enter__(self) -> TestBed:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._moto.stop()

    def fresh_resources(self) -> dict[str, str]:
        """A new table and topic, so no run sees another's cooldowns or idempotency records."""
        self._created += 1
        name = f"bench-{os.getpid()}-{self._created}"
        topic = resources.create_topic(self._clients, name)
        return resources.function_env(topic, resources.create_table(self._clients, name))

    def run(self, program: str, drs_url: str, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
        """Run one measured program to the end; its result plus whole-process wall time and our CPU."""
        # The programs run as modules from the repository root; warnings would only add noise.
        env = {**os.environ, **endpoints(self._moto.url, drs_url), "PYTHONWARNINGS": "ignore"}
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            cpu_before, moto_before = _own_cpu(), _process_cpu(self._moto.pid)
            begun = time.perf_counter()
            # The handler's log lines go where Lambda would send them; here, nowhere.
            subprocess.run(
                [sys.executable, "-m", f"bench.programs.{program}", out.name],
                env={**env, **(extra_env or {})},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                check=True,
            )
            wall = time.perf_counter() - begun
            result: dict[str, Any] = json.loads(Path(out.name).read_text())
        result["processSeconds"] = wall
        result["emulatorCpuSeconds"] = _own_cpu() - cpu_before
        result["motoCpuSeconds"] = _process_cpu(self._moto.pid) - moto_before
        return result

    def run_handler(self, server: EmulatorServer, extra_env: dict[str, str]) -> dict[str, Any]:
        """The handler against `server` with fresh resources, plus what the emulator saw of it."""
        result = self.run("handler", server.url, {**self.fresh_resources(), **extra_env})
        backend = server.backend
        starts = backend.calls_of("StartReplication")
        started = {call.server_id for call in starts if call.status == 200}
        result["describeCalls"] = len(backend.calls_of("DescribeSourceServers"))
        result["startCalls"] = len(starts)
        result["throttled"] = backend.faults.throttled
        result["startedOk"] = len(started)
        # Servers DynamoDB was asked about that the run did not start (should be none).
        result["tableServersNotStarted"] = len(set(result.pop("tableServers")) - started)
        return result


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) another process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
