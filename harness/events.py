"""The sample events in `events/*.json`, as the function receives them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parent.parent / "events"


def load_event(name: str, **changes: Any) -> dict[str, Any]:
    """`events/<name>` with top-level keys replaced by `changes`."""
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    event.update(changes)
    return event
