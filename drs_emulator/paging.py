"""The one paging helper every ``Describe*`` operation uses, with the quirks clients must survive.

Tokens are opaque to clients: the last id served and the page number, base64 JSON. Only the token's
absence ends a listing; an empty page may still carry one, as DRS's sometimes do.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drs_emulator.exceptions import ValidationException

MAX_RESULTS = 1000


@dataclass(frozen=True)
class PagingQuirks:
    """Short and empty pages, set through ``FaultInjector``."""

    page_cap: int | None = None
    empty_pages_every: int | None = None
    leading_empty_pages: int = 0

    def empty(self, page: int) -> bool:
        every = self.empty_pages_every
        return page < self.leading_empty_pages or bool(every and page % every == every - 1)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.next_token is None:
            return {"items": self.items}
        return {"items": self.items, "nextToken": self.next_token}


def paginate(
    rows: Iterable[tuple[str, dict[str, Any]]],
    *,
    max_results: int = MAX_RESULTS,
    next_token: str | None = None,
    quirks: PagingQuirks = PagingQuirks(),  # frozen, so one shared default is safe
) -> Page:
    """One page of ``rows`` (``(id, item)`` pairs in id order) after the position ``next_token`` names."""
    after, page = decode_token(next_token) if next_token else ("", 0)
    if quirks.empty(page):
        return Page([], encode_token(after, page + 1))
    remaining = [(key, item) for key, item in rows if key > after]
    size = min(max_results, quirks.page_cap or max_results)
    items = [item for _, item in remaining[:size]]
    if len(remaining) > size:
        return Page(items, encode_token(remaining[size - 1][0], page + 1))
    return Page(items)


def encode_token(after: str, page: int) -> str:
    raw = json.dumps({"after": after, "page": page}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token: str) -> tuple[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["after"]), int(data["page"])
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise ValidationException("Invalid nextToken", field="nextToken") from exc
