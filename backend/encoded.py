"""Records holding each sample as encoded images → a Claro patch dataset.

Some notebooks (the deforestation U-Net that trains on TPUs) store a sample as two bytes
features instead of float arrays: `image`, a PNG (512 × 512, 3 channels), and `mask`, the raw
bytes of a float32 [512, 512, 3] one-hot array. `claro describe FOLDER --image-feature image
--mask-feature mask --out DATASET` reads that layout and writes our own (float32 `b1` … `bN`
+ `class` in GZIP shards, a complete dataset.json), so the data trains in Claro unchanged.

What is read, decided on the first record and then held to for every record:
- the image: PNG or JPEG by magic bytes (decoded by TensorFlow, 8 or 16 bits), else raw
  little-endian float32 [k, k, C];
- the mask: PNG or JPEG (one class value per pixel), or raw float32 / uint8 bytes that are
  either [k, k, C > 1] one-hot or probabilities (class = argmax; an all-zero pixel is not
  labelled) or [k, k] whole class values, taken as they are (-1 in a float32 mask and the
  ignore value, 255 unless --ignore-value says otherwise, are not labelled).
Raw bytes carry no shape, so k and C come from the other feature when it is an image, and
every (dtype, C) that fits the size is tried against the data: a one-hot/probability mask
sums to 1 (or 0) per pixel, a class mask holds whole numbers, a uint8 one-hot holds 0/1 or
0/255. Exactly one reading must fit; otherwise one sentence says what was found.

Files and the split follow `claro describe`'s rules (shards.find_shards, shards.plan_split:
names, else whole files, else a seeded draw per record with records.record_draw).
Records are streamed one at a time (tfrecord_scan, as for the other layout); the ShardWriter
spills them to disk and shuffles them (seeded) into shards inside atomic_folder, so nothing is
half-written.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from .atomic import atomic_folder, check_can_write, job
from .card import default_classes
from .dataset import SPLITS, BandStatistics, write_summary
from .errors import ClaroError
from .labels import HIGHEST_CLASS, IGNORE_VALUE, LOWEST_CLASS, UNDECLARED_SIGNED_NODATA, listed_classes
from .params import DescribeParams, check_bounds, command_line
from .progress import Progress
from .records import ShardWriter, band_keys, data_loss_reason, record_draw, split_of_draw
from .shards import find_shards, fractions_of, plan_split, source_folder
from .tfrecord_scan import Feature, NotARecord, RecordStream, natural_key, parse_example, unreadable
from .version import __version__

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
#: A raw image with more channels than this is not read as [k, k, C] for that k.
MAX_BANDS = 64
#: A raw mask with more channels than this is not read as one-hot for that k.
MAX_MASK_CHANNELS = HIGHEST_CLASS + 1
#: |sum of a pixel's probabilities − 1| allowed in a probability mask
SUM_TOLERANCE = 1e-3
BAND_NAMES = {1: ["gray"], 2: ["gray", "alpha"], 3: ["red", "green", "blue"], 4: ["red", "green", "blue", "alpha"]}


# ---------------------------------------------------------------------------- layouts

def encoding_of(data: bytes) -> str:
    """"png", "jpeg" or "raw", from the first bytes."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return "raw"


def decode_picture(data: bytes, encoding: str, where: str) -> np.ndarray:
    """A PNG (8 or 16 bits, values as stored) or JPEG → numpy [h, w, c]."""
    import tensorflow as tf

    try:
        if encoding == "png":
            depth = data[24] if len(data) > 24 else 8  # IHDR bit depth: 16-bit PNGs keep their values
            return tf.io.decode_png(data, channels=0, dtype=tf.uint16 if depth == 16 else tf.uint8).numpy()
        return tf.io.decode_jpeg(data, channels=0).numpy()
    except tf.errors.OpError as error:
        raise ClaroError(f"The {encoding.upper()} in {where} cannot be decoded ({data_loss_reason(error)}); "
                         "the record is damaged or the feature holds something else.") from error


@dataclass(frozen=True)
class ImageLayout:
    encoding: str  # "png", "jpeg" or "raw float32"
    size: int      # k
    channels: int


@dataclass(frozen=True)
class MaskLayout:
    encoding: str  # "png", "jpeg", "raw float32" or "raw uint8"
    size: int
    channels: int
    argmax: bool   # one-hot / probabilities (class = argmax) rather than class values

    @property
    def shape(self) -> list[int]:
        return [self.size, self.size, self.channels]


def _raw_mask(data: bytes, dtype: str, k: int, channels: int) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4" if dtype == "float32" else "u1").reshape(k, k, channels)


def _mask_problem(mask: np.ndarray, argmax: bool) -> Optional[str]:
    """Why `mask` [k, k, C] is not a mask of that kind (None when it is one)."""
    if mask.dtype.kind == "f" and not np.isfinite(mask).all():
        return "it holds NaN or infinite values"
    if not argmax:
        if mask.dtype.kind == "f" and not np.array_equal(mask, np.round(mask)):
            return "its values are not whole class numbers"
        return None
    if mask.dtype.kind == "f":
        if mask.min() < 0:
            return "it holds negative values, so it is no one-hot or probability mask"
        sums = mask.sum(axis=-1, dtype=np.float64)
        if not ((sums == 0) | (np.abs(sums - 1) <= SUM_TOLERANCE)).all():
            return "its values do not sum to 1 per pixel, as a one-hot or probability mask does"
        return None
    nonzero = mask != 0
    if (nonzero.sum(axis=-1) > 1).any():
        return "pixels have more than one non-zero channel, so it is no one-hot mask"
    values = np.unique(mask[nonzero])
    if len(values) > 1 or (len(values) == 1 and values[0] not in (1, 255)):
        return "its non-zero values are not all 1 or all 255, as in a one-hot mask"
    return None


def _raw_mask_readings(data: bytes, k: int) -> tuple[list[MaskLayout], list[str]]:
    """Every (dtype, channels) reading of raw mask bytes for k × k patches that fits the data,
    and why the others did not."""
    fits, reasons = [], []
    for dtype, item in (("float32", 4), ("uint8", 1)):
        if len(data) % (item * k * k):
            continue
        channels = len(data) // (item * k * k)
        if channels > MAX_MASK_CHANNELS:
            continue
        layout = MaskLayout(f"raw {dtype}", k, channels, argmax=channels > 1)
        problem = _mask_problem(_raw_mask(data, dtype, k, channels), layout.argmax)
        if problem is None:
            fits.append(layout)
        else:
            reasons.append(f"as {dtype} {layout.shape} {problem}")
    return fits, reasons


def _labelled_somewhere(data: bytes, layout: MaskLayout) -> bool:
    mask = _raw_mask(data, layout.encoding.split()[1], layout.size, layout.channels)
    return not layout.argmax or bool(mask.any())


def _choose_mask(data: bytes, k: int, flag: str, where: str, k_from: str) -> MaskLayout:
    fits, reasons = _raw_mask_readings(data, k)
    if len(fits) > 1:  # a reading that leaves every pixel unlabelled is no evidence
        fits = [f for f in fits if _labelled_somewhere(data, f)] or fits
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        raise ClaroError(f"The {flag} feature in {where} ({len(data)} bytes) reads equally well as "
                         + " and as ".join(f"{f.encoding} {f.shape}" for f in fits)
                         + "; store it as a PNG of class values, or make sure the first record labels some pixels.")
    if not reasons:
        raise ClaroError(f"The {flag} feature in {where} holds {len(data)} bytes, which are not k × k × C float32 or uint8 "
                         f"values for k = {k} ({k_from}); give the feature holding the mask of each image.")
    raise ClaroError(f"The {flag} feature in {where} is no mask Claro reads: " + "; ".join(reasons)
                     + ". A mask must hold whole class values ([k, k]) or a one-hot or probability mask ([k, k, C]).")


def _square_picture(data: bytes, encoding: str, where: str, what: str) -> np.ndarray:
    """decode_picture of the first record's image or mask, which must be square as our patches are."""
    picture = decode_picture(data, encoding, where)
    if picture.shape[0] != picture.shape[1]:
        raise ClaroError(f"The {what} in {where} is {picture.shape[1]} × {picture.shape[0]} pixels; Claro's patches "
                         f"are square, so the {what}s must be too.")
    return picture


def _picture_mask(data: bytes, encoding: str, where: str, flag: str) -> np.ndarray:
    """A PNG/JPEG mask → [k, k, 1]; several identical channels (a grey PNG saved as RGB) are one."""
    mask = _square_picture(data, encoding, where, flag)
    if mask.shape[2] > 1:
        if not (mask == mask[..., :1]).all():
            raise ClaroError(f"The {flag} image in {where} has {mask.shape[2]} different channels; a mask image must "
                             "hold one class value per pixel (a single-channel PNG).")
        mask = mask[..., :1]
    return mask


def infer_layouts(image: bytes, mask: bytes, where: str) -> tuple[ImageLayout, MaskLayout]:
    """The image and mask layouts of the first record (see the module docstring)."""
    image_encoding, mask_encoding = encoding_of(image), encoding_of(mask)
    k = None
    k_from = ""
    if image_encoding != "raw":
        picture = _square_picture(image, image_encoding, where, "image")
        k, k_from = picture.shape[0], "the size of the image"
        image_layout = ImageLayout(image_encoding, k, picture.shape[2])
    if mask_encoding != "raw":
        picture = _picture_mask(mask, mask_encoding, where, "mask")
        if k is not None and picture.shape[0] != k:
            raise ClaroError(f"The mask in {where} is {picture.shape[0]} pixels wide and the image {k}; give the "
                             "features holding an image and its mask.")
        k, k_from = picture.shape[0], "the size of the mask"
        mask_layout = MaskLayout(mask_encoding, k, 1, argmax=False)
    if image_encoding == "raw":
        if k is not None:
            if len(image) % (4 * k * k):
                raise ClaroError(f"The image feature in {where} is neither PNG nor JPEG, and its {len(image)} bytes are "
                                 f"not k × k × C float32 values for k = {k} ({k_from}); give the feature holding the image.")
            image_layout = ImageLayout("raw float32", k, len(image) // (4 * k * k))
        else:
            return _both_raw(image, mask, where)
    if mask_encoding == "raw":
        mask_layout = _choose_mask(mask, image_layout.size, "mask", where, k_from)
    return image_layout, mask_layout


def _both_raw(image: bytes, mask: bytes, where: str) -> tuple[ImageLayout, MaskLayout]:
    """Neither feature has a size of its own: every k for which both fit is tried."""
    values = len(image) // 4
    found = []
    if len(image) % 4 == 0:
        for k in range(2, math.isqrt(values) + 1):
            if values % (k * k) or values // (k * k) > MAX_BANDS:
                continue
            fits, _ = _raw_mask_readings(mask, k)
            fits = [f for f in fits if _labelled_somewhere(mask, f)] or fits
            found += [(ImageLayout("raw float32", k, values // (k * k)), f) for f in fits]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ClaroError(f"Neither feature in {where} is a PNG or JPEG, and no square patch size fits both the image's "
                         f"{len(image)} bytes (as float32 [k, k, C]) and the mask's {len(mask)} bytes; store the "
                         "images as PNG, or the masks as [k, k] class values.")
    readings = "; ".join(f"k = {i.size}: image {i.channels} bands, mask {m.encoding} {m.shape}" for i, m in found)
    raise ClaroError(f"Neither feature in {where} is a PNG or JPEG, and their sizes fit several patch sizes ({readings}); "
                     "store the images as PNG so Claro can tell.")


# ---------------------------------------------------------------------------- decoding

def decode_image(data: bytes, layout: ImageLayout, where: str) -> np.ndarray:
    """Image bytes → float32 [C, k, k], held to the first record's layout."""
    if encoding_of(data) != layout.encoding.split()[0] and not (layout.encoding == "raw float32"
                                                                 and encoding_of(data) == "raw"):
        raise ClaroError(f"The image in {where} is {encoding_of(data).upper()} but the first record's is "
                         f"{layout.encoding}; give a folder whose records share one layout.")
    if layout.encoding == "raw float32":
        if len(data) != 4 * layout.size ** 2 * layout.channels:
            raise ClaroError(f"The image in {where} holds {len(data)} bytes, not the {4 * layout.size ** 2 * layout.channels} "
                             f"of the first record's float32 [{layout.size}, {layout.size}, {layout.channels}]; "
                             "give a folder whose records share one patch size.")
        pixels = np.frombuffer(data, dtype="<f4").reshape(layout.size, layout.size, layout.channels)
    else:
        pixels = decode_picture(data, layout.encoding, where)
        if pixels.shape != (layout.size, layout.size, layout.channels):
            raise ClaroError(f"The image in {where} is {pixels.shape[1]} × {pixels.shape[0]} × {pixels.shape[2]}, not the "
                             f"first record's {layout.size} × {layout.size} × {layout.channels}; give a folder whose "
                             "records share one patch size and band count.")
    return np.ascontiguousarray(pixels.transpose(2, 0, 1), dtype=np.float32)


def decode_mask(data: bytes, layout: MaskLayout, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Mask bytes → (class values int64 [k, k], labelled bool [k, k]), held to the first record's layout."""
    k = layout.size
    if layout.encoding in ("png", "jpeg"):
        if encoding_of(data) != layout.encoding:
            raise ClaroError(f"The mask in {where} is not a {layout.encoding.upper()} like the first record's; give a "
                             "folder whose records share one layout.")
        mask = _picture_mask(data, layout.encoding, where, "mask")
        if mask.shape[0] != k:
            raise ClaroError(f"The mask in {where} is {mask.shape[0]} pixels wide, not the first record's {k}; give a "
                             "folder whose records share one patch size.")
        return mask[..., 0].astype(np.int64), np.ones((k, k), bool)
    dtype = layout.encoding.split()[1]
    expected = (4 if dtype == "float32" else 1) * k * k * layout.channels
    if len(data) != expected:
        raise ClaroError(f"The mask in {where} holds {len(data)} bytes, not the {expected} of the first record's "
                         f"{dtype} {layout.shape}; give a folder whose records share one layout.")
    mask = _raw_mask(data, dtype, k, layout.channels)
    problem = _mask_problem(mask, layout.argmax)
    if problem:
        raise ClaroError(f"The mask in {where}, read as {dtype} {layout.shape} like the first record's, is no "
                         f"{'one-hot or probability' if layout.argmax else 'class'} mask: {problem}.")
    if layout.argmax:
        return mask.argmax(axis=-1).astype(np.int64), mask.any(axis=-1)
    values = mask[..., 0].astype(np.int64)
    if dtype == "float32":  # a signed mask's -1 means 'no label' (labels.label_nodata, the Sen1Floods11 convention)
        return values, values != UNDECLARED_SIGNED_NODATA
    return values, np.ones((k, k), bool)


# ---------------------------------------------------------------------------- reading

def _bytes_of(features: dict[str, Feature], name: str, flag: str, where: str) -> bytes:
    if name not in features:
        have = ", ".join(sorted(features, key=natural_key)) or "none"
        raise ClaroError(f"{where} has no feature '{name}' (it has: {have}); give the right {flag}.")
    feature = features[name]
    if feature.kind != "bytes" or feature.size != 1:
        what = f"{feature.kind or 'empty'} list of {feature.size} values"
        raise ClaroError(f"Feature '{name}' in {where} is a {what}, not one bytes value (an encoded image or raw "
                         f"array); give the right {flag}.")
    return feature.bytes_value()


def _samples(files: list[Path], root: Path, params: DescribeParams) -> Iterator[tuple[int, int, str, bytes, bytes]]:
    """(file position, record index, where, image bytes, mask bytes) of every record, streamed
    one record at a time as `claro describe` reads the other layout (tfrecord_scan)."""
    for position, path in enumerate(files):
        with RecordStream(path) as stream:
            try:
                for index, record in enumerate(stream):
                    where = f"record {index} of {path.relative_to(root).as_posix()}"
                    features = parse_example(record)
                    yield (position, index, where, _bytes_of(features, params.image_feature, "--image-feature", where),
                           _bytes_of(features, params.mask_feature, "--mask-feature", where))
            except NotARecord as error:
                raise unreadable(path, error) from error


def _check_params(params: DescribeParams) -> tuple[np.ndarray, Optional[list[dict]], int]:
    """(fractions, --classes or None, ignore value of the dataset), refused before any file is read."""
    if not params.out:
        raise ClaroError("Records holding encoded images are converted into a new Claro patch dataset: give --out, "
                         "the folder to write it to.")
    if not (params.image_feature and params.mask_feature):
        raise ClaroError("Give both --image-feature and --mask-feature: the bytes features holding each image and its mask.")
    if params.label or params.bands:
        raise ClaroError("--label and --bands are for records of float bands; with --image-feature and --mask-feature "
                         "the bands are the image's channels and the classes come from the mask, so leave them out.")
    check_bounds(params)
    fractions = np.asarray(fractions_of(params))
    ignore = IGNORE_VALUE if params.ignore_value is None else int(params.ignore_value)
    classes = listed_classes(params.classes, ignore) if params.classes else None
    return fractions, classes, ignore


def _software() -> dict:
    import tensorflow as tf

    return {"claro": __version__, "numpy": np.__version__, "tensorflow": tf.__version__}


@job
def convert(params: DescribeParams, progress: Progress) -> Path:
    """Write the Claro patch dataset `params.out` from records of encoded images; returns its folder
    (`describe.run` calls this when --image-feature or --mask-feature is given)."""
    started = time.monotonic()
    fractions, classes, ignore = _check_params(params)
    source = source_folder(params)
    files = find_shards(source)  # describe's rules: by magic bytes, sub-folders one level deep, natural order
    if not files:
        raise ClaroError(f"{source} holds no TFRecord file (looked in it and its sub-folders); give the folder "
                         "holding the records.")
    out = check_can_write(params.out, params.overwrite, folder=True, inputs=[source, *files])
    progress.log(f"Found {len(files)} TFRecord file{'s' if len(files) != 1 else ''} in {source}.")
    split = plan_split(params, files, source, progress.log)  # the same split rules as the other layout
    files = split.files
    relative = lambda path: path.relative_to(source).as_posix()  # noqa: E731
    listed = None if classes is None else np.array(sorted(c["value"] for c in classes))

    samples = _samples(files, source, params)
    first = next(samples, None)
    if first is None:
        raise ClaroError(f"The TFRecord files in {source} hold no record; give the folder holding the records.")
    image_layout, mask_layout = infer_layouts(first[3], first[4], first[2])
    progress.log(f"Images: {image_layout.encoding}, {image_layout.size} × {image_layout.size} × {image_layout.channels}; "
                 f"masks: {mask_layout.encoding} {mask_layout.shape}"
                 + (", class = argmax" if mask_layout.argmax else ", class values") + ".")
    if mask_layout.encoding == "jpeg":
        progress.log("The masks are JPEG, whose compression changes values near edges; check the class values found.")
    k, n_bands = image_layout.size, image_layout.channels
    stats = BandStatistics(n_bands, seed=params.seed)
    histogram = {s: np.zeros(256, dtype=np.int64) for s in SPLITS}
    ignored_pixels = {s: 0 for s in SPLITS}
    unlisted: set[int] = set()
    records = dropped = default_ignored = 0

    def writing(done: int, total: int) -> None:
        progress.update(0.8 + 0.2 * done / max(total, 1), f"Writing patch {done} of {total}")

    with atomic_folder(out) as folder:
        with ShardWriter(folder, n_bands, k, seed=params.seed, progress=writing) as writer:
            for (position, index, where, image, mask) in itertools.chain([first], samples):
                bands = decode_image(image, image_layout, where)
                values, labelled = decode_mask(mask, mask_layout, where)
                records += 1
                valid = np.isfinite(bands).all(axis=0)
                unlabelled_value = labelled & (values == ignore)
                default_ignored += int(unlabelled_value.sum()) if params.ignore_value is None else 0
                labelled &= valid & ~unlabelled_value
                if listed is not None:
                    known = np.isin(values, listed)
                    unlisted.update(np.unique(values[labelled & ~known]).tolist())
                    labelled &= known
                else:
                    outside = labelled & ((values < LOWEST_CLASS) | (values > HIGHEST_CLASS))
                    if outside.any():
                        bad = np.unique(values[outside]).tolist()
                        raise ClaroError(f"The mask in {where} holds the value{'s' if len(bad) > 1 else ''} "
                                         f"{', '.join(map(str, bad[:6]))}, outside the class values "
                                         f"{LOWEST_CLASS}–{HIGHEST_CLASS}; give --ignore-value if one of them means "
                                         "'not labelled', or --classes to keep only some values.")
                if not labelled.any():
                    dropped += 1
                    continue
                path = files[position]
                fixed = split.fixed[position]
                part = SPLITS[fixed if fixed is not None else
                              int(split_of_draw(record_draw(params.seed, position, index), fractions))]
                planes = np.empty((n_bands + 1, k, k), dtype="<f4")
                planes[:-1] = bands
                if not valid.all():  # NaN pixels get the patch's band means; their labels are ignored
                    for b in range(n_bands):
                        planes[b][~valid] = planes[b][valid].mean() if valid.any() else 0.0
                planes[-1] = np.where(labelled, values, ignore)
                writer.write_planes(part, planes)
                if part == "train":
                    stats.add(planes[:-1], valid)
                histogram[part] += np.bincount(values[labelled], minlength=256)[:256]
                ignored_pixels[part] += k * k - int(labelled.sum())
                if records % 8 == 0:
                    progress.update(0.8 * (position + 0.5) / len(files),
                                    f"Reading record {index + 1} of {path.name} (file {position + 1} of {len(files)})")
        counts = {s: writer.counts.get(s, 0) for s in SPLITS}
        if counts["train"] == 0:
            raise ClaroError(f"No training record is left ({records} records, {dropped} without a labelled pixel, split "
                             f"by {split.method}); give records with labels, name some files train*, or raise the train fraction.")
        for s, fraction in zip(SPLITS[1:], fractions[1:]):
            if fraction > 0 and counts[s] == 0 and split.method == "records":
                progress.log(f"No record went to {s} ({records} records); training runs without it.")
        if classes is None:
            found = sorted(v for s in SPLITS for v in np.nonzero(histogram[s])[0].tolist())
            values = [v for v in range(mask_layout.channels) if v != ignore] if mask_layout.argmax else sorted(set(found))
            classes = default_classes(values)
        if unlisted:
            progress.log(f"Mask value{'s' if len(unlisted) > 1 else ''} {', '.join(map(str, sorted(unlisted)))} not in "
                         "--classes: those pixels are ignored.")
        class_values = [int(c["value"]) for c in classes]
        summary = {
            "bands": band_keys(image_layout.channels),
            "source_bands": list(range(1, image_layout.channels + 1)),
            "band_descriptions": (BAND_NAMES.get(image_layout.channels) if image_layout.encoding != "raw float32" else None)
                                 or [""] * image_layout.channels,
            "patch_size": k,
            "classes": classes,
            "ignore_value": ignore,
            "statistics": stats.result(),
            "counts": counts,
            "class_pixels": {s: [int(histogram[s][v]) for v in class_values] for s in SPLITS},
            "ignored_pixels": ignored_pixels,
            "split": {"method": split.method, "seed": params.seed, "fractions": dict(zip(SPLITS, fractions.tolist())),
                      **({"files": {s: [relative(p) for p in split.shards[s]] for s in SPLITS}}
                         if split.method != "records" else {})},
            "source": {"kind": "encoded-images", "folder": str(source), "files": [relative(p) for p in files],
                       "image_feature": params.image_feature, "mask_feature": params.mask_feature,
                       "image_encoding": image_layout.encoding, "mask_encoding": mask_layout.encoding,
                       "mask_shape": mask_layout.shape, "mask_to_class": "argmax" if mask_layout.argmax else "values",
                       "records": records, "records_without_labels": dropped},
            **writer.summary(),
            "parameters": {**dataclasses.asdict(params), "command": command_line(params)},
            "software": _software(),
        }
        write_summary(folder, summary)
    if default_ignored:
        progress.log(f"{default_ignored} mask pixels hold {ignore}, Claro's value for 'not labelled', and were left out of "
                     "training; give --ignore-value to choose another.")
    if dropped:
        progress.log(f"{dropped} record{'s' if dropped > 1 else ''} without a labelled pixel {'were' if dropped > 1 else 'was'} left out.")
    seconds = time.monotonic() - started
    total = sum(counts.values())
    progress.update(1.0, f"Wrote {total} patches")
    progress.log(f"Wrote {total} patches ({', '.join(f'{s} {counts[s]}' for s in SPLITS)}) of {k} × {k} pixels to {out} "
                 f"in {seconds:.1f} s.")
    return out  # describe.run reports the end (progress.done), as for the other layout
