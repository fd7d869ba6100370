"""What every measured program reports besides its own figures: its time, peak memory and CPU."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Program = Callable[[dict[str, Any]], None]


def main(program: Program) -> None:
    """Run `program`, which fills in its result, and write the result to the file named by argv[1]."""
    begun = time.perf_counter()
    result: dict[str, Any] = {}
    program(result)
    result["inProcessSeconds"] = time.perf_counter() - begun
    result["maxRssKb"] = peak_rss_kb()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    result["cpuSeconds"] = cpu.ru_utime + cpu.ru_stime
    Path(sys.argv[1]).write_text(json.dumps(result))


def peak_rss_kb() -> int:
    """This program's own peak RSS. Linux keeps `ru_maxrss` across fork and exec, so a child started
    by the (large) benchmark process would report the parent's size; VmHWM starts afresh at exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
