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
    assert info["bf16"] in (True, False, None) and info["bf16_reason"]
    from importlib import metadata  # the optional extras, by their installed versions (no import)

    assert set(info["optional"]) == set(probe.OPTIONAL_PACKAGES)
    assert info["optional"]["dask"] == metadata.version("dask") and info["optional"]["tf2onnx"] == metadata.version("tf2onnx")


def test_an_optional_package_not_installed_is_none():
    assert probe._installed("claro-no-such-package") is None


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


ZEN4 = """processor	: 0
vendor_id	: AuthenticAMD
model name	: AMD EPYC 9B14
flags		: fpu vme de pse tsc msr pae avx2 avx512f avx512dq avx512_bf16 avx512_vnni vaes
processor	: 1
flags		: fpu vme de pse tsc msr pae avx2 avx512f avx512dq avx512_bf16 avx512_vnni vaes
"""
SAPPHIRE_RAPIDS = "processor\t: 0\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile amx_int8\n"
SKYLAKE = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512dq avx512bw\n"
GRAVITON = "processor\t: 0\nBogoMIPS\t: 2100.00\nFeatures\t: fp asimd bf16 i8mm sve\nCPU implementer\t: 0x41\n"


def test_bf16_flags_are_read_from_cpuinfo():
    assert probe.cpu_bf16(ZEN4) == (True, "the CPU has bfloat16 instructions (avx512_bf16)")
    assert probe.cpu_bf16(SAPPHIRE_RAPIDS) == (True, "the CPU has bfloat16 instructions (amx_bf16)")
    fast, reason = probe.cpu_bf16(SKYLAKE)
    assert fast is False and reason == "the CPU has no bfloat16 instructions (avx512_bf16 or amx_bf16)"
    assert probe.cpu_bf16(GRAVITON)[0] is None  # not x86: not measured, so unknown rather than a guess
    assert probe.cpu_bf16(None) == (None, "the CPU's instructions are unknown on this system (no /proc/cpuinfo)")


def test_a_gpu_makes_bf16_worth_it_whatever_the_cpu():
    assert probe.bf16_support(SKYLAKE, ["NVIDIA L4"]) == (True, "a GPU is present (NVIDIA L4)")
    assert probe.bf16_support(SKYLAKE, [])[0] is False
    assert probe.bf16_support(None, [])[0] is None


def test_probe_reports_bf16_from_this_machines_cpuinfo(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(SKYLAKE)
    assert probe.read_cpuinfo(cpuinfo) == SKYLAKE
    assert probe.read_cpuinfo(tmp_path / "missing") is None
    monkeypatch.setattr(probe, "CPUINFO", cpuinfo)
    monkeypatch.setattr(probe, "_tensorflow", lambda: {"tensorflow": "2.x", "gpus": []})
    info = probe.probe()
    assert info["bf16"] is False and "no bfloat16 instructions" in info["bf16_reason"]
    cpuinfo.write_text(ZEN4)
    assert probe.probe()["bf16"] is True
