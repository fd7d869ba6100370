"""A report's lists beside its servers, read back from their JSON form (as a retried event's stored
answer is): the entries kept, the counts, and how many were left out to fit SNS."""

from __future__ import annotations

import json

from reprotect.listing import Listing
from reprotect.outcomes import Entry, Kind, Outcome, Reason


def network(suffix: str) -> Entry:
    return Entry(
        Kind.NETWORK,
        f"sn-0123456789abcdef{suffix}",
        "vpc-0123456789abcdef0",
        Outcome.STARTED,
        Reason.REPLICATION_STOPPED,
    )


def test_a_trimmed_listing_read_back_keeps_how_many_entries_it_left_out() -> None:
    # Given three started networks of which a report trimmed to fit SNS keeps one
    trimmed = Listing.of(Kind.NETWORK, [network("a"), network("b"), network("c")], healthy=4).kept(1)

    again = Listing.from_dict(Kind.NETWORK, json.loads(json.dumps(trimmed.to_dict())))

    assert again.omitted == 2
    assert again.to_dict()["sourceNetworksOmitted"] == 2
    assert again.to_dict()["sourceNetworkCounts"]["started"] == 3
    assert again == trimmed
