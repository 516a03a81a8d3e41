"""Which files of a folder are TFRecords, and which split each file's records go to.

The one survey of a folder of another tool's TFRecords (an Earth Engine export, records of
encoded images), shared by `claro describe`'s two layouts (describe.py, encoded.py): files told
by their bytes, never their names, in natural order; the split from the file or folder names
(train*/training*, val*/validation*/eval*, test*/testing*), else whole files dealt by a seed
("shards"), else a seeded draw per record ("records": `records.record_draw`, which the reader
repeats in TensorFlow, so no list of record indices is stored).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from .dataset import SPLITS
from .errors import ClaroError
from .params import DescribeParams
from .tfrecord_scan import looks_like_tfrecord, natural_key

#: Words in a file or folder name that put its records in a split (index into SPLITS).
SPLIT_WORDS = {"train": 0, "training": 0, "val": 1, "valid": 1, "validation": 1, "eval": 1, "evaluation": 1,
               "test": 2, "testing": 2}
#: `auto` splits by shards from this many files on (fewer files would make the fractions too
#: coarse), else by records. A split by shards needs a file per split asked for.
AUTO_SHARD_FILES = 10


# ---------------------------------------------------------------------------- files

def _mixer_stems(directory: Path) -> list[str]:
    """Names of the Earth Engine image exports in `directory`: each has a mixer JSON (with
    patchDimensions) beside its TFRecord files, which hold an image to predict, not training data."""
    stems = []
    for entry in directory.glob("*.json"):
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and ("patchDimensions" in data or "patchesPerRow" in data):
            stems.append(entry.stem)
    return stems


IMAGE_EXPORT = "an image to predict: an Earth Engine image export, its mixer JSON beside it"


def survey(folder: str | os.PathLike) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(TFRecord files, [(skipped file, why)]) in `folder` and its sub-folders one level deep."""
    root = Path(folder)
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []

    def visit(directory: Path, depth: int) -> None:
        try:
            entries = list(directory.iterdir())
        except OSError as error:
            skipped.append((directory, f"cannot be listed: {error.strerror or error}"))
            return
        mixers = [re.compile(re.escape(stem) + r"([-.].*)?") for stem in _mixer_stems(directory)]
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                if depth == 0:
                    visit(entry, 1)
                continue
            if not entry.is_file() or entry.suffix.lower() == ".json":
                continue
            if entry.stat().st_size == 0:
                skipped.append((entry, "empty"))
            elif any(m.fullmatch(entry.name) for m in mixers):
                skipped.append((entry, IMAGE_EXPORT))
            elif not looks_like_tfrecord(entry):
                skipped.append((entry, "not a TFRecord file"))
            else:
                found.append(entry)

    visit(root, 0)
    exported = [path for path, why in skipped if why == IMAGE_EXPORT]
    if not found and exported:  # nothing but Export.image files: patches with the label as a band
        found, skipped = exported, [item for item in skipped if item[1] != IMAGE_EXPORT]
    order = lambda path: natural_key(path.relative_to(root).as_posix())  # noqa: E731
    return sorted(found, key=order), sorted(skipped, key=lambda item: order(item[0]))


def source_folder(params: DescribeParams) -> Path:
    """The folder `claro describe` reads (either layout), resolved; one sentence when there is none."""
    if not params.folder:
        raise ClaroError("No folder was given; give the folder of TFRecord files.")
    folder = Path(params.folder)
    if not folder.is_dir():
        raise ClaroError(f"{folder} is not a folder; give the folder holding the TFRecord files.")
    return folder.resolve()


def find_shards(folder: str | os.PathLike) -> list[Path]:
    """TFRecord files in `folder` and its sub-folders one level deep (training/, validation/ …
    as Earth Engine users keep them), whatever their names, in natural order. Skipped: hidden
    files, .json files (dataset.json, mixers), empty files, files that are neither GZIP nor
    start with a TFRecord header, and the files of an image export (beside its mixer JSON: an
    image to predict, as in ee-aces-bhutan/images/) when there are other TFRecord files; a
    folder holding only an Export.image export (its label a band) is taken whole."""
    return survey(folder)[0]


def split_named(path: Path, root: Path) -> Optional[int]:
    """The split (index into SPLITS) the file's name, else its folder's name, says, or None."""
    texts = [path.name] + ([path.parent.name] if path.parent != root else [])
    for text in texts:
        words = re.split(r"[^a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower())
        kinds = {SPLIT_WORDS[w] for w in words if w in SPLIT_WORDS}
        if len(kinds) == 1:
            return kinds.pop()
        if kinds:
            return None  # "train_test": says nothing clear
    return None


# ---------------------------------------------------------------------------- the split

@dataclass
class Split:
    method: str
    files: list[Path]                   # every file, in the order record draws number them
    fixed: list[Optional[int]]          # per file: its split, or None (each record drawn)
    shards: dict[str, list[Path]] = field(default_factory=dict)


def fractions_of(params: DescribeParams) -> list[float]:
    f = [float(v) for v in params.fractions]
    if len(f) != 3 or min(f) < 0 or abs(sum(f) - 1) > 1e-6 or f[0] <= 0:
        raise ClaroError(f"Fractions {','.join(map(str, params.fractions))} are not three fractions for train, "
                         "validation and test that add up to 1 with some training; use e.g. --fractions 0.7,0.2,0.1.")
    return f


def _few(paths: list[Path], root: Path, most: int = 3) -> str:
    names = [p.relative_to(root).as_posix() for p in paths[:most]]
    return ", ".join(names) + (f" and {len(paths) - most} more" if len(paths) > most else "")


def plan_split(params: DescribeParams, files: list[Path], root: Path, log=lambda message: None) -> Split:
    """Which records go to which split (see the module docstring)."""
    fractions = fractions_of(params)
    named = [split_named(p, root) for p in files]
    kinds = {k for k in named if k is not None}
    unnamed = [p for p, k in zip(files, named) if k is None]
    method = params.split
    if method == "auto":
        if kinds and unnamed and len(kinds | {0}) > 1:
            raise ClaroError(f"Some files in {root} are named for a split ({_few([p for p in files if p not in unnamed], root)}) "
                             f"and others not ({_few(unnamed, root)}); rename them (train*, validation*, test*) or give "
                             "--split shards or --split records to split without the names.")
        if len(kinds) > 1 and not unnamed:
            method = "names"
        else:
            method = "shards" if len(files) >= AUTO_SHARD_FILES else "records"
    if method == "names":
        if unnamed:
            raise ClaroError(f"The names of {_few(unnamed, root)} in {root} do not say train, validation or test; rename "
                             "them (e.g. training_*.tfrecord.gz) or give --split shards or --split records.")
        if 0 not in kinds:
            raise ClaroError(f"No file in {root} is named for training (train* or training*); rename the training "
                             "files or give --split shards or --split records.")
        shards = {s: [p for p, k in zip(files, named) if k == i] for i, s in enumerate(SPLITS)}
        split = Split("names", files, list(named), shards)
    elif method == "shards":
        n, needed = len(files), sum(f > 0 for f in fractions)  # a file for each split asked for
        if n < needed:
            raise ClaroError(f"{root} holds {n} TFRecord file{'s' if n != 1 else ''}; a split by shards needs at least "
                             f"{needed} (one per split): give --split records to split record by record.")
        sizes = [round(f * n) for f in fractions]
        for i in (1, 2):
            if fractions[i] > 0 and sizes[i] == 0:
                sizes[i] = 1
        while sum(sizes[1:]) > n - 1:  # keep a training file
            largest = 1 if sizes[1] >= sizes[2] else 2
            sizes[largest] -= 1
        sizes[0] = n - sizes[1] - sizes[2]
        order = np.random.default_rng(params.seed).permutation(n)
        fixed: list[Optional[int]] = [0] * n
        for place, index in enumerate(order):
            fixed[index] = 0 if place < sizes[0] else (1 if place < sizes[0] + sizes[1] else 2)
        shards = {s: [p for p, k in zip(files, fixed) if k == i] for i, s in enumerate(SPLITS)}
        split = Split("shards", files, fixed, shards)
    else:
        split = Split("records", files, [None] * len(files), {s: list(files) for s in SPLITS})
    if split.method == "records":
        log(f"Split by records: each record drawn (seed {params.seed}) with fractions "
            f"{', '.join(f'{s} {f:g}' for s, f in zip(SPLITS, fractions))}.")
    else:
        log(f"Split by {split.method}: " + ", ".join(f"{s} {len(split.shards[s])} file{'s' if len(split.shards[s]) != 1 else ''}"
                                                      for s in SPLITS) + ".")
    return split
