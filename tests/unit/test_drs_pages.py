"""Paging DescribeSourceServers: the whole fleet, or the given ids 200 to a call, every page followed to
its last token (a page may be short or empty and still carry one)."""

from __future__ import annotations

import copy
from typing import Any

from reprotect import drs


class PagedDrs:
    """DescribeSourceServers answering the pages given for each call in turn; records the requests."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def describe_source_servers(self, **request: Any) -> dict[str, Any]:
        self.requests.append(copy.deepcopy(request))  # the pager goes on changing its request
        return self.answers.pop(0)


def test_the_whole_fleet_is_paged_to_the_last_token_through_an_empty_page() -> None:
    client = PagedDrs(
        {"items": [{"sourceServerID": "s-1"}], "nextToken": "a"},
        {"items": [], "nextToken": "b"},
        {"items": [{"sourceServerID": "s-2"}]},
    )

    pages = list(drs.describe_pages(client))

    assert pages == [[{"sourceServerID": "s-1"}], [], [{"sourceServerID": "s-2"}]]
    assert client.requests == [
        {"maxResults": 1000},
        {"maxResults": 1000, "nextToken": "a"},
        {"maxResults": 1000, "nextToken": "b"},
    ]


def test_given_ids_are_described_200_to_a_call_each_chunk_paged_to_its_end() -> None:
    ids = [f"s-{i:017d}" for i in range(401)]
    client = PagedDrs({"items": [], "nextToken": "more"}, {"items": []}, {"items": []}, {"items": []})

    list(drs.describe_pages(client, ids))

    assert client.requests == [
        {"maxResults": 1000, "filters": {"sourceServerIDs": ids[:200]}},
        {"maxResults": 1000, "filters": {"sourceServerIDs": ids[:200]}, "nextToken": "more"},
        {"maxResults": 1000, "filters": {"sourceServerIDs": ids[200:400]}},
        {"maxResults": 1000, "filters": {"sourceServerIDs": ids[400:]}},
    ]


def test_a_page_without_items_counts_as_empty() -> None:
    assert list(drs.describe_pages(PagedDrs({}))) == [[]]
