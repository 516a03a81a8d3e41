"""Run one backend job (`python -m claro.backend … --progress json`) in a child process.

Why a child process: TensorFlow inside the QGIS process crashes QGIS, and a numpy clash, a
segfault or GPU memory exhaustion must never take the user's session down. The child is
started with an explicit interpreter (inside QGIS `sys.executable` is QGIS itself), streams
one JSON object per line on stdout, and writes everything else (TensorFlow's chatter,
tracebacks) to a log file, so a full stderr pipe can never stall it.

Pure Python (no QgsTask, no Qt): the dock's QgsTask (runner.py) and the Processing
algorithms (provider.py) both drive a `ChildProcess`.

    child = ChildProcess(TrainParams(data=…, out=…), interpreter="/path/to/python")
    for event in child.events():        # blocks; call child.cancel() from another thread
        ...
    result = child.result()              # return code, the 'done'/'error' event, log path
"""
from __future__ import annotations

import atexit
import dataclasses
import json
import os
import signal
import subprocess  # nosec B404 # TensorFlow runs in a child Python, never in QGIS's process
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from ..backend import params as P
from ..backend.quiet import QUIET_ENVIRONMENT

try:  # user-facing sentences are translated inside QGIS; plain English without Qt
    from qgis.PyQt.QtCore import QCoreApplication
except ImportError:  # pragma: no cover - only without PyQt
    QCoreApplication = None  # type: ignore[assignment,misc]


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text) if QCoreApplication is not None else text

PACKAGE = "claro"
#: seconds between SIGTERM and SIGKILL on cancel: the backend needs a moment to delete temporaries
CANCEL_GRACE_SECONDS = 10.0
#: the CLI's exit code after SIGTERM / Ctrl-C
EXIT_INTERRUPTED = 130


class ChildError(Exception):
    """The child could not be started (no interpreter, no package); the message is one sentence."""


def package_root() -> Path:
    """The plugin folder: the one holding metadata.txt, backend/ and plugin/."""
    return Path(__file__).resolve().parents[1]


_import_dir_lock = threading.Lock()
_import_dir: Optional[Path] = None


def _link(target: Path, link: Path) -> None:
    """A directory symlink, or on Windows without symlink rights a junction."""
    try:
        os.symlink(target, link, target_is_directory=True)
    except OSError:
        if sys.platform != "win32":
            raise
        import _winapi  # Windows only: junctions need no special privilege

        _winapi.CreateJunction(str(target), str(link))


def _remove_import_dir(folder: Path) -> None:
    """Remove the link (never what it points to) and its folder."""
    try:
        link = folder / PACKAGE
        if link.is_symlink():
            link.unlink()
        elif link.is_dir():  # a Windows junction: rmdir removes the junction only
            os.rmdir(link)
        folder.rmdir()
    except OSError:
        pass


def import_dir() -> Path:
    """A folder which, on PYTHONPATH, makes `import claro` reach this plugin.

    A deployed plugin lives in a folder named `claro`, so its parent will do. A checkout may be
    named anything (e.g. /work/main): then a temporary folder holding a `claro` link is made
    once per QGIS session.
    """
    global _import_dir
    root = package_root()
    if root.name == PACKAGE:
        return root.parent
    with _import_dir_lock:
        if _import_dir is None or not (_import_dir / PACKAGE).exists():
            folder = Path(tempfile.mkdtemp(prefix="claro-import-"))
            _link(root, folder / PACKAGE)
            atexit.register(_remove_import_dir, folder)
            _import_dir = folder
        return _import_dir


def with_json_progress(params: Any) -> Any:
    """A copy of `params` that reports progress as JSON lines (when the job reports progress)."""
    if any(f.name == "progress" for f in dataclasses.fields(params)):
        return dataclasses.replace(params, progress="json")
    return params


def build_command(params: Any, interpreter: str | os.PathLike) -> list[str]:
    """The exact argv of the child: interpreter, `-m claro.backend`, the job's command line."""
    return [str(interpreter), "-m", f"{PACKAGE}.backend", *P.command_line(with_json_progress(params))]


def child_environment(base: Optional[dict[str, str]] = None, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    """The child's environment: the current one minus what would make another Python misbehave.

    QGIS sets PYTHONHOME/PYTHONPATH for its own Python (OSGeo4W does on Windows); a venv's
    interpreter given those would load QGIS's standard library. Only our import folder goes
    on PYTHONPATH. TensorFlow's logging is quietened as the CLI does without --verbose (the
    child never gets --verbose: its stderr is the job log, which should hold Claro's messages
    and tracebacks; to see TensorFlow's own, run the command at the top of the log with --verbose).
    """
    env = dict(os.environ if base is None else base)
    for name in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE", "__PYVENV_LAUNCHER__"):
        env.pop(name, None)
    env["PYTHONPATH"] = str(import_dir())
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(QUIET_ENVIRONMENT)
    env.update(extra or {})
    return env


def parse_line(line: str) -> Optional[dict]:
    """One stdout line → an event dict; anything that is not a JSON event becomes a 'log' event."""
    text = line.rstrip("\r\n")
    if not text.strip():
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return {"event": "log", "message": text}
    if not isinstance(event, dict) or "event" not in event:
        return {"event": "log", "message": text}
    return event


@dataclass
class ChildResult:
    """How a job ended. `done` is the last 'done' event's fields, `error` the last 'error' event's."""

    returncode: int
    done: Optional[dict] = None
    error: Optional[dict] = None
    log_path: str = ""
    cancelled: bool = False
    command: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.error is None and not self.cancelled

    def message(self) -> str:
        """One sentence for the user when the job did not succeed ('' when it did)."""
        if self.ok:
            return ""
        if self.error and self.error.get("message"):
            return str(self.error["message"])  # also after a cancel: the job says what it kept
        if self.cancelled:
            return tr("Cancelled; nothing was written.")
        tail = log_tail(self.log_path, 1).strip()
        if tail.startswith("claro: error: "):  # the CLI's one sentence, for jobs without JSON progress
            return tail[len("claro: error: "):]
        detail = f" ({tail})" if tail else ""
        return tr("The TensorFlow Python stopped with exit code {}{}; see the log {} for details.").format(
            self.returncode, detail, self.log_path)


def log_tail(path: str | os.PathLike, lines: int = 20) -> str:
    """The last `lines` lines of a log file ('' when there is none)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError:
        return ""


class ChildProcess:
    """One backend job in a child process; events are read on the calling thread."""

    def __init__(self, params: Any, interpreter: str | os.PathLike, *, log_path: Optional[str | os.PathLike] = None,
                 env: Optional[dict[str, str]] = None, cwd: Optional[str | os.PathLike] = None,
                 grace_seconds: float = CANCEL_GRACE_SECONDS) -> None:
        self.params = with_json_progress(params)
        self.interpreter = str(interpreter)
        self.command = build_command(self.params, self.interpreter)
        if log_path is None:
            handle, log_path = tempfile.mkstemp(prefix=f"claro-{self.command[3]}-", suffix=".log")
            os.close(handle)
        self.log_path = str(log_path)
        self.env = env
        self.cwd = str(cwd) if cwd else None
        self.grace_seconds = grace_seconds
        self.process: Optional[subprocess.Popen] = None
        self.cancelled = False
        self.last_done: Optional[dict] = None
        self.last_error: Optional[dict] = None
        self._lock = threading.Lock()
        self._kill_timer: Optional[threading.Timer] = None

    def start(self) -> None:
        """Start the child; ChildError (one sentence) when the interpreter cannot run."""
        with self._lock:
            if self.process is not None:
                return
            if self.cancelled:
                raise ChildError(tr("The job was cancelled before it started."))
            if not self.interpreter or not Path(self.interpreter).is_file():
                raise ChildError(tr("The Python interpreter '{}' does not exist; choose the Python with TensorFlow "
                                    "in Claro's Setup tab (or create one there).").format(self.interpreter))
            log = open(self.log_path, "a", encoding="utf-8")
            log.write("$ " + " ".join(self.command) + "\n")
            log.flush()
            kwargs: dict[str, Any] = {}
            if sys.platform == "win32":
                # Its own process group, so Cancel can send it CTRL_BREAK (Windows has no SIGTERM).
                kwargs["creationflags"] = (getattr(subprocess, "CREATE_NO_WINDOW", 0)
                                           | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0))
            else:
                kwargs["start_new_session"] = True  # a Ctrl-C meant for QGIS's terminal does not hit the job
            try:
                self.process = subprocess.Popen(  # nosec B603 # an argv list, no shell: the chosen Python runs claro.backend
                    self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                    text=True, encoding="utf-8", errors="replace", bufsize=1,
                    env=child_environment(self.env), cwd=self.cwd, **kwargs)
            except OSError as error:
                raise ChildError(tr("Could not start '{}' ({}); choose another Python in Claro's Setup "
                                    "tab.").format(self.interpreter, error.strerror or error)) from error
            finally:
                log.close()  # the child holds its own handle

    def _started(self) -> subprocess.Popen:
        """The running child (started if need be), with its stdout pipe; ChildError otherwise."""
        self.start()
        if self.process is None or self.process.stdout is None:
            raise ChildError(tr("The job's Python process did not start; see its log {}.").format(self.log_path))
        return self.process

    def events(self) -> Iterator[dict]:
        """Parsed events until the child closes stdout (ends, fails or is cancelled)."""
        process = self._started()
        for line in process.stdout:
            event = parse_line(line)
            if event is None:
                continue
            if event["event"] == "done":
                self.last_done = event
            elif event["event"] == "error":
                self.last_error = event
            yield event
        process.stdout.close()

    def result(self) -> ChildResult:
        """Wait for the child to exit and say how it ended."""
        process = self._started()
        if not process.stdout.closed:
            for _ in self.events():  # drain what nobody read, so the child never blocks on a full pipe
                pass
        returncode = process.wait()
        if self._kill_timer is not None:
            self._kill_timer.cancel()
        done = {k: v for k, v in self.last_done.items() if k != "event"} if self.last_done else None
        error = {k: v for k, v in self.last_error.items() if k != "event"} if self.last_error else None
        if returncode != 0 and done is not None:
            done = None  # a job that said 'done' and then failed did not succeed
        return ChildResult(returncode=returncode, done=done, error=error, log_path=self.log_path,
                           cancelled=self.cancelled or returncode == EXIT_INTERRUPTED, command=list(self.command))

    def run(self, on_event=None) -> ChildResult:
        """Start, pass each event to `on_event`, and return the result (the Processing way)."""
        for event in self.events():
            if on_event is not None:
                on_event(event)
        return self.result()

    def cancel(self) -> None:
        """Ask the child to stop (SIGTERM: the backend unwinds and deletes its temporaries), then
        kill it if it is still running after the grace period. Returns at once; safe from any thread.

        Idempotent: the signal is sent once, whatever the number of calls (a second one would
        reach the backend while it cleans up; it ignores it, but there is no reason to send it)."""
        with self._lock:
            if self.cancelled:
                return
            self.cancelled = True
            process = self.process
            if process is None or process.poll() is not None:
                return
            try:
                if sys.platform == "win32":  # the backend turns CTRL_BREAK into a clean interrupt
                    process.send_signal(signal.CTRL_BREAK_EVENT)
                else:
                    process.terminate()
            except OSError:
                return
            self._kill_timer = threading.Timer(self.grace_seconds, self._kill)
            self._kill_timer.daemon = True
            self._kill_timer.start()

    def _kill(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            try:
                process.kill()
            except OSError:
                pass

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


__all__ = ["ChildProcess", "ChildResult", "ChildError", "build_command", "child_environment", "import_dir",
           "package_root", "parse_line", "with_json_progress", "log_tail", "EXIT_INTERRUPTED"]
