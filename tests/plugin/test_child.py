"""plugin/child.py: the exact child command, an environment in which `import claro` reaches this
checkout whatever its folder is called, event parsing, and real backend runs (error, cancel)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claro.backend import params as P
from claro.plugin import child as C

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def test_command_is_interpreter_module_and_the_params_command_line_with_json_progress_once():
    params = P.TrainParams(data="patches", out="model.keras", epochs=1, depth=2, base_filters=4, augment=False)
    command = C.build_command(params, "/opt/tf/bin/python")
    assert command == ["/opt/tf/bin/python", "-m", "claro.backend", "train", "--data", "patches", "--out", "model.keras",
                       "--epochs", "1", "--depth", "2", "--base-filters", "4", "--no-augment", "--progress", "json"]
    assert params.progress == "bar"  # the caller's params are not changed
    already_json = C.build_command(P.PredictParams(model="m.keras", image="i.tif", out="o.tif", progress="json"), "py")
    assert already_json.count("--progress") == 1


def test_a_job_without_progress_gets_no_progress_flag():
    assert C.build_command(P.InfoParams(path="m.keras"), "py") == ["py", "-m", "claro.backend", "info", "m.keras"]


def test_import_dir_makes_claro_this_checkout_for_a_python_without_our_path_file(tmp_path):
    """/usr/bin/python3 has no .pth for the checkout (the .venv has); the checkout's folder is not
    named 'claro', so the environment must supply a 'claro' on PYTHONPATH."""
    system_python = Path("/usr/bin/python3")
    if not system_python.is_file():
        pytest.skip("no /usr/bin/python3 on this machine")
    code = "import os, claro.backend.params; print(os.path.realpath(claro.__file__))"
    plain = subprocess.run([str(system_python), "-c", code], capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, cwd=tmp_path)
    assert plain.returncode != 0  # without our environment, there is no claro
    done = subprocess.run([str(system_python), "-c", code], capture_output=True, text=True,
                          env=C.child_environment(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT / "__init__.py"


def test_environment_drops_qgis_python_variables():
    env = C.child_environment({"PYTHONHOME": "/qgis/python", "PYTHONPATH": "/qgis/python/plugins", "PATH": "/bin"})
    assert "PYTHONHOME" not in env
    assert env["PYTHONPATH"] == str(C.import_dir())
    assert env["PATH"] == "/bin" and env["PYTHONUNBUFFERED"] == "1"


def test_lines_become_events():
    assert C.parse_line('{"event": "progress", "fraction": 0.5, "message": "half"}\n') == \
        {"event": "progress", "fraction": 0.5, "message": "half"}
    assert C.parse_line("Epoch 1/3 some library chatter\n") == {"event": "log", "message": "Epoch 1/3 some library chatter"}
    assert C.parse_line("[1, 2]\n") == {"event": "log", "message": "[1, 2]"}
    assert C.parse_line("   \n") is None


def test_a_missing_interpreter_is_one_sentence(tmp_path):
    child = C.ChildProcess(P.InfoParams(path="x"), tmp_path / "no-python")
    with pytest.raises(C.ChildError, match="does not exist"):
        child.start()


def test_backend_error_reaches_the_result_with_exit_code_2_and_a_log(tmp_path):
    child = C.ChildProcess(P.PredictParams(model=str(tmp_path / "m.keras"), image=str(tmp_path / "missing.tif"),
                                           out=str(tmp_path / "out.tif")), VENV_PYTHON, log_path=tmp_path / "job.log")
    events = list(child.events())
    result = child.result()
    assert result.returncode == 2 and not result.ok and not result.cancelled
    assert events[-1]["event"] == "error"
    assert result.error["message"] == result.message()
    assert "missing.tif does not exist" in result.message()
    log = (tmp_path / "job.log").read_text()
    assert log.startswith("$ " + str(VENV_PYTHON)) and "claro: error:" in log
    assert not (tmp_path / "out.tif").exists()


def writing(event: dict) -> bool:
    """A progress event of the patch-writing phase: the job is known to be writing, not done."""
    return event["event"] == "progress" and str(event.get("message", "")).startswith("Writing patch")


def test_cancel_stops_a_running_job_and_leaves_no_output(tmp_path, amazon_crop):
    image, mask = amazon_crop
    out = tmp_path / "patches"
    # stride 4: thousands of patches, so the job is still writing when Cancel arrives
    child = C.ChildProcess(P.PatchParams(images=[str(image)], labels=[str(mask)], out=str(out), patch_size=32, stride=4),
                           VENV_PYTHON, grace_seconds=20, log_path=tmp_path.parent / f"{tmp_path.name}.log")
    signals = []
    seen = []
    for event in child.events():
        seen.append(event)
        if writing(event) or child.cancelled:
            if not signals:  # count what reaches the child from here on
                send = child.process.send_signal
                child.process.send_signal = lambda signum: (signals.append(signum), send(signum))
            child.cancel()  # again on every later event, as an impatient user would click; from the
            # reading thread here, the dock does it from the GUI thread
    result = child.result()
    assert any(writing(e) for e in seen)
    assert len(signals) == 1  # the signal is sent once, however often Cancel is pressed
    assert result.cancelled and not result.ok
    assert result.returncode == C.EXIT_INTERRUPTED
    assert result.message() == "Interrupted; nothing was written."
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary folder left beside it
    assert all(e["event"] != "done" for e in seen)
    # The job log holds Claro's lines, not TensorFlow's start-up chatter (`patches` imports it).
    log = Path(result.log_path).read_text()
    assert "oneDNN" not in log and "absl::InitializeLog" not in log


def test_environment_quietens_tensorflow_whatever_qgis_had():
    env = C.child_environment({"PATH": "/bin", "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "3" and env["GLOG_minloglevel"] == "3"
    assert "--verbose" not in C.build_command(P.InfoParams(path="m.keras"), "py")


def test_a_child_that_never_started_is_a_sentence_not_an_assert(tmp_path, monkeypatch):
    """Shipped code has no `assert` for control flow (python -O drops them; plugins.qgis.org's
    scan flags them): reading a child whose process is missing is a ChildError with one sentence."""
    child = C.ChildProcess(P.InfoParams(path="x"), sys.executable, log_path=tmp_path / "job.log")
    monkeypatch.setattr(child, "start", lambda: None)  # as if starting had silently done nothing
    for read in (lambda: list(child.events()), child.result):
        with pytest.raises(C.ChildError, match=r"^The job's Python process did not start; see its log .*job\.log\.$"):
            read()
