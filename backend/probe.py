"""`python -m claro.backend.probe`: what this Python can run, as one JSON line, never an exception.

The QGIS plugin runs it in a candidate interpreter (the Environment section) to show its
TensorFlow version and devices; it lives in the backend because importing TensorFlow inside
QGIS's own process crashes QGIS.
"""
from __future__ import annotations

import json
import platform
import sys
from typing import Optional

MARKER = "CLARO_PROBE "


def _version(name: str) -> Optional[str]:
    try:
        module = __import__(name, fromlist=["__version__"])
        return getattr(module, "__version__", "?")
    except Exception:  # noqa: BLE001 - a broken package is reported as missing
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


def probe() -> dict:
    info = {"python": platform.python_version(), "executable": sys.executable,
            "numpy": _version("numpy"), "claro": True}
    try:
        from osgeo import gdal

        info["gdal"] = gdal.__version__
    except Exception:  # noqa: BLE001
        info["gdal"] = None
    info.update(_tensorflow())
    return info


if __name__ == "__main__":
    print(MARKER + json.dumps(probe()), flush=True)
