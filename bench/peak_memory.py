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


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (Linux: /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _poll_tree(pid: int, peaks: dict) -> None:
    while Path(f"/proc/{pid}").exists():
        todo, seen = _children(pid), set()
        while todo:
            child = todo.pop()
            if child in seen:
                continue
            seen.add(child)
            todo += _children(child)
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                for line in Path(f"/proc/{child}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        entry = peaks.setdefault(child, {"kb": 0, "command": command})
                        entry["kb"] = max(entry["kb"], int(line.split()[1]))
            except (OSError, ValueError):
                continue
        time.sleep(0.1)


def watch_descendants(pid: int) -> tuple[threading.Thread, dict]:
    """Poll the VmHWM of every descendant of `pid` (e.g. the Dask worker processes a
    `claro predict --dask local:N` spawns) until `pid` exits; join the thread, then read
    peaks[child_pid] = {"kb": …, "command": …}. Spawned workers start from exec, so their
    VmHWM is their own."""
    peaks: dict = {}
    watcher = threading.Thread(target=_poll_tree, args=(pid, peaks), daemon=True)
    watcher.start()
    return watcher, peaks
