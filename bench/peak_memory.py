"""A child process's own peak memory, for the benchmarks that compare peak RSS ratios."""
from __future__ import annotations

import threading
import time
from pathlib import Path


def _poll(pid: int, peak: dict) -> None:
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak["kb"] = max(peak.get("kb", 0), int(line.split()[1]))
        except (OSError, ValueError):
            return
        time.sleep(0.05)


def watch_peak(pid: int) -> tuple[threading.Thread, dict]:
    """Poll the child's VmHWM (its own high-water RSS since exec) until it exits; join the thread,
    then read peak["kb"].

    Not wait4's ru_maxrss: Linux carries the parent's high-water mark across fork/vfork+exec
    into the child's ru_maxrss, so a parent that just wrote a big raster would inflate it."""
    peak: dict = {}
    watcher = threading.Thread(target=_poll, args=(pid, peak), daemon=True)
    watcher.start()
    return watcher, peak
