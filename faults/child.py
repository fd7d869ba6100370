"""The measured program: one invocation of the real handler with a Lambda budget, then one JSON line.

`python -m faults.child BUDGET_SECONDS` (the fault is in the environment's endpoints and the emulator).
"""

from __future__ import annotations

import json
import sys
import time

from harness.context import FakeContext
from harness.events import load_event
from harness.function import invoke


def main() -> int:
    budget = float(sys.argv[1])
    context = FakeContext(budget_ms=int(budget * 1000))
    outcome: dict[str, object] = {}
    try:
        report = invoke(load_event("scheduler.json"), context)
        outcome = {"ended": "returned", "status": report.get("status"), "counts": report.get("counts")}
    except Exception as exc:  # the invocation failed: how it failed is part of the result
        outcome = {"ended": f"raised {type(exc).__name__}", "error": str(exc)[:300]}
    outcome["leftSeconds"] = round(context.get_remaining_time_in_millis() / 1000, 1)
    outcome["tookSeconds"] = round(time.monotonic() - context.started, 1)
    print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
