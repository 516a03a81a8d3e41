"""`make demo`: the main job on the bundled sample, start to finish, in a few minutes on a laptop.

Five Amazon tiles → patches → a small U-Net → prediction of a sixth tile it never saw →
evaluation against that tile's mask. Each step is the same command an analyst would type.
Each step runs in this process through the CLI's main(), which hides TensorFlow's start-up
noise as the CLI does; `python scripts/demo.py --verbose` shows it (`claro --verbose`).
"""
from __future__ import annotations

import csv
import json
import shlex
import sys
import time
from pathlib import Path

from claro.backend import card as model_card
from claro.backend import areas, metrics, train
from claro.backend.cli import main as claro

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
OUT = ROOT / "demo-output"
TRAIN_TILES = ["Amazon_1377_12", "Amazon_170_38", "Amazon_639_49", "Amazon_954_36", "Amazon_511_35"]
HELD_OUT = "Amazon_1712_26"
CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"


VERBOSE = "--verbose" in sys.argv[1:]


def step(title: str, argv: list[str]) -> None:
    argv = ["--verbose", *argv] if VERBOSE else argv
    print(f"\n== {title}\n$ claro {shlex.join(argv)}", flush=True)
    started = time.monotonic()
    code = claro(argv)
    if code != 0:
        sys.exit(f"demo: step '{title}' failed (exit {code}); see the message above.")
    print(f"   ({time.monotonic() - started:.0f} s)", flush=True)


def run() -> None:
    OUT.mkdir(exist_ok=True)
    patches, model = OUT / "patches", OUT / "model.keras"
    classes_tif, report = OUT / f"{HELD_OUT}-classes.tif", OUT / f"{HELD_OUT}-report.json"

    pairs: list[str] = []
    for tile in TRAIN_TILES:
        pairs += ["--image", str(SAMPLE / "images" / f"{tile}.tif"), "--labels", str(SAMPLE / "masks" / f"{tile}.tif")]
    step("Cut five tiles into 128-pixel patches", [
        "patches", *pairs, "--out", str(patches), "--patch-size", "128", "--stride", "64",
        "--classes", CLASSES, "--overwrite"])
    step("Train a small U-Net (16 base filters, depth 4)", [
        "train", "--data", str(patches), "--out", str(model), "--base-filters", "16", "--depth", "4",
        "--epochs", "20", "--patience", "6", "--batch-size", "16", "--overwrite"])
    step(f"Predict {HELD_OUT}, a tile the model never saw", [
        "predict", "--model", str(model), "--image", str(SAMPLE / "images" / f"{HELD_OUT}.tif"),
        "--out", str(classes_tif), "--overwrite"])
    step("Evaluate the prediction against the tile's mask", [
        "evaluate", "--prediction", str(classes_tif), "--reference", str(SAMPLE / "masks" / f"{HELD_OUT}.tif"),
        "--out", str(report), "--overwrite"])

    result = json.loads(report.read_text())
    cleared = result["per_class"]["cleared"]
    outputs = {
        "class GeoTIFF": classes_tif,
        "its QGIS style": classes_tif.with_suffix(".qml"),
        "true areas (CSV)": areas.area_csv_path(classes_tif),
        "model": model,
        "training curves": sorted(OUT.glob("model*curves*.png")),
        "confusion matrices": sorted(OUT.glob("*confusion*.png")),
        "evaluation report": report,
    }
    print("\n== Done. Outputs:")
    for label, paths in outputs.items():
        for path in paths if isinstance(paths, list) else [paths]:
            print(f"  {label:<20} {path.relative_to(ROOT)}")
    f_name = metrics.fbeta_name(result["beta"])
    reference_pixels = {name: values["reference_pixels"] for name, values in result["per_class"].items()}
    held = ", ".join(f"{name} {train.pixel_count_text(n)} px" for name, n in reference_pixels.items())
    print(f"\nOn {HELD_OUT} (never trained on; {held}): IoU(cleared) {metrics.score_text(cleared['iou'])}, "
          f"F1(cleared) {metrics.score_text(cleared['f1'])}, {f_name}(cleared) {metrics.score_text(cleared['fbeta'])}, "
          f"pixel accuracy {metrics.score_text(result['overall_accuracy'])}.")
    # Beside it, what the training's own splits held: a small or unrepresentative split shows here.
    for split, scores in (model_card.read_card(model) or {}).get("metrics", {}).items():
        if isinstance(scores, dict) and "patches" in scores:
            print(f"Training's {train.split_line(split, scores, scores)}")
    with areas.area_csv_path(classes_tif).open(newline="", encoding="utf-8") as table:
        hectares = ", ".join(f"{row['name']} {float(row['hectares']):,.1f} ha" for row in csv.DictReader(table))
    print(f"Mapped areas of {HELD_OUT} (true areas on the WGS84 ellipsoid): {hectares}.")
    print("Open the class GeoTIFF in QGIS: it is styled by the .qml beside it.")


if __name__ == "__main__":
    run()
