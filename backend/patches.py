"""`claro patches`: image rasters + labels → a TFRecord patch dataset with dataset.json.

Two passes over windows, never a whole raster:
1. Labels only (plus image masks): which windows have enough labelled pixels, which class
   values occur. Cheap: one small band per window.
2. The kept windows, in scan order: image bands read, image nodata pixels set to the ignore
   value in the labels, training statistics accumulated; the writer then shuffles the patches
   (seeded by --seed) into many small parallel GZIP shards, so any stretch of a shard mixes
   every scene.

The split is made by spatial blocks: each image grid is cut into square blocks several
patches wide (as wide as still cuts the labelled windows, not the whole scene, into several
blocks), blocks are shuffled (seeded) and dealt to train/validation/test so each split gets
its share of patches and every split asked for gets at least one block, and a patch is kept
only if every block it touches belongs to its split. Two patches of different splits therefore never share a pixel, even with --stride
smaller than the patch size, and neighbouring (correlated) ground tends to stay on one side.
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from . import raster
from .atomic import atomic_folder, check_can_write, job
from .card import default_classes
from .dataset import SPLITS, BandStatistics, write_summary
from .errors import ClaroError
from .labels import check_class_values, listed_classes
from .params import PatchParams, check_bounds, command_line
from .progress import Progress
from .version import __version__

#: A block is this many patches wide, unless the labelled windows then fall into fewer than MIN_BLOCKS blocks.
BLOCK_PATCHES = (4, 2, 1)
MIN_BLOCKS = 10
#: More distinct label values than this means the labels are not a class raster.
MAX_CLASSES = 100


@dataclass
class Window:
    scene: int
    x: int
    y: int
    labelled: int  # labelled pixels found in pass 1
    split: str = ""


@dataclass
class Scene:
    image_path: str
    labels_path: str
    image: object  # gdal.Dataset
    labels: object  # gdal.Dataset on the image grid


def _offsets(length: int, size: int, stride: int) -> list[int]:
    """Window starts along one axis; a last window flush with the far edge covers the margin."""
    starts = list(range(0, length - size + 1, stride))
    if starts and starts[-1] != length - size:
        starts.append(length - size)
    return starts


def _check_params(params: PatchParams) -> tuple[int, np.ndarray, Optional[list[dict]]]:
    """Refuse impossible settings before touching any file; returns (stride, fractions, classes)."""
    if not params.images:
        raise ClaroError("No image was given; give at least one --image with its --labels.")
    if len(params.images) != len(params.labels):
        raise ClaroError(f"Got {len(params.images)} --image and {len(params.labels)} --labels; "
                         "give one --labels for each --image, in the same order.")
    check_bounds(params)  # --patch-size, --stride, --split values, --min-labelled…: params.py's ranges
    stride = params.stride or params.patch_size
    fractions = np.asarray(params.split, dtype=float)
    if len(fractions) != 3 or (fractions < 0).any() or abs(fractions.sum() - 1) > 1e-6 or fractions[0] <= 0:
        raise ClaroError(f"Split {','.join(map(str, params.split))} is not three fractions for train, validation and "
                         "test that add up to 1 with some training; use e.g. --split 0.7,0.2,0.1.")
    classes = listed_classes(params.classes, params.ignore_value) if params.classes else None
    raster.parse_background(params.background, params.ignore_value)
    return stride, fractions, classes


def _open_scenes(params: PatchParams) -> tuple[list[Scene], list[int]]:
    images = [raster.open_raster(path, "Image") for path in params.images]
    counts = [image.RasterCount for image in images]
    if len(set(counts)) > 1:
        listing = ", ".join(f"{Path(p).name}: {n}" for p, n in zip(params.images, counts))
        raise ClaroError(f"The images have different band counts ({listing}); use images with the same bands.")
    bands = raster.check_bands(images[0], params.bands, params.images[0])
    k = params.patch_size
    for path, image in zip(params.images, images):
        if k > image.RasterXSize or k > image.RasterYSize:
            raise ClaroError(f"Patch size {k} is larger than image {path} ({image.RasterXSize} × {image.RasterYSize} "
                             "pixels); use a smaller --patch-size.")
    scenes = []
    for image_path, labels_path, image in zip(params.images, params.labels, images):
        labels = raster.labels_on_grid(labels_path, image, class_field=params.class_field,
                                       background=params.background, ignore_value=params.ignore_value)
        scenes.append(Scene(image_path, labels_path, image, labels))
    return scenes, bands


def _labels_of_window(scene: Scene, bands: list[int], x: int, y: int, k: int, ignore: int,
                      values: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
    """(labels with image-nodata pixels set to `ignore`, image validity) of one window."""
    labels = raster.read_labels(scene.labels, x, y, k, k)
    valid = raster.valid_window(scene.image, bands, x, y, k, k, values)
    labels[~valid] = ignore
    return labels, valid


def _block_size(windows: list[Window], k: int) -> int:
    """The widest block (BLOCK_PATCHES) that still cuts the LABELLED windows into MIN_BLOCKS
    blocks: a few polygons over a large scene must not fall into one or two blocks."""
    for factor in BLOCK_PATCHES:
        size = k * factor
        if len({(w.scene, w.y // size, w.x // size) for w in windows}) >= MIN_BLOCKS:
            return size
    return k * BLOCK_PATCHES[-1]


def _blocks_touched(w: Window, block: int, k: int) -> list[tuple[int, int, int]]:
    return [(w.scene, r, c) for r in range(w.y // block, (w.y + k - 1) // block + 1)
            for c in range(w.x // block, (w.x + k - 1) // block + 1)]


def _assign_blocks(windows: list[Window], block: int, k: int, fractions: np.ndarray,
                   seed: int) -> dict[tuple[int, int, int], str]:
    """Deal shuffled blocks to the split furthest below its share of patches; then make sure
    every split asked for (a fraction > 0) holds a block with a patch wholly inside it.

    A window belongs to the block holding its top-left pixel; blocks only reached into by
    windows get a random split, which decides whether those windows are kept."""
    per_block: dict[tuple[int, int, int], int] = {}
    inner: dict[tuple[int, int, int], int] = {}
    touched: set[tuple[int, int, int]] = set()
    for w in windows:
        key = (w.scene, w.y // block, w.x // block)
        per_block[key] = per_block.get(key, 0) + 1
        blocks = _blocks_touched(w, block, k)
        touched.update(blocks)
        if len(blocks) == 1:
            inner[key] = inner.get(key, 0) + 1
    rng = np.random.default_rng(seed)
    keys = sorted(per_block)
    order = rng.permutation(len(keys))
    total = len(windows)
    taken = np.zeros(3)
    active = [i for i in range(3) if fractions[i] > 0]
    assignment: dict[tuple[int, int, int], str] = {}
    for i in order:
        key = keys[i]
        deficit = [fractions[s] * total - taken[s] if s in active else -np.inf for s in range(3)]
        chosen = int(np.argmax(deficit))
        assignment[key] = SPLITS[chosen]
        taken[chosen] += per_block[key]
    # Every split asked for gets at least one block with a whole patch: the smallest such
    # training block (train keeps at least one), in the shuffled order on ties.
    usable = [keys[i] for i in order if inner.get(keys[i])]
    for s in active[1:]:
        if any(assignment[key] == SPLITS[s] for key in usable):
            continue
        spare = [key for key in usable if assignment[key] == "train"]
        if len(spare) < 2:
            break  # too few blocks: run() says what to do
        smallest = min(spare, key=lambda key: per_block[key])
        assignment[smallest] = SPLITS[s]
    probabilities = fractions / fractions.sum()
    for key in sorted(touched - set(assignment)):
        assignment[key] = SPLITS[int(rng.choice(3, p=probabilities))]
    return assignment


def _split_windows(windows: list[Window], assignment: dict, block: int, k: int) -> list[Window]:
    """Give each window its block's split; drop windows touching blocks of another split."""
    kept = []
    for w in windows:
        touched = {assignment[key] for key in _blocks_touched(w, block, k)}
        if len(touched) == 1:
            w.split = touched.pop()
            kept.append(w)
    return kept


def _check_split(kept: list[Window], fractions: np.ndarray, block: int, blocks: int) -> None:
    """Refuse a split that leaves a split asked for (fraction > 0) without patches."""
    empty = [s for i, s in enumerate(SPLITS) if fractions[i] > 0 and not any(w.split == s for w in kept)]
    if empty:
        raise ClaroError(f"The labelled patches fall into only {blocks} block{'s' if blocks != 1 else ''} of "
                         f"{block} × {block} pixels, too few to give {' and '.join(empty)} patches of their own; "
                         "draw more labels (spread over the image), use a smaller --patch-size, or use "
                         "--split 1,0,0 to train without validation.")


def _source_info(scene: Scene, patches: int) -> dict:
    srs = raster.crs_of(scene.image)
    return {"image": str(Path(scene.image_path).resolve()), "labels": str(Path(scene.labels_path).resolve()),
            "crs": raster.crs_name(srs), "wkt": scene.image.GetProjection(),
            "geotransform": list(scene.image.GetGeoTransform()),
            "size": [scene.image.RasterXSize, scene.image.RasterYSize], "bands": scene.image.RasterCount,
            "patches": patches}


def _software() -> dict:
    import tensorflow as tf
    from osgeo import gdal

    return {"claro": __version__, "gdal": gdal.__version__, "numpy": np.__version__, "tensorflow": tf.__version__}


@job
def run(params: PatchParams, progress: Progress) -> None:
    started = time.monotonic()
    stride, fractions, classes = _check_params(params)
    out = check_can_write(params.out, params.overwrite, folder=True,
                          inputs=[*raster.source_files(params.images), *params.labels])  # a VRT's sources too
    scenes, bands = _open_scenes(params)
    k, ignore = params.patch_size, params.ignore_value
    listed = None if classes is None else np.array([c["value"] for c in classes])

    # Pass 1: which windows carry enough labels, and which class values occur.
    all_windows = [(i, x, y) for i, s in enumerate(scenes)
                   for y in _offsets(s.image.RasterYSize, k, stride) for x in _offsets(s.image.RasterXSize, k, stride)]
    needed = max(1, math.ceil(params.min_labelled * k * k))
    found: dict[int, int] = {}
    windows: list[Window] = []
    for n, (i, x, y) in enumerate(all_windows):
        labels, _ = _labels_of_window(scenes[i], bands, x, y, k, ignore)
        values, counts = np.unique(labels, return_counts=True)
        for v, c in zip(values.tolist(), counts.tolist()):
            if v != ignore:
                found[v] = found.get(v, 0) + c
        labelled = int(counts[values != ignore].sum()) if listed is None else int(counts[np.isin(values, listed)].sum())
        if labelled >= needed:
            windows.append(Window(i, x, y, labelled))
        if n % 16 == 0:
            progress.update(0.25 * n / len(all_windows), f"Checking labels: window {n + 1} of {len(all_windows)}")
    if len(found) > MAX_CLASSES and classes is None:
        raise ClaroError(f"The labels hold {len(found)} different values; labels must be a raster of class values "
                         "(give --classes to keep only some).")
    if classes is None:  # with --classes, values not listed are ignored (and said so below)
        check_class_values(found, "the labels" if len(scenes) > 1 else str(scenes[0].labels_path))
    if not windows:
        raise ClaroError(f"No {k} × {k} patch has at least {params.min_labelled:.0%} labelled pixels; check that the "
                         "labels cover the images, or lower --min-labelled or --patch-size.")
    if classes is None:
        classes = default_classes(sorted(found))
    else:
        unlisted = sorted(set(found) - set(listed.tolist()))
        if unlisted:
            progress.log(f"Label value{'s' if len(unlisted) > 1 else ''} {', '.join(map(str, unlisted))} "
                         "not in --classes: those pixels are ignored.")
    class_values = np.array([c["value"] for c in classes])

    # The split, by spatial blocks.
    block = _block_size(windows, k)
    assignment = _assign_blocks(windows, block, k, fractions, params.seed)
    kept = _split_windows(windows, assignment, block, k)
    owned = {(w.scene, w.y // block, w.x // block) for w in windows}
    _check_split(kept, fractions, block, len(owned))
    if len(kept) < len(windows):
        progress.log(f"{len(windows) - len(kept)} overlapping patches crossing a split boundary were left out.")

    # Pass 2: read, write, count.
    from .records import ShardWriter

    stats = BandStatistics(len(bands), seed=params.seed)
    class_pixels = {s: np.zeros(len(classes), dtype=np.int64) for s in SPLITS}
    ignored_pixels = {s: 0 for s in SPLITS}
    per_scene = [0] * len(scenes)
    dropped = 0
    lookup_values = np.sort(class_values)
    lookup_index = np.argsort(class_values)
    with atomic_folder(out) as folder:
        # Rasters are read in scan order; the writer shuffles the patches (seeded) into many shards.
        def writing(done: int, total: int) -> None:
            progress.update(0.55 + 0.45 * done / max(total, 1), f"Writing patch {done} of {total}")

        with ShardWriter(folder, len(bands), k, seed=params.seed, progress=writing) as writer:
            for n, w in enumerate(kept):
                scene = scenes[w.scene]
                image = raster.read_window(scene.image, bands, w.x, w.y, k, k)
                labels, valid = _labels_of_window(scene, bands, w.x, w.y, k, ignore, image)
                position = np.searchsorted(lookup_values, labels).clip(0, len(lookup_values) - 1)
                is_class = lookup_values[position] == labels
                labels[~is_class] = ignore
                labelled = int(is_class.sum())
                if labelled < needed:  # NaN pixels found only now
                    dropped += 1
                    continue
                planes = np.empty((len(bands) + 1, k, k), dtype="<f4")
                planes[:-1] = image
                if not valid.all():  # nodata pixels (labels ignored) get the patch's band means, not e.g. -9999
                    for b in range(len(bands)):
                        planes[b][~valid] = planes[b][valid].mean() if valid.any() else 0.0
                planes[-1] = labels
                writer.write_planes(w.split, planes)
                if w.split == "train":
                    stats.add(planes[:-1], valid)  # float32 copy; nodata pixels are left out
                class_pixels[w.split] += np.bincount(lookup_index[position[is_class]], minlength=len(classes))
                ignored_pixels[w.split] += k * k - labelled
                per_scene[w.scene] += 1
                if n % 8 == 0:
                    progress.update(0.25 + 0.3 * n / len(kept), f"Reading patch {n + 1} of {len(kept)}")
        counts = {s: writer.counts.get(s, 0) for s in SPLITS}
        if counts["train"] == 0:
            raise ClaroError("No training patch is left after the split; add labelled images or raise the train fraction.")
        summary = {
            "bands": [f"b{i + 1}" for i in range(len(bands))],
            "source_bands": bands,
            "band_descriptions": [scenes[0].image.GetRasterBand(b).GetDescription() for b in bands],
            "patch_size": k,
            "classes": classes,
            "ignore_value": ignore,
            "statistics": stats.result(),
            "counts": counts,
            "class_pixels": {s: class_pixels[s].tolist() for s in SPLITS},
            "ignored_pixels": ignored_pixels,
            "split": {"method": "spatial blocks", "block_size": block, "seed": params.seed,
                      "fractions": dict(zip(SPLITS, fractions.tolist())), "stride": stride,
                      "blocks": {s: len({(w.scene, w.y // block, w.x // block) for w in kept if w.split == s})
                                 for s in SPLITS},
                      "left_out_at_boundaries": len(windows) - len(kept)},
            "sources": [_source_info(s, per_scene[i]) for i, s in enumerate(scenes)],
            **writer.summary(),
            "parameters": {**dataclasses.asdict(params), "command": command_line(params)},
            "software": _software(),
        }
        write_summary(folder, summary)
    if dropped:
        progress.log(f"{dropped} patches were dropped because of missing (NaN) image values.")
    seconds = time.monotonic() - started
    total = sum(counts.values())
    progress.update(1.0, f"Wrote {total} patches")
    progress.log(f"Wrote {total} patches ({', '.join(f'{s} {counts[s]}' for s in SPLITS)}) to {out} "
                 f"in {seconds:.1f} s.")
    progress.done(out=str(out), dataset=str(out / "dataset.json"), counts=counts, classes=classes, seconds=round(seconds, 2))
