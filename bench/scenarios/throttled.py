"""2. Throttled: StartReplication behind a token bucket, in every shape the issue measured, plus a limit
that falls mid-run; the pacer beside botocore's `standard` and `adaptive` retry modes, in the same run."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass
from typing import Any

from bench.markdown import table
from bench.programs.handler import BUDGET_VARIABLE
from bench.scenario import Figures, Scenario, progress
from bench.settings import (
    SEED,
    THROTTLE_BUDGET_MS,
    THROTTLE_DROP_AFTER,
    THROTTLE_FOLLOW_SLACK,
    THROTTLE_LATENCY,
    THROTTLE_MODES,
    THROTTLE_RATE,
    THROTTLE_REPEATS,
    THROTTLE_SERVERS,
)
from bench.testbed import TestBed
from drs_emulator import generate_fleet
from drs_emulator.models import CallRecord
from harness.emulator import start_emulator
from reprotect.contract import PACE_DRS_CALLS, RETRY_MODE
from reprotect.pacer import (
    CLIMB,
    CREEP,
    FELL,
    FLOOR,
    GROW,
    NEAR,
    NEAR_BURST,
    OPEN_GROWTH,
    OPEN_WINDOW,
)
from reprotect.pacing import MAX_HINT_SECONDS, THROTTLE_ATTEMPTS
from reprotect.search import PROBES, TIGHT


@dataclass(frozen=True)
class Limiter:
    """One shape of StartReplication's limit, as the emulator's token bucket plays it."""

    name: str  # its key in the figures and the targets
    bucket: str  # as the table names it
    burst: float
    retry_after: bool
    drop_to: float | None = None  # calls/s from THROTTLE_DROP_AFTER seconds after the first call


LIMITERS = (
    Limiter("strict", "strict (burst 1)", 1, False),
    Limiter("strict-hint", "strict (burst 1)", 1, True),
    Limiter("bursty", f"bursty (burst {THROTTLE_RATE:.0f})", THROTTLE_RATE, False),
    Limiter("bursty-hint", f"bursty (burst {THROTTLE_RATE:.0f})", THROTTLE_RATE, True),
    Limiter("drop", f"bursty, {THROTTLE_RATE:.0f}/s falling to 3/s", THROTTLE_RATE, True, 3.0),
)

# How each mode is switched on: the pacer is the default; without it, botocore's retry modes.
MODE_ENV = {
    "pacer": {},
    "standard": {PACE_DRS_CALLS.env: "false", RETRY_MODE.env: "standard"},
    "adaptive": {PACE_DRS_CALLS.env: "false", RETRY_MODE.env: "adaptive"},
}


def measure(bed: TestBed, _: Figures) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        limiter.name: {
            mode: summarize([_run(bed, limiter, mode) for _ in range(THROTTLE_REPEATS)])
            for mode in THROTTLE_MODES
        }
        for limiter in LIMITERS
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Repeated runs of one shape and mode: the run of median share of the limit (its figures), the
    median refusals and follow time, and the worst run for what must never happen."""
    ranked = sorted(runs, key=lambda run: run["shareOfLimit"])
    out = dict(ranked[len(ranked) // 2])
    out["shares"] = [run["shareOfLimit"] for run in runs]
    out["refusedPerStart"] = statistics.median(run["refusedPerStart"] for run in runs)
    out["notStarted"] = max(run["notStarted"] for run in runs)
    out["failed"] = max(run["failed"] for run in runs)
    worst = max(runs, key=lambda run: run["counts"]["deferred"])
    out["deferredWorst"] = worst["counts"]["deferred"]
    out["deferredWhy"] = sorted(k.split("/", 1)[1] for k in worst["reasons"] if k.startswith("deferred/"))
    if "followSeconds" in out:
        out["follows"] = [run["followSeconds"] for run in runs]
        out["followSeconds"] = statistics.median(run["followSeconds"] for run in runs)
    return out


def _run(bed: TestBed, limiter: Limiter, mode: str) -> dict[str, Any]:
    fleet = generate_fleet(THROTTLE_SERVERS, seed=SEED, stopped=1.0, failback=0, extended=0, opted_out=0)
    with start_emulator(fleet, latency=THROTTLE_LATENCY) as server:
        faults = server.backend.faults
        faults.retry_after = limiter.retry_after
        faults.rate_limit("StartReplication", rate=THROTTLE_RATE, burst=limiter.burst)
        dropped: list[float] = []
        if limiter.drop_to is not None:
            threading.Thread(
                target=_drop, args=(server.backend, limiter.drop_to, dropped), daemon=True
            ).start()
        env = {**MODE_ENV[mode], BUDGET_VARIABLE: str(THROTTLE_BUDGET_MS)}
        result = bed.run_handler(server, env)
        calls = server.backend.calls_of("StartReplication")
    result.update(judge(limiter, calls, dropped[0] if dropped else None))
    counts = result["counts"]
    result["notStarted"] = THROTTLE_SERVERS - counts["started"]
    result["failed"] = counts["failed"]
    result["refusedPerStart"] = result["throttled"] / max(1, counts["started"])
    progress(
        f"throttled {limiter.name} ({mode}): {result['shareOfLimit']:.0%} of the limit, "
        f"{result['throttled']} x 429, {result['notStarted']} not started"
    )
    return result


def _drop(backend: Any, rate: float, dropped: list[float]) -> None:
    """Lower the limit THROTTLE_DROP_AFTER seconds after the first StartReplication call."""
    while not backend.calls_of("StartReplication"):
        time.sleep(0.005)
    first = backend.calls_of("StartReplication")[0].timestamp
    time.sleep(max(0.0, first + THROTTLE_DROP_AFTER - time.time()))
    backend.faults.set_rate("StartReplication", rate)
    dropped.append(time.time())


def judge(limiter: Limiter, calls: list[CallRecord], dropped: float | None) -> dict[str, Any]:
    """Share of the limit, and for a falling limit how soon the calls followed it, from the call log.

    From the first call (its bucket full) to the last admitted one, the limiter allows at most its
    burst plus the tokens it refills: burst + rate x time, each stretch at its own rate. The share
    is the calls it admitted over that.
    """
    admitted = sorted(c.timestamp for c in calls if c.status == 200)
    if not admitted:
        return {"shareOfLimit": 0.0, "startingSeconds": 0.0}
    first, last = min(c.timestamp for c in calls), admitted[-1]
    allowed = limiter.burst + THROTTLE_RATE * (last - first)
    if dropped is not None and limiter.drop_to is not None and last > dropped:
        allowed -= (THROTTLE_RATE - limiter.drop_to) * (last - dropped)
    out: dict[str, Any] = {"shareOfLimit": len(admitted) / allowed, "startingSeconds": last - first}
    if limiter.drop_to is not None:
        if dropped is None:  # the run was over before the limit fell
            return {**out, "followSeconds": None, "rateAfterDrop": None}
        out["droppedAfter"] = dropped - first
        out["followSeconds"] = follow_seconds(
            [c.timestamp for c in calls], dropped, last, limiter.drop_to * THROTTLE_FOLLOW_SLACK
        )
        later = [t for t in admitted if t >= dropped + 5]
        span = last - (dropped + 5)
        out["rateAfterDrop"] = len(later) / span if span > 1 else None
    return out


def follow_seconds(sent: list[float], dropped: float, last: float, most: float) -> float:
    """Seconds from the drop until the calls sent (admitted or refused) stay at most `most` per second:
    the end of the last 1-second window, sliding by 50 ms from the drop to the last admitted call,
    that held more."""
    times = sorted(t for t in sent if t >= dropped)
    settled, start = dropped, dropped
    while start + 1.0 <= last:
        if sum(1 for t in times if start <= t < start + 1.0) > most:
            settled = start + 1.0
        start += 0.05
    return settled - dropped


def render(results: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    rows = [
        _row(limiter, mode, results[limiter.name][mode])
        for limiter in LIMITERS
        if limiter.name in results
        for mode in THROTTLE_MODES
    ]
    return [
        f"{THROTTLE_SERVERS} stopped servers, {THROTTLE_LATENCY * 1000:.0f} ms per DRS call, StartReplication"
        f" limited to {THROTTLE_RATE:.0f} calls/s by the emulator's token bucket, `MAX_CONCURRENCY` at its"
        f" default, a {THROTTLE_BUDGET_MS // 1000} s budget: the issue's conditions. Each shape of limit runs"
        f" {THROTTLE_REPEATS} times with the pacer (the default) and {THROTTLE_REPEATS} times in each of"
        " botocore's retry modes without it (`PACE_DRS_CALLS=false`, `AWS_RETRY_MODE`), every run on a"
        " fresh table (so the pacer starts knowing nothing) and a fresh bucket. With Retry-After, the"
        " emulator answers the whole seconds until its next token, at least 1: at these rates, 1 s.",
        "",
        *_how_it_paces(),
        "### Measured",
        "",
        "*Share of the limit*: the calls the limiter admitted over what it could have admitted, from the"
        " first StartReplication (its bucket full) to the last admitted one: its burst plus its rate times"
        " that time (each stretch at its own rate when the limit falls). The same for every row and mode,"
        " from the emulator's call log. Each row shows the run of median share (and every run's share),"
        " the median refused calls per start, and the worst run's servers not started.",
        "",
        table(
            [
                "Token bucket",
                "Retry-After",
                "Mode",
                "Share of the limit",
                f"Share in each of {THROTTLE_REPEATS} runs",
                "Refused calls per start",
                "Deferred (worst run)",
                "Failed (worst run)",
                "StartReplication calls",
                "Starting (s)",
            ],
            rows,
        ),
        "",
        *_table_cost(results),
        *_drop_lines(results.get("drop")),
    ]


def _how_it_paces() -> list[str]:
    """The pacer in a few paragraphs, its numbers read from the code it describes."""
    return [
        "### How the pacer works",
        "",
        "`lambdas/reprotect/pacer.py` is the arithmetic (on a caller's clock: its tests use a fake one);"
        " `pacing.py` hooks it into every DRS client of a run, as botocore's own `adaptive` mode does:"
        " each attempt waits for its turn in `before-send`, each answer teaches it in `needs-retry`."
        " There is one pacer per operation (StartReplication, DescribeSourceServers, and any other call"
        " the engine makes through those clients), shared by every worker. Callers queue first come,"
        " first served, and each one's turn is recomputed from the current pace whenever it asks, so a"
        " new pace reaches every waiter at once. An answer other than a 429 counts as admitted, a 429 as"
        " refused, and no answer (or a 5xx) as nothing learned.",
        "",
        f"*State and start.* Until its first refusal a pacer is open: calls go as they come,"
        f" {OPEN_WINDOW} out at first and {OPEN_GROWTH} more per admitted answer (a slow start: the first"
        " wave of refusals is small, and a sweep that is never throttled is never paced). At the first"
        " refusal it takes the calls admitted so far as the service's burst (at most `MAX_CONCURRENCY`)."
        " With a burst it holds at what the service admitted over the last second, through a"
        " client-side token bucket of that burst. With none (a strict limiter, which admits a call iff"
        " enough time passed since the last one it admitted) it searches: one call out at a time, each"
        " sent a probe interval after the last admitted one, the interval doubled after each refusal"
        " and bisected between the longest refused and the shortest admitted one, until they are within"
        f" {TIGHT - 1:.0%} of each other (or {PROBES} probes got through); then it holds at"
        f" {NEAR:.0%} of the limit found.",
        "",
        f"*Increase and decrease.* In hold each admitted call raises the pace: by {GROW:.0%} while no"
        f" refusal is known at this pace, by {CLIMB:.0%} of the gap while below {NEAR:.0%} of the last"
        f" refused rate ({NEAR_BURST:.0%} for a limiter with a burst, which absorbs the calls' timing"
        f" noise), then by {CREEP:.2%} (a limit that holds is probed again only after a few"
        " hundred calls; past the last refused rate by as much, the limit rose and it grows again). A"
        f" refusal lowers the pace to that share of itself, or, when more than {FELL:.0%} of the answers"
        " of the last paced second were refusals (the limit fell), to what the service admitted in that"
        f" second (at most to {FLOOR:.0%} of the pace at once). A refusal counts only if its call was"
        " sent after the last decrease: a wave refused together lowers the pace once.",
        "",
        f"*Retry-After.* A refused call is retried up to {THROTTLE_ATTEMPTS} attempts in all. With a"
        f" hint it first waits that long (at most {MAX_HINT_SECONDS:.0f} s; it keeps its worker's place"
        " under `MAX_CONCURRENCY`, but no other call waits on it), then queues for a turn like any"
        " other: ten calls refused together with the same hint come back one pace apart, not at once."
        " Without one it queues at once. After a wait the client bucket has refilled like the"
        " service's, so a limiter with a burst gets its burst used.",
        "",
        "*Deadline.* A turn is taken only if the attempt after it still ends with half the deadline's"
        " margin left, and a hint is waited only if the wait and one more attempt do; otherwise the"
        " call is not sent (`NotSent`, a ThrottlingException) and its server is `deferred` /"
        " `throttled`, as before the pacer.",
        "",
        "*Stalls.* The client sees when it sends a call and when the answer comes, not when the service"
        " checked it; a call held up on its way (a pause on either side, frequent on a busy 2-core"
        " test bed) reaches the service late and the next one too soon after it. So the search counts a"
        " refused interval from the latest moment the service can have checked the last admitted call"
        " (its answer less the shortest round trip seen) and an admitted one from the earliest (its"
        " sending), and a strict limiter paced slower than two round trips gets one call at a time, each"
        " a pace after the latest moment the service can have checked the one before.",
        "",
        "*Seeding.* When a run ends, each pacer that learned something (was refused, or started from a"
        " kept limit) gives its pace and burst, kept in one item of the table (`pacer#drs`, expiring a"
        " week later), written once; the next run reads it once when it starts, and its pacers start"
        " holding at that pace with a full bucket. A pace still growing past every refusal is not kept"
        " beyond where it began. Reading or writing the item never fails a run. Every run above starts"
        " on a fresh table, so what it measures is a pacer that knows nothing.",
        "",
    ]


def _row(limiter: Limiter, mode: str, result: dict[str, Any]) -> list[Any]:
    deferred = result["deferredWhy"]
    return [
        limiter.bucket,
        "yes (1 s)" if limiter.retry_after else "no",
        f"`{mode}`" + (" (default)" if mode == THROTTLE_MODES[0] else ""),
        f"**{result['shareOfLimit']:.0%}**",
        ", ".join(f"{share:.0%}" for share in result["shares"]),
        f"**{result['refusedPerStart']:.2f}**",
        f"{result['deferredWorst']}" + (f" ({', '.join(deferred)})" if deferred else ""),
        result["failed"],
        result["startCalls"],
        f"{result['startingSeconds']:.1f}",
    ]


def _table_cost(results: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """What keeping the learned limit cost the pacer's runs in DynamoDB writes."""
    kept = sorted({by_mode["pacer"].get("tableWrites", {}).get("limits", 0) for by_mode in results.values()})
    return [
        "Each pacer run also read the kept limits once, when it started (one GetItem), and wrote what it"
        f" learned when it ended: {' or '.join(map(str, kept))} PutItem per run.",
        "",
    ]


def _drop_lines(drop: dict[str, dict[str, Any]] | None) -> list[str]:
    if not drop:
        return []
    rows = [
        [
            f"`{mode}`",
            "-" if result.get("droppedAfter") is None else f"{result['droppedAfter']:.1f}",
            "-" if result.get("followSeconds") is None else f"**{result['followSeconds']:.1f}**",
            ", ".join("-" if f is None else f"{f:.1f}" for f in result.get("follows", [])),
            "-" if result.get("rateAfterDrop") is None else f"{result['rateAfterDrop']:.2f}/s",
            result["failed"],
        ]
        for mode, result in drop.items()
    ]
    most = 3.0 * THROTTLE_FOLLOW_SLACK
    return [
        "The falling limit: *follows within* is how long after the drop the calls sent (admitted or"
        f" refused) last exceeded {most:g} in a sliding 1-second window ({THROTTLE_FOLLOW_SLACK:g}x the new"
        " limit), the median of the runs; *admitted after* is the rate of starts from 5 s after the"
        " drop to the last one, in the run of median share.",
        "",
        table(
            [
                "Mode",
                "Drop after (s)",
                "Follows within (s)",
                "In each run (s)",
                "Admitted after",
                "Failed (worst run)",
            ],
            rows,
        ),
        "",
    ]


SCENARIO = Scenario("throttled", "Throttled", measure, render)
