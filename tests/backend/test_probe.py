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


def test_gpu_without_model_name_keeps_tensorflows_name_and_says_why(monkeypatch, capsys):
    """A driver that cannot describe its GPU is not silently ignored: the device id is shown
    and the reason goes to stderr (stdout carries only the JSON line)."""
    import tensorflow as tf

    class Device:
        name = "/physical_device:GPU:0"

    def no_details(device):
        raise RuntimeError("driver too old")

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [Device()])
    monkeypatch.setattr(tf.config.experimental, "get_device_details", no_details)
    info = probe._tensorflow()
    assert info["gpus"] == ["/physical_device:GPU:0"]
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "GPU model names unavailable (RuntimeError: driver too old)" in captured.err
