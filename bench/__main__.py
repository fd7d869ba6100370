"""`python -m bench`: run the selected scenarios, print the page, and write it after a full run."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench import report, settings
from bench.scenario import run_scenarios
from bench.scenarios import SCENARIOS
from bench.testbed import TestBed


def main() -> int:
    begun = time.perf_counter()
    with TestBed() as bed:
        figures = run_scenarios(bed, SCENARIOS, settings.ONLY)
    text = report.render(SCENARIOS, figures, time.perf_counter() - begun)
    print(text)
    if settings.WRITES_OUTPUT:
        settings.OUTPUT.write_text(text)
        print(f"Wrote {settings.OUTPUT.relative_to(settings.ROOT)}", file=sys.stderr)
    if settings.RAW:
        Path(settings.RAW).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
