"""True areas on the WGS84 ellipsoid, whatever the raster's or polygon's CRS.

A hectare in Claro is a hectare on the ground: pixels of a GeoTIFF in EPSG:4326 shrink with
latitude (a 1°×1° cell covers 12,309 km² at the equator and about half at 60°), and UTM's scale
error makes a 1000 m square anything between 0.9992 and ~1.002 km². Counting pixels times a
nominal pixel size would be wrong by those factors, so areas come from pyproj's `Geod`
(GeographicLib) on the WGS84 ellipsoid:

- a geographic raster on the WGS84 ellipsoid, not rotated: each row's pixel area in closed form
  (the ellipsoidal zone area between two parallels, i.e. the authalic latitude), exact;
- any other grid (projected, rotated, other datums): the true area of pixels on a coarse lattice
  (corners transformed to lon/lat by GDAL, Geod polygon area), interpolated bilinearly. The
  lattice has at most LATTICE nodes per axis, so a 16384² raster costs a few thousand polygons.
"""
from __future__ import annotations

import csv
import functools
import math
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from osgeo import gdal, ogr, osr

from .errors import ClaroError


def _geod():
    """pyproj's Geod. Debian's pyproj looks for PROJ's data under sys.prefix, which is wrong
    inside a virtualenv, and warns on import; Geod needs no data, but transforms (which Claro
    does through GDAL) would, so point it at the data GDAL uses before importing."""
    if not (os.environ.get("PROJ_DATA") or os.environ.get("PROJ_LIB")):
        for folder in osr.GetPROJSearchPaths() or []:
            if Path(folder, "proj.db").is_file():
                os.environ["PROJ_DATA"] = folder
                break
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pyproj
    return pyproj.Geod(ellps="WGS84")


GEOD = _geod()
M2_PER_HA = 10_000.0
#: at most this many lattice nodes per axis where pixel areas are computed and interpolated
LATTICE = 65
#: lattice quadrilaterals span about this many metres (GeographicLib's area of a 1 cm polygon
#: is less precise than its area of a 100 m one divided by the number of pixels in it)
_PROBE_M = 100.0
#: polygon edges are densified in their own CRS to this length before measuring, so an edge along
#: a parallel in EPSG:4326 follows the parallel, not the geodesic between its ends
_DENSIFY_DEGREES = 0.001
_DENSIFY_METRES = 100.0
AREA_COLUMNS = ("value", "name", "pixels", "hectares", "share")


def _wgs84() -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _srs(crs_wkt: str, what: str) -> osr.SpatialReference:
    if not crs_wkt:
        raise ClaroError(f"{what} has no coordinate reference system, so Claro cannot compute true areas; assign one "
                         "(Raster ▸ Projections ▸ Assign Projection in QGIS, or gdal_edit.py -a_srs) and try again.")
    srs = osr.SpatialReference()
    try:
        srs.ImportFromWkt(crs_wkt)
    except RuntimeError as error:
        raise ClaroError(f"{what} has a coordinate reference system GDAL cannot read ({error}); assign a valid one.") from error
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _on_wgs84_ellipsoid(srs: osr.SpatialReference) -> bool:
    return abs(srs.GetSemiMajor() - GEOD.a) < 1e-3 and abs(srs.GetSemiMinor() - GEOD.b) < 1e-3


def _zone(lat_degrees: np.ndarray) -> np.ndarray:
    """Area (m²) per radian of longitude between the equator and each latitude on the WGS84
    ellipsoid: b²/2 · (sinφ/(1−e²sin²φ) + atanh(e·sinφ)/e), the closed form of ∫ M·N·cosφ dφ."""
    e2 = GEOD.es
    e = math.sqrt(e2)
    s = np.sin(np.radians(np.clip(lat_degrees, -90.0, 90.0)))
    return GEOD.b ** 2 / 2.0 * (s / (1.0 - e2 * s * s) + np.arctanh(e * s) / e)


@dataclass(frozen=True)
class _LonLat:
    """How coordinates of one CRS become WGS84 longitude/latitude (cached per CRS)."""

    srs: osr.SpatialReference
    segment: float  # polygon edges are densified to this length, in CRS units
    transform: Optional[osr.CoordinateTransformation]  # None: the CRS is WGS84 lon/lat already
    datum_shift: bool  # another datum: PROJ may switch between regional transformations point by point


def _lonlat(crs_wkt: str) -> _LonLat:
    """Per thread: a GDAL coordinate transformation must not be used by two threads at once."""
    return _lonlat_in_thread(crs_wkt, threading.get_ident())


@functools.lru_cache(maxsize=16)
def _lonlat_in_thread(crs_wkt: str, _thread: int) -> _LonLat:
    srs = _srs(crs_wkt, "The coordinate system")
    if srs.IsGeographic():
        segment = _DENSIFY_DEGREES / (srs.GetAngularUnits() / (math.pi / 180))
    else:
        segment = _DENSIFY_METRES / srs.GetLinearUnits()
    wgs84 = _wgs84()
    if srs.IsGeographic() and srs.IsSame(wgs84):
        return _LonLat(srs, segment, None, False)
    shift = not srs.CloneGeogCS().IsSameGeogCS(wgs84)
    return _LonLat(srs, segment, osr.CoordinateTransformation(srs, wgs84), shift)


def _one_operation(how: _LonLat, lonlat: np.ndarray) -> osr.CoordinateTransformation:
    """Between datums PROJ picks, point by point, the most accurate of several regional
    transformations (ED50 → WGS84 has dozens), so neighbouring points may jump by a metre: a
    pixel or polygon straddling such a border would get a wrong area. Restricting PROJ to the
    area at hand makes it use one transformation for all of it."""
    options = osr.CoordinateTransformationOptions()
    west, south = np.min(lonlat, axis=0)
    east, north = np.max(lonlat, axis=0)
    options.SetAreaOfInterest(max(-180.0, float(west)), max(-90.0, float(south)),
                              min(180.0, float(east)), min(90.0, float(north)))
    return osr.CoordinateTransformation(how.srs, _wgs84(), options)


def _outside(what: str) -> ClaroError:
    return ClaroError(f"Part of {what} lies outside the area its coordinate reference system can place on the "
                      "Earth, so Claro cannot compute true areas there; check its georeferencing.")


def _to_lonlat(points: np.ndarray, crs_wkt: str, what: str) -> np.ndarray:
    """(n, 2) x/y in `crs_wkt` → (n, 2) WGS84 lon/lat through GDAL (one transformation for all)."""
    how = _lonlat(crs_wkt)
    if how.transform is None:
        return points.astype(np.float64)

    def run(transform) -> np.ndarray:
        try:
            out = np.asarray(transform.TransformPoints(points.astype(np.float64).tolist()), np.float64)[:, :2]
        except RuntimeError:
            raise _outside(what) from None
        if not np.isfinite(out).all():
            raise _outside(what)
        return out

    out = run(how.transform)
    return run(_one_operation(how, out)) if how.datum_shift else out


class PixelAreas:
    """True area (m²) of every pixel of a grid on the WGS84 ellipsoid, whatever the CRS."""

    def __init__(self, geotransform: tuple, crs_wkt: str, width: int, height: int, *, name: str = "The raster"):
        self.geotransform = tuple(float(v) for v in geotransform)
        self.width, self.height = int(width), int(height)
        srs = _srs(crs_wkt, name)
        x0, dx, rx, y0, ry, dy = self.geotransform
        if dx * dy - rx * ry == 0:
            raise ClaroError(f"{name} has a degenerate geotransform (pixels of zero area); fix its georeferencing.")
        self._rows: Optional[np.ndarray] = None  # exact per-row areas (geographic, not rotated)
        degree = abs(srs.GetAngularUnits() - math.pi / 180) < 1e-12 if srs.IsGeographic() else False
        if srs.IsGeographic() and degree and rx == 0 and ry == 0 and _on_wgs84_ellipsoid(srs):
            edges = y0 + dy * np.arange(self.height + 1, dtype=np.float64)
            zone = _zone(edges)
            self._rows = np.abs(np.diff(zone)) * abs(math.radians(dx))
            return
        self._lattice(srs, crs_wkt, name)

    def _lattice(self, srs: osr.SpatialReference, crs_wkt: str, name: str) -> None:
        """Pixel areas at up to LATTICE×LATTICE pixel centres (every centre on small grids)."""
        x0, dx, rx, y0, ry, dy = self.geotransform
        self._u = np.linspace(0.5, self.width - 0.5, min(self.width, LATTICE))
        self._v = np.linspace(0.5, self.height - 0.5, min(self.height, LATTICE))
        # a probe quadrilateral around each node, about _PROBE_M across, never beyond half a lattice step
        if srs.IsGeographic():
            metres = GEOD.a * srs.GetAngularUnits()  # metres per angular unit along the equator
        else:
            metres = srs.GetLinearUnits()
        size = max(math.hypot(dx, ry), math.hypot(rx, dy)) * metres
        half = max(0.5, min(_PROBE_M / 2 / max(size, 1e-9),
                            (self.width / max(len(self._u), 1)) / 2, (self.height / max(len(self._v), 1)) / 2))
        uu, vv = np.meshgrid(self._u, self._v)
        corners = np.stack([
            np.stack([uu - half, vv - half], -1), np.stack([uu + half, vv - half], -1),
            np.stack([uu + half, vv + half], -1), np.stack([uu - half, vv + half], -1)], -2).reshape(-1, 2)
        xy = np.stack([x0 + corners[:, 0] * dx + corners[:, 1] * rx, y0 + corners[:, 0] * ry + corners[:, 1] * dy], -1)
        lonlat = _to_lonlat(xy, crs_wkt, name.lower() if name.startswith("The ") else name).reshape(-1, 4, 2)
        areas = np.empty(len(lonlat))
        for i, quad in enumerate(lonlat):
            areas[i] = abs(GEOD.polygon_area_perimeter(quad[:, 0], quad[:, 1])[0])
        self._nodes = (areas / (2 * half) ** 2).reshape(len(self._v), len(self._u))

    @classmethod
    def of(cls, dataset: gdal.Dataset) -> "PixelAreas":
        """The pixel areas of an open raster; ClaroError when it has no CRS."""
        described = dataset.GetDescription()
        name = f"Raster {described}" if described else "The raster"
        transform = dataset.GetGeoTransform(can_return_null=True)
        if transform is None:
            raise ClaroError(f"{name} has no georeferencing, so Claro cannot compute true areas; georeference it "
                             "(Raster ▸ Georeferencer in QGIS) and try again.")
        return cls(transform, dataset.GetProjection(), dataset.RasterXSize, dataset.RasterYSize, name=name)

    @staticmethod
    def _weights(nodes: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Indices of the lattice nodes left/right of each position and the right node's weight
        (clamped at the ends: the lattice spans pixel centres 0.5 … n−0.5)."""
        if len(nodes) == 1:
            zero = np.zeros(len(positions), np.int64)
            return zero, zero, np.zeros(len(positions))
        right = np.clip(np.searchsorted(nodes, positions, side="right"), 1, len(nodes) - 1)
        left = right - 1
        weight = np.clip((positions - nodes[left]) / (nodes[right] - nodes[left]), 0.0, 1.0)
        return left, right, weight

    def block(self, x0: int, y0: int, width: int, height: int) -> np.ndarray:
        """True area (m², float64) of the pixels of a window, shape (height, width)."""
        if self._rows is not None:
            return np.repeat(self._rows[y0:y0 + height, None], width, axis=1)
        cl, cr, cw = self._weights(self._u, np.arange(x0, x0 + width) + 0.5)
        rl, rr, rw = self._weights(self._v, np.arange(y0, y0 + height) + 0.5)
        columns = self._nodes[:, cl] * (1 - cw) + self._nodes[:, cr] * cw  # (lattice rows, width)
        out = columns[rl] * (1 - rw)[:, None]
        out += columns[rr] * rw[:, None]
        return out

    def smallest_m2(self) -> float:
        """The smallest pixel area in the grid (bilinear interpolation never goes below a node)."""
        return float(self._rows.min() if self._rows is not None else self._nodes.min())

    def total_m2(self) -> float:
        """The sum of all pixel areas. Bilinear interpolation is separable, so the sum is
        (row weights)ᵀ · nodes · (column weights), without building a pixel array."""
        if self._rows is not None:
            return float(self._rows.sum()) * self.width
        return float(self._axis_weights(self._v, self.height) @ self._nodes @ self._axis_weights(self._u, self.width))

    @classmethod
    def _axis_weights(cls, nodes: np.ndarray, n: int) -> np.ndarray:
        left, right, weight = cls._weights(nodes, np.arange(n) + 0.5)
        return (np.bincount(left, weights=1 - weight, minlength=len(nodes))
                + np.bincount(right, weights=weight, minlength=len(nodes)))


# --------------------------------------------------------------------------- polygons

def _rings_area(geometry: ogr.Geometry) -> float:
    kind = ogr.GT_Flatten(geometry.GetGeometryType())
    if kind == ogr.wkbPolygon:
        total = 0.0
        for index in range(geometry.GetGeometryCount()):
            ring = geometry.GetGeometryRef(index)
            points = np.asarray(ring.GetPoints() or [], np.float64)
            if len(points) < 3:
                continue
            area = abs(GEOD.polygon_area_perimeter(points[:, 0], points[:, 1])[0])
            total += area if index == 0 else -area
        return total
    if kind in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        return sum(_rings_area(geometry.GetGeometryRef(i)) for i in range(geometry.GetGeometryCount()))
    return 0.0  # points and lines have no area


def geometry_area_m2(geometry: ogr.Geometry, crs_wkt: str) -> float:
    """True area (m²) of a polygon or multipolygon given in `crs_wkt`: densified in its own CRS
    (an edge along a parallel keeps following it), transformed to lon/lat, exterior minus holes."""
    _srs(crs_wkt, "The polygon")  # a sentence when there is no CRS
    how = _lonlat(crs_wkt)
    shape = geometry.GetLinearGeometry() if geometry.HasCurveGeometry() else geometry.Clone()
    shape.FlattenTo2D()
    shape.Segmentize(how.segment)
    if how.transform is not None:
        transform = how.transform
        if how.datum_shift:
            west, east, south, north = shape.GetEnvelope()
            corners = np.array([[west, south], [east, south], [east, north], [west, north]])
            transform = _one_operation(how, _to_lonlat(corners, crs_wkt, "a polygon"))
        try:
            shape.Transform(transform)
        except RuntimeError:
            raise _outside("a polygon") from None
    return _rings_area(shape)


# --------------------------------------------------------------------------- class area tables

#: class rasters are read in blocks of this many pixels (bounded memory whatever the size)
BLOCK_PIXELS = 1 << 22


def class_area_table(path: str | os.PathLike, classes: list[dict], nodata: int = 255) -> list[dict]:
    """One row per class (in `classes` order): value, name, pixels, hectares (true area) and share
    (of the area of all pixels that are not nodata, 0..1). Streams the raster in blocks."""
    from .raster import open_raster

    dataset = open_raster(path, "Class raster")
    areas = PixelAreas.of(dataset)
    band = dataset.GetRasterBand(1)
    skip = {int(nodata)}
    if band.GetNoDataValue() is not None:
        skip.add(int(band.GetNoDataValue()))
    wanted = [int(c["value"]) for c in classes]
    pixels = dict.fromkeys(wanted, 0)
    metres = dict.fromkeys(wanted, 0.0)
    total = 0.0
    width, height = dataset.RasterXSize, dataset.RasterYSize
    rows = max(1, min(height, BLOCK_PIXELS // max(width, 1)))
    cols = width if rows > 1 else min(width, BLOCK_PIXELS)
    for y in range(0, height, rows):
        h = min(rows, height - y)
        for x in range(0, width, cols):
            w = min(cols, width - x)
            values = band.ReadAsArray(x, y, w, h).ravel()
            area = areas.block(x, y, w, h).ravel()
            if values.dtype.kind == "u" and values.dtype.itemsize <= 2:
                found = np.arange(1 << (8 * values.dtype.itemsize))
                inverse = values
            else:
                found, inverse = np.unique(values, return_inverse=True)
            counts = np.bincount(inverse.ravel(), minlength=len(found))
            sums = np.bincount(inverse.ravel(), weights=area, minlength=len(found))
            for value, count, summed in zip(found.tolist(), counts.tolist(), sums.tolist()):
                if count == 0 or value in skip:
                    continue
                total += summed
                if value in pixels:
                    pixels[value] += count
                    metres[value] += summed
    from .style import class_name

    return [{"value": value, "name": class_name(c, i), "pixels": pixels[value],
             "hectares": metres[value] / M2_PER_HA, "share": metres[value] / total if total > 0 else 0.0}
            for i, (c, value) in enumerate(zip(classes, wanted))]


def area_csv_path(raster_path: str | os.PathLike) -> Path:
    """<stem>_areas.csv beside the raster."""
    raster_path = Path(raster_path)
    return raster_path.with_name(f"{raster_path.stem}_areas.csv")


def is_area_csv(path: Path) -> bool:
    """A file write_area_csv wrote (its header), so --overwrite may replace it."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            return stream.readline().strip() == ",".join(AREA_COLUMNS)
    except (OSError, UnicodeDecodeError):
        return False


def write_area_csv(rows: list[dict], path: str | os.PathLike) -> None:
    """Columns value,name,pixels,hectares,share (hectares to 4 decimals: 1 m²); written whole
    or not at all (atomic_file). Callers check the target first with check_can_write(kind="area-table")."""
    from .atomic import atomic_file

    with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(AREA_COLUMNS)
        for row in rows:
            writer.writerow([row["value"], row["name"], row["pixels"], f"{row['hectares']:.4f}", f"{row['share']:.6f}"])


def format_area_table(rows: list[dict]) -> str:
    """A short human table (class, hectares, share) for logs."""
    width = max([len(str(r["name"])) for r in rows] + [5])
    lines = [f"{'class':<{width}}  {'hectares':>14}  {'share':>7}"]
    lines += [f"{str(r['name']):<{width}}  {r['hectares']:>14,.2f}  {r['share']:>7.1%}" for r in rows]
    return "\n".join(lines)
