"""Polygonizing benchmark of issue 11: a 16384² class map in bounded memory.

The class map is a land cover of four classes (each about a quarter): each pixel takes the class
whose own smooth random field (with pixel noise) is highest, giving thousands of regions of all
sizes with ragged borders, like a raw prediction, plus per-class probabilities as `claro predict`
writes them (float32, one band per class). Maps are generated block by block into a temporary
folder, never into the repository.

Per size (4096² and 16384²), each step in its own child process, peak RSS = the child's VmHWM:
1. the minimum mapping unit (vectorize.sieve, 0.5 ha at 10 m pixels), as `--min-area 0.5`;
2. the polygons (vectorize.write_polygons with the mean class probability), as `--polygons`.
Goal: peak RSS of polygonizing 16384² / 4096² ≤ 1.5 (16× the pixels).

Also measured, at 1024² and 4096²: a forest with clearings, where the forest is one region
spanning the map with a hole per clearing. GDAL's polygonizer holds a region's outline until the
region is complete, so there memory grows with that one region's outline (said, not hidden).

Run: `python bench/run.py vectorize` (or `python bench/bench_vectorize.py [--quick]`).
"""
from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - children run our own code
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak_memory import watch_peak  # noqa: E402

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "LD_BIND_NOW": "1"}
#: one cell of the smooth field spans this many pixels (regions of tens to thousands of pixels)
CELL = 8
NOISE = 0.1  # pixel noise on the fields: ragged borders and specks, as in a raw prediction
CLASSES = {0: ("forest", "#1a9641"), 1: ("cleared", "#d7191c"), 2: ("water", "#2b83ba"), 3: ("urban", "#bababa")}


def class_map(folder: Path, size: int, kind: str = "cover", seed: int = 0, block: int = 1024) -> tuple[Path, Path]:
    """(class GeoTIFF, probability GeoTIFF) of size², UTM 19 S with 10 m pixels, written in blocks.

    cover: four land-cover classes, each pixel the class whose own smooth random field (plus
    pixel noise) is highest there: patches of every class side by side, about a quarter each, as
    a land-cover map. background: a forest with clearings (class 1 where one field is high, 15 %),
    so the forest is ONE region spanning the map with a hole per clearing."""
    from osgeo import gdal, osr
    from scipy import ndimage

    gdal.SetCacheMax(64 * 1024 * 1024)
    rng = np.random.default_rng(seed)
    fields = [ndimage.gaussian_filter(rng.normal(size=(size // CELL + 2, size // CELL + 2)), 2.0)
              for _ in range(len(CLASSES) if kind == "cover" else 1)]
    fields = [f / f.std() for f in fields]
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32719)
    paths = folder / f"{kind}_{size}.tif", folder / f"{kind}_probabilities_{size}.tif"
    options = ["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"]
    classes = gdal.GetDriverByName("GTiff").Create(str(paths[0]), size, size, 1, gdal.GDT_Byte, options=options)
    bands = len(CLASSES) if kind == "cover" else 2
    probabilities = gdal.GetDriverByName("GTiff").Create(str(paths[1]), size, size, bands, gdal.GDT_Float32,
                                                         options=options + ["PREDICTOR=3"])
    for dataset in (classes, probabilities):
        dataset.SetGeoTransform((300000.0, 10.0, 0.0, 9100000.0, 0.0, -10.0))
        dataset.SetProjection(srs.ExportToWkt())
    classes.GetRasterBand(1).SetNoDataValue(255)
    for y in range(0, size, block):
        for x in range(0, size, block):
            h, w = min(block, size - y), min(block, size - x)
            rows, cols = np.meshgrid((np.arange(y, y + h) + 0.5) / CELL, (np.arange(x, x + w) + 0.5) / CELL, indexing="ij")
            values = np.stack([ndimage.map_coordinates(f, [rows, cols], order=1) + rng.normal(0, NOISE, (h, w))
                               for f in fields])
            if kind == "cover":
                weights = np.exp(3.0 * values)
                weights /= weights.sum(axis=0)
                data = np.argmax(values, axis=0).astype(np.uint8)
            else:
                p = 1.0 / (1.0 + np.exp(-4.0 * (values[0] - 1.04)))  # 1.04: the 85th percentile of N(0, 1)
                weights = np.stack([1.0 - p, p])
                data = (p > 0.5).astype(np.uint8)
            classes.GetRasterBand(1).WriteArray(data, x, y)
            for b in range(bands):
                probabilities.GetRasterBand(b + 1).WriteArray(weights[b].astype(np.float32), x, y)
    classes = probabilities = None
    return paths




def _child(code: str) -> dict:
    """Run `code` in a fresh Python (it prints one JSON line last): its result, time and peak RSS."""
    start = time.perf_counter()
    errors = tempfile.TemporaryFile("w+")
    child = subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE, stderr=errors, env=ENV,  # nosec B603 # our code
                             text=True)
    watcher, peak = watch_peak(child.pid)
    output = child.stdout.read()
    child.wait()
    watcher.join()
    errors.seek(0)
    if child.returncode != 0:
        raise RuntimeError(f"child failed ({child.returncode}): {errors.read()[-2000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    result.update(seconds=round(time.perf_counter() - start, 1), peak_rss_mb=round(peak.get("kb", 0) / 1024.0, 1))
    return result


SIEVE = """
import json
from claro.backend import vectorize
print(json.dumps({{"threshold": vectorize.sieve({path!r}, {min_area})}}))
"""

POLYGONS = """
import json
from claro.backend import vectorize
classes = {classes!r}
summary = vectorize.write_polygons(
    {path!r}, {out!r}, value_field="class", attributes={{v: {{"class_name": n}} for v, (n, c) in classes.items()}},
    probability=vectorize.ProbabilitySource({probabilities!r}, {{v: v + 1 for v in classes}}),
    colors={{v: c for v, (n, c) in classes.items()}})
print(json.dumps({{"polygons": sum(s["polygons"] for s in summary.values()),
                  "hectares": round(sum(s["hectares"] for s in summary.values()), 1)}}))
"""


def measure(folder: Path, size: int, min_area: float, kind: str = "cover") -> dict:
    from osgeo import gdal
    from scipy import ndimage

    path, probabilities = class_map(folder, size, kind)
    classes = CLASSES if kind == "cover" else {0: CLASSES[0], 1: CLASSES[1]}
    raw_regions = None
    if size <= 4096:  # regions of the raw map (counted in memory only where that is small)
        data = gdal.Open(str(path)).ReadAsArray()
        raw_regions = int(sum(ndimage.label(data == v, np.ones((3, 3)))[1] for v in classes))
        del data
    sieve = _child(SIEVE.format(path=str(path), min_area=min_area))
    out = folder / f"regions_{size}.gpkg"
    polygons = _child(POLYGONS.format(path=str(path), out=str(out), probabilities=str(probabilities), classes=classes))
    result = {"raw_regions": raw_regions, "sieve": sieve, "polygons": polygons,
              "gpkg_mb": round(out.stat().st_size / 2 ** 20, 1)}
    for leftover in (path, probabilities, out):
        leftover.unlink()
    return result


def ratios(runs: dict, sizes: tuple[int, int]) -> dict:
    small, large = (runs[str(s)] for s in sizes)
    return {"polygons_peak_rss_ratio": round(large["polygons"]["peak_rss_mb"] / small["polygons"]["peak_rss_mb"], 3),
            "sieve_peak_rss_ratio": round(large["sieve"]["peak_rss_mb"] / small["sieve"]["peak_rss_mb"], 3)}


def run(quick: bool = False) -> dict:
    sizes = (1024, 4096) if quick else (4096, 16384)
    background_sizes = (512, 2048) if quick else (1024, 4096)
    min_area = 0.5
    with tempfile.TemporaryDirectory(prefix="claro-bench-vectorize-") as tmp:
        runs = {str(size): measure(Path(tmp), size, min_area) for size in sizes}
        background = {str(size): measure(Path(tmp), size, min_area, "background") for size in background_sizes}
    cover, spanning = ratios(runs, sizes), ratios(background, background_sizes)
    ratio = cover["polygons_peak_rss_ratio"]
    small, large = (runs[str(s)] for s in sizes)
    return {
        "map": (f"land cover: 4 classes, each pixel the class whose own smooth random field ({CELL}-pixel cells, "
                f"noise {NOISE}) is highest, about a quarter each; UTM 10 m pixels; probabilities float32 per class; "
                "sieved to 0.5 ha, then polygonized with the mean class probability per region"),
        "min_area_ha": min_area, "runs": runs, "pixels_ratio": (sizes[1] / sizes[0]) ** 2, **cover,
        "goal": "polygons <= 1.5", "met": ratio <= 1.5,
        "spanning_background": {
            "map": ("forest with 15 % clearings: the forest is one region spanning the map with a hole per clearing, "
                    "whose outline GDAL's polygonizer holds until the region is complete"),
            "runs": background, "pixels_ratio": (background_sizes[1] / background_sizes[0]) ** 2, **spanning},
        "summary": (f"polygonizing a land cover of {sizes[1]}² vs {sizes[0]}² ({large['polygons']['polygons']} vs "
                    f"{small['polygons']['polygons']} polygons): peak RSS {large['polygons']['peak_rss_mb']} / "
                    f"{small['polygons']['peak_rss_mb']} MB = {ratio} (goal <= 1.5, {'met' if ratio <= 1.5 else 'NOT met'}); "
                    f"sieve {cover['sieve_peak_rss_ratio']}; {large['polygons']['seconds']} s to polygonize {sizes[1]}²; "
                    f"a forest spanning the map (one region with a hole per clearing), {background_sizes[1]}² vs "
                    f"{background_sizes[0]}²: {spanning['polygons_peak_rss_ratio']} (grows with that region's outline)"),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
