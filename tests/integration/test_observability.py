"""What operators see besides the report: EMF metrics, one log line per server, the SNS size limit."""

from __future__ import annotations

import json
import logging
import random

from moto.sns.models import Topic

from drs_emulator.fleet import make_server
from tests.integration.conftest import Stack, load_event


def emf_records(out: str) -> list[dict]:
    records = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            records.append(json.loads(line))
    return records


def test_run_emits_emf_metrics_from_its_counts(stack: Stack, fleet, capsys) -> None:
    fleet({"state": "STOPPED"}, {"state": "STOPPED"}, {"state": "STALLED"}, {"state": "CONTINUOUS"})

    stack.invoke(load_event("scheduler.json"))

    (record,) = emf_records(capsys.readouterr().out)
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "DrsReprotect"
    assert directive["Dimensions"] == [["service"]]
    assert record["service"] == "drs-reprotect"
    values = {m["Name"]: record[m["Name"]] for m in directive["Metrics"]}
    assert values["ServersStarted"] == [2.0]
    assert values["ServersNeedingAttention"] == [1.0]
    assert values["ServersFailed"] == [0.0]
    assert values["RunFailed"] == [0.0]
    assert values["RunDuration"][0] > 0


def test_a_failed_run_counts_one_in_its_run_failed_metric_and_logs_why(
    stack: Stack, fleet, capsys, caplog
) -> None:
    caplog.set_level(logging.INFO)
    fleet({"state": "STOPPED"})
    stack.faults.deny("DescribeSourceServers")

    report = stack.invoke(load_event("scheduler.json"))

    assert report["status"] == "failed"
    (record,) = emf_records(capsys.readouterr().out)
    assert record["RunFailed"] == [1.0]
    (run,) = [r for r in caplog.records if r.getMessage() == "Run finished"]
    assert run.status == "failed"
    assert run.error.code == "AccessDeniedException"


def test_duplicate_delivery_adds_no_server_metrics(stack: Stack, fleet, capsys) -> None:
    fleet({"state": "STOPPED"})
    stack.invoke(load_event("scheduler.json"))
    capsys.readouterr()

    stack.invoke(load_event("scheduler.json"))

    (record,) = emf_records(capsys.readouterr().out)
    names = {m["Name"] for m in record["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert names == {"DuplicateEvents"}


def test_one_structured_log_line_per_server_action_and_one_per_run(stack: Stack, fleet, caplog) -> None:
    caplog.set_level(logging.INFO)
    started, excluded = fleet(
        {"state": "STOPPED", "hostname": "web-3"}, {"state": "STOPPED", "tags": {"AutoReprotect": "false"}}
    )

    stack.invoke(load_event("scheduler.json"))

    per_server = [r for r in caplog.records if r.getMessage() == "Server outcome"]
    assert sorted((r.source_server_id, r.outcome, r.reason) for r in per_server) == sorted(
        [(started, "started", "replication-stopped"), (excluded, "skipped", "excluded-by-tag")]
    )
    assert next(r for r in per_server if r.source_server_id == started).hostname == "web-3"
    (run,) = [r for r in caplog.records if r.getMessage() == "Run finished"]
    assert run.counts["started"] == 1
    assert run.duration_ms >= 0


def test_report_of_thousands_of_servers_is_trimmed_to_fit_sns_and_logged_whole(
    stack: Stack, caplog, monkeypatch
) -> None:
    caplog.set_level(logging.INFO)
    received = []  # what SNS itself was handed: the message and its attributes
    publish = Topic.publish

    def spy(topic: Topic, message: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        received.append((message, kwargs.get("message_attributes") or {}))
        return publish(topic, message, *args, **kwargs)

    monkeypatch.setattr(Topic, "publish", spy)
    rng = random.Random(4)
    stack.backend.add_servers(make_server("STALLED", rng=rng, hostname=f"host-{i:04d}") for i in range(4000))

    report = stack.invoke(load_event("scheduler.json"))

    (envelope,) = stack.messages()
    published = json.loads(envelope["Message"])
    assert published == report
    assert report["truncated"] is True
    assert report["counts"]["attention"] == 4000
    assert len(report["servers"]) + report["serversOmitted"] == 4000
    # SNS takes 262,144 bytes for message and attributes together (the attributes' names, types and
    # values all count); the report was cut to fit with room to spare, not just under the limit.
    ((message, attributes),) = received
    attribute_bytes = sum(
        len(name.encode()) + len(a["Type"].encode()) + len(a["Value"].encode())
        for name, a in attributes.items()
    )
    assert 200_000 < len(message.encode()) + attribute_bytes <= 262_144
    parts = [r for r in caplog.records if r.getMessage().startswith("Full server list")]
    assert [(p.part, p.parts) for p in parts] == [(i, 8) for i in range(1, 9)]
    logged = [s["sourceServerID"] for p in parts for s in p.servers]
    assert len(logged) == len(set(logged)) == 4000
    assert max(len(json.dumps(p.servers)) for p in parts) < 256 * 1024
