"""Test-time augmentation: a window seen through the eight flips and 90° rotations (the dihedral group).

Why this shape: every view goes through the same traced batch predictor (one view of a batch of
windows per call, so the batch shape never changes and TensorFlow never re-traces); each
output is turned back onto the window before averaging, so the average is over the same
ground pixel. Rotations by 90° swap rows and columns, so they need square windows; a model of
fixed non-square size gets the four views that keep the shape.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

#: (quarter turns, mirrored first): all eight symmetries of a square
ALL_VIEWS: tuple[tuple[int, bool], ...] = tuple((k, flip) for flip in (False, True) for k in range(4))
#: the four that keep a rectangle's shape: identity, left-right mirror, half turn, up-down mirror
SHAPE_KEEPING: tuple[tuple[int, bool], ...] = ((0, False), (0, True), (2, False), (2, True))


def views_for(rows: int, cols: int) -> tuple[tuple[int, bool], ...]:
    return ALL_VIEWS if rows == cols else SHAPE_KEEPING


def transform(batch: np.ndarray, view: tuple[int, bool]) -> np.ndarray:
    """The view of a batch [n, rows, cols, channels]: mirror left-right (if asked), then turn."""
    turns, flip = view
    if flip:
        batch = batch[:, :, ::-1]
    return np.rot90(batch, turns, axes=(1, 2))


def restore(batch: np.ndarray, view: tuple[int, bool]) -> np.ndarray:
    """The inverse of `transform`: turn back, then mirror back."""
    turns, flip = view
    batch = np.rot90(batch, -turns, axes=(1, 2))
    if flip:
        batch = batch[:, :, ::-1]
    return batch


def classes_of(probabilities: np.ndarray) -> np.ndarray:
    """Index of the class of each pixel: the arg-max, or p > 0.5 for one sigmoid channel."""
    if probabilities.shape[-1] == 1:
        return (probabilities[..., 0] > 0.5).astype(np.uint8)
    return np.argmax(probabilities, axis=-1).astype(np.uint8)


def augmented(predict: Callable[[np.ndarray], np.ndarray], views: tuple[tuple[int, bool], ...],
              disagreement: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """A predictor like `predict` (windows [n ≤ batch, rows, cols, bands] → [n, rows, cols, channels])
    that averages the probabilities over `views`; with `disagreement`, one more channel: the share
    of views whose class differs from the class of the averaged probabilities."""

    def run(windows: np.ndarray) -> np.ndarray:
        total = None
        classes = []
        for view in views:
            output = restore(predict(np.ascontiguousarray(transform(windows, view))), view)
            total = output.astype(np.float32) if total is None else total + output
            if disagreement:
                classes.append(classes_of(output))
        mean = total / len(views)
        if not disagreement:
            return mean
        final = classes_of(mean)
        share = np.mean([c != final for c in classes], axis=0, dtype=np.float32)
        return np.concatenate([mean, share[..., None]], axis=-1)

    return run
