"""records.py: the Earth Engine / ACCA schema, our fast writer, and the batch reader."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from claro.backend import records  # noqa: E402
from claro.backend.dataset import write_summary  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402

K = 8


def patch(seed: int, bands: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    image = (rng.normal(1000, 300, (bands, K, K))).astype(np.float32)
    image[0, 0, 0] = seed  # identifies the patch
    labels = rng.choice([0, 4, 9, 255], size=(K, K)).astype(np.float32)
    return image, labels


def test_serialized_example_is_a_tf_train_example_with_the_acca_features():
    image, labels = patch(1, bands=4)
    data = records.serialize_example(image, labels)
    example = tf.train.Example.FromString(data)
    assert sorted(example.features.feature) == ["b1", "b2", "b3", "b4", "class"]
    assert np.array_equal(np.array(example.features.feature["b3"].float_list.value, np.float32), image[2].ravel())
    parsed = tf.io.parse_single_example(data, records.feature_spec(4, K))
    for i in range(4):
        assert np.array_equal(parsed[f"b{i + 1}"].numpy(), image[i])
    assert np.array_equal(parsed["class"].numpy(), labels)
    # the same bytes TensorFlow's own builder makes, parsed alike
    reference = tf.train.Example(features=tf.train.Features(feature={
        **{f"b{i + 1}": tf.train.Feature(float_list=tf.train.FloatList(value=image[i].ravel())) for i in range(4)},
        "class": tf.train.Feature(float_list=tf.train.FloatList(value=labels.ravel()))}))
    assert tf.train.Example.FromString(data) == reference


def test_layout_handles_large_patches_with_multibyte_lengths():
    k = 256  # 262144 bytes per feature: three-byte varints
    planes = np.random.default_rng(0).random((2, k, k)).astype(np.float32)
    layout = records.ExampleLayout(["b1", "class"], k * k)
    parsed = tf.io.parse_single_example(layout.serialize(planes), records.feature_spec(1, k))
    assert np.array_equal(parsed["b1"].numpy(), planes[0]) and np.array_equal(parsed["class"].numpy(), planes[1])


def read_all(paths, bands: int = 3) -> list[dict]:
    spec = records.feature_spec(bands, K)
    dataset = tf.data.TFRecordDataset([str(p) for p in paths], compression_type="GZIP")
    return [{k: v.numpy() for k, v in tf.io.parse_single_example(r, spec).items()} for r in dataset]


COMPRESSORS = ["zlib", pytest.param("isal", marks=pytest.mark.skipif(
    not records.fast_compressor_available(), reason="isal / google-crc32c not installed"))]


@pytest.mark.parametrize("compressor", COMPRESSORS)
def test_shard_writer_spreads_splits_over_parallel_gzip_shards(tmp_path, compressor):
    written = {"train": [patch(i) for i in range(7)], "test": [patch(100 + i) for i in range(2)]}
    with records.ShardWriter(tmp_path, 3, K, workers=3, compressor=compressor) as writer:
        for split, patches in written.items():
            for image, labels in patches:
                writer.write(split, image, labels)
    assert writer.counts == {"train": 7, "test": 2}
    assert writer.files == {"train": [f"train-0000{i}.tfrecord.gz" for i in range(3)],
                            "test": ["test-00000.tfrecord.gz", "test-00001.tfrecord.gz"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(writer.files["train"] + writer.files["test"])
    for split, patches in written.items():
        shards = [tmp_path / name for name in writer.files[split]]
        with gzip.open(shards[0]) as f:  # really GZIP, and TFRecord framing inside
            length, = np.frombuffer(f.read(8), "<u8")
            f.read(4)
            assert tf.train.Example.FromString(f.read(int(length))).features.feature["b1"].float_list.value
        got = sorted(read_all(shards), key=lambda r: r["b1"][0, 0])
        assert len(got) == len(patches)
        for record, (image, labels) in zip(got, sorted(patches, key=lambda p: p[0][0, 0, 0])):
            assert np.array_equal(record["b2"], image[1]) and np.array_equal(record["class"], labels)


def test_auto_compressor_is_the_fast_one_when_installed(tmp_path):
    with records.ShardWriter(tmp_path, 3, K) as writer:
        pass
    assert writer.compressor == ("isal" if records.fast_compressor_available() else "zlib")


def test_the_writer_describes_its_shards_for_dataset_json(tmp_path):
    """patches and encoded-image conversion both put writer.summary() into dataset.json."""
    rng = np.random.default_rng(1)
    with records.ShardWriter(tmp_path, 2, K, seed=4, compression_level=2) as writer:
        for i in range(5):
            writer.write("train" if i < 4 else "test", rng.random((2, K, K)), np.zeros((K, K)))
    summary = writer.summary()
    assert summary["shards"] == {"train": [f"train-{i:05d}.tfrecord.gz" for i in range(4)], "validation": [],
                                 "test": ["test-00000.tfrecord.gz"]}
    assert all((tmp_path / name).is_file() for names in summary["shards"].values() for name in names)
    assert summary["compression"] == {"type": "GZIP", "compressor": writer.compressor, "level": 2}
    assert summary["order"] == {"shuffled": True, "seed": 4, "target_shard_bytes": records.TARGET_SHARD_BYTES}
    (tmp_path / "plain").mkdir()
    with records.ShardWriter(tmp_path / "plain", 2, K, workers=1) as plain:
        plain.write("validation", rng.random((2, K, K)), np.zeros((K, K)))
    assert plain.summary()["order"] == {"shuffled": False}
    assert plain.summary()["shards"]["validation"] == ["validation-00000.tfrecord.gz"]


@pytest.mark.parametrize("compressor", COMPRESSORS)
def test_shard_writer_reports_a_worker_failure(tmp_path, compressor):
    with pytest.raises((tf.errors.NotFoundError, FileNotFoundError)):
        with records.ShardWriter(tmp_path / "missing-folder", 3, K, workers=1, compressor=compressor) as writer:
            for i in range(20):
                writer.write("train", *patch(i))


def shard_streams(folder: Path, names: list[str]) -> list[bytes]:
    """Each shard's inflated TFRecord stream (framing + records): what a reader decodes, in order."""
    return [gzip.decompress((folder / name).read_bytes()) for name in names]


def framed_ids(stream: bytes) -> list[int]:
    """Patch ids (b1[0, 0]) of the records of one inflated shard, in order."""
    ids, position = [], 0
    while position < len(stream):
        length, = np.frombuffer(stream, "<u8", 1, position)
        record = stream[position + 12:position + 12 + int(length)]
        ids.append(round(tf.train.Example.FromString(record).features.feature["b1"].float_list.value[0]))
        position += 12 + int(length) + 4
    return ids


def test_seeded_writer_shuffles_into_the_same_shards_whatever_the_compressor_and_cores(tmp_path, monkeypatch):
    """The order and shard of every patch follow the seed alone: ISA-L or zlib, 1 or 3 threads."""
    monkeypatch.setattr(records, "TARGET_SHARD_BYTES", 5 * 4 * 4 * K * K)  # five patches a shard
    patches = [patch(i) for i in range(23)]
    ways = [("zlib", 1, 7), ("zlib", 3, 7), ("zlib", 3, 8)]
    if records.fast_compressor_available():
        ways.append(("isal", 2, 7))
    written = {}
    for compressor, workers, seed in ways:
        folder = tmp_path / f"{compressor}-{workers}-{seed}"
        folder.mkdir()
        with records.ShardWriter(folder, 3, K, workers=workers, compressor=compressor, seed=seed) as writer:
            for i, (image, labels) in enumerate(patches):
                writer.write("train" if i < 20 else "test", image, labels)
        assert sorted(p.name for p in folder.iterdir()) == sorted(writer.files["train"] + writer.files["test"])  # no spill left
        written[compressor, workers, seed] = (writer.files, {s: shard_streams(folder, writer.files[s]) for s in writer.files})
    files, streams = written["zlib", 1, 7]
    assert files["train"] == [f"train-0000{i}.tfrecord.gz" for i in range(4)]  # 20 patches: 4 shards of 5
    assert files["test"] == [f"test-0000{i}.tfrecord.gz" for i in range(3)]  # at least MIN_SHARDS, at most one a patch
    ids = [framed_ids(stream) for stream in streams["train"]]
    assert [len(i) for i in ids] == [5, 5, 5, 5]
    order = sum(ids, [])
    assert sorted(order) == list(range(20)) and order != list(range(20))  # every patch once, shuffled
    assert sorted(sum((framed_ids(x) for x in streams["test"]), [])) == [20, 21, 22]
    for way in ways[1:]:
        if way[2] == 7:  # same seed: the same inflated bytes, shard by shard
            assert written[way] == written["zlib", 1, 7], way
    other = sum((framed_ids(stream) for stream in written["zlib", 3, 8][1]["train"]), [])
    assert sorted(other) == list(range(20)) and other != order  # another seed, another order
    # the records are the patches themselves
    record = read_all([tmp_path / "zlib-1-7" / files["train"][0]])[0]
    image, labels = patches[order[0]]
    assert np.array_equal(record["b3"], image[2]) and np.array_equal(record["class"], labels)


def test_shard_sizes_aim_at_the_target_with_a_minimum_count():
    assert records.shard_sizes(0, 100) == []
    assert records.shard_sizes(3, 100) == [1, 1, 1]
    assert records.shard_sizes(10, 100) == [3, 3, 2, 2]
    per_patch = 4 * 6 * 128 * 128  # 128² patches of 5 bands + class
    sizes = records.shard_sizes(10000, per_patch)
    assert sum(sizes) == 10000 and max(sizes) - min(sizes) <= 1
    assert max(sizes) * per_patch <= records.TARGET_SHARD_BYTES * 1.01 and len(sizes) > 100


def test_seeded_writer_reports_progress_and_stops_on_an_interrupt(tmp_path, monkeypatch):
    calls = []
    folder = tmp_path / "data"
    folder.mkdir()
    with records.ShardWriter(folder, 3, K, compressor="zlib", seed=1, progress=lambda d, t: calls.append((d, t))) as w:
        for i in range(40):
            w.write("train", *patch(i))
    assert calls and calls[-1][1] == 40 and calls[-1][0] <= 40 and calls == sorted(calls)

    def interrupt(done, total):
        raise KeyboardInterrupt

    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(KeyboardInterrupt):
        with records.ShardWriter(other, 3, K, compressor="zlib", seed=1, progress=interrupt) as w:
            for i in range(40):
                w.write("train", *patch(i))
    assert all(t.name.startswith("claro-shard") and not t.is_alive() for t in w._threads)
    assert not list(other.glob(".*.spill"))  # the spill file goes with the interrupted writer


CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 4, "name": "cleared", "color": "#d7191c"},
           {"value": 9, "name": "water", "color": "#2b83ba"}]


def make_dataset(folder: Path, n_train: int = 10, n_test: int = 0) -> dict:
    folder.mkdir(exist_ok=True)
    patches = [patch(i) for i in range(n_train)]
    with records.ShardWriter(folder, 3, K, workers=2) as writer:
        for image, labels in patches:
            writer.write("train", image, labels)
        for i in range(n_test):
            writer.write("test", *patch(500 + i))
    stack = np.stack([p[0] for p in patches])
    write_summary(folder, {"bands": ["b1", "b2", "b3"], "patch_size": K, "classes": CLASSES, "ignore_value": 255,
                           "statistics": {"mean": stack.mean(axis=(0, 2, 3)).tolist(),
                                          "std": stack.std(axis=(0, 2, 3)).tolist()},
                           "counts": {"train": n_train, "validation": 0, "test": n_test}})
    return {"patches": patches, "mean": stack.mean(axis=(0, 2, 3)), "std": stack.std(axis=(0, 2, 3))}


def test_read_split_yields_batches_of_normalised_bands_and_class_indices(tmp_path):
    made = make_dataset(tmp_path / "data")
    batches = list(records.read_split(tmp_path / "data", "train", 4))
    assert [int(x.shape[0]) for x, _ in batches] == [4, 4, 2]
    x = np.concatenate([b[0].numpy() for b in batches])
    y = np.concatenate([b[1].numpy() for b in batches])
    assert x.shape == (10, K, K, 3) and x.dtype == np.float32 and y.dtype == np.int32
    by_id = {round(float(p[0][0, 0, 0])): p for p in made["patches"]}
    raw = np.concatenate([b[0].numpy() for b in records.read_split(tmp_path / "data", "train", 4, normalise=False)])
    for i in range(10):
        image, labels = by_id[round(float(raw[i, 0, 0, 0]))]
        assert np.array_equal(raw[i], image.transpose(1, 2, 0))
        assert np.allclose(x[i], (image.transpose(1, 2, 0) - made["mean"]) / made["std"], atol=1e-4)
        expected = np.select([labels == 0, labels == 4, labels == 9], [0, 1, 2], -1)
        assert np.array_equal(y[i], expected)


def test_read_split_shuffles_reproducibly_and_repeats(tmp_path):
    make_dataset(tmp_path / "data", n_train=12)

    def ids(dataset, n):
        return [round(float(v)) for x, _ in dataset.take(n) for v in x.numpy()[:, 0, 0, 0]]

    plain = ids(records.read_split(tmp_path / "data", "train", 4, normalise=False), 3)
    first = ids(records.read_split(tmp_path / "data", "train", 4, shuffle=True, normalise=False, seed=3), 3)
    again = ids(records.read_split(tmp_path / "data", "train", 4, shuffle=True, normalise=False, seed=3), 3)
    assert first == again and first != plain and sorted(first) == sorted(plain) == list(range(12))
    repeated = ids(records.read_split(tmp_path / "data", "train", 5, repeat=True, normalise=False), 6)
    assert len(repeated) == 30 and sorted(set(repeated)) == list(range(12))


def test_empty_split_reads_as_empty_and_missing_shards_are_an_error(tmp_path):
    make_dataset(tmp_path / "data", n_test=0)
    assert list(records.read_split(tmp_path / "data", "validation", 4)) == []
    make_dataset(tmp_path / "broken", n_test=2)
    for shard in (tmp_path / "broken").glob("test-*"):
        shard.unlink()
    with pytest.raises(ClaroError, match="test shards of .* are missing"):
        records.read_split(tmp_path / "broken", "test", 4)


def test_reads_an_earth_engine_style_export_named_training_and_testing(tmp_path):
    """Another tool's shards: GZIP or not, named training*/testing*, no counts in dataset.json."""
    folder = tmp_path / "export"
    folder.mkdir()
    gzip_options = tf.io.TFRecordOptions(compression_type="GZIP")
    for name, seeds, options in (("training_0.tfrecord.gz", range(3), gzip_options), ("training_1.tfrecord", range(5, 7), None),
                                 ("testing_0.tfrecord.gz", range(3, 5), gzip_options)):
        with tf.io.TFRecordWriter(str(folder / name), options) as writer:
            for s in seeds:
                writer.write(records.serialize_example(*patch(s)))
    write_summary(folder, {"bands": ["b1", "b2", "b3"], "patch_size": K, "classes": CLASSES, "ignore_value": 255})
    x, y = batches_of(records.read_split(folder, "train", 2, normalise=False))
    assert [round(float(v)) for v in x[:, 0, 0, 0]] == [0, 5, 1, 6, 2]  # one record of each shard in turn
    image, labels = patch(6)
    assert np.array_equal(x[3], image.transpose(1, 2, 0))
    assert np.array_equal(y[3], np.select([labels == 0, labels == 4, labels == 9], [0, 1, 2], -1))
    assert sum(int(x.shape[0]) for x, _ in records.read_split(folder, "test", 2, normalise=False)) == 2
    with pytest.raises(ClaroError, match="no band statistics"):
        records.read_split(folder, "train", 2)


def test_another_example_layout_is_read_too(tmp_path):
    """An export whose Examples list 'class' first (valid protobuf, not the layout we write)."""
    folder = tmp_path / "export"
    folder.mkdir()
    layout = records.ExampleLayout(["class", "b1", "b2", "b3"], K * K)
    patches = [patch(s) for s in range(3)]
    with tf.io.TFRecordWriter(str(folder / "training_0.tfrecord.gz"), tf.io.TFRecordOptions(compression_type="GZIP")) as writer:
        for image, labels in patches:
            writer.write(layout.serialize(np.concatenate([labels[None], image])))
    write_summary(folder, {"bands": ["b1", "b2", "b3"], "patch_size": K, "classes": CLASSES, "ignore_value": 255})
    x, y = batches_of(records.read_split(folder, "train", 2, normalise=False))
    for i, (image, labels) in enumerate(patches):
        assert np.array_equal(x[i], image.transpose(1, 2, 0))
        assert np.array_equal(y[i], np.select([labels == 0, labels == 4, labels == 9], [0, 1, 2], -1))


@pytest.mark.skipif(not records.fast_compressor_available(), reason="isal / google-crc32c not installed")
def test_isal_shards_hold_exactly_the_bytes_tensorflow_frames(tmp_path):
    """Same records, one worker: the decompressed streams (lengths, CRCs, data) are identical."""
    streams = {}
    for compressor in ("isal", "zlib"):
        folder = tmp_path / compressor
        folder.mkdir()
        with records.ShardWriter(folder, 3, K, workers=1, compressor=compressor) as writer:
            for i in range(3):
                writer.write("train", *patch(i))
        streams[compressor] = gzip.decompress((folder / "train-00000.tfrecord.gz").read_bytes())
    assert len(streams["isal"]) > 3 * 4 * K * K and streams["isal"] == streams["zlib"]


# ---------------------------------------------------------------------------- order and damage


def batches_of(dataset) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(x.numpy(), y.numpy()) for x, y in dataset]
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


def ids_of(x: np.ndarray) -> list[int]:
    return [round(float(v)) for v in x[:, 0, 0, 0]]


def test_shuffled_epochs_hold_every_patch_once_in_a_new_order(tmp_path):
    make_dataset(tmp_path / "data", n_train=12)
    x, _ = batches_of(records.read_split(tmp_path / "data", "train", 5, shuffle=True, repeat=True, normalise=False).take(6))
    ids = ids_of(x)
    assert len(ids) == 30 and sorted(ids[:12]) == sorted(ids[12:24]) == list(range(12))  # whole epochs
    assert ids[:12] != list(range(12)) and ids[:12] != ids[12:24]  # shuffled, and again each epoch


def test_the_order_for_a_seed_is_the_same_whether_the_split_is_cached_or_not(tmp_path, monkeypatch):
    """The order must not depend on the machine's memory (nor, since one path reads every shard,
    on whether ISA-L is installed)."""
    folder = tmp_path / "data"
    folder.mkdir()
    patches = [patch(i) for i in range(23)]
    with records.ShardWriter(folder, 3, K, workers=6) as writer:  # more shards than READ_CYCLE
        for image, labels in patches:
            writer.write("train", image, labels)
    stack = np.stack([p[0] for p in patches])
    write_summary(folder, {"bands": ["b1", "b2", "b3"], "patch_size": K, "classes": CLASSES, "ignore_value": 255,
                           "statistics": {"mean": stack.mean(axis=(0, 2, 3)).tolist(), "std": stack.std(axis=(0, 2, 3)).tolist()},
                           "counts": {"train": 23, "validation": 0, "test": 0}})

    def first_batches(seed: int) -> list[int]:
        return ids_of(batches_of(records.read_split(folder, "train", 4, shuffle=True, repeat=True, normalise=False,
                                                    seed=seed).take(12))[0])

    cached = first_batches(7)
    monkeypatch.setattr(records, "_memory_budget", lambda: 0)  # too large to cache: streamed every epoch
    streamed = first_batches(7)
    assert streamed == cached and sorted(cached[:23]) == list(range(23)) and sorted(cached[23:46]) == list(range(23))
    assert first_batches(8) != cached


def test_the_interleave_order_does_not_follow_the_core_count(tmp_path):
    """Unshuffled: READ_CYCLE shards at a time, one record of each in turn (tf.data's AUTOTUNE
    cycle would follow the machine's cores)."""
    folder = tmp_path / "data"
    folder.mkdir()
    with records.ShardWriter(folder, 3, K, workers=6) as writer:  # patch i goes to shard i % 6
        for i in range(14):
            writer.write("train", *patch(i))
    write_summary(folder, {"bands": ["b1", "b2", "b3"], "patch_size": K, "classes": CLASSES, "ignore_value": 255,
                           "counts": {"train": 14, "validation": 0, "test": 0}})
    ids = ids_of(batches_of(records.read_split(folder, "train", 4, normalise=False))[0])
    # shards 0-3 in turn (0 and 1 hold three patches); 4 and 5 take the slots of 2 and 3 when they end
    assert ids == [0, 1, 2, 3, 6, 7, 8, 9, 12, 13, 4, 5, 10, 11]


def test_a_truncated_or_corrupt_shard_is_an_error_not_fewer_patches(tmp_path):
    make_dataset(tmp_path / "data", n_train=10, n_test=2)
    assert records.damaged_shard(tmp_path / "data") is None
    shard = tmp_path / "data" / "train-00001.tfrecord.gz"
    whole = shard.read_bytes()
    stream = gzip.decompress(whole)
    damaged = bytearray(stream)
    damaged[len(stream) // 2] ^= 0xFF
    for data, reason in ((gzip.compress(stream[:len(stream) - 100]), "truncated record"),  # last record cut
                         (whole[:len(whole) // 2], "truncated record"),  # GZIP stream cut
                         (gzip.compress(bytes(damaged)), "corrupted record")):  # fails its checksum
        shard.write_bytes(data)
        with pytest.raises(tf.errors.DataLossError):
            list(records.read_split(tmp_path / "data", "train", 4))
        path, why = records.damaged_shard(tmp_path / "data")
        assert path == str(shard) and why.startswith(reason) and "{{" not in why and "[Op:" not in why


# ---------------------------------------------------------------------------- write-time shuffle, read back

def write_scenes(folder: Path, per_scene: list[int], k: int, seed) -> None:
    """Scenes written one after the other, as `claro patches` reads them: scene i's band holds
    10 * i, its top-left pixel a patch number (the rest compresses to nearly nothing)."""
    folder.mkdir()
    with records.ShardWriter(folder, 1, k, compressor="isal" if records.fast_compressor_available() else "zlib",
                             seed=seed) as writer:
        n = 0
        for scene, count in enumerate(per_scene):
            for _ in range(count):
                planes = np.zeros((2, k, k), np.float32)
                planes[0] = 10 * scene
                planes[0, 0, 0] += n * 1e-3
                writer.write_planes("train", planes)
                n += 1
    write_summary(folder, {"bands": ["b1"], "patch_size": k, "classes": CLASSES[:2], "ignore_value": 255,
                           "statistics": {"mean": [10.0], "std": [8.0]},
                           "counts": {"train": sum(per_scene), "validation": 0, "test": 0}})


def test_first_batch_of_a_streamed_multi_scene_dataset_draws_from_every_scene(tmp_path, monkeypatch):
    """A split larger than the in-memory budget streams through a shuffle buffer (256 MiB of
    patches). Written in scan order, the first scene alone fills that buffer, so the first batch
    comes from it only; shuffled at write time, the first batch mixes every scene."""
    k, per_scene = 256, [600, 120, 120]  # 512 KiB a patch: the first scene is ~300 MiB
    monkeypatch.setattr(records, "_memory_budget", lambda: 1)
    write_scenes(tmp_path / "shuffled", per_scene, k, seed=3)
    x, _ = next(iter(records.read_split(tmp_path / "shuffled", "train", 64, shuffle=True, seed=0, normalise=False)))
    scenes = np.round(x.numpy()[:, 1, 1, 0] / 10).astype(int)
    assert set(scenes.tolist()) == {0, 1, 2}
    # the control: the same patches in scan order (no write-time shuffle) give a one-scene batch
    write_scenes(tmp_path / "scan", per_scene, k, seed=None)
    x, _ = next(iter(records.read_split(tmp_path / "scan", "train", 64, shuffle=True, seed=0, normalise=False)))
    assert set(np.round(x.numpy()[:, 1, 1, 0] / 10).astype(int).tolist()) == {0}


# ---------------------------------------------------------------------------- other tools' exports
#
# Shards as TensorFlow itself writes them (tf.io.TFRecordWriter, tf.train.Feature): features in
# no particular order, a bytes `system:index`, an int64 property, float labels under the
# export's own name, named anyhow, GZIP or not whatever the name says.

def tf_feature(values) -> "tf.train.Feature":
    values = np.asarray(values)
    if values.dtype.kind == "S":
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=list(values.ravel())))
    if values.dtype.kind in "iu":
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values.ravel().tolist()))
    return tf.train.Feature(float_list=tf.train.FloatList(value=values.ravel().tolist()))


def tf_example(features: dict) -> bytes:
    """A serialized tf.train.Example whose map entries are in `features`' order, as an export
    stores them (each entry serialized by TensorFlow's own tf.train.Features)."""
    entries = b"".join(tf.train.Features(feature={name: tf_feature(values)}).SerializeToString()
                       for name, values in features.items())
    data = b"\x0a" + records._varint(len(entries)) + entries
    parsed = tf.train.Example.FromString(data)
    assert list(parsed.features.feature) and set(parsed.features.feature) == set(features)
    return data


def export_patch(n: int, k: int = K) -> dict:
    """Band Bi holds i.xxx (i + n / 1000 at [0, 0]: the patch's id), elevation 100s, the label
    `landcover` 0.0 / 1.0 / 5.0 (5 is not a class: ignored)."""
    rng = np.random.default_rng(n)
    bands = {f"B{i}": (i + rng.uniform(0.0, 0.9, (k, k))).astype(np.float32) for i in (2, 3, 4)}
    for i, band in bands.items():
        band[0, 0] = int(i[1:]) + n / 1000
    return {"B4": bands["B4"], "elevation": rng.uniform(100, 200, (k, k)).astype(np.float32),
            "system:index": np.array([f"{n:04d}_0".encode()]), "B2": bands["B2"],
            "landcover": rng.choice([0.0, 1.0, 5.0], (k, k)).astype(np.float32), "B3": bands["B3"],
            "year": np.array([2020 + n % 3])}


def write_export(path: Path, ids, gzip_it: bool) -> None:
    options = tf.io.TFRecordOptions(compression_type="GZIP") if gzip_it else None
    with tf.io.TFRecordWriter(str(path), options) as writer:
        for n in ids:
            writer.write(tf_example(export_patch(n)))


EXPORT_CLASSES = [{"value": 0.0, "name": "forest", "color": "#1a9641"}, {"value": 1.0, "name": "cleared", "color": "#d7191c"}]


def test_reads_a_tensorflow_written_export_by_name_from_the_files_dataset_json_lists(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    write_export(export / "training_patches_g0.tfrecord.gz", range(0, 3), gzip_it=True)
    write_export(export / "patches-00003.gz", range(3, 5), gzip_it=False)       # .gz, not compressed
    write_export(export / "patches-00004", range(5, 7), gzip_it=True)           # compressed, no suffix
    write_export(export / "patches-00005.tfrecord", range(7, 8), gzip_it=False)
    assert [records.compression_of(export / n) for n in ("patches-00003.gz", "patches-00004")] == ["", "GZIP"]
    described = tmp_path / "described"  # dataset.json away from the (read-only) export
    described.mkdir()
    write_summary(described, {"bands": ["B2", "B3", "B4"], "label": "landcover", "patch_size": K,
                              "classes": EXPORT_CLASSES, "counts": {"train": 5, "validation": 2, "test": 1},
                              "shards": {"train": ["../export/training_patches_g0.tfrecord.gz", "../export/patches-00003.gz"],
                                         "validation": ["../export/patches-00004"],
                                         "test": [str(export / "patches-00005.tfrecord")]},
                              "split": {"method": "names"}})
    for split, ids in (("train", [0, 3, 1, 4, 2]), ("validation", [5, 6]), ("test", [7])):
        x, y = batches_of(records.read_split(described, split, 2, normalise=False))
        assert x.shape == (len(ids), K, K, 3) and y.shape == (len(ids), K, K)
        assert [round(1000 * (v - 2)) for v in x[:, 0, 0, 0]] == ids  # B2's ids, in the interleave's order
        for got_x, got_y, n in zip(x, y, ids):
            made = export_patch(n)
            # band order by content: B2 holds 2.x, B3 3.x, B4 4.x, whatever the records' order
            assert np.array_equal(got_x[..., 0], made["B2"]) and np.all((got_x[..., 0] >= 2) & (got_x[..., 0] < 3))
            assert np.array_equal(got_x[..., 1], made["B3"]) and np.array_equal(got_x[..., 2], made["B4"])
            assert np.array_equal(got_y, np.select([made["landcover"] == 0.0, made["landcover"] == 1.0], [0, 1], -1))
    assert records.shard_paths(described, "validation", json.loads((described / "dataset.json").read_text())) == \
        [str(export / "patches-00004")]
    # every file listed is read back whole, whatever its name and compression
    assert records.damaged_shard(described) is None
    (export / "patches-00004").write_bytes((export / "patches-00004").read_bytes()[:-30])
    path, why = records.damaged_shard(described)
    assert path == str(export / "patches-00004") and why.startswith("truncated")


def test_a_shard_dataset_json_lists_but_the_disk_lacks_is_a_sentence(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    write_export(folder / "a.tfrecord", range(2), gzip_it=False)
    write_summary(folder, {"bands": ["B2"], "label": "landcover", "patch_size": K, "classes": EXPORT_CLASSES,
                           "shards": {"train": ["a.tfrecord", "gone.tfrecord"], "validation": [], "test": []}})
    with pytest.raises(ClaroError, match=r"The shard .*gone.tfrecord listed in .*dataset.json does not exist"):
        records.read_split(folder, "train", 2, normalise=False)
    assert list(records.read_split(folder, "validation", 2, normalise=False)) == []


def test_a_split_by_records_keeps_exactly_the_records_the_numpy_draw_gives_it(tmp_path):
    """dataset.json "split": {"method": "records"}: every split lists every file; the TensorFlow
    filter keeps the records `claro describe` counted with numpy, shuffled or not."""
    folder = tmp_path / "export"
    folder.mkdir()
    sizes, seed, fractions = [40, 25, 33], 7, [0.6, 0.25, 0.15]
    names, first = [], 0
    for i, size in enumerate(sizes):
        names.append(f"patches-{i:05d}.tfrecord.gz")
        write_export(folder / names[-1], range(first, first + size), gzip_it=i != 1)
        first += size
    expected: dict[str, set] = {"train": set(), "validation": set(), "test": set()}
    first = 0
    for i, size in enumerate(sizes):
        draws = records.split_of_draw(records.record_draw(seed, i, np.arange(size)), fractions)
        for j, which in enumerate(draws):
            expected[("train", "validation", "test")[which]].add(first + j)
        first += size
    counts = {split: len(ids) for split, ids in expected.items()}
    assert all(counts.values()) and sum(counts.values()) == sum(sizes)
    write_summary(folder, {"bands": ["B2", "B3"], "label": "landcover", "patch_size": K, "classes": EXPORT_CLASSES,
                           "counts": counts, "shards": {split: names for split in expected},
                           "split": {"method": "records", "seed": seed, "fractions": fractions},
                           "statistics": {"mean": [2.5, 3.5], "std": [0.3, 0.3]}})
    for split, ids in expected.items():
        x, _ = batches_of(records.read_split(folder, split, 8, normalise=False))
        got = [round(1000 * (v - 2)) for v in x[:, 0, 0, 0]]
        assert len(got) == counts[split] and set(got) == ids, split
        shuffled = records.read_split(folder, split, 8, shuffle=True, repeat=True, normalise=False, seed=3)
        x, _ = batches_of(shuffled.take(-(-counts[split] // 8)))
        assert set(round(1000 * (v - 2)) for v in x[:counts[split], 0, 0, 0]) == ids, split
    # and another seed draws another split
    other = records.split_of_draw(records.record_draw(seed + 1, 0, np.arange(40)), fractions)
    assert {j for j, w in enumerate(other) if w == 0} != {j for j in expected["train"] if j < 40}


def test_the_acca_notebooks_parsing_code_reads_our_shards(tmp_path):
    """The ACCA notebook's own parsing (a FixedLenFeature([k, k]) per band and 'class', one
    Example at a time from GZIP TFRecordDatasets) reads what `claro patches` writes."""
    made = make_dataset(tmp_path / "data", n_train=6)
    bands = ["b1", "b2", "b3"]
    k = K
    features_dict = {key: tf.io.FixedLenFeature([k, k], tf.float32) for key in bands + ["class"]}
    files = [str(f) for f in sorted((tmp_path / "data").glob("train-*.tfrecord.gz"))]
    dataset = tf.data.TFRecordDataset(files, compression_type="GZIP").map(
        lambda example: tf.io.parse_single_example(example, features_dict))
    got = {round(float(r["b1"][0, 0])): r for r in dataset}
    assert sorted(got) == list(range(6))
    for image, labels in made["patches"]:
        record = got[round(float(image[0, 0, 0]))]
        for i, key in enumerate(bands):
            assert np.array_equal(record[key].numpy(), image[i])
        assert np.array_equal(record["class"].numpy(), labels)


def test_our_reader_reads_examples_tensorflow_builds_with_our_feature_names(tmp_path):
    folder = tmp_path / "tf"
    folder.mkdir()
    patches = [patch(s) for s in range(3)]
    with tf.io.TFRecordWriter(str(folder / "train-00000.tfrecord.gz"), tf.io.TFRecordOptions(compression_type="GZIP")) as w:
        for image, labels in patches:
            w.write(tf.train.Example(features=tf.train.Features(feature={
                "class": tf_feature(labels), **{f"b{i + 1}": tf_feature(image[i]) for i in range(3)}})).SerializeToString())
    write_summary(folder, {"bands": ["b1", "b2", "b3"], "patch_size": K, "classes": CLASSES, "ignore_value": 255})
    x, y = batches_of(records.read_split(folder, "train", 2, normalise=False))
    for i, (image, labels) in enumerate(patches):
        assert np.array_equal(x[i], image.transpose(1, 2, 0))
        assert np.array_equal(y[i], np.select([labels == 0, labels == 4, labels == 9], [0, 1, 2], -1))
