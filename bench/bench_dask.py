"""Dask prediction benchmarks of issue 14: what distribution costs on one machine, and its memory.

1. Throughput: `claro predict --dask local:2` (two worker processes, one TensorFlow thread each)
   against one process using both cores, on the same synthetic uint8 raster and untrained U-Net
   (depth 4, base 16, as bench_predict's efficiency), with probabilities. Ratio = single-process
   seconds / Dask seconds (goal ≥ 0.9), end to end (cluster start and model loads included) and
   after setup (from the first log line, once the model is loaded). Blocks are a quarter of the
   raster each (2 × 2), so both workers get equal work; the windows a block recomputes at its
   borders are reported as the work ratio. Equality: the largest |difference| of probabilities
   (goal ≤ 1e-5) and the share of equal class pixels. The per-window cost of one worker (one
   thread) is the blocks phase × workers / windows computed: the README's scaling model uses it.
2. Memory: the peak RSS of each Dask worker process (bench/peak_memory.watch_descendants) on a
   raster and on one 16× larger (tiny U-Net, blocks of 16 windows): ratio of the largest worker
   peaks (goal ≤ 1.3, i.e. a worker's memory is set by its block, not by the raster).

Run: `python bench/run.py dask [--quick] [--only throughput,memory]`.
"""
from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_predict import run_predict, synthetic_raster, unet_file  # noqa: E402

import numpy as np  # noqa: E402

WINDOW = 256
OVERLAP = 0.25


def _windows_per_axis(size: int) -> int:
    stride = WINDOW - int(round(WINDOW * OVERLAP))
    margin = (WINDOW - stride) // 2
    return 1 + max(0, math.ceil((size + 2 * margin - WINDOW) / stride))


def _event_time(run: dict, test) -> float:
    return next(e["t"] for e in run["events"] if test(e))


def _read_pair(single: Path, dask: Path) -> tuple[np.ndarray, np.ndarray]:
    from osgeo import gdal

    return gdal.Open(str(single)).ReadAsArray(), gdal.Open(str(dask)).ReadAsArray()


def throughput(folder: Path, size: int = 8192, depth: int = 4, base: int = 16, batch_size: int = 8) -> dict:
    image = synthetic_raster(folder / f"image_{size}.tif", size)
    model = unet_file(folder / f"unet_d{depth}_f{base}.keras", depth, base)
    count = _windows_per_axis(size)
    block = math.ceil(count / 2)
    single = run_predict(model, image, folder / "single.tif", batch_size,
                         ("--window", str(WINDOW), "--probabilities", str(folder / "single_p.tif")))
    dask = run_predict(model, image, folder / "dask.tif", batch_size,
                       ("--window", str(WINDOW), "--probabilities", str(folder / "dask_p.tif"), "--dask", "local:2",
                        "--dask-block", str(block)))
    classes = _read_pair(folder / "single.tif", folder / "dask.tif")
    probs = _read_pair(folder / "single_p.tif", folder / "dask_p.tif")
    max_diff = float(np.abs(probs[0].astype(np.float64) - probs[1]).max())
    equal_share = float((classes[0] == classes[1]).mean())
    done = dask["done"]
    blocks_start = _event_time(dask, lambda e: e["event"] == "log" and "block(s)" in e.get("message", ""))
    blocks_end = _event_time(dask, lambda e: e["event"] == "progress" and e.get("message") == "assembling")
    workers = done["workers"]
    per_window = (blocks_end - blocks_start) * workers / done["windows"]
    ratio = single["seconds"] / dask["seconds"]
    cpu_ratio = single["cpu_seconds"] / dask["cpu_seconds"]
    return {
        "raster": f"{size}x{size}x4 uint8", "model": f"U-Net depth {depth} base {base} (untrained)",
        "window": WINDOW, "overlap": OVERLAP, "batch_size": batch_size, "blocks": done["blocks"],
        "block_windows": block, "windows_single": single["done"]["windows"], "windows_dask": done["windows"],
        "work_ratio": round(done["windows"] / single["done"]["windows"], 3),
        "single_seconds": round(single["seconds"], 1), "dask_seconds": round(dask["seconds"], 1),
        "single_seconds_after_setup": round(single["seconds_after_setup"], 1),
        "dask_seconds_after_setup": round(dask["seconds_after_setup"], 1),
        "dask_blocks_phase_seconds": round(blocks_end - blocks_start, 1),
        "dask_assembly_seconds": round(dask["seconds"] - blocks_end, 1),
        "seconds_per_window_per_worker_thread": round(per_window, 4),
        # CPU time is far less disturbed by other work on the shared cores than wall time
        "single_cpu_seconds": round(single["cpu_seconds"], 1), "dask_cpu_seconds": round(dask["cpu_seconds"], 1),
        "dask_block_cpu_seconds": done["block_cpu_seconds"], "dask_block_seconds": done["block_seconds"],
        "cpu_seconds_per_window_per_worker": round(done["block_cpu_seconds"] / done["windows"], 4),
        "throughput_ratio_cpu": round(cpu_ratio, 3),
        "throughput_ratio": round(ratio, 3),
        "throughput_ratio_after_setup": round(single["seconds_after_setup"] / dask["seconds_after_setup"], 3),
        "max_abs_probability_difference": max_diff, "equal_class_pixels_share": equal_share,
        "met": ratio >= 0.9 and max_diff <= 1e-5, "goal": "ratio >= 0.9, max |Δp| <= 1e-5",
    }


def _worker_peaks(run: dict) -> list[float]:
    """Peak RSS (MB) of each Dask worker process (spawned Python processes, not the resource tracker)."""
    return sorted(round(p["kb"] / 1024.0, 1) for p in run["descendants"].values()
                  if "spawn" in p["command"] and "resource_tracker" not in p["command"])


def memory(folder: Path, sizes=(4096, 16384), depth: int = 2, base: int = 4, batch_size: int = 8,
           block: int = 16) -> dict:
    model = unet_file(folder / f"tiny_d{depth}_f{base}.keras", depth, base)
    runs = {}
    for size in sizes:
        image = synthetic_raster(folder / f"mem_{size}.tif", size)
        result = run_predict(model, image, folder / f"mem_classes_{size}.tif", batch_size,
                             ("--window", str(WINDOW), "--dask", "local:2", "--dask-block", str(block)), descendants=True)
        peaks = _worker_peaks(result)
        runs[str(size)] = {"worker_peak_rss_mb": peaks, "client_peak_rss_mb": round(result["peak_rss_mb"], 1),
                           "blocks": result["done"]["blocks"], "seconds": round(result["seconds"], 1)}
        image.unlink()
        for leftover in folder.glob(f"mem_classes_{size}*"):
            leftover.unlink()
    small, large = (max(runs[str(s)]["worker_peak_rss_mb"] or [0.0]) for s in sizes)
    return {"model": f"U-Net depth {depth} base {base} (tiny)", "block_windows": block, "runs": runs,
            "ratio": round(large / small, 3) if small else None, "pixels_ratio": (sizes[1] / sizes[0]) ** 2,
            "goal": "<= 1.3"}


PARTS = ("throughput", "memory")


def summarize(result: dict) -> str:
    lines = []
    if "throughput" in result:
        t = result["throughput"]
        lines.append(f"--dask local:2 / one process with 2 threads: throughput {t['throughput_ratio']} "
                     f"({t['throughput_ratio_after_setup']} after setup, {t['throughput_ratio_cpu']} in CPU time; goal >= 0.9; "
                     f"work {t['work_ratio']}× from block "
                     f"borders), max |Δp| {t['max_abs_probability_difference']:.2g} on {t['raster']}")
    if "memory" in result:
        m = result["memory"]
        sizes = list(m["runs"])
        lines.append(f"worker peak RSS {sizes[1]}²/{sizes[0]}² = {m['ratio']} (goal <= 1.3)")
    return "; ".join(lines)


def run(quick: bool = False, parts: tuple[str, ...] = PARTS) -> dict:
    import datetime

    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; have {', '.join(PARTS)}")
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="claro-bench-dask-") as tmp:
        folder = Path(tmp)
        for part in parts:
            if part == "throughput":
                result[part] = throughput(folder, size=2048) if quick else throughput(folder)
            elif part == "memory":
                result[part] = memory(folder, sizes=(1024, 4096), block=4) if quick else memory(folder)
            result[part]["measured_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    result["summary"] = summarize(result)
    return result


if __name__ == "__main__":
    chosen = tuple(a for a in sys.argv[1:] if not a.startswith("--")) or PARTS
    print(json.dumps(run(quick="--quick" in sys.argv, parts=chosen), indent=2))
