"""`claro predict`: classify a whole raster with overlapping, smoothly blended windows.

Why this shape:
- Seams: a U-Net sees less context near a window's border, so neighbouring windows disagree
  there. Windows overlap and each prediction is weighted by a raised-cosine (Hann) window that
  is small at the window's border and 1 in its centre; the weighted mean hides the borders.
  The raster is padded by reflection so its own edges sit in the well-weighted part of a window.
- Memory: the raster is read one strip (a row of windows plus its overlap) at a time and output
  rows are written as soon as no later window touches them, so memory is set by the raster
  width and the window, never by the raster height.
- Speed: one traced TensorFlow function on fixed-shape batches (the last one padded), batches
  that run across strip boundaries, and a reader thread that fetches the next strip while the
  model works.
- Nodata: a pixel where any band is nodata (nodata value, NaN or mask) is output nodata in the
  class raster (255) and the probability raster (-1), as `claro patches` leaves such a pixel out
  of training; a filled-in band would give a confident class the model never learnt.
- One block function (predict_block): a rectangle of output pixels gets every window of the
  GLOBAL window plan that touches it, read over just those columns (reflection padding only at
  the raster's own edges), blended in the same order, and only its own pixels are written. The
  single process is one block, the whole raster; `--dask` (backend/distributed_predict.py) runs
  one block per task, and the stitched blocks equal the single-process rasters exactly.
- Options of this one engine, never copies of it: an area of interest (backend/aoi.py) is one
  more nodata mask, burnt strip by strip, and windows with no valid pixel are skipped (the
  Blender divides by the weight of the windows it got); test-time augmentation
  (backend/tta.py) wraps the batch predictor; uncertainty is computed from the blended
  probabilities as they are written.
"""
from __future__ import annotations

import contextlib
import math
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

import numpy as np

from . import areas
from . import card as model_card
from . import style
from . import tta as augmentation
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .labels import outside_range
from .params import PredictParams, check_bounds
from .progress import Progress

if TYPE_CHECKING:
    from .aoi import AreaOfInterest

NODATA = 255
PROBABILITY_NODATA = -1.0
UNCERTAINTY_NODATA = -1.0
#: output → (nodata value, data type) of its bands
OUTPUT_NODATA = {"out": (NODATA, np.uint8), "probs": (PROBABILITY_NODATA, np.float32),
                 "uncertainty": (UNCERTAINTY_NODATA, np.float32)}
WEIGHT_FLOOR = 0.01  # keeps every pixel's total weight above zero, even where one window covers it
MIN_WINDOW = 256
GDAL_CACHE_BYTES = 64 * 1024 * 1024  # bounded GDAL block cache: memory must not grow with the raster
OUTPUT_OPTIONS = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"]


# --------------------------------------------------------------------------- window geometry

def hann_weights(size: int, floor: float = WEIGHT_FLOOR) -> np.ndarray:
    """1-D blending weights: sin² over the window (≈0 at the borders, 1 in the centre) plus a floor."""
    t = (np.arange(size, dtype=np.float64) + 0.5) / size
    return (floor + (1.0 - floor) * np.sin(np.pi * t) ** 2).astype(np.float32)


@dataclass(frozen=True)
class Axis:
    """Window starts along one axis of the raster (starts may be negative: reflection padding)."""

    size: int     # raster pixels along the axis
    window: int   # window pixels
    starts: tuple[int, ...]

    @property
    def pad_before(self) -> int:
        return max(0, -self.starts[0])

    @property
    def pad_after(self) -> int:
        return max(0, self.starts[-1] + self.window - self.size)

    def total_weight(self) -> np.ndarray:
        """Sum of the blending weights of every window over each raster pixel (length `size`)."""
        w = hann_weights(self.window)
        total = np.zeros(self.size + self.pad_before + self.pad_after, np.float32)
        for s in self.starts:
            total[s + self.pad_before: s + self.pad_before + self.window] += w
        return total[self.pad_before: self.pad_before + self.size]


def plan_axis(size: int, window: int, overlap: float) -> Axis:
    """Windows along one axis: a single centred window when the raster fits in one; else windows
    every `stride` pixels, starting half an overlap before the raster so its edge is not at a
    window border."""
    if size <= window:
        return Axis(size, window, (-((window - size) // 2),))
    stride = max(1, window - int(round(window * overlap)))
    margin = (window - stride) // 2
    count = 1 + max(0, math.ceil((size + 2 * margin - window) / stride))
    return Axis(size, window, tuple(-margin + i * stride for i in range(count)))


def round_up(value: int, multiple: int) -> int:
    return int(math.ceil(value / multiple) * multiple)


def downsampling_factor(model) -> int:
    """Product of the strides of the model's pooling and strided convolution layers (2**depth
    for a U-Net): a window must be a multiple of it for the skip connections to line up."""
    factor = 1
    for layer in _all_layers(model):
        name = type(layer).__name__
        if "Transpose" in name or "UpSampling" in name or "Global" in name:
            continue
        if "Pool" in name:
            step = getattr(layer, "strides", None) or getattr(layer, "pool_size", None)
        elif "Conv" in name:
            step = getattr(layer, "strides", None)
        else:
            continue
        if step:
            factor *= max(1, int(step[0] if isinstance(step, (tuple, list)) else step))
    return factor


def _all_layers(model) -> Iterator[Any]:
    for layer in getattr(model, "layers", []):
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)
        else:
            yield layer


def window_size(requested: Optional[int], card: dict, model_size: tuple[Optional[int], Optional[int]],
                factor: int, raster: tuple[int, int]) -> tuple[int, int]:
    """(rows, columns) of a prediction window: the model's fixed size if it has one; else the
    requested size, or max(256, training patch size), rounded up to the model's factor and shrunk
    to the raster when the raster is smaller (no work spent on padding)."""
    fixed_h, fixed_w = model_size
    if fixed_h is not None and fixed_w is not None:
        return int(fixed_h), int(fixed_w)
    if requested is not None and requested < factor:
        raise ClaroError(f"--window {requested} is smaller than the model's down-sampling factor {factor}; use at least {factor}.")
    size = round_up(requested or max(MIN_WINDOW, int(card.get("patch_size") or 0)), factor)
    rows, cols = raster
    return min(size, round_up(rows, factor)), min(size, round_up(cols, factor))


# --------------------------------------------------------------------------- input checks

def _open_image(path: str):
    from . import raster

    if not path:
        raise ClaroError("No image raster was given; pass --image.")
    return raster.open_raster(path, "Image")


@contextlib.contextmanager
def _gdal_exceptions():
    from osgeo import gdal

    previous = gdal.GetUseExceptions()
    gdal.UseExceptions()
    try:
        yield
    finally:
        if not previous:
            gdal.DontUseExceptions()


def _check_outputs(params: PredictParams) -> dict[str, Path]:
    """Every output of the job by role (out, qml, probabilities, uncertainty, uncertainty_qml),
    each checked before any work; roles not asked for are absent."""
    from . import raster
    from .aoi import split_source

    inputs = [*raster.source_files([params.image]), params.model,  # a VRT's sources are inputs too
              split_source(params.aoi)[0] if params.aoi else None]
    # --dask --no-merge: each raster is a VRT over the workers' blocks, kept in one folder beside it
    vrt = bool(params.dask) and not params.merge
    kind = "vrt" if vrt else "geotiff"

    def name(path: str) -> Path:
        return Path(path).with_suffix(".vrt") if vrt else Path(path)

    out = check_can_write(name(params.out), params.overwrite, kind=kind, inputs=inputs)
    targets = {"out": out, "qml": style.qml_path(out)}
    if vrt:
        targets["blocks"] = check_can_write(blocks_folder(out), params.overwrite, folder=True, kind="blocks", inputs=inputs)
    if params.probabilities:
        targets["probabilities"] = check_can_write(name(params.probabilities), params.overwrite, kind=kind, inputs=inputs)
    if params.uncertainty:
        targets["uncertainty"] = check_can_write(name(params.uncertainty), params.overwrite, kind=kind, inputs=inputs)
        targets["uncertainty_qml"] = style.qml_path(targets["uncertainty"])
    for role in ("qml", "uncertainty_qml"):
        if role in targets:
            check_can_write(targets[role], params.overwrite, kind="qml", inputs=inputs)
    if params.polygons:
        targets["polygons"] = check_can_write(params.polygons, params.overwrite, kind="gpkg", inputs=inputs)
    targets["areas"] = check_can_write(areas.area_csv_path(out), params.overwrite, kind="area-table", inputs=inputs)
    resolved = [t.resolve() for t in targets.values()]
    if len(set(resolved)) != len(resolved) or (params.image and Path(params.image).resolve() in resolved):
        raise ClaroError("The class raster, its .qml, its area table, the probability and uncertainty rasters, their .qml "
                         "styles, the polygons and the image must be different files; choose other output names.")
    return targets


def blocks_folder(out: Path) -> Path:
    """Where --dask --no-merge keeps the workers' blocks: NAME_blocks beside NAME.vrt."""
    return out.with_name(f"{out.stem}_blocks")


def _check_options(params: PredictParams) -> None:
    if not params.merge and not params.dask:
        raise ClaroError("--no-merge keeps the blocks of a Dask prediction; it needs --dask (or leave it out).")
    if not params.merge and (params.min_area > 0 or params.polygons):
        raise ClaroError("--min-area and --polygons work on one merged class raster; leave out --no-merge to get it "
                         "(or leave out --min-area and --polygons).")
    if params.uncertainty_measure == "disagreement" and not params.tta:
        raise ClaroError("The disagreement uncertainty compares the eight views of test-time augmentation; add --tta or "
                         "choose --uncertainty-measure entropy or top.")


def _check_classes(classes: list[dict]) -> None:
    bad = outside_range(c["value"] for c in classes)  # the one rule: 0–254, 255 being NODATA
    if bad:
        raise ClaroError(f"Class value {bad[0]} cannot be stored in the class raster (0–254; 255 is nodata); renumber the classes.")


# --------------------------------------------------------------------------- reading strips

class StripReader:
    """Reads the image rows one row of windows needs, with nodata filled and reflection padding.

    Runs in a thread ahead of the model (GDAL releases the GIL while reading), one strip ahead.
    With an area of interest, its mask is burnt for the same rows here, and a strip with no
    pixel in it is not read at all.
    """

    def __init__(self, dataset, bands: list[int], rows: Axis, cols: Axis, fill: np.ndarray,
                 aoi: Optional["AreaOfInterest"] = None):
        from osgeo import gdal

        self.aoi = aoi
        self.dataset = dataset
        self.bands = bands
        self.rows = rows
        self.cols = cols
        self.fill = fill.astype(np.float32)
        band_objects = [dataset.GetRasterBand(b) for b in bands]
        self.nodata = [band.GetNoDataValue() for band in band_objects]
        # Bands without a nodata value may still have a mask (alpha band, .msk, internal mask):
        # the same GDAL mask bands `claro patches` reads (raster.valid_window). A dataset-wide
        # mask is read once.
        self.masks: list[int] = []
        dataset_mask = False
        for band, value in zip(bands, self.nodata):
            flags = dataset.GetRasterBand(band).GetMaskFlags()
            if value is not None or flags & gdal.GMF_ALL_VALID:
                continue
            if flags & gdal.GMF_PER_DATASET:
                if dataset_mask:
                    continue
                dataset_mask = True
            self.masks.append(band)
        self.float_input = any(band.DataType in (gdal.GDT_Float32, gdal.GDT_Float64) for band in band_objects)
        from .raster import Coverage

        self.coverage = Coverage(dataset, bands)  # a VRT stack's dates that do not cover the whole raster

    def read(self, index: int, left: Optional[int] = None,
             right: Optional[int] = None) -> tuple[int, Optional[np.ndarray], np.ndarray]:
        """(first raster row, padded strip [rows, right - left, bands], valid [rows in raster,
        raster columns in [left, right)]) for the windows of row `index` over the padded columns
        [left, right) (default: every window of the row; a block reads only its own windows);
        the strip is None when no pixel of these rows is in the area of interest.

        A pixel is nodata when ANY band is nodata there (its nodata value, NaN, or its mask), as
        in training, where such a pixel is left out of the labels (raster.valid_window): the
        model never learnt from a pixel with a missing band, so it gets no class (output nodata
        in the class and probability rasters) rather than a confident guess from a filled band.
        Every band of a nodata pixel is replaced by the fill value (the training mean), as
        training patches do, so no sentinel such as -9999 reaches the model through its
        neighbours. Pixels outside the area of interest keep their values (the model sees the
        same context as without one) and are only marked not valid.

        Columns outside the raster are reflected at the raster's own edges (the same pixels
        whichever block asks), so a block's windows see exactly what the whole raster's do.
        """
        size = self.cols.size
        left = self.cols.starts[0] if left is None else left
        right = self.cols.starts[-1] + self.cols.window if right is None else right
        start = self.rows.starts[index]
        top, bottom = max(0, start), min(self.rows.size, start + self.rows.window)
        inner_left, inner_right = max(0, left), min(size, right)
        inside = self.aoi.mask(inner_left, top, inner_right - inner_left, bottom - top) if self.aoi is not None else None
        if inside is not None and not inside.any():
            return top, None, inside
        columns = None
        if left < 0 or right > size:  # reflection padding: the raster columns the padded ones mirror
            columns = reflect(np.arange(left, right), size)
            first, end = int(columns.min()), int(columns.max()) + 1
        else:
            first, end = left, right
        width = end - first
        raw = self.dataset.ReadAsArray(first, top, width, bottom - top, band_list=self.bands)
        raw = raw.reshape(len(self.bands), bottom - top, width)
        invalid = np.zeros((bottom - top, width), bool)
        for i, value in enumerate(self.nodata):
            if value is not None and not math.isnan(value):
                invalid |= raw[i] == value
            if self.float_input:
                invalid |= np.isnan(raw[i])
        for band in self.masks:
            invalid |= self.dataset.GetRasterBand(band).GetMaskBand().ReadAsArray(first, top, width, bottom - top) == 0
        if self.coverage:
            invalid |= ~self.coverage.valid(first, top, width, bottom - top)
        # Integer imagery stays in its own type until a batch is assembled: a strip of a wide
        # uint8 raster is 4× smaller than in float32, and the strip is most of predict's memory.
        if raw.dtype.kind in "iu":
            info = np.iinfo(raw.dtype)
            fill = np.clip(np.round(self.fill), info.min, info.max).astype(raw.dtype)
            strip = np.moveaxis(raw, 0, -1)
        else:
            fill = self.fill
            strip = np.moveaxis(raw, 0, -1).astype(np.float32)
        if invalid.any():
            strip[invalid] = fill
        pad_rows = (top - start, start + self.rows.window - bottom)
        if any(pad_rows):
            strip = np.pad(strip, (pad_rows, (0, 0), (0, 0)), mode="reflect")
        if columns is not None:
            strip = strip[:, columns - first]
        valid = ~invalid[:, inner_left - first: inner_right - first]
        if inside is not None:
            valid &= inside
        return top, strip, valid


def reflect(index: np.ndarray, size: int) -> np.ndarray:
    """Raster index of each (possibly outside) index, mirrored at the edges as np.pad's 'reflect'
    mirrors (edge pixel not repeated, repeatedly for pads longer than the raster)."""
    if size == 1:
        return np.zeros_like(index)
    period = 2 * (size - 1)
    folded = np.mod(index, period)
    return np.where(folded < size, folded, period - folded)


def _prefetch(reader: StripReader, indices: range, left: int, right: int,
              stop: threading.Event) -> Iterator[tuple[int, Optional[np.ndarray], np.ndarray]]:
    """The strips of window rows `indices` over padded columns [left, right), in order, read by a
    helper thread one strip ahead of the consumer."""
    items: queue.Queue = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            for index in indices:
                if stop.is_set():
                    return
                items.put(("strip", reader.read(index, left, right)))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            items.put(("error", error))

    thread = threading.Thread(target=work, name="claro-strip-reader", daemon=True)
    thread.start()
    try:
        for _ in indices:
            kind, value = items.get()
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            items.get_nowait()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- the model

def batch_predictor(model, batch: int, rows: int, cols: int, bands: int) -> Callable[[np.ndarray], np.ndarray]:
    """One traced function on [batch, rows, cols, bands] float32; shorter batches are zero-padded
    so TensorFlow never re-traces."""
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([batch, rows, cols, bands], tf.float32)])
    def infer(x):
        return tf.cast(model(x, training=False), tf.float32)

    def predict(windows: np.ndarray) -> np.ndarray:
        windows = np.asarray(windows, np.float32)
        n = windows.shape[0]
        if n < batch:
            windows = np.concatenate([windows, np.zeros((batch - n, rows, cols, bands), np.float32)])
        return infer(windows).numpy()[:n]

    return predict


# --------------------------------------------------------------------------- writing

def _create(path: Path, like, bands: int, gdal_type: int, nodata: float, descriptions: list[str],
            block: Optional["Block"] = None, compress: bool = True):
    """An output GeoTIFF on the grid of `like` (the image), or of one block of it; uncompressed
    (`compress=False`) for a block that is read once and merged."""
    from osgeo import gdal

    driver = gdal.GetDriverByName("GTiff")
    options = list(OUTPUT_OPTIONS) if compress else [o for o in OUTPUT_OPTIONS if not o.startswith("COMPRESS=")]
    if compress and gdal_type == gdal.GDT_Float32:
        options.append("PREDICTOR=3")
    block = block or Block(0, like.RasterYSize, 0, like.RasterXSize)
    with _gdal_exceptions():
        out = driver.Create(str(path), block.right - block.left, block.bottom - block.top, bands, gdal_type, options=options)
    x0, dx, rx, y0, ry, dy = like.GetGeoTransform()
    out.SetGeoTransform((x0 + block.left * dx + block.top * rx, dx, rx, y0 + block.left * ry + block.top * dy, ry, dy))
    projection = like.GetProjection()
    if projection:
        out.SetProjection(projection)
    for i, text in enumerate(descriptions, start=1):
        band = out.GetRasterBand(i)
        band.SetNoDataValue(nodata)
        if text:
            band.SetDescription(text)
    return out


def overview_levels(rows: int, cols: int, smallest: int = 256) -> list[int]:
    levels, level = [], 2
    while max(rows, cols) / level >= smallest / 2 and max(rows, cols) > smallest:
        levels.append(level)
        level *= 2
    return levels


def _build_overviews(dataset, method: str) -> None:
    from osgeo import gdal

    levels = overview_levels(dataset.RasterYSize, dataset.RasterXSize)
    if not levels:
        return
    previous = gdal.GetConfigOption("COMPRESS_OVERVIEW")
    gdal.SetConfigOption("COMPRESS_OVERVIEW", "DEFLATE")
    try:
        dataset.BuildOverviews(method, levels)
    finally:
        gdal.SetConfigOption("COMPRESS_OVERVIEW", previous)


# --------------------------------------------------------------------------- the job

@dataclass(frozen=True)
class Block:
    """A rectangle of output pixels, rows [top, bottom) × columns [left, right): the unit of work.

    One block is the whole raster for a single process; Dask splits the raster into many. A
    block computes every window of the GLOBAL plan that touches it and writes only its own
    pixels, so blocks stitch into exactly the single-process result (same windows, same order of
    summation for every pixel)."""

    top: int
    bottom: int
    left: int
    right: int

    @classmethod
    def whole(cls, rows: Axis, cols: Axis) -> "Block":
        return cls(0, rows.size, 0, cols.size)

    def windows(self, rows: Axis, cols: Axis) -> tuple[range, range]:
        """(window rows, window columns) of the global plan that touch this block."""
        return touching(rows, self.top, self.bottom), touching(cols, self.left, self.right)


def touching(axis: Axis, low: int, high: int) -> range:
    """Indices of the windows along `axis` that cover a pixel of [low, high)."""
    first = next(i for i, s in enumerate(axis.starts) if s + axis.window > low)
    last = max(i for i, s in enumerate(axis.starts) if s < high)
    return range(first, last + 1)


def plan_blocks(rows: Axis, cols: Axis, windows: int) -> list[Block]:
    """Blocks of about `windows` × `windows` whole windows, as even as the window counts allow;
    block borders sit at window starts, so a block recomputes one window of its neighbour's per
    side (the blend needs it), a share of 1 / `windows` per axis."""
    def cuts(axis: Axis) -> list[int]:
        count = len(axis.starts)
        parts = max(1, math.ceil(count / max(1, windows)))
        firsts = [round(i * count / parts) for i in range(parts)]
        return [0] + [axis.starts[f] for f in firsts[1:]] + [axis.size]

    row_cuts, col_cuts = cuts(rows), cuts(cols)
    return [Block(top, bottom, left, right) for top, bottom in zip(row_cuts, row_cuts[1:])
            for left, right in zip(col_cuts, col_cuts[1:])]


class Blender:
    """Weighted sums of window predictions, kept only for rows some window still has to touch.

    Windows may be skipped (outside the area of interest, or only nodata): each pixel is divided
    by the weight of the windows that did cover it, kept per row of windows as one column
    profile (the weights are separable), and a pixel no window covered comes out NaN.
    With a `block`, only its windows are expected and only its pixels come out.
    """

    def __init__(self, rows: Axis, cols: Axis, channels: int, block: Optional[Block] = None):
        self.rows, self.cols, self.channels = rows, cols, channels
        self.block = block or Block.whole(rows, cols)
        self.row_range, self.col_range = self.block.windows(rows, cols)
        self.row_weight = hann_weights(rows.window)
        self.col_weight = hann_weights(cols.window)
        self.weight = np.outer(self.row_weight, self.col_weight)[..., None]
        # padded columns [origin, origin + padded_width) hold the block's windows
        self.origin = cols.starts[self.col_range.start]
        self.padded_width = cols.starts[self.col_range[-1]] + cols.window - self.origin
        self.sums: dict[int, np.ndarray] = {}
        self.col_sums: dict[int, np.ndarray] = {}  # row of windows → summed column weights of its windows
        self.remaining = {i: len(self.col_range) for i in self.row_range}
        self.done_rows = self.block.top          # raster rows [top, done_rows) are final and written
        self.finished_up_to = self.row_range.start  # window rows before this one fully predicted

    def add(self, row: int, col: int, prediction: np.ndarray) -> None:
        if row not in self.sums:
            self.sums[row] = np.zeros((self.rows.window, self.padded_width, self.channels), np.float32)
            self.col_sums[row] = np.zeros(self.padded_width, np.float32)
        x = self.cols.starts[col] - self.origin
        self.sums[row][:, x: x + self.cols.window] += prediction * self.weight
        self.col_sums[row][x: x + self.cols.window] += self.col_weight
        self.remaining[row] -= 1

    def skip(self, row: int, col: int) -> None:
        """A window that is not computed: its pixels get no weight from it."""
        self.remaining[row] -= 1

    def ready(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first raster row, blended [rows, block columns, channels]) for every block of rows now final."""
        last = self.row_range.stop
        while self.finished_up_to < last and self.remaining[self.finished_up_to] == 0:
            self.finished_up_to += 1
            end = (self.block.bottom if self.finished_up_to == last
                   else min(self.block.bottom, max(self.block.top, self.rows.starts[self.finished_up_to])))
            if end > self.done_rows:
                yield self.done_rows, self._blend(self.done_rows, end)
                self.done_rows = end
            for index in [i for i in self.sums if self.rows.starts[i] + self.rows.window <= self.done_rows]:
                del self.sums[index], self.col_sums[index]

    def _blend(self, top: int, bottom: int) -> np.ndarray:
        width = self.block.right - self.block.left
        if not any(self.rows.starts[i] < bottom and top < self.rows.starts[i] + self.rows.window for i in self.sums):
            return np.full((bottom - top, width, self.channels), np.nan, np.float32)  # no window here
        total = np.zeros((bottom - top, self.padded_width, self.channels), np.float32)
        weight = np.zeros((bottom - top, self.padded_width), np.float32)
        for index, sums in self.sums.items():
            start = self.rows.starts[index]
            lo, hi = max(top, start), min(bottom, start + self.rows.window)
            if lo < hi:
                total[lo - top: hi - top] += sums[lo - start: hi - start]
                weight[lo - top: hi - top] += np.outer(self.row_weight[lo - start: hi - start], self.col_sums[index])
        left = self.block.left - self.origin
        total = total[:, left: left + width]
        weight = weight[:, left: left + width]
        covered = weight > 0
        if covered.all():
            total /= weight[..., None]
        else:
            total /= np.where(covered, weight, 1.0)[..., None]
            total[~covered] = np.nan
        return total


UNCERTAINTY_DESCRIPTIONS = {
    "entropy": "uncertainty: entropy of the class probabilities / log(number of classes)",
    "top": "uncertainty: 1 - highest class probability",
    "disagreement": "uncertainty: share of the test-time augmentation views whose class differs",
}


def uncertainty(probabilities: np.ndarray, measure: str) -> np.ndarray:
    """Per-pixel uncertainty in [0, 1] from blended probabilities [rows, cols, channels] (one
    channel: a sigmoid's p, i.e. two classes p and 1 − p): normalised entropy or 1 − the top
    probability."""
    p = np.clip(probabilities, 0.0, 1.0)
    if p.shape[-1] == 1:
        p = np.concatenate([1.0 - p, p], axis=-1)
    if measure == "top":
        return (1.0 - p.max(axis=-1)).astype(np.float32)
    if p.shape[-1] < 2:
        return np.zeros(p.shape[:-1], np.float32)
    terms = p * np.log(np.where(p > 0, p, 1.0))
    return np.clip(-terms.sum(axis=-1) / math.log(p.shape[-1]), 0.0, 1.0).astype(np.float32)


def _window_has_valid(valid: np.ndarray, x: int, width: int, origin: int = 0) -> bool:
    """Whether the window starting at column x (may be negative: padding) covers a valid pixel;
    `valid` starts at raster column `origin`."""
    return bool(valid[:, max(0, x) - origin: max(0, x + width) - origin].any())


# --------------------------------------------------------------------------- the block engine

@dataclass
class Plan:
    """What every block of one prediction shares: the global window plan and the outputs.
    Plain data (picklable), so every Dask worker predicts with exactly the client's plan."""

    rows: Axis
    cols: Axis
    bands: list[int]
    fill: np.ndarray
    classes: list[dict]
    channels: int                 # the model's output channels
    batch_size: int
    views: tuple[tuple[int, bool], ...]
    disagreement: bool            # one more blended channel: the share of disagreeing TTA views
    probabilities: bool           # probability bands are written (asked for, or kept for polygons)
    uncertainty: Optional[str]    # the measure, when an uncertainty raster is asked for

    @property
    def sigmoid(self) -> bool:
        return self.channels == 1

    @property
    def values(self) -> np.ndarray:
        return np.array([int(c["value"]) for c in self.classes], np.uint8)

    @property
    def names(self) -> list[str]:
        return [style.class_name(c, i) for i, c in enumerate(self.classes)]

    @property
    def prob_names(self) -> list[str]:
        return [self.names[1]] if self.sigmoid else self.names

    def band_counts(self) -> dict[str, int]:
        """Output role → its number of bands, for the outputs this prediction writes."""
        counts = {"out": 1}
        if self.probabilities:
            counts["probs"] = len(self.prob_names)
        if self.uncertainty:
            counts["uncertainty"] = 1
        return counts

    @property
    def windows_total(self) -> int:
        return len(self.rows.starts) * len(self.cols.starts)


@dataclass
class Engine:
    """A loaded model ready to predict blocks of one plan."""

    plan: Plan
    predict: Callable[[np.ndarray], np.ndarray]


def build_engine(params: PredictParams, image, log: Callable[[str], None]) -> Engine:
    """Load the model and make the global window plan for `image` (the same on every machine)."""
    from . import model_io

    model, card = model_io.load_model(params.model, bands=params.bands, classes=params.classes,
                                      precision=params.precision, log=log)
    fixed_h, fixed_w, input_bands, channels = model_io.model_shape(model)
    bands = model_card.select_bands(params.bands, card, image.RasterCount, input_bands, params.image)
    classes = card["classes"]
    _check_classes(classes)
    rows_n, cols_n = image.RasterYSize, image.RasterXSize
    factor = downsampling_factor(model)
    win_rows, win_cols = window_size(params.window, card, (fixed_h, fixed_w), factor, (rows_n, cols_n))
    if params.tta and fixed_h is None:
        win_rows = win_cols = max(win_rows, win_cols)  # square, so all eight views keep the window's shape
    rows = plan_axis(rows_n, win_rows, params.overlap)
    cols = plan_axis(cols_n, win_cols, params.overlap)
    mean = ((card.get("normalization") or {}) or {}).get("mean")
    fill = np.asarray(mean if mean and len(mean) == len(bands) else [0.0] * len(bands), np.float32)
    predict = batch_predictor(model, params.batch_size, win_rows, win_cols, len(bands))
    views = augmentation.views_for(win_rows, win_cols) if params.tta else ((0, False),)
    disagreement = bool(params.uncertainty) and params.uncertainty_measure == "disagreement"
    if params.tta:
        predict = augmentation.augmented(predict, views, disagreement)
        if len(views) < len(augmentation.ALL_VIEWS):
            log(f"The model's windows are {win_cols}×{win_rows}, not square: test-time augmentation uses the "
                f"{len(views)} flips that keep their shape, not the 90° rotations.")
    plan = Plan(rows=rows, cols=cols, bands=bands, fill=fill, classes=classes, channels=channels,
                batch_size=params.batch_size, views=views, disagreement=disagreement,
                probabilities=bool(params.probabilities or params.polygons),
                uncertainty=params.uncertainty_measure if params.uncertainty else None)
    return Engine(plan, predict)


def classify(plan: Plan, blended: np.ndarray, valid: np.ndarray, counts: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Each output's bands for one block of blended rows, nodata where not valid; adds the
    classified pixels to `counts`."""
    channels = plan.channels
    blended = np.nan_to_num(blended, copy=False)
    probabilities = blended[..., :channels]
    if plan.sigmoid:
        index = (probabilities[..., 0] > 0.5).astype(np.intp)
    else:
        index = np.argmax(probabilities, axis=-1)
    classified = plan.values[index]
    classified[~valid] = NODATA
    counts[:] += np.bincount(index[valid], minlength=len(plan.classes))
    layers = {"out": [classified]}
    if plan.probabilities:
        layers["probs"] = []
        for b in range(len(plan.prob_names)):
            layer = probabilities[..., b].copy()
            layer[~valid] = PROBABILITY_NODATA
            layers["probs"].append(layer)
    if plan.uncertainty:
        unsure = (np.clip(blended[..., channels], 0.0, 1.0) if plan.disagreement
                  else uncertainty(probabilities, plan.uncertainty))
        unsure[~valid] = UNCERTAINTY_NODATA
        layers["uncertainty"] = [unsure]
    return layers


#: write(first raster row, first raster column, output role → its bands) for final rows of a block
BlockWriter = Callable[[int, int, dict[str, list[np.ndarray]]], None]


def predict_block(engine: Engine, reader: StripReader, block: Block, write: BlockWriter) -> tuple[np.ndarray, int]:
    """THE block function (single process: one block, the whole raster; Dask: one block per task).

    Streams the block's rows of windows (a reader thread one strip ahead), predicts them in
    fixed-shape batches that run across strip boundaries, blends them and hands every group of
    final rows to `write` as soon as no later window touches them. Returns (pixels per class,
    windows computed)."""
    plan = engine.plan
    win_cols = plan.cols.window
    blender = Blender(plan.rows, plan.cols, plan.channels + int(plan.disagreement), block)
    left, right = blender.origin, blender.origin + blender.padded_width
    inner_left = max(0, left)  # the first raster column of the strips' valid masks
    core = slice(block.left - inner_left, block.right - inner_left)
    masks: dict[int, tuple[int, np.ndarray]] = {}
    pending: list[tuple[int, int, np.ndarray]] = []
    counts = np.zeros(len(plan.classes), np.int64)
    computed = 0

    def flush(final: bool) -> None:
        while len(pending) >= plan.batch_size or (final and pending):
            chunk = pending[: plan.batch_size]
            del pending[: plan.batch_size]
            result = engine.predict(np.stack([w for _, _, w in chunk]))
            for (r, c, _), prediction in zip(chunk, result):
                blender.add(r, c, prediction)
            for top, blended in blender.ready():
                emit(top, blended)
        for top, blended in blender.ready():  # rows whose windows were all skipped
            emit(top, blended)

    def emit(top: int, blended: np.ndarray) -> None:
        bottom = top + blended.shape[0]
        # nodata: a band's nodata, outside the area of interest, or no window computed here
        valid = _valid_rows(masks, top, bottom)[:, core] & ~np.isnan(blended[..., 0])
        if valid.any():
            layers = classify(plan, blended, valid, counts)
        else:  # e.g. rows outside the area of interest: nothing to compute
            layers = {key: [np.full(valid.shape, *OUTPUT_NODATA[key])] * n for key, n in plan.band_counts().items()}
        write(top, block.left, layers)
        for key in [k for k, (start, m) in masks.items() if start + m.shape[0] <= bottom]:
            del masks[key]

    with contextlib.closing(_prefetch(reader, blender.row_range, left, right, threading.Event())) as strips:
        for index, (top, strip, valid) in zip(blender.row_range, strips):
            masks[index] = (top, valid)
            for c in blender.col_range:
                x = plan.cols.starts[c]
                # A window with no valid pixel (outside the area of interest, or only nodata) would
                # only give nodata: it is never computed.
                if strip is None or not _window_has_valid(valid, x, win_cols, inner_left):
                    blender.skip(index, c)
                    continue
                pending.append((index, c, strip[:, x - left: x - left + win_cols]))
                computed += 1
            flush(final=False)
    flush(final=True)
    if blender.done_rows != block.bottom:  # pragma: no cover - a bug in the window plan
        raise RuntimeError(f"only rows {block.top}–{blender.done_rows} of {block} were predicted")
    return counts, computed


# --------------------------------------------------------------------------- the job

def start_message(params: PredictParams, plan: Plan, aoi: Optional["AreaOfInterest"]) -> str:
    rows, cols = plan.rows, plan.cols
    return (f"Predicting {cols.size}×{rows.size} pixels with {plan.windows_total} windows of {cols.window}×{rows.window} "
            f"(overlap {params.overlap:g}, batch {params.batch_size}), bands {plan.bands}"
            + (f", {len(plan.views)} views each" if params.tta else "")
            + (f", inside {aoi.polygons} polygon(s) of interest" if aoi else "") + ".")


def open_temporaries(stack: contextlib.ExitStack, params: PredictParams, targets: dict[str, Path]) -> dict[str, Optional[Path]]:
    """Temporary names (renamed into place when `stack` closes without error) by role: out, qml,
    probs (or a scratch file for polygons), uncertainty, uncertainty_qml."""
    tmps: dict[str, Optional[Path]] = {"out": stack.enter_context(atomic_file(targets["out"])),
                                       "qml": stack.enter_context(atomic_file(targets["qml"]))}
    prob_path, unc_path = targets.get("probabilities"), targets.get("uncertainty")
    tmps["probs"] = (stack.enter_context(atomic_file(prob_path)) if prob_path
                     else _scratch_probabilities(stack, params, tmps["out"]))
    tmps["uncertainty"] = stack.enter_context(atomic_file(unc_path)) if unc_path else None
    tmps["uncertainty_qml"] = stack.enter_context(atomic_file(targets["uncertainty_qml"])) if unc_path else None
    return tmps


def create_outputs(outputs: dict[str, Any], tmps: dict[str, Optional[Path]], image, plan: Plan,
                   params: PredictParams) -> None:
    """The output GeoTIFFs on the image's grid, empty, with their nodata, descriptions and colours."""
    from osgeo import gdal

    from . import raster

    outputs["out"] = _create(tmps["out"], image, 1, gdal.GDT_Byte, NODATA, ["class"])
    raster.copy_dates(image, outputs["out"])  # so `claro change` knows the map's date
    style.apply_classes(outputs["out"].GetRasterBand(1), plan.classes, NODATA)
    if tmps["probs"]:
        outputs["probs"] = _create(tmps["probs"], image, len(plan.prob_names), gdal.GDT_Float32, PROBABILITY_NODATA,
                                   plan.prob_names)
    if tmps["uncertainty"]:
        outputs["uncertainty"] = _create(tmps["uncertainty"], image, 1, gdal.GDT_Float32, UNCERTAINTY_NODATA,
                                         [UNCERTAINTY_DESCRIPTIONS[params.uncertainty_measure]])


def finish_outputs(stack: contextlib.ExitStack, params: PredictParams, targets: dict[str, Path],
                   tmps: dict[str, Optional[Path]], outputs: dict[str, Any], plan: Plan, counts: np.ndarray,
                   progress: Progress) -> dict:
    """After every pixel is written: minimum mapping unit and polygons, overviews, styles, then
    close the rasters (the renames happen when `stack` closes). Returns what progress.done adds."""
    from . import raster

    prob_path = targets.get("probabilities")
    vectorized = _minimum_unit_and_polygons(stack, params, outputs, tmps["out"], tmps["probs"], prob_path is not None,
                                            plan.classes, plan.sigmoid, counts, progress)
    progress.update(0.96, "overviews")
    raster.close_written(outputs, "out", targets["out"], lambda dataset: _build_overviews(dataset, "NEAREST"))
    if "probs" in outputs:
        raster.close_written(outputs, "probs", prob_path, lambda dataset: _build_overviews(dataset, "AVERAGE"))
    if "uncertainty" in outputs:
        raster.close_written(outputs, "uncertainty", targets["uncertainty"],
                             lambda dataset: _build_overviews(dataset, "AVERAGE"))
    write_styles(params, plan, tmps)
    return vectorized


def write_styles(params: PredictParams, plan: Plan, tmps: dict[str, Optional[Path]]) -> None:
    if tmps.get("uncertainty_qml"):
        Path(tmps["uncertainty_qml"]).write_text(style.ramp_qml_text(0.0, 1.0, labels=("0 certain", "1 unsure"),
                                                                     nodata=UNCERTAINTY_NODATA), encoding="utf-8")
    Path(tmps["qml"]).write_text(style.qml_text(plan.classes, NODATA), encoding="utf-8")


def report(params: PredictParams, targets: dict[str, Path], plan: Plan, counts: np.ndarray, computed: int,
           vectorized: dict, progress: Progress, **extra: Any) -> None:
    """The area table of the class raster as written, the closing log lines and the 'done' event."""
    out_path, qml_path = targets["out"], targets["qml"]
    prob_path, unc_path = targets.get("probabilities"), targets.get("uncertainty")
    area_rows, area_csv, area_text = _area_table(out_path, plan.classes, progress)
    progress.update(1.0, "done")
    class_pixels = {plan.names[i]: int(counts[i]) for i in range(len(plan.classes))}
    if computed < plan.windows_total:
        progress.log(f"Computed {computed} of {plan.windows_total} windows; the others hold no pixel to classify "
                     "(outside the area of interest, or nodata).")
    progress.log(f"Wrote {out_path} ({int(counts.sum())} pixels classified) and its style {qml_path}"
                 + (f", probabilities {prob_path}" if prob_path else "")
                 + (f", uncertainty ({params.uncertainty_measure}) {unc_path}" if unc_path else "")
                 + (f", polygons {params.polygons}" if params.polygons else "") + ".")
    progress.log(area_text)
    progress.done(out=str(out_path), qml=str(qml_path), probabilities=str(prob_path) if prob_path else None,
                  uncertainty=str(unc_path) if unc_path else None,
                  uncertainty_measure=params.uncertainty_measure if unc_path else None,
                  classes=plan.classes, pixels=int(counts.sum()), class_pixels=class_pixels,
                  window=[plan.rows.window, plan.cols.window], windows=computed, windows_planned=plan.windows_total,
                  views=len(plan.views), areas=area_rows, area_csv=area_csv,
                  polygons=str(params.polygons) if params.polygons else None, **vectorized, **extra)


@job
def run(params: PredictParams, progress: Progress) -> None:
    from osgeo import gdal

    from . import ee_image, raster

    if ee_image.handles(params):  # an Earth Engine image export (or its options): assembled, then this engine
        return ee_image.predict_export(params, progress)
    check_bounds(params)  # --overlap, --window, --batch-size, --bands: params.py's ranges
    _check_options(params)
    targets = _check_outputs(params)
    image = _open_image(params.image)
    _check_vectorizable(params, image)
    if not params.model:
        raise ClaroError("No model file was given; pass --model.")
    aoi = _open_aoi(params.aoi, image)
    if params.dask:  # the same block function, one block per Dask task
        from . import distributed_predict

        return distributed_predict.predict_on_dask(params, progress, targets, image, aoi)
    engine = build_engine(params, image, progress.log)
    plan = engine.plan
    progress.log(start_message(params, plan, aoi))
    reader = StripReader(image, plan.bands, plan.rows, plan.cols, plan.fill, aoi)
    rows_n = plan.rows.size
    previous_cache = gdal.GetCacheMax()
    gdal.SetCacheMax(GDAL_CACHE_BYTES)
    try:
        with contextlib.ExitStack() as stack:
            tmps = open_temporaries(stack, params, targets)
            # Datasets live only in this dict: clearing it closes them before a failure removes the
            # temporaries (a traceback keeping a local alive would write a stray .aux.xml later).
            outputs: dict[str, Any] = {}
            paths = {"out": targets["out"], "probs": targets.get("probabilities") or tmps["probs"],
                     "uncertainty": targets.get("uncertainty")}
            stack.callback(raster.discard_written, outputs)
            create_outputs(outputs, tmps, image, plan, params)

            def write(top: int, left: int, layers: dict[str, list[np.ndarray]]) -> None:
                for key, arrays in layers.items():
                    with raster.writing_into(paths[key].parent):
                        for b, array in enumerate(arrays, start=1):
                            outputs[key].GetRasterBand(b).WriteArray(array, left, top)
                bottom = top + layers["out"][0].shape[0]
                progress.update(0.95 * bottom / rows_n, f"rows {bottom}/{rows_n}")

            counts, computed = predict_block(engine, reader, Block.whole(plan.rows, plan.cols), write)
            vectorized = finish_outputs(stack, params, targets, tmps, outputs, plan, counts, progress)
    finally:
        gdal.SetCacheMax(previous_cache)
    report(params, targets, plan, counts, computed, vectorized, progress)


def _open_aoi(source: Optional[str], image) -> Optional["AreaOfInterest"]:
    if not source:
        return None
    from .aoi import AreaOfInterest

    return AreaOfInterest(source, image)


def _area_table(out_path: Path, classes: list[dict],
                progress: Progress) -> tuple[Optional[list[dict]], Optional[str], str]:
    """Per-class true areas of the class raster as written (after any post-processing), for the
    result and a CSV beside the raster, and the table for the log. A raster without a CRS has no
    true areas: said, not fatal (prediction never needed one)."""
    from osgeo import gdal

    dataset = gdal.Open(str(out_path))
    has_crs = bool(dataset.GetProjection())
    dataset = None
    if not has_crs:
        return None, None, (f"{out_path} has no coordinate reference system, so no area table was written; assign "
                            "one to the image (Raster ▸ Projections ▸ Assign Projection) to get hectares.")
    progress.update(0.98, "areas")
    try:
        rows = areas.class_area_table(out_path, classes, NODATA)
    except ClaroError as error:  # e.g. a CRS PROJ cannot place on the Earth: the prediction itself stands
        return None, None, f"No area table was written: {error}"
    csv_path = areas.area_csv_path(out_path)
    areas.write_area_csv(rows, csv_path)
    return rows, str(csv_path), (f"True area per class on the WGS84 ellipsoid (also in {csv_path}):\n"
                                 + areas.format_area_table(rows))


# --------------------------------------------------------------------------- minimum mapping unit, polygons

def _check_vectorizable(params: PredictParams, image) -> None:
    """Before any prediction: hectares need the image's CRS (one sentence instead of hours lost)."""
    if (params.min_area > 0 or params.polygons) and not image.GetProjection():
        option = "--min-area" if params.min_area > 0 else "--polygons"
        raise ClaroError(f"{option} needs true areas, but the image {params.image} has no coordinate reference system; "
                         "assign one (gdal_edit.py -a_srs, or Assign Projection in QGIS) or leave out --min-area and --polygons.")


def _scratch_probabilities(stack: contextlib.ExitStack, params: PredictParams, out_tmp: Path) -> Optional[Path]:
    """Polygons carry the mean probability of their class over their region, and a sieve changes
    classes after prediction, so all class probabilities are kept (in a scratch GeoTIFF beside the
    temporary class raster, removed at the end) when --polygons is given without --probabilities."""
    if not params.polygons:
        return None
    scratch = Path(f"{out_tmp}.probabilities.tif")
    stack.callback(lambda: scratch.unlink(missing_ok=True))
    return scratch


def _minimum_unit_and_polygons(stack: contextlib.ExitStack, params: PredictParams, outputs: dict[str, Any],
                               out_tmp: Path, prob_tmp: Optional[Path], keep_probabilities: bool,
                               classes: list[dict], sigmoid: bool, counts: np.ndarray, progress: Progress) -> dict:
    """After every row is written and before overviews: sieve the temporary class raster to the
    minimum mapping unit (recounting the classes), then polygonize it. Both work on the files, so
    the rasters are closed first and reopened for their overviews; a scratch probability raster
    is closed for good. Returns what progress.done reports."""
    from osgeo import gdal

    from . import raster, vectorize

    if params.min_area <= 0 and not params.polygons:
        return {}
    raster.close_written(outputs, "out", out_tmp)
    if "probs" in outputs:
        raster.close_written(outputs, "probs", prob_tmp)
    threshold = 0
    if params.min_area > 0:
        progress.update(0.95, "minimum mapping unit")
        threshold = vectorize.sieve(out_tmp, params.min_area, NODATA,
                                    progress=vectorize.ScaledProgress(progress, 0.95, 0.953))
        progress.log(f"Minimum mapping unit {params.min_area:g} ha: regions under {threshold} pixels were merged "
                     "into their surroundings.")
        if threshold > 1:
            counts[:] = _class_counts(out_tmp, classes)
    result: dict[str, Any] = {"min_area_pixels": threshold}
    if params.polygons:
        progress.update(0.955, "polygons")
        poly_tmp = stack.enter_context(atomic_file(params.polygons))
        summary = vectorize.write_polygons(
            out_tmp, poly_tmp, value_field="class", layer=vectorize.layer_name(params.polygons),
            attributes={int(c["value"]): {"class_name": style.class_name(c, i)} for i, c in enumerate(classes)},
            probability=vectorize.ProbabilitySource.for_classes(prob_tmp, classes, sigmoid),
            colors={int(c["value"]): c.get("color") or "" for c in classes}, nodata=NODATA,
            progress=vectorize.ScaledProgress(progress, 0.955, 0.96))
        result["polygon_count"] = sum(s["polygons"] for s in summary.values())
        progress.log(f"{result['polygon_count']} polygons: "
                     + ", ".join(f"{style.class_name(c, i)} {summary[int(c['value'])]['polygons']} "
                                 f"({summary[int(c['value'])]['hectares']:,.2f} ha)" for i, c in enumerate(classes)) + ".")
    with _gdal_exceptions():
        outputs["out"] = gdal.Open(str(out_tmp), gdal.GA_Update)
        if keep_probabilities:
            outputs["probs"] = gdal.Open(str(prob_tmp), gdal.GA_Update)
    return result


def _class_counts(path: Path, classes: list[dict]) -> np.ndarray:
    """Pixels per class (in `classes` order) of a class raster, read in strips."""
    from osgeo import gdal

    dataset = gdal.Open(str(path))
    band = dataset.GetRasterBand(1)
    index = np.full(256, len(classes), np.intp)
    index[[int(c["value"]) for c in classes]] = np.arange(len(classes))
    counts = np.zeros(len(classes) + 1, np.int64)
    width, height = dataset.RasterXSize, dataset.RasterYSize
    rows = max(1, (1 << 22) // max(width, 1))
    for y0 in range(0, height, rows):
        counts += np.bincount(index[band.ReadAsArray(0, y0, width, min(rows, height - y0))].ravel(),
                              minlength=len(classes) + 1)
    return counts[:-1]


def _valid_rows(masks: dict[int, tuple[int, np.ndarray]], top: int, bottom: int) -> np.ndarray:
    """The nodata mask for raster rows [top, bottom), from the strips read so far."""
    for start, valid in sorted(masks.values(), key=lambda item: item[0]):
        if start <= top and bottom <= start + valid.shape[0]:
            return valid[top - start: bottom - start]
    # rows spread over two strips (only with unusual window plans): stitch them
    pieces, row = [], top
    for start, valid in sorted(masks.values(), key=lambda item: item[0]):
        if start <= row < start + valid.shape[0]:
            end = min(bottom, start + valid.shape[0])
            pieces.append(valid[row - start: end - start])
            row = end
        if row >= bottom:
            break
    if row < bottom:  # pragma: no cover - a bug in the window plan
        raise RuntimeError(f"no nodata mask for rows {row}–{bottom}")
    return np.concatenate(pieces)
