"""DRS error types, shaped like the error structures in botocore's DRS model.

Each error knows its HTTP status, its modeled name (sent as ``x-amzn-ErrorType``, which is what
botocore reads to pick the exception class), its JSON body and any extra headers.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar


class DrsError(Exception):
    """Base class: an error the emulator answers with instead of a result."""

    status: ClassVar[int] = 400
    error_type: ClassVar[str] = "DrsError"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, **members: Any) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})
        # Only modeled members belong in the body; None means "omit", as the real service does.
        self.members = {k: v for k, v in members.items() if v is not None}

    def body(self) -> dict[str, Any]:
        return {"message": self.message, **self.members}


class ValidationException(DrsError):
    status = 400
    error_type = "ValidationException"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        fields = [{"name": field, "message": message}] if field else None
        super().__init__(
            message,
            reason="fieldValidationFailed" if field else "other",
            fieldList=fields,
        )


class UninitializedAccountException(DrsError):
    status = 400
    error_type = "UninitializedAccountException"

    def __init__(self, message: str = "Account is not initialized") -> None:
        super().__init__(message)


class AccessDeniedException(DrsError):
    status = 403
    error_type = "AccessDeniedException"


class ResourceNotFoundException(DrsError):
    status = 404
    error_type = "ResourceNotFoundException"

    def __init__(self, message: str, *, resource_id: str | None = None, resource_type: str | None = None):
        super().__init__(message, resourceId=resource_id, resourceType=resource_type)


class ConflictException(DrsError):
    status = 409
    error_type = "ConflictException"

    def __init__(self, message: str, *, resource_id: str | None = None, resource_type: str | None = None):
        super().__init__(message, resourceId=resource_id, resourceType=resource_type)


class ThrottlingException(DrsError):
    status = 429
    error_type = "ThrottlingException"

    def __init__(
        self, message: str = "Rate exceeded", *, retry_after: float | None = 1.0, exact: bool = False
    ) -> None:
        # Retry-After is whole seconds (HTTP's delay-seconds); never tell a client "0". `exact` sends
        # the time itself to the millisecond instead (FaultInjector.retry_after_exact), which HTTP does
        # not allow but shows what a precise hint is worth. None: no hint (FaultInjector.retry_after).
        headers = {} if retry_after is None else {"Retry-After": _seconds(retry_after, exact)}
        super().__init__(message, headers=headers)


def _seconds(retry_after: float, exact: bool) -> str:
    if exact:
        return f"{max(0.001, retry_after):.3f}"
    return str(max(1, math.ceil(retry_after)))


class InternalServerException(DrsError):
    status = 500
    error_type = "InternalServerException"


ERROR_CLASSES: dict[str, type[DrsError]] = {
    cls.error_type: cls
    for cls in (
        ValidationException,
        UninitializedAccountException,
        AccessDeniedException,
        ResourceNotFoundException,
        ConflictException,
        ThrottlingException,
        InternalServerException,
    )
}


# Scripted errors may be given as HTTP status codes; these are the modeled errors they stand for.
STATUS_NAMES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    409: "ConflictException",
    429: "ThrottlingException",
    500: "InternalServerException",
}


def error_by_name(
    name: str | int,
    *,
    resource_id: str | None = None,
    resource_type: str = "SOURCE_SERVER",
    retry_after: bool = True,
) -> DrsError:
    """Build a scripted error from its modeled name (``"ConflictException"``) or status (409)."""
    name = modeled_name(name)
    if name == "ThrottlingException":
        return ThrottlingException("Rate exceeded (scripted)", retry_after=1.0 if retry_after else None)
    if name == "ValidationException":
        return ValidationException("Invalid request (scripted)")
    if name == "UninitializedAccountException":
        return UninitializedAccountException()
    if name in ("ConflictException", "ResourceNotFoundException"):
        return ERROR_CLASSES[name](f"{name} (scripted)", resource_id=resource_id, resource_type=resource_type)
    return ERROR_CLASSES[name](f"{name} (scripted)")


def modeled_name(name: str | int) -> str:
    """The modeled error a script entry names; ValueError for a status or name DRS does not answer."""
    if isinstance(name, int):
        if name not in STATUS_NAMES:
            raise ValueError(
                f"no modeled DRS error for status {name}; expected one of {sorted(STATUS_NAMES)}"
            )
        return STATUS_NAMES[name]
    if name not in ERROR_CLASSES:
        raise ValueError(f"unknown DRS error name {name!r}; expected one of {sorted(ERROR_CLASSES)}")
    return name
