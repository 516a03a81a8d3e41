"""Prediction benchmarks of issue 3: efficiency of `claro predict` and its memory when rasters grow.

1. Efficiency: `claro predict` end-to-end pixels/s on a synthetic 8192×8192×4 raster, divided by
   the model's own throughput on the same windows in memory. The model does more work than the
   raster has pixels (windows overlap and reach past the edges); that overlap counts as model
   work: ideal time = windows × window pixels / model rate, efficiency = ideal time / real time.
   The model rate is measured with `model.predict` on batches of real windows cut from the raster
   (the issue's definition) and, stricter, with the same traced function predict uses. The 2
   cores are shared, so rate measurements and runs alternate and the best of each counts.
   Model: U-Net base 16, depth 4 (the issue's accuracy recipe), untrained (speed does not depend
   on the weights).
2. Memory: peak RSS of `claro predict` on 4096² and 16384² rasters (4 bands, uint8) with a tiny
   U-Net (base 4, depth 2) so the big raster finishes in minutes on 2 cores; the goal is a ratio
   ≤ 1.3, i.e. memory does not grow with the raster. Peak RSS is the child's VmHWM (see
   peak_memory.watch_peak for why not ru_maxrss).

3. Test-time augmentation (issue 11): `--tta` (eight views of every window) against plain
   prediction on the same raster and model as 1.; goal: cost ≤ 8.5× plain.
4. Area of interest (issue 11): a square polygon covering 10 % of the raster, in another CRS
   (WGS84), against the whole raster; goal: cost ≤ 0.2× the whole raster.
   Both report wall-clock ratios end to end and after setup (from predict's first log line, once
   the model is loaded, to its exit), and in CPU time (less disturbed by the shared cores).

Run: `make bench` (bench/run.py calls run()), or `python bench/bench_predict.py [--quick] [PART ...]`
(PART: efficiency, memory, tta, aoi; `python bench/run.py predict --only tta,aoi` keeps the other parts' results).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak_memory import watch_descendants, watch_peak  # noqa: E402

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "LD_BIND_NOW": "1"}


def synthetic_raster(path: Path, size: int, bands: int = 4, block: int = 1024) -> Path:
    """A tiled uint8 GeoTIFF with smooth structure plus noise (like imagery, compressible), written
    block by block so even 16384² never sits in memory."""
    from osgeo import gdal, osr

    gdal.SetCacheMax(64 * 1024 * 1024)  # keep this (parent) process small
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), size, size, bands, gdal.GDT_Byte,
                                                   options=["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"])
    dataset.SetGeoTransform((300000.0, 3.0, 0.0, 9100000.0, 0.0, -3.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32719)
    dataset.SetProjection(srs.ExportToWkt())
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:block, 0:block].astype(np.float32)
    for y in range(0, size, block):
        for x in range(0, size, block):
            h, w = min(block, size - y), min(block, size - x)
            for b in range(bands):
                smooth = 100 + 60 * np.sin((xx[:h, :w] + x) / (37.0 + 11 * b)) * np.cos((yy[:h, :w] + y) / 53.0)
                noise = rng.normal(0, 12, (h, w))
                dataset.GetRasterBand(b + 1).WriteArray(np.clip(smooth + noise, 0, 255).astype(np.uint8), x, y)
    dataset = None
    return path


def unet_file(path: Path, depth: int, base: int, patch_size: int = 128) -> Path:
    from claro.backend import card as model_card
    from claro.backend.model import build_unet

    model = build_unet(4, 2, depth=depth, base_filters=base, mean=[100.0] * 4, std=[45.0] * 4)
    model.save(path)
    model_card.write_card(path, {
        "bands": ["b1", "b2", "b3", "b4"], "source_bands": [1, 2, 3, 4],
        "normalization": {"mean": [100.0] * 4, "std": [45.0] * 4},
        "classes": [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}],
        "activation": "sigmoid", "ignore_value": 255, "patch_size": patch_size})
    return path




def run_predict(model: Path, image: Path, out: Path, batch_size: int, extra: tuple[str, ...] = (),
                descendants: bool = False) -> dict:
    """Run `claro predict` in a child process: wall time, its own peak RSS, and its events (each
    with "t", seconds since the start); with `descendants`, also the peak RSS of each process it
    started (bench_dask: the Dask workers)."""
    argv = [PYTHON, "-m", "claro.backend", "predict", "--model", str(model), "--image", str(image), "--out", str(out),
            "--batch-size", str(batch_size), "--overwrite", "--progress", "json", *extra]
    start = time.perf_counter()
    errors = tempfile.TemporaryFile("w+")  # a pipe could fill with TensorFlow's chatter and block the child
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, env=ENV, text=True)
    watcher, peak = watch_peak(child.pid)
    tree, peaks = watch_descendants(child.pid) if descendants else (None, {})
    first_progress = first_log = None
    events = []
    for line in child.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        event["t"] = time.perf_counter() - start
        events.append(event)
        if event.get("event") == "progress" and first_progress is None:
            first_progress = time.perf_counter()
        if event.get("event") == "log" and first_log is None:
            first_log = time.perf_counter()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    watcher.join()
    if tree is not None:
        tree.join()
    seconds = time.perf_counter() - start
    errors.seek(0)
    stderr = errors.read()
    done = next((e for e in events if e.get("event") == "done"), None)
    if child.returncode != 0 or done is None:
        raise RuntimeError(f"claro predict failed ({child.returncode}): {stderr[-2000:]}")
    return {"seconds": seconds, "seconds_after_start": seconds - ((first_progress or start) - start),
            "seconds_after_setup": seconds - ((first_log or start) - start),
            "peak_rss_mb": peak.get("kb", 0) / 1024.0, "cpu_seconds": usage.ru_utime + usage.ru_stime, "done": done,
            "events": events, "descendants": peaks}


def model_rate(model_path: Path, image: Path, window: int, batch_size: int, batches: int) -> dict:
    """Pixels/s of the model alone on `batches` batches of real windows from the raster, in memory:
    keras model.predict (the issue's definition) and the traced function predict.py uses."""
    import tensorflow as tf
    from osgeo import gdal

    from claro.backend import model_io
    from claro.backend.predict import batch_predictor

    model, _ = model_io.load_model(model_path)
    dataset = gdal.Open(str(image))
    count = batch_size * batches
    per_row = dataset.RasterXSize // window
    windows = []
    for i in range(count):
        y, x = (i // per_row) * window, (i % per_row) * window
        windows.append(dataset.ReadAsArray(x, y, window, window).transpose(1, 2, 0))
    x = np.stack(windows).astype(np.float32)
    pixels = x.shape[0] * window * window
    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)  # warm-up (tracing)
    start, cpu = time.perf_counter(), time.process_time()
    model.predict(x, batch_size=batch_size, verbose=0)
    keras_rate = pixels / (time.perf_counter() - start)
    keras_cpu_rate = pixels / (time.process_time() - cpu)
    traced = batch_predictor(model, batch_size, window, window, x.shape[-1])
    traced(x[:batch_size])
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(batches):
        traced(x[i * batch_size:(i + 1) * batch_size])
    traced_rate = pixels / (time.perf_counter() - start)
    traced_cpu_rate = pixels / (time.process_time() - cpu)
    del tf
    return {"model_predict_px_per_s": keras_rate, "traced_px_per_s": traced_rate,
            "model_predict_px_per_cpu_s": keras_cpu_rate, "traced_px_per_cpu_s": traced_cpu_rate}


def efficiency(folder: Path, size: int = 8192, depth: int = 4, base: int = 16, batch_size: int = 8,
               rate_batches: int = 12, repeats: int = 2) -> dict:
    """The 2 cores are shared with other work, so model-rate measurements and end-to-end runs
    alternate `repeats` times and the best of each is used (noise only ever slows a run down)."""
    image = synthetic_raster(folder / f"image_{size}.tif", size)
    model = unet_file(folder / f"unet_d{depth}_f{base}.keras", depth, base)
    window = 256
    rates = [_rate_in_child(model, image, window, batch_size, rate_batches)]
    runs = []
    for _ in range(repeats):
        runs.append(run_predict(model, image, folder / "classes.tif", batch_size))
        rates.append(_rate_in_child(model, image, window, batch_size, rate_batches))
    best = min(runs, key=lambda r: r["seconds"])
    windows = best["done"]["windows"]
    win = best["done"]["window"]
    model_pixels = windows * win[0] * win[1]
    pixels = size * size
    keras_rate = max(r["model_predict_px_per_s"] for r in rates)
    traced_rate = max(r["traced_px_per_s"] for r in rates)
    return {
        "raster": f"{size}x{size}x4 uint8", "model": f"U-Net depth {depth} base {base} (untrained)",
        "window": win, "overlap": 0.25, "batch_size": batch_size, "windows": windows,
        "model_work_per_pixel": round(model_pixels / pixels, 3),
        "end_to_end_seconds": round(best["seconds"], 1),
        "end_to_end_seconds_all": [round(r["seconds"], 1) for r in runs],
        "end_to_end_px_per_s": round(pixels / best["seconds"]),
        "model_predict_px_per_s": round(keras_rate),
        "traced_px_per_s": round(traced_rate),
        "model_rates_all": [{k: round(v) for k, v in r.items()} for r in rates],
        "efficiency": round(model_pixels / keras_rate / best["seconds"], 3),
        "efficiency_vs_traced_function": round(model_pixels / traced_rate / best["seconds"], 3),
        "efficiency_excluding_startup": round(model_pixels / keras_rate / best["seconds_after_start"], 3),
        # CPU time is far less disturbed by other work on the shared cores than wall time:
        # model CPU-seconds the windows need / CPU-seconds `claro predict` spent (startup included).
        "end_to_end_cpu_seconds_all": [round(r["cpu_seconds"], 1) for r in runs],
        "efficiency_cpu": round(model_pixels / max(r["model_predict_px_per_cpu_s"] for r in rates)
                                / min(r["cpu_seconds"] for r in runs), 3),
        "efficiency_cpu_vs_traced_function": round(model_pixels / max(r["traced_px_per_cpu_s"] for r in rates)
                                                   / min(r["cpu_seconds"] for r in runs), 3),
        "goal": ">= 0.8",
    }


def _rate_in_child(model: Path, image: Path, window: int, batch_size: int, batches: int) -> dict:
    """Measure the model's rate in a fresh process, as predict runs in one (same threads, no
    state left over from this process)."""
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import bench_predict as b; "
            f"from pathlib import Path; print(json.dumps(b.model_rate(Path({str(model)!r}), Path({str(image)!r}), "
            f"{window}, {batch_size}, {batches})))")
    output = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=ENV, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def memory(folder: Path, sizes=(4096, 16384), depth: int = 2, base: int = 4, batch_size: int = 8) -> dict:
    model = unet_file(folder / f"tiny_d{depth}_f{base}.keras", depth, base)
    runs = {}
    for size in sizes:
        image = synthetic_raster(folder / f"mem_{size}.tif", size)
        result = run_predict(model, image, folder / f"mem_classes_{size}.tif", batch_size)
        runs[str(size)] = {"peak_rss_mb": round(result["peak_rss_mb"], 1), "seconds": round(result["seconds"], 1)}
        image.unlink()
        for leftover in folder.glob(f"mem_classes_{size}.*"):
            leftover.unlink()
    small, large = (runs[str(s)]["peak_rss_mb"] for s in sizes)
    return {"model": f"U-Net depth {depth} base {base} (tiny, so 16384² finishes on 2 cores)",
            "runs": runs, "ratio": round(large / small, 3), "pixels_ratio": (sizes[1] / sizes[0]) ** 2, "goal": "<= 1.3"}


def _ratios(option: dict, plain: dict) -> dict:
    return {"wall": round(option["seconds"] / plain["seconds"], 3),
            "wall_after_setup": round(option["seconds_after_setup"] / plain["seconds_after_setup"], 3),
            "cpu": round(option["cpu_seconds"] / plain["cpu_seconds"], 3)}


def _best(runs: list[dict]) -> dict:
    """The least of each time over repeated runs: the shared cores only ever slow a run down."""
    return {**runs[0], **{key: min(r[key] for r in runs) for key in ("seconds", "seconds_after_setup", "cpu_seconds")}}


def _times(result: dict) -> dict:
    return {"seconds": round(result["seconds"], 1), "seconds_after_setup": round(result["seconds_after_setup"], 1),
            "cpu_seconds": round(result["cpu_seconds"], 1), "windows": result["done"]["windows"],
            "views": result["done"].get("views", 1)}


def tta_cost(folder: Path, size: int = 2048, depth: int = 4, base: int = 16, batch_size: int = 8) -> dict:
    """`--tta` against plain prediction, one run each, same raster, model and windows."""
    image = synthetic_raster(folder / f"tta_{size}.tif", size)
    model = unet_file(folder / f"unet_d{depth}_f{base}.keras", depth, base)
    plain = run_predict(model, image, folder / "tta_plain.tif", batch_size)
    tta = run_predict(model, image, folder / "tta_tta.tif", batch_size, ("--tta",))
    ratios = _ratios(tta, plain)
    return {"raster": f"{size}x{size}x4 uint8", "model": f"U-Net depth {depth} base {base} (untrained)",
            "window": tta["done"]["window"], "plain": _times(plain), "tta": _times(tta), "ratio": ratios,
            "met": ratios["wall"] <= 8.5, "goal": "<= 8.5"}


def aoi_polygon(path: Path, image: Path, fraction: float = 0.1) -> Path:
    """A square covering `fraction` of the raster, centred, written in WGS84 (not the raster's UTM):
    the area of interest is reprojected as in real use."""
    from osgeo import gdal, ogr, osr

    dataset = gdal.Open(str(image))
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    width, height = dataset.RasterXSize * dx, dataset.RasterYSize * -dy
    side = (fraction * width * height) ** 0.5
    cx, cy = x0 + width / 2, y0 - height / 2
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
        ring.AddPoint_2D(cx + x * side / 2, cy + y * side / 2)
    square = ogr.Geometry(ogr.wkbPolygon)
    square.AddGeometry(ring)
    square.Segmentize(dx)
    utm, wgs84 = osr.SpatialReference(dataset.GetProjection()), osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    for srs in (utm, wgs84):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    square.Transform(osr.CoordinateTransformation(utm, wgs84))
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("aoi", wgs84, ogr.wkbPolygon, options=["SPATIAL_INDEX=NO"])
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(square)
    layer.CreateFeature(feature)
    source = None
    return path


def aoi_cost(folder: Path, size: int = 8192, depth: int = 4, base: int = 16, batch_size: int = 8,
             fraction: float = 0.1, repeats: int = 2) -> dict:
    """A 10 % area of interest against the whole raster; runs alternate `repeats` times, the best of each counts."""
    image = synthetic_raster(folder / f"aoi_{size}.tif", size)
    model = unet_file(folder / f"unet_d{depth}_f{base}.keras", depth, base)
    polygon = aoi_polygon(folder / "aoi.gpkg", image, fraction)
    wholes, insides = [], []
    for _ in range(repeats):
        wholes.append(run_predict(model, image, folder / "aoi_whole.tif", batch_size))
        insides.append(run_predict(model, image, folder / "aoi_inside.tif", batch_size, ("--aoi", str(polygon))))
    whole, inside = _best(wholes), _best(insides)
    ratios = _ratios(inside, whole)
    return {"raster": f"{size}x{size}x4 uint8 (UTM)", "model": f"U-Net depth {depth} base {base} (untrained)",
            "area_of_interest": f"a square of {fraction:.0%} of the raster, in WGS84",
            "pixels_classified_share": round(inside["done"]["pixels"] / (size * size), 4),
            "windows_share": round(inside["done"]["windows"] / whole["done"]["windows"], 4),
            "whole": _times(whole), "aoi": _times(inside), "ratio": ratios, "repeats": repeats,
            "seconds_all": {"whole": [round(r["seconds"], 1) for r in wholes],
                            "aoi": [round(r["seconds"], 1) for r in insides]},
            "met": ratios["wall"] <= 0.2, "goal": "<= 0.2"}


PARTS = ("efficiency", "memory", "tta", "aoi")


def summarize(result: dict) -> str:
    """One line from whatever parts `result` holds (run.py refreshes it after a partial run)."""
    lines = []
    if "efficiency" in result:
        e = result["efficiency"]
        lines.append(f"predict efficiency {e['efficiency']} vs model.predict (goal >= 0.8; {e['efficiency_vs_traced_function']} "
                     f"vs the bare traced model; in CPU time {e['efficiency_cpu']} / {e['efficiency_cpu_vs_traced_function']}) "
                     f"on {e['raster']} with {e['model']}")
    if "memory" in result:
        m = result["memory"]
        sizes = list(m["runs"])
        lines.append(f"peak RSS {sizes[1]}²/{sizes[0]}² = {m['ratio']} (goal <= 1.3)")
    if "tta" in result:
        t = result["tta"]["ratio"]
        lines.append(f"--tta costs {t['wall']}× plain ({t['wall_after_setup']}× after setup, {t['cpu']}× CPU; goal <= 8.5) "
                     f"on {result['tta']['raster']}")
    if "aoi" in result:
        a = result["aoi"]["ratio"]
        lines.append(f"a 10 % --aoi costs {a['wall']}× the whole raster ({a['wall_after_setup']}× after setup, {a['cpu']}× CPU; "
                     f"goal <= 0.2) on {result['aoi']['raster']}")
    return "; ".join(lines)


def run(quick: bool = False, parts: tuple[str, ...] = PARTS) -> dict:
    import datetime

    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; have {', '.join(PARTS)}")
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="claro-bench-predict-") as tmp:
        folder = Path(tmp)
        for part in parts:
            if part == "efficiency":
                result[part] = efficiency(folder, size=2048, rate_batches=4, repeats=1) if quick else efficiency(folder)
            elif part == "memory":
                result[part] = memory(folder, sizes=(1024, 4096)) if quick else memory(folder)
            elif part == "tta":
                result[part] = tta_cost(folder, size=512) if quick else tta_cost(folder)
            elif part == "aoi":
                result[part] = aoi_cost(folder, size=2048, repeats=1) if quick else aoi_cost(folder)
            result[part]["measured_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    result["summary"] = summarize(result)
    return result


if __name__ == "__main__":
    chosen = tuple(a for a in sys.argv[1:] if not a.startswith("--")) or PARTS
    print(json.dumps(run(quick="--quick" in sys.argv, parts=chosen), indent=2))
