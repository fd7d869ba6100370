"""REST-JSON protocol layer: HTTP method + path + body in, status + headers + JSON body out.

Routes follow the ``http`` traits of botocore's DRS model. botocore percent-encodes the whole ARN
in ``/tags/{resourceArn}`` (``:`` and ``/`` included), so the ARN is the unquoted rest of the path.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from drs_emulator.exceptions import AccessDeniedException, DrsError, ValidationException
from drs_emulator.models import DrsBackend

JSON_TYPE = "application/json"
_POST_ROUTES = {
    "/DescribeSourceServers": "DescribeSourceServers",
    "/StartReplication": "StartReplication",
    "/StopReplication": "StopReplication",
}
_TAG_ROUTES = {"POST": "TagResource", "DELETE": "UntagResource", "GET": "ListTagsForResource"}


class UnknownOperationError(DrsError):
    """No DRS operation lives at this method and path (the emulator covers only a few)."""

    status = 404
    error_type = "UnknownOperationException"


Response = tuple[int, dict[str, str], bytes]


class DrsResponse:
    """Turns raw requests into backend calls and backend results or errors into responses."""

    def __init__(self, backend: DrsBackend) -> None:
        self.backend = backend

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        try:
            if not headers.get("authorization", "").startswith("AWS4-HMAC-SHA256"):
                # Real AWS rejects unsigned calls before any DRS logic runs; so does the emulator.
                raise AccessDeniedException("Missing SigV4 Authorization header (AWS4-HMAC-SHA256)")
            operation, params = self._parse(method, raw_path, body)
            result = self.backend.invoke(operation, params)
        except DrsError as exc:
            return self._error(exc)
        return 200, self._headers(), json.dumps(result, separators=(",", ":")).encode()

    def _parse(self, method: str, raw_path: str, body: bytes) -> tuple[str, dict[str, Any]]:
        split = urlsplit(raw_path)
        path = split.path
        if method == "POST" and path in _POST_ROUTES:
            return _POST_ROUTES[path], _json_object(body)
        if path.startswith("/tags/") and method in _TAG_ROUTES:
            operation = _TAG_ROUTES[method]
            params: dict[str, Any] = {"resourceArn": unquote(path[len("/tags/") :])}
            if operation == "TagResource":
                params["tags"] = _json_object(body).get("tags")
            elif operation == "UntagResource":
                params["tagKeys"] = parse_qs(split.query).get("tagKeys", [])
            return operation, params
        raise UnknownOperationError(f"No DRS operation emulated for {method} {path}")

    @staticmethod
    def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Content-Type": JSON_TYPE, "x-amzn-RequestId": str(uuid.uuid4()), **(extra or {})}

    def _error(self, exc: DrsError) -> Response:
        headers = self._headers({"x-amzn-ErrorType": exc.error_type, **exc.headers})
        return exc.status, headers, json.dumps(exc.body()).encode()


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
