"""Claro in the analyst's language: the compiled translation (i18n/claro_<locale>.qm) of the
locale QGIS runs in, installed once per session.

Why here and not in Qt's usual place: a QGIS plugin ships its own .qm files, and the parameter
texts come from backend/params.py, which never imports Qt. Those are translated at display
time in the "params" context (`tr_param`); scripts/params_strings.py lists them for pylupdate5.
Every other string uses the "Claro" context (a module's `tr`) or its class (`self.tr`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

#: the context of parameter labels/help (backend/params.py) and job descriptions (backend/cli.py)
PARAMS_CONTEXT = "params"
I18N_DIR = Path(__file__).resolve().parents[1] / "i18n"

_installed: dict[str, QTranslator] = {}


def tr_param(text: str) -> str:
    """A label or help text from backend/params.py in the user's language ('' stays '')."""
    return QCoreApplication.translate(PARAMS_CONTEXT, text) if text else text


def qgis_locale(settings: Optional[QgsSettings] = None) -> str:
    """The locale QGIS's interface uses, e.g. 'es', 'pt_BR', 'en_US'.

    The running translation (qgis --lang, or the one QGIS chose at start-up) wins; then the
    user's override in Settings ▸ Options ▸ General; then the system locale.
    """
    app = QgsApplication.instance()
    # translation() is an instance method in QGIS 3.22 (static in later versions)
    running = app.translation() if isinstance(app, QgsApplication) else ""
    if running:
        return running
    settings = settings or QgsSettings()
    override = settings.value("locale/overrideFlag", False, type=bool)
    user = settings.value("locale/userLocale", "", type=str)
    if override and user:
        return user
    return QLocale().name() or "en"


def translation_file(locale: str, folder: Path = I18N_DIR) -> Optional[Path]:
    """The .qm for `locale`: exact ('pt_BR'), then the language ('es_PE' → 'es'), then any
    variant of the language ('pt' → 'pt_BR'); None for English or a language we lack."""
    locale = locale.replace("-", "_")
    language = locale.split("_")[0]
    for name in (locale, language):
        candidate = folder / f"claro_{name}.qm"
        if candidate.is_file():
            return candidate
    variants = sorted(folder.glob(f"claro_{language}_*.qm"))
    return variants[0] if variants else None


def install_translator(locale: Optional[str] = None) -> Optional[QTranslator]:
    """Install Claro's translation for `locale` (default: QGIS's) into the application.

    Call it before building any widget. Idempotent; returns the translator, or None when
    there is no translation for that locale (English, the source language, needs none).
    """
    path = translation_file(locale or qgis_locale())
    if path is None:
        return None
    key = str(path)
    if key in _installed:
        return _installed[key]
    translator = QTranslator()
    if not translator.load(str(path)):
        return None
    QCoreApplication.installTranslator(translator)
    _installed[key] = translator
    return translator


def remove_translators() -> None:
    """Uninstall what install_translator installed (the plugin's unload)."""
    for translator in _installed.values():
        QCoreApplication.removeTranslator(translator)
    _installed.clear()


__all__ = ["tr_param", "qgis_locale", "translation_file", "install_translator", "remove_translators",
           "PARAMS_CONTEXT", "I18N_DIR"]
