"""`make bench`: how fast, light and gentle one sweep is, against the DRS emulator and moto.

Every measured program is a fresh interpreter (a cold Lambda), started by this script:

- `handler`: imports `reprotect.handler` and answers `events/scheduler.json` once;
- `baseline`: the plain way, a boto3 paginator with its defaults, then StartReplication one by one;
- `describe`: imports boto3 and makes the same DescribeSourceServers calls as the handler, nothing else.

The DRS emulator is served by this process (the measured program runs in its own), and moto runs in
a third process, so neither the emulator nor moto competes with the measured program for one GIL.
Each scenario gets a new emulator backend, table and topic, and every ratio compares figures from
this same run. The results go to stdout and to docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVENT = ROOT / "events" / "scheduler.json"
OUTPUT = ROOT / "docs" / "benchmarks.md"
SIZES = tuple(int(x) for x in os.environ.get("BENCH_SIZES", "100,1000,4000").split(","))
LATENCY = 0.1  # seconds the emulator waits before answering each DRS call
STOPPED = 0.33
SEED = 2026
COLD_REPEATS = 11
THROTTLE_RATE = 10.0
THROTTLE_FLEET = 700  # about 200 eligible servers: a run of ~20 s at 10 starts/s
SNS_LIMIT = 262_144

ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "drs-reprotect",
    "POWERTOOLS_METRICS_NAMESPACE": "DrsReprotect",
    "PYTHONWARNINGS": "ignore",
    "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'lambdas'}",
}


# ---- the measured programs (run as `bench.py --child KIND RESULT_FILE`) ---------------------------
# They import only what the program they stand for would: nothing of this script's parent side.


def _child(kind: str, result_file: str) -> None:
    begun = time.perf_counter()
    result: dict[str, Any] = {"kind": kind}
    if kind == "handler":
        _child_handler(result)
    elif kind == "baseline":
        _child_baseline(result)
    elif kind == "describe":
        _child_describe(result)
    else:
        raise SystemExit(f"unknown child kind {kind!r}")
    result["inProcessSeconds"] = time.perf_counter() - begun
    result["maxRssKb"] = _peak_rss_kb()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    result["cpuSeconds"] = cpu.ru_utime + cpu.ru_stime
    Path(result_file).write_text(json.dumps(result))


def _peak_rss_kb() -> int:
    """This program's own peak RSS. Linux keeps `ru_maxrss` across fork and exec, so a child started
    by this (large) benchmark process would report the parent's size; VmHWM starts afresh at exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _child_handler(result: dict[str, Any]) -> None:
    import re
    import uuid

    import boto3

    # The handler makes its DynamoDB and SNS clients from the default session, so hooks registered
    # on it see every request those clients send (retries included) and the message published.
    session = boto3.setup_default_session() or boto3.DEFAULT_SESSION
    assert session is not None
    table_requests: dict[str, int] = {}
    published: list[int] = []

    def count(request: Any, **_: Any) -> None:
        operation = str(request.headers.get("X-Amz-Target", b"?"), "utf-8").rsplit(".", 1)[-1]
        table_requests[operation] = table_requests.get(operation, 0) + 1

    def measure(params: dict[str, Any], **_: Any) -> None:
        attributes = params.get("MessageAttributes", {})
        size = len(params["Message"].encode()) + sum(
            len(k.encode()) + len(v["DataType"].encode()) + len(v["StringValue"].encode())
            for k, v in attributes.items()
        )
        published.append(size)

    asked_about: set[str] = set()

    def note_servers(params: dict[str, Any], **_: Any) -> None:
        asked_about.update(re.findall(r"cooldown#(s-[0-9a-zA-Z]{17})", json.dumps(params)))

    session.events.register("before-send.dynamodb", count)
    session.events.register("provide-client-params.dynamodb", note_servers)
    session.events.register("provide-client-params.sns.Publish", measure)

    from reprotect import handler

    class Context:
        function_name = "drs-reprotect"
        function_version = "$LATEST"
        memory_limit_in_mb = 512
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:drs-reprotect"
        log_group_name = "/aws/lambda/drs-reprotect"
        log_stream_name = "bench"
        aws_request_id = str(uuid.uuid4())

        def get_remaining_time_in_millis(self) -> int:
            return 900_000

    event = json.loads(EVENT.read_text())
    begun = time.perf_counter()
    report = handler.lambda_handler(event, Context())
    result["sweepSeconds"] = time.perf_counter() - begun
    result["counts"] = report["counts"]
    result["status"] = report["status"]
    result["truncated"] = report.get("truncated", False)
    result["reasons"] = _reasons(report["servers"])
    result["serversOmitted"] = report.get("serversOmitted", 0)
    result["tableRequests"] = table_requests
    result["tableServers"] = sorted(asked_about)
    result["published"] = published


def _reasons(servers: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for server in servers:
        key = f"{server['outcome']}/{server['reason']}"
        out[key] = out.get(key, 0) + 1
    return out


def _child_baseline(result: dict[str, Any]) -> None:
    import boto3

    begun = time.perf_counter()
    drs = boto3.client("drs")
    eligible = []
    for page in drs.get_paginator("describe_source_servers").paginate():
        for server in page["items"]:
            if _eligible(server):
                eligible.append(server["sourceServerID"])
    timings = []
    for sid in eligible:
        sent = time.perf_counter()
        drs.start_replication(sourceServerID=sid)
        timings.append(time.perf_counter() - sent)
    result["sweepSeconds"] = time.perf_counter() - begun
    result["started"] = len(eligible)
    timings.sort()
    result["startCallMedian"] = timings[len(timings) // 2] if timings else None


def _eligible(server: dict[str, Any]) -> bool:
    """The handler's default policy written out plainly: stopped, not opted out, failover, not extended."""
    tags = server.get("tags") or {}
    return (
        server["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
        and tags.get("AutoReprotect", "").casefold() != "false"
        and server.get("replicationDirection") != "FAILBACK"
        and (server.get("stagingArea") or {}).get("status") != "EXTENDED"
    )


def _child_describe(result: dict[str, Any]) -> None:
    import boto3

    drs = boto3.client("drs")
    request: dict[str, Any] = {"maxResults": 1000}  # as the handler asks
    servers = 0
    while True:
        page = drs.describe_source_servers(**request)
        servers += len(page["items"])
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    result["servers"] = servers


# ---- the parent side ---------------------------------------------------------------------------


class Bench:
    """The emulator (in this process), moto (in its own), and a way to run one measured program."""

    def __init__(self) -> None:
        os.environ.update(ENV)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            os.environ.pop(name, None)
        self._moto = _start_moto()
        self.moto_url = self._moto[1]
        import boto3

        self._sns = boto3.client("sns", endpoint_url=self.moto_url)
        self._dynamodb = boto3.client("dynamodb", endpoint_url=self.moto_url)
        self._resources = 0

    def close(self) -> None:
        self._moto[0].terminate()
        self._moto[0].wait(10)

    def fresh_resources(self) -> dict[str, str]:
        """A new table and topic, so no run sees another's cooldowns or idempotency records."""
        self._resources += 1
        name = f"bench-{os.getpid()}-{self._resources}"
        topic = self._sns.create_topic(Name=name)["TopicArn"]
        self._dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return {"OUTCOME_TOPIC_ARN": topic, "IDEMPOTENCY_TABLE_NAME": name}

    def run(self, kind: str, drs_url: str, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
        """Run one measured program to the end; its result plus whole-process wall time and our CPU."""
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_DRS": drs_url,
            "AWS_ENDPOINT_URL_SNS": self.moto_url,
            "AWS_ENDPOINT_URL_DYNAMODB": self.moto_url,
            "AWS_ENDPOINT_URL_SQS": self.moto_url,
            **(extra_env or {}),
        }
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            cpu_before = _own_cpu()
            moto_before = _process_cpu(self._moto[0].pid)
            begun = time.perf_counter()
            # The handler's log lines go where Lambda would send them; here, nowhere.
            subprocess.run(
                [sys.executable, __file__, "--child", kind, out.name],
                env=env,
                stdout=subprocess.DEVNULL,
                check=True,
            )
            wall = time.perf_counter() - begun
            emulator_cpu = _own_cpu() - cpu_before
            moto_cpu = _process_cpu(self._moto[0].pid) - moto_before
            result: dict[str, Any] = json.loads(Path(out.name).read_text())
        result["processSeconds"] = wall
        result["emulatorCpuSeconds"] = emulator_cpu
        result["motoCpuSeconds"] = moto_cpu
        return result


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) another process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_moto() -> tuple[subprocess.Popen[str], str]:
    code = (
        "import logging, sys\n"
        "from moto.server import ThreadedMotoServer\n"
        "logging.getLogger('werkzeug').setLevel(logging.ERROR)\n"
        "server = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)\n"
        "server.start()\n"
        "host, port = server.get_host_and_port()\n"
        "print(f'http://{host}:{port}', flush=True)\n"
        "sys.stdin.read()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        raise SystemExit("moto did not start")
    return process, url


def emulator(size: int, *, stopped: float = STOPPED, latency: float = LATENCY) -> Any:
    from drs_emulator import DrsBackend, EmulatorServer, generate_fleet

    backend = DrsBackend(generate_fleet(size, seed=SEED, stopped=stopped))
    backend.faults.latency(latency)
    return EmulatorServer(backend).start()


def ideal_seconds(starts: int, concurrency: int) -> float:
    """The calls alone: every start in waves of `concurrency`, plus one page before the first wave."""
    return (-(-starts // concurrency)) * LATENCY + LATENCY


# ---- scenarios -----------------------------------------------------------------------------------


def sweep(bench: Bench) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for size in SIZES:  # the handler runs are what is timed closely: one at a time, nothing beside them
        with emulator(size) as server:
            handler = bench.run(
                "handler", server.url, {**bench.fresh_resources(), "MAX_STARTS_PER_RUN": "4000"}
            )
            backend = server.backend
            handler["describeCalls"] = len(backend.calls_of("DescribeSourceServers"))
            handler["startCalls"] = len(backend.calls_of("StartReplication"))
            handler["throttled"] = backend.faults.throttled
            _attribute_table_requests(handler, backend)
        out[size] = {"handler": handler}
    # The sequential baselines wait on latency (a few percent of one core each), so they run side by
    # side; their StartReplication round trip over 100 ms, reported below, shows what that cost them.
    with ThreadPoolExecutor(max_workers=len(SIZES)) as pool:
        baselines = {size: pool.submit(_baseline, bench, size) for size in SIZES}
    for size, future in baselines.items():
        out[size]["baseline"] = future.result()
        seconds = (out[size]["handler"]["sweepSeconds"], out[size]["baseline"]["sweepSeconds"])
        _progress(f"sweep {size}: handler {seconds[0]:.2f} s, baseline {seconds[1]:.2f} s")
    return out


def _baseline(bench: Bench, size: int) -> dict[str, Any]:
    with emulator(size) as server:
        baseline = bench.run("baseline", server.url)
        baseline["describeCalls"] = len(server.backend.calls_of("DescribeSourceServers"))
    return baseline


def _attribute_table_requests(result: dict[str, Any], backend: Any) -> None:
    """How many servers DynamoDB was asked about that the run did not start (should be none)."""
    started = {c.server_id for c in backend.calls_of("StartReplication") if c.status == 200}
    result["startedOk"] = len(started)
    result["tableServersNotStarted"] = len(set(result.pop("tableServers")) - started)


RETRY_MODES = ("standard", "adaptive")  # the default first: the targets are judged on it


def throttled(bench: Bench) -> dict[str, dict[str, Any]]:
    return {mode: _throttled(bench, mode) for mode in RETRY_MODES}


def _throttled(bench: Bench, mode: str) -> dict[str, Any]:
    with emulator(THROTTLE_FLEET) as server:
        server.backend.faults.rate_limit("StartReplication", rate=THROTTLE_RATE, burst=THROTTLE_RATE)
        env = {**bench.fresh_resources(), "MAX_STARTS_PER_RUN": "4000", "AWS_RETRY_MODE": mode}
        result = bench.run("handler", server.url, env)
        calls = server.backend.calls_of("StartReplication")
        result["throttled"] = server.backend.faults.throttled
        _attribute_table_requests(result, server.backend)
    ok = sorted(c.timestamp for c in calls if c.status == 200)
    first = min(c.timestamp for c in calls)
    # The bucket starts full: the first `burst` calls pass at once, so the sustained rate leaves them out.
    span = ok[-1] - first if ok else 0.0
    result["sustainedRate"] = (len(ok) - THROTTLE_RATE) / span if span > 0 else 0.0
    result["startCalls"] = len(calls)
    _progress(f"throttled ({mode}): {result['sustainedRate']:.2f}/s, {result['throttled']} x 429")
    return result


def cold_start(bench: Bench) -> dict[str, list[float]]:
    handler_times, plain_times = [], []
    with emulator(100, stopped=0.0, latency=0.0) as server:
        resources = bench.fresh_resources()
        for _ in range(COLD_REPEATS):
            # A new dedupe key per run would need a new event; a new table per run is simpler.
            handler_times.append(bench.run("handler", server.url, bench.fresh_resources())["processSeconds"])
            plain_times.append(bench.run("describe", server.url, resources)["processSeconds"])
    _progress(f"cold start: handler {_median(handler_times):.2f} s, plain {_median(plain_times):.2f} s")
    return {"handler": handler_times, "plain": plain_times}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _progress(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)


# ---- the report ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(
    info: dict[str, str],
    sweeps: dict[int, dict[str, Any]],
    throttle: dict[str, Any],
    cold: dict[str, list[float]],
    elapsed: float,
) -> str:
    out = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`scripts/bench.py`): do not edit by hand. Every ratio compares two",
        "figures measured in the same run, so it holds on a noisy machine even when the seconds move.",
        "",
        f"- Command: `make bench` (this run took {elapsed:.0f} s)",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['os']}",
        f"- Python {info['python']}; run on {info['date']}",
        f"- Fleets: `generate_fleet(n, seed={SEED}, stopped={STOPPED})` with the generator's default mix",
        "  (4% failback, 4% extended, 5% tagged `AutoReprotect=false`, a few stalled/disconnected/paused):",
        "  the eligible servers are the stopped ones not excluded by tag, direction or staging account.",
        "- Every measured program is a fresh interpreter, as a cold Lambda. The DRS emulator runs in the",
        "  benchmark's process and moto (DynamoDB, SNS) in a third, so neither shares a GIL with it.",
        "",
    ]
    if sweeps:
        out += _render_sweeps(sweeps)
    if throttle:
        out += _render_throttle(throttle)
    if sweeps:
        out += _render_memory(sweeps)
    if cold:
        out += _render_cold(cold)
    if sweeps:
        out += _render_cost(sweeps)
        out += _render_report_size(sweeps)
    return "\n".join(out)


def _render_sweeps(sweeps: dict[int, dict[str, Any]]) -> list[str]:
    rows, overhead = [], []
    for size, pair in sweeps.items():
        handler, baseline = pair["handler"], pair["baseline"]
        ideal = ideal_seconds(handler["startedOk"], 10)
        rows.append(
            [
                f"{size:,}",
                handler["startedOk"],
                f"{handler['sweepSeconds']:.2f}",
                f"{baseline['sweepSeconds']:.2f}",
                f"**{baseline['sweepSeconds'] / handler['sweepSeconds']:.1f}x**",
                f"{handler['processSeconds']:.2f} / {baseline['processSeconds']:.2f}",
                f"{baseline['processSeconds'] / handler['processSeconds']:.1f}x",
                f"{ideal:.2f}",
                f"**{handler['sweepSeconds'] / ideal:.2f}x**",
            ]
        )
        overhead.append(
            [
                f"{size:,}",
                f"{(baseline['startCallMedian'] - LATENCY) * 1000:.1f} ms",
                _cpu(handler, "emulatorCpuSeconds"),
                _cpu(handler, "motoCpuSeconds"),
                _cpu(handler, "cpuSeconds"),
            ]
        )
    target = sweeps.get(1000)
    lines = [
        "## 1. Sweep speed",
        "",
        f"One scheduled run (`events/scheduler.json`) with {LATENCY * 1000:.0f} ms of emulated latency on",
        "every DRS call, `MAX_CONCURRENCY=10` (the default) and `MAX_STARTS_PER_RUN=4000` (the default",
        "of 100 would defer most of the stopped servers). The baseline is the plain way:",
        '`boto3.client("drs")`, the `describe_source_servers` paginator with its defaults, then',
        "`start_replication` one server at a time. *Sweep* is the time inside the process (handler",
        "invocation; baseline from client creation to the last start); *process* adds interpreter",
        "start and imports. *Ideal* is the calls alone:",
        "ceil(starts / 10) x 100 ms + one page's 100 ms.",
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
            rows,
        ),
        "",
    ]
    if target:
        speedup = target["baseline"]["sweepSeconds"] / target["handler"]["sweepSeconds"]
        ratio = target["handler"]["sweepSeconds"] / ideal_seconds(target["handler"]["startedOk"], 10)
        lines += [
            f"Targets at 1,000 servers: at least 7x the baseline: {speedup:.1f}x, {verdict(speedup >= 7)};"
            f" within 1.5x the ideal: {ratio:.2f}x, {verdict(ratio <= 1.5)}.",
            "",
        ]
    lines += [
        "What the test bed itself costs. The first column is how much longer than the configured 100 ms",
        "the baseline's sequential StartReplication calls took (botocore, loopback and emulator together,",
        "with the three baselines running side by side): the emulator adds next to nothing of its own, and",
        "the baselines were not slowed by one another. The CPU each process used during the handler run,",
        "with its share of the run's wall time (2 cores in all), shows none of them is starved.",
        "",
        table(
            [
                "Servers",
                "StartReplication round trip over 100 ms (median)",
                "Emulator CPU",
                "moto CPU",
                "Handler process CPU",
            ],
            overhead,
        ),
        "",
    ]
    return lines


def _cpu(result: dict[str, Any], key: str) -> str:
    return f"{result[key]:.2f} s ({result[key] / result['processSeconds']:.0%})"


def _render_throttle(results: dict[str, dict[str, Any]]) -> list[str]:
    rows, verdicts = [], {}
    for mode, result in results.items():
        counts = result["counts"]
        share = result["sustainedRate"] / THROTTLE_RATE
        eligible = counts["started"] + counts["deferred"] + counts["failed"]
        deferred = {k: v for k, v in result["reasons"].items() if k.startswith("deferred/")}
        ok = counts["failed"] == 0 and eligible == counts["started"] + counts["deferred"]
        verdicts[mode] = (share, ok)
        rows.append(
            [
                f"`{mode}`" + (" (default)" if mode == RETRY_MODES[0] else ""),
                eligible,
                counts["started"],
                f"{counts['deferred']} {deferred or ''}".strip(),
                counts["failed"],
                result["startCalls"],
                result["throttled"],
                f"{result['sustainedRate']:.2f}/s",
                f"**{share:.0%}**",
                f"{result['sweepSeconds']:.1f}",
            ]
        )
    share, ok = verdicts[RETRY_MODES[0]]
    return [
        "## 2. Throttled",
        "",
        f"{THROTTLE_FLEET} servers, the emulator's token bucket at {THROTTLE_RATE:.0f} StartReplication"
        f" calls/s (burst {THROTTLE_RATE:.0f}), 100 ms latency, default concurrency, once per retry mode"
        " (`AWS_RETRY_MODE`). The sustained rate leaves out the bucket's initial burst:"
        " (successful starts - burst) / (last successful start - first StartReplication).",
        "",
        table(
            [
                "Retry mode",
                "Eligible",
                "Started",
                "Deferred",
                "Failed",
                "StartReplication calls",
                "429s answered",
                "Sustained rate",
                "Share of limit",
                "Run (s)",
            ],
            rows,
        ),
        "",
        f"Targets (default mode): at least 85% of the limit: {verdict(share >= 0.85)}; every eligible server"
        f" started or deferred with a reason, none failed: {verdict(ok)}. `adaptive` shares botocore's"
        " client-side rate limiter among the workers: far fewer refused calls, for some throughput.",
        "",
    ]


def _render_memory(sweeps: dict[int, dict[str, Any]]) -> list[str]:
    rows = [
        [f"{size:,}", f"{p['handler']['maxRssKb'] / 1024:.1f}", f"{p['baseline']['maxRssKb'] / 1024:.1f}"]
        for size, p in sweeps.items()
    ]
    lines = [
        "## 3. Memory",
        "",
        "Peak resident memory of the measured process in the sweep runs above: `VmHWM` from"
        " `/proc/self/status`, read by the process itself (`ru_maxrss` would include the benchmark's own"
        " size, since Linux carries it across fork and exec).",
        "",
        table(["Servers", "Handler peak RSS (MiB)", "Baseline peak RSS (MiB)"], rows),
        "",
    ]
    if 4000 in sweeps:
        peak = sweeps[4000]["handler"]["maxRssKb"] / 1024
        lines += [
            f"Target at 4,000 servers: at most 100 MB: {peak:.1f} MiB, {verdict(peak * 1.048576 <= 100)}.",
            "",
        ]
    return lines


def _render_cold(cold: dict[str, list[float]]) -> list[str]:
    handler, plain = _median(cold["handler"]), _median(cold["plain"])
    return [
        "## 4. Cold start",
        "",
        "Whole-process wall time of a fresh interpreter on a 100-server healthy fleet (no latency): the",
        "handler answering one scheduled event (imports, Powertools, idempotency record, one",
        "DescribeSourceServers page, no cooldown reads) beside a script that imports boto3, creates a DRS",
        f"client and makes the same DescribeSourceServers call. Median of {COLD_REPEATS} alternating runs.",
        "",
        table(
            ["Program", "Median (s)", "Runs (s)"],
            [
                ["handler", f"{handler:.3f}", ", ".join(f"{t:.2f}" for t in cold["handler"])],
                ["plain boto3", f"{plain:.3f}", ", ".join(f"{t:.2f}" for t in cold["plain"])],
            ],
        ),
        "",
        f"Target: at most 1.5x the plain script: {handler / plain:.2f}x, {verdict(handler / plain <= 1.5)}.",
        "",
    ]


def _render_cost(sweeps: dict[int, dict[str, Any]]) -> list[str]:
    rows = []
    ok = True
    for size, pair in sweeps.items():
        h = pair["handler"]
        requests = h["tableRequests"]
        total = sum(requests.values())
        started = h["startedOk"]
        untouched = size - started
        writes = requests.get("PutItem", 0) + requests.get("DeleteItem", 0) + requests.get("UpdateItem", 0)
        # The idempotency record costs one PutItem and one UpdateItem per run, whatever the fleet.
        per_started_writes = (writes - 2) / started if started else 0.0
        ok = ok and h["tableServersNotStarted"] == 0 and per_started_writes <= 2
        rows.append(
            [
                f"{size:,}",
                started,
                untouched,
                h["describeCalls"],
                h["startCalls"],
                total,
                ", ".join(f"{k} {v}" for k, v in sorted(requests.items())),
                f"{(total - 2) / started:.2f}" if started else "-",
                f"{per_started_writes:.2f}",
                h["tableServersNotStarted"],
            ]
        )
    return [
        "## 5. API and table cost",
        "",
        "Per run of the sweeps above. DRS calls come from the emulator's call log. DynamoDB requests are",
        "counted in the handler's process by a `before-send` hook on the default boto3 session (which",
        "makes the handler's DynamoDB client), so retries count too; a `provide-client-params` hook",
        "records which servers each request names. The run's constant is the Powertools idempotency",
        "record (one PutItem, one UpdateItem); each start costs a conditional PutItem (the claim) and a",
        "share of a BatchGetItem (100 keys each) for the cooldowns.",
        "",
        table(
            [
                "Servers",
                "Started",
                "Not started",
                "DescribeSourceServers",
                "StartReplication",
                "DynamoDB requests",
                "By operation",
                "DynamoDB per started (beyond the run's 2)",
                "Writes per started",
                "Not-started servers DynamoDB was asked about",
            ],
            rows,
        ),
        "",
        f"Target: no DynamoDB request for servers not started, at most 2 writes per started server plus"
        f" a constant per run: {verdict(ok)}.",
        "",
    ]


def _render_report_size(sweeps: dict[int, dict[str, Any]]) -> list[str]:
    rows = []
    for size, pair in sweeps.items():
        h = pair["handler"]
        size_bytes = h["published"][0] if h["published"] else 0
        rows.append([f"{size:,}", f"{size_bytes:,}", "yes" if h["truncated"] else "no", h["serversOmitted"]])
    largest = max(sweeps)
    biggest = sweeps[largest]["handler"]["published"]
    fits = bool(biggest) and biggest[0] < SNS_LIMIT
    return [
        "## 6. Report size",
        "",
        "Bytes of the SNS message (message plus attribute names, types and values) the handler published,",
        "captured by a `provide-client-params` hook. `reprotect.notify.fit` trims the server list (most",
        "urgent first) to stay under SNS's 262,144 bytes.",
        "",
        table(["Servers", "SNS message bytes", "Server list trimmed", "Servers omitted"], rows),
        "",
        f"Target at {largest:,} servers: under 262,144 bytes: {verdict(fits)}.",
        "",
    ]


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return 0
    begun = time.perf_counter()
    sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]
    bench = Bench()
    try:
        only = os.environ.get("BENCH_ONLY", "sweep,throttled,cold")
        sweeps = sweep(bench) if "sweep" in only else {}
        throttle = throttled(bench) if "throttled" in only else {}
        cold = cold_start(bench) if "cold" in only else {}
    finally:
        bench.close()
    text = render(machine(), sweeps, throttle, cold, time.perf_counter() - begun)
    print(text)
    if not os.environ.get("BENCH_ONLY") and not os.environ.get("BENCH_SIZES"):
        OUTPUT.write_text(text)
        print(f"Wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    raw = os.environ.get("BENCH_RAW")
    if raw:
        Path(raw).write_text(json.dumps({"sweeps": sweeps, "throttle": throttle, "cold": cold}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
