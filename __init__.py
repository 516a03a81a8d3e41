"""Claro QGIS plugin entry point. Imports nothing heavy: QGIS loads this at start-up."""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    from .plugin.main import ClaroPlugin

    return ClaroPlugin(iface)
