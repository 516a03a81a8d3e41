"""Accuracy from a confusion matrix: one implementation for training, testing and `claro evaluate`.

Pure numpy. The confusion matrix is indexed [reference class index, predicted class index];
ignored pixels never enter it.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .params import DEFAULT_BETA


def confusion_matrix(reference: np.ndarray, predicted: np.ndarray, n_classes: int,
                     valid: np.ndarray | None = None) -> np.ndarray:
    """Counts of (reference, predicted) class-index pairs over the valid pixels (int64 [n, n])."""
    reference = np.asarray(reference).ravel()
    predicted = np.asarray(predicted).ravel()
    keep = (reference >= 0) & (reference < n_classes) & (predicted >= 0) & (predicted < n_classes)
    if valid is not None:
        keep &= np.asarray(valid).ravel().astype(bool)
    index = reference[keep].astype(np.int64) * n_classes + predicted[keep].astype(np.int64)
    return np.bincount(index, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def fbeta(tp, fp, fn, beta: float = DEFAULT_BETA):
    """F-beta per class from counts: (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp).

    β > 1 weighs recall above precision: β = 2 says missing a clearing costs more than a false
    alarm. F1 is β = 1. Written with counts, not precision and recall, so a class the model never
    predicts scores 0 (it missed everything) rather than undefined; only a class absent from both
    the reference and the prediction has no score (NaN, JSON null, printed "n/a").
    """
    tp, fp, fn = (np.asarray(v, dtype=np.float64) for v in (tp, fp, fn))
    b2 = float(beta) ** 2
    return _ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)


def fbeta_name(beta: float = DEFAULT_BETA) -> str:
    """'F2' for β = 2, 'F0.5' for β = 0.5: how a person writes the score."""
    return f"F{beta:g}"


def score_text(value: Optional[float]) -> str:
    """A score for a person: 3 decimals, or "n/a" when there is none (NaN or None), never 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3f}"


def target_classes(n_classes: int) -> list[int]:
    """Class indices a user cares about in a mean IoU: for two classes only the second one
    (the thing being mapped: cleared, logged, water), else all. The ACCA notebook's IoU of the
    background class flatters a model that finds nothing."""
    return [1] if n_classes == 2 else list(range(n_classes))


def scores(matrix: np.ndarray, names: list[str] | None = None, beta: float = DEFAULT_BETA) -> dict:
    """Per-class IoU, F1, F-beta, precision, recall; overall accuracy; mean IoU over the target classes.

    A class that is absent from both reference and prediction gets NaN (JSON null), not 1 or 0.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    n = matrix.shape[0]
    names = names or [str(i) for i in range(n)]
    tp = np.diag(matrix)
    reference_total = matrix.sum(axis=1)
    predicted_total = matrix.sum(axis=0)
    precision = _ratio(tp, predicted_total)
    recall = _ratio(tp, reference_total)
    iou = _ratio(tp, reference_total + predicted_total - tp)
    f1 = _ratio(2 * tp, reference_total + predicted_total)
    f_beta = fbeta(tp, predicted_total - tp, reference_total - tp, beta)
    total = matrix.sum()
    targets = target_classes(n)
    target_iou = iou[targets]
    per_class = {
        names[i]: {"iou": float(iou[i]), "f1": float(f1[i]), "fbeta": float(f_beta[i]), "precision": float(precision[i]),
                   "recall": float(recall[i]), "reference_pixels": int(reference_total[i]),
                   "predicted_pixels": int(predicted_total[i])}
        for i in range(n)
    }
    return {
        "per_class": per_class,
        "overall_accuracy": float(tp.sum() / total) if total else float("nan"),
        "mean_iou": float(np.nanmean(target_iou)) if np.any(~np.isnan(target_iou)) else float("nan"),
        "mean_iou_classes": [names[i] for i in targets],
        "beta": float(beta),
        "pixels": int(total),
        "confusion_matrix": matrix.astype(np.int64).tolist(),
        "class_names": list(names),
    }
