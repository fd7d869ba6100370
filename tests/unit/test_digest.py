"""The organization's digest: which places come first, what a person reads, and that it always fits."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest

from reprotect.org.digest import LISTED, compose
from reprotect.org.digest_render import attributes, email_text, headline, message_body, subject, to_dict
from reprotect.org.records import NeedsPerson, PlaceState

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
DAY = date(2026, 11, 26)
RECENT = "2026-11-27T05:58:02.120Z"


def place(
    account: str = "111111111111",
    region: str = "us-east-1",
    *,
    last: str | None = RECENT,
    status: str = "ok",
    attention: int = 0,
    failed: int = 0,
    runs_failed: int = 0,
    started: int = 0,
    healthy: int = 10,
    hostname: str = "files-01",
) -> PlaceState:
    needs = tuple(
        NeedsPerson(
            account,
            region,
            {"sourceServerID": f"s-{i:017d}", "hostname": hostname, "outcome": kind, "reason": reason},
        )
        for kind, reason, count in (("attention", "stalled", attention), ("failed", "start-failed", failed))
        for i in range(count)
    )
    counts = {
        "examined": healthy + attention + failed,
        "healthy": healthy,
        "attention": attention,
        "failed": failed,
    }
    day = {"runs": 48, "runsFailed": runs_failed, "started": started, "failed": failed}
    return PlaceState(account, region, last, status, False, counts, needs, 0, day)


def digest_of(*places: PlaceState, hours: int = 2):
    return compose(places, organization_id="o-a1b2c3d4e5", day=DAY, now=NOW, silent_after_hours=hours)


def test_places_are_ordered_silent_then_failed_runs_then_servers_needing_a_person() -> None:
    calm = place("111111111111")
    attention = place("222222222222", attention=3)
    failing = place("333333333333", runs_failed=1)
    silent = place("444444444444", last="2026-11-27T03:59:59.000Z")

    digest = digest_of(calm, attention, failing, silent)

    assert [p.account for p in digest.places] == [
        "444444444444",
        "333333333333",
        "222222222222",
        "111111111111",
    ]
    assert digest.silent == {("444444444444", "us-east-1")}


@pytest.mark.parametrize(
    ("last", "silent"), [("2026-11-27T04:00:00.000Z", False), ("2026-11-27T03:59:59.999Z", True)]
)
def test_a_place_is_silent_once_its_latest_report_is_older_than_the_threshold(
    last: str, silent: bool
) -> None:
    assert bool(digest_of(place(last=last)).silent) is silent


def test_a_place_known_only_from_its_day_totals_is_silent() -> None:
    assert digest_of(place(last=None)).silent == {("111111111111", "us-east-1")}


def test_a_calm_day_says_nothing_needs_you_and_shows_no_empty_sections() -> None:
    digest = digest_of(place(started=2), place("222222222222", region="eu-west-1"))

    text = email_text(digest)

    assert headline(digest) == "nothing needs you: every place reported and every server is fine"
    assert subject(digest) == "[drs-reprotect] digest 2026-11-26: all 2 places fine"
    assert "need a person (" not in text
    assert "stopped reporting" not in text
    assert "2 places (2 accounts in 2 regions)" in text
    assert "2 servers restarted, 0 starts failed (retried every run)" in text


def test_the_email_names_every_server_needing_a_person_with_its_place_and_reason() -> None:
    digest = digest_of(
        place("222222222222", "eu-west-1", attention=1, failed=1), place(last="2026-11-26T21:14:00Z")
    )

    text = email_text(digest)

    assert (
        "In short: 1 server needs a person; 1 place stopped reporting; 1 server could not be restarted."
        in text
    )
    assert "  222222222222 eu-west-1      s-00000000000000000 files-01: stalled" in text
    assert "  222222222222 eu-west-1      s-00000000000000000 files-01: start-failed" in text
    assert "  111111111111 us-east-1      last report 2026-11-26 21:14 UTC" in text
    assert subject(digest) == "[drs-reprotect] digest 2026-11-26: 1 need a person, 1 silent, 1 not restarted"


def test_what_members_wrote_cannot_forge_a_line_of_the_email() -> None:
    digest = digest_of(place(attention=1, hostname="db\nIn short: nothing needs you"))

    lines = email_text(digest).splitlines()

    assert sum(line.startswith("In short:") for line in lines) == 1


def test_the_json_form_and_attributes_let_machines_select_digests_and_trouble() -> None:
    digest = digest_of(place(attention=2, runs_failed=1))

    body = to_dict(digest)
    attrs = attributes(digest)

    assert body["kind"] == "digest"
    assert body["dayTotals"] == {"runs": 48, "runsFailed": 1, "started": 0, "wouldStart": 0, "failed": 0}
    assert body["now"]["attention"] == 2
    assert len(body["needsPerson"]) == 2
    assert attrs["kind"] == {"DataType": "String", "StringValue": "digest"}
    assert attrs["needsPerson"]["StringValue"] == "2"
    assert set(attrs) == {"kind", "needsPerson", "silentPlaces", "runsFailed", "failed"}


def test_the_digest_of_500_accounts_in_17_regions_in_trouble_everywhere_fits_sns() -> None:
    # Given 8,500 places, each with 50 servers needing a person and 20 that failed to start
    regions = [f"xx-region-{i}" for i in range(17)]
    places = [
        place(f"{a:012d}", r, attention=50, failed=20, runs_failed=1, hostname="h" * 100)
        for a in range(500)
        for r in regions
    ]

    digest = digest_of(*places)
    body = message_body(digest)

    # Then the message fits SNS's 256 KB with room for the attributes, and the counts stay whole
    assert len(body.encode()) <= 250_000
    parsed = json.loads(json.loads(body)["default"])
    assert parsed["now"]["attention"] == 8500 * 50
    assert len(parsed["needsPerson"]) == LISTED
    assert f"... and {8500 * 50 - LISTED} more" in email_text(digest)
    assert f"... and {8500 - LISTED} more places" in email_text(digest)
    assert len(subject(digest)) <= 100


def small_organization():
    # One place in trouble, one known only from its day's totals (it never reported a latest run)
    trouble = place(
        "222222222222",
        "eu-west-1",
        status="failed",
        attention=1,
        failed=1,
        runs_failed=2,
        started=1,
        healthy=5,
    )
    unknown = PlaceState("444444444444", "ap-southeast-2", day={"runs": 3})
    return digest_of(trouble, unknown)


SERVER = {"sourceServerID": "s-00000000000000000", "hostname": "files-01"}
NEVER_REPORTED = {
    "account": "444444444444",
    "region": "ap-southeast-2",
    "silent": True,
    "lastReportAt": None,
    "status": None,
    "day": {"runs": 3, "runsFailed": 0, "started": 0, "wouldStart": 0, "failed": 0},
    "now": {"examined": 0, "healthy": 0, "attention": 0, "failed": 0, "deferred": 0},
}


def test_the_json_digest_of_a_small_organization_is_exactly_the_documented_shape() -> None:
    digest = small_organization()

    assert to_dict(digest) == {
        "schemaVersion": 1,
        "kind": "digest",
        "organizationId": "o-a1b2c3d4e5",
        "day": "2026-11-26",
        "generatedAt": "2026-11-27T06:00:00Z",
        "silentAfterHours": 2,
        "places": 2,
        "dayTotals": {"runs": 51, "runsFailed": 2, "started": 1, "wouldStart": 0, "failed": 1},
        "now": {"examined": 7, "healthy": 5, "attention": 1, "failed": 1, "deferred": 0},
        "needsPerson": [
            {
                "account": "222222222222",
                "region": "eu-west-1",
                **SERVER,
                "outcome": "attention",
                "reason": "stalled",
            }
        ],
        "failedToStart": [
            {
                "account": "222222222222",
                "region": "eu-west-1",
                **SERVER,
                "outcome": "failed",
                "reason": "start-failed",
            }
        ],
        "silentPlaces": [NEVER_REPORTED],
        "mostUrgentPlaces": [
            NEVER_REPORTED,
            {
                "account": "222222222222",
                "region": "eu-west-1",
                "silent": False,
                "lastReportAt": "2026-11-27T05:58:02.120Z",
                "status": "failed",
                "day": {"runs": 48, "runsFailed": 2, "started": 1, "wouldStart": 0, "failed": 1},
                "now": {"examined": 7, "healthy": 5, "attention": 1, "failed": 1, "deferred": 0},
            },
        ],
    }
    assert attributes(digest) == {
        "kind": {"DataType": "String", "StringValue": "digest"},
        "needsPerson": {"DataType": "Number", "StringValue": "1"},
        "silentPlaces": {"DataType": "Number", "StringValue": "1"},
        "runsFailed": {"DataType": "Number", "StringValue": "2"},
        "failed": {"DataType": "Number", "StringValue": "1"},
    }


def test_the_sns_message_holds_the_compact_json_by_default_and_the_text_for_email() -> None:
    digest = small_organization()

    message = json.loads(message_body(digest))

    assert set(message) == {"default", "email"}
    assert message["default"].startswith(
        '{"schemaVersion":1,"kind":"digest","organizationId":"o-a1b2c3d4e5","day":"2026-11-26",'
        '"generatedAt":"2026-11-27T06:00:00Z","silentAfterHours":2,"places":2,'
        '"dayTotals":{"runs":51,"runsFailed":2,"started":1,"wouldStart":0,"failed":1},'
    )
    assert ", " not in message["default"]
    assert ": " not in message["default"]
    assert json.loads(message["default"]) == to_dict(digest)
    assert message["email"] == email_text(digest)


def test_the_email_of_a_small_organization_says_never_for_a_place_that_never_reported() -> None:
    assert email_text(small_organization()) == (
        "drs-reprotect daily digest for organization o-a1b2c3d4e5\n"
        "Covering Thursday 26 November 2026 (UTC); each place as of its latest run,"
        " at 2026-11-27 06:00 UTC.\n"
        "\n"
        "In short: 1 server needs a person; 1 place stopped reporting; 2 runs failed;"
        " 1 server could not be restarted.\n"
        "\n"
        "2 places (2 accounts in 2 regions). That day:\n"
        "  51 runs, 2 of them failed (as a whole, or every start they tried)\n"
        "  1 server restarted, 1 start failed (retried every run)\n"
        "Now: 7 source servers examined, 5 healthy, 1 need a person, 0 deferred to the next run.\n"
        "\n"
        "Servers that need a person (restarting replication cannot fix them): 1\n"
        "  222222222222 eu-west-1      s-00000000000000000 files-01: stalled\n"
        "\n"
        "Servers that could not be restarted in their latest run (retried every run): 1\n"
        "  222222222222 eu-west-1      s-00000000000000000 files-01: start-failed\n"
        "\n"
        "Places that stopped reporting (nothing for more than 2 hours): 1. Their servers may be"
        " unprotected: check the function's errors and alarms, and that the StackSet instance is"
        " still there.\n"
        "  444444444444 ap-southeast-2 last report never\n"
        "\n"
        "Every place, most urgent first (runs, restarts and failed starts that day; servers as of the"
        " latest run):\n"
        "  account       region          runs  started  failed  attention  healthy  latest run\n"
        "  444444444444  ap-southeast-2     3        0       0          0        0  silent since never\n"
        "  222222222222  eu-west-1         48        1       1          1        5  failed at 05:58 UTC\n"
    )


@pytest.mark.parametrize(
    ("places", "line", "short"),
    [
        (
            [place(attention=1, runs_failed=1)],
            "1 server needs a person; 1 run failed",
            "1 need a person, 1 run failed",
        ),
        (
            [
                place("111111111111", last=None),
                place("222222222222", last="2026-11-26T23:00:00Z"),
                place("333333333333", runs_failed=3),
            ],
            "2 places stopped reporting; 3 runs failed",
            "2 silent, 3 runs failed",
        ),
    ],
)
def test_the_headline_and_subject_count_failed_runs_and_silent_places(
    places: list[PlaceState], line: str, short: str
) -> None:
    digest = digest_of(*places)

    assert headline(digest) == line
    assert subject(digest) == f"[drs-reprotect] digest 2026-11-26: {short}"


def test_a_subject_longer_than_100_characters_is_cut_with_an_ellipsis() -> None:
    # 425,000 servers needing a person, 8,500 failed runs, 170,000 failed starts and three silent places
    trouble = PlaceState(
        "111111111111",
        "us-east-1",
        RECENT,
        "failed",
        counts={"attention": 425_000, "failed": 170_000},
        day={"runsFailed": 8500},
    )
    silent = [PlaceState(f"44444444444{i}", "us-west-2") for i in range(3)]

    text = subject(digest_of(trouble, *silent))

    assert text == (
        "[drs-reprotect] digest 2026-11-26: 425000 need a person, 3 silent, 8500 runs failed, 170000 not r..."
    )
    assert len(text) == 100


def test_the_email_of_one_dry_run_place_counts_in_the_singular_and_tells_what_a_dry_run_would_start() -> None:
    dry = PlaceState(
        "555555555555",
        "us-west-2",
        RECENT,
        "dry-run",
        True,
        {"examined": 4, "healthy": 1, "attention": 0, "failed": 0, "deferred": 3},
        (),
        0,
        {"runs": 1, "runsFailed": 0, "started": 1, "failed": 1, "wouldStart": 6},
    )

    assert email_text(digest_of(dry)) == (
        "drs-reprotect daily digest for organization o-a1b2c3d4e5\n"
        "Covering Thursday 26 November 2026 (UTC); each place as of its latest run,"
        " at 2026-11-27 06:00 UTC.\n"
        "\n"
        "In short: nothing needs you: every place reported and every server is fine.\n"
        "\n"
        "1 place (1 account in 1 region). That day:\n"
        "  1 run, 0 of them failed (as a whole, or every start they tried)\n"
        "  1 server restarted, 1 start failed (retried every run)\n"
        "  6 starts a dry run would have made (counted every run)\n"
        "Now: 4 source servers examined, 1 healthy, 0 need a person, 3 deferred to the next run.\n"
        "\n"
        "Every place, most urgent first (runs, restarts and failed starts that day; servers as of the"
        " latest run):\n"
        "  account       region          runs  started  failed  attention  healthy  latest run\n"
        "  555555555555  us-west-2          1        1       1          0        1  dry-run at 05:58 UTC\n"
    )


def test_next_come_places_with_more_servers_needing_a_person_or_failed_now_then_failed_starts() -> None:
    # Given no place silent and no failed run: two servers that failed to start now, one needing a
    # person now, five starts that failed earlier that day (every server fine now), and a calm place
    calm = place("111111111111")
    failed_earlier = dataclasses.replace(place("222222222222"), day={"runs": 48, "failed": 5})
    attention = place("333333333333", attention=1)
    failed_now = place("444444444444", failed=2)

    digest = digest_of(calm, failed_earlier, attention, failed_now)

    # Then the servers needing a person or failed now (together) order first, then the day's failed starts
    assert [p.account for p in digest.places] == [
        "444444444444",
        "333333333333",
        "222222222222",
        "111111111111",
    ]


def test_a_long_hostname_is_cut_to_100_characters_and_a_missing_one_shows_as_a_dash() -> None:
    digest = digest_of(
        place("111111111111", attention=1, hostname=""),
        place("222222222222", failed=1, hostname="db-" + "x" * 147),
    )

    lines = email_text(digest).splitlines()

    assert "  111111111111 us-east-1      s-00000000000000000 -: stalled" in lines
    assert f"  222222222222 us-east-1      s-00000000000000000 db-{'x' * 94}...: start-failed" in lines


def test_an_organization_id_longer_than_100_characters_is_cut_in_the_email() -> None:
    digest = compose([place()], organization_id="o-" + "a" * 148, day=DAY, now=NOW, silent_after_hours=2)

    first = email_text(digest).splitlines()[0]

    assert first == f"drs-reprotect daily digest for organization o-{'a' * 95}..."


def test_the_headline_counts_servers_in_the_plural() -> None:
    digest = digest_of(place(attention=2, failed=3))

    assert headline(digest) == "2 servers need a person; 3 servers could not be restarted"
    assert subject(digest) == "[drs-reprotect] digest 2026-11-26: 2 need a person, 3 not restarted"


def test_exactly_100_silent_places_are_all_listed_with_no_more_line() -> None:
    # Lists stop at 100 entries (docs/organization.md): 100 fit whole
    digest = digest_of(*[place(f"{a:012d}", last=None) for a in range(1, 101)])

    lines = email_text(digest).splitlines()

    assert lines.count("  000000000100 us-east-1      last report never") == 1
    assert (
        lines[-1]
        == "  000000000100  us-east-1         48        0       0          0       10  silent since never"
    )
    assert [line for line in lines if "... and" in line] == []


def test_the_101st_silent_place_is_counted_as_one_more_in_both_lists() -> None:
    digest = digest_of(*[place(f"{a:012d}", last=None) for a in range(1, 102)])

    lines = email_text(digest).splitlines()

    assert "  000000000101 us-east-1      last report never" not in lines
    assert [line for line in lines if "... and" in line] == [
        "  ... and 1 more",
        "  ... and 1 more places, none more urgent than these",
    ]
