"""The one door through which the harness, tests and the bench set the DRS emulator's faults.

The emulator's fault API is moving to `backend.faults` (`latency`, `rate_limit`, `throttled`,
`script`, `uninitialized`, `deny`, `page_cap`). `Faults` already has that shape over today's
setters, so when the new API lands `faults_of` returns `backend.faults`, this class goes, and no
caller changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from drs_emulator import DrsBackend


def faults_of(backend: DrsBackend) -> Faults:
    """The fault settings of one emulated account."""
    return Faults(backend)


class Faults:
    """Faults of one `DrsBackend`, in the shape of the emulator's coming `backend.faults`."""

    def __init__(self, backend: DrsBackend) -> None:
        self._backend = backend

    def latency(self, seconds: float, operation: str | None = None) -> None:
        """Delay every call (or every call of one operation) by `seconds`."""
        self._backend.set_latency(seconds, operation)

    def rate_limit(self, operation: str, rate: float | None, burst: float | None = None) -> None:
        """A token bucket of `rate` calls/s (burst `burst`, default `rate`) answering 429; None lifts it."""
        self._backend.set_rate_limit(operation, rate, burst)

    @property
    def throttled(self) -> int:
        """How many calls the rate limits answered with 429."""
        return self._backend.throttled

    def script(self, server_id: str | None, operation: str, errors: Iterable[str | int]) -> None:
        """Errors (names or status codes; 200 lets a call through) answered one per call, in order."""
        self._backend.script_errors(server_id, operation, errors)

    @property
    def uninitialized(self) -> bool:
        return self._backend.uninitialized

    @uninitialized.setter
    def uninitialized(self, value: bool) -> None:
        self._backend.uninitialized = value

    def deny(self, operation: str) -> None:
        """Answer every call of `operation` with AccessDeniedException (today: DescribeSourceServers only)."""
        if operation != "DescribeSourceServers":
            raise ValueError(f"the emulator can deny only DescribeSourceServers, not {operation!r}")
        self._backend.deny_describe = True

    @property
    def page_cap(self) -> int | None:
        return self._backend.page_cap

    @page_cap.setter
    def page_cap(self, value: int | None) -> None:
        self._backend.page_cap = value
