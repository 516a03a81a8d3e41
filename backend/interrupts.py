"""Cancel and Ctrl-C: the first interrupt unwinds the job; any later one is ignored.

Why: the plugin's Cancel sends SIGTERM (CTRL_BREAK on Windows), a terminal sends SIGINT, and a
user or a program may send either twice. A second KeyboardInterrupt raised while the first is
being handled would cut a clean-up `finally` short (leaving temporaries behind), or escape
`main()` and make Python kill itself with SIGINT (exit code -2 instead of 130). So the first
signal switches every interrupt signal to "ignore" before it raises; the process then only
cleans up and exits.

Some steps must not be cut in half either: a training's end of epoch writes the best model,
the resume state and the history as one consistent set. `deferred()` holds an interrupt that
arrives during such a step and raises it when the step is done.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator

#: The signals that mean "stop": Ctrl-C, the plugin's Cancel (SIGTERM; CTRL_BREAK on Windows).
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK") if hasattr(signal, name))

class Interrupted(KeyboardInterrupt):
    """An interrupt that says what the job kept: the sentence, and fields for the CLI's 'error'
    event (e.g. training's kept={"model": …, "resume": …}, so the dock can say how to continue)."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.fields = fields


_state = {"interrupted": False, "deferring": 0, "pending": False}


def _ignore_all() -> None:
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _handler(signum: int, frame: Any) -> None:
    _ignore_all()  # from now on the job only cleans up: further interrupts are dropped by the OS
    _state["interrupted"] = True
    if _state["deferring"]:
        _state["pending"] = True
        return
    raise KeyboardInterrupt


def install() -> dict:
    """Route the interrupt signals to the one-shot handler; returns the previous handlers for
    `restore()`. A signal already ignored (a job started with nohup) stays ignored. Outside the
    main thread (where Python cannot set handlers) nothing changes."""
    _state.update(interrupted=False, deferring=0, pending=False)
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for signum in SIGNALS:
        old = signal.getsignal(signum)
        if old is signal.SIG_IGN:
            continue
        previous[signum] = old
        signal.signal(signum, _handler)
    return previous


def interrupted() -> bool:
    """True once an interrupt arrived (since `install()`)."""
    return bool(_state["interrupted"])


def restore(previous: dict) -> None:
    """Put back the handlers `install()` replaced (for callers that go on, e.g. scripts/demo.py)."""
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Run a step that must not be cut in half; an interrupt arriving meanwhile is raised after it."""
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
    if not _state["deferring"] and _state["pending"]:
        _state["pending"] = False
        raise KeyboardInterrupt
