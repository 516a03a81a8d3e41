"""`claro sample`: a stratified random sample of a class map, the first step of a good-practice
accuracy and area assessment (Olofsson et al. 2014, Remote Sensing of Environment 148: 42-57).

Why stratified by the map's classes: a change class (deforestation) is a small share of a map, so
a simple random sample would hardly land in it; sampling every class separately guarantees
points in the rare classes, and `claro assess` weighs each stratum back by its true area.

Design, as the paper recommends:
- Sample size by Cochran's formula for the standard error of overall accuracy,
  n = (Σ Wᵢ Sᵢ / S(Ô))², Sᵢ = √(Uᵢ(1−Uᵢ)), with Wᵢ the class's share of the area and Uᵢ its
  expected user's accuracy (§5.1.1), unless --n fixes it.
- Allocation: every class gets at least --min-per-class points; the rest of the sample is shared
  in proportion to area (a class whose proportional share is below the minimum gets the
  minimum, and the others share what is left, in proportion to their areas).
- One point at the centre of each sampled pixel, pixels drawn without replacement.

Bounded memory whatever the map's size: one streaming pass counts every class's pixels and true
area; the sampled positions are drawn as sorted random ranks within each class; a second pass
walks the map in the same order and turns ranks into pixels. The point ids are shuffled so that
their order does not reveal the map class (blind labelling).
"""
from __future__ import annotations

import contextlib
import datetime
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np

from . import style
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .params import EXPECTED_CHANGE_ACCURACY, EXPECTED_STABLE_ACCURACY, SampleParams, check_bounds
from .progress import Progress
from .version import __version__

#: pixels read per strip of rows (a few MB whatever the map's width)
STRIP_PIXELS = 1 << 20
#: the point layer's name inside the GeoPackage
LAYER = "sample"
#: GeoPackage layer metadata item holding how the sample was drawn (read back by `claro assess`)
METADATA_ITEM = "CLARO_SAMPLE"
#: colour of a point not labelled yet in the sample's style
UNLABELLED_COLOR = "#ffffff"
#: GDAL's block cache while a job streams a map (its default, 5 % of RAM, grows with the map)
GDAL_CACHE_BYTES = 32 * 1024 * 1024


@contextlib.contextmanager
def bounded_gdal_cache() -> Iterator[None]:
    """Cap GDAL's block cache while streaming, so memory does not grow with the map."""
    from osgeo import gdal

    previous = gdal.GetCacheMax()
    gdal.SetCacheMax(GDAL_CACHE_BYTES)
    try:
        yield
    finally:
        gdal.SetCacheMax(previous)


# ---------------------------------------------------------------------------- the class map

@dataclass
class ClassMap:
    """An open class raster: its band, nodata value and named classes (None when it names none)."""

    path: str
    dataset: Any
    band: Any
    nodata: Optional[int]
    named: Optional[list[dict]]


def open_class_map(path: str, what: str = "Class map") -> ClassMap:
    """Open a class raster, refusing what cannot be one (decimals, no CRS, rotation)."""
    from osgeo import gdal

    from . import raster

    if not path:
        raise ClaroError(f"No {what.lower()} was given; pass --map.")
    dataset = raster.open_raster(path, what)
    band = dataset.GetRasterBand(1)
    if not gdal.GetDataTypeName(band.DataType).startswith(("Byte", "UInt", "Int")):
        raise ClaroError(f"{path} holds decimal numbers, not class values; give a class map from 'claro predict' or "
                         "'claro change', not probabilities.")
    if not dataset.GetProjection():
        raise ClaroError(f"{what} {path} has no coordinate reference system, so its areas cannot be measured; assign "
                         "one (QGIS: Layer Properties → Source) and try again.")
    nodata = band.GetNoDataValue()
    nodata = int(nodata) if nodata is not None and float(nodata).is_integer() else None
    return ClassMap(str(path), dataset, band, nodata, style.classes_from_band(band))


def strips(width: int, height: int) -> Iterator[tuple[int, int]]:
    """(first row, rows) of the strips a map is streamed in, always in the same order."""
    rows = max(1, STRIP_PIXELS // max(width, 1))
    for y in range(0, height, rows):
        yield y, min(rows, height - y)


def aoi_grid(path: Optional[str], grid) -> Optional[Any]:
    """The area of interest on the map's grid (aoi.AreaOfInterest: what predict uses, block by block,
    `FILE|layername=NAME` included), or None without one."""
    if not path:
        return None
    from .aoi import AreaOfInterest

    return AreaOfInterest(path, grid)


def valid_strip(cmap: ClassMap, aoi, y: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(class values, mask of pixels that belong to a stratum: not nodata, inside the AOI)."""
    values = cmap.band.ReadAsArray(0, y, cmap.dataset.RasterXSize, rows)
    ok = np.ones(values.shape, bool) if cmap.nodata is None else values != cmap.nodata
    if aoi is not None:
        ok &= aoi.mask(0, y, cmap.dataset.RasterXSize, rows)
    return values, ok


def stratum_areas(cmap: ClassMap, aoi=None, progress: Optional[Progress] = None,
                  span: tuple[float, float] = (0.0, 1.0)) -> dict[int, tuple[int, float]]:
    """Class value → (pixels, true hectares) over the map (inside the AOI), nodata left out.

    True areas come from areas.PixelAreas (the WGS84 ellipsoid), one strip at a time."""
    from .areas import M2_PER_HA, PixelAreas

    pixel_areas = PixelAreas.of(cmap.dataset)
    width, height = cmap.dataset.RasterXSize, cmap.dataset.RasterYSize
    pixels: dict[int, int] = {}
    hectares: dict[int, float] = {}
    for y, rows in strips(width, height):
        values, ok = valid_strip(cmap, aoi, y, rows)
        if ok.any():
            found, inverse, counts = np.unique(values[ok], return_inverse=True, return_counts=True)
            area = np.bincount(inverse.ravel(), weights=pixel_areas.block(0, y, width, rows)[ok], minlength=len(found))
            for value, count, m2 in zip(found.tolist(), counts.tolist(), area.tolist()):
                pixels[value] = pixels.get(value, 0) + count
                hectares[value] = hectares.get(value, 0.0) + m2 / M2_PER_HA
        if progress is not None:
            progress.update(span[0] + (span[1] - span[0]) * (y + rows) / height, "measuring the classes")
    return {value: (pixels[value], hectares[value]) for value in sorted(pixels)}


def strata_classes(cmap: ClassMap, values) -> list[dict]:
    """The map's classes that hold pixels (names and colours from the map, else 'class N'), by value."""
    named = {int(c["value"]): c for c in (cmap.named or [])}
    out = []
    for i, value in enumerate(sorted(int(v) for v in values)):
        cls = named.get(value) or {"value": value, "name": f"class {value}", "color": None}
        out.append({"value": value, "name": style.class_name(cls, i), "color": cls.get("color")})
    return out


# ---------------------------------------------------------------------------- sample design

def is_change_class(name: str) -> bool:
    """A transition of a change map ('forest→cleared', 'forest -> cleared') between two different classes."""
    for arrow in ("→", "->"):
        if arrow in name:
            before, _, after = name.partition(arrow)
            return before.strip().lower() != after.strip().lower()
    return False


def expected_accuracies(text: Optional[str], classes: list[dict]) -> list[float]:
    """--expected-accuracy ('cleared:0.6,1:0.95') → one expected user's accuracy per class; classes
    not listed get the paper's suggestion for a change or a stable class."""
    given: dict[int, float] = {}
    by_name = {str(c["name"]).lower(): int(c["value"]) for c in classes}
    values = {int(c["value"]) for c in classes}
    for item in (part.strip() for part in (text or "").split(",")):
        if not item:
            continue
        key, sep, number = item.rpartition(":")
        try:
            accuracy = float(number)
        except ValueError:
            accuracy = math.nan
        if not sep or not key.strip() or not 0.0 < accuracy < 1.0:
            raise ClaroError(f"Expected accuracy '{item}' is not CLASS:ACCURACY with an accuracy between 0 and 1 "
                             "(exclusive), e.g. 'cleared:0.7'.")
        key = key.strip()
        value = by_name.get(key.lower())
        if value is None and key.lstrip("-").isdigit() and int(key) in values:
            value = int(key)
        if value is None:
            names = ", ".join(f"{c['value']} ({c['name']})" for c in classes)
            raise ClaroError(f"--expected-accuracy names '{key}', which is not a class of the map ({names}).")
        given[value] = accuracy
    return [given.get(int(c["value"]), EXPECTED_CHANGE_ACCURACY if is_change_class(str(c["name"]))
                      else EXPECTED_STABLE_ACCURACY) for c in classes]


def cochran_size(weights: list[float], accuracies: list[float], target_se: float) -> int:
    """n = (Σ Wᵢ √(Uᵢ(1−Uᵢ)) / S(Ô))², rounded up (Olofsson et al. 2014, eq. 13)."""
    spread = sum(w * math.sqrt(u * (1.0 - u)) for w, u in zip(weights, accuracies))
    return max(1, math.ceil((spread / target_se) ** 2 - 1e-9))


def allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Points per stratum: at least `minimum` each, the rest proportional to area.

    A stratum whose proportional share is below the minimum gets the minimum; the others share
    what is left in proportion to their weights (repeated until no share falls below it), with
    largest remainders so the counts add up to `total` (raised to minimum × strata if smaller)."""
    k = len(weights)
    total = max(total, minimum * k)
    fixed = [False] * k
    while True:
        free = [i for i in range(k) if not fixed[i]]
        left = total - minimum * (k - len(free))
        mass = sum(weights[i] for i in free)
        shares = {i: left * weights[i] / mass if mass > 0 else left / len(free) for i in free}
        low = [i for i in free if shares[i] < minimum]
        if not low or len(low) == len(free):
            break
        for i in low:
            fixed[i] = True
    counts = [minimum] * k
    if free:
        floors = {i: max(minimum, math.floor(shares[i])) for i in free}
        rest = left - sum(floors.values())
        order = sorted(free, key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
        for j, i in enumerate(order):
            counts[i] = floors[i] + (1 if j < rest else 0)
    return counts


# ---------------------------------------------------------------------------- drawing

def draw(cmap: ClassMap, aoi, pixels: dict[int, int], allocation: dict[int, int], rng: np.random.Generator,
         progress: Optional[Progress] = None, span: tuple[float, float] = (0.0, 1.0)) -> list[tuple[int, int, int]]:
    """(class value, column, row) of the sampled pixels: for each class, `allocation[value]`
    distinct random ranks among its pixels in streaming order, found in a second pass."""
    chosen = {value: np.sort(rng.choice(pixels[value], size=allocation[value], replace=False))
              for value in sorted(allocation)}
    seen = {value: 0 for value in chosen}
    taken = {value: 0 for value in chosen}
    points: list[tuple[int, int, int]] = []
    width, height = cmap.dataset.RasterXSize, cmap.dataset.RasterYSize
    for y, rows in strips(width, height):
        values, ok = valid_strip(cmap, aoi, y, rows)
        where = np.flatnonzero(ok.ravel())
        flat = values.ravel()[where]
        order = np.argsort(flat, kind="stable")  # positions grouped by class, in streaming order within each
        found, starts, counts = np.unique(flat[order], return_index=True, return_counts=True)
        for value, start, count in zip(found.tolist(), starts.tolist(), counts.tolist()):
            if value not in chosen:
                continue
            ranks = chosen[value]
            first = taken[value]
            last = int(np.searchsorted(ranks, seen[value] + count, side="left"))
            if last > first:
                local = ranks[first:last] - seen[value]
                positions = where[order[start + local]]
                for position in positions.tolist():
                    points.append((value, position % width, y + position // width))
                taken[value] = last
            seen[value] += count
        if progress is not None:
            progress.update(span[0] + (span[1] - span[0]) * (y + rows) / height, "drawing the points")
    return points


def pixel_centre(geotransform: tuple, column: int, row: int) -> tuple[float, float]:
    x0, dx, rx, y0, ry, dy = geotransform
    return x0 + (column + 0.5) * dx + (row + 0.5) * rx, y0 + (column + 0.5) * ry + (row + 0.5) * dy


# ---------------------------------------------------------------------------- writing

def write_sample(path: str | Path, points: list[dict], crs_wkt: str, metadata: Optional[dict] = None) -> Path:
    """Write sample points ({"id", "x", "y", "map_class", "map_class_name", "reference"}) as the
    GeoPackage point layer `sample`: fields id, map_class, map_class_name, reference (integer,
    NULL until labelled). No spatial index: a sample is small, and the SQLite of some Python
    environments (TensorFlow's) lacks the R*Tree module a spatial index needs."""
    from osgeo import ogr, osr

    srs = osr.SpatialReference()
    srs.ImportFromWkt(crs_wkt)
    driver = ogr.GetDriverByName("GPKG")
    dataset = driver.CreateDataSource(str(path))
    layer = dataset.CreateLayer(LAYER, srs, ogr.wkbPoint, options=["SPATIAL_INDEX=NO", "FID=fid"])
    for name, kind in (("id", ogr.OFTInteger), ("map_class", ogr.OFTInteger), ("map_class_name", ogr.OFTString),
                       ("reference", ogr.OFTInteger)):
        layer.CreateField(ogr.FieldDefn(name, kind))
    if metadata is not None:
        layer.SetMetadataItem(METADATA_ITEM, json.dumps(metadata))
    definition = layer.GetLayerDefn()
    layer.StartTransaction()
    for point in points:
        feature = ogr.Feature(definition)
        feature.SetField("id", int(point["id"]))
        feature.SetField("map_class", int(point["map_class"]))
        feature.SetField("map_class_name", str(point["map_class_name"]))
        if point.get("reference") is None:
            feature.SetFieldNull("reference")
        else:
            feature.SetField("reference", int(point["reference"]))
        geometry = ogr.Geometry(ogr.wkbPoint)
        geometry.AddPoint_2D(float(point["x"]), float(point["y"]))
        feature.SetGeometry(geometry)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    dataset = None
    return Path(path)


def is_claro_sample(path: str | Path) -> bool:
    """Whether `path` is a GeoPackage `claro sample` wrote (its layer carries METADATA_ITEM)."""
    from osgeo import gdal

    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
        layer = dataset.GetLayerByName(LAYER) if dataset is not None else None
        return layer is not None and bool(layer.GetMetadataItem(METADATA_ITEM))
    except RuntimeError:
        return False


def sample_metadata(layer) -> Optional[dict]:
    """How the sample of this layer was drawn (None for points Claro did not draw)."""
    try:
        data = json.loads(layer.GetMetadataItem(METADATA_ITEM) or "")
    except (ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def labelled_count(path: str | Path, field: str = "reference") -> int:
    """How many points of an existing sample carry a reference label (0 when it is not a sample)."""
    from osgeo import gdal

    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
    except RuntimeError:
        return 0
    if dataset is None:
        return 0
    count = 0
    for i in range(dataset.GetLayerCount()):
        layer = dataset.GetLayer(i)
        if layer.GetLayerDefn().GetFieldIndex(field) < 0:
            continue
        for feature in layer:
            count += 0 if feature.IsFieldNull(field) or not feature.IsFieldSet(field) else 1
    return count


def _symbol(name: str, color: Optional[str], index: int) -> style.Element:
    rgb = ",".join(map(str, style.hex_to_rgb(color, index))) + ",255"
    props = {"color": rgb, "name": "circle", "outline_color": "35,35,35,255", "outline_style": "solid",
             "outline_width": "0.4", "outline_width_unit": "MM", "size": "3", "size_unit": "MM"}
    options = [("Option", {"type": "QString", "name": key, "value": value}, "") for key, value in props.items()]
    legacy = [("prop", {"k": key, "v": value}, "") for key, value in props.items()]
    return ("symbol", {"type": "marker", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
            [("layer", {"class": "SimpleMarker", "locked": "0", "enabled": "1"},
              [("Option", {"type": "Map"}, options), *legacy])])


def sample_qml(classes: list[dict], field: str = "reference") -> str:
    """QGIS style of a sample: points coloured by their reference class (the map's colours), white
    while not labelled. Coloured by the reference, not the map class: the analyst labels blind."""
    categories: list[style.Element] = []
    symbols: list[style.Element] = []
    for i, cls in enumerate(classes):
        categories.append(("category", {"value": str(int(cls["value"])), "symbol": str(i),
                                        "label": style.class_name(cls, i), "render": "true"}, ""))
        symbols.append(_symbol(str(i), cls.get("color"), i))
    other = str(len(classes))
    categories.append(("category", {"value": "", "symbol": other, "label": "not labelled", "render": "true"}, ""))
    symbols.append(_symbol(other, UNLABELLED_COLOR, 0))
    renderer: style.Element = ("renderer-v2", {"type": "categorizedSymbol", "attr": field, "forceraster": "0",
                                               "symbollevels": "0", "enableorderby": "0"},
                               [("categories", {}, categories), ("symbols", {}, symbols)])
    qgis: style.Element = ("qgis", {"version": "3.22.0", "styleCategories": "Symbology"}, [renderer])
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + style._xml(qgis) + "\n"


def qml_path(sample: str | Path) -> Path:
    """QGIS's default style of a file layer: the same name with .qml."""
    return Path(sample).with_suffix(".qml")


# ---------------------------------------------------------------------------- the job

def _n(count: int) -> str:
    return f"{count:,}"


@job
def run(params: SampleParams, progress: Progress) -> dict:
    with bounded_gdal_cache():
        return _run(params, progress)


def _run(params: SampleParams, progress: Progress) -> dict:
    check_bounds(params)
    inputs = [params.map, params.aoi]
    if params.out and Path(params.out).suffix.lower() != ".gpkg":
        raise ClaroError(f"The sample is written as a GeoPackage; give --out a path ending in .gpkg, not {params.out}.")
    if params.out and Path(params.out).is_file():
        labelled = labelled_count(params.out)
        if labelled:
            raise ClaroError(f"Sample {params.out} already holds {_n(labelled)} labelled point"
                             f"{'s' if labelled != 1 else ''}; Claro never replaces labels, even with --overwrite: "
                             "choose another output path.")
    out = check_can_write(params.out, params.overwrite, kind="sample", inputs=inputs)
    style_out = check_can_write(qml_path(out), params.overwrite, kind="qml", inputs=inputs)
    cmap = open_class_map(params.map)
    aoi = aoi_grid(params.aoi, cmap.dataset)
    progress.log(f"Measuring the classes of {params.map}" + (f" inside {params.aoi}." if params.aoi else "."))
    measured = stratum_areas(cmap, aoi, progress, (0.0, 0.45))
    if not measured:
        where = " inside the area of interest" if params.aoi else ""
        raise ClaroError(f"{params.map} has no classified pixel{where} (every pixel is nodata); nothing can be sampled.")
    classes = strata_classes(cmap, measured)
    for cls in cmap.named or []:
        if int(cls["value"]) not in measured:
            progress.log(f"Class {cls['value']} ({cls['name']}) has no pixel on the map"
                         f"{' inside the area of interest' if params.aoi else ''}: it is not a stratum.")
    total_ha = sum(ha for _pixels, ha in measured.values())
    weights = [measured[c["value"]][1] / total_ha for c in classes]
    accuracies = expected_accuracies(params.expected_accuracy, classes)
    if params.n is not None:
        size, why = params.n, f"--n {params.n}"
    else:
        size = cochran_size(weights, accuracies, params.target_se)
        why = (f"a standard error of {params.target_se:g} for overall accuracy with expected user's accuracies "
               + ", ".join(f"{c['name']} {u:g}" for c, u in zip(classes, accuracies)))
    counts = allocate(size, weights, params.min_per_class)
    if sum(counts) > size:
        progress.log(f"The sample size {_n(size)} ({why}) is raised to {_n(sum(counts))} so that each of the "
                     f"{len(classes)} classes gets its {params.min_per_class} points (--min-per-class).")
    for cls, count in zip(classes, counts):
        pixels = measured[cls["value"]][0]
        if count > pixels:
            raise ClaroError(f"Class {cls['value']} ({cls['name']}) has {_n(pixels)} pixel{'s' if pixels != 1 else ''} "
                             f"on the map, too few for the {_n(count)} points it needs; lower --min-per-class or --n.")
    allocation = {cls["value"]: count for cls, count in zip(classes, counts)}
    rng = np.random.default_rng(params.seed)
    drawn = draw(cmap, aoi, {v: measured[v][0] for v in allocation}, allocation, rng, progress, (0.45, 0.9))
    ids = rng.permutation(len(drawn)) + 1  # shuffled: the order of the ids does not reveal the map class
    names = {c["value"]: c["name"] for c in classes}
    geotransform = cmap.dataset.GetGeoTransform()
    points = []
    for point_id, (value, column, row) in sorted(zip(ids.tolist(), drawn)):
        x, y = pixel_centre(geotransform, column, row)
        points.append({"id": point_id, "x": x, "y": y, "map_class": value, "map_class_name": names[value],
                       "reference": None})
    strata = [{"value": c["value"], "name": c["name"], "pixels": measured[c["value"]][0],
               "hectares": measured[c["value"]][1], "weight": w, "expected_users_accuracy": u, "points": allocation[c["value"]]}
              for c, w, u in zip(classes, weights, accuracies)]
    metadata = {"map": str(Path(params.map).resolve()), "aoi": str(Path(params.aoi).resolve()) if params.aoi else None,
                "seed": params.seed, "size": why, "strata": strata,
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "software": {"claro": __version__}}
    progress.update(0.95, "writing the points")
    with contextlib.ExitStack() as stack:
        sample_tmp = stack.enter_context(atomic_file(out))
        style_tmp = stack.enter_context(atomic_file(style_out))
        write_sample(sample_tmp, points, cmap.dataset.GetProjection(), metadata)
        Path(style_tmp).write_text(sample_qml(classes), encoding="utf-8")
    progress.log("Points per class: " + "; ".join(f"{s['name']} {_n(s['points'])} of {_n(s['pixels'])} pixels "
                                                 f"({s['weight']:.2%} of the area)" for s in strata) + ".")
    progress.log(f"Sample {out}: {_n(len(points))} points to label ({why}).")
    progress.update(1.0, "done")
    result = {"out": str(out), "qml": str(style_out), "points": len(points),
              "allocation": {names[v]: n for v, n in allocation.items()}}
    progress.done(**result)
    return result
