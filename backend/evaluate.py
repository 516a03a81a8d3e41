"""`claro evaluate`: compare a class raster with reference labels (raster or polygons, any CRS).

The reference is put on the prediction's grid by georeferencing (raster.labels_on_grid), then
both are read window by window and counted pair by pair, so rasters larger than memory work.
Pixels where the prediction is nodata or the reference is unlabelled never count. Scores come
from metrics.scores: the same numbers training reports.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any, Optional

import numpy as np

from . import metrics, plots, style
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .params import EvaluateParams
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


def count_pairs(prediction, reference, prediction_nodata: Optional[float], ignore_value: int,
                progress: Optional[Progress] = None) -> Counter:
    """(reference value, predicted value) → pixel count over pixels both labelled and predicted."""
    pairs: Counter = Counter()
    width, height = prediction.RasterXSize, prediction.RasterYSize
    predicted_band, reference_band = prediction.GetRasterBand(1), reference.GetRasterBand(1)
    blocks = [(x, y) for y in range(0, height, BLOCK) for x in range(0, width, BLOCK)]
    for i, (x, y) in enumerate(blocks):
        w, h = min(BLOCK, width - x), min(BLOCK, height - y)
        predicted = predicted_band.ReadAsArray(x, y, w, h)
        truth = reference_band.ReadAsArray(x, y, w, h).astype(np.int64)
        keep = truth != ignore_value
        if prediction_nodata is not None:
            keep &= predicted != prediction_nodata
        if predicted.dtype.kind == "f":
            keep &= np.isfinite(predicted)
        predicted = predicted[keep].astype(np.int64)
        truth = truth[keep]
        if predicted.size:
            keys, counts = np.unique(np.stack([truth, predicted]), axis=1, return_counts=True)
            for (r, p), n in zip(keys.T.tolist(), counts.tolist()):
                pairs[(r, p)] += n
        if progress is not None:
            progress.update(0.9 * (i + 1) / len(blocks), f"block {i + 1}/{len(blocks)}")
    return pairs


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
    reference = raster.labels_on_grid(params.reference, prediction, class_field=params.class_field,
                                      background=params.background, ignore_value=params.ignore_value)
    progress.log(f"Comparing {params.prediction} with {params.reference} on a "
                 f"{prediction.RasterXSize}×{prediction.RasterYSize} grid.")
    pairs = count_pairs(prediction, reference, nodata, params.ignore_value, progress)
    if not pairs:
        raise ClaroError(f"No pixel is both predicted in {params.prediction} and labelled in {params.reference}; "
                         "check that the reference covers the predicted area and that its classes are not all ignored.")
    classes, extra = class_list(named, pairs)
    if extra and named:
        progress.log(f"Values {', '.join(map(str, extra))} are not among the prediction's classes; "
                     "they are scored as extra classes the model never predicts.")
    names = [style.class_name(c, i) for i, c in enumerate(classes)]
    matrix = matrix_of(pairs, classes)
    scores = metrics.scores(matrix, names)
    report = {
        "prediction": str(Path(params.prediction).resolve()),
        "reference": str(Path(params.reference).resolve()),
        "classes": classes,
        "classes_not_in_prediction": extra if named else [],
        "ignore_value": params.ignore_value,
        "prediction_nodata": nodata,
        **scores,
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
    ious = ", ".join(f"{name} {values['iou']:.3f}" for name, values in scores["per_class"].items()
                     if not math.isnan(values["iou"]))
    progress.log(f"Overall accuracy {scores['overall_accuracy']:.3f}, mean IoU {scores['mean_iou']:.3f} "
                 f"over {', '.join(scores['mean_iou_classes'])} (IoU {ious}); report {out}, figure {figure}.")
    progress.update(1.0, "done")
    progress.done(out=str(out), png=str(figure), overall_accuracy=scores["overall_accuracy"],
                  mean_iou=scores["mean_iou"], mean_iou_classes=scores["mean_iou_classes"],
                  iou={name: values["iou"] for name, values in scores["per_class"].items()}, pixels=scores["pixels"])


def _holds_integers(band) -> bool:
    from osgeo import gdal

    return gdal.GetDataTypeName(band.DataType).startswith(("Byte", "UInt", "Int"))
