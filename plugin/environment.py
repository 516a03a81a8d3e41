"""Which Python runs TensorFlow, what it has, and making one when there is none.

Why: QGIS's own Python must never import TensorFlow (it crashes QGIS), and inside QGIS
`sys.executable` is QGIS itself. So the backend runs in another interpreter, chosen in order:
  1. the one the user set in the dock (Settings.interpreter),
  2. the venv Claro created under the QGIS profile (<profile>/claro/venv), once complete,
  3. a development checkout's .venv: beside the plugin (plugin_root/.venv), or the one
     `make deploy` recorded in the deployed copy (DEVELOPMENT_POINTER),
  4. a `python3` on PATH.
`probe()` asks an interpreter, in a child process, for its Python, TensorFlow, GPUs, numpy and
GDAL; `checked()` remembers the answer per interpreter (a probe imports TensorFlow: seconds), and
`problem()` says, in the dock's words, why a job must not start with it. `CreateEnvironmentTask`
makes the venv (with system site packages of the Python QGIS runs on, found by
`choose_base_python()`, so QGIS's GDAL comes along) and installs TensorFlow into it — only ever
when the user clicks the button. The venv folder is marked as Claro's when it is made
(OWNER_MARKER) and as complete only after the install and its check succeeded
(COMPLETE_MARKER): a half-made one is never picked up, and is offered for Repair or Remove.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess  # nosec B404 # TensorFlow and pip run in child processes, never in QGIS's
import sys
import threading
from pathlib import Path
from typing import Optional, Sequence

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, pyqtSignal

from .child import PACKAGE, child_environment, package_root

TF_VERSION = "2.21.0"
#: numpy 2 breaks GDAL's Python bindings built against numpy 1 (Debian 12, OSGeo4W 3.22)
NUMPY_REQUIREMENT = "numpy<2"
#: What the backend uses beside TensorFlow: true areas on the ellipsoid (pyproj: QGIS's own when the base
#: Python has it), region statistics of polygons (scipy), figures, and fast patch writing (optional but 5-10x faster).
EXTRA_REQUIREMENTS = ("pyproj", "scipy", "matplotlib", "isal", "google-crc32c")
#: Optional extras the environment creator offers (the Setup tab's check boxes), pinned as in
#: requirements.txt: id → (pip requirements, the packages the probe must find, label, what for).
#: Dask runs `predict --dask` (a cluster, or local:N processes); tf2onnx/onnx/onnxruntime run
#: `export --format onnx` (a model for the Deepness plugin).
OPTIONAL_EXTRAS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, str]] = {
    "dask": (("dask==2026.8.0", "distributed==2026.8.0"), ("dask", "distributed"),
             QT_TRANSLATE_NOOP("Claro", "Dask (prediction on a cluster)"),
             QT_TRANSLATE_NOOP("Claro", "Install dask and distributed, so Predict can run on a Dask cluster or on "
                                        "several processes of this machine (Predict ▸ Advanced ▸ Dask scheduler).")),
    "onnx": (("tf2onnx==1.17.0", "onnx==1.23.1", "onnxruntime==1.30.0"), ("tf2onnx", "onnx"),
             QT_TRANSLATE_NOOP("Claro", "ONNX export (for Deepness)"),
             QT_TRANSLATE_NOOP("Claro", "Install tf2onnx, onnx and onnxruntime, so a trained model can be exported for "
                                        "the Deepness plugin (Processing ▸ Claro ▸ Export model for Deepness).")),
}
#: what the check step imports for each extra (module names)
EXTRA_IMPORTS = {"dask": "dask, distributed", "onnx": "tf2onnx, onnx, onnxruntime"}
PROBE_TIMEOUT_SECONDS = 180
#: seconds a candidate base Python gets to say its version and GDAL
BASE_CHECK_TIMEOUT_SECONDS = 60
#: written by scripts/deploy.sh into the deployed copy: the checkout's .venv Python, one line
DEVELOPMENT_POINTER = "development-python.txt"
#: written into a venv folder Claro creates, before anything else: Remove deletes only such a folder
OWNER_MARKER = "claro-made-this-environment.txt"
#: written into the venv last, once the install and its check succeeded
COMPLETE_MARKER = "claro-environment-complete.txt"

WINDOWS_GPU_NOTE = ("Native Windows has had no TensorFlow GPU build since TensorFlow 2.11: for a GPU, run Claro's "
                    "backend in WSL2 or on a Linux machine, and choose that Python here.")


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def venv_python(venv: str | os.PathLike) -> Path:
    """The interpreter inside a venv (Scripts/python.exe on Windows, bin/python elsewhere)."""
    venv = Path(venv)
    return venv / "Scripts" / "python.exe" if sys.platform == "win32" else venv / "bin" / "python"


def profile_venv() -> Path:
    """Where 'Create TensorFlow environment' puts the venv: inside the current QGIS profile."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "claro" / "venv"


def development_python(root: Optional[str | os.PathLike] = None) -> Path:
    """A checkout's own .venv (made by `make setup`): beside the plugin's files, or, in a copy
    deployed by `make deploy` (which has no .venv), the one recorded in DEVELOPMENT_POINTER."""
    root = Path(root) if root is not None else package_root()
    own = venv_python(root / ".venv")
    if own.is_file():
        return own
    try:
        recorded = (root / DEVELOPMENT_POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        return own
    return Path(recorded) if recorded else own


def environment_state(venv: str | os.PathLike) -> str:
    """'missing', 'complete' (install and check succeeded) or 'incomplete' (a folder left by a
    crash, a cancel or a failed step: never used until repaired)."""
    venv = Path(venv)
    if not venv.exists():
        return "missing"
    if (venv / COMPLETE_MARKER).is_file() and venv_python(venv).is_file():
        return "complete"
    return "incomplete"


def made_by_claro(venv: str | os.PathLike) -> bool:
    """Whether Claro created this folder (its owner marker is there), so Remove may delete it."""
    return (Path(venv) / OWNER_MARKER).is_file()


def remove_environment(venv: str | os.PathLike) -> None:
    """Delete an environment folder Claro made; RuntimeError (a sentence) for any other folder."""
    venv = Path(venv)
    if not made_by_claro(venv):
        raise RuntimeError(tr("The folder '{}' was not made by Claro; remove it yourself if you no longer need it.")
                           .format(venv))
    shutil.rmtree(venv)


def candidates(configured: str = "") -> list[tuple[str, Path]]:
    """(where it came from, interpreter path) in order of preference; only existing files."""
    found: list[tuple[str, Path]] = []
    if configured:
        found.append((tr("chosen in settings"), Path(configured)))
    if environment_state(profile_venv()) == "complete":  # a half-made one is offered for Repair instead
        found.append((tr("created by Claro"), venv_python(profile_venv())))
    found.append((tr("development checkout"), development_python()))
    on_path = shutil.which("python3") or shutil.which("python")
    if on_path:
        found.append((tr("found on PATH"), Path(on_path)))
    seen: set[str] = set()
    result = []
    for source, path in found:
        if path.is_file() and str(path) not in seen:
            seen.add(str(path))
            result.append((source, path))
    return result


def find_interpreter(configured: str = "") -> Optional[Path]:
    """The interpreter Claro will use, without starting it (fast); None when there is none.

    A configured path is returned even when missing, so the user sees their choice is wrong
    instead of silently getting another Python.
    """
    if configured:
        return Path(configured)
    found = candidates()
    return found[0][1] if found else None


#: Runs inside the candidate interpreter (claro/backend/probe.py): one JSON line after this marker.
PROBE_MARKER = "CLARO_PROBE "


def probe(interpreter: str | os.PathLike, timeout: float = PROBE_TIMEOUT_SECONDS) -> dict:
    """What `interpreter` has: {'python', 'tensorflow', 'gpus', 'numpy', 'gdal', 'claro'} or {'error': sentence}.

    Runs in a child process (importing TensorFlow takes seconds): call it off the GUI thread.
    """
    path = Path(interpreter)
    if not path.is_file():
        return {"error": tr("The Python '{}' does not exist.").format(path)}
    kwargs = {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0)} if sys.platform == "win32" else {}
    try:
        completed = subprocess.run(  # nosec B603 # argv list, no shell: the chosen Python runs the probe
            [str(path), "-m", f"{PACKAGE}.backend.probe"], capture_output=True, text=True, timeout=timeout,
                                   env=child_environment(), stdin=subprocess.DEVNULL, **kwargs)
    except subprocess.TimeoutExpired:
        return {"error": tr("The Python '{}' did not answer within {} s.").format(path, int(timeout))}
    except OSError as error:
        return {"error": tr("The Python '{}' could not be started ({}).").format(path, error.strerror or error)}
    for line in completed.stdout.splitlines():
        if line.startswith(PROBE_MARKER):
            info = json.loads(line[len(PROBE_MARKER):])
            info["interpreter"] = str(path)
            return info
    tail = (completed.stderr.strip().splitlines() or [""])[-1]
    return {"error": tr("The Python '{}' failed to start ({}).").format(path, tail or completed.returncode)}


_probes: dict[str, dict] = {}
_probe_locks: dict[str, threading.Lock] = {}
_probes_lock = threading.Lock()


def checked(interpreter: str | os.PathLike, refresh: bool = False) -> dict:
    """probe(), remembered per interpreter path: a job's start asks this, and only the first
    ask (or `refresh`, the Setup tab's Check) starts the Python. A caller while a probe
    of the same interpreter runs waits for its answer instead of starting a second one."""
    key = str(interpreter)
    with _probes_lock:
        lock = _probe_locks.setdefault(key, threading.Lock())
    with lock:
        if not refresh and key in _probes:
            return _probes[key]
        info = probe(key)
        if Path(key).is_file():  # a missing file is cheap to ask again, and may appear
            _probes[key] = info
        return info


def cached(interpreter: str | os.PathLike) -> Optional[dict]:
    """The remembered probe of `interpreter`, None when it was not checked yet."""
    return _probes.get(str(interpreter))


def forget(interpreter: Optional[str | os.PathLike] = None) -> None:
    """Drop the remembered probe of one interpreter (all when None)."""
    with _probes_lock:
        if interpreter is None:
            _probes.clear()
        else:
            _probes.pop(str(interpreter), None)


def problem(info: dict, place: str = "") -> Optional[str]:
    """Why no job may start with this Python, as one sentence in the dock's words; None when it can.
    `place` names where to fix it (the dock passes its tab's title)."""
    place = place or tr("the Setup tab of Claro's dock")
    if "error" in info:
        return tr("{} Choose another Python or create a TensorFlow environment in {}.").format(info["error"], place)
    missing = _missing(info)
    if not missing:
        return None
    return tr("The Python '{}' has no {}, so Claro cannot run with it: create a TensorFlow environment or choose "
              "another Python in {}.").format(info.get("interpreter", "?"), tr(" or ").join(missing), place)


def _missing(info: dict) -> list[str]:
    return [name for key, name in (("tensorflow", "TensorFlow"), ("gdal", tr("GDAL's Python bindings")),
                                   ("numpy", "numpy"), ("pyproj", "pyproj")) if not info.get(key)]


def summary(info: dict) -> Optional[str]:
    """problem() in a few words, for the banner above the dock's tabs; None when the Python works."""
    if "error" in info:
        return tr("Claro's Python does not start, so Claro cannot train or predict yet.")
    missing = _missing(info)
    return tr("Claro's Python has no {}, so Claro cannot train or predict yet.").format(tr(" or ").join(missing)) \
        if missing else None


def describe(info: dict) -> str:
    """One or two lines for the Setup tab."""
    if "error" in info:
        return info["error"]
    lines = [tr("Python {}").format(info.get("python"))]
    if info.get("tensorflow"):
        devices = ", ".join(info.get("gpus") or []) or tr("CPU only")
        lines.append(tr("TensorFlow {} on {}").format(info["tensorflow"], devices))
    else:
        lines.append(tr("No TensorFlow: create a TensorFlow environment or choose another Python."))
    extras = [f"numpy {info['numpy']}" if info.get("numpy") else tr("no numpy"),
              f"GDAL {info['gdal']}" if info.get("gdal") else tr("no GDAL Python bindings")]
    lines.append(", ".join(extras))
    optional = info.get("optional")
    if isinstance(optional, dict):
        lines.append(", ".join([tr("Dask {}").format(optional["dask"]) if has_extra(info, "dask") else tr("no Dask"),
                                tr("ONNX export (tf2onnx {})").format(optional["tf2onnx"]) if has_extra(info, "onnx")
                                else tr("no ONNX export")]))
    return "\n".join(lines)


def has_extra(info: dict, extra: str) -> Optional[bool]:
    """Whether the probed Python has an optional extra (OPTIONAL_EXTRAS); None when the probe
    does not say (an older Claro's probe, or a failed one)."""
    optional = info.get("optional") if isinstance(info, dict) else None
    if not isinstance(optional, dict):
        return None
    return all(optional.get(name) for name in OPTIONAL_EXTRAS[extra][1])


def dask_missing(info: dict, place: str = "") -> Optional[str]:
    """The dock's sentence when a prediction on Dask cannot start because this Python lacks dask
    or distributed (None when it has them, or the probe cannot tell: the backend then says how)."""
    if has_extra(info, "dask") is not False:
        return None
    return tr("Predicting on a Dask cluster needs dask and distributed in Claro's Python ({}): tick {} and click "
              "Create… in {}, or install them into that Python with: pip install {}").format(
        info.get("interpreter", "?"), tr(OPTIONAL_EXTRAS["dask"][2]), place or tr("the Setup tab of Claro's dock"),
        " ".join(OPTIONAL_EXTRAS["dask"][0]))


def usable(info: dict) -> bool:
    """Can this interpreter run Claro's backend?"""
    return "error" not in info and not _missing(info)


def has_nvidia_gpu() -> bool:
    """An NVIDIA GPU with a working driver (nvidia-smi lists it)."""
    tool = shutil.which("nvidia-smi")
    if not tool:
        return False
    try:
        completed = subprocess.run([tool, "-L"], capture_output=True, text=True, timeout=20)  # nosec B603 # argv list, no shell
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and "GPU" in completed.stdout


def tensorflow_requirement(gpu: bool) -> str:
    """The pip requirement: the CUDA build on Linux with an NVIDIA GPU, else the CPU build."""
    if gpu and sys.platform.startswith("linux"):
        return f"tensorflow[and-cuda]=={TF_VERSION}"
    return f"tensorflow-cpu=={TF_VERSION}" if sys.platform != "darwin" else f"tensorflow=={TF_VERSION}"


#: Run by each candidate base Python: its version, its GDAL and whether it can make a venv, one JSON line.
BASE_CHECK = ("import json, sys\n"
              "info = {'version': '%d.%d' % sys.version_info[:2], 'gdal': None, 'venv': False}\n"
              "try:\n    from osgeo import gdal\n    info['gdal'] = gdal.__version__\n"
              "except Exception as error:\n    info['gdal_error'] = str(error)[:200]\n"
              "try:\n    import ensurepip, venv\n    info['venv'] = True\n"
              "except Exception as error:\n    info['venv_error'] = str(error)[:200]\n"
              "print('CLARO_BASE ' + json.dumps(info))\n")
BASE_MARKER = "CLARO_BASE "


def base_python_options() -> list[Path]:
    """Where the Python QGIS runs on may be, as a program (inside QGIS `sys.executable` is QGIS
    itself): this interpreter when it is a Python, the base of a venv, the installation prefix
    (OSGeo4W: apps/Python3x/python.exe), the system's /usr/bin/python3.X, then PATH."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    options = []
    for program in (sys.executable, getattr(sys, "_base_executable", "")):
        if program and Path(program).name.lower().startswith("python"):
            options.append(Path(program))
    for prefix in dict.fromkeys((Path(sys.base_exec_prefix), Path(sys.exec_prefix))):
        options += [prefix / "python.exe", prefix / "python3.exe", prefix / "bin" / f"python{version}",
                    prefix / "bin" / "python3"]
    if sys.platform != "win32":
        options += [Path(f"/usr/bin/python{version}"), Path("/usr/bin/python3")]
    for name in (f"python{version}", "python3", "python"):
        which = shutil.which(name)
        if which:
            options.append(Path(which))
    seen: set[str] = set()
    result = []
    for option in options:
        if option.is_file() and str(option) not in seen:
            seen.add(str(option))
            result.append(option)
    return result


def qgis_gdal_version() -> Optional[str]:
    """The GDAL version of QGIS's own Python bindings (None outside QGIS without them)."""
    try:
        from osgeo import gdal
    except ImportError:
        return None
    return gdal.__version__


def check_base_python(python: str | os.PathLike, version: str, gdal_version: Optional[str]) -> Optional[str]:
    """None when `python` can build Claro's environment (same Python version as QGIS, QGIS's GDAL
    importable, venv available); else the reason, a few words."""
    kwargs = {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0)} if sys.platform == "win32" else {}
    argv, env = [str(python), "-I", "-c", BASE_CHECK], child_environment()
    try:
        completed = subprocess.run(argv, capture_output=True, text=True,  # nosec B603 # argv list, no shell: a Python program the user's system provides
                                   timeout=BASE_CHECK_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL, env=env, **kwargs)
    except (OSError, subprocess.TimeoutExpired) as error:
        return tr("does not start ({})").format(getattr(error, "strerror", None) or error)
    line = next((line for line in completed.stdout.splitlines() if line.startswith(BASE_MARKER)), None)
    if line is None:
        return tr("does not start ({})").format((completed.stderr.strip().splitlines() or [completed.returncode])[-1])
    try:
        info = json.loads(line[len(BASE_MARKER):])
    except ValueError:
        return tr("gave an unreadable answer")
    if info.get("version") != version:
        return tr("is Python {}, QGIS runs on Python {}").format(info.get("version"), version)
    if not info.get("gdal"):
        return tr("has no GDAL Python bindings")
    if gdal_version and info["gdal"] != gdal_version:
        return tr("has GDAL {}, QGIS has GDAL {}").format(info["gdal"], gdal_version)
    if not info.get("venv"):
        return tr("cannot make environments (its venv module is missing: install python3-venv)")
    return None


def choose_base_python(options: Optional[list[Path]] = None, version: Optional[str] = None,
                       gdal_version: Optional[str] = None) -> tuple[Optional[Path], list[str]]:
    """The first option that has QGIS's Python version and GDAL (so the new venv's system site
    packages give the backend QGIS's GDAL), and the reasons the others were passed over.

    Starts each option (a fraction of a second): call it off the GUI thread."""
    options = base_python_options() if options is None else options
    version = version or f"{sys.version_info.major}.{sys.version_info.minor}"
    gdal_version = gdal_version if gdal_version is not None else qgis_gdal_version()
    reasons = []
    for option in options:
        reason = check_base_python(option, version, gdal_version)
        if reason is None:
            return option, reasons
        reasons.append(f"{option} {reason}")
    return None, reasons


def base_python() -> Optional[Path]:
    """QGIS's own Python as a program (so the venv's system site packages hold QGIS's GDAL)."""
    return choose_base_python()[0]


def extra_requirements(extras: Sequence[str]) -> list[str]:
    """The pinned pip requirements of the chosen optional extras (OPTIONAL_EXTRAS ids)."""
    return [requirement for extra in extras for requirement in OPTIONAL_EXTRAS[extra][0]]


def install_steps(venv: str | os.PathLike, gpu: bool, python: Optional[str | os.PathLike] = None,
                  repair: bool = False, extras: Sequence[str] = ()) -> list[tuple[str, list[str]]]:
    """(label, argv) of each step that creates the venv and installs TensorFlow into it (and the
    optional `extras`, OPTIONAL_EXTRAS ids, checked by importing them); `repair` reinstalls every
    package into an existing, half-made venv."""
    if python is None:
        python, reasons = choose_base_python()
        if python is None:
            raise RuntimeError(tr("No Python with QGIS's Python version and GDAL was found to build the environment "
                                  "from ({}); choose an existing Python with TensorFlow instead.").format(
                "; ".join(reasons) or tr("no Python program found")))
    venv = Path(venv)
    inner = str(venv_python(venv))
    pip = [inner, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    again = ["--force-reinstall"] if repair else []
    return [
        (tr("Creating the environment"), [str(python), "-m", "venv", "--system-site-packages", str(venv)]),
        (tr("Updating pip"), [*pip, "install", "--upgrade", "pip"]),
        (tr("Installing {} (a large download)").format(tensorflow_requirement(gpu)),
         [*pip, "install", *again, tensorflow_requirement(gpu), NUMPY_REQUIREMENT, *EXTRA_REQUIREMENTS,
          *extra_requirements(extras)]),
        (tr("Checking the environment"), [inner, "-c", "import tensorflow, numpy, pyproj; from osgeo import gdal; "
                                                   + "".join(f"import {EXTRA_IMPORTS[extra]}; " for extra in extras)
                                                   + "print('TensorFlow', tensorflow.__version__, 'numpy', numpy.__version__)"]),
    ]


class CreateEnvironmentTask(QgsTask):
    """Create the TensorFlow venv in the background, with progress per step and a full log.

    Signals arrive on the GUI thread: `logged(line)`, and at the end `created(python)` or
    `failed(sentence)` (`cancelled` tells a Cancel from a failure). The folder is marked as
    Claro's before the first step and complete after the last one: a crash, a Cancel or a
    failed step leaves it incomplete (offered for Repair or Remove, never used as it is).
    """

    logged = pyqtSignal(str)
    created = pyqtSignal(str)
    failed = pyqtSignal(str)

    #: share of the progress bar each step takes (the TensorFlow download dominates)
    WEIGHTS = (0.1, 0.05, 0.8, 0.05)

    def __init__(self, venv: str | os.PathLike, gpu: bool, log_path: str | os.PathLike,
                 python: Optional[str | os.PathLike] = None,
                 steps: Optional[list[tuple[str, list[str]]]] = None, repair: bool = False,
                 extras: Sequence[str] = ()) -> None:
        """`steps` (label, argv) replace install_steps(): a test runs a real but small install;
        `extras`: the optional extras to install too (OPTIONAL_EXTRAS ids)."""
        super().__init__(tr("Repair TensorFlow environment") if repair else tr("Create TensorFlow environment"),
                         QgsTask.CanCancel)
        self.steps = steps
        self.venv = Path(venv)
        self.gpu = gpu
        self.log_path = str(log_path)
        self.python = python
        self.repair = repair
        self.extras = tuple(extras)
        self.message = ""
        self.cancelled = False
        self._process: Optional[subprocess.Popen] = None
        self._process_lock = threading.Lock()

    def run(self) -> bool:
        try:
            steps = self.steps or install_steps(self.venv, self.gpu, self.python, repair=self.repair, extras=self.extras)
        except RuntimeError as error:
            self.message = str(error)
            return False
        if not self.venv.exists():
            self.venv.mkdir(parents=True)
            (self.venv / OWNER_MARKER).write_text(tr("Made by the Claro QGIS plugin; its Remove button may delete this "
                                                     "folder.") + "\n", encoding="utf-8")
        (self.venv / COMPLETE_MARKER).unlink(missing_ok=True)  # incomplete until the last step succeeds
        if not self._run_steps(steps):
            return False
        (self.venv / COMPLETE_MARKER).write_text(tr("Installed and checked by Claro.") + "\n", encoding="utf-8")
        return True

    def _cancelled(self) -> bool:
        if self.isCanceled():
            self.cancelled = True
            self.message = tr("Cancelled; the environment is left incomplete: repair or remove it in the Setup tab.")
            return True
        return False

    def _run_steps(self, steps: list[tuple[str, list[str]]]) -> bool:
        done = 0.0
        with open(self.log_path, "a", encoding="utf-8") as log:
            weights = self.WEIGHTS if len(steps) == len(self.WEIGHTS) else [1 / len(steps)] * len(steps)
            for (label, argv), weight in zip(steps, weights):
                if self._cancelled():
                    return False
                log.write(f"== {label}\n$ {' '.join(argv)}\n")
                log.flush()
                self.logged.emit(label)
                env = child_environment()
                env.pop("PYTHONPATH", None)
                # its own process group, so Cancel stops pip and anything pip started
                group = {"start_new_session": True} if os.name == "posix" else {}
                try:
                    with self._process_lock:
                        self._process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,  # nosec B603 # argv list, no shell: venv and pip of the user's Python
                                                         stdin=subprocess.DEVNULL, text=True, bufsize=1, env=env, **group)
                except OSError as error:
                    self.message = tr("{} failed: {}").format(label, error.strerror or error)
                    return False
                if self.isCanceled():  # cancelled while it was starting
                    self._stop()
                # stdout=PIPE above: Popen always gives a pipe to read (no assert: python -O drops them)
                for line in self._process.stdout:
                    log.write(line)
                    self.logged.emit(line.rstrip())
                    # pip gives no overall fraction: creep forward within the step
                    self.setProgress(100 * (done + weight * 0.5))
                code = self._process.wait()
                log.flush()
                if self._cancelled():
                    return False
                if code != 0:
                    self.message = tr("{} failed (exit code {}); see the log {}.").format(label, code, self.log_path)
                    return False
                done += weight
                self.setProgress(100 * done)
        return True

    def _stop(self) -> None:
        """Kill the running step (on POSIX its whole process group: pip's own children too)."""
        with self._process_lock:
            process = self._process
        if process is None or process.poll() is not None:
            return
        try:
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except (ProcessLookupError, PermissionError):
            pass  # it ended meanwhile

    def cancel(self) -> None:
        super().cancel()
        self._stop()

    def finished(self, ok: bool) -> None:
        if ok:
            self.created.emit(str(venv_python(self.venv)))
        else:
            self.failed.emit(self.message or tr("Creating the environment failed; see the log {}.").format(self.log_path))


class ProbeTask(QgsTask):
    """`checked()` off the GUI thread; `probed(info)` arrives on the GUI thread."""

    probed = pyqtSignal(dict)

    def __init__(self, interpreter: str | os.PathLike, refresh: bool = False) -> None:
        super().__init__(tr("Checking the TensorFlow Python"), QgsTask.CanCancel)
        self.interpreter = str(interpreter)
        self.refresh = refresh
        self.info: dict = {}

    def run(self) -> bool:
        self.info = checked(self.interpreter, refresh=self.refresh)
        return True

    def finished(self, ok: bool) -> None:
        self.probed.emit(self.info or {"error": tr("The check was cancelled.")})
