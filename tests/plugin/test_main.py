"""plugin/main.py: the plugin adds its button and Raster-menu entry, shows the dock (objectName
'ClaroDock'), registers its Processing provider, and unload removes every trace."""
from __future__ import annotations

from qgis.core import QgsApplication
from qgis.PyQt.QtWidgets import QDockWidget

from claro.plugin import main as M


def test_init_show_and_unload(qgis_iface, qgis_processing, clean_project):
    registry = QgsApplication.processingRegistry()
    if registry.providerById("claro") is not None:  # another test's provider
        registry.removeProvider("claro")
    plugin = M.ClaroPlugin(qgis_iface)
    plugin.initGui()
    action = plugin.action
    assert action is not None and not action.icon().isNull()
    assert action.objectName() == "ClaroShowDock"
    qgis_iface.addPluginToRasterMenu.assert_called_with(M.MENU, action)
    assert (registry.providerById("claro") is not None) == (M.ClaroProvider is not None)

    action.trigger()  # the toolbar button / menu entry
    dock = plugin.dock
    assert isinstance(dock, QDockWidget) and dock.objectName() == "ClaroDock"
    assert not dock.isHidden()  # the mock main window itself is never shown
    assert qgis_iface.mainWindow().findChild(QDockWidget, "ClaroDock") is dock
    assert [dock.tabs.tabText(i) for i in range(dock.tabs.count())] == ["Data", "Train", "Predict", "Change", "Assess", "Setup"]
    action.trigger()
    assert dock.isHidden()

    plugin.unload()
    qgis_iface.removePluginRasterMenu.assert_called_with(M.MENU, action)
    assert plugin.dock is None and plugin.action is None and plugin.provider is None
    assert registry.providerById("claro") is None
    assert qgis_iface.mainWindow().findChild(QDockWidget, "ClaroDock") is None
