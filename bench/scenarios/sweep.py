"""1. Sweep speed: the handler and the plain baseline over the same fleet, at every size."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.markdown import table
from bench.scenario import Figures, Scenario, progress
from bench.settings import CONCURRENCY, LATENCY, SIZES, UNCAPPED
from bench.testbed import TestBed, fleet_emulator


def measure(bed: TestBed, _: Figures) -> dict[int, dict[str, Any]]:
    """Per size: the handler's and the baseline's results, and the ratios between them."""
    out: dict[int, dict[str, Any]] = {}
    for size in SIZES:  # the handler runs are what is timed closely: one at a time, nothing beside them
        with fleet_emulator(size) as server:
            out[size] = {"handler": bed.run_handler(server, UNCAPPED)}
    # The sequential baselines wait on latency (a few percent of one core each), so they run side by
    # side; their StartReplication round trip over 100 ms, reported below, shows what that cost them.
    with ThreadPoolExecutor(max_workers=len(SIZES)) as pool:
        baselines = {size: pool.submit(_baseline, bed, size) for size in SIZES}
    for size, future in baselines.items():
        out[size]["baseline"] = future.result()
        out[size].update(ratios(out[size]["handler"], out[size]["baseline"]))
        seconds = (out[size]["handler"]["sweepSeconds"], out[size]["baseline"]["sweepSeconds"])
        progress(f"sweep {size}: handler {seconds[0]:.2f} s, baseline {seconds[1]:.2f} s")
    return out


def ideal_seconds(starts: int) -> float:
    """The calls alone: every start in waves of the concurrency, plus one page before the first wave."""
    return (-(-starts // CONCURRENCY)) * LATENCY + LATENCY


def _baseline(bed: TestBed, size: int) -> dict[str, Any]:
    with fleet_emulator(size) as server:
        baseline = bed.run("baseline", server.url)
        baseline["describeCalls"] = len(server.backend.calls_of("DescribeSourceServers"))
    return baseline


def ratios(handler: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float]:
    ideal = ideal_seconds(handler["startedOk"])
    return {
        "speedup": baseline["sweepSeconds"] / handler["sweepSeconds"],
        "processSpeedup": baseline["processSeconds"] / handler["processSeconds"],
        "ideal": ideal,
        "sweepOverIdeal": handler["sweepSeconds"] / ideal,
    }


def render(sweeps: dict[int, dict[str, Any]]) -> list[str]:
    return [
        f"One scheduled run (`events/scheduler.json`) with {LATENCY * 1000:.0f} ms of emulated latency on",
        f"every DRS call, `MAX_CONCURRENCY={CONCURRENCY}` (the default) and `MAX_STARTS_PER_RUN=4000` (the"
        " default",
        "of 100 would defer most of the stopped servers). The baseline is the plain way:",
        '`boto3.client("drs")`, the `describe_source_servers` paginator with its defaults, then',
        "`start_replication` one server at a time. *Sweep* is the time inside the process (handler",
        "invocation; baseline from client creation to the last start); *process* adds interpreter",
        "start and imports. *Ideal* is the calls alone:",
        f"ceil(starts / {CONCURRENCY}) x {LATENCY * 1000:.0f} ms + one page's {LATENCY * 1000:.0f} ms.",
        "",
        table(
            [
                "Servers",
                "Started",
                "Handler sweep (s)",
                "Baseline sweep (s)",
                "Speed-up",
                "Process handler / baseline (s)",
                "Speed-up (process)",
                "Ideal (s)",
                "Sweep / ideal",
            ],
            [_speed_row(size, figures) for size, figures in sweeps.items()],
        ),
        "",
        *_test_bed(sweeps),
    ]


def _speed_row(size: int, figures: dict[str, Any]) -> list[Any]:
    handler, baseline = figures["handler"], figures["baseline"]
    return [
        f"{size:,}",
        handler["startedOk"],
        f"{handler['sweepSeconds']:.2f}",
        f"{baseline['sweepSeconds']:.2f}",
        f"**{figures['speedup']:.1f}x**",
        f"{handler['processSeconds']:.2f} / {baseline['processSeconds']:.2f}",
        f"{figures['processSpeedup']:.1f}x",
        f"{figures['ideal']:.2f}",
        f"**{figures['sweepOverIdeal']:.2f}x**",
    ]


def _test_bed(sweeps: dict[int, dict[str, Any]]) -> list[str]:
    rows = [
        [
            f"{size:,}",
            f"{(figures['baseline']['startCallMedian'] - LATENCY) * 1000:.1f} ms",
            _cpu(figures["handler"], "emulatorCpuSeconds"),
            _cpu(figures["handler"], "motoCpuSeconds"),
            _cpu(figures["handler"], "cpuSeconds"),
        ]
        for size, figures in sweeps.items()
    ]
    return [
        "What the test bed itself costs. The first column is how much longer than the configured 100 ms",
        "the baseline's sequential StartReplication calls took (botocore, loopback and emulator together,",
        "with the baselines running side by side): the emulator adds next to nothing of its own, and",
        "the baselines were not slowed by one another. The CPU each process used during the handler run,",
        f"with its share of the run's wall time ({os.cpu_count()} cores in all), shows none of them is"
        " starved.",
        "",
        table(
            [
                "Servers",
                "StartReplication round trip over 100 ms (median)",
                "Emulator CPU",
                "moto CPU",
                "Handler process CPU",
            ],
            rows,
        ),
        "",
    ]


def _cpu(result: dict[str, Any], key: str) -> str:
    return f"{result[key]:.2f} s ({result[key] / result['processSeconds']:.0%})"


SCENARIO = Scenario("sweep", "Sweep speed", measure, render)
