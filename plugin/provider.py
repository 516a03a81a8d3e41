"""The "Claro" Processing provider: Claro's jobs in the Processing toolbox, the Graphical
Modeler, batch mode and `qgis_process` (algorithm ids claro:buildpatches, claro:train,
claro:predict, claro:evaluate).

The plugin registers it in initProcessing() — the only method `qgis_process` calls on a plugin
with hasProcessingProvider=yes — and removes it in unload().
"""
from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .algorithms import ICON, algorithms


class ClaroProvider(QgsProcessingProvider):
    """Provider id 'claro', name 'Claro'; its algorithms are generated from backend/params.py."""

    def id(self) -> str:
        return "claro"

    def name(self) -> str:
        return "Claro"

    def longName(self) -> str:  # noqa: N802 (QGIS API names)
        from ..backend.version import __version__

        return QCoreApplication.translate("Claro", "Claro {}: U-Net segmentation for forest monitoring").format(__version__)

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def svgIconPath(self) -> str:  # noqa: N802
        return str(ICON)

    def loadAlgorithms(self) -> None:  # noqa: N802
        for algorithm in algorithms():
            self.addAlgorithm(algorithm)


__all__ = ["ClaroProvider"]
