"""The one paging helper every ``Describe*`` operation uses, with the quirks clients must survive.

Tokens are opaque to clients: the last id served and the page number, base64 JSON. Only the token's
absence ends a listing; an empty page may still carry one, as DRS's sometimes do.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable
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
    keys: list[str],
    get: Callable[[str], dict[str, Any]],
    *,
    matches: Callable[[dict[str, Any]], bool] | None = None,
    max_results: int = MAX_RESULTS,
    next_token: str | None = None,
    quirks: PagingQuirks = PagingQuirks(),  # frozen, so one shared default is safe
) -> Page:
    """One page of the items ``get`` returns for ``keys`` (sorted ids) that ``matches`` accepts,
    after the position ``next_token`` names. Scans only from there, and only as far as one page."""
    after, page = decode_token(next_token) if next_token else ("", 0)
    if quirks.empty(page):
        return Page([], encode_token(after, page + 1))
    size = min(max_results, quirks.page_cap or max_results)
    items: list[dict[str, Any]] = []
    last = after
    for key in keys[bisect.bisect_right(keys, after) :]:
        item = get(key)
        if matches is not None and not matches(item):
            continue
        if len(items) == size:  # one more match exists: the page points onwards from its last item
            return Page(items, encode_token(last, page + 1))
        items.append(item)
        last = key
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
