"""PNG figures for people: training curves and confusion matrices (matplotlib, no screen)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .atomic import atomic_file


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def training_curves(history: dict[str, list[float]], out: str | os.PathLike) -> Path:
    """Loss (left) and mean IoU (right) per epoch, training and validation."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for ax, key, title in ((axes[0], "loss", "Loss"), (axes[1], "mean_iou", "Mean IoU (target classes)")):
        for prefix, style, label in (("", "-", "training"), ("val_", "--", "validation")):
            values = history.get(prefix + key)
            if values:
                ax.plot(range(1, len(values) + 1), values, style, marker="o", markersize=3, label=label)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    with atomic_file(out) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(out)


def confusion_matrix(matrix: np.ndarray, names: list[str], out: str | os.PathLike, title: str = "Confusion matrix") -> Path:
    """Row-normalised colours with the pixel counts written in each cell."""
    plt = _pyplot()
    matrix = np.asarray(matrix, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nan_to_num(matrix / matrix.sum(axis=1, keepdims=True))
    n = len(names)
    fig, ax = plt.subplots(figsize=(2.2 + 1.1 * n, 1.8 + 1.0 * n), dpi=100)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{int(matrix[i, j]):,}\n{share[i, j]:.1%}", ha="center", va="center",
                    color="white" if share[i, j] > 0.5 else "black", fontsize=8)
    ax.set_xticks(range(n), names, rotation=30, ha="right")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("reference")
    ax.set_title(title)
    fig.tight_layout()
    with atomic_file(out) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(out)
