"""Fixtures for the dock/runner tests: isolated settings, a small real Amazon crop (from the
bundled sample, so every clone runs these tests), and a way to wait for background tasks while
the Qt event loop runs (QgsTask.finished needs it)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest
from osgeo import gdal
from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def claro_settings(tmp_path_factory):
    """Claro settings in a throw-away ini file, so tests never touch the user's QGIS profile."""
    from claro.plugin.settings import Settings

    ini = tmp_path_factory.mktemp("settings") / "claro-settings.ini"
    return Settings(QgsSettings(str(ini), QSettings.IniFormat))


@pytest.fixture(scope="module")
def amazon_crop(tmp_path_factory):
    """(image, mask): the top-left 256² of a real Amazon tile (RGB uint8 / 0 forest, 1 cleared;
    44 % cleared, most of it in one large area across its lower half)."""
    from tests.conftest import sample_tile

    image, mask = sample_tile()
    folder = tmp_path_factory.mktemp("amazon")
    out_image, out_mask = folder / "image.tif", folder / "mask.tif"
    gdal.Translate(str(out_image), str(image), srcWin=[0, 0, 256, 256])
    gdal.Translate(str(out_mask), str(mask), srcWin=[0, 0, 256, 256])
    return out_image, out_mask


@pytest.fixture
def dock(qgis_iface, claro_settings, clean_project):
    """A fresh Claro dock with isolated settings and an empty message bar."""
    from claro.plugin.dock import ClaroDock

    widget = ClaroDock(qgis_iface, settings=claro_settings)
    qgis_iface.messageBar().clear_messages()
    yield widget
    widget.shutdown()
    widget.deleteLater()


@pytest.fixture
def clean_project(qgis_app):
    """An empty project before and after the test."""
    QgsProject.instance().clear()
    yield QgsProject.instance()
    QgsProject.instance().clear()


def _wait(condition: Callable[[], bool], timeout: float = 300.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if condition():
            # let queued signals (finished → dock slots) run too
            for _ in range(5):
                QCoreApplication.processEvents()
                time.sleep(0.01)
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def wait_until():
    """wait_until(condition, timeout) → bool, processing Qt events meanwhile."""
    return _wait


@pytest.fixture(scope="module")
def provider(qgis_app, qgis_processing):
    """Claro's provider in the Processing registry, running jobs with the checkout's .venv (the
    Processing tests of every algorithm share it)."""
    from claro.plugin.provider import ClaroProvider
    from claro.plugin.settings import Settings

    settings = Settings()
    saved = settings.interpreter
    settings.interpreter = str(ROOT / ".venv" / "bin" / "python")
    registry = QgsApplication.processingRegistry()
    if registry.providerById("claro") is not None:
        registry.removeProvider("claro")
    instance = ClaroProvider()
    assert registry.addProvider(instance)
    yield instance
    registry.removeProvider("claro")
    settings.interpreter = saved
