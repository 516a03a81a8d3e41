"""Which Python runs TensorFlow, what it has, and making one when there is none.

Why: QGIS's own Python must never import TensorFlow (it crashes QGIS), and inside QGIS
`sys.executable` is QGIS itself. So the backend runs in another interpreter, chosen in order:
  1. the one the user set in the dock (Settings.interpreter),
  2. the venv Claro created under the QGIS profile (<profile>/claro/venv),
  3. a development checkout's .venv beside the plugin (plugin_root/.venv),
  4. a `python3` on PATH.
`probe()` asks an interpreter, in a child process, for its Python, TensorFlow, GPUs, numpy and
GDAL. `CreateEnvironmentTask` makes the venv (with system site packages, so GDAL comes along)
and installs TensorFlow into it — only ever when the user clicks the button.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal

from .child import PACKAGE, child_environment, package_root

TF_VERSION = "2.21.0"
#: numpy 2 breaks GDAL's Python bindings built against numpy 1 (Debian 12, OSGeo4W 3.22)
NUMPY_REQUIREMENT = "numpy<2"
#: What the backend uses beside TensorFlow: figures, and fast patch writing (optional but 5-10x faster).
EXTRA_REQUIREMENTS = ("matplotlib", "isal", "google-crc32c")
PROBE_TIMEOUT_SECONDS = 180

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


def development_python() -> Path:
    """A checkout's own .venv (made by `make setup`), beside the plugin's files."""
    return venv_python(package_root() / ".venv")


def candidates(configured: str = "") -> list[tuple[str, Path]]:
    """(where it came from, interpreter path) in order of preference; only existing files."""
    found: list[tuple[str, Path]] = []
    if configured:
        found.append((tr("chosen in settings"), Path(configured)))
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
        completed = subprocess.run([str(path), "-m", f"{PACKAGE}.backend.probe"], capture_output=True, text=True, timeout=timeout,
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
    return "\n".join(lines)


def usable(info: dict) -> bool:
    """Can this interpreter run Claro's backend?"""
    return "error" not in info and bool(info.get("tensorflow")) and bool(info.get("gdal")) and bool(info.get("numpy"))


def has_nvidia_gpu() -> bool:
    """An NVIDIA GPU with a working driver (nvidia-smi lists it)."""
    tool = shutil.which("nvidia-smi")
    if not tool:
        return False
    try:
        completed = subprocess.run([tool, "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and "GPU" in completed.stdout


def tensorflow_requirement(gpu: bool) -> str:
    """The pip requirement: the CUDA build on Linux with an NVIDIA GPU, else the CPU build."""
    if gpu and sys.platform.startswith("linux"):
        return f"tensorflow[and-cuda]=={TF_VERSION}"
    return f"tensorflow-cpu=={TF_VERSION}" if sys.platform != "darwin" else f"tensorflow=={TF_VERSION}"


def base_python() -> Optional[Path]:
    """QGIS's own Python as a program (so the venv's system site packages hold QGIS's GDAL)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    options = []
    if Path(sys.executable).name.lower().startswith("python"):
        options.append(Path(sys.executable))
    prefix = Path(sys.base_exec_prefix)
    options += [prefix / "python.exe", prefix / "bin" / f"python{version}", prefix / "bin" / "python3"]
    which = shutil.which(f"python{version}") or shutil.which("python3")
    if which:
        options.append(Path(which))
    for option in options:
        if option.is_file():
            return option
    return None


def install_steps(venv: str | os.PathLike, gpu: bool, python: Optional[str | os.PathLike] = None) -> list[tuple[str, list[str]]]:
    """(label, argv) of each step that creates the venv and installs TensorFlow into it."""
    python = python or base_python()
    if python is None:
        raise RuntimeError(tr("No Python program was found to create the environment from; choose an existing Python instead."))
    venv = Path(venv)
    inner = str(venv_python(venv))
    pip = [inner, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    return [
        (tr("Creating the environment"), [str(python), "-m", "venv", "--system-site-packages", str(venv)]),
        (tr("Updating pip"), [*pip, "install", "--upgrade", "pip"]),
        (tr("Installing {} (a large download)").format(tensorflow_requirement(gpu)),
         [*pip, "install", tensorflow_requirement(gpu), NUMPY_REQUIREMENT, *EXTRA_REQUIREMENTS]),
        (tr("Checking the environment"), [inner, "-c", "import tensorflow, numpy; from osgeo import gdal; "
                                                   "print('TensorFlow', tensorflow.__version__, 'numpy', numpy.__version__)"]),
    ]


class CreateEnvironmentTask(QgsTask):
    """Create the TensorFlow venv in the background, with progress per step and a full log.

    Signals arrive on the GUI thread: `logged(line)`, and at the end `created(python)` or
    `failed(sentence)`.
    """

    logged = pyqtSignal(str)
    created = pyqtSignal(str)
    failed = pyqtSignal(str)

    #: share of the progress bar each step takes (the TensorFlow download dominates)
    WEIGHTS = (0.1, 0.05, 0.8, 0.05)

    def __init__(self, venv: str | os.PathLike, gpu: bool, log_path: str | os.PathLike,
                 python: Optional[str | os.PathLike] = None,
                 steps: Optional[list[tuple[str, list[str]]]] = None) -> None:
        """`steps` (label, argv) replace install_steps(): a test runs a real but small install."""
        super().__init__(tr("Create TensorFlow environment"), QgsTask.CanCancel)
        self.steps = steps
        self.venv = Path(venv)
        self.gpu = gpu
        self.log_path = str(log_path)
        self.python = python
        self.message = ""
        self._process: Optional[subprocess.Popen] = None

    def run(self) -> bool:
        try:
            steps = self.steps or install_steps(self.venv, self.gpu, self.python)
        except RuntimeError as error:
            self.message = str(error)
            return False
        self.venv.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.venv.exists()
        ok = self._run_steps(steps)
        if not ok and fresh and self.venv.is_dir():
            shutil.rmtree(self.venv, ignore_errors=True)  # no half-made environment is left to be found
        return ok

    def _run_steps(self, steps: list[tuple[str, list[str]]]) -> bool:
        done = 0.0
        with open(self.log_path, "a", encoding="utf-8") as log:
            weights = self.WEIGHTS if len(steps) == len(self.WEIGHTS) else [1 / len(steps)] * len(steps)
            for (label, argv), weight in zip(steps, weights):
                if self.isCanceled():
                    self.message = tr("Cancelled.")
                    return False
                log.write(f"== {label}\n$ {' '.join(argv)}\n")
                log.flush()
                self.logged.emit(label)
                env = child_environment()
                env.pop("PYTHONPATH", None)
                try:
                    self._process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                     stdin=subprocess.DEVNULL, text=True, bufsize=1, env=env)
                except OSError as error:
                    self.message = tr("{} failed: {}").format(label, error.strerror or error)
                    return False
                assert self._process.stdout is not None
                for line in self._process.stdout:
                    log.write(line)
                    self.logged.emit(line.rstrip())
                    # pip gives no overall fraction: creep forward within the step
                    self.setProgress(100 * (done + weight * 0.5))
                code = self._process.wait()
                log.flush()
                if self.isCanceled():
                    self.message = tr("Cancelled.")
                    return False
                if code != 0:
                    self.message = tr("{} failed (exit code {}); see the log {}.").format(label, code, self.log_path)
                    return False
                done += weight
                self.setProgress(100 * done)
        return True

    def cancel(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
        super().cancel()

    def finished(self, ok: bool) -> None:
        if ok:
            self.created.emit(str(venv_python(self.venv)))
        else:
            self.failed.emit(self.message or tr("Creating the environment failed; see the log {}.").format(self.log_path))


class ProbeTask(QgsTask):
    """`probe()` off the GUI thread; `probed(info)` arrives on the GUI thread."""

    probed = pyqtSignal(dict)

    def __init__(self, interpreter: str | os.PathLike) -> None:
        super().__init__(tr("Checking the TensorFlow Python"), QgsTask.CanCancel)
        self.interpreter = str(interpreter)
        self.info: dict = {}

    def run(self) -> bool:
        self.info = probe(self.interpreter)
        return True

    def finished(self, ok: bool) -> None:
        self.probed.emit(self.info or {"error": tr("The check was cancelled.")})
