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


def _interval(value, half) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} ± {half:.2f}" if half is not None else f"{value:.2f}"


def assessment_summary(report: dict, out: str | os.PathLike) -> Path:
    """One page (A4 landscape) of `claro assess`: per class, the map's area beside the estimated
    area with its 95 % interval (each class on its own scale, so a rare change class is as
    readable as the stable ones), and the table of accuracies; the notes underneath."""
    import textwrap

    from matplotlib.gridspec import GridSpec

    from .style import hex_to_rgb

    plt = _pyplot()
    classes = report["classes"]
    fig = plt.figure(figsize=(11.69, 8.27), dpi=100)
    overall = _interval(report.get("overall_accuracy"), report.get("overall_accuracy_ci95"))
    fig.suptitle(f"Accuracy and area estimates (Olofsson et al. 2014) — overall accuracy {overall} (95 % CI)",
                 fontsize=13)
    rows = max(len(classes), 1)
    grid = GridSpec(rows, 2, figure=fig, width_ratios=[1.0, 1.45], left=0.1, right=0.99, top=0.9,
                    bottom=0.2, hspace=0.9, wspace=0.06)
    for i, cls in enumerate(classes):
        ax = fig.add_subplot(grid[i, 0])
        color = tuple(c / 255 for c in hex_to_rgb(cls.get("color"), i))
        ax.barh([1], [cls["map_area_ha"]], color="#bbbbbb", height=0.6)
        estimated = cls.get("area_ha")
        if estimated is not None:
            half = cls.get("area_ci95_ha")
            ax.barh([0], [estimated], color=color, height=0.6, edgecolor="#333333", linewidth=0.5,
                    xerr=[[half], [half]] if half is not None else None, capsize=4, ecolor="black")
        ax.set_yticks([0, 1], ["estimated", "map"], fontsize=8)
        ax.set_title(cls["name"], fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_formatter(_thousands())
        ax.set_xlim(left=0)
        ax.grid(axis="x", alpha=0.3)
        if i == len(classes) - 1:
            ax.set_xlabel("hectares (true area); error bar: 95 % confidence interval", fontsize=8)
    table_ax = fig.add_subplot(grid[:, 1])
    table_ax.axis("off")
    header = ["class", "map ha", "points", "user's", "producer's", "estimated ha"]
    cells = []
    for cls in classes:
        area = "—" if cls.get("area_ha") is None else (
            f"{cls['area_ha']:,.0f} ± {cls['area_ci95_ha']:,.0f}" if cls.get("area_ci95_ha") is not None
            else f"{cls['area_ha']:,.0f}")
        cells.append([cls["name"], f"{cls['map_area_ha']:,.0f}", str(cls["sample_count"]),
                      _interval(cls.get("users_accuracy"), cls.get("users_accuracy_ci95")),
                      _interval(cls.get("producers_accuracy"), cls.get("producers_accuracy_ci95")), area])
    if cells:
        height = min(1.0, 0.055 * (len(cells) + 1))
        table = table_ax.table(cellText=cells, colLabels=header, cellLoc="right", colLoc="center",
                               colWidths=[0.22, 0.12, 0.08, 0.17, 0.17, 0.24], bbox=[0.0, 1.0 - height, 1.0, height])
        table.auto_set_font_size(False)
        table.set_fontsize(7.5 if len(cells) <= 12 else 6)
    points = report.get("points", {})
    footer = [f"{points.get('labelled', 0):,} labelled points, {points.get('skipped', 0):,} skipped, "
              f"{len(points.get('excluded', [])):,} excluded; total area {report.get('total_area_ha', 0):,.0f} ha."]
    footer += report.get("notes", [])[:6]
    fig.text(0.03, 0.13, "\n".join(textwrap.fill(line, 170) for line in footer), fontsize=7.5, va="top")
    with atomic_file(out) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(out)


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: f"{value:,.0f}")
