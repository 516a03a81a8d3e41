"""`claro predict --dask`: blocks on a Dask cluster stitch into exactly the single-process prediction.

One local cluster of two worker processes is shared by the tests that give a scheduler address
(as a user with a cluster would); `--dask local:2` starts its own. The bundled 512² Amazon tile
with 64-pixel windows and blocks of 4 windows gives 11 × 11 windows in 3 × 3 blocks.
"""
from __future__ import annotations

import io
import logging
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

keras = pytest.importorskip("keras")

from claro.backend import card as model_card  # noqa: E402
from claro.backend import cli, predict  # noqa: E402
from claro.backend.model import build_unet  # noqa: E402
from claro.backend.params import PredictParams  # noqa: E402
from claro.backend.progress import Progress  # noqa: E402

from ..conftest import sample_tile  # noqa: E402

CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]
WINDOW = 64
BLOCK = 4  # windows per block side: 11 windows per axis → 3 × 3 blocks


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """(image, model) in their own folder, so an output folder holds only what predict wrote."""
    folder = tmp_path_factory.mktemp("inputs")
    keras.utils.set_random_seed(3)
    model = build_unet(3, 2, depth=2, base_filters=4, mean=[90.0] * 3, std=[40.0] * 3)
    path = folder / "tiny.keras"
    model.save(path)
    model_card.write_card(path, {"bands": ["r", "g", "b"], "source_bands": [1, 2, 3], "classes": CLASSES,
                                 "activation": "softmax", "patch_size": WINDOW,
                                 "normalization": {"mean": [90.0] * 3, "std": [40.0] * 3}})
    image, _ = sample_tile()
    return image, path


def params(inputs, out: Path, **options) -> PredictParams:
    image, model = inputs
    return PredictParams(model=str(model), image=str(image), out=str(out), window=WINDOW, batch_size=4,
                         dask_block=BLOCK, progress="json", **options)


def quiet() -> Progress:
    return Progress("json", stream=io.StringIO())


def done_event(progress: Progress) -> dict:
    import json

    events = [json.loads(line) for line in progress.stream.getvalue().splitlines()]
    return next(e for e in events if e["event"] == "done")


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory):
    """The single-process prediction, with probabilities and uncertainty."""
    folder = tmp_path_factory.mktemp("single")
    predict.run(params(inputs, folder / "classes.tif", probabilities=str(folder / "probs.tif"),
                       uncertainty=str(folder / "unsure.tif")), quiet())
    return folder


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two one-thread worker processes, reached by address like a real cluster."""
    distributed = pytest.importorskip("distributed")
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                     silence_logs=logging.ERROR)
    client = distributed.Client(local)
    client.get_task_stream()  # installs the scheduler's task stream, which block_keys reads
    yield local.scheduler_address, client
    client.close()
    local.close()


def assert_same_raster(path: Path, expected: Path, exact: bool = True) -> None:
    got, want = gdal.Open(str(path)), gdal.Open(str(expected))
    assert (got.RasterXSize, got.RasterYSize, got.RasterCount) == (want.RasterXSize, want.RasterYSize, want.RasterCount)
    assert got.GetGeoTransform() == want.GetGeoTransform()
    assert osr.SpatialReference(got.GetProjection()).IsSame(osr.SpatialReference(want.GetProjection()))
    for b in range(1, want.RasterCount + 1):
        assert got.GetRasterBand(b).GetNoDataValue() == want.GetRasterBand(b).GetNoDataValue()
        assert got.GetRasterBand(b).GetDescription() == want.GetRasterBand(b).GetDescription()
    a, e = got.ReadAsArray(), want.ReadAsArray()
    if exact:
        np.testing.assert_array_equal(a, e)
    else:
        assert np.abs(a.astype(np.float64) - e).max() <= 1e-5


def colours(path: Path) -> list[tuple]:
    dataset = gdal.Open(str(path))  # kept: a band outliving its dataset crashes GDAL
    table = dataset.GetRasterBand(1).GetColorTable()
    return [table.GetColorEntry(i) for i in range(2)]


def block_keys(client, since: float) -> list[str]:
    return [t["key"] for t in client.get_task_stream(start=since) if str(t["key"]).startswith("claro-block")]


# ----------------------------------------------------------------------------- the block function, no Dask

def test_blocks_of_the_global_plan_stitch_into_exactly_the_whole_raster():
    """The invariant everything rests on, with a model whose windows disagree (it sees position)."""
    image, _ = sample_tile()
    dataset = gdal.Open(str(image))
    rows = predict.plan_axis(dataset.RasterYSize, WINDOW, 0.25)
    cols = predict.plan_axis(dataset.RasterXSize, WINDOW, 0.25)
    plan = predict.Plan(rows=rows, cols=cols, bands=[1, 2, 3], fill=np.zeros(3, np.float32), classes=CLASSES,
                        channels=2, batch_size=3, views=((0, False),), disagreement=False, probabilities=True,
                        uncertainty="entropy")
    ramp = np.linspace(-1.0, 1.0, WINDOW, dtype=np.float32)

    def model(windows: np.ndarray) -> np.ndarray:  # depends on the pixel and on its place in the window
        x = windows[..., 0].astype(np.float32) / 255.0 + ramp[None, :, None] * ramp[None, None, :]
        p = 1.0 / (1.0 + np.exp(-4.0 * (x - 0.4)))
        return np.stack([1.0 - p, p], axis=-1).astype(np.float32)

    engine = predict.Engine(plan, model)

    def stitch(blocks):
        out = {"out": np.zeros((rows.size, cols.size), np.uint8), "probs": np.zeros((rows.size, cols.size), np.float32),
               "uncertainty": np.zeros((rows.size, cols.size), np.float32)}
        for block in blocks:
            def write(top, left, layers):
                for role, arrays in layers.items():
                    out[role][top: top + arrays[0].shape[0], left: left + arrays[0].shape[1]] = arrays[0]
            reader = predict.StripReader(dataset, plan.bands, rows, cols, plan.fill)
            predict.predict_block(engine, reader, block, write)
        return out

    whole = stitch([predict.Block.whole(rows, cols)])
    blocks = predict.plan_blocks(rows, cols, 3)
    assert len(blocks) == 16 and len({(b.top, b.left) for b in blocks}) == 16
    pieces = stitch(blocks)
    for role in whole:
        np.testing.assert_array_equal(pieces[role], whole[role])


# ----------------------------------------------------------------------------- on a cluster

def test_local_cluster_gives_the_single_process_rasters(inputs, reference, tmp_path):
    out = tmp_path / "classes.tif"
    progress = quiet()
    predict.run(params(inputs, out, probabilities=str(tmp_path / "probs.tif"), uncertainty=str(tmp_path / "unsure.tif"),
                       dask="local:2"), progress)
    assert_same_raster(out, reference / "classes.tif")
    assert_same_raster(tmp_path / "probs.tif", reference / "probs.tif", exact=False)
    assert_same_raster(tmp_path / "unsure.tif", reference / "unsure.tif", exact=False)
    assert colours(out) == colours(reference / "classes.tif")
    merged = gdal.Open(str(out))
    single = gdal.Open(str(reference / "classes.tif"))
    assert merged.GetRasterBand(1).GetOverviewCount() == single.GetRasterBand(1).GetOverviewCount() > 0
    assert merged.GetMetadata("IMAGE_STRUCTURE").get("COMPRESSION") == "DEFLATE"
    assert merged.GetRasterBand(1).GetBlockSize() == [256, 256]
    assert (tmp_path / "classes.qml").read_text() == (reference / "classes.qml").read_text()
    assert (tmp_path / "classes_areas.csv").read_text() == (reference / "classes_areas.csv").read_text()
    done = done_event(progress)
    assert (done["blocks"], done["workers"]) == (9, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["classes.tif", "classes.tif.aux.xml", "classes.qml", "classes_areas.csv", "probs.tif", "unsure.tif", "unsure.qml"])


def test_no_merge_keeps_the_blocks_and_a_vrt_over_them(inputs, reference, cluster, tmp_path):
    address, _ = cluster
    predict.run(params(inputs, tmp_path / "classes.tif", probabilities=str(tmp_path / "probs.tif"), dask=address,
                       merge=False), quiet())
    assert not (tmp_path / "classes.tif").exists()
    assert_same_raster(tmp_path / "classes.vrt", reference / "classes.tif")
    assert_same_raster(tmp_path / "probs.vrt", reference / "probs.tif", exact=False)
    assert colours(tmp_path / "classes.vrt") == colours(reference / "classes.tif")
    blocks = sorted(p.name for p in (tmp_path / "classes_blocks").iterdir() if p.suffix == ".tif")
    assert blocks == [f"{role}_{i:05d}.tif" for role in ("out", "probs") for i in range(9)]
    # the VRT points at its folder relatively: both move together
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("classes.vrt", "classes_blocks"):
        (tmp_path / name).rename(moved / name)
    np.testing.assert_array_equal(gdal.Open(str(moved / "classes.vrt")).ReadAsArray(),
                                  gdal.Open(str(reference / "classes.tif")).ReadAsArray())


def test_a_worker_killed_mid_run_loses_nothing(inputs, reference, cluster, tmp_path):
    address, client = cluster
    pids = client.run(os.getpid)
    killed = []

    class KillOnFirstBlock(Progress):
        def update(self, fraction: float, message: str = "") -> None:
            if message.startswith("blocks") and not killed:
                busy = [address for address, keys in client.processing().items()
                        if any(str(key).startswith("claro-block") for key in keys)]
                victim = pids[busy[0]]  # a worker in the middle of a block
                os.kill(victim, signal.SIGKILL)  # a lost machine: the scheduler reschedules its blocks
                killed.append(victim)
            super().update(fraction, message)

    progress = KillOnFirstBlock("json", stream=io.StringIO())
    predict.run(params(inputs, tmp_path / "classes.tif", probabilities=str(tmp_path / "probs.tif"), dask=address),
                progress)
    assert killed and done_event(progress)["blocks"] == 9
    assert killed[0] not in client.run(os.getpid).values()  # it really died (the nanny started a new one)
    assert_same_raster(tmp_path / "classes.tif", reference / "classes.tif")
    assert_same_raster(tmp_path / "probs.tif", reference / "probs.tif", exact=False)


def test_cancel_cancels_the_blocks_and_leaves_nothing(inputs, cluster, tmp_path):
    address, client = cluster

    class CancelOnFirstBlock(Progress):
        def update(self, fraction: float, message: str = "") -> None:
            if message.startswith("blocks"):
                raise KeyboardInterrupt
            super().update(fraction, message)

    since = time.time()
    with pytest.raises(KeyboardInterrupt):
        predict.run(params(inputs, tmp_path / "classes.tif", probabilities=str(tmp_path / "probs.tif"), dask=address),
                    CancelOnFirstBlock("json", stream=io.StringIO()))
    assert list(tmp_path.iterdir()) == []
    time.sleep(3)  # blocks that were running when cancelled end on their workers: they leave nothing either
    assert list(tmp_path.iterdir()) == []
    assert len(block_keys(client, since)) < 9  # the queued blocks never ran


def aoi_square(path: Path, image: Path, columns: tuple[int, int], rows: tuple[int, int]) -> Path:
    """A polygon over pixel columns × rows of the image, in its CRS."""
    dataset = gdal.Open(str(image))
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for c, r in ((columns[0], rows[0]), (columns[1], rows[0]), (columns[1], rows[1]), (columns[0], rows[1]),
                 (columns[0], rows[0])):
        ring.AddPoint_2D(x0 + c * dx, y0 + r * dy)
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("aoi", osr.SpatialReference(dataset.GetProjection()), ogr.wkbPolygon)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(polygon)
    layer.CreateFeature(feature)
    source = None
    return path


def test_blocks_outside_the_area_of_interest_are_never_computed(inputs, cluster, tmp_path):
    address, client = cluster
    image, _ = inputs
    aoi = aoi_square(tmp_path / "aoi.gpkg", image, (20, 150), (30, 140))  # inside the top-left block only
    single, distributed_out = tmp_path / "single", tmp_path / "dask"
    single.mkdir()
    distributed_out.mkdir()
    predict.run(params(inputs, single / "classes.tif", aoi=str(aoi)), quiet())
    since = time.time()
    progress = quiet()
    predict.run(params(inputs, distributed_out / "classes.tif", aoi=str(aoi), dask=address), progress)
    done = done_event(progress)
    assert (done["blocks"], done["blocks_planned"]) == (1, 9)
    assert len(block_keys(client, since)) == 1
    assert_same_raster(distributed_out / "classes.tif", single / "classes.tif")
    classes = gdal.Open(str(distributed_out / "classes.tif")).ReadAsArray()
    assert (classes[200:, :] == predict.NODATA).all() and (classes[40:130, 30:140] != predict.NODATA).all()


def test_without_dask_one_sentence_says_how_to_install_it(inputs, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    image, model = inputs
    code = cli.main(["predict", "--model", str(model), "--image", str(image), "--out", str(tmp_path / "c.tif"),
                     "--dask", "local:2"])
    assert code == 2
    assert "pip install dask distributed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_no_merge_needs_dask_and_refuses_min_area(inputs, tmp_path, capsys):
    image, model = inputs
    base = ["predict", "--model", str(model), "--image", str(image), "--out", str(tmp_path / "c.tif")]
    assert cli.main([*base, "--no-merge"]) == 2
    assert "--no-merge" in capsys.readouterr().err
    assert cli.main([*base, "--no-merge", "--dask", "local:2", "--min-area", "1"]) == 2
    assert "--min-area and --polygons work on one merged class raster" in capsys.readouterr().err
    assert cli.main([*base, "--dask", "local:zero"]) == 2
    assert "local:N" in capsys.readouterr().err
