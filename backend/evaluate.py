"""`claro evaluate`: compare a class raster with reference labels (raster or polygons, any CRS).

The reference is put on the prediction's grid by georeferencing (raster.labels_on_grid), then
both are read window by window and counted pair by pair, so rasters larger than memory work.
Pixels where the prediction is nodata or the reference is unlabelled never count. With polygons,
only the pixels inside them are scored by default (--background ignore): reference polygons are
usually a sample, and the rest of the map is neither right nor wrong; --background VALUE scores
the outside as that class. The report says how many pixels were scored and where they came from.
Scores come from metrics.scores: the same numbers training reports, F-beta (--beta) beside F1.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import math
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np

from . import metrics, plots, style
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .params import EvaluateParams, check_bounds
from .progress import Progress
from .version import __version__

BLOCK = 1024


def png_path(report: str | Path) -> Path:
    """The confusion-matrix figure beside the report: REPORT.json → REPORT_confusion.png."""
    report = Path(report)
    return report.with_name(report.stem + "_confusion.png")


def _clean(value: Any) -> Any:
    """JSON without NaN (not valid JSON): NaN → null."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and callable(value.item):
        return _clean(value.item())
    return value


@dataclass
class Tally:
    """Where the pixels of the prediction's grid went: scored, or why not (the report says it)."""

    labelled: int = 0            # scored, labelled by the reference (inside a polygon / a class value)
    background: int = 0          # scored, outside every polygon, as the --background class
    unlabelled: int = 0          # not scored: outside every polygon, or the reference's ignore value / nodata
    prediction_nodata: int = 0   # not scored: labelled, but the class raster has no data there


def count_pairs(prediction, reference, prediction_nodata: Optional[float], ignore_value: int,
                progress: Optional[Progress] = None, background: Optional[int] = None) -> tuple[Counter, Tally]:
    """(reference value, predicted value) → pixel count over pixels both labelled and predicted,
    and the tally of what was scored. `background`: the class given to unlabelled pixels (the
    outside of reference polygons), None to leave them out."""
    pairs: Counter = Counter()
    tally = Tally()
    width, height = prediction.RasterXSize, prediction.RasterYSize
    predicted_band, reference_band = prediction.GetRasterBand(1), reference.GetRasterBand(1)
    blocks = [(x, y) for y in range(0, height, BLOCK) for x in range(0, width, BLOCK)]
    for i, (x, y) in enumerate(blocks):
        w, h = min(BLOCK, width - x), min(BLOCK, height - y)
        predicted = predicted_band.ReadAsArray(x, y, w, h)
        truth = reference_band.ReadAsArray(x, y, w, h).astype(np.int64)
        predicted_ok = np.ones(truth.shape, bool)
        if prediction_nodata is not None:
            predicted_ok &= predicted != prediction_nodata
        if predicted.dtype.kind == "f":
            predicted_ok &= np.isfinite(predicted)
        labelled = truth != ignore_value
        tally.labelled += int(np.count_nonzero(labelled & predicted_ok))
        tally.prediction_nodata += int(np.count_nonzero(labelled & ~predicted_ok))
        outside = ~labelled & predicted_ok
        if background is None:
            tally.unlabelled += int(np.count_nonzero(outside))
            keep = labelled & predicted_ok
        else:
            tally.background += int(np.count_nonzero(outside))
            truth[outside] = background
            keep = predicted_ok
        predicted = predicted[keep].astype(np.int64)
        truth = truth[keep]
        if predicted.size:
            keys, counts = np.unique(np.stack([truth, predicted]), axis=1, return_counts=True)
            for (r, p), n in zip(keys.T.tolist(), counts.tolist()):
                pairs[(r, p)] += n
        if progress is not None:
            progress.update(0.9 * (i + 1) / len(blocks), f"block {i + 1}/{len(blocks)}")
    return pairs, tally


def polygons_over(path: str | Path, grid) -> int:
    """How many reference polygons touch the prediction's extent (the sample the scores rest on)."""
    from . import raster

    vector = raster._open_vector(path)
    layer = raster._polygon_layer(vector, Path(path))
    layer_srs = layer.GetSpatialRef()
    if layer_srs is not None:
        layer_srs = layer_srs.Clone()
        from osgeo import osr

        layer_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    box = raster._transform_bounds(raster.bounds(grid), raster.crs_of(grid), layer_srs)
    if box is not None:
        layer.SetSpatialFilterRect(*box)
    count = sum(1 for feature in layer if feature.GetGeometryRef() is not None)
    layer.SetSpatialFilter(None)
    return count


def _n(count: int) -> str:
    return f"{count:,}"


def scoring_sentence(tally: Tally, polygons: Optional[int], background: Optional[int]) -> str:
    """What the scores rest on, for the log and the report: how many pixels, from where, and what was left out."""
    scored = tally.labelled + tally.background
    if polygons is not None:
        inside = f"{_n(tally.labelled)} pixels inside {_n(polygons)} reference polygon{'s' if polygons != 1 else ''}"
        if background is None:
            text = (f"Scored {inside}; {_n(tally.unlabelled)} pixels outside every polygon not scored "
                    "(--background ignore)")
        else:
            text = (f"Scored {_n(scored)} pixels: {inside} and {_n(tally.background)} pixels outside every polygon "
                    f"as class {background} (--background {background})")
    else:
        text = (f"Scored {_n(tally.labelled)} labelled pixels of the reference raster; {_n(tally.unlabelled)} pixels "
                "with the ignore value, no data or outside the reference not scored")
    if tally.prediction_nodata:
        text += f"; {_n(tally.prediction_nodata)} labelled pixels where the class raster has no data not scored"
    return text + "."


def class_list(named: Optional[list[dict]], pairs: Counter) -> tuple[list[dict], list[int]]:
    """The classes to score: the prediction's own (from its category names / colour table), then
    any value seen in the reference or prediction that is not among them, named 'class N'.
    Returns (classes, values that were added)."""
    classes = [dict(c) for c in (named or [])]
    known = {int(c["value"]) for c in classes}
    seen = sorted({v for pair in pairs for v in pair})
    extra = [v for v in seen if v not in known]
    classes += [{"value": v, "name": f"class {v}", "color": None} for v in extra]
    if not named:
        classes.sort(key=lambda c: c["value"])
    return classes, extra


def matrix_of(pairs: Counter, classes: list[dict]) -> np.ndarray:
    index = {int(c["value"]): i for i, c in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), np.int64)
    for (r, p), n in pairs.items():
        matrix[index[r], index[p]] += n
    return matrix


@job
def run(params: EvaluateParams, progress: Progress) -> None:
    from . import raster

    inputs = [params.prediction, params.reference]
    out = check_can_write(params.out, params.overwrite, kind="report", inputs=inputs)
    figure = check_can_write(png_path(out), params.overwrite, kind="png", inputs=inputs)
    if not params.prediction:
        raise ClaroError("No class raster was given; pass --prediction.")
    if not params.reference:
        raise ClaroError("No reference labels were given; pass --reference.")
    prediction = raster.open_raster(params.prediction, "Class raster")
    band = prediction.GetRasterBand(1)
    if not _holds_integers(band):
        raise ClaroError(f"{params.prediction} holds decimal numbers, not class values; give the class raster from "
                         "'claro predict', not its probabilities.")
    named = style.classes_from_band(band)
    nodata = band.GetNoDataValue()
    check_bounds(params)  # --beta, --ignore-value: params.py's ranges
    polygons = raster.is_vector(params.reference)
    background = raster.parse_background(params.background, params.ignore_value) if polygons else None
    if background == params.ignore_value:
        background = None
    # Polygons are burnt without a background so inside and outside can be told apart; the
    # outside gets the --background class (if any) while the pixels are counted.
    reference = raster.labels_on_grid(params.reference, prediction, class_field=params.class_field,
                                      background="ignore", ignore_value=params.ignore_value)
    progress.log(f"Comparing {params.prediction} with {params.reference} on a "
                 f"{prediction.RasterXSize}×{prediction.RasterYSize} grid.")
    pairs, tally = count_pairs(prediction, reference, nodata, params.ignore_value, progress, background)
    if not pairs:
        raise ClaroError(f"No pixel is both predicted in {params.prediction} and labelled in {params.reference}; "
                         "check that the reference covers the predicted area and that its classes are not all ignored.")
    n_polygons = polygons_over(params.reference, prediction) if polygons else None
    scoring = scoring_sentence(tally, n_polygons, background)
    classes, extra = class_list(named, pairs)
    if extra and named:
        progress.log(f"Values {', '.join(map(str, extra))} are not among the prediction's classes; "
                     "they are scored as extra classes the model never predicts.")
    names = [style.class_name(c, i) for i, c in enumerate(classes)]
    matrix = matrix_of(pairs, classes)
    scores = metrics.scores(matrix, names, params.beta)
    report = {
        "prediction": str(Path(params.prediction).resolve()),
        "reference": str(Path(params.reference).resolve()),
        "classes": classes,
        "classes_not_in_prediction": extra if named else [],
        "ignore_value": params.ignore_value,
        "prediction_nodata": nodata,
        **scores,
        "scored": {"reference": "polygons" if polygons else "raster", "polygons": n_polygons,
                   "background": "ignore" if background is None else background,
                   "pixels_labelled": tally.labelled, "pixels_background": tally.background,
                   "pixels_not_scored": {"unlabelled": tally.unlabelled, "prediction_nodata": tally.prediction_nodata},
                   "sentence": scoring},
        "confusion_matrix_png": str(figure),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "software": {"claro": __version__},
    }
    progress.update(0.95, "writing the report")
    with contextlib.ExitStack() as stack:
        report_tmp = stack.enter_context(atomic_file(out))
        figure_tmp = stack.enter_context(atomic_file(figure))
        plots.confusion_matrix(matrix, names, figure_tmp, title=f"Confusion matrix ({scores['pixels']:,} pixels)")
        Path(report_tmp).write_text(json.dumps(_clean(report), indent=2), encoding="utf-8")
    progress.log(scoring)
    progress.log(summary_line(scores))
    progress.log(f"Report {out}, figure {figure}.")
    progress.update(1.0, "done")
    per_class = scores["per_class"]
    progress.done(out=str(out), png=str(figure), overall_accuracy=scores["overall_accuracy"],
                  mean_iou=scores["mean_iou"], mean_iou_classes=scores["mean_iou_classes"],
                  iou={name: values["iou"] for name, values in per_class.items()},
                  f1={name: values["f1"] for name, values in per_class.items()},
                  fbeta={name: values["fbeta"] for name, values in per_class.items()}, beta=params.beta,
                  pixels=scores["pixels"], scored=asdict(tally), polygons=n_polygons)


def summary_line(scores: dict) -> str:
    """'Overall accuracy 0.912, mean IoU 0.640 over cleared; forest IoU 0.897 F1 0.945 F2 0.951; cleared …'."""
    f_name = metrics.fbeta_name(scores["beta"])
    classes = "; ".join(f"{name} IoU {metrics.score_text(v['iou'])} F1 {metrics.score_text(v['f1'])} "
                        f"{f_name} {metrics.score_text(v['fbeta'])}" for name, v in scores["per_class"].items())
    return (f"Overall accuracy {metrics.score_text(scores['overall_accuracy'])}, mean IoU "
            f"{metrics.score_text(scores['mean_iou'])} over {', '.join(scores['mean_iou_classes'])}; {classes}.")


def _holds_integers(band) -> bool:
    from osgeo import gdal

    return gdal.GetDataTypeName(band.DataType).startswith(("Byte", "UInt", "Int"))
