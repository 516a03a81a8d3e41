"""Earth Engine image exports in and out of `claro predict`.

`claro predict --image EXPORT.json` reads an `Export.image` TFRecord export (its JSON "mixer"
and the `*.tfrecord.gz` / `*.tfrecord` files beside it), assembles the patches into a float32
GeoTIFF with the mixer's CRS and affine (a temporary file in the output's folder, removed at the
end), and runs predict's one engine on it. `--format tfrecord` turns the class map back into
TFRecord patches beside a copy of the mixer: what `earthengine upload image` ingests.

How Earth Engine lays out an image export (the "TFRecord and Earth Engine" guide,
https://developers.google.com/earth-engine/guides/tfrecord, and the REST reference of
TfRecordImageExportOptions):
- One `tf.train.Example` per patch, one float feature per band (in no particular order, so
  features are picked by NAME), each of patch width × height values in row-major order; patches
  in row-major order of the grid, "even between an arbitrary number of files", so files are read
  in sorted order and records in order. The mixer gives the grid: `patchDimensions` [width,
  height], `patchesPerRow`, `totalPatches` and `projection` {crs, affine.doubleMatrix}.
- The mixer's affine is [xScale, xShear, xTranslation, yShear, yScale, yTranslation] (Java's
  AffineTransform order), not GDAL's (xTranslation, xScale, xShear, yTranslation, yShear, yScale).
  It places the patch grid WITHOUT margins: the mixer knows nothing of kernelSize.
- `kernelSize`: "tiles will be buffered by the margin dimensions both positively and negatively",
  "tiles of size [patchSize[0] + kernelSize[0], patchSize[1] + kernelSize[1]]", "Each tile
  overlaps adjacent tiles by [kernelSize[0]/2, kernelSize[1]/2]" and (Figure 1) "The Padding
  Dimension is kernelSize/2"; default [1, 1]. So a record holds kernelSize // 2 extra pixels on
  EACH side: patch + kernelSize for the even sizes used in practice (EE's own FCNN example parses
  [256 + 128, 256 + 128] and keeps [64:64 + 256]), and the default [1, 1] adds nothing (the real
  export in ../shared/data: patchDimensions [256, 256], records of 256 × 256). The mixer does not
  record the kernel size, so the margin m is read from the records: (width + 2m) × (height + 2m)
  values per feature; it is cropped exactly, m pixels from every side.
- The grid is `patchesPerRow` × ceil(totalPatches / patchesPerRow) patches and the GeoTIFF covers
  all of it: Earth Engine does not say how far the region reached into the last row and column
  (the guide says border tiles that do not fit are dropped; masked pixels, including any outside
  the region, hold the export's `defaultValue`, 0 unless set, which no reader can tell from data),
  so those pixels are predicted like any other. Patches a short last row lacks are nodata.
- Uploading: "supply the mixer when you upload the predictions (as TFRecord files) to obtain
  georeferenced imagery ... The predictions should be arranged as a tf.train.Example sequence of
  the same number and order as your originally exported image examples". The `earthengine` tool
  treats sources ending in `.tfrecord` or `tfrecord.gz` as one TFRecord source with the mixer
  JSON among its URIs (earthengine-api, ee/cli/commands.py, UploadImageCommand), so the output is
  OUT.tfrecord.gz (or .tfrecord) and OUT.json; patches are the mixer's patchDimensions, without
  margins (the mixer has none; EE's example crops its predictions the same way), one int64
  feature `class` holding the class values (255: nodata).
"""
from __future__ import annotations

import contextlib
import dataclasses
import glob
import json
import math
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

from .atomic import atomic_file, check_can_write
from .errors import ClaroError
from .params import PredictParams
from .progress import Progress

#: the feature holding the class values in the TFRecords written for `earthengine upload image`
CLASS_FEATURE = "class"
NODATA = 255
#: share of the progress bar taken by reading the export (the rest is the prediction)
READ_SHARE = 0.1
TFRECORD_SUFFIXES = (".tfrecord.gz", ".tfrecord")
#: the mixer keys Claro needs; a JSON with patchDimensions or patchesPerRow is taken for a mixer
MIXER_KEYS = ("patchDimensions", "patchesPerRow")


# --------------------------------------------------------------------------- the mixer

@dataclass(frozen=True)
class Mixer:
    """An `Export.image` TFRecord export's mixer: the patch grid and its georeferencing."""

    path: Path
    crs: str
    affine: tuple[float, float, float, float, float, float]  # Earth Engine's order (module docstring)
    width: int       # patch columns (patchDimensions[0])
    height: int      # patch rows (patchDimensions[1])
    per_row: int
    total: int

    @property
    def rows(self) -> int:
        return math.ceil(self.total / self.per_row)

    @property
    def size(self) -> tuple[int, int]:
        """(columns, rows) of the whole grid in pixels."""
        return self.per_row * self.width, self.rows * self.height

    @property
    def geotransform(self) -> tuple[float, float, float, float, float, float]:
        """GDAL's geotransform of the grid's top-left pixel corner."""
        x_scale, x_shear, x0, y_shear, y_scale, y0 = self.affine
        return (x0, x_scale, x_shear, y0, y_shear, y_scale)

    def origin(self, index: int) -> tuple[int, int]:
        """(column, row) of patch `index`'s top-left pixel in the grid (row-major)."""
        return (index % self.per_row) * self.width, (index // self.per_row) * self.height


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def is_export(path: Optional[str]) -> bool:
    """Whether `path` is an Earth Engine image export's mixer (a .json with its patch grid)."""
    if not path or not str(path).lower().endswith(".json") or not Path(path).is_file():
        return False
    data = _load_json(Path(path))
    return isinstance(data, dict) and any(key in data for key in MIXER_KEYS)


def _positive_int(value: Any) -> Optional[int]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if value == int(value) and value >= 1 else None


def read_mixer(path: str) -> Mixer:
    """The mixer at `path`, or ClaroError naming what is missing or wrong."""
    mixer = Path(path)
    data = _load_json(mixer)
    if not isinstance(data, dict):
        raise ClaroError(f"{mixer} is not a JSON file; give the mixer (.json) that Earth Engine wrote beside the image export.")
    projection = data.get("projection") if isinstance(data.get("projection"), dict) else {}
    matrix = (projection.get("affine") or {}).get("doubleMatrix") if isinstance(projection.get("affine"), dict) else None
    dims = data.get("patchDimensions")
    dims = [_positive_int(v) for v in dims] if isinstance(dims, list) and len(dims) == 2 else [None]
    per_row, total = _positive_int(data.get("patchesPerRow")), _positive_int(data.get("totalPatches"))
    problems = []
    if not projection.get("crs") and not projection.get("wkt"):
        problems.append("projection.crs")
    if not (isinstance(matrix, list) and len(matrix) == 6 and all(isinstance(v, (int, float)) for v in matrix)):
        problems.append("projection.affine.doubleMatrix (six numbers)")
    if None in dims:
        problems.append("patchDimensions (two positive whole numbers)")
    if per_row is None:
        problems.append("patchesPerRow")
    if total is None:
        problems.append("totalPatches")
    if problems:
        raise ClaroError(f"The Earth Engine mixer {mixer} lacks {', '.join(problems)}; give the .json Earth Engine wrote "
                         "with an Export.image TFRecord export, unchanged.")
    if matrix[0] == 0 or matrix[4] == 0:
        raise ClaroError(f"The affine of the Earth Engine mixer {mixer} has a pixel size of 0; give the mixer Earth Engine wrote.")
    return Mixer(mixer, str(projection.get("crs") or projection.get("wkt")), tuple(float(v) for v in matrix),
                 dims[0], dims[1], per_row, total)


def export_files(mixer: Mixer) -> list[Path]:
    """The export's TFRecord files beside its mixer, in Earth Engine's order.

    A mixer `P.json`, `P-mixer.json` or `Pmixer.json` goes with `P.tfrecord.gz` or
    `P-00000.tfrecord.gz`, `P-00001.tfrecord.gz`, … (or `.tfrecord`, uncompressed); the numbers
    are zero-padded, sorted as numbers all the same.
    """
    name = mixer.path.name[: -len(".json")]
    prefix = re.sub(r"[-_]?mixer$", "", name, flags=re.IGNORECASE)
    pattern = re.compile(re.escape(prefix) + r"(?:-?(\d+))?\.tfrecord(?:\.gz)?", re.IGNORECASE)
    found = []
    for entry in mixer.path.parent.iterdir():
        match = pattern.fullmatch(entry.name)
        if match and entry.is_file():
            found.append((int(match.group(1) or -1), entry.name, entry))
    if not found:
        raise ClaroError(f"No TFRecord files of the export were found beside its mixer {mixer.path} (expected "
                         f"{prefix}.tfrecord.gz or {prefix}-00000.tfrecord.gz, …); put the export's files in the same folder.")
    return [entry for _, _, entry in sorted(found)]


# --------------------------------------------------------------------------- reading the patches

def _first_example(path: Path):
    import tensorflow as tf

    from .records import compression_of

    for raw in tf.data.TFRecordDataset(str(path), compression_type=compression_of(path)).take(1):
        return tf.train.Example.FromString(raw.numpy())
    return None


def features_of(example) -> dict[str, tuple[str, int]]:
    """Feature name → (kind: float_list/int64_list/bytes_list, number of values)."""
    out = {}
    for name, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind") or "empty"
        out[name] = (kind, len(getattr(feature, kind).value) if kind != "empty" else 0)
    return out


def _feature_list(features: dict[str, tuple[str, int]]) -> str:
    """The features for a sentence, as `claro describe` lists them."""
    from .tfrecord_scan import feature_listing

    return feature_listing({name: (kind.replace("_list", ""), n) for name, (kind, n) in features.items()})


def margin_of(length: int, width: int, height: int) -> Optional[tuple[int, int]]:
    """(x, y) margin in pixels on each side of a record of `length` values per feature, for
    patches of width × height: (width + 2x) × (height + 2y) = length. Equal margins (a square
    kernelSize, what every Earth Engine example uses) win when several fit; None when none or
    several unequal ones do."""
    candidates = []
    for x in range(0, length):
        columns = width + 2 * x
        if columns * height > length:
            break
        if length % columns:
            continue
        extra = length // columns - height
        if extra >= 0 and extra % 2 == 0:
            candidates.append((x, extra // 2))
    equal = [c for c in candidates if c[0] == c[1]]
    if equal:
        return equal[0]
    return candidates[0] if len(candidates) == 1 else None


def band_names_for(params: PredictParams, card: Optional[dict]) -> list[str]:
    """The features to feed the model, in its order: --band-names, else the model card's bands."""
    if params.band_names:
        names = [n.strip() for n in params.band_names if n.strip()]
        if card and card.get("bands") and len(card["bands"]) != len(names):
            raise ClaroError(f"The model reads {len(card['bands'])} bands ({', '.join(card['bands'])}) but --band-names "
                             f"lists {len(names)}; give {len(card['bands'])} feature names.")
        return names
    if not card or not card.get("bands"):
        raise ClaroError(f"The model {params.model} has no Claro card naming its bands; give the export's features to "
                         "feed it, in its order, with --band-names (and its classes with --classes).")
    return [str(b) for b in card["bands"]]


def _check_plain_model(params: PredictParams, card: Optional[dict]) -> None:
    """A model without a card needs its classes; said here, where --bands is not the way out."""
    if card is None and not params.classes:
        raise ClaroError(f"{params.model} is a plain Keras model without a Claro card; give its classes with --classes "
                         "(e.g. '0:forest:#1a9641,1:cleared:#d7191c') and the features it reads with --band-names.")


@dataclass(frozen=True)
class Layout:
    """What the records of an export hold: the chosen features, and the margins to crop."""

    names: list[str]
    margin: tuple[int, int]  # (x, y) pixels on each side
    features: dict[str, tuple[str, int]]

    def record_shape(self, mixer: Mixer) -> tuple[int, int]:
        return mixer.height + 2 * self.margin[1], mixer.width + 2 * self.margin[0]


def layout_of(mixer: Mixer, files: Sequence[Path], names: Sequence[str]) -> Layout:
    """Check the export's first record against the mixer and the wanted features (one sentence each)."""
    import tensorflow as tf

    try:
        example = _first_example(files[0])
    except (tf.errors.OpError, ValueError) as error:
        raise ClaroError(f"The export file {files[0]} could not be read as TFRecords ({_reason(error)}); export it again.")
    if example is None:
        raise ClaroError(f"The export file {files[0]} holds no record; the export is incomplete, export it again.")
    features = features_of(example)
    missing = [n for n in names if n not in features]
    if missing:
        raise ClaroError(f"The export {mixer.path} has no feature{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"that the model reads; its features are {_feature_list(features)}. Give the features to use, "
                         "in the model's order, with --band-names.")
    bad = [n for n in names if features[n][0] not in ("float_list", "int64_list")]
    if bad:
        raise ClaroError(f"The feature{'s' if len(bad) > 1 else ''} {', '.join(bad)} of the export {mixer.path} "
                         f"{'are' if len(bad) > 1 else 'is'} not a list of numbers (its features: {_feature_list(features)}); "
                         "choose image bands with --band-names.")
    lengths = sorted({features[n][1] for n in names})
    margin = margin_of(lengths[0], mixer.width, mixer.height) if len(lengths) == 1 else None
    if margin is None:
        raise ClaroError(f"The records of {mixer.path} hold {' or '.join(map(str, lengths))} values per feature, which is "
                         f"neither the mixer's patch of {mixer.width}×{mixer.height} pixels nor that patch with a kernelSize "
                         "margin on each side; these records do not belong to this mixer.")
    return Layout(list(names), margin, features)


def _reason(error: BaseException) -> str:
    from .records import data_loss_reason

    return data_loss_reason(error) or type(error).__name__


def read_patches(mixer: Mixer, files: Sequence[Path], layout: Layout) -> Iterator[np.ndarray]:
    """Every patch of the export in order, cropped to the mixer's patch: [height, width, bands]
    float32. Stops with one sentence when a record does not match the first one or a file is damaged."""
    import tensorflow as tf

    from .records import as_floats, compression_of, number_spec

    rows, cols = layout.record_shape(mixer)
    # an integer image's bands are int64 lists: parsed as such, then float32 like the float ones
    spec = number_spec(layout.names, [rows, cols],
                       {n: "int64" for n in layout.names if layout.features[n][0] == "int64_list"})
    mx, my = layout.margin

    def parse(raw):
        parsed = as_floats(tf.io.parse_single_example(raw, spec))
        return tf.stack([parsed[name] for name in layout.names], axis=-1)[my: my + mixer.height, mx: mx + mixer.width]

    for path in files:
        dataset = tf.data.TFRecordDataset(str(path), compression_type=compression_of(path))
        dataset = dataset.map(parse, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).prefetch(2)
        iterator = iter(dataset)
        while True:
            try:
                patch = next(iterator)
            except StopIteration:
                break
            except tf.errors.InvalidArgumentError as error:
                raise ClaroError(f"A record of {path} does not hold the features {', '.join(layout.names)} as "
                                 f"{cols}×{rows} values of the types of the export's first record ({_reason(error)}); "
                                 "the files do not belong to one export.")
            except tf.errors.OpError as error:
                raise ClaroError(f"The export file {path} is damaged ({_reason(error)}); download or export it again.")
            yield patch.numpy()


def _srs(crs: str):
    from osgeo import osr

    srs = osr.SpatialReference()
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    if srs.SetFromUserInput(crs) != 0:
        raise ClaroError(f"The CRS '{crs}' of the Earth Engine mixer is not one GDAL knows; give the mixer Earth Engine wrote.")
    return srs


def assemble(mixer: Mixer, files: Sequence[Path], layout: Layout, target: Path,
             progress: Optional[Callable[[float, str], None]] = None) -> Path:
    """Write the export's patches into a float32 GeoTIFF at `target` with the mixer's CRS and
    affine, one band per chosen feature (described by its name), patch by patch (memory: one
    patch). Patches a short last row of the grid lacks are NaN (nodata). ClaroError when the
    record count is not the mixer's totalPatches."""
    from osgeo import gdal

    from .raster import writing_into

    columns, rows = mixer.size
    srs = _srs(mixer.crs)
    options = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER", "INTERLEAVE=PIXEL"]
    with writing_into(target.parent):
        dataset = gdal.GetDriverByName("GTiff").Create(str(target), columns, rows, len(layout.names), gdal.GDT_Float32,
                                                       options)
    try:
        dataset.SetGeoTransform(mixer.geotransform)
        dataset.SetProjection(srs.ExportToWkt())
        for b, name in enumerate(layout.names, start=1):
            band = dataset.GetRasterBand(b)
            band.SetDescription(name)
            band.SetNoDataValue(float("nan"))
        count = 0
        for patch in read_patches(mixer, files, layout):
            if count >= mixer.total:
                count += 1
                continue  # counted, to say how many there are
            x, y = mixer.origin(count)
            with writing_into(target.parent):
                dataset.WriteArray(np.ascontiguousarray(np.moveaxis(patch, -1, 0)), x, y)
            count += 1
            if progress:
                progress(count / mixer.total, f"patches {count}/{mixer.total}")
        if count != mixer.total:
            raise ClaroError(f"The export {mixer.path} holds {count} records in its {len(files)} file"
                             f"{'s' if len(files) != 1 else ''} but its mixer declares {mixer.total} patches (totalPatches); "
                             "the files are incomplete or mixed with another export's; export or download them again.")
        empty = np.full((len(layout.names), mixer.height, mixer.width), np.nan, np.float32)
        for index in range(mixer.total, mixer.per_row * mixer.rows):
            x, y = mixer.origin(index)
            with writing_into(target.parent):
                dataset.WriteArray(empty, x, y)
        dataset.FlushCache()
    finally:
        dataset = None
    return target


# --------------------------------------------------------------------------- writing TFRecords back

def tfrecord_targets(out: str) -> tuple[Path, Path, str]:
    """(records, mixer copy, compression) for --format tfrecord: OUT.tfrecord.gz (GZIP) or
    OUT.tfrecord, and OUT.json beside it."""
    path = Path(out)
    lower = path.name.lower()
    for suffix in TFRECORD_SUFFIXES:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return path, path.with_name(path.name[: -len(suffix)] + ".json"), "GZIP" if suffix.endswith(".gz") else ""
    raise ClaroError(f"With --format tfrecord the output {out} must end in .tfrecord.gz (or .tfrecord, uncompressed), "
                     "the names 'earthengine upload image' takes; the mixer copy is written beside it with .json.")


def write_class_records(mixer: Mixer, classes: Path, target: Path, compression: str) -> None:
    """The class GeoTIFF cut back into the export's patches, in its order: one Example per patch
    with the int64 feature `class` of width × height values (row-major; 255 is nodata)."""
    import tensorflow as tf
    from osgeo import gdal

    dataset = gdal.Open(str(classes))
    band = dataset.GetRasterBand(1)
    options = tf.io.TFRecordOptions(compression_type=compression)
    with tf.io.TFRecordWriter(str(target), options) as writer:
        for index in range(mixer.total):
            x, y = mixer.origin(index)
            values = band.ReadAsArray(x, y, mixer.width, mixer.height).ravel().tolist()  # a list: 2× faster than an array
            example = tf.train.Example(features=tf.train.Features(feature={
                CLASS_FEATURE: tf.train.Feature(int64_list=tf.train.Int64List(value=values))}))
            writer.write(example.SerializeToString())
    dataset = None


def is_claro_records(path: Path) -> bool:
    """A TFRecord file `--format tfrecord` wrote: its first record holds only the int64 `class`."""
    try:
        example = _first_example(path)
    except Exception:  # noqa: BLE001 - anything unreadable is not ours
        return False
    return example is not None and features_of(example).keys() == {CLASS_FEATURE} \
        and features_of(example)[CLASS_FEATURE][0] == "int64_list"


def is_mixer_file(path: Path) -> bool:
    return is_export(str(path))


# --------------------------------------------------------------------------- the job

class _Stage:
    """The job's Progress seen by one stage: fractions mapped into [start, end]; with `hide`, log
    lines naming a scratch file are dropped and `done` is kept for the caller to complete."""

    def __init__(self, progress: Progress, start: float, end: float, hide: Sequence[str] = ()):
        self.progress, self.start, self.end, self.hide = progress, start, end, [h for h in hide if h]
        self.result: Optional[dict] = None

    def update(self, fraction: float, message: str = "") -> None:
        self.progress.update(self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0), message)

    def log(self, message: str) -> None:
        for hidden in self.hide:  # a scratch file named in passing "(also in …)" goes; a line about one goes whole
            message = re.sub(r" \(also in [^)]*" + re.escape(hidden) + r"[^)]*\)", "", message)
        if not any(h in message for h in self.hide):
            self.progress.log(message)

    def event(self, event: str, **fields: Any) -> None:
        self.progress.event(event, **fields)

    def done(self, **result: Any) -> None:
        if self.hide:
            self.result = result
        else:
            self.progress.done(**result)

    def error(self, message: str, **fields: Any) -> None:
        self.progress.error(message, **fields)


#: the other outputs of `claro predict`: parameter and kind (for check_can_write)
EXTRA_OUTPUTS = (("probabilities", "geotiff"), ("uncertainty", "geotiff"), ("polygons", "gpkg"))


def _check_extras(params: PredictParams, inputs: Sequence[str]) -> dict[str, Path]:
    """The other outputs asked for, each checked as predict checks it (with the uncertainty's .qml)."""
    from . import style

    targets = {}
    for key, kind in EXTRA_OUTPUTS:
        if getattr(params, key):
            targets[key] = check_can_write(getattr(params, key), params.overwrite, kind=kind, inputs=inputs)
    if "uncertainty" in targets:
        check_can_write(style.qml_path(targets["uncertainty"]), params.overwrite, kind="qml", inputs=inputs)
    return targets


def _put_in_place(made: Path, target: Path) -> None:
    """Move a finished output made in its own scratch folder under its final name (`made`), with
    every sidecar predict wrote beside it (the uncertainty's .qml, GDAL's .aux.xml), to `target`'s folder."""
    from .atomic import LOCK_SUFFIX

    for entry in sorted(made.parent.iterdir()):
        if not entry.name.endswith(LOCK_SUFFIX):  # the job's locks stay, to be released when it ends
            entry.replace(target.parent / entry.name)


@contextlib.contextmanager
def _scratch(folder: Path, name: str) -> Iterator[Callable[..., Path]]:
    """Scratch names (hidden, unique) in `folder` or in another folder given, on the same disk as the
    output they become; every file or folder starting with them is removed on leaving: success,
    error or Ctrl-C."""
    token = f".{name}.ee-{uuid.uuid4().hex[:8]}-"
    used = {folder}

    def scratch(role: str, where: Optional[Path] = None) -> Path:
        used.add(where or folder)
        return (where or folder) / f"{token}{role}"

    try:
        yield scratch
    finally:
        for place in used:
            for leftover in place.glob(glob.escape(token) + "*"):
                with contextlib.suppress(OSError):
                    if leftover.is_dir() and not leftover.is_symlink():
                        shutil.rmtree(leftover)
                    else:
                        leftover.unlink()


def handles(params: PredictParams) -> bool:
    """Whether `claro predict` with these parameters is this module's: an export, or its options."""
    return is_export(params.image) or params.format != "geotiff" or bool(params.band_names)


def predict_export(params: PredictParams, progress: Progress) -> None:
    """`claro predict --image EXPORT.json`: assemble, run predict's engine, and with --format
    tfrecord write the classes back as the export's patches beside a copy of its mixer."""
    from . import card as model_card
    from . import predict

    if not is_export(params.image):
        if params.format == "tfrecord":
            raise ClaroError("--format tfrecord writes the patches of an Earth Engine image export: give its mixer "
                             "(EXPORT.json, with its .tfrecord.gz files beside it) as --image, or drop --format for a raster.")
        raise ClaroError("--band-names picks the features of an Earth Engine image export (--image EXPORT.json); for a "
                         "raster give band numbers with --bands.")
    if params.bands:
        raise ClaroError("--bands numbers the bands of a raster; name the features of the Earth Engine export with "
                         "--band-names instead.")
    mixer = read_mixer(params.image)
    files = export_files(mixer)
    if not params.model:
        raise ClaroError("No model file was given; pass --model.")
    card = model_card.read_card(params.model)
    names = band_names_for(params, card)
    _check_plain_model(params, card)
    inputs = [params.image, *map(str, files), params.model]
    if params.format == "tfrecord":
        records, mixer_copy, compression = tfrecord_targets(params.out)
        check_can_write(records, params.overwrite, kind="ee-tfrecord", inputs=inputs)
        check_can_write(mixer_copy, params.overwrite, kind="ee-mixer", inputs=inputs)
        extras = _check_extras(params, inputs)
        every = [records, mixer_copy, *extras.values()]
        if len({path.resolve() for path in every}) != len(every):
            raise ClaroError("The TFRecords, their mixer copy and the probability, uncertainty and polygon outputs must be "
                             "different files; choose other output names.")
        anchor = records
    else:
        check_can_write(params.out, params.overwrite, kind="geotiff", inputs=inputs)
        anchor = Path(params.out)
    layout = layout_of(mixer, files, names)
    mx, my = layout.margin
    progress.log(f"Reading the Earth Engine export {mixer.path}: {mixer.total} patch{'es' if mixer.total != 1 else ''} "
                 f"of {mixer.width}×{mixer.height} in {len(files)} file{'s' if len(files) != 1 else ''}, "
                 f"{mixer.per_row} per row, features {', '.join(names)}"
                 + (f", kernel margins of {mx}×{my} pixels cropped" if mx or my else "") + ".")
    engine = predict.run.__wrapped__  # predict's one engine, inside this job's output locks
    folder = anchor.resolve().parent
    with _scratch(folder, anchor.name) as scratch:
        image = assemble(mixer, files, layout, scratch("image.tif"), _Stage(progress, 0.0, READ_SHARE).update)
        bands = list(range(1, len(names) + 1))
        if params.format != "tfrecord":
            engine(dataclasses.replace(params, image=str(image), bands=bands, band_names=None),
                   _Stage(progress, READ_SHARE, 1.0))
            return
        # Every output is made under a scratch name and put in place only once the TFRecords are
        # written, so an error or Ctrl-C leaves none of them.
        classes = scratch("classes.tif")
        made = {}
        for key, target in extras.items():  # in a scratch folder beside it, under its own name (a GeoPackage's
            place = scratch(key, target.resolve().parent)  # layer is named after its file)
            place.mkdir()
            made[key] = place / target.name
        stage = _Stage(progress, READ_SHARE, 0.95, hide=[scratch("").name])
        engine(dataclasses.replace(params, image=str(image), out=str(classes), bands=bands, band_names=None,
                                   format="geotiff", overwrite=False, **{key: str(path) for key, path in made.items()}),
               stage)
        progress.update(0.96, "TFRecords")
        with atomic_file(records) as records_tmp, \
                atomic_file(mixer_copy) as mixer_tmp:
            write_class_records(mixer, classes, records_tmp, compression)
            mixer_tmp.write_bytes(mixer.path.read_bytes())
        for key, path in made.items():
            _put_in_place(path, extras[key])
    result = dict(stage.result or {})
    result.update(out=str(records), mixer=str(mixer_copy), format="tfrecord", qml=None, area_csv=None,
                  **{key: str(extras[key]) for key in made})
    progress.log(f"Wrote {records} ({mixer.total} patch{'es' if mixer.total != 1 else ''} of {mixer.width}×{mixer.height}, "
                 f"int64 feature '{CLASS_FEATURE}' holding the class values, {NODATA} nodata) and the mixer copy "
                 f"{mixer_copy}"
                 + "".join(f", {what} {result[key]}" for key, what in (("probabilities", "probabilities"),
                                                                       ("uncertainty", "uncertainty"),
                                                                       ("polygons", "polygons")) if result.get(key))
                 + ". Copy both to Cloud Storage, then: earthengine upload image --asset_id=ASSET "
                 f"--pyramiding_policy=mode --nodata_value={NODATA} gs://BUCKET/{records.name} gs://BUCKET/{mixer_copy.name}")
    progress.update(1.0, "done")
    progress.done(**result)
