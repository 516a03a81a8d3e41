"""From a class raster to a map an analyst can use: a minimum mapping unit and polygons.

Why this shape:
- Minimum mapping unit: GDAL's sieve (8-connected, as the polygons) merges every region smaller
  than a pixel threshold into its largest neighbour, in passes until none changes anything (one
  pass can leave clusters of small regions). The threshold comes from the raster's true smallest
  pixel area (areas.PixelAreas), so no region left is smaller than the unit anywhere in the
  raster, whatever the CRS. Nodata is the sieve's mask: it never changes and nothing merges into
  it (a small region with no classified neighbour at all stays: there is nothing to merge it
  into, and dropping it would hide classified pixels).
- Memory: a class map can be 16384² (268 MB as bytes, its probabilities gigabytes). GDAL
  polygonizes line by line into a temporary FlatGeobuf, keeping only regions still open; the
  mean probability of each region comes from a streaming connected-component labelling of the
  class and probability rasters in strips (scipy labels each strip, regions continuing across
  strips are joined by a graph's connected components), so no whole-raster array exists.
  A polygon is matched to its region by the region's first pixel in raster order, whose top-left
  corner is always the leftmost vertex of the exterior ring's topmost row. Memory still grows with
  the number of regions (a few numbers each), with GDAL 3.6's own per-region arrays in its sieve
  and polygonizer, and with the outline of the largest region (GDAL holds a region's outline until
  the region is complete). bench/bench_vectorize.py: 16384² vs 4096² land cover, 1.6× the peak
  RSS for 16× the pixels (455 vs 285 MB).
- Areas: every polygon's area is its true area on the WGS84 ellipsoid (areas.geometry_area_m2).
- Style: a categorized QGIS style stored in the GeoPackage's layer_styles table as the default
  style, so QGIS (and the plugin) draw the polygons in the raster's colours with no sidecar file.
"""
from __future__ import annotations

import datetime
import functools
import math
import os
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
from osgeo import gdal, ogr, osr

from . import areas, style
from .atomic import atomic_file
from .errors import ClaroError
from .version import __version__

NODATA = 255
#: pixels read per strip when labelling regions: bounded memory whatever the raster size
STRIP_PIXELS = 1 << 20
GDAL_CACHE_BYTES = 64 * 1024 * 1024
#: the GeoPackage metadata item that marks a file Claro wrote (atomic.py's "gpkg" kind)
SOFTWARE_KEY = "CLARO_SOFTWARE"
PROBABILITY_FIELD = "probability"
AREA_FIELD = "area_ha"
_FEATURES_PER_TRANSACTION = 20_000
#: sieve passes at most (two sufficed on the noisiest maps tried)
MAX_SIEVE_PASSES = 8


@dataclass(frozen=True)
class ProbabilitySource:
    """Where the probability of each class value is: a band of a float raster on the class
    raster's grid, or 1 − that band (a sigmoid model's first class)."""

    path: str | os.PathLike
    bands: dict[int, int]                          # class value → 1-based band
    complement: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def for_classes(cls, path: str | os.PathLike, classes: list[dict], sigmoid: bool) -> "ProbabilitySource":
        """The layout `claro predict` writes: one band per class, or one band (the second class's
        probability) for a sigmoid model."""
        values = [int(c["value"]) for c in classes]
        if sigmoid:
            return cls(path, {values[0]: 1, values[1]: 1}, frozenset({values[0]}))
        return cls(path, {value: i + 1 for i, value in enumerate(values)})


# --------------------------------------------------------------------------- minimum mapping unit

def sieve_threshold(dataset: gdal.Dataset, min_area_ha: float) -> int:
    """Pixels a region needs to reach `min_area_ha` even where pixels are smallest (0: no sieve)."""
    if min_area_ha <= 0:
        return 0
    smallest = areas.PixelAreas.of(dataset).smallest_m2()
    # round() only absorbs floating-point noise: an exact multiple must not cost a pixel more
    return max(1, math.ceil(round(min_area_ha * areas.M2_PER_HA / smallest, 9)))


class ScaledProgress:
    """A part [start, end] of a job's progress bar, for a step that reports its own 0..1 (and,
    through GDAL's callbacks, a point where Ctrl-C or Cancel stops a long sieve or polygonize)."""

    def __init__(self, progress, start: float, end: float):
        self.progress, self.start, self.end = progress, start, end

    def update(self, fraction: float, message: str = "") -> None:
        self.progress.update(self.start + (self.end - self.start) * fraction, message)


class _Callback:
    """GDAL's progress callback: reports into a part of `progress`, and is where Python sees a
    Ctrl-C (or the CLI's SIGTERM) while GDAL works. An exception raised there would reach the
    caller as GDAL's RuntimeError("User terminated"); it is kept and raised as itself instead."""

    def __init__(self, progress, start: float, end: float, message: str):
        self.progress, self.start, self.end, self.message = progress, start, end, message
        self.error: Optional[BaseException] = None

    def __call__(self, fraction, _message, _data) -> int:
        try:
            if self.progress is not None:
                self.progress.update(self.start + (self.end - self.start) * min(1.0, max(0.0, fraction)), self.message)
        except BaseException as error:  # noqa: BLE001 - raised again by run()
            self.error = error
            return 0
        return 1

    def run(self, function, *args, **kwargs):
        """Call a GDAL algorithm with this callback; its own exception wins over GDAL's."""
        try:
            return function(*args, callback=self, **kwargs)
        except RuntimeError:
            if self.error is not None:
                raise self.error from None
            raise


def sieve(path: str | os.PathLike, min_area_ha: float, nodata: int = NODATA, progress=None) -> int:
    """Merge the 8-connected regions smaller than `min_area_ha` into their largest neighbour, in
    place (a writable GeoTIFF: a job's temporary output). Nodata pixels never change and are never
    merged into. Returns the pixel threshold (0 when `min_area_ha` is 0: nothing is done).

    One GDAL pass merges a small region into its largest neighbour even when that neighbour is
    small too, and does not look again: clusters of small regions can stay below the unit (seen
    on fine-grained noise). Passes repeat, each into a scratch copy compared strip by strip, until
    one changes nothing."""
    with _exceptions():
        dataset = gdal.Open(str(path), gdal.GA_Update)
        threshold = sieve_threshold(dataset, min_area_ha)
        if threshold <= 1:
            return threshold
        band = dataset.GetRasterBand(1)
        if band.GetNoDataValue() is None or int(band.GetNoDataValue()) != nodata:
            band.SetNoDataValue(nodata)  # the mask below must be the class raster's nodata
        width, height = dataset.RasterXSize, dataset.RasterYSize
        scratch_path = Path(f"{path}.sieve.tif")
        # in the band's own type: a change map of 16 classes or more holds UInt16 codes
        scratch = gdal.GetDriverByName("GTiff").Create(str(scratch_path), width, height, 1, band.DataType,
                                                       options=["TILED=YES", "COMPRESS=LZW", "BIGTIFF=IF_SAFER"])
        try:
            target = scratch.GetRasterBand(1)
            for number in range(1, MAX_SIEVE_PASSES + 1):
                callback = _Callback(progress, (number - 1) / MAX_SIEVE_PASSES, number / MAX_SIEVE_PASSES,
                                     "minimum mapping unit")
                callback.run(gdal.SieveFilter, band, band.GetMaskBand(), target, threshold, 8)
                if not _copy_changes(target, band, width, height):
                    break
            dataset.FlushCache()
        finally:
            target = scratch = None
            scratch_path.unlink(missing_ok=True)
        band = dataset = None
    return threshold


def _copy_changes(source, target, width: int, height: int) -> int:
    """Write the strips of `source` that differ from `target` into it; the pixels changed."""
    rows = max(1, STRIP_PIXELS // max(width, 1))
    changed = 0
    for y0 in range(0, height, rows):
        h = min(rows, height - y0)
        new, old = source.ReadAsArray(0, y0, width, h), target.ReadAsArray(0, y0, width, h)
        differ = int(np.count_nonzero(new != old))
        if differ:
            target.WriteArray(new, 0, y0)
            changed += differ
    return changed


# --------------------------------------------------------------------------- region statistics

class _Regions:
    """Mean probability of every 8-connected region, found by the region's first pixel."""

    def __init__(self, seeds: np.ndarray, means: np.ndarray, values: np.ndarray):
        self.seeds, self.means, self.values = seeds, means, values

    def mean(self, seed: int, value: int) -> float:
        i = int(np.searchsorted(self.seeds, seed))
        if i >= len(self.seeds) or self.seeds[i] != seed or self.values[i] != value:  # pragma: no cover - a bug
            raise RuntimeError(f"no region of value {value} starts at pixel {seed}")
        return float(self.means[i])


def _strip_probability(source: gdal.Dataset, probability: ProbabilitySource, classes: np.ndarray,
                       y0: int, present: list[int]) -> np.ndarray:
    """The probability of each pixel's own class, for the strip starting at row y0."""
    height, width = classes.shape
    out = np.zeros(classes.shape, np.float64)
    read: dict[int, np.ndarray] = {}
    for value in present:
        number = probability.bands[value]
        if number not in read:
            read[number] = source.GetRasterBand(number).ReadAsArray(0, y0, width, height).astype(np.float64)
        where = classes == value
        band = read[number][where]
        out[where] = 1.0 - band if value in probability.complement else band
    return out


def _region_means(dataset: gdal.Dataset, probability: ProbabilitySource, values: set[int]) -> _Regions:
    """Streaming connected components (8-connected) of the values in `values`, strip by strip,
    with the sum of their pixels' probabilities; regions split by strip borders are joined at the
    end as the connected components of a small graph."""
    from scipy import ndimage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    source = gdal.Open(str(probability.path))
    if source is None or (source.RasterXSize, source.RasterYSize) != (dataset.RasterXSize, dataset.RasterYSize):
        raise ClaroError(f"The probability raster {probability.path} is not on the class raster's grid; "
                         "give the probabilities of the same prediction.")
    wanted = sorted(v for v in values if v in probability.bands)
    band = dataset.GetRasterBand(1)
    width, height = dataset.RasterXSize, dataset.RasterYSize
    rows = max(1, STRIP_PIXELS // max(width, 1))
    structure = np.ones((3, 3), bool)
    counts, sums, seeds, kinds, links = [], [], [], [], []
    offset = 0
    previous: Optional[tuple[np.ndarray, np.ndarray]] = None  # last row's (classes, labels)
    for y0 in range(0, height, rows):
        h = min(rows, height - y0)
        classes = band.ReadAsArray(0, y0, width, h)
        labels = np.zeros(classes.shape, np.int64)  # 0: not a region; else offset + 1 + local label
        present = [v for v in wanted if (classes == v).any()]
        n = 0
        value_of = []
        for value in present:
            local, found = ndimage.label(classes == value, structure)
            inside = local > 0
            labels[inside] = local[inside] + (offset + n)
            value_of.append(np.full(found, value, np.int16))
            n += found
        if n:
            flat = labels.ravel()
            positions = np.flatnonzero(flat)
            index = flat[positions] - offset - 1
            p = _strip_probability(source, probability, classes, y0, present).ravel()[positions]
            counts.append(np.bincount(index, minlength=n))
            sums.append(np.bincount(index, weights=p, minlength=n))
            first = np.full(n, np.iinfo(np.int64).max, np.int64)
            np.minimum.at(first, index, positions + np.int64(y0) * width)
            seeds.append(first)
            kinds.append(np.concatenate(value_of))
        if previous is not None:
            above_classes, above = previous
            pairs = []
            for shift in (-1, 0, 1):  # the pixel above-left, above and above-right
                a = np.zeros(width, np.int64)
                c = np.full(width, -1, np.int32)
                if shift < 0:
                    a[1:], c[1:] = above[:-1], above_classes[:-1]
                elif shift > 0:
                    a[:-1], c[:-1] = above[1:], above_classes[1:]
                else:
                    a[:], c[:] = above, above_classes
                same = (a > 0) & (labels[0] > 0) & (c == classes[0])
                if same.any():
                    pairs.append(np.stack([a[same], labels[0][same]]) - 1)
            if pairs:  # one link per pair of pieces, not per column: memory set by the regions, not the width
                links.append(np.unique(np.concatenate(pairs, axis=1), axis=1))
        previous = (classes[-1].astype(np.int32), labels[-1].copy())
        offset += n
    if not offset:
        return _Regions(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int16))
    edges = np.concatenate(links, axis=1) if links else np.zeros((2, 0), np.int64)
    graph = coo_matrix((np.ones(edges.shape[1], np.int8), (edges[0], edges[1])), shape=(offset, offset))
    _, component = connected_components(graph, directed=False)
    count = np.bincount(component, weights=np.concatenate(counts))
    total = np.bincount(component, weights=np.concatenate(sums))
    seed = np.full(len(count), np.iinfo(np.int64).max, np.int64)
    np.minimum.at(seed, component, np.concatenate(seeds))
    kind = np.zeros(len(count), np.int16)
    kind[component] = np.concatenate(kinds)
    order = np.argsort(seed)
    return _Regions(seed[order], (total / count)[order], kind[order])


def _release_memory() -> None:
    """Hand the memory a finished step freed back to the system (glibc keeps freed heap for reuse,
    so one step's peak would otherwise sit under the next one's). A no-op where there is no glibc."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
        if trim is not None:
            trim(0)
    except OSError:
        pass


def _exterior(geometry: ogr.Geometry) -> list[np.ndarray]:
    """The vertices of each exterior ring (polygon, or each part of a multipolygon) as (n, 2)
    arrays, read from the WKB without a Python object per vertex (a big map's largest region
    has millions)."""
    if ogr.GT_Flatten(geometry.GetGeometryType()) != ogr.wkbPolygon:
        return [p for i in range(geometry.GetGeometryCount()) for p in _exterior(geometry.GetGeometryRef(i))]
    wkb = bytes(geometry.ExportToWkb(ogr.wkbNDR))
    (rings,) = struct.unpack_from("<I", wkb, 5)
    if not rings:
        return []
    (count,) = struct.unpack_from("<I", wkb, 9)
    return [np.frombuffer(wkb, np.float64, 2 * count, 13).reshape(count, 2)]


def _first_pixel(geometry: ogr.Geometry, inverse: tuple, width: int) -> int:
    """The region's first pixel in raster order (row × width + column): its topmost row, and the
    leftmost pixel there, whose top-left corner is a vertex of the polygon's exterior ring (a hole
    never reaches above the region it is in)."""
    best_row, best_col = None, None
    for xy in _exterior(geometry):
        col = np.rint(inverse[0] + inverse[1] * xy[:, 0] + inverse[2] * xy[:, 1])
        row = np.rint(inverse[3] + inverse[4] * xy[:, 0] + inverse[5] * xy[:, 1])
        top = row.min()
        left = col[row == top].min()
        if best_row is None or (top, left) < (best_row, best_col):
            best_row, best_col = top, left
    return int(best_row) * width + int(best_col)


# --------------------------------------------------------------------------- polygons

class _exceptions:
    """GDAL and OGR raising exceptions inside, whatever the caller's setting (restored in reverse),
    and GDAL's block cache bounded: its default (5 % of the RAM) would otherwise fill with the
    probability raster's blocks, though every strip is read once."""

    def __enter__(self):
        self.previous = (gdal.GetUseExceptions(), ogr.GetUseExceptions(), gdal.GetCacheMax())
        gdal.UseExceptions()
        ogr.UseExceptions()
        gdal.SetCacheMax(min(self.previous[2], GDAL_CACHE_BYTES))

    def __exit__(self, *exc):
        gdal.SetCacheMax(self.previous[2])
        if not self.previous[1]:
            ogr.DontUseExceptions()
        if not self.previous[0]:
            gdal.DontUseExceptions()
        return False


def _field_type(values: list[Any]) -> int:
    if values and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        return ogr.OFTInteger64 if any(abs(int(v)) >= 2 ** 31 for v in values) else ogr.OFTInteger
    if values and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values):
        return ogr.OFTReal
    return ogr.OFTString


def _set(feature: ogr.Feature, name: str, value: Any) -> None:
    if value is None:
        feature.SetFieldNull(name)
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        feature.SetField(name, int(value))
    elif isinstance(value, (float, np.floating)):
        feature.SetField(name, float(value))
    else:
        feature.SetField(name, str(value))


@functools.lru_cache(maxsize=None)
def _spatial_index() -> str:
    """YES when this process's SQLite has the R-tree module a GeoPackage's spatial index needs.
    TensorFlow bundles an SQLite without it, and when TensorFlow is loaded before GDAL its SQLite
    is the one GDAL calls (`claro predict` loads GDAL first, so its GeoPackages get an index;
    a test process may not): without the module the polygons are still written, unindexed."""
    probe = f"/vsimem/claro-rtree-{uuid.uuid4().hex}.gpkg"
    try:
        with _exceptions():
            dataset = ogr.GetDriverByName("GPKG").CreateDataSource(probe)
            layer = dataset.CreateLayer("probe", None, ogr.wkbPoint, options=["SPATIAL_INDEX=YES"])
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetGeometry(ogr.CreateGeometryFromWkt("POINT (0 0)"))
            layer.CreateFeature(feature)
            dataset.FlushCache()
            layer = dataset = None
        return "YES"
    except RuntimeError:
        return "NO"
    finally:
        gdal.Unlink(probe)


def layer_name(out_path: str | os.PathLike) -> str:
    """The polygons' layer: the GeoPackage's name, as QGIS would call it."""
    return Path(out_path).stem


def write_polygons(class_path: str | os.PathLike, out_path: str | os.PathLike, *, value_field: str,
                   attributes: dict[int, dict], constants: Optional[dict] = None,
                   probability: Optional[ProbabilitySource] = None, colors: Optional[dict[int, str]] = None,
                   nodata: int = NODATA, progress=None, layer: Optional[str] = None) -> dict[int, dict]:
    """One polygon per 8-connected region of a value in `attributes` (other values are not
    written) into a GeoPackage, with fields `value_field`, the value's attributes, area_ha (true
    area), probability (mean over the region, with `probability`) and `constants`; styled by
    value in `colors`. Written to a temporary name and renamed. `layer` names the layer (default:
    the file's name; give it when `out_path` is itself a job's temporary). Returns per value
    {"polygons": n, "hectares": total}."""
    constants = dict(constants or {})
    layer = layer or layer_name(out_path)
    wanted = {int(v) for v in attributes}
    summary: dict[int, dict] = {v: {"polygons": 0, "hectares": 0.0} for v in sorted(wanted)}
    with _exceptions():
        dataset = gdal.Open(str(class_path))
        crs_wkt = dataset.GetProjection()
        if not crs_wkt:
            raise ClaroError(f"The class raster {class_path} has no coordinate reference system, so its polygons "
                             "would have no true area; assign one and try again.")
        srs = osr.SpatialReference(crs_wkt)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        band = dataset.GetRasterBand(1)
        if band.GetNoDataValue() is None:
            raise ClaroError(f"The class raster {class_path} has no nodata value; set it to {nodata}.")
        regions = None
        inverse = gdal.InvGeoTransform(dataset.GetGeoTransform())
        width = dataset.RasterXSize
        names = [value_field] + sorted({k for a in attributes.values() for k in a} - {value_field})
        with atomic_file(out_path) as tmp:
            raw_path = Path(f"{tmp}.raw.fgb")
            try:
                raw = ogr.GetDriverByName("FlatGeobuf").CreateDataSource(str(raw_path))
                raw_layer = raw.CreateLayer("regions", srs, ogr.wkbPolygon, options=["SPATIAL_INDEX=NO"])
                raw_layer.CreateField(ogr.FieldDefn("value", ogr.OFTInteger))
                _Callback(progress, 0.0, 0.4, "polygons").run(gdal.Polygonize, band, band.GetMaskBand(), raw_layer, 0,
                                                               ["8CONNECTED=8"])
                raw_layer = raw = None
                _release_memory()  # GDAL's polygons in progress are gone: one peak, not two stacked
                if probability is not None:
                    if progress is not None:
                        progress.update(0.4, "region probabilities")
                    regions = _region_means(dataset, probability, wanted)
                    _release_memory()
                raw = ogr.Open(str(raw_path))
                raw_layer = raw.GetLayer(0)
                total = max(1, raw_layer.GetFeatureCount())
                out = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp))
                out.SetMetadataItem(SOFTWARE_KEY, f"claro {__version__}")
                polygons = out.CreateLayer(layer, srs, ogr.wkbPolygon,
                                           options=["GEOMETRY_NAME=geom", "FID=fid", f"SPATIAL_INDEX={_spatial_index()}"])
                types = {value_field: ogr.OFTInteger}
                for name in names[1:]:
                    types[name] = _field_type([a.get(name) for a in attributes.values() if a.get(name) is not None])
                types[AREA_FIELD] = ogr.OFTReal
                if regions is not None:
                    types[PROBABILITY_FIELD] = ogr.OFTReal
                for name, value in constants.items():
                    types[name] = _field_type([value] if value is not None else [])
                for name, kind in types.items():
                    polygons.CreateField(ogr.FieldDefn(name, kind))
                definition = polygons.GetLayerDefn()
                out.StartTransaction()
                for done, source in enumerate(raw_layer, start=1):
                    value = source.GetFieldAsInteger(0)
                    if value in wanted:
                        geometry = source.GetGeometryRef()
                        hectares = areas.geometry_area_m2(geometry, crs_wkt) / areas.M2_PER_HA
                        feature = ogr.Feature(definition)
                        feature.SetGeometry(geometry)
                        feature.SetField(value_field, value)
                        for name in names[1:]:
                            _set(feature, name, attributes[value].get(name))
                        feature.SetField(AREA_FIELD, hectares)
                        if regions is not None and value in probability.bands:
                            feature.SetField(PROBABILITY_FIELD, regions.mean(_first_pixel(geometry, inverse, width), value))
                        elif regions is not None:
                            feature.SetFieldNull(PROBABILITY_FIELD)  # a value without a probability band
                        for name, constant in constants.items():
                            _set(feature, name, constant)
                        polygons.CreateFeature(feature)
                        summary[value]["polygons"] += 1
                        summary[value]["hectares"] += hectares
                    if done % _FEATURES_PER_TRANSACTION == 0:
                        out.CommitTransaction()
                        out.StartTransaction()
                        if progress is not None:
                            progress.update(0.6 + 0.4 * done / total, "polygon areas")
                out.CommitTransaction()
                raw_layer = raw = None
                _store_style(out, layer, value_field, attributes, colors)
                polygons = definition = None
                out.FlushCache()
                out = None
            finally:
                raw_layer = raw = None
                for side in raw_path.parent.glob(raw_path.name + "*"):
                    side.unlink()
    return summary


# --------------------------------------------------------------------------- style

def _rgba(color: Optional[str], index: int) -> str:
    return ",".join(str(c) for c in style.hex_to_rgb(color, index)) + ",255"


#: a QGIS fill symbol layer's attributes ("pass" is the rendering pass, built from pairs so a
#: security linter does not take it for a password)
SYMBOL_LAYER_ATTRIBUTES = dict(zip(("class", "enabled", "pass", "locked"), ("SimpleFill", "1", "0", "0")))


def categorized_qml(attribute: str, categories: list[tuple[int, str, str]]) -> str:
    """A QGIS 3 categorized-renderer style: one fill symbol per (value, label, '#rrggbb'),
    outlined in a darker shade so adjacent regions of one class stay distinguishable."""
    symbols, entries = [], []
    for i, (value, label, color) in enumerate(categories):
        rgb = style.hex_to_rgb(color, i)
        outline = ",".join(str(int(c * 0.6)) for c in rgb) + ",255"
        properties = {"color": _rgba(color, i), "outline_color": outline, "outline_style": "solid",
                      "outline_width": "0.2", "outline_width_unit": "MM", "style": "solid", "joinstyle": "bevel"}
        options = [("Option", {"name": k, "type": "QString", "value": v}, "") for k, v in properties.items()]
        props = [("prop", {"k": k, "v": v}, "") for k, v in properties.items()]
        symbols.append(("symbol", {"type": "fill", "name": str(i), "alpha": "1", "clip_to_extent": "1",
                                   "force_rhr": "0"},
                        [("layer", SYMBOL_LAYER_ATTRIBUTES,
                          [("Option", {"type": "Map"}, options), *props])]))
        entries.append(("category", {"value": str(value), "label": label, "symbol": str(i), "render": "true"}, ""))
    renderer = ("renderer-v2", {"type": "categorizedSymbol", "attr": attribute, "symbollevels": "0",
                                "enableorderby": "0", "forceraster": "0"},
                [("categories", {}, entries), ("symbols", {}, symbols)])
    qgis = ("qgis", {"version": "3.22.0", "styleCategories": "AllStyleCategories"}, [renderer, ("blendMode", {}, "0"),
                                                                                      ("featureBlendMode", {}, "0")])
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + style._xml(qgis) + "\n"


def category_label(value: int, attributes: dict) -> str:
    """A legend entry: the value's name (class_name, name), else its attributes joined by arrows
    (from, to → "forest → cleared"), else the value."""
    for key in ("class_name", "name"):
        if attributes.get(key):
            return str(attributes[key])
    texts = [str(v) for v in attributes.values() if v is not None and v != ""]
    return " → ".join(texts) if texts else str(value)


def _store_style(out: ogr.DataSource, table: str, attribute: str, attributes: dict[int, dict],
                 colors: Optional[dict[int, str]]) -> None:
    """The style as the layer's default in the GeoPackage's layer_styles table (the table QGIS
    reads and writes for "Save style ▸ in database"), so QGIS applies it when the layer is added."""
    categories = []
    for value in sorted(attributes):
        categories.append((int(value), category_label(value, attributes[value]), (colors or {}).get(value) or ""))
    styles = out.CreateLayer("layer_styles", geom_type=ogr.wkbNone)
    for name, kind in (("f_table_catalog", ogr.OFTString), ("f_table_schema", ogr.OFTString),
                       ("f_table_name", ogr.OFTString), ("f_geometry_column", ogr.OFTString),
                       ("styleName", ogr.OFTString), ("styleQML", ogr.OFTString), ("styleSLD", ogr.OFTString),
                       ("useAsDefault", ogr.OFTInteger), ("description", ogr.OFTString), ("owner", ogr.OFTString),
                       ("ui", ogr.OFTString), ("update_time", ogr.OFTDateTime)):
        definition = ogr.FieldDefn(name, kind)
        if name == "useAsDefault":
            definition.SetSubType(ogr.OFSTBoolean)
        styles.CreateField(definition)
    feature = ogr.Feature(styles.GetLayerDefn())
    now = datetime.datetime.now(datetime.timezone.utc)
    for name, value in (("f_table_catalog", ""), ("f_table_schema", ""), ("f_table_name", table),
                        ("f_geometry_column", "geom"), ("styleName", table),
                        ("styleQML", categorized_qml(attribute, categories)), ("styleSLD", ""),
                        ("description", f"Claro {__version__}: classes in the class raster's colours"),
                        ("owner", ""), ("ui", "")):
        feature.SetField(name, value)
    feature.SetField("useAsDefault", 1)
    feature.SetField("update_time", now.year, now.month, now.day, now.hour, now.minute, float(now.second), 100)
    styles.CreateFeature(feature)


def is_claro_geopackage(path: str | os.PathLike) -> bool:
    """A GeoPackage write_polygons made (its metadata names Claro), so --overwrite may replace it."""
    try:
        with open(path, "rb") as stream:
            if stream.read(16) != b"SQLite format 3\x00":
                return False
    except OSError:
        return False
    with _exceptions():
        try:
            dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
        except RuntimeError:
            return False
        return bool(dataset is not None and (dataset.GetMetadataItem(SOFTWARE_KEY) or "").startswith("claro"))
