"""`claro assess`: accuracies and class areas with 95 % confidence intervals from a labelled
stratified sample, by the estimator of Olofsson et al. (2014, Remote Sensing of Environment 148:
42-57), the good practice for areas that go into reports (REDD+, national forest monitoring).

Why not count the map's pixels: a map's errors bias its areas (omitted deforestation is missing,
commission is added). The sample's reference labels, weighted by each stratum's true area, give
an unbiased estimate of every class's area and of the accuracies, with their uncertainty.

The strata are the map's classes: each point's stratum is read from the map at the point (the
sample may be in any CRS), never trusted from an attribute. With Wᵢ the true-area share of map
class i, nᵢⱼ the points of stratum i labelled j and nᵢ. their total (Olofsson et al. 2014, §4.2):
    p̂ᵢⱼ = Wᵢ nᵢⱼ / nᵢ.                                   (eq. 4, error matrix of area proportions)
    Ô = Σⱼ p̂ⱼⱼ,  V(Ô) = Σᵢ Wᵢ² Ûᵢ(1−Ûᵢ)/(nᵢ.−1)           (eqs. 1, 5)
    Ûᵢ = p̂ᵢᵢ / p̂ᵢ.,  V(Ûᵢ) = Ûᵢ(1−Ûᵢ)/(nᵢ.−1)              (eqs. 2, 6)
    P̂ⱼ = p̂ⱼⱼ / p̂.ⱼ,  V(P̂ⱼ) by eq. 7 with N̂.ⱼ = Σᵢ Nᵢ. nᵢⱼ/nᵢ.
    p̂.ₖ = Σᵢ p̂ᵢₖ,  S(p̂.ₖ) = √(Σᵢ (Wᵢ p̂ᵢₖ − p̂ᵢₖ²)/(nᵢ.−1))    (eqs. 9, 10)
    Âₖ = A · p̂.ₖ,  S(Âₖ) = A · S(p̂.ₖ),  95 % interval ± 1.96 S  (eqs. 11, 12)
without a finite population correction, as in the paper. A stratum with fewer than two labelled
points has no variance: the intervals that need it are null and a note says why.
"""
from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import math
from pathlib import Path
from typing import Any, Optional

import numpy as np

from . import plots
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .params import AssessParams, check_bounds
from .progress import Progress
from .sample import (ClassMap, aoi_grid, bounded_gdal_cache, open_class_map, sample_metadata, strata_classes,
                     stratum_areas)
from .version import __version__

#: z of a two-sided 95 % normal interval, as in the paper
Z95 = 1.96
#: the class table's columns (CSV), in the order of the report's class objects
CSV_COLUMNS = ["value", "name", "map_area_ha", "sample_count", "users_accuracy", "users_accuracy_ci95",
               "producers_accuracy", "producers_accuracy_ci95", "area_ha", "area_ci95_ha"]


def csv_path(report: str | Path) -> Path:
    """The class table beside the report: REPORT.json → REPORT.csv."""
    return Path(report).with_suffix(".csv")


def is_assessment_csv(path: Path) -> bool:
    """A table `claro assess` wrote (its header), so --overwrite may replace it."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            return stream.readline().strip() == ",".join(CSV_COLUMNS)
    except (OSError, UnicodeDecodeError):
        return False


def png_path(report: str | Path) -> Path:
    """The one-page summary beside the report: REPORT.json → REPORT_summary.png."""
    report = Path(report)
    return report.with_name(report.stem + "_summary.png")


# ---------------------------------------------------------------------------- the estimator

def _or_none(value: float) -> Optional[float]:
    return None if value is None or not math.isfinite(value) else float(value)


def estimate(counts: np.ndarray, map_areas: list[float], names: list[str]) -> dict[str, Any]:
    """The stratified estimator of Olofsson et al. (2014) for strata that are the map classes.

    `counts[i, j]`: labelled points of map class i whose reference is class j (same class order
    on both axes); `map_areas[i]`: the map's area of class i (any unit: hectares here). Returns
    per-class lists (None where undefined), overall accuracy, the matrix of area proportions,
    their standard errors and `notes` (sentences for what could not be estimated)."""
    counts = np.asarray(counts, dtype=np.float64)
    areas = np.asarray(map_areas, dtype=np.float64)
    k = len(areas)
    total = float(areas.sum())
    weights = areas / total
    n = counts.sum(axis=1)
    stratum = areas > 0  # classes with map area are strata
    notes: list[str] = []
    with np.errstate(invalid="ignore", divide="ignore"):
        rows = np.where(n[:, None] > 0, counts / n[:, None], np.nan)
        # a stratum's variance term; NaN when it has fewer than two points (0/0 or x/0)
        spread = np.where(n[:, None] >= 2, rows * (1.0 - rows) / (n[:, None] - 1.0), np.nan)
    unlabelled = [i for i in range(k) if stratum[i] and n[i] == 0]
    thin = [i for i in range(k) if stratum[i] and n[i] == 1]
    for i in unlabelled:
        notes.append(f"Class {names[i]} has no labelled point, so its row of the error matrix is unknown: overall "
                     "accuracy, producer's accuracies and areas cannot be estimated; label at least 2 of its points.")
    for i in thin:
        notes.append(f"Class {names[i]} has 1 labelled point, and a variance needs at least 2: the confidence intervals "
                     f"of its user's accuracy, of overall accuracy, of every area and producer's accuracy are not given; "
                     "label more of its points.")
    # Strata without map area hold no points and weigh nothing: their terms are 0, not unknown.
    proportions = np.where(stratum[:, None], weights[:, None] * rows, 0.0)
    weighted_spread = np.where(stratum[:, None], weights[:, None] ** 2 * spread, 0.0)
    if unlabelled:
        proportions[:] = np.nan
    column = proportions.sum(axis=0)                       # p̂.ⱼ
    column_se = np.sqrt(weighted_spread.sum(axis=0))       # S(p̂.ⱼ); NaN when a stratum is thin
    diagonal = np.diag(proportions)
    overall = float(diagonal.sum())
    users = np.array([rows[i, i] if n[i] > 0 else np.nan for i in range(k)])
    users_var = np.array([spread[i, i] for i in range(k)])
    any_thin = bool(unlabelled or thin)  # then every variance that sums over the strata is unknown
    overall_var = math.nan if any_thin else float(sum(weights[i] ** 2 * users_var[i] for i in range(k) if stratum[i]))
    with np.errstate(invalid="ignore", divide="ignore"):
        producers = diagonal / column
    estimated_map = (areas[:, None] * np.nan_to_num(rows)).sum(axis=0)  # N̂.ⱼ in the areas' unit
    producers_var = np.full(k, np.nan)
    for j in range(k):
        if any_thin or not np.isfinite(producers[j]) or estimated_map[j] <= 0:
            continue
        own = areas[j] ** 2 * (1.0 - producers[j]) ** 2 * (spread[j, j] if stratum[j] else 0.0)
        others = sum(areas[i] ** 2 * spread[i, j] for i in range(k) if i != j and stratum[i])
        producers_var[j] = (own + producers[j] ** 2 * others) / estimated_map[j] ** 2
    if not unlabelled:
        for j in range(k):
            if column[j] == 0:
                notes.append(f"No point was labelled {names[j]}, so its producer's accuracy is undefined.")
    return {
        "weights": weights.tolist(),
        "users_accuracy": [_or_none(v) for v in users],
        "users_accuracy_se": [_or_none(math.sqrt(v)) if np.isfinite(v) else None for v in users_var],
        "producers_accuracy": [_or_none(v) for v in producers],
        "producers_accuracy_se": [_or_none(math.sqrt(v)) if np.isfinite(v) else None for v in producers_var],
        "overall_accuracy": _or_none(overall),
        "overall_accuracy_se": _or_none(math.sqrt(overall_var)) if math.isfinite(overall_var) else None,
        "proportions": [[_or_none(v) for v in row] for row in proportions],
        "area_proportions": [_or_none(v) for v in column],
        "area_proportions_se": [_or_none(v) for v in column_se],
        "total_area": total,
        "notes": notes,
    }


def _times(value: Optional[float], factor: float) -> Optional[float]:
    return None if value is None else value * factor


# ---------------------------------------------------------------------------- the sample

def _point_layer(dataset, path: str):
    """The sample's point layer: `sample` (claro sample's) if present, else the first layer of points."""
    from osgeo import ogr

    named = dataset.GetLayerByName("sample")
    candidates = ([named] if named is not None else []) + [dataset.GetLayer(i) for i in range(dataset.GetLayerCount())]
    for layer in candidates:
        if ogr.GT_Flatten(layer.GetGeomType()) in (ogr.wkbPoint, ogr.wkbMultiPoint, ogr.wkbUnknown):
            return layer
    raise ClaroError(f"Sample {path} holds no point layer; give the points from 'claro sample'.")


def _reference_value(feature, index: int, field_type: int, point_id: Any, field: str) -> Optional[int]:
    """The point's reference class, None when skipped (NULL or empty); a sentence when it is not a whole number."""
    from osgeo import ogr

    if not feature.IsFieldSet(index) or feature.IsFieldNull(index):
        return None
    if field_type in (ogr.OFTInteger, ogr.OFTInteger64):
        return int(feature.GetFieldAsInteger64(index))
    text = feature.GetFieldAsString(index).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not number.is_integer():
        raise ClaroError(f"Point {point_id} has reference '{text}' in field '{field}', which is not a class value; "
                         "write the class's number (or leave it empty to skip the point).")
    return int(number)


def read_sample(path: str, field: str, cmap: ClassMap, aoi) -> dict[str, Any]:
    """Each labelled point's (id, stratum read from the map, reference), the skipped ones and
    those excluded (outside the map or the AOI, on nodata), with why."""
    from osgeo import gdal, ogr, osr

    from . import raster

    if not path:
        raise ClaroError("No sample was given; pass --sample.")
    if not Path(path).exists():
        raise ClaroError(f"Sample {path} does not exist; check the path.")
    dataset = raster._open_vector(path)
    if dataset is None:
        raise ClaroError(f"Sample {path} could not be read as points; give the GeoPackage from 'claro sample'.")
    layer = _point_layer(dataset, path)
    definition = layer.GetLayerDefn()
    index = definition.GetFieldIndex(field)
    if index < 0:
        fields = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
        raise ClaroError(f"Sample {path} has no field '{field}' (fields: {', '.join(fields) or 'none'}); give the field "
                         "holding the reference classes with --reference-field.")
    field_type = definition.GetFieldDefn(index).GetType()
    id_index = definition.GetFieldIndex("id")
    map_class_index = definition.GetFieldIndex("map_class")
    layer_srs = layer.GetSpatialRef()
    if layer_srs is None:
        raise ClaroError(f"Sample {path} has no coordinate reference system, so its points cannot be placed on the map; "
                         "assign one and try again.")
    layer_srs = layer_srs.Clone()
    layer_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    map_srs = raster.crs_of(cmap.dataset)
    transform = None if layer_srs.IsSame(map_srs) else osr.CoordinateTransformation(layer_srs, map_srs)
    inverse = gdal.InvGeoTransform(cmap.dataset.GetGeoTransform())
    width, height = cmap.dataset.RasterXSize, cmap.dataset.RasterYSize
    labelled: list[tuple[Any, int, int]] = []
    skipped: list[Any] = []
    excluded: list[dict] = []
    disagree = 0
    layer.ResetReading()
    for feature in layer:
        point_id = feature.GetField(id_index) if id_index >= 0 and feature.IsFieldSetAndNotNull(id_index) else feature.GetFID()
        geometry = feature.GetGeometryRef()
        if geometry is None or geometry.IsEmpty():
            excluded.append({"id": point_id, "reason": "no geometry"})
            continue
        if ogr.GT_Flatten(geometry.GetGeometryType()) == ogr.wkbMultiPoint and geometry.GetGeometryCount() == 1:
            geometry = geometry.GetGeometryRef(0)
        if ogr.GT_Flatten(geometry.GetGeometryType()) != ogr.wkbPoint:
            raise ClaroError(f"Feature {point_id} of {path} is not a point; a sample holds one point per sampled pixel.")
        x, y = geometry.GetX(), geometry.GetY()
        if transform is not None:
            try:
                x, y, _ = transform.TransformPoint(x, y)
            except RuntimeError:
                x = y = math.nan
        column, row = gdal.ApplyGeoTransform(inverse, x, y) if math.isfinite(x) and math.isfinite(y) else (-1, -1)
        column, row = (math.floor(column), math.floor(row)) if math.isfinite(column) and math.isfinite(row) else (-1, -1)
        if not (0 <= column < width and 0 <= row < height):
            excluded.append({"id": point_id, "reason": "outside the map"})
            continue
        if aoi is not None and not aoi.mask(column, row, 1, 1)[0, 0]:
            excluded.append({"id": point_id, "reason": "outside the area of interest"})
            continue
        value = int(cmap.band.ReadAsArray(column, row, 1, 1)[0, 0])
        if cmap.nodata is not None and value == cmap.nodata:
            excluded.append({"id": point_id, "reason": "on nodata"})
            continue
        if map_class_index >= 0 and feature.IsFieldSetAndNotNull(map_class_index) \
                and feature.GetFieldAsInteger64(map_class_index) != value:
            disagree += 1
        reference = _reference_value(feature, index, field_type, point_id, field)
        if reference is None:
            skipped.append(point_id)
            continue
        labelled.append((point_id, value, reference))
    return {"labelled": labelled, "skipped": skipped, "excluded": excluded, "disagree": disagree,
            "metadata": sample_metadata(layer), "total": layer.GetFeatureCount()}


# ---------------------------------------------------------------------------- outputs

def class_rows(report: dict) -> list[dict]:
    return [{column: cls.get(column) for column in CSV_COLUMNS} for cls in report["classes"]]


def csv_text(report: dict) -> str:
    """The class table: one row per class, empty cells where a value is undefined."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in class_rows(report):
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return stream.getvalue()


def _clean(value: Any) -> Any:
    """JSON without NaN (not valid JSON): NaN → null; numpy scalars → Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _share(value: Optional[float], ci: Optional[float]) -> str:
    if value is None:
        return "undefined"
    return f"{value:.2f} ± {ci:.2f}" if ci is not None else f"{value:.2f} (no interval)"


def summary_line(report: dict) -> str:
    """'Overall accuracy 0.95 ± 0.02; deforestation 21,158 ± 6,158 ha (map 18,000 ha), user's 0.88 ± 0.07 …'."""
    parts = [f"Overall accuracy {_share(report['overall_accuracy'], report['overall_accuracy_ci95'])}"]
    for cls in report["classes"]:
        area = "area undefined" if cls["area_ha"] is None else (
            f"{cls['area_ha']:,.0f} ± {cls['area_ci95_ha']:,.0f} ha" if cls["area_ci95_ha"] is not None
            else f"{cls['area_ha']:,.0f} ha (no interval)")
        parts.append(f"{cls['name']} {area} (map {cls['map_area_ha']:,.0f} ha), user's "
                     f"{_share(cls['users_accuracy'], cls['users_accuracy_ci95'])}, producer's "
                     f"{_share(cls['producers_accuracy'], cls['producers_accuracy_ci95'])}")
    return "; ".join(parts) + "."


# ---------------------------------------------------------------------------- the job

@job
def run(params: AssessParams, progress: Progress) -> dict:
    with bounded_gdal_cache():
        return _run(params, progress)


def _run(params: AssessParams, progress: Progress) -> dict:
    check_bounds(params)
    inputs = [params.map, params.sample, params.aoi]
    out = check_can_write(params.out, params.overwrite, kind="report", inputs=inputs)
    table = check_can_write(csv_path(out), params.overwrite, kind="assessment-table", inputs=inputs)
    figure = check_can_write(png_path(out), params.overwrite, kind="png", inputs=inputs)
    cmap = open_class_map(params.map)
    if not params.reference_field:
        raise ClaroError("No reference field was given; pass --reference-field (e.g. reference).")
    aoi = aoi_grid(params.aoi, cmap.dataset)
    sample = read_sample(params.sample, params.reference_field, cmap, aoi)
    drawn_within = (sample["metadata"] or {}).get("aoi")
    if drawn_within and not params.aoi:
        raise ClaroError(f"The sample was drawn inside the area of interest {drawn_within}; give it with --aoi so the "
                         "class areas are counted where the sample was drawn.")
    progress.log(f"Measuring the classes of {params.map}" + (f" inside {params.aoi}." if params.aoi else "."))
    measured = stratum_areas(cmap, aoi, progress, (0.05, 0.85))
    if not measured:
        raise ClaroError(f"{params.map} has no classified pixel; there is nothing to assess.")
    known = set(measured) | {int(c["value"]) for c in cmap.named or []}
    classes = strata_classes(cmap, known)
    names = {c["value"]: c["name"] for c in classes}
    for point_id, _stratum, reference in sample["labelled"]:
        if reference not in known:
            listing = ", ".join(f"{c['value']} ({c['name']})" for c in classes)
            raise ClaroError(f"Point {point_id} has reference {reference}, which is not a class of the map ({listing}); "
                             "correct its label or leave it empty to skip it.")
    referenced = {reference for _id, _stratum, reference in sample["labelled"]}
    classes = [c for c in classes if c["value"] in measured or c["value"] in referenced]
    if not sample["labelled"]:
        raise ClaroError(f"No point of {params.sample} is labelled (field '{params.reference_field}' is empty on "
                         f"{len(sample['skipped']):,} points inside the map); label the sample first.")
    index = {c["value"]: i for i, c in enumerate(classes)}
    k = len(classes)
    counts = np.zeros((k, k), np.int64)
    for _id, stratum, reference in sample["labelled"]:
        counts[index[stratum], index[reference]] += 1
    map_ha = [measured[c["value"]][1] if c["value"] in measured else 0.0 for c in classes]
    label_names = [f"'{c['name']}'" for c in classes]
    result = estimate(counts, map_ha, label_names)
    total = result["total_area"]
    notes = list(result["notes"])
    if sample["excluded"]:
        reasons: dict[str, list] = {}
        for item in sample["excluded"]:
            reasons.setdefault(item["reason"], []).append(item["id"])
        notes.append("Excluded " + "; ".join(f"{len(ids):,} point{'s' if len(ids) != 1 else ''} {reason} "
                                              f"(id {', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''})"
                                              for reason, ids in reasons.items()) + ".")
    if sample["skipped"]:
        notes.append(f"Skipped {len(sample['skipped']):,} point{'s' if len(sample['skipped']) != 1 else ''} without a "
                     "reference label (unsure or not labelled yet); the estimates rest on the labelled ones.")
    drawn_from = (sample["metadata"] or {}).get("map")
    if drawn_from and Path(drawn_from) != Path(params.map).resolve():
        notes.append(f"The sample was drawn from {drawn_from}; its strata were read from {params.map}.")
    if sample["disagree"]:
        notes.append(f"{sample['disagree']:,} points carry a map_class that differs from the map at the point: was the "
                     "sample drawn from another map? The strata were read from this map.")
    report_classes = []
    for i, cls in enumerate(classes):
        users_se, producers_se = result["users_accuracy_se"][i], result["producers_accuracy_se"][i]
        area_p, area_se = result["area_proportions"][i], result["area_proportions_se"][i]
        report_classes.append({
            "value": cls["value"], "name": cls["name"], "color": cls.get("color"),
            "map_area_ha": map_ha[i], "map_pixels": measured.get(cls["value"], (0, 0.0))[0],
            "weight": result["weights"][i], "sample_count": int(counts[i].sum()),
            "users_accuracy": result["users_accuracy"][i], "users_accuracy_ci95": _times(users_se, Z95),
            "producers_accuracy": result["producers_accuracy"][i], "producers_accuracy_ci95": _times(producers_se, Z95),
            "area_ha": _times(area_p, total), "area_ci95_ha": _times(_times(area_se, total), Z95),
            "area_proportion": area_p, "area_proportion_se": area_se,
        })
    report = {
        "map": str(Path(params.map).resolve()),
        "sample": str(Path(params.sample).resolve()),
        "reference_field": params.reference_field,
        "aoi": str(Path(params.aoi).resolve()) if params.aoi else None,
        "method": "Stratified estimator of Olofsson et al. (2014), Remote Sensing of Environment 148: 42-57; strata = "
                  "map classes, weights = true map areas on the WGS84 ellipsoid, 95 % intervals = ±1.96 standard errors "
                  "(no finite population correction).",
        "classes": report_classes,
        "overall_accuracy": result["overall_accuracy"],
        "overall_accuracy_ci95": _times(result["overall_accuracy_se"], Z95),
        "error_matrix_counts": counts.tolist(),
        "error_matrix_proportions": result["proportions"],
        "matrix_axes": "rows: map classes, columns: reference classes, in the order of 'classes'",
        "total_area_ha": total,
        "points": {"total": sample["total"], "labelled": len(sample["labelled"]), "skipped": len(sample["skipped"]),
                   "excluded": sample["excluded"]},
        "notes": notes,
        "table_csv": str(table),
        "summary_png": str(figure),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "software": {"claro": __version__},
    }
    report = _clean(report)
    progress.update(0.9, "writing the report")
    with contextlib.ExitStack() as stack:
        report_tmp = stack.enter_context(atomic_file(out))
        table_tmp = stack.enter_context(atomic_file(table))
        figure_tmp = stack.enter_context(atomic_file(figure))
        plots.assessment_summary(report, figure_tmp)
        Path(table_tmp).write_text(csv_text(report), encoding="utf-8")
        Path(report_tmp).write_text(json.dumps(report, indent=2), encoding="utf-8")
    for note in notes:
        progress.log(note)
    progress.log(summary_line(report))
    progress.log(f"Report {out}, table {table}, summary {figure}.")
    progress.update(1.0, "done")
    done = {"out": str(out), "csv": str(table), "png": str(figure), "overall_accuracy": report["overall_accuracy"],
            "overall_accuracy_ci95": report["overall_accuracy_ci95"], "labelled": len(sample["labelled"]),
            "skipped": len(sample["skipped"]), "excluded": len(sample["excluded"]),
            "areas_ha": {c["name"]: c["area_ha"] for c in report["classes"]}}
    progress.done(**done)
    return done
