"""`claro describe`: a folder of TFRecords another tool wrote (an Earth Engine export) → dataset.json.

Real exports are not what `claro patches` writes: features come in any order (so bands are
chosen BY NAME), tables carry non-band features (`system:index` bytes, integer properties),
labels are floats, k is anything, file names are the user's, GZIP or not whatever the name says,
and record counts declared elsewhere are often wrong. So every record is read once (files in
parallel threads, one record at a time): counted, checked to hold the bands and the label, its
label values tallied per split, and the bands of training records added to the statistics.

Which files are TFRecords and which split their records go to is shards.py's (`survey`,
`plan_split`), shared with the other layout, records of encoded images (encoded.py).
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np

from . import dataset
from .atomic import atomic_file, claim, job
from .card import default_classes
from .dataset import SPLITS, SUMMARY_FORMAT, SUMMARY_NAME, BandStatistics
from .errors import ClaroError
from .labels import HIGHEST_CLASS, IGNORE_VALUE, LOWEST_CLASS, listed_classes
from .params import DescribeParams, check_bounds, command_line
from .progress import Progress
from .records import record_draw, split_of_draw
from .shards import Split, fractions_of, plan_split, source_folder, survey
from .tfrecord_scan import Feature, NotARecord, RecordStream, feature_listing, natural_key, parse_example, unreadable
from .version import __version__

#: dataset.json "source" "kind" of a summary this module wrote.
SOURCE_KIND = "tfrecord-folder"
#: Label feature names tried, in order, when --label is not given.
LABEL_NAMES = ("class", "label", "landcover")
#: More distinct label values than this means the label is not a class map.
MAX_CLASSES = 100
#: Pixels kept (about) for the percentiles, over all files together.
STATISTICS_SAMPLE = 1 << 18
#: Files read at once.
WORKERS = 4
#: Feature kinds that can be a band or the label: Earth Engine writes a float image as float
#: lists and an integer image (or property) as int64 lists; the reader casts both to float32.
NUMBER_KINDS = ("float", "int64")


# ---------------------------------------------------------------------------- features

@dataclass
class Schema:
    """What the records hold and what Claro takes from them."""

    features: dict[str, tuple[str, int]]  # name → (kind, size), from the first record
    bands: list[str]
    label: str
    k: int
    skipped: list[str]


def _first_record(shards: list[Path]) -> tuple[Path, dict[str, Feature]]:
    for path in shards:
        with RecordStream(path) as stream:
            try:
                for record in stream:
                    return path, parse_example(record)
            except NotARecord as error:
                raise unreadable(path, error)
    raise ClaroError(f"The TFRecord files in {shards[0].parent} hold no record; export the data again.")


PER_PIXEL = ("hold single pixels (k = 1: every feature is one value, a per-pixel sample export), but a U-Net needs "
             "patches: in Earth Engine, turn the image into k × k arrays with image.neighborhoodToArray(ee.Kernel.fixed("
             "k, k, ones)) before sampleRegions and Export.table with fileFormat 'TFRecord', or use Export.image with "
             "fileFormat 'TFRecord' and formatOptions {patchDimensions: [k, k]}, then describe that folder.")


def choose_features(params: DescribeParams, found: dict[str, Feature], where: Path,
                    log=lambda message: None) -> Schema:
    """Label, bands and k from the first record's features (one sentence when they do not fit).

    The features are taken in natural order, never in the record's: TensorFlow serializes an
    Example's feature map in an order that changes from one process to the next (its hash
    seed), so anything that followed the record's order (the listing in a sentence, the label
    found by case-insensitive name, dataset.json's source.features) would change between runs."""
    features = {name: (found[name].kind, found[name].size) for name in sorted(found, key=natural_key)}
    listing = feature_listing(features)
    label = params.label
    if label is not None and label not in features:
        raise ClaroError(f"The records in {where} have no feature '{label}'; their features are {listing}: "
                         "give --label one of them.")
    if label is None:
        label = next((n for n in LABEL_NAMES if n in features), None) or next(
            (f for n in LABEL_NAMES for f in features if f.casefold() == n), None)
    numbers = [name for name, (kind, _) in features.items() if kind in NUMBER_KINDS]
    if (label is not None and features[label][1] == 1) or (label is None and numbers
                                                           and all(features[n][1] == 1 for n in numbers)):
        raise ClaroError(f"The records in {where} {PER_PIXEL}")
    if label is None and not numbers and any(kind == "bytes" for kind, _ in features.values()):
        raise ClaroError(f"The records in {where} hold no number feature, only {listing}: if they hold each sample as "
                         "encoded images, give --image-feature and --mask-feature (and --out).")
    if label is None:
        raise ClaroError(f"The records in {where} have none of the label features {', '.join(LABEL_NAMES)}; their "
                         f"features are {listing}: give --label with the one holding the classes.")
    kind, size = features[label]
    if kind not in NUMBER_KINDS:
        hint = ("for records holding encoded images use --image-feature and --mask-feature" if kind == "bytes"
                else "export the class values as numbers")
        raise ClaroError(f"The label feature '{label}' in {where} holds {kind or 'no'} values, not numbers: {hint}.")
    k = math.isqrt(size)
    if k * k != size:
        raise ClaroError(f"The label feature '{label}' in {where} holds {size} values, which is not a square patch "
                         "(k × k); export square patches.")
    if params.bands:
        bands = list(params.bands)
        if len(set(bands)) != len(bands):
            raise ClaroError("A band is listed twice in --bands; give each band once.")
        for name in bands:
            if name not in features:
                raise ClaroError(f"The records in {where} have no feature '{name}' given in --bands; their features "
                                 f"are {listing}.")
            if name == label:
                raise ClaroError(f"'{name}' is the label; leave it out of --bands.")
            band_kind, band_size = features[name]
            if band_kind not in NUMBER_KINDS:
                raise ClaroError(f"The feature '{name}' in {where} holds {band_kind or 'no'} values, not numbers; a band "
                                 "must hold numbers (floats or integers), one per pixel.")
            if band_size != size:
                raise ClaroError(f"The feature '{name}' in {where} holds {band_size} values but the label '{label}' "
                                 f"holds {size} ({k} × {k}); bands and label must be patches of the same size.")
    else:
        bands = sorted((n for n in numbers if n != label and features[n][1] == size), key=natural_key)
        if not bands:
            raise ClaroError(f"The records in {where} have no number feature of {k} × {k} values besides the label "
                             f"'{label}'; their features are {listing}.")
        log(f"Bands (every float or int64 feature of {k} × {k} values but the label, in natural order; choose with "
            f"--bands): {', '.join(bands)}.")
    skipped = sorted((n for n in features if n not in bands and n != label), key=natural_key)
    if skipped:
        log(f"Not used as bands: {feature_listing({n: features[n] for n in skipped})}.")
    return Schema(features, bands, label, k, skipped)


# ---------------------------------------------------------------------------- reading every record

@dataclass
class FileScan:
    """What one file holds, per split (0 train, 1 validation, 2 test)."""

    records: np.ndarray                 # [3] records
    values: np.ndarray                  # [3, 256] label pixels of each whole value 0…255
    statistics: BandStatistics          # bands of the training records


class _Stopped(Exception):
    """Another file failed (or the user interrupted): stop reading."""


@dataclass
class _Scan:
    schema: Schema
    seed: int
    fractions: list[float]
    listed: bool                        # --classes given: values not listed are ignored, not refused
    sample_limit: int
    stop: threading.Event
    read: list[int]                     # bytes read so far, per file (progress)


def _label_values(label: np.ndarray, listed: bool, label_name: str, path: Path, index: int) -> np.ndarray:
    """Pixels per whole label value 0…255 of one record; NaN is 'not labelled'. Without
    --classes, a fractional or out-of-range value is refused."""
    finite = label[np.isfinite(label)]
    whole = finite == np.floor(finite)
    inside = (finite >= 0) & (finite <= 255)
    if not listed:
        if not whole.all():
            value = finite[~whole][0]
            raise ClaroError(f"The label feature '{label_name}' holds the value {value:g} (record {index} of {path}), "
                             "not a class value; a label must hold whole class values 0, 1, 2 … (give --label the "
                             "feature with the classes).")
        if not inside.all():
            bad = sorted({int(v) for v in finite[~inside]})
            shown = ", ".join(map(str, bad[:6])) + (" …" if len(bad) > 6 else "")
            raise ClaroError(f"The label feature '{label_name}' holds the value{'s' if len(bad) > 1 else ''} {shown} "
                             f"(record {index} of {path}), outside the class values {LOWEST_CLASS}–{HIGHEST_CLASS}; "
                             "remap the classes to 0 … N−1 in Earth Engine (image.remap) before exporting, or list "
                             "the classes to keep with --classes.")
    keep = finite[whole & inside]
    return np.bincount(keep.astype(np.int64), minlength=256)


def _scan_file(position: int, path: Path, fixed: Optional[int], scan: _Scan) -> FileScan:
    schema = scan.schema
    size = schema.k * schema.k
    result = FileScan(np.zeros(3, np.int64), np.zeros((3, 256), np.int64),
                      BandStatistics(len(schema.bands), sample_limit=scan.sample_limit, seed=[scan.seed, position]))
    with RecordStream(path) as stream:
        try:
            for index, record in enumerate(stream):
                if scan.stop.is_set():
                    raise _Stopped()
                features = parse_example(record)
                for name in (*schema.bands, schema.label):
                    feature = features.get(name)
                    kind = schema.features[name][0]
                    if feature is None or feature.kind != kind or feature.size != size:
                        had = "no such feature" if feature is None else f"{feature.kind or 'no'} values × {feature.size}"
                        raise ClaroError(f"Record {index} of {path} does not hold the feature '{name}' as {size} "
                                         f"{'floats' if kind == 'float' else kind + ' values'} ({schema.k} × {schema.k}) as the first record does ({had}); export "
                                         "all records with the same bands and patch size.")
                split = fixed if fixed is not None else int(split_of_draw(record_draw(scan.seed, position, index),
                                                                          scan.fractions))
                result.records[split] += 1
                result.values[split] += _label_values(features[schema.label].values().astype(np.float64),
                                                      scan.listed, schema.label, path, index)
                if split == 0:  # as the reader sees them: int64 bands cast to float32
                    planes = np.stack([features[name].values().astype(np.float32, copy=False) for name in schema.bands])
                    result.statistics.add(planes, np.isfinite(planes).all(axis=0))
                scan.read[position] = stream.position()
        except NotARecord as error:
            raise unreadable(path, error)
    scan.read[position] = path.stat().st_size
    return result


def merge_statistics(parts: list[BandStatistics], seed: int) -> dict[str, Any]:
    """One BandStatistics result from per-file ones: mean/std/min/max exact (Chan's parallel
    combination); the percentiles from a sample taking from each file in proportion to its
    valid pixels (each file's uniform sample thinned to the lowest sampling rate of all), so no
    file weighs more than its pixels, and the result does not depend on which thread ended first."""
    parts = [p for p in parts if p.n > 0]
    if not parts:
        raise ValueError("no valid pixels were added")
    total = sum(p.n for p in parts)
    mean = sum(p.mean * p.n for p in parts) / total
    m2 = sum(p.m2 + (p.mean - mean) ** 2 * p.n for p in parts)
    samples = [np.concatenate(p.samples, axis=1) for p in parts]
    rate = min(s.shape[1] / p.n for s, p in zip(samples, parts))
    rng = np.random.default_rng(seed)
    kept = []
    for s, p in zip(samples, parts):
        take = min(s.shape[1], max(1, round(rate * p.n)))
        kept.append(s if take == s.shape[1] else s[:, np.sort(rng.choice(s.shape[1], take, replace=False))])
    sample = np.concatenate(kept, axis=1)
    p2, p98 = np.percentile(sample, [2, 98], axis=1)
    return {"mean": mean.tolist(), "std": np.sqrt(m2 / total).tolist(), "p2": p2.tolist(), "p98": p98.tolist(),
            "min": np.min([p.min for p in parts], axis=0).tolist(), "max": np.max([p.max for p in parts], axis=0).tolist(),
            "pixels": int(total)}


def _read_all(split: Split, scan: _Scan, progress: Progress) -> list[FileScan]:
    """Every file in parallel threads (WORKERS at a time); progress by bytes read."""
    files = split.files
    sizes = sum(max(p.stat().st_size, 1) for p in files)
    results: list[Optional[FileScan]] = [None] * len(files)
    with ThreadPoolExecutor(max_workers=max(1, min(WORKERS, os.cpu_count() or 1, len(files))),
                            thread_name_prefix="claro-describe") as pool:
        futures = {pool.submit(_scan_file, i, path, split.fixed[i], scan): i for i, path in enumerate(files)}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
                for future in done:
                    results[futures[future]] = future.result()
                finished = sum(r is not None for r in results)
                progress.update(0.05 + 0.9 * sum(scan.read) / sizes,
                                f"Reading records: {finished} of {len(files)} files")
        except BaseException:
            scan.stop.set()
            for future in pending:
                future.cancel()
            raise
    return [r for r in results if r is not None]


# ---------------------------------------------------------------------------- output

def _probe_writable(folder: Path) -> bool:
    try:
        descriptor, name = tempfile.mkstemp(prefix=".claro-probe-", dir=folder)
    except OSError:
        return False
    os.close(descriptor)
    os.unlink(name)
    return True


def is_described(path: Path) -> bool:
    """A dataset.json this module wrote."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(data, dict) and data.get("format") == SUMMARY_FORMAT
            and isinstance(data.get("source"), dict) and data["source"].get("kind") == SOURCE_KIND)


def check_output(params: DescribeParams, folder: Path) -> tuple[Path, bool]:
    """(the folder dataset.json goes to, whether this call created it), checked before any
    reading: writable, and not holding a dataset.json Claro may not replace (one Claro did not
    write, a `claro patches` dataset's, or one `describe` wrote, unless --overwrite). An --out
    folder that does not exist yet is created (its parent must exist), so dataset.json can be
    claimed for this job inside it; `describe` removes it again if it fails."""
    out = Path(params.out) if params.out else folder
    if out.exists() and not out.is_dir():
        raise ClaroError(f"--out {out} is not a folder; give the folder to write dataset.json into.")
    probe = out if out.is_dir() else out.parent
    if not probe.is_dir():
        raise ClaroError(f"The folder {probe} for --out does not exist; create it first.")
    if not _probe_writable(probe):
        if params.out:
            raise ClaroError(f"The folder {probe} is not writable; give --out a folder you can write to.")
        raise ClaroError(f"The folder {folder} is not writable (read-only); pass --out with another folder to write "
                         "dataset.json there (its shard paths will point back here).")
    target = out / SUMMARY_NAME
    if target.exists() or target.is_symlink():
        if not is_described(target):
            try:
                made_by_patches = "claro" in (json.loads(target.read_text(encoding="utf-8")).get("software") or {})
            except (OSError, ValueError, AttributeError):
                made_by_patches = False
            if made_by_patches:
                raise ClaroError(f"{out} is already a Claro patch dataset ('claro patches' wrote its {SUMMARY_NAME}); "
                                 "train on it as it is, or give --out another folder.")
            raise ClaroError(f"{target} exists and Claro did not write it, so Claro will not replace it; move it away, "
                             "or give --out another folder.")
        if not params.overwrite:
            raise ClaroError(f"{target} exists (from an earlier 'claro describe'); use --overwrite to describe the "
                             "folder again.")
    created = False
    if not out.is_dir():
        try:
            out.mkdir()
            created = True
        except FileExistsError:
            pass  # made meanwhile (another job): claim() below decides who writes
    try:
        claim(target)
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out, created


def _relative(path: Path, out: Path) -> str:
    """`path` relative to `out` (with ../ when needed), or absolute on another drive."""
    try:
        return Path(os.path.relpath(path.resolve(), out.resolve())).as_posix()
    except ValueError:
        return str(path.resolve())


def _classes(params: DescribeParams, values: np.ndarray, log) -> tuple[list[dict], np.ndarray]:
    """(classes, their values) from --classes or from the label values found (all splits)."""
    found = [v for v in np.flatnonzero(values.sum(axis=0)).tolist() if v != params.ignore_value]
    if params.classes:
        classes = listed_classes(params.classes, params.ignore_value)
        unlisted = sorted(set(found) - {c["value"] for c in classes})
        if unlisted:
            log(f"Label value{'s' if len(unlisted) > 1 else ''} {', '.join(map(str, unlisted))} not in --classes: "
                "those pixels are ignored.")
    else:
        if IGNORE_VALUE in found:
            found.remove(IGNORE_VALUE)
            log(f"Label value {IGNORE_VALUE} is taken as 'not labelled' (Claro's ignore value).")
        if len(found) > MAX_CLASSES:
            raise ClaroError(f"The label holds {len(found)} different values; a label must hold class values "
                             "(give --classes to keep only some).")
        if not found:
            raise ClaroError("The label holds no class value (every pixel is NaN or the ignore value); check --label.")
        classes = default_classes(found)
    return classes, np.array([c["value"] for c in classes], dtype=np.int64)


def describe(params: DescribeParams, progress: Progress) -> Path:
    """Read every record of the folder's TFRecord files and write dataset.json; returns the folder
    holding it (params.out, or the TFRecord folder)."""
    started = time.monotonic()
    check_bounds(params)
    folder = source_folder(params)
    fractions = fractions_of(params)
    out, created = check_output(params, folder)
    try:
        return _describe(params, folder, out, fractions, progress, started)
    except BaseException:
        if created:  # nothing half-made: the --out folder goes again with whatever is in it
            shutil.rmtree(out, ignore_errors=True)
        raise


def _describe(params: DescribeParams, folder: Path, out: Path, fractions: list[float], progress: Progress,
              started: float) -> Path:
    shards, skipped = survey(folder)
    if skipped:
        progress.log("Skipped: " + "; ".join(f"{p.relative_to(folder).as_posix()} ({why})" for p, why in skipped) + ".")
    if not shards:
        raise ClaroError(f"{folder} holds no TFRecord file (looked in it and its sub-folders); give the folder of an "
                         "Earth Engine TFRecord export.")
    progress.log(f"Found {len(shards)} TFRecord file{'s' if len(shards) != 1 else ''} in {folder}.")
    progress.update(0.0, "Reading the first record")
    first, found = _first_record(shards)
    progress.log(f"Features of the first record ({first.relative_to(folder).as_posix()}): "
                 f"{feature_listing({n: (f.kind, f.size) for n, f in found.items()})}.")
    schema = choose_features(params, found, first, progress.log)
    progress.log(f"Label '{schema.label}'; patches of {schema.k} × {schema.k} pixels, {len(schema.bands)} bands.")
    split = plan_split(params, shards, folder, progress.log)

    per_file = max(1024, STATISTICS_SAMPLE // len(shards))
    scan = _Scan(schema, params.seed, fractions, bool(params.classes), per_file, threading.Event(), [0] * len(shards))
    results = _read_all(split, scan, progress)
    records = np.sum([r.records for r in results], axis=0)
    values = np.sum([r.values for r in results], axis=0)
    counts = {s: int(records[i]) for i, s in enumerate(SPLITS)}
    if not records.sum():
        raise ClaroError(f"The TFRecord files in {folder} hold no record; export the data again.")
    if not counts["train"]:
        raise ClaroError("No record falls in the training split; raise the train fraction (--fractions) or name "
                         "training files train* or training*.")
    classes, class_values = _classes(params, values, progress.log)
    pixels = schema.k * schema.k
    class_pixels = {s: values[i][class_values].tolist() for i, s in enumerate(SPLITS)}
    ignored = {s: int(records[i] * pixels - sum(class_pixels[s])) for i, s in enumerate(SPLITS)}
    try:
        statistics = merge_statistics([r.statistics for r in results], params.seed)
    except ValueError:
        raise ClaroError(f"The training records hold no pixel where every band ({', '.join(schema.bands)}) has a value "
                         "(all NaN); check the export.")
    summary = {
        "format": SUMMARY_FORMAT,
        "bands": schema.bands,
        "label": schema.label,
        "patch_size": schema.k,
        "classes": classes,
        "ignore_value": params.ignore_value,
        "statistics": statistics,
        "counts": counts,
        "class_pixels": class_pixels,
        "ignored_pixels": ignored,
        "split": {"method": split.method, "seed": params.seed, "fractions": fractions},
        "shards": {s: [_relative(p, out) for p in split.shards[s]] for s in SPLITS},
        "source": {"kind": SOURCE_KIND, "folder": str(folder),
                   "features": {n: {"type": kind, "size": size} for n, (kind, size) in schema.features.items()},
                   "skipped": schema.skipped},
        "parameters": {**dataclasses.asdict(params), "command": command_line(params)},
        "software": {"claro": __version__, "numpy": np.__version__},
    }
    with atomic_file(out / SUMMARY_NAME) as tmp:
        tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    progress.update(1.0, "Wrote dataset.json")
    progress.log(f"Read {int(records.sum())} records ({', '.join(f'{s} {counts[s]}' for s in SPLITS)}) from "
                 f"{len(shards)} files in {time.monotonic() - started:.1f} s; wrote {out / SUMMARY_NAME}.")
    return out


@job
def run(params: DescribeParams, progress: Progress) -> None:
    started = time.monotonic()
    if params.image_feature or params.mask_feature:
        from .encoded import convert

        out = convert(params, progress)
    else:
        out = describe(params, progress)
    summary = dataset.read_summary(out)
    progress.log(dataset.describe(summary, str(out)))
    progress.done(out=str(out), dataset=str(out / SUMMARY_NAME), counts=summary.get("counts"),
                  classes=summary["classes"], seconds=round(time.monotonic() - started, 2))
