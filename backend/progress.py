"""Progress for people (a bar on stderr) or for programs (JSON lines on stdout).

The JSON-lines protocol, read by the QGIS plugin and the Processing algorithms:
  {"event": "progress", "fraction": 0.42, "message": "…"}
  {"event": "log", "message": "…"}
  {"event": "epoch", "epoch": 3, "epochs": 50, "metrics": {...}}      (training)
  {"event": "done", …result…}          last line on success
  {"event": "error", "message": "…"}   last line on failure; an interrupted training adds
      "kept": {"model": …, "resume": …}, "epochs_run": n, "best_epoch": n
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


class Progress:
    """Reports a job's progress; `mode` is 'bar' (terminal) or 'json' (one object per line)."""

    def __init__(self, mode: str = "bar", stream: TextIO | None = None) -> None:
        self.mode = mode
        self.stream = stream or (sys.stdout if mode == "json" else sys.stderr)
        self._last_draw = 0.0
        self._bar_open = False

    def _emit(self, event: str, **fields: Any) -> None:
        self.stream.write(json.dumps(_jsonable({"event": event, **fields})) + "\n")
        self.stream.flush()

    def _end_bar(self) -> None:
        if self._bar_open:
            self.stream.write("\n")
            self._bar_open = False

    def update(self, fraction: float, message: str = "") -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        if self.mode == "json":
            self._emit("progress", fraction=round(fraction, 4), message=message)
            return
        now = time.monotonic()
        if now - self._last_draw < 0.1 and fraction < 1.0:
            return
        self._last_draw = now
        if not self.stream.isatty():
            return
        width = 30
        filled = int(round(fraction * width))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction * 100:5.1f}% {message[:60]:<60}")
        self.stream.flush()
        self._bar_open = True

    def log(self, message: str) -> None:
        if self.mode == "json":
            self._emit("log", message=message)
        else:
            self._end_bar()
            self.stream.write(message + "\n")
            self.stream.flush()

    def event(self, event: str, **fields: Any) -> None:
        """A job-specific event (e.g. 'epoch'); printed as a log line on a terminal."""
        if self.mode == "json":
            self._emit(event, **fields)
        else:
            self.log(f"{event}: " + ", ".join(f"{k}={v}" for k, v in _jsonable(fields).items()))

    def done(self, **result: Any) -> None:
        if self.mode == "json":
            self._emit("done", **result)
        else:
            self._end_bar()

    def error(self, message: str, **fields: Any) -> None:
        """The job failed or was interrupted: one sentence (and, in JSON, fields such as what it kept)."""
        if self.mode == "json":
            self._emit("error", message=message, **fields)
        else:
            self._end_bar()
        # Always on stderr too, so a person running the JSON mode by hand sees it.
        sys.stderr.write(f"claro: error: {message}\n")
        sys.stderr.flush()
