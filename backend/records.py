"""TFRecord patches in the Earth Engine / ACCA schema: writer and tf.data reader.

Schema: one `tf.train.Example` per patch with float32 features `b1` … `bN` and `class`, each
of shape [k, k] (row-major), in GZIP shards `train-00000.tfrecord.gz`, `validation-…`,
`test-…`. That is what Earth Engine exports and the ACCA notebook parses with
`tf.io.FixedLenFeature([k, k], tf.float32)`. Other tools' exports (features in any order, extra
non-band features, any label name, any file names, GZIP or not) are read as their dataset.json
(`claro describe`) says: bands and label by name, the files it lists, compression from the bytes.

Why the writer looks like this (measured on 128²×5 float32 patches, see bench/):
- `tf.train.Example` built in Python costs more than the compression itself; an Example is
  a fixed protobuf layout (a map of packed FloatLists), so we lay the bytes out directly
  from the numpy buffer (`serialize_example`), byte-for-byte parseable by TensorFlow.
- zlib at TensorFlow's default level 6 is the bottleneck. When the `isal` package (Intel's
  ISA-L deflate) and `google-crc32c` are installed, shards are framed here (TFRecord framing:
  length, masked CRC-32C, data, masked CRC-32C) and compressed by ISA-L at its level 1: a
  standard single-member GZIP stream, several times faster than zlib level 1 and smaller.
  Without them, TensorFlow's own writer at zlib level 1 (~8× faster than level 6 for files
  ~9 % larger; Huffman-only would be faster still but ~24 % larger).
- Both compressors release the GIL, so shards written by parallel threads use every core.
"""
from __future__ import annotations

import math
import os
import queue
import re
import struct
import threading
import zlib
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from .errors import ClaroError

LABEL_KEY = "class"
COMPRESSION_LEVEL = 1  # for zlib (TensorFlow's writer) and for ISA-L alike
SHARD_SUFFIX = ".tfrecord.gz"
#: Extra file-name prefixes accepted when reading other tools' exports (the ACCA notebook's "testing").
SPLIT_ALIASES = {"train": ("train", "training"), "validation": ("validation", "val"), "test": ("test", "testing")}


def band_keys(n_bands: int) -> list[str]:
    return [f"b{i + 1}" for i in range(n_bands)]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class ExampleLayout:
    """Byte layout of an Example with float features `keys`, each of `size` floats.

    Example{features=1: Features{feature=1: map<string, Feature>}}, a map entry being
    {key=1: string, value=2: Feature{float_list=2: FloatList{value=1: packed float}}}.
    Every length is fixed by (keys, size), so the headers are computed once.
    """

    def __init__(self, keys: Sequence[str], size: int) -> None:
        self.keys = list(keys)
        self.size = size
        data_len = 4 * size
        float_list = 1 + len(_varint(data_len)) + data_len                 # FloatList
        feature = 1 + len(_varint(float_list)) + float_list                # Feature
        self.headers = []
        features_len = 0
        for key in self.keys:
            k = key.encode("utf-8")
            entry_len = 1 + len(_varint(len(k))) + len(k) + 1 + len(_varint(feature)) + feature
            header = (b"\x0a" + _varint(entry_len) + b"\x0a" + _varint(len(k)) + k
                      + b"\x12" + _varint(feature) + b"\x12" + _varint(float_list) + b"\x0a" + _varint(data_len))
            self.headers.append(header)
            features_len += 1 + len(_varint(entry_len)) + entry_len
        self.prefix = b"\x0a" + _varint(features_len)

    def serialize(self, planes: np.ndarray) -> bytes:
        """`planes` [len(keys), k, k] (any real dtype) → serialized Example."""
        data = np.ascontiguousarray(planes, dtype="<f4").reshape(len(self.keys), self.size)
        parts = [self.prefix]
        for header, row in zip(self.headers, data):
            parts.append(header)
            parts.append(row.data)
        return b"".join(parts)


def serialize_example(bands: np.ndarray, labels: np.ndarray) -> bytes:
    """bands [C, k, k] + labels [k, k] → a serialized tf.train.Example (b1..bC, class)."""
    k = labels.shape[-1]
    layout = ExampleLayout(band_keys(bands.shape[0]) + [LABEL_KEY], k * k)
    return layout.serialize(np.concatenate([bands.reshape(-1, k, k), labels.reshape(1, k, k)]))


def shard_name(split: str, index: int) -> str:
    return f"{split}-{index:05d}{SHARD_SUFFIX}"


def fast_compressor_available() -> bool:
    """True when ISA-L deflate and a C CRC-32C are importable (see the module docstring)."""
    try:
        import google_crc32c
        from isal import igzip  # noqa: F401
    except ImportError:
        return False
    return google_crc32c.implementation == "c"


def _masked_crc(data) -> int:
    import google_crc32c

    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class _IsalShard:
    """A GZIP TFRecord file written with our framing and ISA-L compression."""

    def __init__(self, path: str, level: int) -> None:
        from isal import igzip

        self._file = igzip.open(path, "wb", compresslevel=min(max(level, 0), 3))

    def write(self, record: bytes) -> None:
        length = struct.pack("<Q", len(record))
        self._file.write(length + struct.pack("<I", _masked_crc(length)))
        self._file.write(record)
        self._file.write(struct.pack("<I", _masked_crc(record)))

    def close(self) -> None:
        self._file.close()


class _TensorFlowShard:
    """A GZIP TFRecord file written by TensorFlow (zlib)."""

    def __init__(self, path: str, level: int) -> None:
        import tensorflow as tf

        self._writer = tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type="GZIP", compression_level=level))

    def write(self, record: bytes) -> None:
        self._writer.write(record)

    def close(self) -> None:
        self._writer.close()


#: Shuffled datasets: a shard holds about this many bytes of patches before compression, so a
#: large split is cut into many small shards (the reader mixes shards; a few big ones in scan
#: order would make its first batches come from the first scene only).
TARGET_SHARD_BYTES = 32 << 20
#: ... and at least this many shards per split (when it has that many patches): the most writer
#: threads. A constant, not the machine's core count, so a seed gives the same shards everywhere.
MIN_SHARDS = 4


def shard_sizes(count: int, record_bytes: int) -> list[int]:
    """Patches per shard of a shuffled split of `count` patches: as equal as possible, about
    TARGET_SHARD_BYTES each, at least MIN_SHARDS shards (fewer only with fewer patches)."""
    if count <= 0:
        return []
    shards = min(count, max(MIN_SHARDS, math.ceil(count * record_bytes / TARGET_SHARD_BYTES)))
    base, extra = divmod(count, shards)
    return [base + (1 if i < extra else 0) for i in range(shards)]


def _split_rng(seed: int, split: str) -> np.random.Generator:
    """One generator per (seed, split): the order of one split does not depend on the others."""
    return np.random.default_rng([seed, zlib.crc32(split.encode("utf-8"))])


class ShardWriter:
    """Writes patches of several splits into GZIP shards with parallel worker threads.

    With a `seed` (what `claro patches` uses), patches are shuffled at write time: they are
    appended, raw, to a spill file per split in the output folder (sequential writes; the
    rasters are still read in scan order), and at `close()` each split is dealt, in a seeded
    random order, into `shard_sizes()` shards, shard i holding a contiguous run of that order.
    Which patch lands where depends only on the seed and the patches, not on the number of
    cores, the RAM or the compressor (ISA-L or zlib: the same records, framed identically).
    The spill files take the split's uncompressed size on disk until `close()` removes them.

    Without a seed, patches are written in the order given, round-robin over one shard per
    worker (`train-0000i.tfrecord.gz` for worker i), as they come.

    Use as a context manager; an exception stops the workers (files are then half-written:
    build inside atomic_folder). `progress(done, total)` is called while the shuffled shards
    are written.
    """

    def __init__(self, folder: str | os.PathLike, n_bands: int, patch_size: int, *, workers: Optional[int] = None,
                 compression_level: int = COMPRESSION_LEVEL, compressor: str = "auto", queue_size: int = 8,
                 seed: Optional[int] = None, progress: Optional[Callable[[int, int], None]] = None) -> None:
        self.folder = Path(folder)
        self.layout = ExampleLayout(band_keys(n_bands) + [LABEL_KEY], patch_size * patch_size)
        self.n_bands, self.patch_size = n_bands, patch_size
        self.workers = max(1, workers or min(MIN_SHARDS, os.cpu_count() or 1))
        self.compression_level = compression_level
        if compressor == "auto":
            compressor = "isal" if fast_compressor_available() else "zlib"
        if compressor not in ("isal", "zlib"):
            raise ValueError(f"unknown compressor {compressor!r}")
        self.compressor = compressor
        self.seed, self._progress = seed, progress
        self._shard_class = _IsalShard if compressor == "isal" else _TensorFlowShard
        if compressor == "zlib":
            import tensorflow  # noqa: F401  (imported here, not first in a worker thread)
        self.counts: dict[str, int] = {}
        self.files: dict[str, list[str]] = {}
        self._spills: dict[str, Any] = {}
        self._queues = [queue.Queue(maxsize=queue_size) for _ in range(self.workers)]
        self._errors: list[BaseException] = []
        self._threads = [threading.Thread(target=self._work, args=(i,), daemon=True, name=f"claro-shard-{i}")
                         for i in range(self.workers)]
        for thread in self._threads:
            thread.start()

    def _work(self, index: int) -> None:
        writers: dict[tuple[str, int], Any] = {}
        jobs = self._queues[index]
        try:
            while True:
                job = jobs.get()
                if job is None:
                    break
                if self._errors:
                    continue  # drain until told to stop
                split, shard, planes, last = job
                if (split, shard) not in writers:
                    writers[split, shard] = self._shard_class(str(self.folder / shard_name(split, shard)),
                                                              self.compression_level)
                writers[split, shard].write(self.layout.serialize(planes))
                if last:
                    writers.pop((split, shard)).close()
        except BaseException as error:  # reported to the caller on its next write or at close
            self._errors.append(error)
            while jobs.get() is not None:
                pass
        finally:
            for writer in writers.values():
                writer.close()

    def write(self, split: str, bands: np.ndarray, labels: np.ndarray) -> None:
        """Queue one patch: bands [C, k, k] (raw values) and labels [k, k] (class values)."""
        if self._errors:
            raise self._errors[0]
        k = self.patch_size
        planes = np.empty((self.n_bands + 1, k, k), dtype="<f4")
        planes[:-1] = bands
        planes[-1] = labels
        self.write_planes(split, planes)

    def write_planes(self, split: str, planes: np.ndarray) -> None:
        """Queue one patch already stacked as float32 [C + 1, k, k] (bands then class)."""
        if self._errors:
            raise self._errors[0]
        n = self.counts.get(split, 0)
        self.counts[split] = n + 1
        if self.seed is not None:
            if split not in self._spills:
                self._spills[split] = open(self._spill_path(split), "wb")
            self._spills[split].write(np.ascontiguousarray(planes, dtype="<f4").data)
            return
        index = n % self.workers
        if index == n:
            self.files.setdefault(split, []).append(shard_name(split, index))
        self._queues[index].put((split, index, planes, False))

    def summary(self) -> dict:
        """dataset.json's "shards", "compression" and "order" for what this writer wrote (call
        after it closed): every job writing a dataset describes its shards the same way."""
        order = ({"shuffled": True, "seed": self.seed, "target_shard_bytes": TARGET_SHARD_BYTES}
                 if self.seed is not None else {"shuffled": False})
        return {"shards": {s: self.files.get(s, []) for s in SPLIT_ALIASES},
                "compression": {"type": "GZIP", "compressor": self.compressor, "level": self.compression_level},
                "order": order}

    def _spill_path(self, split: str) -> Path:
        return self.folder / f".{split}.spill"

    def _write_shuffled(self) -> None:
        """Deal each split's spilled patches, in seeded random order, into its shards; W shards
        (one per worker) are written at a time, their records fed in turn."""
        k = self.patch_size
        record_bytes = 4 * (self.n_bands + 1) * k * k
        total, done = sum(self.counts.values()), 0
        spilled = []
        for split in sorted(self._spills):
            self._spills[split].close()
            count = self.counts[split]
            rows = np.memmap(self._spill_path(split), dtype="<f4", mode="r", shape=(count, self.n_bands + 1, k, k))
            order = _split_rng(self.seed, split).permutation(count)
            sizes = shard_sizes(count, record_bytes)
            starts = np.concatenate([[0], np.cumsum(sizes)])
            self.files[split] = [shard_name(split, i) for i in range(len(sizes))]
            for group in range(0, len(sizes), self.workers):
                shards = range(group, min(group + self.workers, len(sizes)))
                for j in range(max(sizes[s] for s in shards)):
                    for s in shards:
                        if j < sizes[s]:
                            if self._errors:
                                raise self._errors[0]
                            last = j == sizes[s] - 1
                            self._queues[s % self.workers].put((split, s, rows[order[starts[s] + j]], last))
                            done += 1
                    if self._progress is not None and j % 8 == 0:
                        self._progress(done, total)
            spilled.append(rows)
        self._join()  # the workers are done with every row
        del spilled, rows
        for split in self._spills:
            self._spill_path(split).unlink()

    def _end_workers(self) -> None:
        """Tell every worker to finish (after what is queued) and wait for them."""
        for jobs in self._queues:
            jobs.put(None)
        for thread in self._threads:
            thread.join()

    def _join(self) -> None:
        self._end_workers()
        if self._errors:
            raise self._errors[0]

    def _stop(self, error: Optional[BaseException]) -> None:
        """Stop the workers after an error (theirs or the caller's); close the spill files."""
        if error is not None and error not in self._errors:
            self._errors.append(error)  # workers stop writing; the caller's exception wins
        for spill in self._spills.values():
            spill.close()
        self._end_workers()
        for split in self._spills:
            try:
                self._spill_path(split).unlink()
            except OSError:  # already gone, or still mapped (Windows): the caller's folder goes anyway
                pass

    def close(self) -> None:
        try:
            if self._spills:
                self._write_shuffled()
                return
        except BaseException as error:
            self._stop(error)
            raise
        self._join()

    def __enter__(self) -> "ShardWriter":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            self._stop(error)
            return
        self.close()


def split_files(folder: str | os.PathLike, split: str) -> list[str]:
    """Shards of `split` in `folder`, sorted (ours, or an export named training*/testing*)."""
    folder = Path(folder)
    names = set()
    for prefix in SPLIT_ALIASES.get(split, (split,)):
        names.update(p.name for p in folder.glob(f"{prefix}[-_]*.tfrecord.gz"))
        names.update(p.name for p in folder.glob(f"{prefix}[-_]*.tfrecord"))
    return [str(folder / name) for name in sorted(names)]


def shard_paths(folder: str | os.PathLike, split: str, summary: Optional[dict] = None) -> list[str]:
    """Shards of `split`: dataset.json's "shards" lists when it has them (paths relative to the
    folder holding dataset.json, `../` allowed, or absolute: `claro describe` may write
    dataset.json away from a read-only export), else the files named after the split
    (`split_files`). Every reader of a dataset (training, evaluation, `damaged_shard`) goes
    through here, so they all see the same files."""
    folder = Path(folder)
    listed = (summary or {}).get("shards")
    if not isinstance(listed, dict):
        return split_files(folder, split)
    return [os.path.normpath(path if os.path.isabs(path) else folder / path) for path in listed.get(split) or []]


# ---------------------------------------------------------------------------- other tools' files
#
# Exports come with any name (`training_patches_g0.tfrecord.gz`, `…-00003.gz`, no suffix at
# all), compressed or not: the compression is read from the file's first bytes, never its name.

GZIP_MAGIC = b"\x1f\x8b"


def compression_of(path: str | os.PathLike) -> str:
    """"GZIP" when the file starts with the GZIP magic bytes, else "" (TensorFlow's names)."""
    with open(path, "rb") as file:
        return "GZIP" if file.read(2) == GZIP_MAGIC else ""


#: A split "by records" (dataset.json "split": {"method": "records"}) draws each record's place
#: from (seed, file position, record index) with this integer hash, computed the same way in
#: numpy (`claro describe` counting) and in TensorFlow (the reader filtering): no list of record
#: indices is stored, and no random generator's version can change the split.
_HASH_PRIME = 2_147_483_629          # < 2**31: every product below stays inside int64
_HASH_MULTIPLIERS = (1_103_515_245, 214_013, 69_069)


def record_draw(seed: int, file_position: int, record_index):
    """The record's draw in [0, 1): numpy (scalar or array of record indices)."""
    a, b, c = _HASH_MULTIPLIERS
    h = (np.asarray(record_index, np.int64) % _HASH_PRIME * a + (seed % _HASH_PRIME) * b + file_position * c) % _HASH_PRIME
    for _ in range(3):  # a few rounds of multiply-xorshift mod p, to mix consecutive indices
        h = (h ^ (h >> 13)) * a % _HASH_PRIME
    return h / _HASH_PRIME


def record_draw_tf(seed: int, file_position, record_index):
    """`record_draw` in TensorFlow (int64 tensors), for a tf.data filter."""
    import tensorflow as tf

    a, b, c = _HASH_MULTIPLIERS
    p = tf.constant(_HASH_PRIME, tf.int64)
    h = (tf.math.floormod(tf.cast(record_index, tf.int64), p) * a + (seed % _HASH_PRIME) * b
         + tf.cast(file_position, tf.int64) * c)
    h = tf.math.floormod(h, p)
    for _ in range(3):
        h = tf.math.floormod(tf.bitwise.bitwise_xor(h, tf.bitwise.right_shift(h, 13)) * a, p)
    return tf.cast(h, tf.float64) / _HASH_PRIME


def split_of_draw(draw, fractions: Sequence[float]) -> Any:
    """0 (train), 1 (validation) or 2 (test) for draws in [0, 1), given the split's fractions."""
    return np.searchsorted(_split_edges(fractions), draw, side="right")


def _split_edges(fractions: Sequence[float]) -> np.ndarray:
    total = float(sum(fractions)) or 1.0
    return np.cumsum([f / total for f in fractions])[:2]


def record_filter(summary: dict, split: str) -> Optional[Callable]:
    """For a split "by records" (dataset.json "split": {"method": "records", "seed", "fractions"}),
    keep(file_position, record_index) → bool tensor: the record belongs to `split` (the same
    draw as `split_of_draw(record_draw(...))`, which `claro describe` counted with). None for
    every other split method: whole files belong to one split."""
    how = summary.get("split") or {}
    if how.get("method") != "records":
        return None
    if split not in SPLIT_ALIASES:
        raise ValueError(f"unknown split {split!r}")
    if how.get("seed") is None or not how.get("fractions"):
        raise ClaroError("dataset.json splits by records but lacks the split's seed or fractions; "
                         "make it again with 'claro describe'.")
    import tensorflow as tf

    seed, index = int(how["seed"]), list(SPLIT_ALIASES).index(split)
    edges = tf.constant(_split_edges(how["fractions"]), tf.float64)

    def keep(file_position, record_index):
        draw = record_draw_tf(seed, file_position, record_index)
        return tf.equal(tf.reduce_sum(tf.cast(draw >= edges, tf.int64)), index)  # searchsorted(side="right")

    return keep


# ---------------------------------------------------------------------------- reader
#
# TensorFlow's own path: TFRecordDataset, batched tf.io.parse_example, cache, shuffle. A
# hand-written reader (ISA-L inflate threads, numpy decoding) was measured against it on a
# tiny-model training run and was not ≥ 1.3× faster (bench/results.json, bench_pipeline
# "pipeline_bound_training"), so it went.
#
# The order of patches for one seed depends only on the dataset, never on the machine: the
# interleave cycle is fixed (AUTOTUNE would follow the core count), the shuffle buffer is
# fixed by the patch size, and the shard order is shuffled once per seed, so caching a split
# that fits in memory (`_memory_budget`) changes the speed of later epochs, not their order.

#: Shards read at once (the interleave's cycle).
READ_CYCLE = 4
#: Patches parsed per tf.io.parse_example call.
PARSE_BATCH = 64
#: Bytes of decoded patches the shuffle buffer holds at most (whole split when smaller).
SHUFFLE_BUFFER_BYTES = 256 << 20


def shuffle_buffer(patch_size: int, n_bands: int, count: Optional[int]) -> int:
    """Patches in read_split's shuffle buffer: SHUFFLE_BUFFER_BYTES worth of patches, at least
    16, at most the split (its `count` from dataset.json, when known)."""
    bytes_per_patch = 4 * patch_size * patch_size * (n_bands + 1)
    return int(max(16, min(count or 1024, SHUFFLE_BUFFER_BYTES // bytes_per_patch)))


def _memory_budget() -> int:
    """Bytes a decoded split may take to be cached in memory: 2 GiB, at most an eighth of the RAM."""
    budget = 2 << 30
    try:
        return min(budget, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 8)
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows)
        return budget


def feature_spec(n_bands: int, patch_size: int) -> dict:
    """The parsing dictionary, as in the ACCA notebook."""
    import tensorflow as tf

    return {key: tf.io.FixedLenFeature([patch_size, patch_size], tf.float32)
            for key in band_keys(n_bands) + [LABEL_KEY]}


def feature_kinds(summary: dict) -> dict[str, str]:
    """Name → "float" or "int64" for the features dataset.json's source.features lists (`claro
    describe` records every feature's type: Earth Engine writes integer images as int64 lists);
    empty for our own datasets, whose features are all float32."""
    source = summary.get("source") if isinstance(summary.get("source"), dict) else {}
    features = source.get("features") if isinstance(source.get("features"), dict) else {}
    return {name: info["type"] for name, info in features.items() if isinstance(info, dict) and info.get("type") == "int64"}


def number_spec(names: Sequence[str], shape: Sequence[int], kinds: Optional[dict] = None) -> dict:
    """tf.io.parse_example spec reading each feature with its own dtype (int64 when `kinds` says
    so, else float32); `as_floats` then casts what was parsed to float32."""
    import tensorflow as tf

    kinds = kinds or {}
    return {name: tf.io.FixedLenFeature(list(shape), tf.int64 if kinds.get(name) == "int64" else tf.float32)
            for name in names}


def as_floats(parsed: dict) -> dict:
    """Parsed features as float32 (int64 ones cast; float32 ones unchanged)."""
    import tensorflow as tf

    return {name: tf.cast(value, tf.float32) for name, value in parsed.items()}


def _records(files: Sequence[str], positions: Optional[Sequence[int]] = None, keep: Optional[Callable] = None):
    """Records of `files` in a fixed order: READ_CYCLE shards at a time, one record of each in turn.

    Each file's compression is read from its first bytes (`compression_of`), never its name.
    `positions` are the files' places in dataset.json's list (default: their order here), which
    `keep(position, record_index)` (a split by records) draws from: records are numbered within
    their file before the interleave, so the draw does not depend on the reading order."""
    import tensorflow as tf

    files = [str(f) for f in files]
    positions = list(range(len(files))) if positions is None else [int(p) for p in positions]

    def read(name, compression, position):
        records = tf.data.TFRecordDataset(name, compression_type=compression)
        if keep is not None:
            records = records.enumerate().filter(lambda j, _: keep(position, j)).map(lambda _, record: record)
        return records

    slices = tf.data.Dataset.from_tensor_slices((tf.constant(files, dtype=tf.string),
                                                 tf.constant([compression_of(f) for f in files], dtype=tf.string),
                                                 tf.constant(positions, dtype=tf.int64)))
    return slices.interleave(read, cycle_length=max(1, min(len(files), READ_CYCLE)), block_length=1,
                             num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def read_split(folder: str | os.PathLike, split: str, batch_size: int, *, shuffle: bool = False,
               repeat: bool = False, normalise: bool = True, seed: int = 0, used: Optional[dict] = None,
               shard: Optional[tuple[int, int]] = None):
    """tf.data.Dataset of (x float32 [B, k, k, C], y int32 [B, k, k]) for one split.

    y holds the class INDEX (position in dataset.json "classes") and -1 where the pixel is
    ignored (the ignore value, or any value that is not a listed class). Records are parsed
    a batch at a time (tf.io.parse_example; PARSE_BATCH at a time when shuffled or repeated). With `normalise`, x = (x - mean) / std using
    dataset.json's training statistics. With `shuffle`, the shard order (once per seed) and the
    patches (a buffer of `shuffle_buffer` patches, reshuffled each epoch) are shuffled; with
    `repeat`, whole epochs repeat forever (batches stay full). A split that fits in
    `_memory_budget` is cached after its first epoch. `used`, when given, receives
    "shuffle_buffer": how many patches the shuffle draws from (the model card records it: it
    changes what a model learns). `shard` = (i, n) keeps every n-th shard from the i-th, after the
    seeded shuffle of their order: worker i of n's own shards (tf.data's AutoShardPolicy.FILE
    partition, made here because the training pipeline zips in an unshardable seed stream).

    The files are dataset.json's "shards" when listed (`shard_paths`), each file's compression
    read from its bytes; bands and the label ("label", default "class") are parsed by name, each
    as the type source.features gives (`feature_kinds`: int64 cast to float32); a split "by
    records" keeps the records its seeded draw gives the split (`record_filter`).

    A truncated or corrupt shard raises tf.errors.DataLossError while iterating (tf.data cannot
    name the file): `damaged_shard` finds it for the error message.
    """
    import tensorflow as tf

    from .dataset import read_summary

    summary = read_summary(folder)
    keys = list(summary["bands"])
    label_key = summary.get("label") or LABEL_KEY
    k = int(summary["patch_size"])
    class_values = [float(c["value"]) for c in summary["classes"]]
    files = shard_paths(folder, split, summary)
    count = (summary.get("counts") or {}).get(split)
    if not files and count:
        raise ClaroError(f"The {split} shards of {folder} are missing although dataset.json counts {count} patches; "
                         "rebuild the dataset with 'claro patches'.")
    check_shards_exist(folder, files)
    keep = record_filter(summary, split)
    positions = list(range(len(files)))
    if normalise:
        stats = summary.get("statistics") or {}
        if not stats.get("mean"):
            raise ClaroError(f"{folder}/dataset.json has no band statistics to normalise with; rebuild it with 'claro patches'.")
        mean = tf.constant(stats["mean"], tf.float32)
        std = np.asarray(stats["std"], dtype=np.float32)
        scale = tf.constant(1.0 / np.where(std > 0, std, 1.0), tf.float32)
    # Bands by NAME: an export stores its features in any order, and the features not asked
    # for (Earth Engine's `system:index` bytes, integer properties) are skipped by parse_example.
    # Each with its own type (an integer image's band or label is int64), then as float32.
    spec = number_spec(keys + [label_key], [k, k], feature_kinds(summary))

    def parse(serialized):
        features = as_floats(tf.io.parse_example(serialized, spec))
        x = tf.stack([features[key] for key in keys], axis=-1)
        label = features[label_key]
        y = tf.fill(tf.shape(label), tf.constant(-1, tf.int32))
        for index, value in enumerate(class_values):
            y = tf.where(tf.equal(label, value), tf.constant(index, tf.int32), y)
        return x, y

    buffer = shuffle_buffer(k, len(keys), count)
    if used is not None:
        used["shuffle_buffer"] = buffer if shuffle else None
    cache = bool(count) and count * 4 * k * k * (len(keys) + 1) <= _memory_budget()
    if shuffle and len(files) > 1:
        positions = [int(i) for i in np.random.default_rng(seed).permutation(len(files))]
    if shard is not None:
        positions = positions[shard[0]::shard[1]]
    files = [files[i] for i in positions]
    if shuffle or repeat:  # patch by patch, so epochs run on across batches and batches stay full
        patches = _records(files, positions, keep).batch(PARSE_BATCH).map(parse, num_parallel_calls=tf.data.AUTOTUNE).unbatch()
        patches = patches.cache() if cache else patches
        if shuffle:
            patches = patches.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
        batches = (patches.repeat() if repeat else patches).batch(batch_size)
    else:  # one pass in shard order (evaluation): the batches are parsed as they are, ~1.6× faster
        batches = _records(files, positions, keep).batch(batch_size).map(parse, num_parallel_calls=tf.data.AUTOTUNE)
        batches = batches.cache() if cache else batches
    if normalise:
        batches = batches.map(lambda x, y: ((x - mean) * scale, y), num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE)


def check_shards_exist(folder: str | os.PathLike, files: Sequence[str]) -> None:
    """A shard dataset.json lists but the disk lacks is one sentence, not TensorFlow's NotFoundError."""
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ClaroError(f"The shard {missing[0]}{more} listed in {Path(folder) / 'dataset.json'} does not exist; "
                         "put the shards back or make dataset.json again ('claro patches', or 'claro describe' "
                         "for another tool's export).")


def dataset_shards(folder: str | os.PathLike) -> list[str]:
    """Every shard of a dataset once, split by split (a split by records lists the same files
    in each split)."""
    from .dataset import read_summary

    try:
        summary: Optional[dict] = read_summary(folder)
    except ClaroError:
        summary = None
    paths: dict[str, None] = {}
    for split in SPLIT_ALIASES:
        paths.update(dict.fromkeys(shard_paths(folder, split, summary)))
    return list(paths)


def damaged_shard(folder: str | os.PathLike) -> Optional[tuple[str, str]]:
    """(path, TensorFlow's reason) of the first shard of `folder` that cannot be read whole, or
    None. Reads every shard: for the error path, after tf.data reported a DataLossError."""
    import tensorflow as tf

    for path in dataset_shards(folder):
        if not os.path.isfile(path):
            continue
        try:
            for _ in _records([path]):
                pass
        except tf.errors.DataLossError as error:
            return path, data_loss_reason(error)
    return None


def data_loss_reason(error) -> str:
    """TensorFlow's reason of a DataLossError without its op wrappers, e.g. 'corrupted record at 3330'."""
    text = re.sub(r"\{\{[^}]*\}\}\s*", "", str(getattr(error, "message", "") or error)).split(" [Op:")[0]
    return (text.splitlines() or [""])[0].replace("'", "").strip().rstrip(".")
