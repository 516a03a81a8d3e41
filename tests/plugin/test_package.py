"""`make package` gives a zip QGIS installs: one folder `claro/` with code, metadata, resources,
LICENSE and compiled translations, nothing for developers; unpacked into a fresh profile, the real
QGIS desktop (under Xvfb, in Spanish) loads it, opens the dock and lists the Processing algorithms.
The zip passes plugins.qgis.org's upload rules (scripts/validate_package.py) and its security scan
(bandit, `make lint`).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("es", "pt_BR")
VALIDATOR = ROOT / "scripts" / "validate_package.py"


def load_validator():
    """scripts/validate_package.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("validate_package", VALIDATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


V = load_validator()

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
def package_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The zip scripts/package.sh builds (translations compiled first, as `make package` does) and
    what the script printed."""
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
    return zips[0], completed


@pytest.fixture(scope="module")
def package(package_run) -> Path:
    return package_run[0]


def metadata_version() -> str:
    for line in (ROOT / "metadata.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("version="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("metadata.txt has no version")


def test_zip_holds_the_plugin_and_nothing_else(package):
    assert package.name == f"claro-{metadata_version()}.zip"
    names = zipfile.ZipFile(package).namelist()
    assert {name.split("/")[0] for name in names} == {"claro"}
    for needed in ("metadata.txt", "__init__.py", "LICENSE", "plugin/main.py", "plugin/provider.py", "plugin/dock.py",
                   "plugin/tabs/predict.py",
                   "backend/cli.py", "backend/params.py", "resources/icon.svg",
                   "i18n/claro_es.qm", "i18n/claro_pt_BR.qm"):
        assert f"claro/{needed}" in names, needed
    forbidden = [name for name in names
                 if name.split("/")[1] in ("tests", "bench", "scripts", ".venv", ".ci", "dist", "build", ".git",
                                           "Makefile", "pytest.ini", ".gitignore", ".qgis-settings", "docs",
                                           "requirements.txt", "constraints.txt")
                 or name.startswith(("claro/resources/screenshots/", "claro/resources/sample/"))
                 or "__pycache__" in name or name.endswith((".pyc", ".ts", ".aux.xml"))]
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
    assert out["algorithms"] == ["claro:assess", "claro:buildpatches", "claro:change", "claro:describe", "claro:evaluate",
                                 "claro:export", "claro:predict", "claro:sample", "claro:train"]
    # in Spanish: the packaged .qm is found and loaded for the QGIS locale
    assert out["translation"] == "es"
    assert out["tabs"] == ["Datos", "Entrenar", "Predecir", "Cambio", "Exactitud", "Configuración"]
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


def test_license_is_gpl2_or_later_at_the_root_and_in_the_zip(package):
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("Claro is licensed under the GNU General Public License version 2 or (at your option) any\nlater version")
    assert "GNU GENERAL PUBLIC LICENSE\n                       Version 2, June 1991" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text  # the full text, not a summary
    assert zipfile.ZipFile(package).read("claro/LICENSE").decode("utf-8") == license_text
    about = V.read_metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))["about"]
    assert "GNU GPL version 2 or (at your option) any later version" in about


def test_sample_tiles_stay_out_of_the_zip_and_no_shipped_code_uses_them(package):
    archive = zipfile.ZipFile(package)
    assert not [n for n in archive.namelist() if n.startswith("claro/resources/sample")]
    assert [n for n in archive.namelist() if n.startswith("claro/resources/")] == ["claro/resources/icon.svg"]
    python = [n for n in archive.namelist() if n.endswith(".py")]
    assert len(python) > 20
    # a path to the tiles ('resources/sample', ROOT / "sample"); 'sample' alone is also a command (claro sample)
    assert [n for n in python if re.search(r"resources[/\"', ]+sample|/\s*[\"']sample[\"']", archive.read(n).decode())] == []
    assert package.stat().st_size < 1_000_000  # with the sample tiles it was over 2 MB


def test_the_real_zip_follows_the_plugin_repository_rules(package):
    failures, warnings = V.check_zip(package)
    assert failures == []
    completed = subprocess.run([sys.executable, str(VALIDATOR), str(package)], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert "follows the plugin repository's rules" in completed.stdout


def test_make_package_warns_while_email_and_urls_are_placeholders(package_run):
    """Until Claro has a public home, metadata.txt holds placeholders: a WARNING from `make package`
    (and from validate-package), never a failure."""
    metadata = V.read_metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))
    expected = V.placeholder_warnings(metadata)
    printed = [line[len("WARNING: "):] for line in package_run[1].stderr.splitlines() if line.startswith("WARNING: ")]
    assert printed == expected
    if "example.org" in metadata["email"]:  # today's metadata.txt
        assert printed[0] == (f"metadata.txt: email={metadata['email']} is a placeholder; set Claro's real address "
                              "before uploading to plugins.qgis.org.")
        assert {line.split("=")[0].split(": ")[1] for line in printed} == {"email", "repository", "tracker", "homepage"}


def test_what_counts_as_a_placeholder():
    real = {"email": "team@claro.dev", "repository": "https://github.com/someone/claro",
            "tracker": "https://github.com/someone/claro/issues", "homepage": "https://claro.dev"}
    assert V.placeholder_warnings(real) == []
    assert V.placeholder_warnings({**real, "email": "me@EXAMPLE.com"}) == [
        "metadata.txt: email=me@EXAMPLE.com is a placeholder; set Claro's real address before uploading to "
        "plugins.qgis.org."]
    assert V.placeholder_warnings({**real, "homepage": "https://github.com/claro-gis"}) == [
        "metadata.txt: homepage=https://github.com/claro-gis is a placeholder; set Claro's real URL before "
        "uploading to plugins.qgis.org."]


GOOD_METADATA = """[general]
name=Claro
qgisMinimumVersion=3.22
description=Segment rasters.
about=A U-Net in QGIS.
version=0.1.0
author=Claro developers
email=team@claro.dev
repository=https://github.com/someone/claro
tracker=https://github.com/someone/claro/issues
homepage=https://claro.dev
icon=resources/icon.svg
"""
GOOD_FILES = {"claro/__init__.py": b"def classFactory(iface):\n    pass\n", "claro/metadata.txt": GOOD_METADATA.encode(),
              "claro/LICENSE": b"GPL-2.0-or-later", "claro/resources/icon.svg": b"<svg/>"}


def build_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def without(key: str) -> bytes:
    return "".join(line + "\n" for line in GOOD_METADATA.splitlines() if not line.startswith(key + "=")).encode()


def replaced(key: str, value: str) -> bytes:
    return re.sub(rf"(?m)^{key}=.*$", f"{key}={value}", GOOD_METADATA).encode()


BAD_ZIPS = {
    "two top folders": ({**GOOD_FILES, "other/x.py": b""},
                        "the zip must hold exactly one top folder (the plugin), not claro, other."),
    "top folder not a module name": ({k.replace("claro/", "Claro-Plugin/"): v for k, v in GOOD_FILES.items()},
                                     "the top folder 'Claro-Plugin' is not a Python module name (lowercase letters, "
                                     "digits, underscores, not starting with a digit)."),
    "no __init__.py": ({k: v for k, v in GOOD_FILES.items() if k != "claro/__init__.py"},
                       "claro/__init__.py is missing; QGIS imports the plugin folder as a Python package."),
    "no metadata.txt": ({k: v for k, v in GOOD_FILES.items() if k != "claro/metadata.txt"},
                        "claro/metadata.txt is missing; the plugin folder needs a metadata.txt."),
    "metadata without [general]": ({**GOOD_FILES, "claro/metadata.txt": b"name=Claro\n"},
                                   "claro/metadata.txt cannot be read (File contains no section headers.); write it "
                                   "as UTF-8 with a [general] section."),
    "required keys missing": ({**GOOD_FILES, "claro/metadata.txt": without("tracker").replace(b"about=A U-Net in QGIS.", b"about=")},
                              "claro/metadata.txt lacks about, tracker; plugins.qgis.org requires name, "
                              "qgisMinimumVersion, description, about, version, author, email, repository, tracker."),
    "tracker not a URL": ({**GOOD_FILES, "claro/metadata.txt": replaced("tracker", "http://bugs")},
                          "claro/metadata.txt: tracker=http://bugs is not a web address; give a full https:// URL."),
    "author with a slash": ({**GOOD_FILES, "claro/metadata.txt": replaced("author", "Ana/Bea")},
                            "claro/metadata.txt: author=Ana/Bea contains a slash, which plugins.qgis.org refuses."),
    "icon missing": ({k: v for k, v in GOOD_FILES.items() if k != "claro/resources/icon.svg"},
                     "claro/metadata.txt names the icon resources/icon.svg, but claro/resources/icon.svg is missing "
                     "or empty in the zip."),
    "no LICENSE": ({k: v for k, v in GOOD_FILES.items() if k != "claro/LICENSE"},
                   "claro/LICENSE is missing; plugins.qgis.org requires a LICENSE file in the plugin folder."),
    ".pyc": ({**GOOD_FILES, "claro/main.pyc": b"\0"},
             "'claro/main.pyc' is compiled Python (.pyc); leave compiled files out of the zip."),
    "__pycache__": ({**GOOD_FILES, "claro/plugin/__pycache__/x.txt": b""},
                    "'claro/plugin/__pycache__/x.txt' is inside a __pycache__ folder; leave __pycache__ out of the zip."),
    ".git": ({**GOOD_FILES, "claro/.git": b"gitdir: /somewhere"},
             "'claro/.git' is inside a .git folder; leave .git out of the zip."),
    "__MACOSX": ({**{k.replace("claro/", "__MACOSX/claro/"): v for k, v in GOOD_FILES.items()}, **GOOD_FILES},
                 "'__MACOSX/claro/__init__.py' is inside a __MACOSX folder; leave __MACOSX out of the zip."),
    "absolute path": ({**GOOD_FILES, "/etc/claro.conf": b""},
                      "'/etc/claro.conf' is an absolute path or contains '..'; the zip may hold only paths inside the "
                      "plugin folder."),
    "parent path": ({**GOOD_FILES, "claro/../evil.py": b""},
                    "'claro/../evil.py' is an absolute path or contains '..'; the zip may hold only paths inside the "
                    "plugin folder."),
}


def test_a_good_zip_passes(tmp_path):
    assert V.check_zip(build_zip(tmp_path / "good.zip", GOOD_FILES)) == ([], [])


@pytest.mark.parametrize("case", list(BAD_ZIPS))
def test_each_rule_of_the_plugin_repository_fails_with_its_sentence(tmp_path, case):
    files, sentence = BAD_ZIPS[case]
    failures, _ = V.check_zip(build_zip(tmp_path / "bad.zip", files))
    assert sentence in failures, failures


def test_a_zip_of_25_mb_or_more_is_refused(tmp_path, monkeypatch):
    path = build_zip(tmp_path / "big.zip", GOOD_FILES)
    monkeypatch.setattr(V, "MAX_SIZE", path.stat().st_size)
    failures, _ = V.check_zip(path)
    assert failures == [f"big.zip is {path.stat().st_size / 1e6:.1f} MB; plugins.qgis.org takes less than 0 MB."]
    assert load_validator().MAX_SIZE == 25_000_000  # the site's PLUGIN_MAX_UPLOAD_SIZE


def test_validate_package_prints_one_sentence_per_failure_and_exits_1(tmp_path):
    files = {k: v for k, v in GOOD_FILES.items() if k not in ("claro/LICENSE", "claro/__init__.py")}
    completed = subprocess.run([sys.executable, str(VALIDATOR), str(build_zip(tmp_path / "bad.zip", files))],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        "validate-package: claro/__init__.py is missing; QGIS imports the plugin folder as a Python package.",
        "validate-package: claro/LICENSE is missing; plugins.qgis.org requires a LICENSE file in the plugin folder.",
        "validate-package: bad.zip would be refused by plugins.qgis.org (2 problems).",
    ]


def test_bandit_finds_nothing_in_the_shipped_code():
    """`make lint`: the security scan plugins.qgis.org runs, over __init__.py, backend/ and plugin/."""
    completed = subprocess.run(["make", "--no-print-directory", "lint"], cwd=ROOT, capture_output=True, text=True,
                               timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Issue:" not in completed.stdout and "WARNING" not in completed.stderr
