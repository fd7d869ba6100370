"""The engine without HTTP: its pure decisions, its deadline, and its executor over in-memory fakes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from reprotect import aws, decisions, engine
from reprotect.config import Config
from reprotect.cooldown import Cooling, NoCooldown, Record, RunClaim
from reprotect.deadline import Deadline
from reprotect.events import RunRequest, Trigger
from reprotect.journal import NoJournal
from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.selection import Candidate
from reprotect.services import Services

CANDIDATE = Candidate("s-00000000000000001", "web-1")
NOW = 1_800_000_000
SWEEP = RunRequest(Trigger("schedule", "sweep", "e-1"), "k")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def server(number: int, state: str = "STOPPED", **extra: Any) -> dict[str, Any]:
    sid = f"s-{number:017d}"
    return {
        "sourceServerID": sid,
        "arn": f"arn:aws:drs:eu-west-1:111122223333:source-server/{sid}",
        "dataReplicationInfo": {"dataReplicationState": state},
        "sourceProperties": {"identificationHints": {"hostname": f"host-{number}"}},
        **extra,
    }


def client_error(code: str, message: str = "refused") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "StartReplication")


class FakeDrs:
    """DescribeSourceServers pages and StartReplication, in memory; records what it was asked."""

    def __init__(self, pages: Iterable[list[dict[str, Any]]], *, call_seconds: float = 0.0) -> None:
        self.pages = [list(page) for page in pages]
        self.meta = SimpleNamespace(region_name="eu-west-1")
        self.errors: dict[str, Exception] = {}
        self.started: list[str] = []
        self.describe_calls = 0
        self.call_seconds = call_seconds
        self.in_flight = 0
        self.most_in_flight = 0
        self.on_describe: Any = None
        self.late: dict[str, Exception] = {}
        self.recovery_instances: list[dict[str, Any]] = []
        self.recovery_requests: list[list[str]] = []
        self._lock = threading.Lock()

    def _start(self, server_id: str) -> None:
        with self._lock:
            self.started.append(server_id)
            for page in self.pages:
                for item in page:
                    if item["sourceServerID"] == server_id:
                        item["dataReplicationInfo"]["dataReplicationState"] = "INITIATING"

    def describe_source_servers(self, **request: Any) -> dict[str, Any]:
        wanted = request.get("filters", {}).get("sourceServerIDs")
        if wanted is not None and "nextToken" not in request and len(self.pages) == 1:
            return {"items": [s for s in self.pages[0] if s["sourceServerID"] in wanted]}
        index = int(request.get("nextToken", 0))
        self.describe_calls += 1
        if self.on_describe:
            self.on_describe(index)
        page: dict[str, Any] = {"items": self.pages[index]}
        if index + 1 < len(self.pages):
            page["nextToken"] = str(index + 1)
        return page

    def describe_recovery_instances(self, **request: Any) -> dict[str, Any]:
        wanted = request["filters"]["sourceServerIDs"]
        self.recovery_requests.append(list(wanted))
        return {"items": [i for i in self.recovery_instances if i["sourceServerID"] in wanted]}

    def start_replication(self, sourceServerID: str) -> dict[str, Any]:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.call_seconds)
            if sourceServerID in self.late:  # DRS starts it, but the answer is lost
                self._start(sourceServerID)
                raise self.late[sourceServerID]
            if sourceServerID in self.errors:
                raise self.errors[sourceServerID]
            self._start(sourceServerID)
            return {}
        finally:
            with self._lock:
                self.in_flight -= 1


class FakeCooldowns:
    """The cooldown store's contract, in memory: a conditional claim, confirm, release, a read."""

    def __init__(self) -> None:
        self.claims: dict[str, str] = {}  # server id -> run id
        self.confirmed: list[str] = []
        self.cooling: dict[str, Cooling] = {}  # the holds `read` reports
        self.starts: dict[str, tuple[int, ...]] = {}  # the recent starts `read` reports
        self.reads: list[list[str]] = []
        self.released: list[str] = []
        self.fail_reads: Exception | None = None
        self._lock = threading.Lock()

    def read(self, server_ids: Iterable[str], now: int) -> dict[str, Record]:
        ids = list(server_ids)
        self.reads.append(ids)
        if self.fail_reads:
            raise self.fail_reads
        known = (set(self.cooling) | set(self.starts)) & set(ids)
        return {sid: Record(self.cooling.get(sid), self.starts.get(sid, ())) for sid in known}

    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None:
        with self._lock:
            if server_id in self.claims or server_id in self.cooling:
                return Cooling("2026-11-27T07:00:00Z", confirmed=True)
            self.claims[server_id] = run.run_id
            return None

    def confirm(self, server_id: str, run: RunClaim, now: int) -> None:
        with self._lock:
            self.confirmed.append(server_id)

    def release(self, server_id: str, run: RunClaim) -> None:
        with self._lock:
            if self.claims.get(server_id) == run.run_id:
                del self.claims[server_id]
                self.released.append(server_id)


def run(
    drs: FakeDrs,
    cooldowns: Any = None,
    *,
    request: RunRequest = SWEEP,
    deadline: Deadline | None = None,
    journal: Any = None,
    **config: Any,
) -> dict[str, Any]:
    cooldown = cooldowns if cooldowns is not None else NoCooldown()
    services = Services(drs=drs, starts=drs, cooldown=cooldown, journal=journal or NoJournal())
    # These runs are about source servers: source networks and reversals have tests of their own.
    config.setdefault("protect_source_networks", False)
    config.setdefault("reverse_replication", "off")
    report = engine.run(
        request,
        Config(topic_arn=None, table_name=None, **config),
        services,
        run_id="run-1",
        deadline=deadline or Deadline.after(300),
    )
    return report.to_dict()


def outcomes(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {s["sourceServerID"]: (s["outcome"], s["reason"]) for s in report["servers"]}


# ---- pure decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "start"),
        ({"hold": Cooling("2026-11-27T07:00:00Z")}, (Outcome.SKIPPED, Reason.COOLDOWN)),
        ({"hold": Cooling("2026-11-27T07:00:00Z", confirmed=False)}, (Outcome.SKIPPED, Reason.COOLDOWN)),
        ({"hold": Cooling(None, problem="unreadable")}, (Outcome.FAILED, Reason.COOLDOWN_UNAVAILABLE)),
        ({"starts_so_far": 5}, (Outcome.DEFERRED, Reason.MAX_STARTS)),
        ({"starts_so_far": 4}, "start"),
        ({"deadline_reached": True}, (Outcome.DEFERRED, Reason.DEADLINE)),
        ({"dry_run": True}, (Outcome.WOULD_START, Reason.REPLICATION_STOPPED)),
        # Cooldown first: a cooling server is never counted against the cap or the deadline.
        (
            {"hold": Cooling("x"), "starts_so_far": 5, "deadline_reached": True},
            (Outcome.SKIPPED, Reason.COOLDOWN),
        ),
        # The cap is named when both the cap and the deadline hold.
        ({"starts_so_far": 5, "deadline_reached": True}, (Outcome.DEFERRED, Reason.MAX_STARTS)),
        # The replicating-server limit: 297 replicating + 2 starts leave one place; 3 starts fill it.
        ({"replicating": 297, "starts_so_far": 2}, "start"),
        ({"replicating": 297, "starts_so_far": 3}, (Outcome.DEFERRED, Reason.REPLICATING_LIMIT)),
        ({"replicating": 300}, (Outcome.DEFERRED, Reason.REPLICATING_LIMIT)),
        # Both bounds reached: the account's limit is named.
        ({"replicating": 295, "starts_so_far": 5}, (Outcome.DEFERRED, Reason.REPLICATING_LIMIT)),
        # Restart loops: two starts today, started again; three, a person must look (before the cooldown).
        ({"starts": (NOW - 7200, NOW - 3600)}, "start"),
        ({"starts": (NOW - 7200, NOW - 3600, NOW - 60)}, (Outcome.ATTENTION, Reason.FLAPPING)),
        (
            {"starts": (NOW - 7200, NOW - 3600, NOW - 60), "hold": Cooling("x")},
            (Outcome.ATTENTION, Reason.FLAPPING),
        ),
        ({"starts": (NOW - 7200, NOW - 3600, NOW - 60), "max_restarts": 0}, "start"),
    ],
)
def test_admit(kwargs: dict[str, Any], expected: Any) -> None:
    kwargs = dict(kwargs)  # the parameters are shared by every run of this case
    limits = decisions.Limits(
        max_starts=5,
        replicating_limit=300,
        replicating=kwargs.pop("replicating", None),
        max_restarts=kwargs.pop("max_restarts", 3),
    )
    record = Record(kwargs.pop("hold", None), kwargs.pop("starts", ()))
    arguments = {"starts_so_far": 0, "deadline_reached": False, "dry_run": False, **kwargs}

    verdict = decisions.admit(CANDIDATE, record=record, limits=limits, now=NOW, **arguments)

    if expected == "start":
        assert verdict is CANDIDATE
    else:
        assert (verdict.outcome, verdict.reason) == expected  # type: ignore[union-attr]


def test_cap_and_limit_details_name_the_setting_and_its_value() -> None:
    cap = decisions.defer(CANDIDATE, Reason.MAX_STARTS, decisions.Limits(7))
    limit = decisions.defer(CANDIDATE, Reason.REPLICATING_LIMIT, decisions.Limits(7, 300, 298))

    assert cap.detail == "MAX_STARTS_PER_RUN=7 reached"
    assert (
        limit.detail == "REPLICATING_SERVER_LIMIT=300 reached (298 servers were replicating before this run)"
    )


def test_a_flapping_server_gets_the_count_the_times_and_a_diagnosis() -> None:
    record = Record(None, (NOW - 7200, NOW - 3600, NOW - 60))

    verdict = decisions.admit(
        CANDIDATE,
        record=record,
        limits=decisions.Limits(100, max_restarts=3),
        starts_so_far=0,
        now=NOW,
        deadline_reached=False,
        dry_run=False,
    )

    assert isinstance(verdict, ServerOutcome)
    assert verdict.detail is not None
    assert verdict.detail.startswith("started 3 times in 24 hours (")
    assert verdict.diagnosis is not None


def test_a_would_start_spends_the_cap_like_a_start() -> None:
    would = CANDIDATE.outcome(Outcome.WOULD_START, Reason.REPLICATION_STOPPED)
    skipped = CANDIDATE.outcome(Outcome.SKIPPED, Reason.COOLDOWN)

    assert decisions.takes_a_start(CANDIDATE)
    assert decisions.takes_a_start(would)
    assert not decisions.takes_a_start(skipped)


@pytest.mark.parametrize(
    ("code", "outcome", "reason"),
    [
        ("ConflictException", Outcome.SKIPPED, Reason.NO_LONGER_STOPPED),
        ("ResourceNotFoundException", Outcome.SKIPPED, Reason.NOT_FOUND),
        ("ThrottlingException", Outcome.DEFERRED, Reason.THROTTLED),
        ("TooManyRequestsException", Outcome.DEFERRED, Reason.THROTTLED),
        ("InternalServerException", Outcome.FAILED, Reason.START_FAILED),
        ("AccessDeniedException", Outcome.FAILED, Reason.START_FAILED),
    ],
)
def test_what_a_start_error_means(code: str, outcome: Outcome, reason: Reason) -> None:
    details = {  # DRS's own message, cut to 200 characters, where it says more than the reason
        "ConflictException": "x" * 200,
        "ResourceNotFoundException": "deleted while the run was going",
        "ThrottlingException": "still throttled after retries",
        "TooManyRequestsException": "still throttled after retries",
        "InternalServerException": "x" * 200,
        "AccessDeniedException": "x" * 200,
    }
    verdict = decisions.start_refused(CANDIDATE, code, "x" * 500)

    assert (verdict.outcome, verdict.reason, verdict.error_code) == (outcome, reason, code)
    assert verdict.detail == details[code]


def test_a_requested_id_never_described() -> None:
    unknown = decisions.not_described("s-00000000000000009", sweep_complete=True)
    unreached = decisions.not_described("s-00000000000000009", sweep_complete=False)

    assert (unknown.outcome, unknown.reason) == (Outcome.SKIPPED, Reason.NOT_FOUND)
    assert (unreached.outcome, unreached.reason) == (Outcome.DEFERRED, Reason.DEADLINE)


ID = "s-00000000000000009"


@pytest.mark.parametrize(
    ("decide", "expected"),
    [
        (
            lambda: decisions.not_described(ID, sweep_complete=True),
            ServerOutcome(ID, None, Outcome.SKIPPED, Reason.NOT_FOUND, "DRS does not know this id"),
        ),
        (
            lambda: decisions.not_described(ID, sweep_complete=False),
            ServerOutcome(ID, None, Outcome.DEFERRED, Reason.DEADLINE, decisions.NOT_REACHED),
        ),
        (
            lambda: decisions.not_described(ID, sweep_complete=False, describe_failed=True),
            ServerOutcome(
                ID,
                None,
                Outcome.DEFERRED,
                Reason.DESCRIBE_FAILED,
                "DescribeSourceServers failed before reaching it",
            ),
        ),
        (
            lambda: decisions.past_deadline(CANDIDATE),
            CANDIDATE.outcome(
                Outcome.DEFERRED, Reason.DEADLINE, "not reached before the invocation's deadline"
            ),
        ),
        (
            lambda: decisions.uncounted(CANDIDATE, describe_failed=True),
            CANDIDATE.outcome(
                Outcome.DEFERRED,
                Reason.DESCRIBE_FAILED,
                "DescribeSourceServers failed before the replicating servers were counted",
            ),
        ),
        (
            lambda: decisions.uncounted(CANDIDATE, describe_failed=False),
            CANDIDATE.outcome(Outcome.DEFERRED, Reason.DEADLINE, decisions.NOT_REACHED),
        ),
        (
            lambda: decisions.lookup_failed(CANDIDATE, "AccessDeniedException"),
            CANDIDATE.outcome(
                Outcome.FAILED,
                Reason.RECOVERY_LOOKUP_FAILED,
                "DescribeRecoveryInstances failed (AccessDeniedException):"
                " not started, it may have failed over",
                "AccessDeniedException",
            ),
        ),
        (
            lambda: decisions.store_failed(CANDIDATE, "ProvisionedThroughputExceededException", "y" * 300),
            CANDIDATE.outcome(
                Outcome.FAILED,
                Reason.COOLDOWN_UNAVAILABLE,
                "y" * 200,
                "ProvisionedThroughputExceededException",
            ),
        ),
        (
            lambda: decisions.unconfirmed(CANDIDATE, "ReadTimeoutError"),
            CANDIDATE.attention(
                Reason.START_UNCONFIRMED,
                "StartReplication answered ReadTimeoutError"
                " and the server could not be described again in time",
                "ReadTimeoutError",
            ),
        ),
    ],
)
def test_each_decision_gives_the_whole_outcome_a_person_reads(decide: Any, expected: ServerOutcome) -> None:
    assert decide() == expected


# ---- the deadline -----------------------------------------------------------------------------


@pytest.mark.parametrize(("budget", "margin"), [(30, 20), (100, 20), (150, 30), (300, 60), (900, 60)])
def test_margin_is_a_fifth_of_the_budget_within_20_and_60_seconds(budget: float, margin: float) -> None:
    assert Deadline.after(budget, FakeClock()).margin == margin


def test_deadline_is_reached_when_less_than_the_margin_is_left() -> None:
    clock = FakeClock()
    deadline = Deadline.after(300, clock)  # margin 60

    clock.now += 240
    assert not deadline.reached()
    clock.now += 0.001
    assert deadline.reached()


def test_waits_end_at_half_the_margin() -> None:
    clock = FakeClock()
    deadline = Deadline.after(300, clock)  # waits must end 30 s before the invocation does

    assert deadline.allows(270)
    assert not deadline.allows(270.01)


# ---- the executor over fakes -------------------------------------------------------------------


def test_starts_every_eligible_stopped_server_and_accounts_for_every_server() -> None:
    pages = [
        [server(1), server(2, "CONTINUOUS"), server(3, tags={"AutoReprotect": "false"})],
        [],  # an empty page that still carries a token
        [server(4, "STALLED"), server(5)],
    ]
    drs, cooldowns = FakeDrs(pages), FakeCooldowns()

    report = run(drs, cooldowns)

    assert sorted(drs.started) == ["s-00000000000000001", "s-00000000000000005"]
    assert outcomes(report) == {
        "s-00000000000000001": ("started", "replication-stopped"),
        "s-00000000000000003": ("skipped", "excluded-by-tag"),
        "s-00000000000000004": ("attention", "stalled"),
        "s-00000000000000005": ("started", "replication-stopped"),
    }
    assert report["counts"]["healthy"] == 1
    assert report["counts"]["examined"] == 5
    assert drs.describe_calls == 3
    assert set(cooldowns.claims) == {"s-00000000000000001", "s-00000000000000005"}  # kept: the cooldown
    assert report["account"] == "111122223333"
    assert report["status"] == "attention"  # the stalled server needs a person


def test_a_server_seen_on_two_pages_is_judged_once() -> None:
    drs = FakeDrs([[server(1)], [server(1), server(2)]])

    report = run(drs)

    assert sorted(drs.started) == ["s-00000000000000001", "s-00000000000000002"]
    assert report["counts"]["examined"] == 2


def test_the_cap_defers_the_rest_without_reading_their_cooldowns() -> None:
    drs, cooldowns = FakeDrs([[server(i) for i in range(1, 251)]]), FakeCooldowns()

    report = run(drs, cooldowns, max_starts_per_run=120)

    assert len(drs.started) == 120
    assert report["counts"]["deferred"] == 130
    assert {s["reason"] for s in report["servers"] if s["outcome"] == "deferred"} == {"max-starts-per-run"}
    # One read of 100, one of the 20 still allowed: the 130 deferred cost no read.
    assert [len(read) for read in cooldowns.reads] == [100, 20]


def test_cooling_servers_do_not_spend_the_cap() -> None:
    drs, cooldowns = FakeDrs([[server(1), server(2), server(3)]]), FakeCooldowns()
    cooldowns.cooling["s-00000000000000001"] = Cooling("2026-11-27T07:00:00Z")

    report = run(drs, cooldowns, max_starts_per_run=2)

    assert outcomes(report)["s-00000000000000001"] == ("skipped", "cooldown")
    assert sorted(drs.started) == ["s-00000000000000002", "s-00000000000000003"]


def test_a_claim_lost_to_another_run_is_skipped_not_started() -> None:
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    cooldowns.claims["s-00000000000000001"] = "other-run"

    report = run(drs, cooldowns)

    assert drs.started == []
    assert outcomes(report) == {"s-00000000000000001": ("skipped", "cooldown")}
    assert "another run" in report["servers"][0]["detail"]
    assert cooldowns.claims == {"s-00000000000000001": "other-run"}  # the other run's claim stands


def test_a_refused_start_releases_its_claim_and_others_still_start() -> None:
    drs, cooldowns = FakeDrs([[server(1), server(2), server(3)]]), FakeCooldowns()
    drs.errors["s-00000000000000001"] = client_error("InternalServerException")
    drs.errors["s-00000000000000002"] = client_error("ConflictException")

    report = run(drs, cooldowns)

    assert outcomes(report) == {
        "s-00000000000000001": ("failed", "start-failed"),
        "s-00000000000000002": ("skipped", "no-longer-stopped"),
        "s-00000000000000003": ("started", "replication-stopped"),
    }
    assert sorted(cooldowns.released) == ["s-00000000000000001", "s-00000000000000002"]
    assert set(cooldowns.claims) == {"s-00000000000000003"}
    assert report["status"] == "partial-failure"


def test_an_unexpected_exception_fails_only_its_server() -> None:
    drs = FakeDrs([[server(1), server(2)]])
    drs.errors["s-00000000000000001"] = RuntimeError("boom")

    report = run(drs)

    assert outcomes(report)["s-00000000000000001"] == ("failed", "start-failed")
    assert report["servers"][0]["errorCode"] == "RuntimeError"
    assert drs.started == ["s-00000000000000002"]


def test_unreadable_cooldowns_hold_every_remaining_candidate_of_the_page() -> None:
    drs, cooldowns = FakeDrs([[server(i) for i in range(1, 151)]]), FakeCooldowns()
    cooldowns.fail_reads = client_error("ProvisionedThroughputExceededException")

    report = run(drs, cooldowns)

    assert drs.started == []
    assert report["counts"]["failed"] == 150
    assert {(s["reason"], s["errorCode"]) for s in report["servers"]} == {
        ("cooldown-store-error", "ProvisionedThroughputExceededException")
    }


class OnceFailingJournal(NoJournal):
    """A run journal whose first write fails (throughput exceeded) and whose later writes succeed."""

    def __init__(self) -> None:
        self.writes = 0

    def intend(self, ids: Iterable[str], now: int) -> None:
        self.writes += 1
        if self.writes == 1:
            raise client_error("ProvisionedThroughputExceededException")


def test_a_start_the_journal_could_not_write_down_gives_its_place_under_the_cap_back() -> None:
    drs = FakeDrs([[server(1), server(2)]])

    report = run(drs, FakeCooldowns(), journal=OnceFailingJournal(), max_starts_per_run=1)

    assert outcomes(report) == {
        "s-00000000000000001": ("failed", "cooldown-store-error"),
        "s-00000000000000002": ("started", "replication-stopped"),
    }
    assert drs.started == ["s-00000000000000002"]


def test_dry_run_starts_and_claims_nothing_but_spends_the_cap() -> None:
    drs, cooldowns = FakeDrs([[server(1), server(2), server(3)]]), FakeCooldowns()

    report = run(drs, cooldowns, dry_run=True, max_starts_per_run=2)

    assert drs.started == []
    assert cooldowns.claims == {}
    assert report["counts"]["would-start"] == 2
    assert report["counts"]["deferred"] == 1
    assert report["status"] == "dry-run"


def test_starts_in_flight_never_exceed_max_concurrency() -> None:
    drs = FakeDrs([[server(i) for i in range(1, 41)]], call_seconds=0.01)

    report = run(drs, max_concurrency=3)

    assert report["counts"]["started"] == 40
    assert drs.most_in_flight == 3


class ThreadNoting(FakeDrs):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.threads: set[str] = set()

    def start_replication(self, sourceServerID: str) -> dict[str, Any]:
        with self._lock:
            self.threads.add(threading.current_thread().name)
        return super().start_replication(sourceServerID)


def test_starts_run_on_twice_max_concurrency_named_workers() -> None:
    # While MAX_CONCURRENCY workers wait on DRS, as many more write their claims
    drs = ThreadNoting([[server(i) for i in range(1, 25)]], call_seconds=0.05)

    run(drs, FakeCooldowns(), max_concurrency=2)

    assert drs.threads == {"start_0", "start_1", "start_2", "start_3"}


def test_reaching_the_deadline_stops_paging_and_defers_what_was_not_reached() -> None:
    clock = FakeClock()
    deadline = Deadline.after(100, clock)  # margin 20: reached once 80 s have passed
    drs = FakeDrs([[server(1)], [server(2)], [server(3)]])

    def time_passes(index: int) -> None:
        clock.now += 50  # each page takes 50 s

    drs.on_describe = time_passes

    report = run(drs, deadline=deadline)

    # Page 2 came at 100 s, past the point of starting anything: without the whole fleet counted, the
    # replicating-server limit cannot be honoured, so nothing starts and both wait for the next run.
    assert drs.describe_calls == 2
    assert drs.started == []
    assert outcomes(report)["s-00000000000000001"] == ("deferred", "deadline")
    assert outcomes(report)["s-00000000000000002"] == ("deferred", "deadline")
    assert report["sweepComplete"] is False
    assert report["status"] == "partial-failure"


def test_requested_ids_drs_does_not_know_are_not_found() -> None:
    request = RunRequest(Trigger("manual"), "k", ("s-00000000000000001", "s-00000000000000009"))
    drs = FakeDrs([[server(1)]])

    report = run(drs, request=request)

    assert outcomes(report) == {
        "s-00000000000000001": ("started", "replication-stopped"),
        "s-00000000000000009": ("skipped", "not-found"),
    }


def test_an_unreachable_endpoint_fails_the_run_as_a_whole_without_raising() -> None:
    drs = FakeDrs([[server(1)]])

    def unreachable(index: int) -> None:
        raise EndpointConnectionError(endpoint_url="https://drs.eu-west-1.amazonaws.com")

    drs.on_describe = unreachable

    report = run(drs)

    assert report["status"] == "failed"
    assert report["error"] == {
        "code": "EndpointConnectionError",
        "message": 'Could not connect to the endpoint URL: "https://drs.eu-west-1.amazonaws.com"',
    }
    assert report["servers"] == []


@pytest.mark.parametrize(
    ("code", "level", "trace"),
    [
        ("AccessDeniedException", "ERROR", False),  # the account's setup: the code says it all
        ("UninitializedAccountException", "ERROR", False),
        ("UnrecognizedClientException", "ERROR", False),
        ("InternalServerException", "ERROR", True),  # anything else: with its stack trace
    ],
)
def test_a_run_failed_as_a_whole_is_logged_with_its_code_and_a_trace_only_when_unexpected(
    caplog: pytest.LogCaptureFixture, code: str, level: str, trace: bool
) -> None:
    drs = FakeDrs([[server(1)]])

    def refused(index: int) -> None:
        raise client_error(code, "no")

    drs.on_describe = refused

    report = run(drs)

    assert report["error"] == {
        "code": code,
        "message": f"An error occurred ({code}) when calling the StartReplication operation: no",
    }
    (line,) = [r for r in caplog.records if r.getMessage() == "Run failed as a whole"]
    assert (line.levelname, line.error_code) == (level, code)
    assert (line.exc_info is not None) is trace


def test_a_runs_duration_is_from_its_start_to_its_report(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(time, "monotonic", clock)  # what the run measures its duration with
    drs = FakeDrs([[server(1, "CONTINUOUS")]])

    def slow(index: int) -> None:
        clock.now += 2.5

    drs.on_describe = slow

    report = run(drs, deadline=Deadline.after(300, FakeClock()))

    assert report["durationMs"] == 2500


class LeaseNoting(FakeCooldowns):
    def __init__(self) -> None:
        super().__init__()
        self.leases: list[int] = []

    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None:
        self.leases.append(run.lease_seconds)
        return super().claim(server_id, run, now)


@pytest.mark.parametrize(("remaining", "lease"), [(299.5, 300), (300.0, 301)])
def test_a_claims_lease_lasts_past_the_invocations_end_to_the_next_whole_second(
    remaining: float, lease: int
) -> None:
    # The lease keeps other events off the server for as long as this run may still start it
    cooldowns = LeaseNoting()

    run(FakeDrs([[server(1)]]), cooldowns, deadline=Deadline.after(remaining, FakeClock()))

    assert cooldowns.leases == [lease]


def test_starts_lost_to_an_overlapping_run_give_their_place_under_the_cap_back() -> None:
    # Another run claimed servers 1-10 after this run read the cooldowns (so they look free here).
    drs, cooldowns = FakeDrs([[server(i) for i in range(1, 17)]]), FakeCooldowns()
    cooldowns.claims.update({f"s-{i:017d}": "other-run" for i in range(1, 11)})

    report = run(drs, cooldowns, max_starts_per_run=5)

    assert len(drs.started) == 5
    assert report["counts"]["started"] == 5
    assert report["counts"]["skipped"] == 10  # claimed by the other run
    assert report["counts"]["deferred"] == 1  # the cap reached by this run's own five starts
    deferred = [s for s in report["servers"] if s["outcome"] == "deferred"]
    assert deferred[0]["detail"] == "MAX_STARTS_PER_RUN=5 reached"


def test_a_run_that_started_nothing_never_blames_its_cap() -> None:
    drs, cooldowns = FakeDrs([[server(i) for i in range(1, 9)]]), FakeCooldowns()
    cooldowns.claims.update({f"s-{i:017d}": "other-run" for i in range(1, 9)})

    report = run(drs, cooldowns, max_starts_per_run=2)

    assert drs.started == []
    assert report["counts"]["deferred"] == 0
    assert report["counts"]["skipped"] == 8


# ---- the record no crash or outage can falsify ---------------------------------------------------


class FakeJournal:
    def __init__(self, earlier: Iterable[str] = (), fail_writes: Exception | None = None) -> None:
        self.earlier = frozenset(earlier)
        self.intents: list[str] = []
        self.fail_writes = fail_writes

    def earlier_intents(self) -> frozenset[str]:
        return self.earlier

    def intend(self, server_ids: Iterable[str], now: int) -> None:
        if self.fail_writes:
            raise self.fail_writes
        self.intents.extend(server_ids)


def lost_answer() -> Exception:
    return ReadTimeoutError(endpoint_url="https://drs.eu-west-1.amazonaws.com/StartReplication")


def answered(code: str, status: int, retries: int) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": "x"},
            "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": retries},
        },
        "StartReplication",
    )


@pytest.mark.parametrize(
    "error",
    [lost_answer(), answered("InternalServerException", 500, 2), answered("ConflictException", 409, 1)],
    ids=["read-timeout", "5xx", "409-after-a-retry"],
)
def test_a_start_drs_carried_out_but_did_not_answer_is_started_and_keeps_its_cooldown(
    error: Exception,
) -> None:
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    drs.late["s-00000000000000001"] = error

    report = run(drs, cooldowns)

    assert outcomes(report) == {"s-00000000000000001": ("started", "replication-stopped")}
    assert "DRS shows the server INITIATING" in report["servers"][0]["detail"]
    assert cooldowns.confirmed == ["s-00000000000000001"]
    assert cooldowns.released == []


@pytest.mark.parametrize(
    "error",
    [
        lost_answer(),
        answered("InternalServerException", 500, 2),
        answered("ServiceUnavailableException", 503, 0),
    ],
    ids=["read-timeout", "500", "503"],
)
def test_an_ambiguous_start_that_did_not_happen_is_failed_and_releases_its_claim(error: Exception) -> None:
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    drs.errors["s-00000000000000001"] = error

    report = run(drs, cooldowns)

    assert outcomes(report) == {"s-00000000000000001": ("failed", "start-failed")}
    assert "still STOPPED" in report["servers"][0]["detail"]
    assert cooldowns.released == ["s-00000000000000001"]


def test_a_first_answer_of_409_is_no_longer_stopped_without_asking_again() -> None:
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    drs.errors["s-00000000000000001"] = answered("ConflictException", 409, 0)

    report = run(drs, cooldowns)

    assert outcomes(report) == {"s-00000000000000001": ("skipped", "no-longer-stopped")}
    assert drs.describe_calls == 1  # the sweep's page only


def test_an_ambiguous_start_with_no_time_left_to_settle_needs_a_person_and_keeps_its_claim() -> None:
    clock = FakeClock()
    deadline = Deadline.after(100, clock)  # margin 20, call window 5: a call may begin while 15 s are left
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()

    def slow_lost_answer(*_: Any, **__: Any) -> dict[str, Any]:
        clock.now += 90  # the start took its time and its answer never came
        raise lost_answer()

    drs.start_replication = slow_lost_answer  # type: ignore[method-assign]

    report = run(drs, cooldowns, deadline=deadline)

    assert outcomes(report) == {"s-00000000000000001": ("attention", "start-unconfirmed")}
    assert cooldowns.released == []  # the lease lasts until the run's end, then expires
    assert drs.describe_calls == 1


def test_a_retry_reports_the_earlier_attempts_starts_and_starts_what_it_never_did() -> None:
    # The earlier attempt of this event set out to start 1 and 2, started 1, then died.
    drs, cooldowns = FakeDrs([[server(1, "INITIATING"), server(2), server(3, "CONTINUOUS")]]), FakeCooldowns()
    journal = FakeJournal(earlier={"s-00000000000000001", "s-00000000000000002"})

    report = run(drs, cooldowns, journal=journal)

    assert outcomes(report) == {
        "s-00000000000000001": ("started", "replication-stopped"),
        "s-00000000000000002": ("started", "replication-stopped"),
    }
    details = {s["sourceServerID"]: s.get("detail") for s in report["servers"]}
    assert details["s-00000000000000001"] == "started by an earlier attempt of this event"
    assert details["s-00000000000000002"] is None
    assert drs.started == ["s-00000000000000002"]  # nothing started twice
    assert sorted(cooldowns.confirmed) == ["s-00000000000000001", "s-00000000000000002"]
    assert report["counts"]["healthy"] == 1


def test_what_a_run_sets_out_to_start_is_journaled_before_it_is_claimed() -> None:
    drs, cooldowns, journal = (
        FakeDrs([[server(1), server(2, "CONTINUOUS"), server(3)]]),
        FakeCooldowns(),
        FakeJournal(),
    )

    run(drs, cooldowns, journal=journal, max_starts_per_run=1)

    assert journal.intents == ["s-00000000000000001"]  # the deferred server is not journaled


def test_a_journal_that_cannot_be_written_holds_its_servers() -> None:
    drs, cooldowns = FakeDrs([[server(1), server(2)]]), FakeCooldowns()
    journal = FakeJournal(fail_writes=client_error("ProvisionedThroughputExceededException"))

    report = run(drs, cooldowns, journal=journal)

    assert drs.started == []
    assert cooldowns.claims == {}
    assert {s["reason"] for s in report["servers"]} == {"cooldown-store-error"}


def test_a_malformed_cooldown_item_holds_only_its_server() -> None:
    drs, cooldowns = FakeDrs([[server(1), server(2)]]), FakeCooldowns()
    cooldowns.cooling["s-00000000000000001"] = Cooling(None, problem="unreadable cooldown item (ValueError)")

    report = run(drs, cooldowns)

    assert outcomes(report) == {
        "s-00000000000000001": ("failed", "cooldown-store-error"),
        "s-00000000000000002": ("started", "replication-stopped"),
    }
    assert report["servers"][0]["errorCode"] == "UnreadableCooldownItem"


def test_another_runs_lease_is_not_called_a_start() -> None:
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    cooldowns.cooling["s-00000000000000001"] = Cooling("2026-11-27T06:05:00Z", confirmed=False)

    report = run(drs, cooldowns)

    assert outcomes(report) == {"s-00000000000000001": ("skipped", "cooldown")}
    assert (
        report["servers"][0]["detail"]
        == "being started by another run (its claim lasts until 2026-11-27T06:05:00Z)"
    )


def test_a_retry_taking_over_its_own_lease_still_stops_a_restart_loop() -> None:
    """The earlier attempt of this event (key "k") died holding a lease; its retry takes the lease
    over, but not the server's record: three starts today still make it a restart loop."""
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    now = int(time.time())
    cooldowns.cooling["s-00000000000000001"] = Cooling("2026-11-27T06:05:00Z", confirmed=False, key="k")
    cooldowns.starts["s-00000000000000001"] = (now - 7200, now - 3600, now - 60)

    report = run(drs, cooldowns, max_restarts_per_day=3)

    assert outcomes(report) == {"s-00000000000000001": ("attention", "flapping")}
    assert report["servers"][0]["detail"].startswith("started 3 times in 24 hours (")
    assert drs.started == []


def test_a_describe_failing_mid_sweep_leaves_the_sweep_incomplete_and_every_requested_id_accounted() -> None:
    ids = ("s-00000000000000001", "s-00000000000000002", "s-00000000000000003")
    drs = FakeDrs([[server(1)], [server(2)], [server(3)]])

    def fail_on_the_second_page(index: int) -> None:
        if index == 1:
            raise answered("InternalServerException", 500, 2)

    drs.on_describe = fail_on_the_second_page

    report = run(drs, request=RunRequest(Trigger("manual"), "k", ids))

    assert report["sweepComplete"] is False
    assert report["status"] == "failed"
    assert drs.started == []  # the replicating servers were never counted
    assert outcomes(report) == {
        "s-00000000000000001": ("deferred", "describe-failed"),
        "s-00000000000000002": ("deferred", "describe-failed"),
        "s-00000000000000003": ("deferred", "describe-failed"),
    }


# ---- clients whose calls end in time ---------------------------------------------------------------


@pytest.mark.parametrize("window", [2.5, 5, 7.5, 15, 30])
@pytest.mark.parametrize("max_attempts", [1, 3, 10])
def test_a_clients_worst_call_fits_its_window(window: float, max_attempts: int) -> None:
    bounds = aws.limits(window, max_attempts, longest_read=15)

    assert 1 <= bounds.attempts <= max_attempts
    # Written out: every attempt timing out, with botocore's largest backoff before each retry.
    worst = bounds.attempts * (bounds.connect + bounds.read) + sum(
        min(2 ** (i - 1), 20) for i in range(1, bounds.attempts)
    )
    assert worst <= window + 1e-9


def test_aws_max_attempts_lowers_attempts_and_never_lengthens_a_call() -> None:
    assert aws.limits(30, 1, 15).attempts == 1
    assert aws.limits(30, 3, 15).attempts == 3
    assert aws.limits(30, 10, 15).attempts < 10  # ten attempts and their backoff do not fit in 30 s
    assert aws.limits(30, 10, 15).window <= 30


def test_an_explicit_retry_config_keeps_botocore_from_reading_bad_variables(monkeypatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "ADAPTIVE")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "20")

    client = aws.client("sns", 10, max_attempts=2, retry_mode="adaptive")

    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 2}


def test_a_conflict_on_a_server_an_earlier_attempt_set_out_to_start_is_that_attempts_start() -> None:
    # The earlier attempt's call was still in flight when it died; DRS carried it out meanwhile.
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    drs.late["s-00000000000000001"] = answered("ConflictException", 409, 0)

    report = run(drs, cooldowns, journal=FakeJournal(earlier={"s-00000000000000001"}))

    assert outcomes(report) == {"s-00000000000000001": ("started", "replication-stopped")}
    assert report["servers"][0]["detail"] == "started by an earlier attempt of this event"
    assert cooldowns.confirmed == ["s-00000000000000001"]
