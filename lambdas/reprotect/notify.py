"""Publishing the report to SNS: JSON for machines, text for people, attributes for filter policies."""

from __future__ import annotations

import json
from typing import Any

from reprotect.outcomes import ATTENTION, DEFERRED, FAILED, HEALTHY, SKIPPED, STARTED, WOULD_START
from reprotect.report import email_text

# SNS takes 262,144 bytes for the message and its attributes together; keep room for the attributes.
MESSAGE_BUDGET = 250_000
_COUNT_ATTRIBUTES = {
    "started": STARTED,
    "wouldStart": WOULD_START,
    "skipped": SKIPPED,
    "failed": FAILED,
    "deferred": DEFERRED,
    "attention": ATTENTION,
    "healthy": HEALTHY,
}


def should_publish(report: dict[str, Any], notify_when_idle: bool) -> bool:
    return report["status"] != "idle" or notify_when_idle


def fit(report: dict[str, Any], budget: int = MESSAGE_BUDGET) -> dict[str, Any]:
    """Trim the server list (most urgent kept) until the SNS message fits; counts stay whole."""
    if len(message_body(report).encode()) <= budget:
        return report
    servers = report["servers"]
    low, high = 0, len(servers)  # the largest kept count that fits lies in [low, high)
    while low < high - 1:
        middle = (low + high) // 2
        if len(message_body(trimmed(report, middle)).encode()) <= budget:
            low = middle
        else:
            high = middle
    return trimmed(report, low)


def trimmed(report: dict[str, Any], keep: int) -> dict[str, Any]:
    omitted = len(report["servers"]) - keep
    return {**report, "servers": report["servers"][:keep], "truncated": True, "serversOmitted": omitted}


def message_body(report: dict[str, Any]) -> str:
    return json.dumps({"default": json.dumps(report, separators=(",", ":")), "email": email_text(report)})


def subject(report: dict[str, Any]) -> str:
    where = "/".join(x for x in (report.get("account"), report.get("region")) if x)
    counts = report["counts"]
    kinds = (STARTED, WOULD_START, FAILED, DEFERRED, ATTENTION)
    what = ", ".join(f"{counts[k]} {k}" for k in kinds if counts[k]) or "nothing to do"
    text = f"[drs-reprotect] {report['status'].upper()} {where}: {what}"
    # SNS subjects: ASCII, no line breaks, at most 100 characters.
    text = text.encode("ascii", "replace").decode().replace("\n", " ")
    return text if len(text) <= 100 else text[:97] + "..."


def publish(sns: Any, topic_arn: str, report: dict[str, Any]) -> str:
    """Publish one report (already fitted). Returns the SNS message id."""
    attributes: dict[str, Any] = {
        "outcome": {"DataType": "String", "StringValue": report["status"]},
        "trigger": {"DataType": "String", "StringValue": report["trigger"]["type"]},
        "dryRun": {"DataType": "String", "StringValue": str(report["dryRun"]).lower()},
    }
    for name, kind in _COUNT_ATTRIBUTES.items():
        attributes[name] = {"DataType": "Number", "StringValue": str(report["counts"][kind])}
    response = sns.publish(
        TopicArn=topic_arn,
        Message=message_body(report),
        MessageStructure="json",
        Subject=subject(report),
        MessageAttributes=attributes,
    )
    return str(response["MessageId"])
