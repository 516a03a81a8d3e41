"""TFRecord patches in the Earth Engine / ACCA schema: writer and tf.data reader.

Schema: one `tf.train.Example` per patch with float32 features `b1` … `bN` and `class`, each
of shape [k, k] (row-major), in GZIP shards `train-00000.tfrecord.gz`, `validation-…`,
`test-…`. That is what Earth Engine exports and the ACCA notebook parses with
`tf.io.FixedLenFeature([k, k], tf.float32)`.

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
import struct
import threading
import zlib
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

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

    def _join(self) -> None:
        for jobs in self._queues:
            jobs.put(None)
        for thread in self._threads:
            thread.join()
        if self._errors:
            raise self._errors[0]

    def _stop(self, error: Optional[BaseException]) -> None:
        """Stop the workers after an error (theirs or the caller's); close the spill files."""
        if error is not None and error not in self._errors:
            self._errors.append(error)  # workers stop writing; the caller's exception wins
        for spill in self._spills.values():
            spill.close()
        for jobs in self._queues:
            jobs.put(None)
        for thread in self._threads:
            thread.join()
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


# ---------------------------------------------------------------------------- fast reader
#
# Why: TensorFlow inflates GZIP shards with zlib, one shard per thread, and that alone was the
# reader's ceiling (about the notebook's rate). ISA-L inflates ~1.5-2× faster and releases the
# GIL, and records in our own fixed layout (ExampleLayout) need no protobuf parsing: the float
# planes sit at known offsets. So, when ISA-L is installed, shards are inflated and framed here,
# one thread per shard, and decoded with numpy:
# - a split that fits in memory (`_memory_budget`) and whose shards are whole (their GZIP
#   trailers give the record counts) is decoded once, each record straight into its row of one
#   array, handed to TensorFlow without a copy (DLPack) and batched by index: no per-batch
#   Python, and later epochs cost no inflating at all (memory on this machine is slow enough
#   that every copy of a batch shows);
# - a larger split streams: decoded patches cross into tf.data a whole batch at a time.
# Anything else (no ISA-L, uncompressed shards, another tool's Example layout) goes through
# TFRecordDataset + tf.io.parse_example.

#: Shards read at once (like the TF path's interleave cycle).
READ_CYCLE = 4


def _masked_crc_ok(data: bytes, stored: bytes) -> bool:
    return struct.pack("<I", _masked_crc(data)) == stored


def iter_records(path: str) -> Iterator[bytes]:
    """The records of one GZIP TFRecord shard, inflated by ISA-L, lengths and CRCs checked.

    A truncated or corrupt shard raises ClaroError (one sentence) instead of yielding less.
    """
    from isal import igzip

    def broken(what: str) -> ClaroError:
        return ClaroError(f"The shard {path} is {what}; rebuild the dataset with 'claro patches'.")

    try:
        with igzip.open(path, "rb") as stream:
            while True:
                head = stream.read(12)
                if not head:
                    return
                if len(head) < 12 or not _masked_crc_ok(head[:8], head[8:]):
                    raise broken("truncated or corrupt (a record header is cut or fails its checksum)")
                (length,) = struct.unpack("<Q", head[:8])
                data = stream.read(length)
                crc = stream.read(4)
                if len(data) < length or len(crc) < 4:
                    raise broken("truncated (its last record is cut)")
                if not _masked_crc_ok(data, crc):
                    raise broken("corrupt (a record fails its checksum)")
                yield data
    except (EOFError, OSError, ValueError) as error:  # GZIP stream cut or damaged
        raise broken(f"truncated or corrupt ({error})") from None


class PatchDecoder:
    """Decodes records in our ExampleLayout into x float32 [k, k, C] and y int32 [k, k] (class
    index, -1 ignored) with numpy; `matches(record)` says whether a record has that layout."""

    def __init__(self, keys: Sequence[str], patch_size: int, class_values: Sequence[float]) -> None:
        self.layout = ExampleLayout(list(keys) + [LABEL_KEY], patch_size * patch_size)
        self.k, self.n_bands = patch_size, len(keys)
        self.class_values = [np.float32(v) for v in class_values]
        self.pieces, self.offsets = [(0, self.layout.prefix)], []
        position = len(self.layout.prefix)
        for header in self.layout.headers:
            self.pieces.append((position, header))
            position += len(header)
            self.offsets.append(position)
            position += 4 * patch_size * patch_size
        self.length = position

    def matches(self, record: bytes) -> bool:
        return len(record) == self.length and all(record[p:p + len(h)] == h for p, h in self.pieces)

    def decode(self, record: bytes) -> tuple[np.ndarray, np.ndarray]:
        x, y = np.empty((self.k, self.k, self.n_bands), np.float32), np.empty((self.k, self.k), np.int32)
        self.decode_into(record, x, y)
        return x, y

    def decode_into(self, record: bytes, x: np.ndarray, y: np.ndarray) -> None:
        """Decode straight into x [k, k, C] and y [k, k] (e.g. rows of a whole split's arrays)."""
        k, c = self.k, self.n_bands
        for band, offset in enumerate(self.offsets[:c]):
            x[..., band] = np.frombuffer(record, "<f4", k * k, offset).reshape(k, k)
        label = np.frombuffer(record, "<f4", k * k, self.offsets[c]).reshape(k, k)
        y.fill(-1)
        for index, value in enumerate(self.class_values):
            y[label == value] = index


def fast_reader_available(files: Sequence[str]) -> bool:
    """ISA-L and a C CRC-32C installed, and every shard GZIP (the only kind ISA-L reads)."""
    return bool(files) and all(f.endswith(".gz") for f in files) and fast_compressor_available()


_END = object()


def _shard_worker(path: str, decoder: PatchDecoder, out: "queue.Queue", stop: threading.Event) -> None:
    """Thread: decode one shard's records onto `out`, then _END (or the exception)."""
    def put(item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    try:
        for index, record in enumerate(iter_records(path)):
            if not decoder.matches(record):
                raise ClaroError(f"Record {index} of {path} is not laid out like the dataset's other patches; "
                                 "rebuild the dataset with 'claro patches'.")
            if not put(decoder.decode(record)):
                return
        put(_END)
    except BaseException as error:  # handed to the consumer, which raises it
        put(error)


def _interleaved(files: Sequence[str], decoder: PatchDecoder, stop: threading.Event) -> Iterator[tuple]:
    """Decoded patches of `files`, READ_CYCLE shards at a time, one record from each in turn
    (the order of tf.data's deterministic interleave with block_length 1)."""
    pending = list(files)[::-1]

    def start(path: str) -> "queue.Queue":
        out: queue.Queue = queue.Queue(maxsize=8)
        threading.Thread(target=_shard_worker, args=(path, decoder, out, stop), daemon=True,
                         name="claro-read-shard").start()
        return out

    slots = [start(pending.pop()) for _ in range(min(READ_CYCLE, len(pending)))]
    i = 0
    while slots:
        item = slots[i].get()
        if item is _END:
            if pending:
                slots[i] = start(pending.pop())
            else:
                del slots[i]
                i = i % len(slots) if slots else 0
            continue
        if isinstance(item, BaseException):
            raise item
        yield item
        i = (i + 1) % len(slots)


def _fast_batches(files: Sequence[str], decoder: PatchDecoder, batch_size: int, shuffle: bool, repeat: bool,
                  seed: int, buffer: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Batches (x, y) as numpy, with the TF path's semantics: per epoch, shard order and
    patches shuffled (seeded, a buffer of `buffer` patches, reshuffled each epoch), epochs
    repeated before batching so batches stay full."""
    rng = np.random.default_rng(seed)
    stop = threading.Event()
    batch: list = []

    def patches_of_one_epoch() -> Iterator[tuple]:
        order = [files[i] for i in rng.permutation(len(files))] if shuffle and len(files) > 1 else list(files)
        source = _interleaved(order, decoder, stop)
        if not shuffle:
            yield from source
            return
        pool: list = []
        for patch in source:
            if len(pool) < buffer:
                pool.append(patch)
                continue
            j = int(rng.integers(len(pool)))
            yield pool[j]
            pool[j] = patch
        while pool:
            j = int(rng.integers(len(pool)))
            pool[j], pool[-1] = pool[-1], pool[j]
            yield pool.pop()

    try:
        while True:
            empty = True
            for patch in patches_of_one_epoch():
                empty = False
                batch.append(patch)
                if len(batch) == batch_size:
                    yield np.stack([p[0] for p in batch]), np.stack([p[1] for p in batch])
                    batch = []
            if not repeat or empty:
                break
        if batch:
            yield np.stack([p[0] for p in batch]), np.stack([p[1] for p in batch])
    finally:
        stop.set()  # the consumer stopped (take(n), an error): let the shard threads end


def _memory_budget() -> int:
    """Bytes a decoded split may take to be held in memory: 2 GiB, at most an eighth of the RAM."""
    budget = 2 << 30
    try:
        return min(budget, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 8)
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows)
        return budget


def _shard_counts(files: Sequence[str], record_length: int) -> Optional[list[int]]:
    """Records per shard, from each GZIP trailer's ISIZE (the inflated size, mod 2**32), when
    every shard is a whole number of our fixed-length framed records; None otherwise."""
    counts = []
    for path in files:
        with open(path, "rb") as f:
            if f.seek(0, os.SEEK_END) < 18:  # shorter than an empty GZIP member
                return None
            f.seek(-4, os.SEEK_END)
            (size,) = struct.unpack("<I", f.read(4))
        framed = record_length + 16  # length, its CRC, the record, its CRC
        if size % framed:
            return None
        counts.append(size // framed)
    return counts


def _interleaved_positions(counts: Sequence[int]) -> list[list[int]]:
    """positions[i][j]: where record j of shard i comes in `_interleaved`'s order."""
    positions: list[list[int]] = [[] for _ in counts]
    pending = list(range(len(counts)))[::-1]
    slots = [pending.pop() for _ in range(min(READ_CYCLE, len(pending)))]
    i = position = 0
    while slots:
        shard = slots[i]
        if len(positions[shard]) == counts[shard]:
            if pending:
                slots[i] = pending.pop()
            else:
                del slots[i]
                i = i % len(slots) if slots else 0
            continue
        positions[shard].append(position)
        position += 1
        i = (i + 1) % len(slots)
    return positions


def _aligned(shape: tuple, dtype) -> np.ndarray:
    """An empty array starting on a 64-byte boundary, as TensorFlow needs to share its buffer."""
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    block = np.empty(size + 64, np.uint8)
    start = -block.ctypes.data % 64
    return block[start:start + size].view(dtype).reshape(shape)


def _load_split(files: Sequence[str], counts: Sequence[int], decoder: PatchDecoder) -> tuple[np.ndarray, np.ndarray]:
    """A whole split decoded into x [N, k, k, C], y [N, k, k], in `_interleaved`'s order: one
    thread per shard (ISA-L releases the GIL), each record decoded straight into its row."""
    from concurrent.futures import ThreadPoolExecutor

    k, c = decoder.k, decoder.n_bands
    x, y = _aligned((sum(counts), k, k, c), np.float32), _aligned((sum(counts), k, k), np.int32)
    positions = _interleaved_positions(counts)

    def load(shard: int) -> None:
        path, rows = files[shard], positions[shard]
        n = 0
        for n, record in enumerate(iter_records(path), 1):
            if n > len(rows) or not decoder.matches(record):
                raise ClaroError(f"Record {n - 1} of {path} is not laid out like the dataset's other patches; "
                                 "rebuild the dataset with 'claro patches'.")
            decoder.decode_into(record, x[rows[n - 1]], y[rows[n - 1]])
        if n < len(rows):
            raise ClaroError(f"The shard {path} is truncated (it holds {n} of its {len(rows)} records); "
                             "rebuild the dataset with 'claro patches'.")

    with ThreadPoolExecutor(max(1, min(len(files), os.cpu_count() or 1)), thread_name_prefix="claro-load-shard") as pool:
        for _ in pool.map(load, range(len(files))):  # re-raises a shard's error
            pass
    return x, y


def _as_tensor(array: np.ndarray):
    """The array as a tensor sharing its memory (DLPack): tf.convert_to_tensor would copy a
    whole split. TensorFlow needs the buffer 64-byte aligned, as `_aligned` makes it."""
    import tensorflow as tf

    if array.ctypes.data % 64 or not array.flags.c_contiguous:
        return tf.convert_to_tensor(array)
    return tf.experimental.dlpack.from_dlpack(array.__dlpack__())


def _first_record(path: str) -> Optional[bytes]:
    return next(iter_records(path), None)


def feature_spec(n_bands: int, patch_size: int) -> dict:
    """The parsing dictionary, as in the ACCA notebook."""
    import tensorflow as tf

    return {key: tf.io.FixedLenFeature([patch_size, patch_size], tf.float32)
            for key in band_keys(n_bands) + [LABEL_KEY]}


#: memory the streaming reader's shuffle buffer may fill (a split held in memory is shuffled whole)
SHUFFLE_BUFFER_BYTES = 256 << 20


def read_split(folder: str | os.PathLike, split: str, batch_size: int, *, shuffle: bool = False,
               repeat: bool = False, normalise: bool = True, seed: int = 0, used: Optional[dict] = None):
    """tf.data.Dataset of (x float32 [B, k, k, C], y int32 [B, k, k]) for one split.

    y holds the class INDEX (position in dataset.json "classes") and -1 where the pixel is
    ignored (the ignore value, or any value that is not a listed class). Whole batches are
    parsed at once (batch, then tf.io.parse_example). With `normalise`, x = (x - mean) / std
    using dataset.json's training statistics. With `shuffle`, shard order and patches are
    shuffled (seeded); with `repeat`, the data repeats forever (batches stay full). `used`, when
    given, receives "shuffle_buffer": how many patches the shuffle draws from (the model card
    records it: it changes what a model learns).

    Our own GZIP shards are read by the fast reader above when ISA-L is installed (same
    content and, unshuffled, the same order; a split that fits in memory is decoded here, at
    once, so a damaged shard raises ClaroError from this call); other shards by
    TFRecordDataset + parse_example.
    """
    import tensorflow as tf

    from .dataset import read_summary

    summary = read_summary(folder)
    keys = list(summary["bands"])
    k = int(summary["patch_size"])
    class_values = [float(c["value"]) for c in summary["classes"]]
    files = split_files(folder, split)
    count = (summary.get("counts") or {}).get(split)
    if not files and count:
        raise ClaroError(f"The {split} shards of {folder} are missing although dataset.json counts {count} patches; "
                         "rebuild the dataset with 'claro patches'.")
    spec = {key: tf.io.FixedLenFeature([k, k], tf.float32) for key in keys + [LABEL_KEY]}

    if normalise:
        stats = summary.get("statistics") or {}
        if not stats.get("mean"):
            raise ClaroError(f"{folder}/dataset.json has no band statistics to normalise with; rebuild it with 'claro patches'.")
        mean = tf.constant(stats["mean"], tf.float32)
        std = np.asarray(stats["std"], dtype=np.float32)
        scale = tf.constant(1.0 / np.where(std > 0, std, 1.0), tf.float32)

    def parse(serialized):
        features = tf.io.parse_example(serialized, spec)
        x = tf.stack([features[key] for key in keys], axis=-1)
        if normalise:
            x = (x - mean) * scale
        label = features[LABEL_KEY]
        y = tf.fill(tf.shape(label), tf.constant(-1, tf.int32))
        for index, value in enumerate(class_values):
            y = tf.where(tf.equal(label, value), tf.constant(index, tf.int32), y)
        return x, y

    bytes_per_patch = 4 * k * k * (len(keys) + 1)
    buffer = int(max(16, min(count or 1024, SHUFFLE_BUFFER_BYTES // bytes_per_patch)))
    if used is not None:
        used["shuffle_buffer"] = buffer if shuffle else None
    decoder = PatchDecoder(keys, k, class_values)
    if fast_reader_available(files) and all(r is None or decoder.matches(r) for r in map(_first_record, files)):
        counts = _shard_counts(files, decoder.length)
        if counts is not None and 0 < sum(counts) == count and count * bytes_per_patch <= _memory_budget():
            x, y = (_as_tensor(a) for a in _load_split(files, counts, decoder))
            index = tf.data.Dataset.range(count)
            if shuffle:
                index = index.shuffle(count, seed=seed, reshuffle_each_iteration=True)
                if used is not None:
                    used["shuffle_buffer"] = count
            if repeat:
                index = index.repeat()

            def gather(i):
                batch = tf.gather(x, i)
                return ((batch - mean) * scale if normalise else batch), tf.gather(y, i)

            return index.batch(batch_size).map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
        signature = (tf.TensorSpec([None, k, k, len(keys)], tf.float32), tf.TensorSpec([None, k, k], tf.int32))
        batches = tf.data.Dataset.from_generator(
            lambda: _fast_batches(files, decoder, batch_size, shuffle, repeat, seed, buffer), output_signature=signature)
        if normalise:
            batches = batches.map(lambda x, y: ((x - mean) * scale, y), num_parallel_calls=tf.data.AUTOTUNE)
        return batches.prefetch(tf.data.AUTOTUNE)

    file_names = tf.data.Dataset.from_tensor_slices(tf.constant(files, dtype=tf.string))
    if shuffle and len(files) > 1:
        file_names = file_names.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)
    records = file_names.interleave(lambda name: tf.data.TFRecordDataset(name, compression_type="GZIP"),
                                    cycle_length=max(1, min(len(files), 4)), block_length=1,
                                    num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if shuffle:
        records = records.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        records = records.repeat()
    batches = records.batch(batch_size).map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE)
