"""ClaroTask: backend jobs in a child process, as one QgsTask with progress and a Cancel.

Why a QgsTask: QGIS shows it in the task bar with a progress bar and a cancel button, and the
GUI never blocks. The work itself is a child process (child.py), so TensorFlow never enters
QGIS. Several jobs can run as one task (the dock's Train button is `patches` then `train`):
one progress bar, one Cancel, and the second job starts only when the first succeeded.

Signals (connect before adding the task to the task manager):
  progressed(fraction 0–1 over all jobs, message)   from the worker thread (queued to the GUI)
  logged(message)                                   child 'log' events and non-JSON lines
  epoch(dict)                                       training's per-epoch event
  jobDone(command, dict)                            one job's 'done' fields, e.g. ('patches', {...})
  succeeded(dict)                                   in finished(), GUI thread: the last job's 'done' fields
  failed(message, log_path)                         in finished(), GUI thread: one sentence + the log

The backend's sentences name command-line options; `command` says which job the failure came from,
so the dock can say them in its own words (words.py).

Cancel: QgsTask has no "cancelled" end state, a cancelled task ends Terminated like a failed one
(QGIS 3.22 then notifies "Task failed" with the task's description), so Cancel also marks the
description "(cancelled)": the task list and that notification show what happened.
"""
from __future__ import annotations

import threading
from typing import Any, Optional, Sequence

from qgis.core import QgsTask
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal

from .child import ChildError, ChildProcess, ChildResult


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def cancelled_message(error: Optional[dict]) -> str:
    """The dock's sentence for a cancelled job, from the backend's 'error' event (None: no event).
    A training cancelled after an epoch keeps its best model so far and its resume state."""
    error = error or {}
    kept = error.get("kept") or {}
    if kept.get("resume"):
        return tr("Cancelled after epoch {}: {} holds the best model so far (epoch {}), and its resume state is kept; "
                  "train again with --resume to continue.").format(
            error.get("epochs_run", "?"), kept.get("model", ""), error.get("best_epoch", "?"))
    if error.get("message"):
        return tr("Cancelled: {}").format(error["message"])
    return tr("Cancelled; nothing was written.")


class ClaroTask(QgsTask):
    progressed = pyqtSignal(float, str)
    logged = pyqtSignal(str)
    epoch = pyqtSignal(dict)
    jobDone = pyqtSignal(str, dict)  # noqa: N815 (Qt signal naming)
    succeeded = pyqtSignal(dict)
    failed = pyqtSignal(str, str)

    def __init__(self, description: str, jobs: Sequence[Any], interpreter: str, *,
                 weights: Optional[Sequence[float]] = None, log_path: Optional[str] = None,
                 grace_seconds: Optional[float] = None) -> None:
        """`jobs`: params dataclasses run in order; `weights`: their shares of the progress bar."""
        super().__init__(description, QgsTask.CanCancel)
        self.jobs = list(jobs)
        if not self.jobs:
            raise ValueError("ClaroTask needs at least one job")
        total = sum(weights) if weights else len(self.jobs)
        self.weights = [w / total for w in (weights or [1.0] * len(self.jobs))]
        self.interpreter = interpreter
        self.log_path = log_path
        self.grace_seconds = grace_seconds
        self.results: list[ChildResult] = []
        self.outputs: dict = {}
        self.message = ""
        self.current: Optional[ChildProcess] = None
        self.command = ""  # the job running or last run: 'patches', 'train', …
        self._lock = threading.Lock()
        self._canceled = False
        self.was_cancelled = False

    # -- worker thread ------------------------------------------------------------------------
    def run(self) -> bool:
        start = 0.0
        for params, weight in zip(self.jobs, self.weights):
            kwargs = {"log_path": self.log_path}
            if self.grace_seconds is not None:
                kwargs["grace_seconds"] = self.grace_seconds
            child = ChildProcess(params, self.interpreter, **kwargs)
            with self._lock:
                if self._canceled:
                    return False
                self.current = child
                self.command = child.command[3]
            try:
                child.start()
            except ChildError as error:
                self.message = str(error)
                return False
            if self.log_path is None:
                self.log_path = child.log_path  # later jobs append to the same log
            for event in child.events():
                self._handle(event, start, weight, child.command[3])
            result = child.result()
            self.results.append(result)
            if not result.ok:
                self.message = result.message()
                return False
            self.outputs = result.done or {}
            self.jobDone.emit(child.command[3], self.outputs)
            start += weight
        self.setProgress(100.0)
        return True

    def _handle(self, event: dict, start: float, weight: float, command: str) -> None:
        kind = event.get("event")
        if kind == "progress":
            fraction = start + weight * float(event.get("fraction") or 0.0)
            self.setProgress(100.0 * fraction)
            self.progressed.emit(fraction, str(event.get("message") or ""))
        elif kind == "log":
            self.logged.emit(f"{command}: {event.get('message', '')}")
        elif kind == "epoch":
            self.epoch.emit({k: v for k, v in event.items() if k != "event"})
        elif kind not in ("done", "error"):
            self.logged.emit(f"{command}: {event}")

    def cancel(self) -> None:
        """Stop the running child (SIGTERM, then kill) and start no further job. Idempotent:
        Cancel clicked twice, or the plugin unloading during a cancel, sends nothing more."""
        with self._lock:
            if self._canceled:
                return
            self._canceled = True
            child = self.current
        if child is not None:
            child.cancel()
        self.setDescription(tr("{} (cancelled)").format(self.description()))
        super().cancel()

    # -- GUI thread ---------------------------------------------------------------------------
    def finished(self, ok: bool) -> None:
        if ok:
            self.succeeded.emit(self.outputs)
            return
        self.was_cancelled = self._canceled or any(r.cancelled for r in self.results)
        if self.was_cancelled:
            # The backend says what it kept: a training cancelled after an epoch keeps its best model so
            # far and its resume state (train.interrupted_message); otherwise nothing was written.
            message = cancelled_message(self.results[-1].error if self.results else None)
        else:
            message = self.message or tr("The job failed; see the log.")
        self.failed.emit(message, self.log_path or "")
