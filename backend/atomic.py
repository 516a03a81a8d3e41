"""Outputs appear whole or not at all, and nothing the user did not make is ever deleted.

Every job builds its outputs under a temporary name beside the target (same file system, so
the final rename is atomic) and renames at the end. An exception, Ctrl-C or SIGTERM (turned
into KeyboardInterrupt by the CLI) removes the temporary and leaves any old output untouched.

What may be replaced (the one place that decides; `check_can_write`):
- A folder output only when it is empty or is a patch dataset Claro wrote: its dataset.json
  names Claro under "software" and it holds nothing but dataset.json and TFRecord shards.
  Anything else is refused even with --overwrite: a folder may hold a user's own files.
- A file output only with --overwrite, and only when the existing file is of the kind Claro
  writes there (a .keras must be a Keras zip, a GeoTIFF a TIFF, a report a Claro report …).
  A file of another kind (a user's document given a Claro-like name) is never replaced.
- No output may be one of the job's inputs (or a folder holding one).

Two jobs writing the same output: a job's `run` is wrapped in `job`, and each output it checks
is claimed with a lock file beside it (`.NAME.claro-lock`, holding the pid and host). A second
job finds the lock and refuses; a lock whose process no longer runs (a killed job) is stale and
is taken over with a log line. Locks are released when `run` ends: success, error or Ctrl-C.
"""
from __future__ import annotations

import contextlib
import contextvars
import errno
import functools
import glob
import json
import os
import re
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from .errors import ClaroError

#: Files Claro writes in a patch dataset folder (dataset.json and the TFRecord shards), and the
#: ones file browsers drop into any folder they show.
DATASET_FILE = re.compile(r"dataset\.json|[A-Za-z0-9_]+-\d+\.tfrecord(\.gz)?|\.DS_Store|Thumbs\.db|desktop\.ini")
LOCK_SUFFIX = ".claro-lock"


def _temporary_name(target: Path, tag: str = "tmp") -> Path:
    return target.with_name(f".{target.name}.{tag}-{uuid.uuid4().hex[:8]}")


# ---------------------------------------------------------------------------- what Claro wrote

def _head(path: Path, size: int = 8) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read(size)
    except OSError:
        return b""


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_claro_json(path: Path) -> bool:
    data = _json(path)
    return isinstance(data, dict) and isinstance(data.get("software"), dict) and "claro" in data["software"]


def _is_history(path: Path) -> bool:
    data = _json(path)
    return isinstance(data, dict) and all(isinstance(v, list) for v in data.values())


def _is_keras(path: Path) -> bool:
    from .card import is_keras_file

    return is_keras_file(path)


def _is_claro_geopackage(path: Path) -> bool:
    from .vectorize import is_claro_geopackage

    return is_claro_geopackage(path)


def _is_claro_sample(path: Path) -> bool:
    """A GeoPackage `claro sample` wrote: its point layer carries Claro's sample metadata."""
    if _head(path, 16) != b"SQLite format 3\x00":
        return False
    from .sample import is_claro_sample

    return is_claro_sample(path)


def _is_assessment_table(path: Path) -> bool:
    from .assess import is_assessment_csv

    return is_assessment_csv(path)


def _is_area_table(path: Path) -> bool:
    from .areas import is_area_csv

    return is_area_csv(path)


def _is_change_matrix(path: Path) -> bool:
    from .change import is_matrix_csv

    return is_matrix_csv(path)


def _ee_image():
    from . import ee_image

    return ee_image


def _is_onnx(path: Path) -> bool:
    """An ONNX model (a protobuf with a graph of nodes: ONNX files have no magic bytes)."""
    try:
        import onnx

        model = onnx.load(str(path), load_external_data=False)
    except Exception:  # noqa: BLE001 - anything unreadable is not an ONNX model
        return False
    return bool(model.ir_version) and len(model.graph.node) > 0


def _is_qml(path: Path) -> bool:
    text = _head(path, 512).decode("utf-8", "replace")
    return "<qgis" in text


#: kind → (what a user calls it, test that an existing file is of that kind)
KINDS: dict[str, tuple[str, Callable[[Path], bool]]] = {
    "geotiff": ("a GeoTIFF", lambda p: _head(p, 4) in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")),
    "vrt": ("a GDAL virtual raster (VRT)", lambda p: _head(p, 11) == b"<VRTDataset"),
    "keras": ("a Keras model file", _is_keras),
    "png": ("a PNG image", lambda p: _head(p) == b"\x89PNG\r\n\x1a\n"),
    "qml": ("a QGIS style", _is_qml),
    "report": ("a Claro report", _is_claro_json),
    "history": ("a Claro training history", _is_history),
    "gpkg": ("a GeoPackage Claro wrote", _is_claro_geopackage),
    "area-table": ("a Claro area table", _is_area_table),
    "change-matrix": ("a Claro change matrix", _is_change_matrix),
    "sample": ("a Claro sample", _is_claro_sample),
    "assessment-table": ("a Claro assessment table", _is_assessment_table),
    "ee-tfrecord": ("a TFRecord of classes Claro wrote", lambda p: _ee_image().is_claro_records(p)),
    "ee-mixer": ("an Earth Engine mixer (.json)", lambda p: _ee_image().is_mixer_file(p)),
    "onnx": ("an ONNX model", _is_onnx),
}
_SUFFIX_KINDS = {".tif": "geotiff", ".tiff": "geotiff", ".vrt": "vrt", ".keras": "keras", ".png": "png", ".qml": "qml",
                 ".json": "report", ".gpkg": "gpkg", ".onnx": "onnx"}


def is_claro_dataset(folder: Path) -> bool:
    """A patch dataset Claro wrote: dataset.json names Claro, and only Claro's files are inside."""
    if not _is_claro_json(folder / "dataset.json"):
        return False
    return all(entry.is_file() and not entry.is_symlink() and DATASET_FILE.fullmatch(entry.name)
               for entry in folder.iterdir())


def _is_checkpoint(folder: Path) -> bool:
    """Training's MODEL.keras.resume/ (backend/train.py): state.json and the weights, nothing else."""
    return isinstance(_json(folder / "state.json"), dict) and all(
        entry.is_file() and entry.name in ("state.json", "state.weights.h5") for entry in folder.iterdir())


#: The blocks `claro predict --dask --no-merge` keeps (backend/distributed_predict.py).
BLOCK_FILE = re.compile(r"(out|probs|uncertainty)_\d+\.tif(\.aux\.xml|\.ovr)?")


def _is_blocks(folder: Path) -> bool:
    """A Dask prediction's blocks folder: only Claro's block GeoTIFFs inside."""
    entries = list(folder.iterdir())
    return bool(entries) and all(entry.is_file() and not entry.is_symlink() and BLOCK_FILE.fullmatch(entry.name)
                                 for entry in entries)


#: folder kind → (what a user calls it, test that an existing folder is one Claro wrote)
FOLDER_KINDS: dict[str, tuple[str, Callable[[Path], bool]]] = {
    "dataset": ("a patch dataset", is_claro_dataset),
    "checkpoint": ("a training checkpoint", _is_checkpoint),
    "blocks": ("the blocks of a Dask prediction", _is_blocks),
}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_can_write(target: str | os.PathLike, overwrite: bool, *, folder: bool = False, kind: str = "",
                    inputs: Iterable[Optional[str | os.PathLike]] = ()) -> Path:
    """Refuse before any work an output that must not be written (see the module docstring):
    an existing output without --overwrite, one Claro did not make, one of the job's `inputs`,
    a missing parent folder, or one another job is writing. `kind` (a key of KINDS) defaults to
    the one implied by the file's extension (for a folder: "dataset" unless told)."""
    path = Path(target)
    if not str(target):
        raise ClaroError("No output path was given.")
    resolved = path.resolve()
    for source in inputs:
        if source and _inside(Path(source).resolve(), resolved):
            raise ClaroError(f"The output {path} would replace the input {source}; choose another output path.")
    if folder:
        if path.exists() and not path.is_dir():
            raise ClaroError(f"Output {path} exists and is not a folder; choose another path.")
        if path.is_dir() and any(path.iterdir()):
            name, test = FOLDER_KINDS[kind or "dataset"]
            if not test(path):
                raise ClaroError(f"Output folder {path} holds files Claro did not write; choose an empty or new "
                                 f"folder (Claro only ever replaces {name} it made).")
            if not overwrite:
                raise ClaroError(f"Output folder {path} already holds {name}; choose another or use --overwrite.")
    elif path.exists() or path.is_symlink():
        if path.is_dir():
            raise ClaroError(f"Output {path} is a folder; choose a file name.")
        kind = kind or _SUFFIX_KINDS.get(path.suffix.lower(), "")
        name, test = KINDS.get(kind, ("a file Claro writes", lambda p: False))
        if not test(path):
            raise ClaroError(f"Output {path} exists and is not {name}, so Claro will not replace it; choose another path.")
        if not overwrite:
            raise ClaroError(f"Output {path} exists; choose another path or use --overwrite.")
    parent = resolved.parent
    if not parent.is_dir():
        raise ClaroError(f"The folder {parent} for the output does not exist; create it first.")
    claim(path)
    return path


# ---------------------------------------------------------------------------- locks

class _Scope:
    def __init__(self, log: Callable[[str], None]):
        self.log = log
        self.locks: dict[Path, str] = {}  # lock file → our token in it


_scope: contextvars.ContextVar[Optional[_Scope]] = contextvars.ContextVar("claro_output_locks", default=None)


def lock_path(target: str | os.PathLike) -> Path:
    target = Path(target)
    return target.with_name(f".{target.name}{LOCK_SUFFIX}")


def _running(pid: int) -> bool:
    """Whether process `pid` still runs (on Windows os.kill(pid, 0) would send it Ctrl-C)."""
    if os.name == "nt":
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it runs, as another user
        code = ctypes.c_ulong()
        try:
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        finally:
            kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or a value we cannot test: assume it runs
    return True


def _create_lock(lock: Path, token: str) -> bool:
    try:
        descriptor = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump({"pid": os.getpid(), "host": socket.gethostname(), "token": token}, stream)
    return True


def claim(target: str | os.PathLike) -> None:
    """Lock `target` for the running job (see `job`); outside a job this does nothing."""
    scope = _scope.get()
    if scope is None:
        return
    lock = lock_path(target).resolve()
    if lock in scope.locks:
        return
    token = uuid.uuid4().hex
    if not _create_lock(lock, token):
        holder = _json(lock)
        holder = holder if isinstance(holder, dict) else {}
        pid, host = holder.get("pid"), holder.get("host")
        if host == socket.gethostname() and isinstance(pid, int) and not _running(pid):
            scope.log(f"Taking over the stale lock {lock} of a Claro job (process {pid}) that no longer runs.")
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
            if not _create_lock(lock, token):
                raise ClaroError(f"Another Claro job has just started writing {target}; wait for it to finish or choose another output.")
        elif host and host != socket.gethostname():
            raise ClaroError(f"A Claro job on {host} (process {pid}) is writing {target}; wait for it to finish, "
                             f"or delete {lock} if no such job runs.")
        else:
            raise ClaroError(f"Another Claro job (process {pid}) is writing {target}; wait for it to finish or choose "
                             f"another output (if no Claro job runs, delete {lock}).")
    scope.locks[lock] = token


def _release(scope: _Scope) -> None:
    for lock, token in scope.locks.items():
        holder = _json(lock)
        if isinstance(holder, dict) and holder.get("token") == token:
            with contextlib.suppress(OSError):
                lock.unlink()
    scope.locks.clear()


@contextlib.contextmanager
def output_locks(log: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """While inside, `check_can_write` and `claim` lock outputs; all are released on leaving."""
    scope = _Scope(log)
    reset = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(reset)
        _release(scope)


def job(run: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a sub-command's `run(params, progress, …)`: its outputs are locked while it runs."""
    @functools.wraps(run)
    def wrapper(params: Any, progress: Any, *args: Any, **kwargs: Any) -> Any:
        with output_locks(progress.log):
            return run(params, progress, *args, **kwargs)
    return wrapper


# ---------------------------------------------------------------------------- writing

def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _no_space(error: BaseException, target: Path) -> BaseException:
    """A full disk is the user's to fix: one sentence instead of a traceback."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return ClaroError(f"Writing {target} failed: no space is left on its disk; free some space or choose another folder.")
    return error


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces `target`. If putting it in place fails
    after the old output was moved aside, the old output is moved back."""
    target = Path(target)
    tmp = _temporary_name(target)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException as error:
        _remove(tmp)
        replacement = _no_space(error, target)
        if replacement is error:
            raise
        raise replacement from error
    old = None
    try:
        if target.exists() or target.is_symlink():
            old = _temporary_name(target, "old")
            target.rename(old)
        tmp.rename(target)
    except BaseException as error:
        if old is not None and not target.exists():
            old.rename(target)
            old = None
        _remove(tmp)
        if isinstance(error, OSError):
            raise ClaroError(f"The new {target} could not be put in place ({error.strerror or error}); "
                             "the old one was kept.") from error
        raise
    if old is not None:
        _remove(old)


@contextlib.contextmanager
def atomic_file(target: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary file path (keeping the target's extension so drivers recognise it);
    on success it replaces `target`. Sidecars GDAL writes beside it (.aux.xml, .ovr) move too."""
    target = Path(target)
    tmp = target.with_name(f".{target.stem}.tmp-{uuid.uuid4().hex[:8]}{suffix or target.suffix}")

    def clean() -> None:
        for side in tmp.parent.glob(glob.escape(tmp.name) + "*"):
            _remove(side)

    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as error:
        clean()
        replacement = _no_space(error, target)
        if replacement is error:
            raise
        raise replacement from error
    for side in tmp.parent.glob(glob.escape(tmp.name) + ".*"):
        os.replace(side, target.with_name(target.name + side.name[len(tmp.name):]))
