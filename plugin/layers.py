"""Claro's outputs as styled layers: class rasters with the model's names and colours, nodata
transparent, in a "Claro" group on top; probability rasters with a colour ramp, hidden.

Why the classes come from the model card (or the .qml the backend writes beside the file):
the legend must say what the model was trained to find, with the colours the analyst chose,
whatever GIS opens the file. Reading a card is pure Python (claro.backend.card), no Keras.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from qgis.core import (QgsColorRamp, QgsColorRampShader, QgsGradientColorRamp, QgsLayerTreeGroup, QgsMapLayer,
                       QgsPalettedRasterRenderer, QgsProject, QgsRasterLayer, QgsRasterRange, QgsRasterShader,
                       QgsSingleBandPseudoColorRenderer, QgsStyle, QgsVectorLayer)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtXml import QDomDocument

from ..backend.card import default_classes, read_card

GROUP_NAME = "Claro"
NODATA = 255
#: the uncertainty ramp when no style is beside the raster (the backend's .qml uses the same ends)
UNCERTAIN_LOW, UNCERTAIN_HIGH = "#ffffff", "#54278f"


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def read_qml_classes(qml: str | os.PathLike) -> list[dict]:
    """Classes from a QGIS paletted style (<paletteEntry value label color>); [] when none.

    Read with Qt's DOM, as QGIS reads styles (it expands no external entities), not xml.etree.
    """
    try:
        content = Path(qml).read_bytes()
    except OSError:
        return []
    document = QDomDocument()
    if not document.setContent(content)[0]:
        return []
    entries = document.elementsByTagName("paletteEntry")
    classes = []
    for i in range(entries.count()):
        entry = entries.item(i).toElement()
        try:
            value = int(float(entry.attribute("value", "")))
        except ValueError:
            continue
        classes.append({"value": value, "name": entry.attribute("label") or f"class {value}",
                        "color": entry.attribute("color") or None})
    return classes


def classes_for(raster: str | os.PathLike, model: Optional[str | os.PathLike] = None,
                card: Optional[dict] = None) -> list[dict]:
    """The classes of a class raster: the model card's, else the .qml beside the raster's."""
    if card is None and model:
        card = read_card(model)
    if card and card.get("classes"):
        return list(card["classes"])
    return read_qml_classes(Path(raster).with_suffix(".qml"))


def _with_colours(classes: list[dict]) -> list[dict]:
    """Fill missing colours with Claro's defaults so every class is drawn."""
    defaults = default_classes([c["value"] for c in classes])
    return [{**c, "color": c.get("color") or d["color"]} for c, d in zip(classes, defaults)]


def paletted_renderer(layer: QgsRasterLayer, classes: list[dict], band: int = 1) -> QgsPalettedRasterRenderer:
    """One palette entry per class; values not listed (nodata 255) draw nothing."""
    entries = [QgsPalettedRasterRenderer.Class(int(c["value"]), QColor(c["color"]), str(c["name"]))
               for c in _with_colours(classes) if int(c["value"]) != NODATA]
    return QgsPalettedRasterRenderer(layer.dataProvider(), band, entries)


def style_class_layer(layer: QgsRasterLayer, classes: list[dict]) -> None:
    """The class names and colours as a palette, nodata 255 transparent (for the dock and Processing)."""
    provider = layer.dataProvider()
    if not provider.sourceHasNoDataValue(1) or provider.sourceNoDataValue(1) != NODATA:
        provider.setUserNoDataValue(1, [QgsRasterRange(NODATA, NODATA)])
    layer.setRenderer(paletted_renderer(layer, classes))
    layer.triggerRepaint()


def claro_group(project: Optional[QgsProject] = None) -> QgsLayerTreeGroup:
    """The "Claro" group at the top of the layer tree (created when missing)."""
    root = (project or QgsProject.instance()).layerTreeRoot()
    group = root.findGroup(GROUP_NAME)
    if group is None:
        group = root.insertGroup(0, GROUP_NAME)
    return group


def _replace_in_group(group: QgsLayerTreeGroup, layer: QgsMapLayer, project: QgsProject, visible: bool) -> None:
    """Put `layer` first in the group, removing older layers of the same file (a rerun)."""
    source = os.path.normcase(os.path.abspath(layer.source()))
    for node in list(group.findLayers()):
        old = node.layer()
        if old is not None and os.path.normcase(os.path.abspath(old.source())) == source:
            project.removeMapLayer(old.id())
    project.addMapLayer(layer, False)
    node = group.insertLayer(0, layer)
    node.setItemVisibilityChecked(visible)


def _open(path: str | os.PathLike, name: str) -> QgsRasterLayer:
    layer = QgsRasterLayer(str(path), name, "gdal")
    if not layer.isValid():
        raise ValueError(tr("QGIS could not open {}; the file may be damaged.").format(path))
    return layer


def ramp_renderer(layer: QgsRasterLayer, band: int, ramp: QgsColorRamp, minimum: float = 0.0,
                  maximum: float = 1.0) -> QgsSingleBandPseudoColorRenderer:
    """A continuous colour ramp from `minimum` to `maximum` on one band (probabilities, uncertainty)."""
    shader_function = QgsColorRampShader(minimum, maximum, ramp)
    shader_function.classifyColorRamp(11, -1)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(shader_function)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), band, shader)
    renderer.setClassificationMin(minimum)
    renderer.setClassificationMax(maximum)
    return renderer


def style_uncertainty_layer(layer: QgsRasterLayer, qml: Optional[str | os.PathLike] = None) -> None:
    """The ramp style the backend wrote beside the uncertainty raster, else Claro's own ramp:
    white (0, certain) to purple (1, as unsure as can be), whatever QGIS would stretch by default."""
    qml = Path(qml) if qml else Path(layer.source()).with_suffix(".qml")
    if qml.is_file():
        _message, ok = layer.loadNamedStyle(str(qml))
        if ok and isinstance(layer.renderer(), QgsSingleBandPseudoColorRenderer):
            layer.triggerRepaint()
            return
    layer.setRenderer(ramp_renderer(layer, 1, QgsGradientColorRamp(QColor(UNCERTAIN_LOW), QColor(UNCERTAIN_HIGH))))
    layer.triggerRepaint()


def add_uncertainty_layer(path: str | os.PathLike, *, name: str = "", project: Optional[QgsProject] = None,
                          visible: bool = False) -> QgsRasterLayer:
    """Load an uncertainty GeoTIFF with its ramp (0 certain, 1 unsure) into the Claro group; hidden
    by default, so the class map stays in view and the analyst turns it on where in doubt."""
    project = project or QgsProject.instance()
    layer = _open(path, name or tr("{} (uncertainty)").format(Path(path).stem))
    style_uncertainty_layer(layer)
    _replace_in_group(claro_group(project), layer, project, visible=visible)
    return layer


def _polygon_source(path: str | os.PathLike) -> str:
    """The GeoPackage's first layer with geometries, by name: its layer_styles table is a layer
    too, and QGIS would open whichever comes first."""
    from osgeo import ogr

    source = ogr.Open(str(path))
    if source is None:
        return str(path)
    for i in range(source.GetLayerCount()):
        layer = source.GetLayer(i)
        if layer.GetGeomType() != ogr.wkbNone:
            return f"{path}|layername={layer.GetName()}"
    return str(path)


def add_polygon_layer(path: str | os.PathLike, *, name: str = "", project: Optional[QgsProject] = None,
                      visible: bool = True) -> QgsVectorLayer:
    """Load a GeoPackage of polygons Claro wrote; QGIS applies the default style stored in it
    (the class colours), so the polygons look like the raster."""
    project = project or QgsProject.instance()
    layer = QgsVectorLayer(_polygon_source(path), name or Path(path).stem, "ogr")
    if not layer.isValid():
        raise ValueError(tr("QGIS could not open {}; the file may be damaged.").format(path))
    _replace_in_group(claro_group(project), layer, project, visible=visible)
    return layer


def add_class_layer(path: str | os.PathLike, classes: Optional[list[dict]] = None, *, model: Optional[str] = None,
                    name: str = "", project: Optional[QgsProject] = None) -> QgsRasterLayer:
    """Load a class GeoTIFF styled with `classes` (or those of `model`'s card / the .qml beside it)."""
    project = project or QgsProject.instance()
    layer = _open(path, name or Path(path).stem)
    classes = classes if classes else classes_for(path, model)
    if not classes:
        raise ValueError(tr("{} has no class list (no model card and no .qml beside it).").format(path))
    style_class_layer(layer, classes)
    group = claro_group(project)
    _replace_in_group(group, layer, project, visible=True)
    group.setExpanded(True)  # the legend (class names and colours) in view
    return layer


def add_probability_layer(path: str | os.PathLike, classes: Optional[list[dict]] = None, *, name: str = "",
                          project: Optional[QgsProject] = None, visible: bool = False) -> QgsRasterLayer:
    """Load a probability GeoTIFF with a 0–1 colour ramp on the first target class; hidden by default.

    With two classes the target is class index 1 (band 2, or band 1 when only one is written).
    """
    project = project or QgsProject.instance()
    layer = _open(path, name or Path(path).stem)
    bands = layer.bandCount()
    band = 2 if bands >= 2 else 1
    if classes and len(classes) >= 2:
        layer.setName(name or tr("{} (probability of {})").format(Path(path).stem, classes[1]["name"]))
    layer.setRenderer(ramp_renderer(layer, band, QgsStyle.defaultStyle().colorRamp("Viridis")))
    _replace_in_group(claro_group(project), layer, project, visible=visible)
    claro_group(project).findLayer(layer.id()).setExpanded(False)
    return layer


def add_sample_layer(path: str | os.PathLike, layer_name: str = "sample", *, name: str = "",
                     project: Optional[QgsProject] = None) -> QgsVectorLayer:
    """Load the points of `claro sample` on top of the "Claro" group, styled by the .qml the
    backend wrote beside them (coloured by the reference label, never by the map class)."""
    project = project or QgsProject.instance()
    layer = QgsVectorLayer(f"{path}|layername={layer_name}", name or Path(path).stem, "ogr")
    if not layer.isValid():
        raise ValueError(tr("QGIS could not open {}; the file may be damaged.").format(path))
    qml = Path(path).with_suffix(".qml")
    if qml.is_file():
        layer.loadNamedStyle(str(qml))
    group = claro_group(project)
    _replace_in_group(group, layer, project, visible=True)
    group.setExpanded(True)
    return layer


def add_change_layer(path: str | os.PathLike, legend: list[dict], *, name: str = "",
                     project: Optional[QgsProject] = None) -> QgsRasterLayer:
    """Load a transition raster of `claro change` with its legend ("forest → cleared", value = the
    transition's code). Not style_class_layer: a change map of many classes is UInt16 with nodata
    65535, where 255 is a transition like any other; the file's own nodata is drawn transparent."""
    project = project or QgsProject.instance()
    layer = _open(path, name or Path(path).stem)
    entries = [QgsPalettedRasterRenderer.Class(int(c["value"]), QColor(c["color"]), str(c["name"]))
               for c in _with_colours(legend)]
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, entries))
    group = claro_group(project)
    _replace_in_group(group, layer, project, visible=True)
    group.setExpanded(True)
    return layer


__all__ = ["add_class_layer", "add_change_layer", "add_probability_layer", "add_uncertainty_layer", "add_polygon_layer", "add_sample_layer",
           "style_uncertainty_layer", "ramp_renderer", "classes_for", "read_qml_classes", "paletted_renderer",
           "style_class_layer", "claro_group", "GROUP_NAME", "NODATA"]
