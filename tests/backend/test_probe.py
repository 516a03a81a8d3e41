"""The probe the plugin runs in a candidate Python: one JSON line with what that Python has."""
import json
import subprocess
import sys

from claro.backend import probe


def test_probe_reports_this_python_tensorflow_and_gdal():
    completed = subprocess.run([sys.executable, "-m", "claro.backend.probe"], capture_output=True, text=True,
                               timeout=300, check=True)
    line = [l for l in completed.stdout.splitlines() if l.startswith(probe.MARKER)][-1]
    info = json.loads(line[len(probe.MARKER):])
    assert info["python"] == ".".join(map(str, sys.version_info[:3]))
    assert info["tensorflow"].startswith("2.") and isinstance(info["gpus"], list)
    assert info["numpy"].startswith("1.") and info["gdal"] and info["claro"] is True
