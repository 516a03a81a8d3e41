"""plugin/environment.py: finding the TensorFlow Python, probing it in a child process, and the
steps and task that create one (never run by the tests with a real TensorFlow download)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from qgis.core import QgsApplication

from claro.plugin import environment as E
from fake_python import calls, fake_python

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
    assert info["pyproj"], "true areas need pyproj in Claro's Python"
    assert not E.usable({**info, "pyproj": None}) and "pyproj" in E.problem({**info, "pyproj": None})


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
    assert argvs[2][0] == inner and argvs[2][-7:] == [E.tensorflow_requirement(False), "numpy<2", "pyproj", "scipy",
                                                      "matplotlib", "isal", "google-crc32c"]
    assert "tensorflow-cpu==2.21.0" == E.tensorflow_requirement(False) or sys.platform == "darwin"
    if sys.platform.startswith("linux"):
        assert E.tensorflow_requirement(True) == "tensorflow[and-cuda]==2.21.0"
    assert "from osgeo import gdal" in argvs[-1][-1]


def test_the_optional_extras_are_pinned_as_in_requirements_and_checked_by_importing_them(qgis_app, tmp_path):
    """Dask (predict --dask) and the ONNX export are offered, pinned exactly as requirements.txt
    pins them for `make setup`, installed after TensorFlow and imported by the check step."""
    pinned = {line.split("==")[0]: line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    assert set(E.OPTIONAL_EXTRAS) == {"dask", "onnx"}
    for requirements, _packages, _label, _tooltip in E.OPTIONAL_EXTRAS.values():
        assert all(requirement == pinned[requirement.split("==")[0]] for requirement in requirements), requirements
    steps = E.install_steps(tmp_path / "venv", gpu=False, python="/usr/bin/python3", extras=["dask", "onnx"])
    install, check = steps[2][1], steps[-1][1]
    assert install[-5:] == ["dask==2026.8.0", "distributed==2026.8.0", "tf2onnx==1.17.0", "onnx==1.23.1",
                            "onnxruntime==1.30.0"]
    assert install[-12:-5] == [E.tensorflow_requirement(False), "numpy<2", *E.EXTRA_REQUIREMENTS]
    assert "import dask, distributed; import tf2onnx, onnx, onnxruntime; " in check[-1]
    plain = E.install_steps(tmp_path / "venv", gpu=False, python="/usr/bin/python3")
    assert not any("dask" in part for _label, argv in plain for part in argv)
    # the check step really runs: this checkout's Python has every extra installed
    completed = subprocess.run([str(VENV_PYTHON), *check[1:]], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0 and completed.stdout.startswith("TensorFlow 2."), completed.stderr[-2000:]


def test_the_probe_says_which_extras_a_python_has(qgis_app):
    with_all = {"python": "3.11.2", "tensorflow": "2.21.0", "numpy": "1.26.4", "gdal": "3.6.2", "pyproj": "3.4.1",
                "interpreter": "/env/bin/python",
                "optional": {"dask": "2026.8.0", "distributed": "2026.8.0", "tf2onnx": "1.17.0", "onnx": "1.23.1",
                             "onnxruntime": "1.30.0"}}
    assert E.has_extra(with_all, "dask") and E.has_extra(with_all, "onnx")
    assert E.describe(with_all).splitlines()[-1] == "Dask 2026.8.0, ONNX export (tf2onnx 1.17.0)"
    assert E.dask_missing(with_all) is None
    without = {**with_all, "optional": {**with_all["optional"], "distributed": None, "onnx": None}}
    assert E.has_extra(without, "dask") is False and E.has_extra(without, "onnx") is False
    assert E.describe(without).splitlines()[-1] == "no Dask, no ONNX export"
    assert E.dask_missing(without, "Claro's Setup tab") == (
        "Predicting on a Dask cluster needs dask and distributed in Claro's Python (/env/bin/python): tick Dask "
        "(prediction on a cluster) and click Create… in Claro's Setup tab, or install them into that Python with: "
        "pip install dask==2026.8.0 distributed==2026.8.0")
    older = {k: v for k, v in with_all.items() if k != "optional"}  # a probe that does not say: the backend will
    assert E.has_extra(older, "dask") is None and E.dask_missing(older) is None
    assert len(E.describe(older).splitlines()) == 3


def test_a_failed_step_leaves_an_incomplete_environment_that_is_never_picked_up(qgis_app, tmp_path, wait_until,
                                                                                 monkeypatch):
    """A real venv is made (no pip, fast), then a step fails: the folder stays, marked as Claro's
    but not complete, so it is not found as 'created by Claro'; Remove deletes it, and only it."""
    if not SYSTEM_PYTHON.is_file():
        pytest.skip("no /usr/bin/python3")
    venv = tmp_path / "profile" / "claro" / "venv"
    monkeypatch.setattr(E, "profile_venv", lambda: venv)
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
    assert created == [] and len(failed) == 1 and not task.cancelled
    assert "Checking the environment failed (exit code 3)" in failed[0] and str(log) in failed[0]
    assert f"inside {venv}" in lines
    assert "== Creating the environment" in log.read_text()
    assert E.venv_python(venv).is_file() and E.environment_state(venv) == "incomplete" and E.made_by_claro(venv)
    assert E.venv_python(venv) not in [path for _source, path in E.candidates()]
    E.remove_environment(venv)
    assert not venv.exists() and E.environment_state(venv) == "missing"
    foreign = tmp_path / "someone" / "venv"
    (foreign / "bin").mkdir(parents=True)
    with pytest.raises(RuntimeError, match="was not made by Claro"):
        E.remove_environment(foreign)
    assert foreign.is_dir()


def test_cancel_kills_the_running_pip_and_leaves_the_environment_incomplete(qgis_app, tmp_path, wait_until):
    """The 'pip' step is a shell that starts a long sleep (a child of its own, as pip's builds
    are): Cancel must end both at once, and the environment stays incomplete."""
    venv = tmp_path / "venv"
    steps = [("Creating the environment", ["sh", "-c", f"mkdir -p '{venv}/bin' && cp /bin/true '{venv}/bin/python'"]),
             ("Installing tensorflow", ["sh", "-c", "echo downloading; sleep 120; echo never"])]
    task = E.CreateEnvironmentTask(venv, False, tmp_path / "install.log", steps=steps)
    lines, failed, created = [], [], []
    task.logged.connect(lines.append)
    task.failed.connect(failed.append)
    task.created.connect(created.append)
    QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: "downloading" in lines, 60)
    started = time.monotonic()
    task.cancel()
    assert wait_until(lambda: failed or created, 30)
    assert time.monotonic() - started < 10
    assert created == [] and task.cancelled and "left incomplete" in failed[0]
    assert "never" not in lines
    assert E.environment_state(venv) == "incomplete" and E.made_by_claro(venv)
    sleeping = subprocess.run(["pgrep", "-f", "sleep 120; echo never"], capture_output=True, text=True)
    assert sleeping.stdout.strip() == ""


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
    assert E.environment_state(venv) == "complete" and E.made_by_claro(venv)


def test_deploy_records_the_checkout_venv_and_the_deployed_copy_finds_it(qgis_app, tmp_path, monkeypatch):
    """`make deploy` copies no .venv; the copy must still find the checkout's TensorFlow Python
    instead of the first python3 on PATH."""
    plugins = tmp_path / "plugins"
    completed = subprocess.run(["bash", str(ROOT / "scripts" / "deploy.sh"), str(plugins)], capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    target = plugins / "claro"
    assert (target / E.DEVELOPMENT_POINTER).read_text().strip() == str(VENV_PYTHON)
    assert not (target / ".venv").exists()
    monkeypatch.setattr(E, "package_root", lambda: target)
    monkeypatch.setattr(E, "profile_venv", lambda: tmp_path / "profile" / "claro" / "venv")
    assert E.development_python() == VENV_PYTHON
    assert E.candidates()[0] == (E.tr("development checkout"), VENV_PYTHON)
    assert E.find_interpreter("") == VENV_PYTHON
    (target / E.DEVELOPMENT_POINTER).unlink()
    assert E.development_python() == E.venv_python(target / ".venv")


def test_the_base_python_has_qgis_python_version_gdal_and_venv(qgis_app, tmp_path):
    """Fake interpreters stand for what a machine may have: the chooser passes over each that
    cannot give the new environment QGIS's GDAL, and says why."""
    folder = tmp_path / "bin"
    old = fake_python(folder, "python3.9", base={"version": "3.9", "gdal": "3.6.2", "venv": True})
    bare = fake_python(folder, "python3", base={"version": "3.11", "gdal": None, "venv": True})
    other = fake_python(folder, "conda-python", base={"version": "3.11", "gdal": "3.9.1", "venv": True})
    novenv = fake_python(folder, "python3.11-novenv", base={"version": "3.11", "gdal": "3.6.2", "venv": False})
    broken = fake_python(folder, "broken", fails=True)
    good = fake_python(folder, "python3.11", base={"version": "3.11", "gdal": "3.6.2", "venv": True})
    chosen, reasons = E.choose_base_python([old, bare, other, novenv, broken, good], version="3.11", gdal_version="3.6.2")
    assert chosen == good
    assert reasons == [f"{old} is Python 3.9, QGIS runs on Python 3.11", f"{bare} has no GDAL Python bindings",
                       f"{other} has GDAL 3.9.1, QGIS has GDAL 3.6.2",
                       f"{novenv} cannot make environments (its venv module is missing: install python3-venv)",
                       f"{broken} does not start (ModuleNotFoundError: No module named 'encodings')"]
    assert all(calls(path) and calls(path)[0].startswith("-I -c ") for path in (old, bare, other, novenv, good))


def test_without_a_suitable_base_python_nothing_is_built(qgis_app, tmp_path, monkeypatch):
    bare = fake_python(tmp_path / "bin", "python3", base={"version": "3.11", "gdal": None, "venv": True})
    monkeypatch.setattr(E, "base_python_options", lambda: [bare])
    with pytest.raises(RuntimeError, match=r"No Python with QGIS's Python version and GDAL was found .*has no GDAL"):
        E.install_steps(tmp_path / "venv", gpu=False)
    good = fake_python(tmp_path / "bin", "python3.11")
    monkeypatch.setattr(E, "base_python_options", lambda: [bare, good])
    steps = E.install_steps(tmp_path / "venv", gpu=False)
    assert steps[0][1][:2] == [str(good), "-m"]
    assert "--force-reinstall" not in steps[2][1]
    assert "--force-reinstall" in E.install_steps(tmp_path / "venv", gpu=False, python=good, repair=True)[2][1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system Python path is Linux's")
def test_inside_qgis_the_system_python_comes_before_path(qgis_app, tmp_path, monkeypatch):
    """In QGIS sys.executable is QGIS itself: the Python it runs on (/usr/bin/python3.X, from its
    prefix) is tried before a python3 first on PATH (here one without GDAL)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    system = Path(sys.base_exec_prefix) / "bin" / f"python{version}"
    if not system.is_file():
        pytest.skip(f"no {system}")
    qgis = tmp_path / "qgis"
    qgis.write_text("#!/bin/sh\nexit 1\n")
    qgis.chmod(0o755)
    on_path = fake_python(tmp_path / "bin", "python3", base={"version": version, "gdal": None, "venv": True})
    monkeypatch.setattr(sys, "executable", str(qgis))
    monkeypatch.setattr(sys, "_base_executable", str(qgis), raising=False)
    monkeypatch.setattr(sys, "exec_prefix", sys.base_exec_prefix)
    monkeypatch.setenv("PATH", f"{on_path.parent}:/usr/bin:/bin")
    options = E.base_python_options()
    assert qgis not in options and options.index(system) < options.index(on_path)
    chosen, _reasons = E.choose_base_python()
    assert chosen == system
    assert calls(on_path) == []


def test_a_probe_is_remembered_until_checked_again(qgis_app, tmp_path):
    python = fake_python(tmp_path, "python", probe={"tensorflow": None, "gdal": None})
    E.forget()
    first = E.checked(python)
    assert E.checked(python) is first and E.cached(python) is first
    assert calls(python) == ["-m claro.backend.probe"]
    E.checked(python, refresh=True)
    assert len(calls(python)) == 2
    assert E.problem(first) == (f"The Python '{python}' has no TensorFlow or GDAL's Python bindings, so Claro cannot "
                                "run with it: create a TensorFlow environment or choose another Python in the "
                                "Setup tab of Claro's dock.")
    assert E.problem(first, "here").endswith("choose another Python in here.")
    full = fake_python(tmp_path / "full", "python")
    assert E.problem(E.checked(full)) is None and E.usable(E.checked(full))
    assert "does not exist" in E.problem(E.checked(tmp_path / "gone"))
    E.forget()


def test_processing_refuses_a_python_without_tensorflow_before_starting_the_job(qgis_app, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    from claro.backend import params as P
    from claro.plugin.algorithms import run_job

    python = fake_python(tmp_path, "python", probe={"tensorflow": None})
    E.forget()
    params = P.PredictParams(image=str(tmp_path / "i.tif"), model=str(tmp_path / "m.keras"), out=str(tmp_path / "o.tif"))
    with pytest.raises(QgsProcessingException, match=r"has no TensorFlow, so Claro cannot run with it"):
        run_job(params, QgsProcessingFeedback(), interpreter=str(python))
    assert calls(python) == ["-m claro.backend.probe"]  # the job itself never started
    E.forget()
