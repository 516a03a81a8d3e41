"""Outputs appear whole or not at all.

Every job builds its outputs under a temporary name beside the target (same file system, so
the final rename is atomic) and renames at the end. An exception, Ctrl-C or SIGTERM (turned
into KeyboardInterrupt by the CLI) removes the temporary and leaves any old output untouched.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

from .errors import ClaroError


def _temporary_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")


def check_can_write(target: str | os.PathLike, overwrite: bool, *, folder: bool = False) -> Path:
    """Refuse before any work: an existing output without --overwrite, or a missing parent folder."""
    path = Path(target)
    if not str(target):
        raise ClaroError("No output path was given.")
    if folder:
        if path.exists() and not path.is_dir():
            raise ClaroError(f"Output {path} exists and is not a folder; choose another path.")
        if path.is_dir() and any(path.iterdir()) and not overwrite:
            raise ClaroError(f"Output folder {path} exists and is not empty; choose another or use --overwrite.")
    elif path.exists() and not overwrite:
        raise ClaroError(f"Output {path} exists; choose another path or use --overwrite.")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise ClaroError(f"The folder {parent} for the output does not exist; create it first.")
    return path


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces `target`."""
    target = Path(target)
    tmp = _temporary_name(target)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        _remove(tmp)
        raise
    old = None
    if target.exists():
        old = _temporary_name(target)
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        _remove(old)


@contextlib.contextmanager
def atomic_file(target: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary file path (keeping the target's extension so drivers recognise it);
    on success it replaces `target`. Sidecars GDAL writes beside it (.aux.xml, .ovr) move too."""
    target = Path(target)
    tmp = target.with_name(f".{target.stem}.tmp-{uuid.uuid4().hex[:8]}{suffix or target.suffix}")
    try:
        yield tmp
    except BaseException:
        for side in tmp.parent.glob(tmp.name + "*"):
            _remove(side)
        raise
    os.replace(tmp, target)
    for side in tmp.parent.glob(tmp.name + ".*"):
        os.replace(side, target.with_name(target.name + side.name[len(tmp.name):]))
