"""Input layers as files the backend can read, and the class values a label layer holds.

Which values are classes is the backend's rule (backend/labels.py), so the dock's class table
and `claro patches` agree: label nodata (declared, else -1 in a signed raster) and the ignore
value are not classes, and classes are 0–254.

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

from qgis.core import (QgsCoordinateTransformContext, QgsMapLayer, QgsProject, QgsProviderRegistry, QgsRasterFileWriter, QgsRasterLayer,
                       QgsRasterPipe, QgsTask, QgsVectorFileWriter, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal

from ..backend import labels as label_rule
from ..backend.dataset import SPLITS, read_summary
from ..backend.errors import ClaroError

#: raster providers whose layers have no file to read: they cannot be used for training
WEB_PROVIDERS = {"wms", "wcs", "arcgismapserver", "xyz", "vectortile", "postgresraster"}
IGNORE_VALUE = label_rule.IGNORE_VALUE
#: label rasters up to this many pixels are read at once on the GUI thread (milliseconds);
#: larger ones in a LabelValuesTask
READ_NOW_PIXELS = 1 << 20
#: a label raster with more distinct values than this is most likely an image chosen as labels
IMAGE_LIKE_VALUES = 50


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


def raster_values(path: str | os.PathLike, band: int = 1, max_values: int = 256,
                  ignore_value: int = IGNORE_VALUE) -> list[int]:
    """Distinct class values of a label raster, read whole, by the backend's rule (labels.py:
    label nodata and the ignore value left out). For small rasters; large ones go through
    LabelValuesTask so the GUI thread never reads them."""
    try:
        return label_rule.sample_raster_values(path, band, max_pixels=None, ignore_value=ignore_value,
                                               max_values=max_values).values
    except ClaroError as error:
        raise SourceError(str(error))


class LabelValuesTask(QgsTask):
    """A label raster's class values read off the GUI thread: at most `max_pixels` pixels in
    whole blocks spread over the raster (None: every pixel). `valuesRead(task)` arrives on the
    GUI thread with `sample` (a labels.LabelSample; None when cancelled or failed) and `error`
    (a sentence when reading failed, else ''). `generation` lets the caller tell a stale read
    from the current one."""

    valuesRead = pyqtSignal(object)  # noqa: N815  Qt naming

    def __init__(self, path: str, max_pixels: Optional[int], generation: int = 0,
                 ignore_value: int = IGNORE_VALUE) -> None:
        super().__init__(tr("Claro: reading label values"), QgsTask.CanCancel)
        self.path, self.max_pixels, self.generation, self.ignore_value = path, max_pixels, generation, ignore_value
        self.sample: Optional[label_rule.LabelSample] = None
        self.error = ""

    def run(self) -> bool:
        try:
            self.sample = label_rule.sample_raster_values(self.path, max_pixels=self.max_pixels,
                                                          ignore_value=self.ignore_value, cancelled=self.isCanceled)
        except ClaroError as error:
            self.error = str(error)
            return False
        return not self.isCanceled()

    def finished(self, ok: bool) -> None:
        if not ok and not self.error:
            self.sample = None  # cancelled: what was found so far is not the raster's classes
        self.valuesRead.emit(self)


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


def label_source(layer: QgsMapLayer) -> str:
    """What class names are remembered under: the layer's source (its file, with the sub-layer
    for a multi-layer file); a memory layer, which has no file, by its layer id."""
    return f"memory:{layer.id()}" if layer.providerType() == "memory" else layer.source()


def image_like_warning(layer_name: str, values: list[int]) -> str:
    """A sentence when a label raster holds so many values that it is probably an image ('' otherwise)."""
    if len(values) <= IMAGE_LIKE_VALUES:
        return ""
    return tr("The label layer '{}' holds {} different values: this looks like an image, not labels; choose a "
              "raster of class values (or polygons) as the label layer.").format(layer_name, len(values))


def dataset_summary(folder: str | os.PathLike) -> str:
    """A patch dataset's classes, patches per split and scenes, for the Training data tab;
    SourceError (the backend's sentence) when the folder is not a patch dataset."""
    try:
        summary = read_summary(folder)
    except ClaroError as error:
        raise SourceError(str(error))
    counts = summary.get("counts") or {}
    k, bands = summary["patch_size"], len(summary["bands"])
    lines = [tr("Classes: {}").format(", ".join(f"{c['value']} {c['name']}" for c in summary["classes"])),
             tr("Patches: train {}, validation {}, test {}").format(*(counts.get(split, 0) for split in SPLITS)),
             tr("{} × {} pixels, {} bands").format(k, k, bands)]
    names = [str(name) for name in summary["bands"]]
    if names:  # an Earth Engine export's bands are chosen by name: say which, in the order the model gets them
        lines.append(tr("Bands: {}").format(", ".join(names)))
    for source in summary.get("sources") or []:
        if isinstance(source, dict) and source.get("image") and source.get("labels"):  # scenes of `claro patches`
            lines.append(tr("Scene: {} + {}").format(Path(str(source["image"])).name, Path(str(source["labels"])).name))
    return "\n".join(lines)


#: names of the files `claro describe` reads (GZIP or not is told by the bytes, not the name)
TFRECORD_SUFFIXES = (".tfrecord", ".tfrecords", ".tfrecord.gz", ".gz", ".tfr")


def tfrecord_files(folder: str | os.PathLike) -> list[Path]:
    """The TFRecord files of a folder (an Earth Engine export: `…tfrecord.gz`, `…-00003.gz`), sorted."""
    path = Path(folder)
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(TFRECORD_SUFFIXES))
