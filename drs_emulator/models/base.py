"""What the backend's parts share: the record store and the attributes every mixin relies on."""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from drs_emulator.exceptions import ResourceNotFoundException
from drs_emulator.faults import FaultInjector
from drs_emulator.paging import Page, paginate

Record = dict[str, Any]


class Filters(Protocol):
    def __bool__(self) -> bool: ...

    def matches(self, record: Record) -> bool: ...


def matcher(filters: Filters | None) -> Callable[[Record], bool] | None:
    """The filters' test, or None when nothing is filtered, so a listing skips the call per record."""
    return filters.matches if filters else None


class Records:
    """One kind of resource by id, as wire-shaped dicts (botocore's shapes).

    A stored record is never mutated: writers replace it with a changed copy, so readers can hand
    references to the JSON encoder after releasing the lock. Callers hold the backend's lock.
    """

    def __init__(self, id_key: str, pattern: re.Pattern[str], label: str, resource_type: str) -> None:
        self.id_key = id_key
        self.pattern = pattern
        self.label = label
        self.resource_type = resource_type
        self._items: dict[str, Record] = {}
        self._sorted: list[str] | None = None  # ids in order, kept until the set of ids changes

    def add(self, records: Iterable[Record]) -> None:
        for record in records:
            record_id = record.get(self.id_key, "")
            if not isinstance(record_id, str) or not self.pattern.fullmatch(record_id):
                raise ValueError(f"bad {self.id_key} in {record_id!r}")
            self._items[record_id] = copy.deepcopy(record)
            self._sorted = None

    def ids(self) -> list[str]:
        """Every id, in order (a shared list: do not change it)."""
        if self._sorted is None:
            self._sorted = sorted(self._items)
        return self._sorted

    def find(self, record_id: str) -> Record | None:
        return self._items.get(record_id)

    def get(self, record_id: str) -> Record:
        """The stored record (KeyError if unknown); never change it in place."""
        return self._items[record_id]

    def copy_of(self, record_id: str) -> Record:
        """A private deep copy (KeyError if unknown)."""
        return copy.deepcopy(self._items[record_id])

    def existing(self, record_id: str) -> Record:
        """The stored record, or the ResourceNotFoundException DRS answers for an unknown id."""
        record = self._items.get(record_id)
        if record is None:
            raise ResourceNotFoundException(
                f"{self.label} {record_id} not found", resource_id=record_id, resource_type=self.resource_type
            )
        return record

    def replace(self, record_id: str, change: Callable[[Record], None]) -> Record:
        record = copy.deepcopy(self._items[record_id])
        change(record)
        self._items[record_id] = record
        return record

    def clear(self) -> None:
        self._items.clear()
        self._sorted = None


class BackendState:
    """Attributes ``DrsBackend`` sets up for its mixins."""

    account_id: str
    region: str
    faults: FaultInjector
    # Re-entrant so helpers can call each other while holding it.
    _lock: threading.RLock
    _servers: Records
    _recovery: Records
    _networks: Records

    def _page(
        self,
        records: Records,
        matches: Callable[[Record], bool] | None,
        max_results: int,
        next_token: str | None,
    ) -> Page:
        quirks = self.faults.paging()
        with self._lock:
            return paginate(
                records.ids(),
                records.get,
                matches=matches,
                max_results=max_results,
                next_token=next_token,
                quirks=quirks,
            )
