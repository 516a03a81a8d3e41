"""Fake Python interpreters for the environment tests: tiny shell scripts that answer Claro's
probe (`-m claro.backend.probe`) and base-Python check (`-c …CLARO_BASE…`) with what a test
wants, record each start, and never install or import anything."""
from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Optional

PROBE_DEFAULTS = {"python": "3.11.2", "executable": "", "numpy": "1.26.4", "pyproj": "3.4.1", "claro": True, "gdal": "3.6.2",
                  "tensorflow": "2.21.0", "gpus": []}


def fake_python(folder: Path, name: str = "python", *, probe: Optional[dict] = None, base: Optional[dict] = None,
                fails: bool = False, job: str = "echo job") -> Path:
    """A script at folder/name. `probe` overrides PROBE_DEFAULTS (None values mean 'missing');
    `base` is the base-Python check's answer ({'version', 'gdal', 'venv'}); `fails` makes it exit 1
    with a Python-like traceback line; `job` is the shell run for anything else (a backend job:
    "$3" is the sub-command, "$4" the first argument after it). Every start appends its
    arguments to folder/name.calls."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    calls = shlex.quote(str(folder / f"{name}.calls"))
    answer = json.dumps({**PROBE_DEFAULTS, **(probe or {})})
    base_answer = json.dumps(base or {"version": "3.11", "gdal": "3.6.2", "venv": True})
    if fails:
        body = 'echo "ModuleNotFoundError: No module named \'encodings\'" >&2; exit 1'
    else:
        body = (f"case \"$*\" in\n"
                f"  *claro.backend.probe*) echo {shlex.quote('CLARO_PROBE ' + answer)} ;;\n"
                f"  *CLARO_BASE*) echo {shlex.quote('CLARO_BASE ' + base_answer)} ;;\n"
                f"  *) {job} ;;\n"
                f"esac")
    path.write_text(f"#!/bin/sh\nprintf '%.60s\\n' \"$*\" >> {calls}\n{body}\n")
    path.chmod(0o755)
    return path


def calls(path: Path) -> list[str]:
    """The argument lines the fake was started with, in order."""
    log = path.with_name(f"{path.name}.calls")
    return log.read_text().splitlines() if log.is_file() else []
