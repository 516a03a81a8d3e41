"""`make package` gives a zip QGIS installs: one folder `claro/` with code, metadata, resources and
compiled translations, nothing for developers; unpacked into a fresh profile, the real QGIS
desktop (under Xvfb, in Spanish) loads it, opens the dock and lists the Processing algorithms.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("es", "pt_BR")

#: runs inside QGIS (--code): checks, writes a JSON result, quits QGIS
CHECK_SCRIPT = r'''
import json, os, sys, traceback
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QTabWidget
from qgis.core import QgsApplication
import qgis.utils

RESULT = os.environ["CLARO_CHECK_RESULT"]


def check():
    out = {}
    try:
        registry = QgsApplication.processingRegistry()
        out["translation"] = QgsApplication.instance().translation()
        out["loaded"] = "claro" in qgis.utils.plugins
        out["module_file"] = sys.modules["claro"].__file__ if "claro" in sys.modules else None
        plugin = qgis.utils.plugins["claro"]
        action = next(a for a in qgis.utils.iface.mainWindow().findChildren(qgis.PyQt.QtWidgets.QAction)
                      if a.objectName() == "ClaroShowDock")
        action.trigger()  # what the user clicks: the toolbar button / Raster menu entry
        QgsApplication.processEvents()
        dock = qgis.utils.iface.mainWindow().findChild(QDockWidget, "ClaroDock")
        out["dock_visible"] = dock is not None and dock.isVisible()
        out["dock_title"] = dock.windowTitle() if dock else None
        tabs = dock.findChild(QTabWidget) if dock else None
        out["tabs"] = [tabs.tabText(i) for i in range(tabs.count())] if tabs else []
        out["algorithms"] = sorted(a.id() for a in registry.providerById("claro").algorithms()) \
            if registry.providerById("claro") else []
        predict = registry.algorithmById("claro:predict")
        out["predict_name"] = predict.displayName() if predict else None
        out["epochs_label"] = registry.algorithmById("claro:train").parameterDefinition("EPOCHS").description() \
            if predict else None
        qgis.utils.unloadPlugin("claro")
        QgsApplication.processEvents()
        out["after_unload"] = {
            "dock": qgis.utils.iface.mainWindow().findChild(QDockWidget, "ClaroDock") is not None
                    and qgis.utils.iface.mainWindow().findChild(QDockWidget, "ClaroDock").isVisible(),
            "provider": registry.providerById("claro") is not None,
        }
    except Exception:
        out["error"] = traceback.format_exc()
    with open(RESULT, "w", encoding="utf-8") as handle:
        json.dump(out, handle)
    QTimer.singleShot(20000, lambda: os._exit(3))  # if quitting hangs, the result is written anyway
    qgis.utils.iface.actionExit().trigger()


QTimer.singleShot(500, check)
'''


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """The zip scripts/package.sh builds (translations compiled first, as `make package` does)."""
    for tool in ("lrelease", "zip"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: run 'make setup'")
    for lang in LANGUAGES:
        ts = ROOT / "i18n" / f"claro_{lang}.ts"
        subprocess.run(["lrelease", "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True, timeout=120)
    dist = tmp_path_factory.mktemp("dist")
    completed = subprocess.run(["bash", str(ROOT / "scripts" / "package.sh")], capture_output=True, text=True,
                               env={**os.environ, "CLARO_DIST": str(dist)}, timeout=300)
    assert completed.returncode == 0, completed.stderr
    zips = list(dist.glob("claro-*.zip"))
    assert len(zips) == 1
    return zips[0]


def metadata_version() -> str:
    for line in (ROOT / "metadata.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("version="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("metadata.txt has no version")


def test_zip_holds_the_plugin_and_nothing_else(package):
    assert package.name == f"claro-{metadata_version()}.zip"
    names = zipfile.ZipFile(package).namelist()
    assert {name.split("/")[0] for name in names} == {"claro"}
    for needed in ("metadata.txt", "__init__.py", "plugin/main.py", "plugin/provider.py", "plugin/dock.py",
                   "backend/cli.py", "backend/params.py", "resources/icon.svg",
                   "i18n/claro_es.qm", "i18n/claro_pt_BR.qm"):
        assert f"claro/{needed}" in names, needed
    forbidden = [name for name in names
                 if name.split("/")[1] in ("tests", "bench", "scripts", ".venv", ".ci", "dist", "build", ".git",
                                           "Makefile", "pytest.ini", ".gitignore", ".qgis-settings", "docs",
                                           "requirements.txt", "constraints.txt")
                 or name.startswith("claro/resources/screenshots/") or "__pycache__" in name or name.endswith((".pyc", ".ts", ".aux.xml"))]
    assert forbidden == []
    # the version lives in metadata.txt only, and the zip carries that same file
    assert f"version={metadata_version()}" in zipfile.ZipFile(package).read("claro/metadata.txt").decode()


def test_wrong_version_argument_is_refused():
    completed = subprocess.run(["bash", str(ROOT / "scripts" / "package.sh"), "99.0.0"], capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode != 0
    assert "metadata.txt" in completed.stderr


def test_qgis_desktop_loads_the_packaged_plugin(package, tmp_path):
    """Unzip into a fresh profile, start QGIS in Spanish under Xvfb, open the dock, list algorithms."""
    for tool in ("xvfb-run", "qgis"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: run 'make setup'")
    profiles = tmp_path / "profiles-root"
    profile = profiles / "profiles" / "claro-test"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(package) as archive:
        archive.extractall(plugins)
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text("[PythonPlugins]\nclaro=true\n")
    script = tmp_path / "check.py"
    script.write_text(CHECK_SCRIPT)
    result = tmp_path / "result.json"
    home = tmp_path / "home"
    (home / "runtime").mkdir(parents=True, mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if k not in ("QGIS_CUSTOM_CONFIG_PATH", "QGIS_OPTIONS_PATH", "QT_QPA_PLATFORM") and not k.startswith("PYTHON")}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(home / "runtime"), CLARO_CHECK_RESULT=str(result))
    completed = subprocess.run(["xvfb-run", "-a", "qgis", "--profiles-path", str(profiles), "--profile", "claro-test",
                                "--nologo", "--noversioncheck", "--lang", "es", "--code", str(script)],
                               capture_output=True, text=True, env=env, timeout=300)
    assert result.exists(), f"QGIS wrote no result (exit {completed.returncode}): {completed.stderr[-2000:]}"
    out = json.loads(result.read_text())
    assert "error" not in out, out["error"]
    assert out["loaded"]
    assert Path(out["module_file"]).resolve().is_relative_to(plugins.resolve()), out["module_file"]
    assert out["dock_visible"]
    assert out["algorithms"] == ["claro:buildpatches", "claro:evaluate", "claro:predict", "claro:train"]
    # in Spanish: the packaged .qm is found and loaded for the QGIS locale
    assert out["translation"] == "es"
    assert out["tabs"] == ["Datos de entrenamiento", "Entrenar", "Predecir", "Entorno"]
    assert out["predict_name"] == "Clasificar ráster (predecir)"
    assert out["epochs_label"] == "Épocas"
    assert out["after_unload"] == {"dock": False, "provider": False}


def test_deploy_copies_the_same_tree_into_a_profile(tmp_path):
    """`make deploy` (scripts/deploy.sh): the zip's file list, replaced on each run; never
    deletes a folder that is not a Claro plugin."""
    plugins = tmp_path / "profiles" / "default" / "python" / "plugins"
    script = ROOT / "scripts" / "deploy.sh"
    for _ in range(2):  # a second deploy replaces the first
        completed = subprocess.run(["bash", str(script), str(plugins)], capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr
    target = plugins / "claro"
    assert (target / "metadata.txt").read_text() == (ROOT / "metadata.txt").read_text()
    assert (target / "plugin" / "provider.py").read_bytes() == (ROOT / "plugin" / "provider.py").read_bytes()
    assert not (target / "tests").exists() and not (target / ".venv").exists()
    assert [p.name for p in plugins.iterdir()] == ["claro"]  # no staging folder left behind

    foreign = tmp_path / "other" / "claro"
    foreign.mkdir(parents=True)
    (foreign / "precious.txt").write_text("not ours")
    completed = subprocess.run(["bash", str(script), str(foreign.parent)], capture_output=True, text=True, timeout=120)
    assert completed.returncode != 0 and "not a Claro plugin" in completed.stderr
    assert (foreign / "precious.txt").read_text() == "not ours"
