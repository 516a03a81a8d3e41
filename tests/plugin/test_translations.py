"""The Spanish and Brazilian Portuguese translations are complete, current and loaded.

Checks that fail when someone adds a string without translating it (`make translations` then
translate the new entries in i18n/*.ts), when a translation lost a placeholder, or when the
plugin does not pick the translation of the QGIS locale.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "i18n"
LANGUAGES = ("es", "pt_BR")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\d|%s|%n|<[^<>]+>")


def _i18n_sources():
    spec = importlib.util.spec_from_file_location("i18n_sources", ROOT / "scripts" / "i18n_sources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) → the <message> element of a Qt Linguist file."""
    root = ET.parse(ts).getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            found[(name, message.findtext("source"))] = message
    return found


@pytest.fixture(scope="module")
def current_strings(tmp_path_factory) -> set[tuple[str, str]]:
    """Every translatable string of the code today, as pylupdate5 extracts it."""
    if shutil.which("pylupdate5") is None:
        pytest.fail("pylupdate5 is missing: run 'make setup' (pyqt5-dev-tools)")
    work = tmp_path_factory.mktemp("i18n")
    sources = _i18n_sources().prepare(work / "src")
    ts = work / "current.ts"
    subprocess.run(["pylupdate5", "-noobsolete", *map(str, sources), "-ts", str(ts)], check=True,
                   capture_output=True, timeout=120)
    return set(messages(ts))


@pytest.fixture(scope="module")
def compiled() -> Path:
    """The .qm files (build products, not in git): compiled from the .ts when missing or stale."""
    if shutil.which("lrelease") is None:
        pytest.fail("lrelease is missing: run 'make setup' (qttools5-dev-tools)")
    for lang in LANGUAGES:
        ts, qm = I18N / f"claro_{lang}.ts", I18N / f"claro_{lang}.qm"
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run(["lrelease", "-silent", str(ts), "-qm", str(qm)], check=True, timeout=120)
    return I18N


@pytest.fixture
def spanish(compiled):
    """Claro's Spanish translation installed for one test, removed afterwards."""
    from claro.plugin import i18n

    translator = i18n.install_translator("es")
    assert translator is not None
    yield translator
    i18n.remove_translators()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated(lang):
    problems = []
    for (context, source), message in messages(I18N / f"claro_{lang}.ts").items():
        translation = message.find("translation")
        kind = translation.get("type", "")
        if kind in ("unfinished", "obsolete", "vanished") or not (translation.text or "").strip():
            problems.append(f"{context}: {source!r} ({kind or 'empty'})")
    assert not problems, f"{len(problems)} entries of claro_{lang}.ts need work (run 'make translations', then translate):\n" \
                         + "\n".join(problems[:40])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ts_matches_the_code(lang, current_strings):
    in_file = set(messages(I18N / f"claro_{lang}.ts"))
    missing = sorted(current_strings - in_file)
    vanished = sorted(in_file - current_strings)
    assert not missing, f"strings in the code missing from claro_{lang}.ts (run 'make translations'): {missing[:20]}"
    assert not vanished, f"claro_{lang}.ts holds strings the code no longer has (run 'make translations'): {vanished[:20]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_markup(lang):
    wrong = []
    for (context, source), message in messages(I18N / f"claro_{lang}.ts").items():
        translation = message.findtext("translation") or ""
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
            wrong.append(f"{source!r} → {translation!r}")
    assert not wrong, "placeholders or markup differ:\n" + "\n".join(wrong[:20])


def test_parameter_texts_are_translatable(current_strings):
    """Labels and help of backend/params.py reach the .ts files under the 'params' context."""
    from claro.backend.params import TrainParams

    import dataclasses

    for f in dataclasses.fields(TrainParams):
        assert ("params", f.metadata["help"]) in current_strings
        if f.metadata.get("label"):
            assert ("params", f.metadata["label"]) in current_strings


def test_no_formatted_strings_inside_tr():
    """tr(f"…") looks up the already-formatted text, which no translation holds."""
    pattern = re.compile(r"""(?<![\w.])(?:self\.)?(?:tr|translate\([^,]+,)\s*\(?\s*f["']""")
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in sorted((ROOT / "plugin").rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert not offenders, f"use tr('… {{}} …').format(…) instead of an f-string: {offenders}"


def test_translation_file_for_each_locale(compiled):
    from claro.plugin.i18n import translation_file

    assert translation_file("es") == compiled / "claro_es.qm"
    assert translation_file("es_PE") == compiled / "claro_es.qm"
    assert translation_file("pt_BR") == compiled / "claro_pt_BR.qm"
    assert translation_file("pt") == compiled / "claro_pt_BR.qm"
    assert translation_file("en_US") is None


def test_locale_comes_from_qgis_settings(compiled):
    from claro.plugin.i18n import qgis_locale

    settings = QgsSettings()
    saved = {key: settings.value(key) for key in ("locale/overrideFlag", "locale/userLocale")}
    try:
        settings.setValue("locale/overrideFlag", True)
        settings.setValue("locale/userLocale", "pt_BR")
        assert qgis_locale() == "pt_BR"
    finally:
        for key, value in saved.items():
            settings.remove(key) if value is None else settings.setValue(key, value)


def test_spanish_parameter_labels_and_messages(spanish):
    from claro.plugin.i18n import tr_param
    from claro.plugin.log import tr

    assert tr_param("Patch size") == "Tamaño de parche"
    assert tr_param("Epochs") == "Épocas"
    assert tr("CPU only") == "Solo CPU"


def test_spanish_processing_algorithm(spanish):
    """An algorithm built after the translator is installed shows Spanish labels and help."""
    from claro.plugin.algorithms import ClaroAlgorithm

    algorithm = ClaroAlgorithm("train")
    algorithm.initAlgorithm()
    assert algorithm.displayName() == "Entrenar U-Net"
    assert algorithm.parameterDefinition("EPOCHS").description() == "Épocas"
    assert "parches" in algorithm.parameterDefinition("DATA").help()


def test_portuguese_parameter_labels(compiled):
    from claro.plugin import i18n

    assert i18n.install_translator("pt_BR") is not None
    try:
        assert i18n.tr_param("Patch size") == "Tamanho do patch"
        assert QCoreApplication.translate("Claro", "CPU only") == "Somente CPU"
    finally:
        i18n.remove_translators()


def test_dock_opens_in_spanish_when_qgis_is_in_spanish(compiled, qgis_iface):
    """QGIS locale 'es' (Settings ▸ Options ▸ General) → the plugin's dock speaks Spanish."""
    from qgis.PyQt.QtWidgets import QLabel, QTabWidget

    from claro.plugin.main import ClaroPlugin

    settings = QgsSettings()
    saved = {key: settings.value(key) for key in ("locale/overrideFlag", "locale/userLocale")}
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "es")
    plugin = ClaroPlugin(qgis_iface)
    try:
        plugin.initGui()
        dock = plugin.show_dock()
        assert dock.objectName() == "ClaroDock"
        tabs = dock.findChild(QTabWidget)
        assert [tabs.tabText(i) for i in range(tabs.count())] == ["Datos", "Entrenar", "Predecir",
                                                                   "Cambio", "Exactitud", "Configuración"]
        labels = {label.text() for label in dock.findChildren(QLabel)}
        assert "Tamaño de parche" in labels and "Épocas" in labels
        assert plugin.action.text() != "Claro: deep-learning segmentation"
    finally:
        plugin.unload()
        for key, value in saved.items():
            settings.remove(key) if value is None else settings.setValue(key, value)
    assert QCoreApplication.translate("Claro", "Train") == "Train"  # unload removed the translation
