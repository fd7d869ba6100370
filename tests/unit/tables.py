"""A DynamoDB client in memory for the stores that read and write one item (the kept limits, the run
journal, the publication record): GetItem answers the item it holds, PutItem is recorded."""

from __future__ import annotations

from typing import Any


class ItemTable:
    """Holds one item (or none); keeps every request, in order, with its operation's name."""

    def __init__(self, item: dict[str, Any] | None = None) -> None:
        self.item = item
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def get_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("GetItem", request))
        return {} if self.item is None else {"Item": self.item}

    def put_item(self, **request: Any) -> None:
        self.requests.append(("PutItem", request))

    @property
    def gets(self) -> list[dict[str, Any]]:
        return [request for operation, request in self.requests if operation == "GetItem"]

    @property
    def puts(self) -> list[dict[str, Any]]:
        return [request for operation, request in self.requests if operation == "PutItem"]
