"""`claro sample` memory and speed when class maps grow (issue 12).

`claro sample` streams the map twice (class areas, then the drawn ranks), so its memory should
not grow with the map: peak RSS of the child on a 4096² and a 16384² class map (uint8, UTM,
three classes of which one covers 2 %, a nodata margin), same sample size; goal ratio ≤ 1.3.
Peak RSS is the child's VmHWM (see peak_memory.watch_peak for why not ru_maxrss).

Run: `make bench` (bench/run.py calls run()), or `python bench/bench_sample.py [--quick]`.
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
from peak_memory import watch_peak  # noqa: E402

PYTHON = sys.executable
ENV = dict(os.environ)  # make bench sets PYTHONPATH so that `claro` is this checkout
POINTS = 1000


def class_map(path: Path, size: int) -> Path:
    """A size² class map written in strips: 0 (78 %), 1 (20 %), 2 (2 %), nodata on the left margin."""
    import numpy as np
    from osgeo import gdal, osr

    dataset = gdal.GetDriverByName("GTiff").Create(str(path), size, size, 1, gdal.GDT_Byte,
                                                   options=["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"])
    dataset.SetGeoTransform((300000.0, 10.0, 0.0, 9000000.0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32719)
    dataset.SetProjection(srs.ExportToWkt())
    band = dataset.GetRasterBand(1)
    band.SetNoDataValue(255)
    rng = np.random.default_rng(0)
    for y in range(0, size, 1024):
        rows = min(1024, size - y)
        draw = rng.random((rows, size))
        block = np.where(draw < 0.02, 2, np.where(draw < 0.22, 1, 0)).astype(np.uint8)
        block[:, : size // 100] = 255
        band.WriteArray(block, 0, y)
    dataset = None
    return path




def run_sample(image: Path, out: Path) -> dict:
    argv = [PYTHON, "-m", "claro.backend", "sample", "--map", str(image), "--out", str(out), "--n", str(POINTS),
            "--overwrite", "--progress", "json"]
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV, text=True)  # nosec B603 # our own CLI, fixed argv
    watcher, peak = watch_peak(child.pid)
    events = [json.loads(line) for line in child.stdout if line.startswith("{")]
    child.wait()
    watcher.join()
    done = next((e for e in events if e.get("event") == "done"), None)
    if child.returncode != 0 or done is None:
        raise RuntimeError(f"claro sample failed ({child.returncode}): {events[-1:]}")
    return {"seconds": round(time.perf_counter() - start, 1), "peak_rss_mb": round(peak.get("kb", 0) / 1024.0, 1),
            "points": done["points"]}


def run(quick: bool = False) -> dict:
    sizes = (1024, 4096) if quick else (4096, 16384)
    runs = {}
    with tempfile.TemporaryDirectory(prefix="claro-bench-sample-") as tmp:
        folder = Path(tmp)
        for size in sizes:
            image = class_map(folder / f"map_{size}.tif", size)
            result = run_sample(image, folder / f"sample_{size}.gpkg")
            result["megapixels_per_second"] = round(size * size / 1e6 / result["seconds"], 1)
            runs[str(size)] = result
            image.unlink()
    small, large = (runs[str(s)]["peak_rss_mb"] for s in sizes)
    ratio = round(large / small, 3)
    return {"runs": runs, "ratio": ratio, "pixels_ratio": (sizes[1] / sizes[0]) ** 2, "goal": "<= 1.3",
            "summary": f"sample peak RSS {sizes[1]}²/{sizes[0]}² = {ratio} (goal <= 1.3); "
                       f"{runs[str(sizes[1])]['megapixels_per_second']} Mpixel/s on {sizes[1]}²"}


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
