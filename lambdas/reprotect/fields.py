"""Checks of an event's fields: each returns the value, or raises InvalidEventError naming the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SERVER_ID = re.compile(r"s-[0-9a-zA-Z]{17}")  # matched whole (fullmatch): no trailing newline
MAX_ARN = 2048
_ACCOUNT = re.compile(r"[0-9]{12}")
_ATTEMPT = re.compile(r"[0-9]{1,4}")


class InvalidEventError(ValueError):
    """The event is not one this function accepts; the message says which part is wrong."""


def account_of(arn: Any) -> str | None:
    """The account an ARN (`arn:partition:service:region:account:resource`) names; None when `arn` is
    not one or its account is not a 12-digit id (a resource of AWS itself, say)."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    return parts[4] if len(parts) == 6 and _ACCOUNT.fullmatch(parts[4]) else None


def same_account(event: Mapping[str, Any], account: str | None) -> None:
    sender = event.get("account")
    if not isinstance(sender, str) or not _ACCOUNT.fullmatch(sender):
        raise InvalidEventError(f"the event's 'account' must be a 12-digit account id, got {sender!r}")
    if account and sender != account:
        raise InvalidEventError(f"the event's 'account' {sender} is not this function's account ({account})")


def server_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not SERVER_ID.fullmatch(value):
        raise InvalidEventError(f"{value!r} in {where} is not a source server id (^s-[0-9a-zA-Z]{{17}}$)")
    return value


def required_str(event: Mapping[str, Any], key: str, longest: int, *, where: str | None = None) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value or len(value) > longest:
        raise InvalidEventError(
            f"the event's {where or key!r} must be a non-empty string of at most {longest} characters,"
            f" got {value!r:.200}"
        )
    return value


def optional_str(event: Mapping[str, Any], key: str, longest: int) -> str | None:
    return None if event.get(key) is None else required_str(event, key, longest)


def optional_attempt(value: Any) -> None:
    number = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if value is not None and not (isinstance(number, str) and _ATTEMPT.fullmatch(number)):
        raise InvalidEventError(f"the event's 'attemptNumber' must be a whole number, got {value!r:.200}")


def resources(event: Mapping[str, Any]) -> list[str]:
    found = event.get("resources", [])
    if not isinstance(found, list) or not all(isinstance(r, str) and len(r) <= MAX_ARN for r in found):
        raise InvalidEventError(f"the event's 'resources' must be a list of ARNs, got {found!r:.200}")
    return found


def server_ids_of(event: Mapping[str, Any]) -> tuple[str, ...]:
    """The source servers whose ARNs are in the event's resources (other ARNs are not theirs)."""
    arns = [arn for arn in resources(event) if ":source-server/" in arn]
    return unique([server_id(arn.rsplit("/", 1)[-1], "the event's resources") for arn in arns])


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidEventError(f"the event's {where} must be an object, got {value!r:.200}")
    return value


def unique(ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
