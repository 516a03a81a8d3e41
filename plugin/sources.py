"""Input layers as files the backend can read, and the class values a label layer holds.

Why: the backend is another process and reads files with GDAL/OGR. A layer that is a plain
file is passed by path; a layer that only lives in QGIS (memory layer, database, filtered
view) is exported to a temporary GeoPackage or GeoTIFF first; a web layer (WMS, XYZ) cannot
be trained on and the user is told so in one sentence.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional

import numpy as np
from qgis.core import (QgsCoordinateTransformContext, QgsMapLayer, QgsProject, QgsProviderRegistry, QgsRasterFileWriter, QgsRasterLayer,
                       QgsRasterPipe, QgsVectorFileWriter, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QCoreApplication

#: raster providers whose layers have no file to read: they cannot be used for training
WEB_PROVIDERS = {"wms", "wcs", "arcgismapserver", "xyz", "vectortile", "postgresraster"}
IGNORE_VALUE = 255


class SourceError(ValueError):
    """A layer cannot be given to the backend; the message is one sentence for the user."""


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def _file_part(layer: QgsMapLayer) -> tuple[str, dict]:
    """The file path of a GDAL/OGR layer and the options after it ('|layername=…')."""
    parts = dict(QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source()))
    return parts.get("path") or "", parts


def file_of(layer: QgsMapLayer) -> Optional[str]:
    """The file the backend can read for `layer` as it is, or None when it must be exported."""
    if layer.providerType() not in ("gdal", "ogr"):
        return None
    path, parts = _file_part(layer)
    if not path or not Path(path).is_file():
        return None
    if isinstance(layer, QgsVectorLayer):
        if layer.subsetString():
            return None  # the filter lives in QGIS only
        if parts.get("layerName") or parts.get("layerId"):
            # one layer of a multi-layer file: fine only when it is the file's only layer
            from osgeo import ogr

            source = ogr.Open(path)
            if source is None or source.GetLayerCount() != 1:
                return None
    return path


def export_raster(layer: QgsRasterLayer, folder: str | os.PathLike) -> str:
    """Write a raster layer to a GeoTIFF in `folder` (its full extent and native resolution)."""
    if layer.providerType() in WEB_PROVIDERS:
        raise SourceError(tr("The layer '{}' is a web layer; save it as a GeoTIFF first "
                             "(right-click > Export > Save As…) and use that.").format(layer.name()))
    target = str(Path(folder) / f"{_safe(layer.name())}.tif")
    provider = layer.dataProvider()
    pipe = QgsRasterPipe()
    if not pipe.set(provider.clone()):
        raise SourceError(tr("The layer '{}' could not be read for export.").format(layer.name()))
    writer = QgsRasterFileWriter(target)
    code = writer.writeRaster(pipe, provider.xSize(), provider.ySize(), provider.extent(), provider.crs(),
                              QgsProject.instance().transformContext())
    if code != QgsRasterFileWriter.NoError:
        raise SourceError(tr("The layer '{}' could not be saved as a GeoTIFF (error {}).").format(layer.name(), int(code)))
    return target


def export_vector(layer: QgsVectorLayer, folder: str | os.PathLike) -> str:
    """Write a vector layer (with its filter applied) to a GeoPackage in `folder`."""
    target = str(Path(folder) / f"{_safe(layer.name())}.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.fileEncoding = "UTF-8"
    result = QgsVectorFileWriter.writeAsVectorFormatV2(layer, target, QgsCoordinateTransformContext(), options)
    if result[0] != QgsVectorFileWriter.NoError:
        raise SourceError(tr("The layer '{}' could not be saved as a GeoPackage ({}).").format(layer.name(), result[1]))
    return target


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "layer"


def backend_path(layer: Optional[QgsMapLayer], folder: Optional[str | os.PathLike] = None) -> str:
    """A file path for the backend: the layer's own file, or a temporary export of it."""
    if layer is None:
        raise SourceError(tr("No layer was chosen."))
    path = file_of(layer)
    if path:
        return path
    folder = folder or tempfile.mkdtemp(prefix="claro-export-")
    if isinstance(layer, QgsRasterLayer):
        return export_raster(layer, folder)
    if isinstance(layer, QgsVectorLayer):
        if QgsWkbTypes.geometryType(layer.wkbType()) != QgsWkbTypes.PolygonGeometry:
            raise SourceError(tr("The layer '{}' is not a polygon layer; draw labels as polygons.").format(layer.name()))
        return export_vector(layer, folder)
    raise SourceError(tr("The layer '{}' is neither a raster nor a vector layer.").format(layer.name()))


def raster_values(path: str | os.PathLike, band: int = 1, max_values: int = 256) -> list[int]:
    """Distinct whole-number values of a label raster, read block by block (nodata and 255 left out)."""
    from osgeo import gdal

    dataset = gdal.Open(str(path))
    if dataset is None:
        raise SourceError(tr("{} could not be opened as a raster.").format(path))
    source = dataset.GetRasterBand(band)
    nodata = source.GetNoDataValue()
    block_x, block_y = source.GetBlockSize()
    rows = max(block_y, 256)
    values: set[int] = set()
    for y in range(0, dataset.RasterYSize, rows):
        chunk = source.ReadAsArray(0, y, dataset.RasterXSize, min(rows, dataset.RasterYSize - y))
        found = np.unique(chunk)
        if nodata is not None:
            found = found[found != nodata]
        values.update(int(v) for v in found if float(v).is_integer())
        if len(values) > max_values:
            raise SourceError(tr("{} has more than {} distinct values; a label raster holds class numbers.").format(path, max_values))
    values.discard(IGNORE_VALUE)
    return sorted(values)


def field_values(layer: QgsVectorLayer, field: str, max_values: int = 256) -> list[int]:
    """Distinct whole-number values of a vector layer's class field."""
    index = layer.fields().indexOf(field)
    if index < 0:
        raise SourceError(tr("The layer '{}' has no field '{}'.").format(layer.name(), field))
    values = set()
    for value in layer.uniqueValues(index, max_values + 1):
        if value is None or (hasattr(value, "isNull") and value.isNull()):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise SourceError(tr("The field '{}' holds '{}': class values must be whole numbers.").format(field, value))
        if not number.is_integer():
            raise SourceError(tr("The field '{}' holds {}: class values must be whole numbers.").format(field, value))
        values.add(int(number))
    values.discard(IGNORE_VALUE)
    return sorted(values)


def label_values(layer: QgsMapLayer, class_field: Optional[str] = None, background: str = "0",
                 export_folder: Optional[str | os.PathLike] = None) -> list[int]:
    """The class values a label layer will produce: raster values (of its file, or of a temporary
    GeoTIFF export when it has none), or a field's values plus the background."""
    if isinstance(layer, QgsRasterLayer):
        return raster_values(backend_path(layer, export_folder))
    if isinstance(layer, QgsVectorLayer):
        values = set(field_values(layer, class_field)) if class_field else {1}
        if background.strip().lower() != "ignore":
            try:
                values.add(int(background))
            except ValueError:
                raise SourceError(tr("Background '{}' must be a class value or 'ignore'.").format(background))
        return sorted(values)
    raise SourceError(tr("The layer '{}' is neither a raster nor a vector layer.").format(layer.name()))
