"""Strict check of a JSON document against a botocore shape.

botocore's response parser accepts almost anything (unknown keys are dropped, wrong types pass
through), so fidelity tests validate the raw wire JSON with this instead.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.config import Config
from botocore.model import Shape

# Error-path tests want one attempt per call; scripted errors would otherwise be eaten by retries.
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
_BODY_LOCATIONS = (None, "body")


def validate(shape: Shape, value: Any, path: str = "$") -> list[str]:
    """Return every way ``value`` breaks ``shape`` (empty list: it conforms)."""
    check = _CHECKS.get(shape.type_name)
    if check is None:
        return [f"{path}: no validator for shape type {shape.type_name}"]
    return check(shape, value, path)


def _structure(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected object, got {type(value).__name__}"]
    body_members = {
        name: member
        for name, member in shape.members.items()  # type: ignore[attr-defined]
        if member.serialization.get("location") in _BODY_LOCATIONS
    }
    errors = [
        f"{path}: missing required member {name}" for name in shape.required_members if name not in value
    ]
    for key, item in value.items():
        if key not in body_members:
            errors.append(f"{path}: unknown member {key}")
        else:
            errors += validate(body_members[key], item, f"{path}.{key}")
    return errors


def _list(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{path}: expected array, got {type(value).__name__}"]
    errors = _bounds(shape, len(value), path, "length")
    for index, item in enumerate(value):
        errors += validate(shape.member, item, f"{path}[{index}]")  # type: ignore[attr-defined]
    return errors


def _map(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected object (map), got {type(value).__name__}"]
    errors = _bounds(shape, len(value), path, "size")
    for key, item in value.items():
        errors += validate(shape.key, key, f"{path}<key {key!r}>")  # type: ignore[attr-defined]
        errors += validate(shape.value, item, f"{path}[{key!r}]")  # type: ignore[attr-defined]
    return errors


def _string(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{path}: expected string, got {type(value).__name__}"]
    errors = _bounds(shape, len(value), path, "length")
    enum = shape.enum
    if enum and value not in enum:
        errors.append(f"{path}: {value!r} not in enum {list(enum)}")
    pattern = shape.metadata.get("pattern")
    # Stricter than the model's (unanchored) semantics: the whole value must match.
    if pattern and not re.fullmatch(pattern, value):
        errors.append(f"{path}: {value!r} does not match pattern {pattern!r}")
    return errors


def _integer(shape: Shape, value: Any, path: str) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{path}: expected integer, got {type(value).__name__}"]
    return _bounds(shape, value, path, "value")


def _boolean(shape: Shape, value: Any, path: str) -> list[str]:
    return [] if isinstance(value, bool) else [f"{path}: expected boolean, got {type(value).__name__}"]


def _timestamp(shape: Shape, value: Any, path: str) -> list[str]:
    # rest-json sends timestamps as epoch seconds unless the shape says otherwise.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [f"{path}: expected epoch-seconds timestamp, got {type(value).__name__}"]
    return []


def _bounds(shape: Shape, size: int, path: str, what: str) -> list[str]:
    errors = []
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        errors.append(f"{path}: {what} {size} below min {low}")
    if high is not None and size > high:
        errors.append(f"{path}: {what} {size} above max {high}")
    return errors


_CHECKS = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "boolean": _boolean,
    "timestamp": _timestamp,
}
