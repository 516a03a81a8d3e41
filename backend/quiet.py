"""TensorFlow's start-up noise, silenced unless `claro --verbose` asks for it.

Why: a new user's first screen was TensorFlow's chatter ("All log messages before
absl::InitializeLog() is called…", "oneDNN custom operations are on…", "oneDNN supports DT_INT32
only on platforms with AVX-512…", an E-for-error line that is no error), before Claro's first line.
Users read it as failures. Three sources, three remedies:
- TensorFlow's C++ logging after start-up obeys TF_CPP_MIN_LOG_LEVEL (and GLOG_minloglevel for
  libraries that log through glog): 3 keeps only fatal messages. Real failures still reach the
  user, as Python exceptions that Claro turns into one sentence or a traceback.
- A few lines are written by absl *before* that setting is read, straight to file descriptor 2,
  during `import tensorflow`: no variable silences them, so that import runs with descriptor 2
  captured, and only the known informational lines are dropped (anything else is passed on).
- Python-side: the 'tensorflow' and 'absl' loggers are raised to ERROR, and deprecation and
  future warnings from the libraries are hidden.
oneDNN itself stays on (TF_ENABLE_ONEDNN_OPTS is left alone): turning it off would silence its
line but change speed and the last digits of results.

Imports nothing heavy: the plugin reads QUIET_ENVIRONMENT for the child's environment.
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import re
import sys
import tempfile
import warnings
from typing import Iterator

#: Environment that silences TensorFlow's C++ logging (set before TensorFlow is imported).
QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "GLOG_minloglevel": "3"}

#: Lines written before TensorFlow reads its logging settings: absl's pre-initialisation notice,
#: its INFO/WARNING lines (I0000 …/W0000 …, e.g. "oneDNN custom operations are on") and the
#: CPU-instructions notice.
NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
                   r"|[IW]\d{4} \d\d:\d\d:\d\d"
                   r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags)")

_LOGGERS = ("tensorflow", "absl")
_LIBRARIES = r"(tensorflow|keras|absl|h5py|ml_dtypes)(\.|$)"


def is_noise(line: str) -> bool:
    return bool(NOISE.match(line))


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Capture file descriptor 2 (C++ writes bypass sys.stderr) and pass on all but NOISE."""
    try:
        fd = sys.stderr.fileno() if sys.stderr is not None else 2
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. pythonw): nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as capture:
        sys.stderr.flush()
        saved = os.dup(fd)
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            kept = [line for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True)
                    if not is_noise(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


class _QuietImport(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` with the other finders and runs its import inside filtered_stderr()."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)  # once is enough; also keeps find_spec below from recursing
        spec = importlib.util.find_spec(name)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def quiet_exec_module(module):
            with filtered_stderr():
                exec_module(module)

        loader.exec_module = quiet_exec_module
        return spec


@contextlib.contextmanager
def tensorflow_logging(verbose: bool) -> Iterator[None]:
    """Within this block TensorFlow starts quietly, unless `verbose` (then nothing is changed, so
    TensorFlow's own settings and TF_CPP_MIN_LOG_LEVEL from the environment apply). The
    environment, loggers and warning filters are put back afterwards, for in-process callers."""
    if verbose:
        yield
        return
    saved_env = {name: os.environ.get(name) for name in QUIET_ENVIRONMENT}
    saved_levels = {name: logging.getLogger(name).level for name in _LOGGERS}
    os.environ.update(QUIET_ENVIRONMENT)
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    finder = None
    if "tensorflow" not in sys.modules:
        finder = _QuietImport()
        sys.meta_path.insert(0, finder)
    try:
        with warnings.catch_warnings():
            for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
                warnings.filterwarnings("ignore", category=category, module=_LIBRARIES)
            yield
    finally:
        if finder is not None:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(finder)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
