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


def run(quick: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="claro-bench-pipeline-") as tmp:
        tiles = all_tiles()[:8] if quick else all_tiles()
        folder = make_patches(Path(tmp) / "patches", tiles)
        result = {"tiles": len(tiles),
                  "reader": reader_benchmark(folder, rounds=3 if quick else 5),
                  "training": training_benchmark(folder, rounds=2 if quick else 3, steps=5 if quick else 12)}
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


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
