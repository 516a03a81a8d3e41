"""`python -m claro.backend.probe`: what this Python can run, as one JSON line, never an exception.

The QGIS plugin runs it in a candidate interpreter (the Environment section) to show its
TensorFlow version and devices; it lives in the backend because importing TensorFlow inside
QGIS's own process crashes QGIS. It also says whether `--precision bf16` is likely to be faster
here ("bf16": true / false / null for unknown, and "bf16_reason"), so the dock offers its fast
mode only where it helps.
"""
from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Optional, Sequence

MARKER = "CLARO_PROBE "
#: x86 CPU flags (Linux /proc/cpuinfo spelling) of the bfloat16 instructions oneDNN uses.
BF16_FLAGS = ("avx512_bf16", "amx_bf16")
CPUINFO = Path("/proc/cpuinfo")


def _version(name: str) -> Optional[str]:
    try:
        module = __import__(name, fromlist=["__version__"])
        return getattr(module, "__version__", "?")
    except Exception:  # noqa: BLE001 - a broken package is reported as missing
        return None


#: optional packages the probe reports by their installed version, without importing them (fast):
#: Dask prediction (`predict --dask`) and the ONNX export (`export`)
OPTIONAL_PACKAGES = ("dask", "distributed", "tf2onnx", "onnx", "onnxruntime")


def _installed(name: str) -> Optional[str]:
    """The installed version of a distribution, None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _tensorflow() -> dict:
    try:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        names = [d.name for d in gpus]
        try:
            details = [tf.config.experimental.get_device_details(d).get("device_name") for d in gpus]
            if all(details):
                names = details
        except Exception as error:  # noqa: BLE001 - device names are a nicety: keep TensorFlow's ids
            # stderr, not stdout: the caller reads the one JSON line on stdout
            print(f"probe: GPU model names unavailable ({type(error).__name__}: {error}); "
                  "showing TensorFlow's device names.", file=sys.stderr)
        return {"tensorflow": tf.__version__, "gpus": names}
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return {"tensorflow": None, "tensorflow_error": f"{type(error).__name__}: {error}"[:300], "gpus": []}


def read_cpuinfo(path: Optional[Path] = None) -> Optional[str]:
    """The text of /proc/cpuinfo, or None where there is none (macOS, Windows) or it is unreadable."""
    try:
        return (path or CPUINFO).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def cpu_bf16(cpuinfo: Optional[str]) -> tuple[Optional[bool], str]:
    """(has bfloat16 instructions?, why) from /proc/cpuinfo's text; None when it cannot tell.

    Pure, so tests feed it any CPU's text. Only x86 "flags" lines are read: other CPUs (ARM's
    "Features") have not been measured with TensorFlow's bfloat16, so they are unknown."""
    if not cpuinfo:
        return None, "the CPU's instructions are unknown on this system (no /proc/cpuinfo)"
    flags: set[str] = set()
    seen = False
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            seen = True
            flags.update(value.split())
    if not seen:
        return None, "the CPU's instructions are unknown (its /proc/cpuinfo lists no x86 flags)"
    found = [flag for flag in BF16_FLAGS if flag in flags]
    if found:
        return True, f"the CPU has bfloat16 instructions ({', '.join(found)})"
    return False, f"the CPU has no bfloat16 instructions ({' or '.join(BF16_FLAGS)})"


def bf16_support(cpuinfo: Optional[str], gpus: Sequence[str]) -> tuple[Optional[bool], str]:
    """(is --precision bf16 likely faster?, why): yes with a GPU or a CPU with bfloat16
    instructions; no on a CPU without them (it emulates bfloat16 and is slower); None unknown."""
    if gpus:
        return True, f"a GPU is present ({gpus[0]})"
    return cpu_bf16(cpuinfo)


def probe() -> dict:
    info = {"python": platform.python_version(), "executable": sys.executable,
            "numpy": _version("numpy"), "pyproj": _version("pyproj"), "claro": True}
    try:
        from osgeo import gdal

        info["gdal"] = gdal.__version__
    except Exception:  # noqa: BLE001
        info["gdal"] = None
    info.update(_tensorflow())
    info["bf16"], info["bf16_reason"] = bf16_support(read_cpuinfo(), info.get("gpus") or [])
    info["optional"] = {name: _installed(name) for name in OPTIONAL_PACKAGES}
    return info


if __name__ == "__main__":
    print(MARKER + json.dumps(probe()), flush=True)
