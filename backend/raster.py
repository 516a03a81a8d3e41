"""GDAL helpers: open rasters, put labels on an image's grid, read windows.

Labels are aligned to the image by georeferencing, never by pixel index: a label raster in any
CRS and on any grid is warped (nearest neighbour) onto the image grid through a virtual (VRT)
dataset, so pixels are computed window by window when read and a raster larger than memory
never has to fit in it. Polygons (GeoPackage, GeoJSON, Shapefile, any CRS) are burnt onto the
image grid; GDAL reprojects them to the grid's CRS while burning.
"""
from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import sys
import tempfile
import uuid
import weakref
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

import numpy as np
from osgeo import gdal, ogr, osr

from .errors import ClaroError
from .labels import band_nodata

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

#: What the warp writes where there is no label; no label raster holds it (see _warp_labels).
_NO_LABEL = -2147483648
#: Burnt label grids up to this many pixels live in memory; larger ones in a temporary GeoTIFF.
IN_MEMORY_PIXELS = 1 << 25

_POLYGON_TYPES = {ogr.wkbPolygon, ogr.wkbMultiPolygon, ogr.wkbCurvePolygon, ogr.wkbMultiSurface,
                  ogr.wkbPolyhedralSurface, ogr.wkbTIN}


def open_raster(path: str | os.PathLike, what: str = "Raster") -> gdal.Dataset:
    """Open a raster for reading; a missing or unreadable file is a ClaroError naming it."""
    if not Path(path).exists():
        raise ClaroError(f"{what} {path} does not exist; check the path.")
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY)
    except RuntimeError:
        dataset = None
    if dataset is None or dataset.RasterCount == 0:
        raise ClaroError(f"{what} {path} could not be read as a raster; check that it is a GeoTIFF or another format GDAL reads.")
    return dataset


def _open_vector(path: str | os.PathLike) -> Optional[gdal.Dataset]:
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
    except RuntimeError:
        return None
    if dataset is None or dataset.GetLayerCount() == 0:
        return None
    return dataset


def is_vector(path: str | os.PathLike) -> bool:
    """True when `path` holds vector layers and no raster bands (a GeoPackage may hold both)."""
    try:
        raster = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY)
        if raster is not None and raster.RasterCount > 0:
            return False
    except RuntimeError:
        pass
    return _open_vector(path) is not None


def crs_of(dataset: gdal.Dataset) -> Optional[osr.SpatialReference]:
    """The dataset's CRS with x = easting/longitude axis order, or None when it has none."""
    wkt = dataset.GetProjection() if hasattr(dataset, "GetProjection") else ""
    if not wkt:
        return None
    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def crs_name(srs: Optional[osr.SpatialReference]) -> str:
    """'EPSG:32721' when the CRS has an authority code, else its name; '' without a CRS."""
    if srs is None:
        return ""
    srs = srs.Clone()
    try:
        srs.AutoIdentifyEPSG()
    except RuntimeError:
        pass
    name, code = srs.GetAuthorityName(None), srs.GetAuthorityCode(None)
    return f"{name}:{code}" if name and code else (srs.GetName() or "unnamed CRS")


def is_georeferenced(dataset: gdal.Dataset) -> bool:
    return bool(dataset.GetProjection()) or dataset.GetGeoTransform(can_return_null=True) is not None


def bounds(dataset: gdal.Dataset) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of a raster in its own CRS."""
    x0, dx, rx, y0, ry, dy = dataset.GetGeoTransform()
    xs = [x0 + i * dx + j * rx for i in (0, dataset.RasterXSize) for j in (0, dataset.RasterYSize)]
    ys = [y0 + i * ry + j * dy for i in (0, dataset.RasterXSize) for j in (0, dataset.RasterYSize)]
    return min(xs), min(ys), max(xs), max(ys)


def _transform_bounds(box: tuple[float, float, float, float], source: Optional[osr.SpatialReference],
                      target: Optional[osr.SpatialReference]) -> Optional[tuple[float, float, float, float]]:
    if source is None or target is None or source.IsSame(target):
        return box
    try:
        transform = osr.CoordinateTransformation(source, target)
        minx, miny, maxx, maxy = transform.TransformBounds(*box, 21)
    except RuntimeError:
        return None  # outside the target CRS's area of use: they cannot overlap
    if not all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return minx, miny, maxx, maxy


def _overlaps(a: Optional[tuple], b: tuple) -> bool:
    return a is not None and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def footprints_overlap(source: gdal.Dataset, grid: gdal.Dataset) -> bool:
    """Whether the footprint of raster `source`, taken into `grid`'s CRS, overlaps `grid`."""
    return _overlaps(_transform_bounds(bounds(source), crs_of(source), crs_of(grid)), bounds(grid))


def parse_background(background: str | int, ignore_value: int) -> int:
    """'--background' text → the label value for pixels outside every polygon."""
    text = str(background).strip().lower()
    if text == "ignore":
        return int(ignore_value)
    try:
        return int(text)
    except ValueError:
        raise ClaroError(f"Background '{background}' is neither a whole number nor 'ignore'; give a class value such as 0, or 'ignore'.")


def _check_crs_pair(labels_srs, grid_srs, labels_path) -> None:
    if (labels_srs is None) != (grid_srs is None):
        missing = f"Labels {labels_path}" if labels_srs is None else "The image"
        raise ClaroError(f"{missing} has no coordinate reference system, so the labels cannot be placed on the image; "
                         "assign one (QGIS: Layer Properties → Source) and try again.")


def labels_on_grid(labels_path: str | os.PathLike, grid: gdal.Dataset, *, class_field: Optional[str] = None,
                   background: str = "0", ignore_value: int = 255) -> gdal.Dataset:
    """A one-band dataset on exactly `grid`'s size, geotransform and CRS holding class values,
    with `ignore_value` where the labels say nothing (label nodata, outside the labels).

    A label raster is warped by nearest neighbour through a VRT (computed window by window on
    read). Its label nodata (labels.label_nodata: the declared nodata, else -1 in a signed
    raster, the Sen1Floods11 convention; the dock uses the same rule) becomes `ignore_value`. Polygons are burnt with the
    value of `class_field` (or 1) over `background`, 'ignore' meaning unlabelled.
    """
    path = Path(labels_path)
    if not path.exists():
        raise ClaroError(f"Labels {path} do not exist; check the path.")
    if is_vector(path):
        return _burn_polygons(path, grid, class_field, parse_background(background, ignore_value), ignore_value)
    source = open_raster(path, "Labels")
    return _warp_labels(source, path, grid, ignore_value)


def _grid_overlap_error(labels_path, grid) -> ClaroError:
    return ClaroError(f"Labels {labels_path} and the image {grid.GetDescription()} do not overlap; "
                      "check that both are in the right place (their CRS and extent).")


def _warp_labels(source: gdal.Dataset, path: Path, grid: gdal.Dataset, ignore_value: int) -> gdal.Dataset:
    grid_srs, labels_srs = crs_of(grid), crs_of(source)
    _check_crs_pair(labels_srs, grid_srs, path)
    if not is_georeferenced(source) or not is_georeferenced(grid):
        raise ClaroError(f"Labels {path} or the image has no georeferencing, so they cannot be aligned; "
                         "georeference both (QGIS: Raster → Georeferencer) and try again.")
    if not _overlaps(_transform_bounds(bounds(source), labels_srs, grid_srs), bounds(grid)):
        raise _grid_overlap_error(path, grid)
    nodata = band_nodata(source.GetRasterBand(1))
    if grid.GetGeoTransform()[2] or grid.GetGeoTransform()[4]:
        raise ClaroError(f"The image {grid.GetDescription()} is rotated; warp it to a north-up grid first (gdalwarp).")
    token = uuid.uuid4().hex
    grid_path = f"/vsimem/claro-{token}-labels.vrt"
    width, height = grid.RasterXSize, grid.RasterYSize
    offset = _pixel_offset(source, grid, labels_srs, grid_srs)
    if offset is not None:
        # Same CRS, same pixel size, whole-pixel shift: a plain window of the label raster is
        # exactly what nearest-neighbour warping gives, ~50× cheaper to read.
        sw, sh = source.RasterXSize, source.RasterYSize
        nodata_xml = f"<NODATA>{nodata!r}</NODATA>" if nodata is not None else ""
        source_xml = f"""<ComplexSource>
      <SourceFilename relativeToVRT="0">{html.escape(str(path.resolve()), quote=False)}</SourceFilename>
      <SourceBand>1</SourceBand>{nodata_xml}
      <SrcRect xOff="0" yOff="0" xSize="{sw}" ySize="{sh}"/>
      <DstRect xOff="{offset[0]}" yOff="{offset[1]}" xSize="{sw}" ySize="{sh}"/>
    </ComplexSource>"""
        scratch = [grid_path]
    else:
        # GDAL's warper nudges a valid value equal to the destination nodata (255 → 254), so
        # the warp marks "no label" with a value no label raster holds, and the outer VRT maps
        # it to the ignore value with a lookup table (a label 255 in the source stays 255).
        x0, dx, _, y0, _, dy = grid.GetGeoTransform()
        options = gdal.WarpOptions(
            format="VRT", width=width, height=height,
            outputBounds=(x0, y0 + dy * height, x0 + dx * width, y0),
            dstSRS=grid.GetProjection() or None, resampleAlg="near", outputType=gdal.GDT_Int32,
            srcNodata=nodata, dstNodata=_NO_LABEL, warpOptions=["INIT_DEST=NO_DATA"])
        warped_path = f"/vsimem/claro-{token}-warped.vrt"
        warped = gdal.Warp(warped_path, str(path.resolve()), options=options)
        if warped is None:  # pragma: no cover - GDAL raises with UseExceptions
            raise ClaroError(f"Labels {path} could not be warped onto the image grid.")
        warped = None  # written to /vsimem
        source_xml = f"""<ComplexSource>
      <SourceFilename relativeToVRT="0">{warped_path}</SourceFilename>
      <SourceBand>1</SourceBand>
      <SrcRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/>
      <DstRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/>
      <LUT>{_NO_LABEL}:{ignore_value},{_NO_LABEL + 1}:{_NO_LABEL + 1},2147483647:2147483647</LUT>
    </ComplexSource>"""
        scratch = [grid_path, warped_path]
    srs = f"<SRS>{html.escape(grid.GetProjection(), quote=False)}</SRS>" if grid.GetProjection() else ""
    geotransform = ", ".join(repr(v) for v in grid.GetGeoTransform())
    xml = f"""<VRTDataset rasterXSize="{width}" rasterYSize="{height}">{srs}
  <GeoTransform>{geotransform}</GeoTransform>
  <VRTRasterBand dataType="Int32" band="1">
    <NoDataValue>{ignore_value}</NoDataValue>
    {source_xml}
  </VRTRasterBand>
</VRTDataset>"""
    gdal.FileFromMemBuffer(grid_path, xml.encode("utf-8"))
    labels = gdal.Open(grid_path)
    weakref.finalize(labels, _unlink_all, scratch)
    return labels


def _pixel_offset(source: gdal.Dataset, grid: gdal.Dataset, source_srs, grid_srs) -> Optional[tuple[int, int]]:
    """(column, row) of the source's origin on the grid when both share CRS and pixel size and
    the source is shifted by whole pixels; None when it has to be warped."""
    if (source_srs is None) != (grid_srs is None) or (source_srs is not None and not source_srs.IsSame(grid_srs)):
        return None
    sx0, sdx, srx, sy0, sry, sdy = source.GetGeoTransform()
    gx0, gdx, _, gy0, _, gdy = grid.GetGeoTransform()
    if srx or sry or abs(sdx - gdx) > 1e-9 * abs(gdx) or abs(sdy - gdy) > 1e-9 * abs(gdy):
        return None
    col, row = (sx0 - gx0) / gdx, (sy0 - gy0) / gdy
    if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
        return None
    return int(round(col)), int(round(row))


def _unlink_all(paths: list[str]) -> None:
    for path in paths:
        try:
            gdal.Unlink(path)
        except RuntimeError:
            pass


def _polygon_layer(vector: gdal.Dataset, path: Path) -> ogr.Layer:
    """The first layer holding polygons."""
    for i in range(vector.GetLayerCount()):
        layer = vector.GetLayer(i)
        geometry_type = ogr.GT_Flatten(layer.GetGeomType())
        if geometry_type in _POLYGON_TYPES and layer.GetFeatureCount() > 0:
            return layer
        if geometry_type == ogr.wkbUnknown:  # mixed geometries: look at the features
            layer.ResetReading()
            for feature in layer:
                geometry = feature.GetGeometryRef()
                if geometry is not None and ogr.GT_Flatten(geometry.GetGeometryType()) in _POLYGON_TYPES:
                    layer.ResetReading()
                    return layer
    raise ClaroError(f"Labels {path} hold no polygons; draw polygons of your classes (points and lines cannot be burnt in).")


def _burn_polygons(path: Path, grid: gdal.Dataset, class_field: Optional[str], background: int,
                   ignore_value: int) -> gdal.Dataset:
    vector = _open_vector(path)
    if vector is None:
        raise ClaroError(f"Labels {path} could not be read as a raster or as polygons; check the file.")
    layer = _polygon_layer(vector, path)
    definition = layer.GetLayerDefn()
    if class_field:
        index = definition.GetFieldIndex(class_field)
        if index < 0:
            fields = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
            raise ClaroError(f"Labels {path} have no field '{class_field}' (fields: {', '.join(fields) or 'none'}); "
                             "give the field holding the class value with --class-field.")
        if definition.GetFieldDefn(index).GetType() not in (ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal):
            raise ClaroError(f"Field '{class_field}' of {path} holds text, not class numbers; "
                             "use a field of whole numbers (e.g. 0, 1, 2).")
    grid_srs = crs_of(grid)
    layer_srs = layer.GetSpatialRef()
    if layer_srs is not None:
        layer_srs = layer_srs.Clone()
        layer_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    _check_crs_pair(layer_srs, grid_srs, path)
    minx, maxx, miny, maxy = layer.GetExtent()
    if not _overlaps(_transform_bounds((minx, miny, maxx, maxy), layer_srs, grid_srs), bounds(grid)):
        raise _grid_overlap_error(path, grid)

    byte_ok = class_field is None and 0 <= background <= 255 and 0 <= ignore_value <= 255
    data_type = gdal.GDT_Byte if byte_ok else gdal.GDT_Int32
    width, height = grid.RasterXSize, grid.RasterYSize
    scratch = None
    if width * height <= IN_MEMORY_PIXELS:
        burnt = gdal.GetDriverByName("MEM").Create("", width, height, 1, data_type)
    else:  # too big for memory: a tiled temporary GeoTIFF, removed with the dataset
        scratch = tempfile.mkdtemp(prefix="claro-labels-")
        burnt = gdal.GetDriverByName("GTiff").Create(
            os.path.join(scratch, "labels.tif"), width, height, 1, data_type,
            options=["TILED=YES", "COMPRESS=DEFLATE", "PREDICTOR=2", "BIGTIFF=IF_SAFER"])
    burnt.SetGeoTransform(grid.GetGeoTransform())
    if grid.GetProjection():
        burnt.SetProjection(grid.GetProjection())
    band = burnt.GetRasterBand(1)
    band.SetNoDataValue(ignore_value)
    band.Fill(background)
    options = {"layers": [layer.GetName()]}
    if class_field:
        options["attribute"] = class_field
    else:
        options["burnValues"] = [1]
    gdal.Rasterize(burnt, vector, **options)
    band.FlushCache()
    if scratch is not None:
        weakref.finalize(burnt, shutil.rmtree, scratch, ignore_errors=True)
    return burnt


def check_bands(dataset: gdal.Dataset, bands: Optional[Sequence[int]], path: str | os.PathLike) -> list[int]:
    """The 1-based band numbers to read (default all), refusing any that the raster lacks."""
    count = dataset.RasterCount
    if not bands:
        return list(range(1, count + 1))
    wrong = [b for b in bands if not 1 <= b <= count]
    if wrong:
        raise ClaroError(f"Band {wrong[0]} is out of range: {path} has {count} band{'s' if count != 1 else ''} "
                         f"(numbered 1 to {count}); fix --bands.")
    return list(bands)


def read_window(dataset: gdal.Dataset, bands: Sequence[int], x: int, y: int, width: int, height: int) -> np.ndarray:
    """Pixel values of `bands` in a window: array [bands, height, width] of the raster's type."""
    data = dataset.ReadAsArray(x, y, width, height, band_list=list(bands))
    return data.reshape(len(bands), height, width)


#: metadata items that date a raster: (domain, key), the acquisition first
DATE_ITEMS = (("IMAGERY", "ACQUISITIONDATETIME"), ("", "ACQUISITIONDATETIME"), ("", "TIFFTAG_DATETIME"))


def copy_dates(source: gdal.Dataset, target: gdal.Dataset) -> None:
    """Give a map made from an image the image's date metadata (DATE_ITEMS), so a later
    comparison of two maps (`claro change`) knows their dates without being told."""
    for domain, key in DATE_ITEMS:
        value = source.GetMetadataItem(key, domain)
        if value:
            target.SetMetadataItem(key, value, domain)


def source_files(paths: Iterable[Optional[str | os.PathLike]]) -> list[str]:
    """The given paths and every file GDAL reads behind each raster among them: a VRT's
    sources (a two-date stack from QGIS's Build Virtual Raster), so that no output of a job
    can replace a file the job reads through a VRT."""
    found: list[str] = []
    for path in paths:
        if not path:
            continue
        found.append(str(path))
        try:
            dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY)
        except RuntimeError:
            continue
        if dataset is not None:
            found += [name for name in dataset.GetFileList() or [] if name != str(path)]
    return found


_DST_RECT = re.compile(r"<DstRect\b([^>]*)>")
_RECT_ATTRIBUTE = re.compile(r'(xOff|yOff|xSize|ySize)="([^"]*)"')


class Coverage:
    """Where the bands of a VRT have no source (the dates of a stack that do not cover the same
    extent), for bands without a nodata value or mask: GDAL reads 0 there and says it is valid,
    which would teach the model, and predict over, a date that was never observed."""

    def __init__(self, dataset: gdal.Dataset, bands: Sequence[int]):
        self.rectangles: list[list[tuple[float, float, float, float]]] = []
        if dataset.GetDriver() is None or dataset.GetDriver().ShortName != "VRT":
            return
        width, height = dataset.RasterXSize, dataset.RasterYSize
        for b in bands:
            band = dataset.GetRasterBand(b)
            if band.GetNoDataValue() is not None or not band.GetMaskFlags() & gdal.GMF_ALL_VALID:
                continue  # its nodata or mask already says where it has no data
            rectangles = []
            for source in (band.GetMetadata("vrt_sources") or {}).values():
                match = _DST_RECT.search(source)
                if not match:
                    rectangles = []  # a source without a rectangle covers everything
                    break
                attributes = {k: float(v) for k, v in _RECT_ATTRIBUTE.findall(match.group(1))}
                rectangles.append((attributes.get("xOff", 0.0), attributes.get("yOff", 0.0),
                                   attributes.get("xSize", width), attributes.get("ySize", height)))
            if rectangles and not self._covers(rectangles, 0, 0, width, height):
                self.rectangles.append(rectangles)

    def __bool__(self) -> bool:
        return bool(self.rectangles)

    @staticmethod
    def _covers(rectangles, x: int, y: int, width: int, height: int) -> bool:
        return bool(Coverage._mask(rectangles, x, y, width, height).all())

    @staticmethod
    def _mask(rectangles, x: int, y: int, width: int, height: int) -> np.ndarray:
        """True where one of the rectangles covers a pixel's centre, for a window."""
        covered = np.zeros((height, width), bool)
        for x_off, y_off, x_size, y_size in rectangles:
            # pixel i is covered when its centre i + 0.5 lies in [off, off + size)
            c0 = max(0, int(np.ceil(x_off - 0.5)) - x)
            c1 = min(width, int(np.ceil(x_off + x_size - 0.5)) - x)
            r0 = max(0, int(np.ceil(y_off - 0.5)) - y)
            r1 = min(height, int(np.ceil(y_off + y_size - 0.5)) - y)
            if c0 < c1 and r0 < r1:
                covered[r0:r1, c0:c1] = True
        return covered

    def valid(self, x: int, y: int, width: int, height: int) -> np.ndarray:
        """Boolean [height, width]: True where every band has a source."""
        valid = np.ones((height, width), bool)
        for rectangles in self.rectangles:
            valid &= self._mask(rectangles, x, y, width, height)
        return valid


def valid_window(dataset: gdal.Dataset, bands: Sequence[int], x: int, y: int, width: int, height: int,
                 values: Optional[np.ndarray] = None, coverage: Optional[Coverage] = None) -> np.ndarray:
    """Boolean [height, width]: True where every band has data (not nodata/masked, not NaN, and
    inside a source of every band of a VRT: `Coverage`, computed here unless given).

    GDAL's mask bands cover nodata values, alpha bands and internal masks alike; bands whose
    mask says 'all valid' are not read at all.
    """
    coverage = Coverage(dataset, bands) if coverage is None else coverage
    valid = coverage.valid(x, y, width, height) if coverage else np.ones((height, width), dtype=bool)
    for b in bands:
        band = dataset.GetRasterBand(b)
        if band.GetMaskFlags() & gdal.GMF_ALL_VALID:
            continue
        valid &= band.GetMaskBand().ReadAsArray(x, y, width, height) != 0
    if values is not None and values.dtype.kind == "f":
        valid &= np.isfinite(values).all(axis=0)
    return valid


def read_labels(labels: gdal.Dataset, x: int, y: int, width: int, height: int) -> np.ndarray:
    """Class values of a window of a labels_on_grid dataset: int32 [height, width]."""
    return labels.GetRasterBand(1).ReadAsArray(x, y, width, height).astype(np.int32, copy=False)


def close_written(datasets: dict, key: str, target: str | os.PathLike,
                  finish: Optional[Callable[[gdal.Dataset], None]] = None) -> None:
    """Finish (e.g. build overviews), flush and close the dataset `datasets[key]` was writing (it
    leaves the dict, which must hold the last reference), so a write error such as a full disk
    fails the job before the temporary is renamed into place, instead of leaving a truncated
    GeoTIFF. The dataset is closed even when finishing fails.

    GDAL 3.6's Python bindings have no Dataset.Close() and cannot raise from a destructor: errors
    while closing (the TIFF directory is written then) are collected by an error handler."""
    dataset = datasets.pop(key)
    failures: list[str] = []
    try:
        if finish is not None:
            finish(dataset)
        dataset.FlushCache()
    except RuntimeError as error:
        failures.append(str(error))

    def collect(level, _number, message):
        if level >= gdal.CE_Failure:
            failures.append(message)

    def unraisable(report) -> None:  # with UseExceptions the bindings also report them here
        failures.append(str(report.exc_value))

    hook, sys.unraisablehook = sys.unraisablehook, unraisable
    gdal.PushErrorHandler(collect)
    try:
        del dataset  # the last reference: GDAL closes the file here
    finally:
        gdal.PopErrorHandler()
        sys.unraisablehook = hook
    if failures:
        raise ClaroError(f"Writing {target} failed ({failures[0]}); free some space on its disk or choose another "
                         "folder.")


@contextlib.contextmanager
def writing_into(folder: str | os.PathLike) -> Iterator[None]:
    """Blocks leave GDAL's bounded cache long before the close: a write error there (a full disk)
    is the same sentence as one at the close, not an unexpected RuntimeError."""
    try:
        yield
    except RuntimeError as error:
        raise ClaroError(f"Writing into {folder} failed ({error}); free some space on its disk or choose another "
                         "folder.") from error


def discard_written(datasets: dict) -> None:
    """Close every dataset left in `datasets` (a job that failed), quietly: their temporaries are
    about to be removed, and a second write error would only hide the first."""
    for key in list(datasets):
        try:
            close_written(datasets, key, key)
        except ClaroError:
            pass
