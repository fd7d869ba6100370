"""DescribeRecoveryInstances as `recovery.pages` asks for it: every recovery instance, or those of given
source servers in chunks of 200 ids (the model's bound), each listing followed token by token, an
empty page with a token included."""

from __future__ import annotations

from reprotect import recovery
from tests.unit.test_drs_pages import PagedDrs


class Listing(PagedDrs):
    """DescribeRecoveryInstances answering each request from the pages given in turn; records the requests."""

    describe_recovery_instances = PagedDrs.describe_source_servers


def sid(n: int) -> str:
    return f"s-{n:017d}"


def test_every_recovery_instance_is_listed_page_by_page_an_empty_page_with_a_token_included() -> None:
    client = Listing(
        {"items": [{"recoveryInstanceID": "i-1"}], "nextToken": "a"},
        {"nextToken": "b"},
        {"items": [{"recoveryInstanceID": "i-2"}]},
    )

    pages = list(recovery.pages(client, None))

    assert pages == [[{"recoveryInstanceID": "i-1"}], [], [{"recoveryInstanceID": "i-2"}]]
    assert client.requests == [
        {"maxResults": 1000},
        {"maxResults": 1000, "nextToken": "a"},
        {"maxResults": 1000, "nextToken": "b"},
    ]


def test_the_instances_of_given_servers_are_asked_for_200_ids_at_a_time_each_id_once() -> None:
    ids = [sid(n) for n in range(450, 0, -1)] + [sid(7)]  # 450 servers, unsorted, one named twice
    client = Listing({"items": []}, {"items": [], "nextToken": "more"}, {"items": []}, {})

    pages = list(recovery.pages(client, ids))

    everyone = [sid(n) for n in range(1, 451)]
    assert pages == [[], [], [], []]
    assert client.requests == [
        {"filters": {"sourceServerIDs": everyone[0:200]}, "maxResults": 1000},
        {"filters": {"sourceServerIDs": everyone[200:400]}, "maxResults": 1000},
        {"filters": {"sourceServerIDs": everyone[200:400]}, "maxResults": 1000, "nextToken": "more"},
        {"filters": {"sourceServerIDs": everyone[400:450]}, "maxResults": 1000},
    ]


def test_no_servers_no_request() -> None:
    client = Listing()

    assert list(recovery.pages(client, [])) == []
    assert client.requests == []
