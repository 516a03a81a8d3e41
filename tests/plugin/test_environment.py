"""plugin/environment.py: finding the TensorFlow Python, probing it in a child process, and the
steps and task that create one (never run by the tests with a real TensorFlow download)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from qgis.core import QgsApplication

from claro.plugin import environment as E

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
SYSTEM_PYTHON = Path("/usr/bin/python3")


def test_venv_interpreter_and_profile_location(qgis_app):
    expected = Path("v", "Scripts", "python.exe") if sys.platform == "win32" else Path("v", "bin", "python")
    assert E.venv_python("v") == expected
    assert E.profile_venv() == Path(QgsApplication.qgisSettingsDirPath()) / "claro" / "venv"
    assert E.development_python() == E.venv_python(ROOT / ".venv")


def test_a_configured_python_comes_first_and_is_kept_even_when_missing(qgis_app, tmp_path):
    if not SYSTEM_PYTHON.is_file():
        pytest.skip("no /usr/bin/python3")
    found = E.candidates(str(SYSTEM_PYTHON))
    assert found[0] == (E.tr("chosen in settings"), SYSTEM_PYTHON)
    assert (E.tr("development checkout"), VENV_PYTHON) in found
    assert E.find_interpreter(str(tmp_path / "gone" / "python")) == tmp_path / "gone" / "python"


def test_without_a_setting_the_checkout_venv_is_found(qgis_app):
    if E.venv_python(E.profile_venv()).is_file():
        pytest.skip("this machine has a Claro-created venv in its QGIS profile, which comes first")
    assert E.find_interpreter("") == VENV_PYTHON


def test_probe_reports_tensorflow_devices_numpy_and_gdal(qgis_app):
    info = E.probe(VENV_PYTHON)
    assert info["tensorflow"] == E.TF_VERSION
    assert info["numpy"].startswith("1.") and info["gdal"] and info["claro"] is True
    assert info["python"] == ".".join(map(str, sys.version_info[:3]))
    assert isinstance(info["gpus"], list)
    text = E.describe(info)
    assert f"TensorFlow {E.TF_VERSION} on " in text
    assert ("CPU only" in text) == (not info["gpus"])
    assert E.usable(info)


def test_probe_of_a_python_without_tensorflow(qgis_app):
    if not SYSTEM_PYTHON.is_file():
        pytest.skip("no /usr/bin/python3")
    info = E.probe(SYSTEM_PYTHON)
    assert info["tensorflow"] is None and "tensorflow" in info["tensorflow_error"].lower()
    assert not E.usable(info)
    assert "No TensorFlow" in E.describe(info)


def test_probe_of_a_missing_python_is_a_sentence(qgis_app, tmp_path):
    info = E.probe(tmp_path / "python")
    assert set(info) == {"error"} and "does not exist" in info["error"]
    assert E.describe(info) == info["error"] and not E.usable(info)


def test_install_steps_make_a_system_site_venv_and_pin_tensorflow_and_numpy(qgis_app, tmp_path):
    steps = E.install_steps(tmp_path / "venv", gpu=False, python="/usr/bin/python3")
    argvs = [argv for _label, argv in steps]
    assert argvs[0] == ["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(tmp_path / "venv")]
    inner = str(E.venv_python(tmp_path / "venv"))
    assert argvs[2][0] == inner and argvs[2][-5:] == [E.tensorflow_requirement(False), "numpy<2",
                                                      "matplotlib", "isal", "google-crc32c"]
    assert "tensorflow-cpu==2.21.0" == E.tensorflow_requirement(False) or sys.platform == "darwin"
    if sys.platform.startswith("linux"):
        assert E.tensorflow_requirement(True) == "tensorflow[and-cuda]==2.21.0"
    assert "from osgeo import gdal" in argvs[-1][-1]


def test_the_task_runs_real_steps_and_removes_a_half_made_environment(qgis_app, tmp_path, wait_until):
    """A real venv is made (no pip, fast), then a step fails: the fresh venv must not be left
    behind to be found as 'created by Claro', and the failure names the step and the log."""
    if not SYSTEM_PYTHON.is_file():
        pytest.skip("no /usr/bin/python3")
    venv = tmp_path / "profile" / "claro" / "venv"
    log = tmp_path / "install.log"
    steps = [("Creating the environment", [str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)]),
             ("Checking the environment", [str(E.venv_python(venv)), "-c", "import sys; print('inside', sys.prefix); sys.exit(3)"])]
    task = E.CreateEnvironmentTask(venv, False, log, steps=steps)
    lines, failed, created = [], [], []
    task.logged.connect(lines.append)
    task.failed.connect(failed.append)
    task.created.connect(created.append)
    QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: failed or created, 120)
    assert created == [] and len(failed) == 1
    assert "Checking the environment failed (exit code 3)" in failed[0] and str(log) in failed[0]
    assert f"inside {venv}" in lines
    assert "== Creating the environment" in log.read_text()
    assert not venv.exists()


def test_the_task_reports_the_new_interpreter(qgis_app, tmp_path, wait_until):
    if not SYSTEM_PYTHON.is_file():
        pytest.skip("no /usr/bin/python3")
    venv = tmp_path / "venv"
    steps = [("Creating the environment", [str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)])]
    task = E.CreateEnvironmentTask(venv, False, tmp_path / "install.log", steps=steps)
    created = []
    task.created.connect(created.append)
    QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: created, 120)
    assert created == [str(E.venv_python(venv))] and Path(created[0]).is_file()
