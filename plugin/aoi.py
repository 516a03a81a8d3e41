"""The Predict tab's area of interest as a file `claro predict --aoi` reads.

Why a file: the backend is another process and reads any OGR source in any CRS (backend/aoi.py),
so the dock passes a polygon layer's own file when it can (with "|layername=NAME" for one layer
of a GeoPackage, the way QGIS writes a layer's source) and otherwise writes a small GeoPackage
into the dock's export folder: the selected features only, a layer that lives in QGIS alone
(memory, database, a filtered view), or the map extent as one rectangle. Each is written in its
own CRS (the layer's, or the map canvas's for the extent): the backend reprojects once.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransformContext, QgsFeature, QgsGeometry,
                       QgsProviderRegistry, QgsRectangle, QgsVectorFileWriter, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QCoreApplication

from .sources import SourceError, _safe

#: the area-of-interest choices of the Predict tab, in the order of its list
NONE, LAYER, SELECTED, EXTENT = "none", "layer", "selected", "extent"
MODES = (NONE, LAYER, SELECTED, EXTENT)


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def mode_labels() -> dict[str, str]:
    """The choices as the tab lists them (translated when asked, not at import)."""
    return {NONE: tr("Whole raster"), LAYER: tr("Polygon layer"), SELECTED: tr("Selected features of the layer"),
            EXTENT: tr("Current map extent")}


def _polygon_layer(layer: Optional[QgsVectorLayer]) -> QgsVectorLayer:
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        raise SourceError(tr("Choose the polygon layer of the area of interest in Predict."))
    if QgsWkbTypes.geometryType(layer.wkbType()) != QgsWkbTypes.PolygonGeometry:
        raise SourceError(tr("The layer '{}' is not a polygon layer; an area of interest is drawn as polygons.")
                          .format(layer.name()))
    return layer


def layer_source(layer: QgsVectorLayer) -> Optional[str]:
    """The file (and layer name) the backend reads for `layer` as it is, or None when it must
    be written first (not a plain OGR file, or a filter that lives in QGIS only)."""
    if layer.providerType() != "ogr" or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not path or not Path(path).is_file():
        return None
    if parts.get("layerId") not in (None, "") and not parts.get("layerName"):
        return None  # a layer picked by index: the backend reads layers by name
    name = parts.get("layerName")
    return f"{path}|layername={name}" if name else path


def _write(layer: QgsVectorLayer, target: Path, only_selected: bool) -> str:
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.fileEncoding = "UTF-8"
    options.onlySelectedFeatures = only_selected
    # a few polygons need no spatial index, and the backend's SQLite (TensorFlow's) may lack rtree
    options.layerOptions = ["SPATIAL_INDEX=NO"]
    # no ct: the features keep the layer's own CRS
    code, message = QgsVectorFileWriter.writeAsVectorFormatV2(layer, str(target), QgsCoordinateTransformContext(),
                                                              options)[:2]
    if code != QgsVectorFileWriter.NoError:
        raise SourceError(tr("The area of interest could not be saved as a GeoPackage in {} ({}).")
                          .format(target.parent, message))
    return str(target)


def extent_layer(extent: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> QgsVectorLayer:
    """One rectangle polygon (the map extent) in the map's CRS, as a memory layer."""
    layer = QgsVectorLayer("Polygon", tr("map extent"), "memory")
    layer.setCrs(crs)
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromRect(extent))
    layer.dataProvider().addFeatures([feature])
    layer.updateExtents()
    return layer


def aoi_file(mode: str, folder: str | os.PathLike, layer: Optional[QgsVectorLayer] = None,
             extent: Optional[QgsRectangle] = None,
             crs: Optional[QgsCoordinateReferenceSystem] = None) -> Optional[str]:
    """The `--aoi` source for the tab's choice (None: the whole raster). `folder` receives the
    GeoPackages written; `extent` and `crs` are the map canvas's for EXTENT."""
    if mode == NONE:
        return None
    folder = Path(folder)
    if mode == EXTENT:
        if extent is None or extent.isEmpty() or crs is None:
            raise SourceError(tr("There is no map extent to use as area of interest; open a map first."))
        return _write(extent_layer(extent, crs), folder / "aoi_map_extent.gpkg", only_selected=False)
    layer = _polygon_layer(layer)
    if mode == SELECTED:
        if layer.selectedFeatureCount() == 0:
            raise SourceError(tr("No feature of the layer '{}' is selected; select the polygons of the area of "
                                 "interest on the map, or choose the whole layer.").format(layer.name()))
        return _write(layer, folder / f"aoi_{_safe(layer.name())}_selected.gpkg", only_selected=True)
    if mode == LAYER:
        return layer_source(layer) or _write(layer, folder / f"aoi_{_safe(layer.name())}.gpkg", only_selected=False)
    raise ValueError(f"unknown area-of-interest choice {mode!r}")


__all__ = ["aoi_file", "extent_layer", "layer_source", "mode_labels", "MODES", "NONE", "LAYER", "SELECTED", "EXTENT"]
