"""Input-pipeline benchmarks of issue 3.

1. Reader: batches/s of `records.read_split`, the time to build the dataset included (with ISA-L
   installed: shards inflated by ISA-L, one thread per shard, records in our layout decoded with
   numpy; a split this size is decoded whole into memory and batched by index. Also measured: the
   streaming way of larger splits, and the TensorFlow fallback, TFRecordDataset then
   tf.io.parse_example on whole batches)
   vs the ACCA notebook's pipeline (tf.io.parse_single_example per record, num_parallel_calls=5,
   to_tuple stack/transpose, then batch) on the same GZIP shards: patches of 128² from the 30 real
   Amazon tiles, 3 bands. Both read raw values (training normalises inside the model). Goal ≥ 2×.
2. Training: steps/s of `model.fit` fed by Claro's training pipeline (train.training_batches:
   shuffled, augmented, repeated) vs the same batches held in memory as tensors. Model: the
   accuracy recipe's U-Net (base 16, depth 4), batch 16. Goal ≥ 0.9.

The 2 cores are shared, so the two sides alternate and the median of several rounds is kept.
Run: `make bench` (bench/run.py calls run()), or `python bench/bench_pipeline.py [--quick]`.
"""
from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CLARO_SHARED_DATA", ROOT.parent / "shared" / "data")) / "amazon-forest"
CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"


def make_patches(out: Path, tiles: list[str], patch_size: int = 128, split=(0.8, 0.2, 0.0)) -> Path:
    """A Claro patch dataset from Amazon tiles (by name), with `claro patches` itself."""
    from claro.backend import patches
    from claro.backend.params import PatchParams
    from claro.backend.progress import Progress

    params = PatchParams(images=[str(SHARED / "images" / t) for t in tiles], labels=[str(SHARED / "masks" / t) for t in tiles],
                         out=str(out), patch_size=patch_size, split=tuple(split), classes=CLASSES)
    patches.run(params, Progress("json", stream=io.StringIO()))
    return out


def all_tiles() -> list[str]:
    return sorted(p.name for p in (SHARED / "images").glob("*.tif"))


def notebook_pipeline(folder: Path, split: str, batch_size: int, bands: list[str], k: int, shuffle: int | None = None):
    """The ACCA notebook's get_patch_from_path, verbatim in substance; `shuffle`: the seed of its
    shuffle(1000), None for none."""
    import tensorflow as tf

    features = bands + ["class"]
    columns = [tf.io.FixedLenFeature(shape=[k, k], dtype=tf.float32) for _ in features]
    features_dict = dict(zip(features, columns))

    def parse_tfrecord(example_proto):
        return tf.io.parse_single_example(example_proto, features_dict)

    def to_tuple(inputs):
        stacked = tf.stack([inputs.get(key) for key in features], axis=0)
        stacked = tf.transpose(stacked, [1, 2, 0])
        return stacked[:, :, :len(bands)], stacked[:, :, len(bands):]

    files = tf.io.gfile.glob(str(folder / f"{split}*"))
    dataset = tf.data.TFRecordDataset(files, compression_type="GZIP")
    dataset = dataset.map(parse_tfrecord, num_parallel_calls=5)
    dataset = dataset.map(to_tuple, num_parallel_calls=5)
    if shuffle is not None:
        dataset = dataset.shuffle(1000, seed=shuffle)
    return dataset.batch(batch_size)


def batches_per_second(make_dataset) -> float:
    start = time.perf_counter()
    n = 0
    for _ in make_dataset():
        n += 1
    return n / (time.perf_counter() - start)


def reader_benchmark(folder: Path, rounds: int, batch_size: int = 16) -> dict:
    from claro.backend import records
    from claro.backend.dataset import read_summary

    summary = read_summary(folder)
    ours = lambda: records.read_split(folder, "train", batch_size, normalise=False)  # noqa: E731
    notebook = lambda: notebook_pipeline(folder, "train", batch_size, summary["bands"], summary["patch_size"])  # noqa: E731
    files = records.split_files(folder, "train")

    def tf_path():  # read_split as it reads without ISA-L (or another tool's shards)
        available = records.fast_compressor_available
        records.fast_compressor_available = lambda: False
        try:
            return records.read_split(folder, "train", batch_size, normalise=False)
        finally:
            records.fast_compressor_available = available

    def streamed():  # read_split as it reads a split too large for memory
        budget = records._memory_budget
        records._memory_budget = lambda: 0
        try:
            return records.read_split(folder, "train", batch_size, normalise=False)
        finally:
            records._memory_budget = budget

    def gzip_only():  # decompression alone, batched like the others: the ceiling of both readers
        import tensorflow as tf

        return tf.data.TFRecordDataset(files, compression_type="GZIP").batch(batch_size)

    batches_per_second(ours), batches_per_second(notebook)  # warm the file cache and tracing
    a, b, c, d, e = [], [], [], [], []
    for _ in range(rounds):
        a.append(batches_per_second(ours))
        b.append(batches_per_second(notebook))
        c.append(batches_per_second(gzip_only))
        d.append(batches_per_second(tf_path))
        e.append(batches_per_second(streamed))
    ours_rate, notebook_rate = statistics.median(a), statistics.median(b)
    return {"patches": summary["counts"]["train"], "patch_size": summary["patch_size"], "bands": len(summary["bands"]),
            "batch_size": batch_size, "claro_batches_per_s": round(ours_rate, 2),
            "notebook_batches_per_s": round(notebook_rate, 2), "ratio": round(ours_rate / notebook_rate, 2),
            "gzip_read_only_batches_per_s": round(statistics.median(c), 2),
            "claro_tf_path_batches_per_s": round(statistics.median(d), 2),
            "claro_streamed_batches_per_s": round(statistics.median(e), 2),
            "fast_reader": records.fast_reader_available(files), "shards": len(files),
            "goal": ">= 2", "rounds": rounds}


class _StepTimer:
    """Keras callback: wall time of each epoch after the first (tracing, warm-up)."""

    def __new__(cls):
        import keras

        class Timer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.times = []

            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self.start)

        return Timer()


def training_benchmark(folder: Path, rounds: int, steps: int, batch_size: int = 16) -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    from claro.backend import losses, train
    from claro.backend.dataset import read_summary
    from claro.backend.model import build_unet

    summary = read_summary(folder)
    mean, std = train.band_statistics(summary)
    keras.utils.set_random_seed(0)
    model = build_unet(len(mean), 2, depth=4, base_filters=16, mean=mean, std=std)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=losses.MaskedCrossEntropy(2),
                  metrics=[losses.ConfusionMatrixMetric(2)])

    pipeline = train.training_batches(str(folder), batch_size, augment=True, seed=0)
    # The same batches (one pass of the pipeline) as tensors in memory, repeated.
    held = list(pipeline.take(steps))
    xs = tf.constant(np.stack([x.numpy() for x, _ in held]))
    ys = tf.constant(np.stack([y.numpy() for _, y in held]))
    memory = tf.data.Dataset.from_tensor_slices((xs, ys)).repeat()

    def rate(data) -> float:
        timer = _StepTimer()
        model.fit(data, epochs=2, steps_per_epoch=steps, callbacks=[timer], shuffle=False, verbose=0)
        return steps / timer.times[-1]

    rate(memory)  # trace the train step once
    a, b = [], []
    for _ in range(rounds):
        a.append(rate(pipeline))
        b.append(rate(memory))
    ours, in_memory = statistics.median(a), statistics.median(b)
    return {"model": "U-Net base 16 depth 4", "batch_size": batch_size, "steps_per_round": steps,
            "pipeline_steps_per_s": round(ours, 3), "in_memory_steps_per_s": round(in_memory, 3),
            "ratio": round(ours / in_memory, 3), "goal": ">= 0.9", "augmentation": True, "rounds": rounds}


def tensorflow_read_split(folder: Path, split: str, batch_size: int, *, shuffle: bool = False, repeat: bool = False,
                          normalise: bool = True, seed: int = 0):
    """What TensorFlow does well, as a drop-in for records.read_split (same arguments, same
    batches): TFRecordDataset (parallel reads) → batch → batched tf.io.parse_example (parallel
    map) → stack to x [B, k, k, C], y [B, k, k] (class index) → unbatch → cache → shuffle of the
    whole split, reshuffled each epoch → repeat → batch → prefetch.

    Why cache unbatched patches, then shuffle and batch: later epochs only shuffle and copy
    cached tensors (no inflating, no parsing), and every epoch is a new uniform shuffle of the
    whole split with new batch members, as in Claro's reader. Caching parsed batches and
    shuffling whole batches would be a little cheaper per epoch but keeps the same patches
    together in every epoch, which is not the same training."""
    import numpy as np
    import tensorflow as tf

    from claro.backend import records
    from claro.backend.dataset import read_summary

    summary = read_summary(folder)
    keys, k = list(summary["bands"]), int(summary["patch_size"])
    class_values = [float(c["value"]) for c in summary["classes"]]
    count = int(summary["counts"][split])
    spec = {key: tf.io.FixedLenFeature([k, k], tf.float32) for key in keys + [records.LABEL_KEY]}

    def parse(serialized):
        features = tf.io.parse_example(serialized, spec)
        x = tf.stack([features[key] for key in keys], axis=-1)
        label = features[records.LABEL_KEY]
        y = tf.fill(tf.shape(label), tf.constant(-1, tf.int32))
        for index, value in enumerate(class_values):
            y = tf.where(tf.equal(label, value), tf.constant(index, tf.int32), y)
        return x, y

    files = records.split_files(folder, split)
    patches = (tf.data.TFRecordDataset(files, compression_type="GZIP", num_parallel_reads=tf.data.AUTOTUNE)
               .batch(64).map(parse, num_parallel_calls=tf.data.AUTOTUNE).unbatch().cache())
    if shuffle:
        patches = patches.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        patches = patches.repeat()
    batches = patches.batch(batch_size)
    if normalise:
        stats = summary["statistics"]
        std = np.asarray(stats["std"], np.float32)
        mean, scale = tf.constant(stats["mean"], tf.float32), tf.constant(1 / np.where(std > 0, std, 1), tf.float32)
        batches = batches.map(lambda x, y: ((x - mean) * scale, y), num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE)


def pipeline_bound_training(folder: Path, runs: int, epochs: int, batch_size: int = 16) -> dict:
    """Claro's reader vs TensorFlow's (tensorflow_read_split) where the reader dominates: a tiny
    U-Net (depth 2, 4 base filters) fit for `epochs` epochs on train.training_batches (shuffled,
    augmented, repeated: as `claro train` feeds it), read_split being Claro's or TensorFlow's.
    Each run builds the pipeline (reading the shards included) and fits one shared model (traced
    once, before timing). The sides alternate A B C A B C … so shared-core load hits them alike;
    the 1-minute load average at each run's start is recorded (other jobs on the 2 cores make
    single runs noisy). C is the floor: the same augmentation fed from batches held in memory.
    Reported: per run, the total time (pipeline built + all epochs) and the median epoch time
    after the first; the median and spread of the per-round ratios TensorFlow time / Claro time
    (> 1: Claro's reader faster)."""
    import keras

    from claro.backend import losses, records, train
    from claro.backend.dataset import read_summary
    from claro.backend.model import build_unet

    summary = read_summary(folder)
    mean, std = train.band_statistics(summary)
    steps = -(-int(summary["counts"]["train"]) // batch_size)
    claro_read_split = records.read_split

    keras.utils.set_random_seed(0)
    model = build_unet(len(mean), 2, depth=2, base_filters=4, mean=mean, std=std)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=losses.MaskedCrossEntropy(2))
    loads = []

    def one_run(reader) -> tuple[float, float]:
        # One model for every run: its train step is traced once (in the warm-up), not timed.
        timer = _StepTimer()
        loads.append(os.getloadavg()[0])
        records.read_split = reader
        try:
            start = time.perf_counter()
            data = train.training_batches(str(folder), batch_size, augment=True, seed=0)
            model.fit(data, epochs=epochs, steps_per_epoch=steps, callbacks=[timer], shuffle=False, verbose=0)
            total = time.perf_counter() - start
        finally:
            records.read_split = claro_read_split
        return total, statistics.median(timer.times[1:])

    import numpy as np
    import tensorflow as tf

    held = list(train.training_batches(str(folder), batch_size, augment=True, seed=0).take(steps))
    xs, ys = tf.constant(np.stack([x.numpy() for x, _ in held])), tf.constant(np.stack([y.numpy() for _, y in held]))

    def in_memory(*args, **kwargs):  # the floor: one epoch of batches already in memory (augmented again)
        return tf.data.Dataset.from_tensor_slices((xs, ys)).repeat()

    sides = {"claro": claro_read_split, "tensorflow": tensorflow_read_split, "in_memory": in_memory}
    one_run(claro_read_split), one_run(tensorflow_read_split)  # warm the file cache, imports and tracing
    times: dict[str, list] = {name: [] for name in sides}
    for _ in range(runs):
        for name, reader in sides.items():
            times[name].append(one_run(reader))

    # The pipelines alone (no model), the same epochs: the most the reader can matter.
    def pipeline_only(reader) -> tuple[float, float]:
        records.read_split = reader
        try:
            start = time.perf_counter()
            iterator = iter(train.training_batches(str(folder), batch_size, augment=True, seed=0))
            ends = []
            for _ in range(epochs):
                for _ in range(steps):
                    next(iterator)
                ends.append(time.perf_counter())
        finally:
            records.read_split = claro_read_split
        return ends[-1] - start, statistics.median(b - a for a, b in zip(ends, ends[1:]))

    alone: dict[str, list] = {"claro": [], "tensorflow": []}
    for _ in range(runs):
        for name in alone:
            alone[name].append(pipeline_only(sides[name]))

    def ratios(i: int, times=times) -> dict:
        r = [t[i] / c[i] for t, c in zip(times["tensorflow"], times["claro"])]
        return {"median": round(statistics.median(r), 3), "min": round(min(r), 3), "max": round(max(r), 3),
                "each": [round(v, 3) for v in r]}

    def seconds(name: str, i: int, times=times) -> list:
        return [round(t[i], 3) for t in times[name]]

    return {"model": "U-Net depth 2, base filters 4", "batch_size": batch_size, "epochs": epochs, "steps_per_epoch": steps,
            "patches": int(summary["counts"]["train"]), "shards": len(records.split_files(folder, "train")),
            "fast_reader": records.fast_reader_available(records.split_files(folder, "train")),
            "runs_each": runs, "order": "alternating claro, tensorflow, in_memory, claro, …",
            "tensorflow_pipeline": "TFRecordDataset(GZIP, num_parallel_reads=AUTOTUNE) → batch(64) → parse_example+stack "
                                   "(map, AUTOTUNE) → unbatch → cache → shuffle(whole split, reshuffled each epoch) → "
                                   "repeat → batch → prefetch, then train.training_batches' augmentation",
            "claro_total_s": seconds("claro", 0), "tensorflow_total_s": seconds("tensorflow", 0),
            "claro_epoch_after_first_s": seconds("claro", 1), "tensorflow_epoch_after_first_s": seconds("tensorflow", 1),
            "in_memory_total_s": seconds("in_memory", 0), "in_memory_epoch_after_first_s": seconds("in_memory", 1),
            "ratio_total_tf_over_claro": ratios(0), "ratio_epoch_after_first_tf_over_claro": ratios(1),
            "pipeline_alone": {"what": "iterating train.training_batches for the same epochs, no model",
                               "claro_total_s": seconds("claro", 0, alone), "tensorflow_total_s": seconds("tensorflow", 0, alone),
                               "claro_epoch_after_first_s": seconds("claro", 1, alone),
                               "tensorflow_epoch_after_first_s": seconds("tensorflow", 1, alone),
                               "ratio_total_tf_over_claro": ratios(0, alone),
                               "ratio_epoch_after_first_tf_over_claro": ratios(1, alone)},
            "load_average_1min_at_each_run": {"min": round(min(loads), 2), "median": round(statistics.median(loads), 2),
                                              "max": round(max(loads), 2)},
            "keep_custom_reader_if": "median ratio >= 1.3"}


def run(quick: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="claro-bench-pipeline-") as tmp:
        tiles = all_tiles()[:8] if quick else all_tiles()
        folder = make_patches(Path(tmp) / "patches", tiles)
        result = {"tiles": len(tiles),
                  "reader": reader_benchmark(folder, rounds=3 if quick else 5),
                  "training": training_benchmark(folder, rounds=2 if quick else 3, steps=5 if quick else 12),
                  "pipeline_bound_training": pipeline_bound_training(folder, runs=2 if quick else 5, epochs=3 if quick else 5)}
    result["reader_goal_met"] = result["reader"]["ratio"] >= 2
    result["training_goal_met"] = result["training"]["ratio"] >= 0.9
    r, t = result["reader"], result["training"]
    result["summary"] = (f"reader {r['claro_batches_per_s']} vs notebook {r['notebook_batches_per_s']} batches/s → "
                         f"{r['ratio']}× (goal ≥ 2×, {'met' if result['reader_goal_met'] else 'NOT met'}; streaming way "
                         f"{r['claro_streamed_batches_per_s']}, TensorFlow fallback "
                         f"{r['claro_tf_path_batches_per_s']}, TensorFlow's GZIP reading alone "
                         f"{r['gzip_read_only_batches_per_s']} batches/s); training {t['pipeline_steps_per_s']} vs in-memory "
                         f"{t['in_memory_steps_per_s']} steps/s → {t['ratio']} (goal ≥ 0.9, "
                         f"{'met' if result['training_goal_met'] else 'NOT met'})")
    return result


def run_pipeline_bound(quick: bool = False) -> dict:
    """Only the pipeline-bound comparison of the readers (issue 9), on the same dataset as run()."""
    with tempfile.TemporaryDirectory(prefix="claro-bench-pipeline-") as tmp:
        tiles = all_tiles()[:8] if quick else all_tiles()
        folder = make_patches(Path(tmp) / "patches", tiles)
        return pipeline_bound_training(folder, runs=2 if quick else 5, epochs=3 if quick else 5)


if __name__ == "__main__":
    if "--pipeline-bound" in sys.argv:
        print(json.dumps(run_pipeline_bound(quick="--quick" in sys.argv), indent=2))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
