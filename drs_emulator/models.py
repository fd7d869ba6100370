"""State model of the emulated DRS account: source servers, the operations, faults and a call log.

Servers are stored as plain dicts shaped like botocore's ``SourceServer``. A stored server is never
mutated: writers replace it with an updated copy, so readers can hand references to the JSON encoder
after releasing the lock.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from drs_emulator.exceptions import (
    AccessDeniedException,
    ConflictException,
    DrsError,
    ResourceNotFoundException,
    ThrottlingException,
    UninitializedAccountException,
    ValidationException,
    error_by_name,
)
from drs_emulator.fleet import (
    ACTIVE_STATES,
    ALL_STATES,
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    initiation_steps,
    iso,
)

OPERATIONS = (
    "DescribeSourceServers",
    "StartReplication",
    "StopReplication",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
)
SERVER_ID = re.compile(r"^s-[0-9a-zA-Z]{17}$")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
ARN = re.compile(r"^arn:.{16,2044}$")
PASS_THROUGH = (200, "OK")
MAX_FILTER_IDS = 200
MAX_RESULTS = 1000


@dataclass(frozen=True)
class CallRecord:
    """One request the emulator answered."""

    operation: str
    params: dict[str, Any]
    status: int
    error_type: str | None
    timestamp: float
    server_id: str | None = None


@dataclass
class TokenBucket:
    """Classic token bucket; ``take`` returns 0 when a token was taken, else seconds until one is."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.updated = time.monotonic()

    def take(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


def _encode_token(after: str, page: int) -> str:
    raw = json.dumps({"after": after, "page": page}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str) -> tuple[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["after"]), int(data["page"])
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise ValidationException("Invalid nextToken", field="nextToken") from exc


def _server_id_from_arn(arn: Any) -> str:
    if not isinstance(arn, str) or not ARN.match(arn):
        raise ValidationException("resourceArn must be an ARN", field="resourceArn")
    return arn.rsplit("/", 1)[-1]


class DrsBackend:
    """One emulated DRS account and region."""

    def __init__(
        self,
        servers: Iterable[dict[str, Any]] = (),
        *,
        account_id: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
    ) -> None:
        self.account_id = account_id
        self.region = region
        # Re-entrant so helpers can call each other while holding it.
        self._lock = threading.RLock()
        self._servers: dict[str, dict[str, Any]] = {}
        self._calls: list[CallRecord] = []
        self._reset_faults()
        self.add_servers(servers)

    # ---- state helpers for tests and the CLI ------------------------------------------------

    def _reset_faults(self) -> None:
        self.latency = 0.0
        self.op_latency: dict[str, float] = {}
        self.uninitialized = False
        self.deny_describe = False
        self.page_cap: int | None = None
        self.empty_pages_every: int | None = None
        self.leading_empty_pages = 0
        self.throttled = 0
        self._buckets: dict[str, TokenBucket] = {}
        self._scripts: dict[tuple[str | None, str], deque[str | int]] = {}

    def reset(self) -> None:
        """Forget all servers, faults and calls."""
        with self._lock:
            self._servers.clear()
            self._calls.clear()
            self._reset_faults()

    def add_servers(self, servers: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            for server in servers:
                if not SERVER_ID.match(server.get("sourceServerID", "")):
                    raise ValueError(f"bad sourceServerID in {server.get('sourceServerID')!r}")
                self._servers[server["sourceServerID"]] = copy.deepcopy(server)

    def server_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._servers)

    def get_server(self, server_id: str) -> dict[str, Any]:
        """A private copy of one server (KeyError if unknown)."""
        with self._lock:
            return copy.deepcopy(self._servers[server_id])

    def state_of(self, server_id: str) -> str:
        with self._lock:
            return str(self._servers[server_id]["dataReplicationInfo"]["dataReplicationState"])

    def set_state(self, server_id: str, state: str) -> None:
        """Move a server to another replication state, as time passing in DRS would."""
        if state not in ALL_STATES:
            raise ValueError(f"unknown dataReplicationState {state!r}")
        self._update(server_id, lambda s: s["dataReplicationInfo"].__setitem__("dataReplicationState", state))

    def _update(self, server_id: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        with self._lock:
            server = copy.deepcopy(self._servers[server_id])
            change(server)
            self._servers[server_id] = server
            return server

    # ---- fault settings ---------------------------------------------------------------------

    def set_latency(self, seconds: float, operation: str | None = None) -> None:
        """Delay every call (or every call of one operation) by ``seconds``."""
        with self._lock:
            if operation is None:
                self.latency = seconds
            else:
                self._check_operation(operation)
                self.op_latency[operation] = seconds

    def set_rate_limit(self, operation: str, rate: float | None, burst: float | None = None) -> None:
        """Throttle ``operation`` to ``rate`` calls/s with a bucket of ``burst`` (default: rate)."""
        self._check_operation(operation)
        with self._lock:
            if rate is None:
                self._buckets.pop(operation, None)
            else:
                self._buckets[operation] = TokenBucket(rate, max(1.0, burst if burst is not None else rate))

    def script_errors(self, server_id: str | None, operation: str, errors: Iterable[str | int]) -> None:
        """Queue errors (names or status codes) answered, one per call, for this server and operation.

        An entry of ``200`` (or ``"OK"``) lets that call through normally, to fail a later call.

        ``server_id=None`` scripts calls of the operation whatever their target (needed for
        DescribeSourceServers, which has none).
        """
        self._check_operation(operation)
        queued = list(errors)
        for name in queued:
            if name not in PASS_THROUGH:
                error_by_name(name)  # fail now on a typo, not in the handler thread
        with self._lock:
            self._scripts.setdefault((server_id, operation), deque()).extend(queued)

    @staticmethod
    def _check_operation(operation: str) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; expected one of {OPERATIONS}")

    # ---- call log ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[CallRecord]:
        with self._lock:
            return list(self._calls)

    def calls_of(self, operation: str) -> list[CallRecord]:
        return [call for call in self.calls if call.operation == operation]

    # ---- dispatch ---------------------------------------------------------------------------

    def invoke(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one operation with faults applied; raise ``DrsError`` for error answers."""
        server_id = self._target(operation, params)
        delay = self.op_latency.get(operation, self.latency)
        if delay > 0:
            # Sleep outside the lock so concurrent calls overlap, as they do against the real service.
            time.sleep(delay)
        try:
            with self._lock:
                self._apply_faults(operation, server_id)
                result = getattr(self, "_" + _snake(operation))(params)
        except DrsError as exc:
            self._record(operation, params, exc.status, exc.error_type, server_id)
            raise
        self._record(operation, params, 200, None, server_id)
        return result

    @staticmethod
    def _target(operation: str, params: dict[str, Any]) -> str | None:
        if operation in ("StartReplication", "StopReplication"):
            value = params.get("sourceServerID")
            return value if isinstance(value, str) else None
        arn = params.get("resourceArn")
        return arn.rsplit("/", 1)[-1] if isinstance(arn, str) else None

    def _record(
        self, operation: str, params: dict[str, Any], status: int, error: str | None, sid: str | None
    ):
        with self._lock:
            self._calls.append(CallRecord(operation, params, status, error, time.time(), sid))

    def _apply_faults(self, operation: str, server_id: str | None) -> None:
        if self.uninitialized:
            raise UninitializedAccountException()
        if self.deny_describe and operation == "DescribeSourceServers":
            raise AccessDeniedException(
                "User is not authorized to perform: drs:DescribeSourceServers", code="AccessDenied"
            )
        bucket = self._buckets.get(operation)
        if bucket is not None:
            wait = bucket.take()
            if wait > 0:
                self.throttled += 1
                raise ThrottlingException(retry_after=wait)
        for key in ((server_id, operation), (None, operation)):
            queue = self._scripts.get(key)
            if queue:
                entry = queue.popleft()
                if entry in PASS_THROUGH:
                    return
                raise error_by_name(entry, resource_id=server_id)

    # ---- operations -------------------------------------------------------------------------

    def _describe_source_servers(self, params: dict[str, Any]) -> dict[str, Any]:
        filters = params.get("filters") or {}
        if not isinstance(filters, dict):
            raise ValidationException("filters must be an object", field="filters")
        ids = filters.get("sourceServerIDs") or []
        staging = filters.get("stagingAccountIDs") or []
        hardware_id = filters.get("hardwareId")
        if len(ids) > MAX_FILTER_IDS:
            raise ValidationException(
                f"sourceServerIDs must have at most {MAX_FILTER_IDS} items", field="filters.sourceServerIDs"
            )
        if any(not isinstance(i, str) or not SERVER_ID.match(i) for i in ids):
            raise ValidationException("Invalid sourceServerID in filter", field="filters.sourceServerIDs")
        if len(staging) > MAX_FILTER_IDS or any(
            not isinstance(a, str) or not ACCOUNT_ID.match(a) for a in staging
        ):
            raise ValidationException("Invalid stagingAccountIDs filter", field="filters.stagingAccountIDs")
        max_results = params.get("maxResults", MAX_RESULTS)
        if (
            isinstance(max_results, bool)
            or not isinstance(max_results, int)
            or not 1 <= max_results <= MAX_RESULTS
        ):
            raise ValidationException(f"maxResults must be between 1 and {MAX_RESULTS}", field="maxResults")
        token = params.get("nextToken")
        after, page = _decode_token(token) if token else ("", 0)

        wanted = set(ids)
        matches = [
            server
            for sid, server in sorted(self._servers.items())
            if sid > after
            and (not wanted or sid in wanted)
            and (not staging or server.get("stagingArea", {}).get("stagingAccountID") in staging)
            and (hardware_id is None or _has_hardware_id(server, hardware_id))
        ]
        if page < self.leading_empty_pages or (
            self.empty_pages_every and page % self.empty_pages_every == self.empty_pages_every - 1
        ):
            # An empty page that still points onwards: a real DRS quirk clients must follow.
            return {"items": [], "nextToken": _encode_token(after, page + 1)}
        size = min(max_results, self.page_cap or max_results)
        items = matches[:size]
        result: dict[str, Any] = {"items": items}
        if len(matches) > size:
            result["nextToken"] = _encode_token(items[-1]["sourceServerID"], page + 1)
        return result

    def _existing(self, params: dict[str, Any]) -> str:
        server_id = params.get("sourceServerID")
        if not isinstance(server_id, str) or not SERVER_ID.match(server_id):
            raise ValidationException(
                "sourceServerID must match pattern ^s-[0-9a-zA-Z]{17}$", field="sourceServerID"
            )
        if server_id not in self._servers:
            raise ResourceNotFoundException(
                f"Source server {server_id} not found", resource_id=server_id, resource_type="SOURCE_SERVER"
            )
        return server_id

    def _start_replication(self, params: dict[str, Any]) -> dict[str, Any]:
        server_id = self._existing(params)
        state = self.state_of(server_id)
        if state != "STOPPED":
            raise ConflictException(
                f"Cannot start replication for source server {server_id} in state {state}",
                resource_id=server_id,
                resource_type="SOURCE_SERVER",
            )

        def start(server: dict[str, Any]) -> None:
            info = server["dataReplicationInfo"]
            info["dataReplicationState"] = "INITIATING"
            info.pop("dataReplicationError", None)
            info.pop("etaDateTime", None)
            info["dataReplicationInitiation"] = {
                "startDateTime": iso(datetime.now(UTC)),
                "steps": initiation_steps("NOT_STARTED"),
            }

        return {"sourceServer": self._update(server_id, start)}

    def _stop_replication(self, params: dict[str, Any]) -> dict[str, Any]:
        server_id = self._existing(params)
        state = self.state_of(server_id)
        if state not in ACTIVE_STATES:
            raise ConflictException(
                f"Replication for source server {server_id} is already stopped",
                resource_id=server_id,
                resource_type="SOURCE_SERVER",
            )

        def stop(server: dict[str, Any]) -> None:
            server["dataReplicationInfo"]["dataReplicationState"] = "STOPPED"
            server["dataReplicationInfo"].pop("etaDateTime", None)

        return {"sourceServer": self._update(server_id, stop)}

    def _server_for_arn(self, arn: Any) -> str:
        server_id = _server_id_from_arn(arn)
        server = self._servers.get(server_id)
        if server is None or server["arn"] != arn:
            raise ResourceNotFoundException(f"Resource {arn} not found", resource_id=arn)
        return server_id

    def _tag_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        server_id = self._server_for_arn(params.get("resourceArn"))
        tags = params.get("tags")
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise ValidationException("tags must be a map of strings", field="tags")
        self._update(server_id, lambda s: s.setdefault("tags", {}).update(tags))
        return {}

    def _untag_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        server_id = self._server_for_arn(params.get("resourceArn"))
        keys = params.get("tagKeys")
        if not keys:
            raise ValidationException("tagKeys is required", field="tagKeys")

        def untag(server: dict[str, Any]) -> None:
            for key in keys:
                server.get("tags", {}).pop(key, None)

        self._update(server_id, untag)
        return {}

    def _list_tags_for_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        server_id = self._server_for_arn(params.get("resourceArn"))
        return {"tags": dict(self._servers[server_id].get("tags", {}))}


def _has_hardware_id(server: dict[str, Any], hardware_id: str) -> bool:
    props = server.get("sourceProperties", {})
    hints = props.get("identificationHints", {})
    macs = {nic.get("macAddress") for nic in props.get("networkInterfaces", [])}
    return hardware_id in (hints.get("awsInstanceID"), hints.get("vmWareUuid")) or hardware_id in macs


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
