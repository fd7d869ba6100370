"""DescribeSourceServers: filters, validation and pagination through capped and empty pages."""

from __future__ import annotations

import pytest

from drs_emulator.fleet import generate_fleet, make_recovery_instance, make_server, make_source_network


def _all_ids(client, **kwargs):
    pages = list(client.get_paginator("describe_source_servers").paginate(**kwargs))
    return [item["sourceServerID"] for page in pages for item in page["items"]], pages


@pytest.mark.parametrize(
    ("page_cap", "empty_every", "leading_empty", "page_size"),
    [(None, None, 0, None), (7, None, 0, 50), (None, 3, 0, 25), (10, 2, 2, 1000), (1000, None, 1, 1)],
)
def test_paginator_returns_every_server_exactly_once(
    drs_emulator, drs_client, page_cap, empty_every, leading_empty, page_size
):
    # Given a fleet served through capped and empty pages
    fleet = generate_fleet(120, seed=3)
    backend = drs_emulator.backend
    backend.add_servers(fleet)
    backend.faults.page_cap, backend.faults.empty_pages_every, backend.faults.leading_empty_pages = (
        page_cap,
        empty_every,
        leading_empty,
    )

    # When the paginator walks it
    config = {"PageSize": page_size} if page_size else {}
    ids, pages = _all_ids(drs_client, PaginationConfig=config)

    # Then each server comes exactly once, pages respect the cap, and the empty pages were really served
    assert sorted(ids) == sorted(s["sourceServerID"] for s in fleet)
    assert len(ids) == len(set(ids))
    largest = min(page_size or 1000, page_cap or 1000)
    assert all(len(page["items"]) <= largest for page in pages)
    empties = [page for page in pages if not page["items"]]
    if empty_every or leading_empty:
        assert empties
        assert all("nextToken" in page for page in empties)
    else:
        assert not empties
    assert "nextToken" not in pages[-1]


def test_filters(drs_emulator, drs_client):
    plain = make_server("STOPPED", ec2_origin=True)
    extended = make_server("CONTINUOUS", extended=True, staging_account_id="111122223333")
    drs_emulator.backend.add_servers([plain, extended])

    by_id = drs_client.describe_source_servers(
        filters={"sourceServerIDs": [plain["sourceServerID"], "s-0123456789abcdefg"]}
    )["items"]
    assert [s["sourceServerID"] for s in by_id] == [plain["sourceServerID"]]

    by_staging = drs_client.describe_source_servers(filters={"stagingAccountIDs": ["111122223333"]})["items"]
    assert [s["sourceServerID"] for s in by_staging] == [extended["sourceServerID"]]

    instance_id = plain["sourceProperties"]["identificationHints"]["awsInstanceID"]
    by_hardware = drs_client.describe_source_servers(filters={"hardwareId": instance_id})["items"]
    assert [s["sourceServerID"] for s in by_hardware] == [plain["sourceServerID"]]

    everything = drs_client.describe_source_servers(filters={"sourceServerIDs": []})["items"]
    assert len(everything) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"maxResults": 1001},
        {"filters": {"sourceServerIDs": [f"s-{i:017d}" for i in range(201)]}},
        {"filters": {"sourceServerIDs": ["s-0123456789abcdef!"]}},
        {"nextToken": "not-a-token"},
    ],
)
def test_invalid_requests_are_rejected(drs_emulator, drs_client, kwargs):
    with pytest.raises(drs_client.exceptions.ValidationException):
        drs_client.describe_source_servers(**kwargs)


def test_max_results_bounds_are_inclusive(drs_emulator, drs_client):
    drs_emulator.backend.add_servers(generate_fleet(3, seed=1))
    first = drs_client.describe_source_servers(maxResults=1)
    assert len(first["items"]) == 1
    assert "nextToken" in first
    assert len(drs_client.describe_source_servers(maxResults=1000)["items"]) == 3


def test_ordering_is_stable(drs_emulator, drs_client):
    drs_emulator.backend.add_servers(generate_fleet(30, seed=2))
    first, _ = _all_ids(drs_client, PaginationConfig={"PageSize": 4})
    second, _ = _all_ids(drs_client, PaginationConfig={"PageSize": 9})
    assert first == second == sorted(first)


def _recovery_instances(count):
    return [make_recovery_instance(recovery_instance_id=f"i-{i:017x}") for i in range(count)]


def _source_networks(count):
    return [make_source_network(source_network_id=f"sn-{i:017d}") for i in range(count)]


PAGED = [
    ("describe_source_servers", "sourceServerID", lambda b, n: b.add_servers(generate_fleet(n, seed=9))),
    (
        "describe_recovery_instances",
        "recoveryInstanceID",
        lambda b, n: b.add_recovery_instances(_recovery_instances(n)),
    ),
    ("describe_source_networks", "sourceNetworkID", lambda b, n: b.add_source_networks(_source_networks(n))),
]


@pytest.mark.parametrize(("operation", "key", "add"), PAGED, ids=[p[0] for p in PAGED])
@pytest.mark.parametrize(
    ("page_cap", "empty_every", "leading_empty", "page_size"), [(7, 3, 1, 50), (None, None, 0, 4)]
)
def test_every_describe_pages_with_the_same_quirks(
    drs_emulator, drs_client, operation, key, add, page_cap, empty_every, leading_empty, page_size
):
    # Given 45 resources of one kind, served through capped and empty pages
    backend = drs_emulator.backend
    add(backend, 45)
    backend.faults.page_cap = page_cap
    backend.faults.empty_pages_every = empty_every
    backend.faults.leading_empty_pages = leading_empty

    # When the paginator walks them
    pages = list(drs_client.get_paginator(operation).paginate(PaginationConfig={"PageSize": page_size}))

    # Then each comes once, in id order, pages respect the cap, and empty pages still point onwards
    ids = [item[key] for page in pages for item in page["items"]]
    assert ids == sorted(set(ids))
    assert len(ids) == 45
    assert max(len(page["items"]) for page in pages) == min(page_size, page_cap or page_size)
    empties = [page for page in pages if not page["items"]]
    assert bool(empties) == bool(empty_every or leading_empty)
    assert all("nextToken" in page for page in empties)
    assert "nextToken" not in pages[-1]


def test_paging_quirks_refuse_values_that_would_never_end(drs_emulator):
    faults = drs_emulator.backend.faults
    for name, value in [
        ("page_cap", 0),
        ("empty_pages_every", 1),
        ("leading_empty_pages", -1),
        ("page_cap", True),
    ]:
        with pytest.raises(ValueError, match=name):
            setattr(faults, name, value)
    assert (faults.page_cap, faults.empty_pages_every, faults.leading_empty_pages) == (None, None, 0)


def test_filtered_listings_page_through_only_the_matches(drs_emulator, drs_client):
    # Given 200 servers of which every fifth is asked for, read two at a time through capped pages
    fleet = generate_fleet(200, seed=12)
    drs_emulator.backend.add_servers(fleet)
    drs_emulator.backend.faults.page_cap = 3
    wanted = sorted(s["sourceServerID"] for s in fleet[::5])

    # When the paginator walks the filtered listing
    pages = list(
        drs_client.get_paginator("describe_source_servers").paginate(
            filters={"sourceServerIDs": wanted}, PaginationConfig={"PageSize": 2}
        )
    )

    # Then exactly the wanted servers come back, in order, two per page, the last page without a token
    assert [i["sourceServerID"] for page in pages for i in page["items"]] == wanted
    assert [len(page["items"]) for page in pages] == [2] * 20
    assert "nextToken" not in pages[-1]


def test_id_lists_are_copies(drs_emulator):
    drs_emulator.backend.add_servers(generate_fleet(3, seed=1))
    drs_emulator.backend.server_ids().clear()
    assert len(drs_emulator.backend.server_ids()) == 3
