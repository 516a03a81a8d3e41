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
"""
from __future__ import annotations

import contextlib
import math
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np

from . import areas
from . import card as model_card
from . import style
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .labels import outside_range
from .params import PredictParams, check_bounds
from .progress import Progress

NODATA = 255
PROBABILITY_NODATA = -1.0
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


def _check_outputs(params: PredictParams) -> list[Path]:
    from . import raster

    inputs = [*raster.source_files([params.image]), params.model]  # a VRT's sources are inputs too
    out = check_can_write(params.out, params.overwrite, kind="geotiff", inputs=inputs)
    targets = [out, style.qml_path(out)]
    if params.probabilities:
        targets.append(check_can_write(params.probabilities, params.overwrite, kind="geotiff", inputs=inputs))
    check_can_write(targets[1], params.overwrite, kind="qml", inputs=inputs)
    targets.append(check_can_write(areas.area_csv_path(out), params.overwrite, kind="area-table", inputs=inputs))
    resolved = [t.resolve() for t in targets]
    if len(set(resolved)) != len(resolved) or (params.image and Path(params.image).resolve() in resolved):
        raise ClaroError("The class raster, its .qml, its area table, the probability raster and the image must be different files; choose other output names.")
    return targets


def _check_classes(classes: list[dict]) -> None:
    bad = outside_range(c["value"] for c in classes)  # the one rule: 0–254, 255 being NODATA
    if bad:
        raise ClaroError(f"Class value {bad[0]} cannot be stored in the class raster (0–254; 255 is nodata); renumber the classes.")


# --------------------------------------------------------------------------- reading strips

class StripReader:
    """Reads the image rows one row of windows needs, with nodata filled and reflection padding.

    Runs in a thread ahead of the model (GDAL releases the GIL while reading), one strip ahead.
    """

    def __init__(self, dataset, bands: list[int], rows: Axis, cols: Axis, fill: np.ndarray):
        from osgeo import gdal

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

    def read(self, index: int) -> tuple[int, np.ndarray, np.ndarray]:
        """(first raster row, padded strip [rows, cols, bands], valid [rows in raster, cols]).

        A pixel is nodata when ANY band is nodata there (its nodata value, NaN, or its mask), as
        in training, where such a pixel is left out of the labels (raster.valid_window): the
        model never learnt from a pixel with a missing band, so it gets no class (output nodata
        in the class and probability rasters) rather than a confident guess from a filled band.
        Every band of a nodata pixel is replaced by the fill value (the training mean), as
        training patches do, so no sentinel such as -9999 reaches the model through its
        neighbours.
        """
        start = self.rows.starts[index]
        top, bottom = max(0, start), min(self.rows.size, start + self.rows.window)
        width = self.cols.size
        raw = self.dataset.ReadAsArray(0, top, width, bottom - top, band_list=self.bands)
        raw = raw.reshape(len(self.bands), bottom - top, width)
        invalid = np.zeros((bottom - top, width), bool)
        for i, value in enumerate(self.nodata):
            if value is not None and not math.isnan(value):
                invalid |= raw[i] == value
            if self.float_input:
                invalid |= np.isnan(raw[i])
        for band in self.masks:
            invalid |= self.dataset.GetRasterBand(band).GetMaskBand().ReadAsArray(0, top, width, bottom - top) == 0
        if self.coverage:
            invalid |= ~self.coverage.valid(0, top, width, bottom - top)
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
        pad_cols = (self.cols.pad_before, self.cols.pad_after)
        if any(pad_rows) or any(pad_cols):
            strip = np.pad(strip, (pad_rows, pad_cols, (0, 0)), mode="reflect")
        return top, strip, ~invalid


def _prefetch(reader: StripReader, count: int, stop: threading.Event) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Strips in order, read by a helper thread one strip ahead of the consumer."""
    items: queue.Queue = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            for index in range(count):
                if stop.is_set():
                    return
                items.put(("strip", reader.read(index)))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            items.put(("error", error))

    thread = threading.Thread(target=work, name="claro-strip-reader", daemon=True)
    thread.start()
    try:
        for _ in range(count):
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

def _create(path: Path, like, bands: int, gdal_type: int, nodata: float, descriptions: list[str]):
    from osgeo import gdal

    driver = gdal.GetDriverByName("GTiff")
    options = list(OUTPUT_OPTIONS)
    if gdal_type == gdal.GDT_Float32:
        options.append("PREDICTOR=3")
    with _gdal_exceptions():
        out = driver.Create(str(path), like.RasterXSize, like.RasterYSize, bands, gdal_type, options=options)
    out.SetGeoTransform(like.GetGeoTransform())
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

class Blender:
    """Weighted sums of window predictions, kept only for rows some window still has to touch."""

    def __init__(self, rows: Axis, cols: Axis, channels: int):
        self.rows, self.cols, self.channels = rows, cols, channels
        self.weight = np.outer(hann_weights(rows.window), hann_weights(cols.window))[..., None]
        self.row_total = rows.total_weight()
        self.col_total = cols.total_weight()
        self.padded_width = cols.size + cols.pad_before + cols.pad_after
        self.sums: dict[int, np.ndarray] = {}
        self.remaining = {i: len(cols.starts) for i in range(len(rows.starts))}
        self.done_rows = 0        # raster rows [0, done_rows) are final and written
        self.finished_up_to = 0   # window rows [0, finished_up_to) fully predicted

    def add(self, row: int, col: int, prediction: np.ndarray) -> None:
        if row not in self.sums:
            self.sums[row] = np.zeros((self.rows.window, self.padded_width, self.channels), np.float32)
        x = self.cols.starts[col] + self.cols.pad_before
        self.sums[row][:, x: x + self.cols.window] += prediction * self.weight
        self.remaining[row] -= 1

    def ready(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first raster row, blended [rows, cols, channels]) for every block of rows now final."""
        while self.finished_up_to < len(self.rows.starts) and self.remaining[self.finished_up_to] == 0:
            self.finished_up_to += 1
            end = (self.rows.size if self.finished_up_to == len(self.rows.starts)
                   else min(self.rows.size, max(0, self.rows.starts[self.finished_up_to])))
            if end > self.done_rows:
                yield self.done_rows, self._blend(self.done_rows, end)
                self.done_rows = end
            for index in [i for i in self.sums if self.rows.starts[i] + self.rows.window <= self.done_rows]:
                del self.sums[index]

    def _blend(self, top: int, bottom: int) -> np.ndarray:
        total = np.zeros((bottom - top, self.padded_width, self.channels), np.float32)
        for index, sums in self.sums.items():
            start = self.rows.starts[index]
            lo, hi = max(top, start), min(bottom, start + self.rows.window)
            if lo < hi:
                total[lo - top: hi - top] += sums[lo - start: hi - start]
        left = self.cols.pad_before
        total = total[:, left: left + self.cols.size]
        total /= (self.row_total[top:bottom, None] * self.col_total[None, :])[..., None]
        return total


@job
def run(params: PredictParams, progress: Progress) -> None:
    from . import model_io, raster

    targets = _check_outputs(params)
    out_path, qml_path = targets[0], targets[1]
    prob_path = targets[2] if params.probabilities else None
    check_bounds(params)  # --overlap, --window, --batch-size, --bands: params.py's ranges
    image = _open_image(params.image)
    if not params.model:
        raise ClaroError("No model file was given; pass --model.")
    model, card = model_io.load_model(params.model, bands=params.bands, classes=params.classes)
    fixed_h, fixed_w, input_bands, channels = model_io.model_shape(model)
    bands = model_card.select_bands(params.bands, card, image.RasterCount, input_bands, params.image)
    classes = card["classes"]
    _check_classes(classes)
    sigmoid = channels == 1
    rows_n, cols_n = image.RasterYSize, image.RasterXSize
    factor = downsampling_factor(model)
    win_rows, win_cols = window_size(params.window, card, (fixed_h, fixed_w), factor, (rows_n, cols_n))
    rows = plan_axis(rows_n, win_rows, params.overlap)
    cols = plan_axis(cols_n, win_cols, params.overlap)
    mean = ((card.get("normalization") or {}) or {}).get("mean")
    fill = np.asarray(mean if mean and len(mean) == len(bands) else [0.0] * len(bands), np.float32)
    reader = StripReader(image, bands, rows, cols, fill)
    predict = batch_predictor(model, params.batch_size, win_rows, win_cols, len(bands))
    values = np.array([int(c["value"]) for c in classes], np.uint8)
    names = [style.class_name(c, i) for i, c in enumerate(classes)]
    prob_names = [names[1]] if sigmoid else names
    windows_total = len(rows.starts) * len(cols.starts)
    progress.log(f"Predicting {cols_n}×{rows_n} pixels with {windows_total} windows of {win_cols}×{win_rows} "
                 f"(overlap {params.overlap:g}, batch {params.batch_size}), bands {bands}.")

    from osgeo import gdal

    previous_cache = gdal.GetCacheMax()
    gdal.SetCacheMax(GDAL_CACHE_BYTES)
    stop = threading.Event()
    counts = np.zeros(len(classes), np.int64)
    try:
        with contextlib.ExitStack() as stack:
            out_tmp = stack.enter_context(atomic_file(out_path))
            qml_tmp = stack.enter_context(atomic_file(qml_path))
            prob_tmp = stack.enter_context(atomic_file(prob_path)) if prob_path else None
            # Datasets live only in this dict: clearing it closes them before a failure removes the
            # temporaries (a traceback keeping a local alive would write a stray .aux.xml later).
            outputs: dict[str, Any] = {}
            stack.callback(raster.discard_written, outputs)
            outputs["out"] = _create(out_tmp, image, 1, gdal.GDT_Byte, NODATA, ["class"])
            raster.copy_dates(image, outputs["out"])  # so `claro change` knows the map's date
            style.apply_classes(outputs["out"].GetRasterBand(1), classes, NODATA)
            if prob_tmp:
                outputs["probs"] = _create(prob_tmp, image, len(prob_names), gdal.GDT_Float32, PROBABILITY_NODATA,
                                           prob_names)
            blender = Blender(rows, cols, channels)
            masks: dict[int, tuple[int, np.ndarray]] = {}
            pending: list[tuple[int, int, np.ndarray]] = []

            def flush(final: bool) -> None:
                while len(pending) >= params.batch_size or (final and pending):
                    chunk = pending[: params.batch_size]
                    del pending[: params.batch_size]
                    result = predict(np.stack([w for _, _, w in chunk]))
                    for (r, c, _), prediction in zip(chunk, result):
                        blender.add(r, c, prediction)
                    for top, blended in blender.ready():
                        write(top, blended)

            def write(top: int, blended: np.ndarray) -> None:
                bottom = top + blended.shape[0]
                valid = _valid_rows(masks, top, bottom)
                if sigmoid:
                    index = (blended[..., 0] > 0.5).astype(np.intp)
                else:
                    index = np.argmax(blended, axis=-1)
                classified = values[index]
                classified[~valid] = NODATA
                counts[:] += np.bincount(index[valid], minlength=len(classes))
                with raster.writing_into(out_path.parent):
                    outputs["out"].GetRasterBand(1).WriteArray(classified, 0, top)
                if "probs" in outputs:
                    with raster.writing_into(prob_path.parent):
                        for b in range(len(prob_names)):
                            layer = blended[..., b].copy()
                            layer[~valid] = PROBABILITY_NODATA
                            outputs["probs"].GetRasterBand(b + 1).WriteArray(layer, 0, top)
                for key in [k for k, (start, m) in masks.items() if start + m.shape[0] <= bottom]:
                    del masks[key]
                progress.update(0.95 * bottom / rows_n, f"rows {bottom}/{rows_n}")

            for index, (top, strip, valid) in enumerate(_prefetch(reader, len(rows.starts), stop)):
                masks[index] = (top, valid)
                for c, x in enumerate(cols.starts):
                    x0 = x + cols.pad_before
                    pending.append((index, c, strip[:, x0: x0 + win_cols]))
                flush(final=False)
            flush(final=True)
            if blender.done_rows != rows_n:  # pragma: no cover - a bug in the window plan
                raise RuntimeError(f"only {blender.done_rows} of {rows_n} rows were predicted")
            progress.update(0.96, "overviews")
            raster.close_written(outputs, "out", out_path, lambda dataset: _build_overviews(dataset, "NEAREST"))
            if "probs" in outputs:
                raster.close_written(outputs, "probs", prob_path, lambda dataset: _build_overviews(dataset, "AVERAGE"))
            Path(qml_tmp).write_text(style.qml_text(classes, NODATA), encoding="utf-8")
    finally:
        stop.set()
        gdal.SetCacheMax(previous_cache)
    area_rows, area_csv, area_text = _area_table(out_path, classes, progress)
    progress.update(1.0, "done")
    class_pixels = {names[i]: int(counts[i]) for i in range(len(classes))}
    progress.log(f"Wrote {out_path} ({int(counts.sum())} pixels classified) and its style {qml_path}"
                 + (f", probabilities {prob_path}" if prob_path else "") + ".")
    progress.log(area_text)
    progress.done(out=str(out_path), qml=str(qml_path), probabilities=str(prob_path) if prob_path else None,
                  classes=classes, pixels=int(counts.sum()), class_pixels=class_pixels,
                  window=[win_rows, win_cols], windows=windows_total, areas=area_rows, area_csv=area_csv)


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
