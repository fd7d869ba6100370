"""Request members checked the way DRS checks them, turned into the backend's typed arguments.

botocore checks little client-side (required members, minimum lengths), so patterns, maximums and
types are the server's job, and every failure here is a 400 ValidationException naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from drs_emulator.exceptions import ValidationException
from drs_emulator.fleet.common import RECOVERY_INSTANCE_ID, SERVER_ID, SOURCE_NETWORK_ID
from drs_emulator.models import RecoveryInstanceFilters, ServerFilters, SourceNetworkFilters
from drs_emulator.paging import MAX_RESULTS

Params = dict[str, Any]

ACCOUNT_ID = re.compile(r"[0-9]{12}")
REGION = re.compile(
    r"(us(-gov)?|ap|ca|cn|eu|eusc|sa|af|me|mx|il)-([a-z]{2}-)?"
    r"(central|north|(north(?:east|west))|south|south(?:east|west)|east|west)-[0-9]"
)
ARN = re.compile(r"arn:.{16,2044}")
MAX_FILTER_IDS = 200
MAX_NETWORK_FILTER_IDS = 100


def source_server_id(params: Params) -> str:
    return _required_id(params, "sourceServerID", SERVER_ID)


def recovery_instance_id(params: Params) -> str:
    return _required_id(params, "recoveryInstanceID", RECOVERY_INSTANCE_ID)


def source_network_id(params: Params) -> str:
    return _required_id(params, "sourceNetworkID", SOURCE_NETWORK_ID)


def _required_id(params: Params, name: str, pattern: re.Pattern[str]) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationException(f"{name} must match pattern ^{pattern.pattern}$", field=name)
    return value


def max_results(params: Params) -> int:
    value = params.get("maxResults", MAX_RESULTS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RESULTS:
        raise ValidationException(f"maxResults must be between 1 and {MAX_RESULTS}", field="maxResults")
    return value


def next_token(params: Params) -> str | None:
    value = params.get("nextToken")
    if value is not None and not isinstance(value, str):
        raise ValidationException("nextToken must be a string", field="nextToken")
    return value or None


def server_filters(params: Params) -> ServerFilters:
    filters = _filters(params)
    ids = _ids(filters, "sourceServerIDs", SERVER_ID, MAX_FILTER_IDS, "Invalid sourceServerID in filter")
    invalid = "Invalid stagingAccountIDs filter"
    staging = _ids(filters, "stagingAccountIDs", ACCOUNT_ID, MAX_FILTER_IDS, invalid, too_many=invalid)
    hardware_id = filters.get("hardwareId")
    if hardware_id is not None and not isinstance(hardware_id, str):
        raise ValidationException("hardwareId must be a string", field="filters.hardwareId")
    return ServerFilters(ids, staging, hardware_id)


def recovery_instance_filters(params: Params) -> RecoveryInstanceFilters:
    filters = _filters(params)
    return RecoveryInstanceFilters(
        _ids(
            filters,
            "recoveryInstanceIDs",
            RECOVERY_INSTANCE_ID,
            MAX_FILTER_IDS,
            "Invalid recoveryInstanceID in filter",
        ),
        # The model sets no limit on this list.
        _ids(filters, "sourceServerIDs", SERVER_ID, None, "Invalid sourceServerID in filter"),
    )


def source_network_filters(params: Params) -> SourceNetworkFilters:
    filters = _filters(params)
    return SourceNetworkFilters(
        _ids(
            filters,
            "sourceNetworkIDs",
            SOURCE_NETWORK_ID,
            MAX_NETWORK_FILTER_IDS,
            "Invalid sourceNetworkID in filter",
        ),
        _optional(filters, "originAccountID", ACCOUNT_ID),
        _optional(filters, "originRegion", REGION),
    )


def _filters(params: Params) -> Params:
    filters = params.get("filters") or {}
    if not isinstance(filters, dict):
        raise ValidationException("filters must be an object", field="filters")
    return filters


def _ids(
    filters: Params,
    name: str,
    pattern: re.Pattern[str],
    limit: int | None,
    invalid: str,
    too_many: str | None = None,
) -> frozenset[str]:
    values = filters.get(name) or []
    field = f"filters.{name}"
    if limit is not None and isinstance(values, list) and len(values) > limit:
        raise ValidationException(too_many or f"{name} must have at most {limit} items", field=field)
    if not isinstance(values, list) or any(
        not isinstance(v, str) or not pattern.fullmatch(v) for v in values
    ):
        raise ValidationException(invalid, field=field)
    return frozenset(values)


def _optional(filters: Params, name: str, pattern: re.Pattern[str]) -> str | None:
    value = filters.get(name)
    if value is not None and (not isinstance(value, str) or not pattern.fullmatch(value)):
        raise ValidationException(f"{name} must match pattern ^{pattern.pattern}$", field=f"filters.{name}")
    return value


def resource_arn(params: Params) -> str:
    arn = params.get("resourceArn")
    if not isinstance(arn, str) or not ARN.fullmatch(arn):
        raise ValidationException("resourceArn must be an ARN", field="resourceArn")
    return arn


def tags(params: Params) -> dict[str, str]:
    value = params.get("tags")
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValidationException("tags must be a map of strings", field="tags")
    return value


def tag_keys(params: Params) -> list[str]:
    keys = params.get("tagKeys")
    if not keys:
        raise ValidationException("tagKeys is required", field="tagKeys")
    return list(keys)
