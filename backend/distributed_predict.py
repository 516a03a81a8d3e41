"""`claro predict --dask`: the single-process block engine, one block per Dask task.

Why this shape:
- No second engine: every task runs predict.predict_block on a rectangle of the raster, with
  the GLOBAL window plan computed once (on a worker, which has the model) and sent to all. A
  block computes every window that touches it, so the raised-cosine blend at a block border sums
  exactly the windows, in exactly the order, the single process does: the stitched rasters are
  identical, not merely seamless. The price is one recomputed window per block side (1/N per
  axis for blocks of N windows; --dask-block).
- Workers load the model once per process (a small cache keyed by the model file, its
  modification time and the options that shape the engine), and use as many TensorFlow
  threads as their share of the machine's cores, so N workers on one machine do not
  oversubscribe it.
- Each block is a tiled GeoTIFF (kept with --no-merge: compressed, with its overviews built in
  parallel on the workers; to be merged: uncompressed, read once) in a folder beside the output,
  which every worker must reach. The client only assembles: a VRT over the blocks (holes, e.g.
  blocks outside the area of interest, are nodata) and, unless --no-merge, one GeoTIFF written
  by predict's own output and finishing code (colour table, overviews, minimum mapping unit,
  polygons, styles, area table).
- Failures: a task that raises is retried (RETRIES); a worker that dies has its blocks
  rescheduled by the scheduler. Cancel (Ctrl-C / SIGTERM) cancels the futures, closes a local
  cluster and removes every temporary, so nothing is left; outputs appear only by rename.
"""
from __future__ import annotations

import collections
import contextlib
import os
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np

from . import predict
from .atomic import atomic_folder
from .errors import ClaroError
from .params import PredictParams
from .progress import Progress

INSTALL = ("--dask needs the Python packages dask and distributed; install them into Claro's environment "
           "(pip install dask distributed) or with the plugin's Setup tab.")
#: times a block is run again after it raised (a worker that dies is handled by the scheduler)
RETRIES = 2
#: engines (loaded models) a worker keeps: one job at a time, and one more for a job that follows
CACHED_ENGINES = 2
#: bytes of one strip the client copies from the blocks into the merged GeoTIFF
MERGE_STRIP_BYTES = 64 * 1024 * 1024
#: output role → (GDAL type name, nodata, resampling of its overviews)
ROLES = {"out": ("Byte", predict.NODATA, "NEAREST"), "probs": ("Float32", predict.PROBABILITY_NODATA, "AVERAGE"),
         "uncertainty": ("Float32", predict.UNCERTAINTY_NODATA, "AVERAGE")}


def _distributed():
    try:
        import distributed
    except ImportError as error:
        raise ClaroError(INSTALL) from error
    return distributed


# ----------------------------------------------------------------------------- the cluster

def _local_workers(address: str) -> Optional[int]:
    """N of 'local:N', None for a scheduler address."""
    if not address.startswith("local:"):
        return None
    text = address.split(":", 1)[1]
    if not text.isdigit() or int(text) < 1:
        raise ClaroError(f"--dask {address}: give local:N with N the number of worker processes (e.g. local:2), "
                         "or a scheduler address such as tcp://host:8786.")
    return int(text)


@contextlib.contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Client of the scheduler at `address`, or of a LocalCluster of N one-thread worker
    processes for 'local:N' (closed on leaving, which also stops any block still running)."""
    distributed = _distributed()
    import logging

    workers = _local_workers(address)
    cluster = None
    try:
        if workers is not None:
            threads = str(max(1, (os.cpu_count() or 1) // workers))
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.ERROR,
                env={"OMP_NUM_THREADS": threads, "TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": threads,
                     "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")})
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(address, timeout="30s")
    except (OSError, TimeoutError) as error:
        if cluster is not None:
            cluster.close()
        raise ClaroError(f"Could not reach the Dask scheduler at {address} ({error}); start it with 'dask scheduler' "
                         "and its workers with 'dask worker', or check the address.") from error
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _threads_per_host(client) -> dict[str, int]:
    """Worker threads per host, so each worker gives TensorFlow its share of the host's cores."""
    threads: dict[str, int] = collections.Counter()
    for info in client.scheduler_info(n_workers=-1)["workers"].values():
        threads[info.get("host", "")] += int(info.get("nthreads", 1))
    return dict(threads)


# ----------------------------------------------------------------------------- on the workers

_engines: "collections.OrderedDict[tuple, predict.Engine]" = collections.OrderedDict()
_engine_lock = threading.Lock()
_threads_set = {"done": False}


def _limit_threads(host_threads: dict[str, int]) -> None:
    """TensorFlow threads = this host's cores / the worker threads on it (before TF starts)."""
    if _threads_set["done"]:
        return
    _threads_set["done"] = True
    try:
        from distributed import get_worker

        host = get_worker().address.split("://")[-1].rsplit(":", 1)[0]
    except (ImportError, ValueError):
        host = ""
    share = max(1, (os.cpu_count() or 1) // max(1, host_threads.get(host, 1)))
    import tensorflow as tf

    with contextlib.suppress(RuntimeError):  # already initialised in this process: keep its threads
        tf.config.threading.set_intra_op_parallelism_threads(share)
        tf.config.threading.set_inter_op_parallelism_threads(share)


def _engine_key(params: PredictParams, image) -> tuple:
    model = Path(params.model).resolve()
    stat = model.stat()
    return (str(model), stat.st_mtime_ns, stat.st_size, str(Path(params.image).resolve()), image.RasterXSize,
            image.RasterYSize, image.RasterCount, tuple(params.bands or ()), params.classes, params.precision,
            params.window, params.overlap, params.batch_size, params.tta, bool(params.probabilities or params.polygons),
            bool(params.uncertainty), params.uncertainty_measure)


def _engine(params: PredictParams, image, host_threads: dict[str, int], notes: list[str]) -> predict.Engine:
    """This worker's engine for the job: the model is loaded once per worker process."""
    key = _engine_key(params, image)
    with _engine_lock:
        if key in _engines:
            _engines.move_to_end(key)
            return _engines[key]
        _limit_threads(host_threads)
        engine = predict.build_engine(params, image, notes.append)
        _engines[key] = engine
        while len(_engines) > CACHED_ENGINES:
            _engines.popitem(last=False)
        return engine


def plan_task(params: PredictParams, host_threads: dict[str, int]) -> tuple[predict.Plan, list[str]]:
    """The global window plan (and what loading the model said), made where the model loads."""
    image = predict._open_image(params.image)
    notes: list[str] = []
    engine = _engine(params, image, host_threads, notes)
    plan = engine.plan
    # trace the model's function now, while the other workers do the same, not in a first block
    engine.predict(np.zeros((1, plan.rows.window, plan.cols.window, len(plan.bands)), np.float32))
    return plan, notes


def block_name(role: str, index: int) -> str:
    return f"{role}_{index:05d}.tif"


def block_task(params: PredictParams, block: predict.Block, index: int, folder: str,
               host_threads: dict[str, int]) -> dict:
    """Predict one block into its GeoTIFFs in `folder` (renamed into place when complete, so a
    killed attempt leaves no block that looks finished). Returns its class counts."""
    from osgeo import gdal

    from . import raster
    from .atomic import atomic_file

    if not Path(folder).is_dir():  # the job was cancelled and its folder removed: nothing to do
        raise ClaroError(f"The blocks folder {folder} is gone; the prediction was cancelled.")
    started, cpu = time.perf_counter(), time.process_time()
    image = predict._open_image(params.image)
    aoi = predict._open_aoi(params.aoi, image)
    engine = _engine(params, image, host_threads, [])
    plan = engine.plan
    reader = predict.StripReader(image, plan.bands, plan.rows, plan.cols, plan.fill, aoi)
    gdal.SetCacheMax(predict.GDAL_CACHE_BYTES)
    descriptions = {"out": ["class"], "probs": plan.prob_names,
                    "uncertainty": [predict.UNCERTAINTY_DESCRIPTIONS[params.uncertainty_measure]]}
    with contextlib.ExitStack() as stack:
        outputs: dict[str, Any] = {}
        stack.callback(raster.discard_written, outputs)
        targets = {role: Path(folder) / block_name(role, index) for role in plan.band_counts()}
        for role, count in plan.band_counts().items():
            tmp = stack.enter_context(atomic_file(targets[role]))
            type_name, nodata, _ = ROLES[role]
            # A block to be merged is read once by the client: uncompressed, it costs neither a
            # worker's compression nor the client's decompression (measured in bench/bench_dask.py).
            outputs[role] = predict._create(tmp, image, count, gdal.GetDataTypeByName(type_name), nodata,
                                            descriptions[role], block, compress=not params.merge)

        def write(top: int, left: int, layers: dict[str, list[np.ndarray]]) -> None:
            for role, arrays in layers.items():
                with raster.writing_into(folder):
                    for b, array in enumerate(arrays, start=1):
                        outputs[role].GetRasterBand(b).WriteArray(array, left - block.left, top - block.top)

        counts, computed = predict.predict_block(engine, reader, block, write)
        for role in plan.band_counts():
            method = ROLES[role][2]
            # blocks kept (--no-merge) get overviews, which their VRT can use; merged ones need none
            finish = None if params.merge else (lambda dataset, method=method: predict._build_overviews(dataset, method))
            raster.close_written(outputs, role, targets[role], finish)
    # seconds and CPU seconds of this worker process (one task at a time with one thread per worker)
    return {"index": index, "counts": counts.tolist(), "computed": computed, "pid": os.getpid(),
            "host": socket.gethostname(), "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu}


# ----------------------------------------------------------------------------- on the client

def _blocks_inside(blocks: list[predict.Block], aoi) -> list[predict.Block]:
    """The blocks holding a pixel of the area of interest (all without one): the others would be
    nodata only, so they are never sent to a worker."""
    if aoi is None:
        return blocks
    return [b for b in blocks if aoi.mask(b.left, b.top, b.right - b.left, b.bottom - b.top).any()]


def _warm_up(client, params: PredictParams, host_threads: dict[str, int]) -> tuple[predict.Plan, list[str], list]:
    """Every worker loads the model at once (in parallel, instead of on its first block); the
    first to finish gives the plan, and the blocks wait for all. A worker that joins later loads
    it on its first block.
    Returns the futures too: the caller holds them while the blocks run (a released future's
    task would be dropped)."""
    distributed = _distributed()
    workers = list(client.scheduler_info(n_workers=-1)["workers"])
    futures = [client.submit(plan_task, params, host_threads, pure=False, retries=RETRIES, workers=[worker],
                             allow_other_workers=True) for worker in workers]
    first = next(iter(distributed.as_completed(futures)))
    plan, notes = first.result()
    # Blocks go out once every worker has its model: submitted while one still loads, they queue
    # on the ready ones (measured: 3 of 4 blocks on one of two workers, 1.4× the wall time).
    distributed.wait(futures)
    return plan, notes, futures


def _run_blocks(client, params: PredictParams, plan: predict.Plan, blocks: list[tuple[int, predict.Block]],
                folder: Path, host_threads: dict[str, int], progress: Progress) -> tuple[np.ndarray, int, dict]:
    """Submit every block, follow them as they complete; any failure or interrupt cancels the rest."""
    distributed = _distributed()
    token = uuid.uuid4().hex[:8]
    futures = [client.submit(block_task, params, block, index, str(folder), host_threads, key=f"claro-block-{token}-{index}",
                             retries=RETRIES, pure=False) for index, block in blocks]
    counts = np.zeros(len(plan.classes), np.int64)
    computed = 0
    timing = {"block_seconds": 0.0, "block_cpu_seconds": 0.0}
    try:
        for done, future in enumerate(distributed.as_completed(futures), start=1):
            result = future.result()
            counts += np.asarray(result["counts"], np.int64)
            computed += int(result["computed"])
            timing["block_seconds"] += result["seconds"]
            timing["block_cpu_seconds"] += result["cpu_seconds"]
            progress.update(0.9 * done / len(futures), f"blocks {done}/{len(futures)}")
    except BaseException:
        client.cancel(futures, force=True)
        raise
    return counts, computed, {k: round(v, 2) for k, v in timing.items()}


def _vrt(path: Path, image, plan: predict.Plan, role: str, blocks: list[tuple[int, predict.Block]], folder: Path,
         params: PredictParams) -> None:
    """A VRT on the image's grid over the blocks of one output; pixels of no block are nodata."""
    from osgeo import gdal

    from . import raster, style

    type_name, nodata, _ = ROLES[role]
    count = plan.band_counts()[role]
    descriptions = {"out": ["class"], "probs": plan.prob_names,
                    "uncertainty": [predict.UNCERTAINTY_DESCRIPTIONS[params.uncertainty_measure]]}[role]
    with predict._gdal_exceptions():
        vrt = gdal.GetDriverByName("VRT").Create(str(path), image.RasterXSize, image.RasterYSize, count,
                                                 gdal.GetDataTypeByName(type_name))
    vrt.SetGeoTransform(image.GetGeoTransform())
    if image.GetProjection():
        vrt.SetProjection(image.GetProjection())
    for b in range(1, count + 1):
        band = vrt.GetRasterBand(b)
        band.SetNoDataValue(nodata)
        band.SetDescription(descriptions[b - 1])
        for i, (index, block) in enumerate(blocks):
            width, height = block.right - block.left, block.bottom - block.top
            source = (f'<SimpleSource><SourceFilename relativeToVRT="0">{folder / block_name(role, index)}</SourceFilename>'
                      f'<SourceBand>{b}</SourceBand><SrcRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/>'
                      f'<DstRect xOff="{block.left}" yOff="{block.top}" xSize="{width}" ySize="{height}"/></SimpleSource>')
            band.SetMetadataItem(f"source_{i}", source, "new_vrt_sources")
    if role == "out":
        raster.copy_dates(image, vrt)
        style.apply_classes(vrt.GetRasterBand(1), plan.classes, nodata)
    vrt.FlushCache()
    vrt = None


def _relocate(vrt: Path, folder: Path, final_folder: Path) -> None:
    """Point a VRT's sources at the blocks folder's final name, relative to the VRT, so the VRT
    and its folder can be moved together. GDAL wrote them relative to the VRT already (the
    temporary folder is its sibling): only the folder's name changes."""
    import html

    text = vrt.read_text(encoding="utf-8")
    for written in (f'relativeToVRT="1">{html.escape(folder.name, quote=False)}/',
                    f'relativeToVRT="0">{html.escape(str(folder), quote=False)}/'):
        text = text.replace(written, f'relativeToVRT="1">{html.escape(final_folder.name, quote=False)}/')
    vrt.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def _gdal_threads() -> Iterator[None]:
    """GDAL_NUM_THREADS=ALL_CPUS while the client merges: the GeoTIFF driver compresses tiles and
    builds overviews in parallel (the pixels written are the same)."""
    from osgeo import gdal

    previous = gdal.GetConfigOption("GDAL_NUM_THREADS")
    gdal.SetConfigOption("GDAL_NUM_THREADS", "ALL_CPUS")
    try:
        yield
    finally:
        gdal.SetConfigOption("GDAL_NUM_THREADS", previous)


def _merge(source: Path, outputs: dict[str, Any], role: str) -> None:
    """Copy a VRT into the output GeoTIFF predict created, in strips of whole tile rows."""
    from osgeo import gdal

    from . import raster

    vrt = gdal.Open(str(source))
    target = outputs[role]
    width, height, count = vrt.RasterXSize, vrt.RasterYSize, vrt.RasterCount
    item = gdal.GetDataTypeSize(vrt.GetRasterBand(1).DataType) // 8
    rows = max(256, (MERGE_STRIP_BYTES // max(1, width * count * item)) // 256 * 256)
    with raster.writing_into(Path(target.GetDescription()).parent):
        for top in range(0, height, rows):
            h = min(rows, height - top)
            target.WriteRaster(0, top, width, h, vrt.ReadRaster(0, top, width, h), band_list=list(range(1, count + 1)))
    vrt = None


def _remove_folder(folder: Path, attempts: int = 10) -> None:
    """Remove a blocks folder. After a cancel, a block that had just started on a remote worker
    (tasks already running are not stopped) may create its file while the folder is removed, so
    try again for a moment; later writes fail, as the folder is gone."""
    for _ in range(attempts):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.5)


def predict_on_dask(params: PredictParams, progress: Progress, targets: dict[str, Path], image, aoi) -> None:
    """`claro predict … --dask ADDRESS`: blocks on the cluster, assembled here (see the module docstring)."""
    from osgeo import gdal

    from . import raster

    _distributed()  # one sentence before any work when dask is missing
    out_path = targets["out"]
    counts = np.zeros(0, np.int64)
    previous_cache = gdal.GetCacheMax()
    gdal.SetCacheMax(predict.GDAL_CACHE_BYTES)
    try:
        with contextlib.ExitStack() as stack:
            if params.merge:  # scratch blocks beside the output (on the folder every worker reaches)
                folder = out_path.with_name(f".{out_path.stem}.blocks-{uuid.uuid4().hex[:8]}")
                folder.mkdir()  # not mkdtemp's 0700: workers may run as another user
                stack.callback(_remove_folder, folder)
            else:
                folder = stack.enter_context(atomic_folder(targets["blocks"]))
                stack.push(lambda kind, *_: _remove_folder(folder) if kind else None)  # before atomic_folder's own
            with connect(params.dask) as client:  # closed (a local cluster stopped) before the folder goes
                host_threads = _threads_per_host(client)
                plan, notes, warming = _warm_up(client, params, host_threads)
                for note in notes:
                    progress.log(note)
                progress.log(predict.start_message(params, plan, aoi))
                planned = predict.plan_blocks(plan.rows, plan.cols, params.dask_block)
                chosen = _blocks_inside(planned, aoi)
                blocks = list(enumerate(chosen))
                workers = len(client.scheduler_info(n_workers=-1)["workers"])
                progress.log(f"{len(blocks)} block(s) of up to {params.dask_block}×{params.dask_block} windows on {workers} "
                             f"Dask worker(s) at {params.dask}"
                             + (f"; {len(planned) - len(blocks)} block(s) outside the area of interest skipped"
                                if len(blocks) < len(planned) else "") + ".")
                counts, computed, timing = _run_blocks(client, params, plan, blocks, folder, host_threads, progress)
                del warming
            tmps = predict.open_temporaries(stack, params, targets)
            sources = {role: (folder / f"{role}.vrt" if params.merge else tmps[role]) for role in plan.band_counts()}
            progress.update(0.9, "assembling")
            for role in plan.band_counts():
                _vrt(sources[role], image, plan, role, blocks, folder, params)
            if params.merge:
                # The cluster is closed by now (a local one no longer holds this machine's cores):
                # GDAL compresses the merged tiles and builds the overviews on every core.
                stack.enter_context(_gdal_threads())
                outputs: dict[str, Any] = {}
                stack.callback(raster.discard_written, outputs)
                predict.create_outputs(outputs, tmps, image, plan, params)
                for role in plan.band_counts():
                    _merge(sources[role], outputs, role)
                vectorized = predict.finish_outputs(stack, params, targets, tmps, outputs, plan, counts, progress)
            else:
                for role in plan.band_counts():
                    _relocate(sources[role], folder, targets["blocks"])
                predict.write_styles(params, plan, tmps)
                vectorized = {}
    finally:
        gdal.SetCacheMax(previous_cache)
    predict.report(params, targets, plan, counts, computed, vectorized, progress, blocks=len(blocks),
                   blocks_planned=len(planned), blocks_folder=None if params.merge else str(targets["blocks"]),
                   dask=params.dask, workers=workers, **timing)
