"""`claro predict --precision bf16` (issue 11): speed ratio bfloat16 / float32 and the change of
held-out IoU on a trained model. Goal: ≥ 1.3× faster for a held-out IoU change ≤ 0.005;
otherwise the dock must not offer bf16 ("fast mode").

1. A trained model: the demo's recipe (scripts/demo.py): the five bundled training tiles cut
   into 128² patches, `claro train --base-filters 16 --depth 4` (the U-Net size bench_predict
   uses; 3 bands here), 20 epochs.
2. Held-out IoU: `claro predict` of the held-out tile Amazon_1712_26 (resources/sample/README.md)
   in float32 and in bf16, IoU of the cleared class against its mask, |ΔIoU| and the share of
   pixels whose class differs.
3. Speed of the model: the traced batch function predict uses (256² windows, batch 8, windows cut
   from the bundled tiles), float32 and bf16 built by model_io.load_model, plus float32 with
   only the batch-norm folding that bf16 does (so the gain of bfloat16 itself is visible). The 2
   cores are shared with other work, so the three are timed in interleaved rounds (f32, folded
   f32, bf16, f32, …) and each round gives a ratio; the median and the spread are reported, in
   wall time and in CPU time (less disturbed by other processes). Also the notebook's 31 M
   parameter U-Net (depth 5, base 32, untrained: speed does not depend on the weights).
4. End to end: `claro predict` of a 2048² synthetic raster, float32 and bf16 child processes
   alternating.

Run: `python bench/run.py bf16` (writes bench/results.json), or `python bench/bench_bf16.py [--quick]`.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_predict  # noqa: E402  (synthetic rasters and U-Net files)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
TRAIN_TILES = ["Amazon_1377_12", "Amazon_170_38", "Amazon_639_49", "Amazon_954_36", "Amazon_511_35"]
HELD_OUT = "Amazon_1712_26"
CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "LD_BIND_NOW": "1"}
GOAL_RATIO, GOAL_IOU = 1.3, 0.005


def claro(*argv: str) -> float:
    """Run a claro command in a child process; its wall seconds."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "claro.backend", *map(str, argv)], capture_output=True, text=True, env=ENV)
    if result.returncode != 0:
        raise RuntimeError(f"claro {argv[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return time.perf_counter() - start


def train_model(folder: Path, epochs: int) -> tuple[Path, dict]:
    pairs: list[str] = []
    for tile in TRAIN_TILES:
        pairs += ["--image", str(SAMPLE / "images" / f"{tile}.tif"), "--labels", str(SAMPLE / "masks" / f"{tile}.tif")]
    patches, model = folder / "patches", folder / "model.keras"
    claro("patches", *pairs, "--out", patches, "--patch-size", 128, "--stride", 64, "--classes", CLASSES)
    seconds = claro("train", "--data", patches, "--out", model, "--base-filters", 16, "--depth", 4, "--epochs", epochs,
                    "--patience", 6, "--batch-size", 16)
    return model, {"recipe": f"scripts/demo.py: 5 bundled tiles, 128² patches stride 64, U-Net base 16 depth 4, "
                             f"{epochs} epochs (patience 6), batch 16", "train_seconds": round(seconds, 1)}


def held_out(model: Path, folder: Path) -> dict:
    """IoU of the cleared class on the held-out tile, predicted in float32 and in bf16."""
    from osgeo import gdal

    from claro.backend import metrics

    reference = gdal.Open(str(SAMPLE / "masks" / f"{HELD_OUT}.tif")).ReadAsArray()
    out: dict = {"tile": HELD_OUT}
    classes = {}
    for precision in ("float32", "bf16"):
        path = folder / f"held_out_{precision}.tif"
        claro("predict", "--model", model, "--image", SAMPLE / "images" / f"{HELD_OUT}.tif", "--out", path,
              "--precision", precision)
        classes[precision] = gdal.Open(str(path)).ReadAsArray()
        scores = metrics.scores(metrics.confusion_matrix(reference, classes[precision], 2), ["forest", "cleared"])
        out[precision] = {"iou_cleared": round(scores["per_class"]["cleared"]["iou"], 5),
                          "pixel_accuracy": round(scores["overall_accuracy"], 5)}
    out["iou_change"] = round(abs(out["bf16"]["iou_cleared"] - out["float32"]["iou_cleared"]), 5)
    out["pixels_with_another_class"] = int((classes["float32"] != classes["bf16"]).sum())
    out["pixels"] = int(reference.size)
    return out


# --------------------------------------------------------------------------- model speed

def sample_windows(bands: int, window: int, count: int) -> np.ndarray:
    """`count` real windows from the bundled tiles ([count, window, window, bands] float32); bands
    beyond the tiles' three repeat them."""
    from osgeo import gdal

    windows = []
    names = TRAIN_TILES + [HELD_OUT]
    for i in range(count):
        data = gdal.Open(str(SAMPLE / "images" / f"{names[i % len(names)]}.tif")).ReadAsArray().transpose(1, 2, 0)
        y, x = ((i // len(names)) % (512 // window)) * window, 0
        patch = data[y:y + window, x:x + window]
        windows.append(np.concatenate([patch] * -(-bands // patch.shape[-1]), axis=-1)[..., :bands])
    return np.stack(windows).astype(np.float32)


def speed_here(model_path: str, window: int, batch: int, batches: int, rounds: int) -> dict:
    """Interleaved rounds of float32, folded float32 and bf16 on the same windows (run in a child)."""
    from claro.backend import model_io, precision
    from claro.backend.predict import batch_predictor

    f32, _ = model_io.load_model(model_path)
    folded, count, _ = precision.rebuild(f32, "float32")
    bf16, _ = model_io.load_model(model_path, precision="bf16")
    bands = f32.inputs[0].shape[-1]
    x = sample_windows(bands, window, batch * batches)
    predictors = {name: batch_predictor(model, batch, window, window, bands)
                  for name, model in (("float32", f32), ("float32_folded", folded), ("bf16", bf16))}
    for predict in predictors.values():  # tracing and oneDNN's first-call setup, twice
        predict(x[:batch])
        predict(x[:batch])
    times: dict[str, list] = {name: [] for name in predictors}
    cpu: dict[str, list] = {name: [] for name in predictors}
    for _ in range(rounds):
        for name, predict in predictors.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            for i in range(batches):
                predict(x[i * batch:(i + 1) * batch])
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {"times": times, "cpu": cpu, "pixels_per_round": batch * batches * window * window,
            "parameters": f32.count_params(), "batch_norms_folded": count}


def spread(ratios: list[float]) -> dict:
    return {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3), "max": round(max(ratios), 3),
            "all": [round(r, 3) for r in ratios]}


def model_speed(model: Path, window: int, batch: int, batches: int, rounds: int) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import bench_bf16 as b; "
            f"print(json.dumps(b.speed_here({str(model)!r}, {window}, {batch}, {batches}, {rounds})))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True).stdout
    raw = json.loads(output.strip().splitlines()[-1])
    t, c = raw["times"], raw["cpu"]
    pixels = raw["pixels_per_round"]
    return {
        "parameters": raw["parameters"], "window": window, "batch_size": batch, "batches_per_round": batches,
        "rounds": rounds, "batch_norms_folded": raw["batch_norms_folded"],
        "px_per_s_median": {name: round(pixels / statistics.median(values)) for name, values in t.items()},
        "ratio_bf16": spread([a / b for a, b in zip(t["float32"], t["bf16"])]),
        "ratio_bf16_cpu_time": spread([a / b for a, b in zip(c["float32"], c["bf16"])]),
        "ratio_folding_alone": spread([a / b for a, b in zip(t["float32"], t["float32_folded"])]),
        "ratio_bf16_vs_folded_float32": spread([a / b for a, b in zip(t["float32_folded"], t["bf16"])]),
    }


def end_to_end(model: Path, folder: Path, size: int, pairs: int) -> dict:
    """`claro predict` wall and CPU seconds, float32 and bf16 child processes alternating."""
    image = bench_predict.synthetic_raster(folder / f"image_{size}.tif", size, bands=3)
    runs: dict[str, list] = {"float32": [], "bf16": []}
    cpu: dict[str, list] = {"float32": [], "bf16": []}
    for _ in range(pairs):
        for precision in runs:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs[precision].append(claro("predict", "--model", model, "--image", image, "--out", folder / f"e2e_{precision}.tif",
                                         "--precision", precision, "--overwrite"))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[precision].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {"raster": f"{size}x{size}x3 uint8", "pairs": pairs,
            "seconds": {k: [round(v, 1) for v in values] for k, values in runs.items()},
            "ratio_bf16": spread([a / b for a, b in zip(runs["float32"], runs["bf16"])]),
            "ratio_bf16_cpu_time": spread([a / b for a, b in zip(cpu["float32"], cpu["bf16"])])}


def cpu_flags() -> str:
    from claro.backend import probe

    fast, reason = probe.bf16_support(probe.read_cpuinfo(), [])
    return reason


def run(quick: bool = False) -> dict:
    """`quick`: 2 training epochs, few rounds, a 1024² raster (numbers meaningless)."""
    result: dict = {"cpu": cpu_flags(), "goal": f"speed ratio >= {GOAL_RATIO} for |ΔIoU| <= {GOAL_IOU}"}
    with tempfile.TemporaryDirectory(prefix="claro-bench-bf16-") as tmp:
        folder = Path(tmp)
        model, result["training"] = train_model(folder, epochs=2 if quick else 20)
        result["held_out"] = held_out(model, folder)
        result["model_speed"] = model_speed(model, 256, 8, 2 if quick else 4, 3 if quick else 15)
        large = bench_predict.unet_file(folder / "unet_d5_f32.keras", depth=5, base=32)
        result["model_speed_31M"] = {"model": "U-Net depth 5 base 32, 4 bands (untrained)",
                                     **model_speed(large, 256, 4, 1 if quick else 2, 3 if quick else 7)}
        result["end_to_end"] = end_to_end(model, folder, 1024 if quick else 2048, 1 if quick else 3)
    ratio = result["model_speed"]["ratio_bf16"]["median"]
    change = result["held_out"]["iou_change"]
    result["speed_ratio"] = ratio
    result["iou_change"] = change
    result["goal_met"] = ratio >= GOAL_RATIO and change <= GOAL_IOU
    s, e, big = result["model_speed"], result["end_to_end"], result["model_speed_31M"]
    result["summary"] = (
        f"bf16/float32 on U-Net base 16 depth 4: model {ratio}× (median of {s['rounds']} interleaved rounds, "
        f"{s['ratio_bf16']['min']}–{s['ratio_bf16']['max']}; CPU time {s['ratio_bf16_cpu_time']['median']}×; batch-norm "
        f"folding alone {s['ratio_folding_alone']['median']}×), claro predict end to end {e['ratio_bf16']['median']}×, "
        f"31 M U-Net {big['ratio_bf16']['median']}×; held-out IoU(cleared) {result['held_out']['float32']['iou_cleared']} → "
        f"{result['held_out']['bf16']['iou_cleared']} (|Δ| {change}); goal (>= {GOAL_RATIO}×, |ΔIoU| <= {GOAL_IOU}) "
        f"{'met' if result['goal_met'] else 'NOT met: do not offer bf16 in the dock'}; {result['cpu']}")
    return result


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
