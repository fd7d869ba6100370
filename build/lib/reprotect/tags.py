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
        if key.lower().startswith("aws:"):
            raise SettingError(
                "uses the reserved 'aws:' key prefix: AWS keeps tags starting with it for itself"
            )
        if not _TAG_PART.match(key) or not _TAG_PART.match(value):
            raise SettingError("has characters a DRS tag cannot hold")
        return cls(key, value if sep else None)

    def matches(self, tags: Mapping[str, str] | None) -> bool:
        """Keys and values compare ignoring case, as IAM does: condition keys (`aws:ResourceTag/<key>`)
        ignore the tag key's case, and the Deny on the exclude tag compares values with
        StringEqualsIgnoreCase. So the engine never attempts a server the policy denies."""
        key = self.key.casefold()
        return any(
            name.casefold() == key and (self.value is None or value.casefold() == self.value.casefold())
            for name, value in (tags or {}).items()
        )

    def __str__(self) -> str:
        return self.key if self.value is None else f"{self.key}={self.value}"
