"""ClaroPlugin: what QGIS loads. Adds the toolbar button and the Raster-menu entry that show the
dock, registers the Processing provider, and removes every trace on unload.

Why the dock is created lazily: QGIS starts faster, and a user who never opens Claro pays
nothing. `qgis.utils.plugins['claro'].dock` is the dock once shown.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .i18n import install_translator, remove_translators

try:  # the Processing provider is written separately; the plugin works without it
    from .provider import ClaroProvider
except ImportError:  # pragma: no cover - depends on the checkout
    ClaroProvider = None  # type: ignore[assignment,misc]

ICON = Path(__file__).resolve().parents[1] / "resources" / "icon.svg"
MENU = "&Claro"


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


class ClaroPlugin:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.action: Optional[QAction] = None
        self.dock = None
        self.provider = None

    @staticmethod
    def _install_translation() -> None:
        try:
            install_translator()  # idempotent; before any widget or algorithm text is built
        except Exception as error:  # noqa: BLE001  a translation problem must never stop the plugin loading
            QgsMessageLog.logMessage(f"Translation not installed: {error}", "Claro", Qgis.Warning)

    def initGui(self) -> None:  # noqa: N802 (QGIS API)
        self._install_translation()
        self.action = QAction(QIcon(str(ICON)), tr("Claro: deep-learning segmentation"), self.iface.mainWindow())
        self.action.setObjectName("ClaroShowDock")
        self.action.setToolTip(tr("Show the Claro dock: train a U-Net on your layers and map the result"))
        self.action.setCheckable(True)
        self.action.triggered.connect(self.toggle_dock)
        self.iface.addToolBarIcon(self.action)
        self.iface.addPluginToRasterMenu(MENU, self.action)
        self.init_processing()

    def init_processing(self) -> None:
        """Register the Processing provider (QGIS calls this too, for hasProcessingProvider=yes;
        qgis_process calls only this, so the translation is installed here as well)."""
        self._install_translation()
        if ClaroProvider is not None and self.provider is None:
            self.provider = ClaroProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    initProcessing = init_processing  # noqa: N815 (QGIS API name)

    def show_dock(self):
        """Create the dock on first use and show it; returns it."""
        if self.dock is None:
            from .dock import ClaroDock

            self.dock = ClaroDock(self.iface, self.iface.mainWindow())
            self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
            self.dock.visibilityChanged.connect(self._dock_visibility)
        self.dock.show()
        self.dock.raise_()
        return self.dock

    def toggle_dock(self, checked: bool = True) -> None:
        if checked or self.dock is None:
            self.show_dock()
        else:
            self.dock.hide()

    def _dock_visibility(self, visible: bool) -> None:
        if self.action is not None:
            self.action.setChecked(visible)

    def unload(self) -> None:
        """Remove the button, the menu entry, the dock and the provider."""
        if self.dock is not None:
            self.dock.shutdown()
            self.iface.removeDockWidget(self.dock)
            self.dock.setParent(None)  # gone from the main window at once, not only after deleteLater
            self.dock.deleteLater()
            self.dock = None
        if self.action is not None:
            self.iface.removePluginRasterMenu(MENU, self.action)
            self.iface.removeToolBarIcon(self.action)
            self.action.deleteLater()
            self.action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translators()
