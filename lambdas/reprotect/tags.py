"""Tag specs (`key=value` or a bare `key`): parsed the same way by the function and the deployment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from reprotect.contract import SettingError

# Tag keys and values as DRS accepts them (TagKey/TagValue in the service model allow these characters).
_TAG_PART = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256


@dataclass(frozen=True)
class TagSpec:
    """`key=value` matches that exact pair; a bare `key` matches the key with any value."""

    key: str
    value: str | None = None

    @classmethod
    def parse(cls, spec: str) -> TagSpec:
        """Raises SettingError saying what is wrong; the caller names the setting."""
        key, sep, value = spec.partition("=")
        key = key.strip()
        value = value.strip()
        if not key or (sep and not value) or len(key) > MAX_KEY_LENGTH or len(value) > MAX_VALUE_LENGTH:
            raise SettingError("is not a tag spec: use 'key=value' or 'key'")
        if not _TAG_PART.match(key) or not _TAG_PART.match(value) or key.lower().startswith("aws:"):
            raise SettingError("has characters a DRS tag cannot hold")
        return cls(key, value if sep else None)

    def matches(self, tags: Mapping[str, str] | None) -> bool:
        """Values compare ignoring case, as the IAM Deny on the exclude tag does (StringEqualsIgnoreCase)."""
        if not tags or self.key not in tags:
            return False
        return self.value is None or tags[self.key].casefold() == self.value.casefold()

    def __str__(self) -> str:
        return self.key if self.value is None else f"{self.key}={self.value}"
