"""REST-JSON protocol layer: HTTP method + path + body in, status + headers + JSON body out.

Routes follow the ``http`` traits of botocore's DRS model (``operations.py``). Each operation has a
method here, named as moto names them, that checks the request (``params.py``) and calls the
backend's typed method. Faults apply around it, and every call that reaches an operation is logged.
botocore percent-encodes the whole ARN in ``/tags/{resourceArn}`` (``:`` and ``/`` included), so the
ARN is the unquoted rest of the path.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from drs_emulator import params as p
from drs_emulator.exceptions import AccessDeniedException, DrsError, ValidationException
from drs_emulator.faults import NoAnswer
from drs_emulator.models import NO_ANSWER, DrsBackend
from drs_emulator.operations import OPERATIONS, TAGS_PATH

JSON_TYPE = "application/json"
_ROUTES = {(op.method, op.route): op.name for op in OPERATIONS.values() if op.path != TAGS_PATH}
_TAG_ROUTES = {op.method: op.name for op in OPERATIONS.values() if op.path == TAGS_PATH}
_TAGS_PREFIX = "/tags/"

Response = tuple[int, dict[str, str], bytes]
Result = dict[str, Any]


class UnknownOperationError(DrsError):
    """No DRS operation lives at this method and path (the emulator covers only a few)."""

    status = 404
    error_type = "UnknownOperationException"


@dataclass(frozen=True)
class Call:
    operation: str
    params: dict[str, Any]
    target: str | None


class DrsResponse:
    """Turns raw requests into backend calls and backend results or errors into responses."""

    def __init__(self, backend: DrsBackend) -> None:
        self.backend = backend

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response | None:
        """The response to send, or None to close the connection without one (a released hang)."""
        try:
            if not headers.get("authorization", "").startswith("AWS4-HMAC-SHA256"):
                # Real AWS rejects unsigned calls before any DRS logic runs; so does the emulator.
                raise AccessDeniedException("Missing SigV4 Authorization header (AWS4-HMAC-SHA256)")
            result = self._invoke(_parse(method, raw_path, body))
        except NoAnswer:
            return None
        except DrsError as exc:
            return self._error(exc)
        return 200, self._headers(), json.dumps(result, separators=(",", ":")).encode()

    def _invoke(self, call: Call) -> Result:
        faults = self.backend.faults
        released = faults.hung(call.operation)
        if released is not None:
            self._record(call, NO_ANSWER, None)
            released.wait()
            raise NoAnswer(call.operation)
        faults.delay(call.operation, "before")
        try:
            faults.check(call.operation, call.target)
            result: Result = getattr(self, _snake(call.operation))(call.params)
        except DrsError as exc:
            self._record(call, exc.status, exc.error_type)
            faults.delay(call.operation, "after")
            raise
        self._record(call, 200, None)
        faults.delay(call.operation, "after")
        return result

    def _record(self, call: Call, status: int, error_type: str | None) -> None:
        self.backend.record_call(call.operation, call.params, status, error_type, call.target)

    @staticmethod
    def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Content-Type": JSON_TYPE, "x-amzn-RequestId": str(uuid.uuid4()), **(extra or {})}

    def _error(self, exc: DrsError) -> Response:
        headers = self._headers({"x-amzn-ErrorType": exc.error_type, **exc.headers})
        return exc.status, headers, json.dumps(exc.body()).encode()

    # ---- operations -------------------------------------------------------------------------

    def describe_source_servers(self, params: p.Params) -> Result:
        filters = p.server_filters(params)
        page = self.backend.describe_source_servers(filters, p.max_results(params), p.next_token(params))
        return page.to_dict()

    def start_replication(self, params: p.Params) -> Result:
        return {"sourceServer": self.backend.start_replication(p.source_server_id(params))}

    def stop_replication(self, params: p.Params) -> Result:
        return {"sourceServer": self.backend.stop_replication(p.source_server_id(params))}

    def describe_recovery_instances(self, params: p.Params) -> Result:
        filters = p.recovery_instance_filters(params)
        page = self.backend.describe_recovery_instances(filters, p.max_results(params), p.next_token(params))
        return page.to_dict()

    def reverse_replication(self, params: p.Params) -> Result:
        arn = self.backend.reverse_replication(p.recovery_instance_id(params))
        return {"reversedDirectionSourceServerArn": arn}

    def describe_source_networks(self, params: p.Params) -> Result:
        filters = p.source_network_filters(params)
        page = self.backend.describe_source_networks(filters, p.max_results(params), p.next_token(params))
        return page.to_dict()

    def start_source_network_replication(self, params: p.Params) -> Result:
        network = self.backend.start_source_network_replication(p.source_network_id(params))
        return {"sourceNetwork": network}

    def stop_source_network_replication(self, params: p.Params) -> Result:
        network = self.backend.stop_source_network_replication(p.source_network_id(params))
        return {"sourceNetwork": network}

    def tag_resource(self, params: p.Params) -> Result:
        arn = p.resource_arn(params)
        self.backend.tag_resource(arn, p.tags(params))
        return {}

    def untag_resource(self, params: p.Params) -> Result:
        arn = p.resource_arn(params)
        self.backend.untag_resource(arn, p.tag_keys(params))
        return {}

    def list_tags_for_resource(self, params: p.Params) -> Result:
        return {"tags": self.backend.list_tags_for_resource(p.resource_arn(params))}


def _parse(method: str, raw_path: str, body: bytes) -> Call:
    split = urlsplit(raw_path)
    path = split.path
    operation = _ROUTES.get((method, path))
    if operation is not None:
        params = _json_object(body)
    elif path.startswith(_TAGS_PREFIX) and method in _TAG_ROUTES:
        operation = _TAG_ROUTES[method]
        params = _tag_params(operation, unquote(path[len(_TAGS_PREFIX) :]), split.query, body)
    else:
        raise UnknownOperationError(f"No DRS operation emulated for {method} {path}")
    return Call(operation, params, _target(operation, params))


def _tag_params(operation: str, arn: str, query: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = {"resourceArn": arn}
    if operation == "TagResource":
        params["tags"] = _json_object(body).get("tags")
    elif operation == "UntagResource":
        params["tagKeys"] = parse_qs(query).get("tagKeys", [])
    return params


def _target(operation: str, params: dict[str, Any]) -> str | None:
    """The id the call acts on (for tag operations, the end of the ARN), for faults and the call log."""
    member = OPERATIONS[operation].target
    value = params.get(member) if member else None
    if not isinstance(value, str):
        return None
    return value.rsplit("/", 1)[-1] if member == "resourceArn" else value


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ValidationException("Request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ValidationException("Request body must be a JSON object")
    return data


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
