"""The organization's digest: which places come first, what a person reads, and that it always fits."""

from __future__ import annotations

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
