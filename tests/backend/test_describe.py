"""`claro describe`: TFRecords written by TensorFlow in the shapes real Earth Engine exports
have (features in no order, bytes and int64 properties, float labels, any k, any file name,
GZIP or not) → dataset.json with counts, classes, statistics and split read from the records."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from claro.backend import cli, describe, records, shards, tfrecord_scan  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402
from claro.backend.params import DescribeParams  # noqa: E402
from claro.backend.progress import Progress  # noqa: E402
from conftest import require_shared  # noqa: E402

#: The order one real export lists its features in (plus the label and table properties).
EXPORT_ORDER = ("B2", "elevation", "B3", "B4", "VV_p50", "B8", "VH_p50", "class")
BANDS_NATURAL = ["B2", "B3", "B4", "B8", "elevation", "VH_p50", "VV_p50"]


class Recorder(Progress):
    def __init__(self) -> None:
        super().__init__("bar")
        self.lines: list[str] = []
        self.result: dict = {}

    def update(self, fraction: float, message: str = "") -> None:
        pass

    def log(self, message: str) -> None:
        self.lines.append(message)

    def done(self, **fields) -> None:
        self.result = fields


def patch_values(seed: int, k: int, names=EXPORT_ORDER, classes=(0.0, 1.0, 2.0), label="class") -> dict[str, np.ndarray]:
    """One patch: each band's values differ by band (offset 1000 × band number) and by record."""
    rng = np.random.default_rng(seed)
    values = {}
    for i, name in enumerate(names):
        if name == label:
            values[name] = rng.choice(np.asarray(classes, np.float32), size=k * k)
        else:
            values[name] = (rng.random(k * k) * 100 + 1000 * i).astype(np.float32)
    return values


def example(values: dict[str, np.ndarray], index: int, extras: bool = True) -> bytes:
    """A tf.train.Example as Earth Engine's table export writes it: the features in the given
    order, a bytes `system:index` and an int64 property."""
    feature = {}
    for name, array in values.items():
        feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=array.tolist()))
    if extras:
        feature["system:index"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"0_{index}".encode()]))
        feature["year"] = tf.train.Feature(int64_list=tf.train.Int64List(value=[2021]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def write_shard(path: Path, patches: list[dict[str, np.ndarray]], gzip: bool = True, extras: bool = True) -> Path:
    options = tf.io.TFRecordOptions(compression_type="GZIP" if gzip else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path), options) as writer:
        for i, values in enumerate(patches):
            writer.write(example(values, i, extras))
    return path


def int_patch(seed: int, k: int) -> dict[str, np.ndarray]:
    """A patch as Earth Engine exports an image whose class band and one band are integers:
    `class` and `slope` int64, B2 and B3 float (values differ by band and by record)."""
    rng = np.random.default_rng(seed)
    return {"B3": (rng.random(k * k) * 100 + 3000).astype(np.float32),
            "class": rng.choice(np.array([0, 1], np.int64), size=k * k),
            "slope": rng.integers(-40, 90, size=k * k, dtype=np.int64) + 10_000 * seed,
            "B2": (rng.random(k * k) * 100 + 2000 + seed).astype(np.float32)}


def write_int_shard(path: Path, patches: list[dict[str, np.ndarray]]) -> Path:
    with tf.io.TFRecordWriter(str(path), tf.io.TFRecordOptions(compression_type="GZIP")) as writer:
        for values in patches:
            feature = {name: tf.train.Feature(int64_list=tf.train.Int64List(value=array.tolist()))
                       if array.dtype == np.int64 else tf.train.Feature(float_list=tf.train.FloatList(value=array.tolist()))
                       for name, array in values.items()}
            writer.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
    return path


def run(folder: Path, **kwargs) -> tuple[dict, Recorder]:
    progress = Recorder()
    out = describe.describe(DescribeParams(folder=str(folder), **kwargs), progress)
    return json.loads((out / "dataset.json").read_text()), progress


def values_in(summary: dict, folder: Path, split: str) -> list[dict[str, np.ndarray]]:
    """The patches of `split` as dataset.json says, read back with TensorFlow (draws included)."""
    how = summary["split"]
    files = [os.path.normpath(folder / p) for p in summary["shards"][split]]
    k = summary["patch_size"]
    spec = {n: tf.io.FixedLenFeature([k * k], tf.float32) for n in summary["bands"] + [summary["label"]]}
    patches = []
    for position, name in enumerate(files):
        data = tf.data.TFRecordDataset(name, compression_type=records.compression_of(name))
        for index, record in enumerate(data):
            if how["method"] == "records":
                draw = records.record_draw(how["seed"], position, index)
                if ("train", "validation", "test")[int(records.split_of_draw(draw, how["fractions"]))] != split:
                    continue
            patches.append({n: v.numpy() for n, v in tf.io.parse_single_example(record, spec).items()})
    return patches


# ---------------------------------------------------------------------------- finding the files

def test_find_shards_takes_any_name_and_compression_and_skips_the_rest(tmp_path):
    patch = [patch_values(0, 4)]
    a = write_shard(tmp_path / "training_patches_g0.tfrecord.gz", patch)
    b = write_shard(tmp_path / "export-00003.gz", patch)
    c = write_shard(tmp_path / "gzip_without_suffix", patch)                      # GZIP, no .gz
    d = write_shard(tmp_path / "plain_with_suffix.tfrecord.gz", patch, gzip=False)  # plain, .gz
    e = write_shard(tmp_path / "validation" / "part-2.tfrecord", patch, gzip=False)
    write_shard(tmp_path / "deep" / "deeper" / "x.tfrecord.gz", patch)              # two levels down
    write_shard(tmp_path / ".hidden.tfrecord.gz", patch)
    (tmp_path / "dataset.json").write_text("{}")
    (tmp_path / "README.txt").write_text("notes about the export, not records\n")
    (tmp_path / "image.json").write_text(json.dumps({"patchDimensions": [4, 4], "patchesPerRow": 1}))
    write_shard(tmp_path / "image-00000.tfrecord.gz", patch)                         # an image export
    (tmp_path / "empty.tfrecord.gz").write_bytes(b"")
    found = shards.find_shards(tmp_path)
    assert found == sorted([a, b, c, d, e], key=lambda p: tfrecord_scan.natural_key(p.relative_to(tmp_path).as_posix()))
    assert records.compression_of(c) == "GZIP" and records.compression_of(d) == ""


def test_an_export_image_folder_alone_is_taken_whole(tmp_path):
    """Export.image with the label as a band (patches + mixer JSON) is training data too."""
    (tmp_path / "training.json").write_text(json.dumps({"patchDimensions": [4, 4], "patchesPerRow": 2}))
    files = [write_shard(tmp_path / f"training-{i:05d}.tfrecord.gz", [patch_values(i, 4)], extras=False) for i in range(2)]
    assert shards.find_shards(tmp_path) == files


def test_natural_order():
    assert sorted(["B11", "B2", "b3", "VV", "B8A", "B8"], key=tfrecord_scan.natural_key) == ["B2", "b3", "B8", "B8A", "B11", "VV"]


# ---------------------------------------------------------------------------- content

def test_gzip_and_plain_shards_counts_classes_and_statistics_equal_numpy(tmp_path):
    k = 20
    train = [patch_values(i, k) for i in range(5)]
    validation = [patch_values(100 + i, k) for i in range(3)]
    test = [patch_values(200 + i, k, classes=(0.0, 2.0)) for i in range(2)]
    write_shard(tmp_path / "training_patches_g0.tfrecord.gz", train[:3])
    write_shard(tmp_path / "training_patches_g1", train[3:], gzip=False)               # plain, no suffix
    write_shard(tmp_path / "validation-00000.gz", validation, gzip=False)              # plain with .gz
    write_shard(tmp_path / "testing_patches", test)                                    # GZIP without .gz
    summary, progress = run(tmp_path)

    assert summary["format"] == "claro-patch-dataset/1"
    assert summary["patch_size"] == k and summary["label"] == "class"
    assert summary["bands"] == BANDS_NATURAL
    assert summary["counts"] == {"train": 5, "validation": 3, "test": 2}
    assert summary["split"]["method"] == "names"
    assert summary["shards"] == {"train": ["training_patches_g0.tfrecord.gz", "training_patches_g1"],
                                 "validation": ["validation-00000.gz"], "test": ["testing_patches"]}
    assert [(c["value"], c["name"]) for c in summary["classes"]] == [(0, "class 0"), (1, "class 1"), (2, "class 2")]
    assert len({c["color"] for c in summary["classes"]}) == 3
    for split, patches in (("train", train), ("validation", validation), ("test", test)):
        labels = np.concatenate([p["class"] for p in patches])
        assert summary["class_pixels"][split] == [int((labels == v).sum()) for v in (0, 1, 2)]
        assert summary["ignored_pixels"][split] == 0
    stacked = np.stack([np.concatenate([p[b] for p in train]) for b in summary["bands"]])
    stats = summary["statistics"]
    np.testing.assert_allclose(stats["mean"], stacked.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(stats["std"], stacked.std(axis=1), rtol=1e-5)
    np.testing.assert_allclose(stats["p2"], np.percentile(stacked, 2, axis=1), rtol=1e-6)
    np.testing.assert_allclose(stats["p98"], np.percentile(stacked, 98, axis=1), rtol=1e-6)
    assert stats["min"] == stacked.min(axis=1).tolist() and stats["max"] == stacked.max(axis=1).tolist()
    source = summary["source"]
    assert source["kind"] == "tfrecord-folder" and source["folder"] == str(tmp_path.resolve())
    assert source["features"]["system:index"] == {"type": "bytes", "size": 1}
    assert source["features"]["year"] == {"type": "int64", "size": 1}
    assert source["features"]["B2"] == {"type": "float", "size": k * k}
    assert sorted(source["skipped"]) == ["system:index", "year"]
    assert any("Not used as bands: " in line and "system:index (bytes × 1)" in line for line in progress.lines)
    assert any("natural order" in line and ", ".join(BANDS_NATURAL) in line for line in progress.lines)


def test_the_reader_of_tensorflow_sees_the_bands_by_name_in_the_chosen_order(tmp_path):
    """--bands order kept; what dataset.json names is what the records hold under that name."""
    k = 20
    patches = [patch_values(i, k) for i in range(4)]
    write_shard(tmp_path / "export-00000.gz", patches)
    summary, _ = run(tmp_path, bands=["VV_p50", "B4", "B2"], split="records", fractions=(1.0, 0.0, 0.0))
    assert summary["bands"] == ["VV_p50", "B4", "B2"]
    assert summary["counts"] == {"train": 4, "validation": 0, "test": 0}
    np.testing.assert_allclose(summary["statistics"]["mean"],
                               [np.concatenate([p[b] for p in patches]).mean() for b in ["VV_p50", "B4", "B2"]], rtol=1e-6)
    back = values_in(summary, tmp_path, "train")
    assert len(back) == 4
    np.testing.assert_array_equal(back[2]["VV_p50"], patches[2]["VV_p50"])


def test_k_366_gzip(tmp_path):
    k = 366
    patches = [patch_values(i, k, names=("B3", "class", "B2")) for i in range(2)]
    write_shard(tmp_path / "patches.tfrecord.gz", patches, extras=False)
    summary, _ = run(tmp_path, split="records", fractions=(1.0, 0.0, 0.0))
    assert summary["patch_size"] == 366 and summary["bands"] == ["B2", "B3"]
    assert summary["counts"]["train"] == 2
    assert sum(summary["class_pixels"]["train"]) == 2 * 366 * 366
    stacked = np.stack([np.concatenate([p[b] for p in patches]) for b in ("B2", "B3")])
    np.testing.assert_allclose(summary["statistics"]["mean"], stacked.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(summary["statistics"]["max"], stacked.max(axis=1))
    # percentiles from a sample of the 267 912 pixels: close to numpy's on all of them
    np.testing.assert_allclose(summary["statistics"]["p98"], np.percentile(stacked, 98, axis=1), rtol=2e-3)


def test_split_by_records_counts_what_the_draw_gives(tmp_path):
    k = 4
    for f in range(3):
        write_shard(tmp_path / f"export-{f:05d}.gz", [patch_values(f * 100 + i, k) for i in range(40)])
    summary, _ = run(tmp_path, split="records", seed=7)
    files = shards.find_shards(tmp_path)
    assert summary["split"] == {"method": "records", "seed": 7, "fractions": [0.7, 0.2, 0.1]}
    names = [p.name for p in files]
    assert all(summary["shards"][s] == names for s in ("train", "validation", "test"))
    draws = [records.split_of_draw(records.record_draw(7, i, np.arange(40)), [0.7, 0.2, 0.1]) for i in range(3)]
    expected = np.bincount(np.concatenate(draws), minlength=3)
    assert [summary["counts"][s] for s in ("train", "validation", "test")] == expected.tolist()
    assert all(expected > 0)
    back = {s: len(values_in(summary, tmp_path, s)) for s in ("train", "validation", "test")}
    assert back == summary["counts"]


def test_split_by_shards_deals_whole_files(tmp_path):
    k = 4
    for f in range(10):
        write_shard(tmp_path / f"export-{f:05d}.gz", [patch_values(f * 10 + i, k) for i in range(f + 1)])
    summary, _ = run(tmp_path, seed=3)  # auto: 10 unnamed files → shards
    assert summary["split"]["method"] == "shards"
    dealt = summary["shards"]
    assert [len(dealt[s]) for s in ("train", "validation", "test")] == [7, 2, 1]
    assert sorted(sum(dealt.values(), [])) == sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("export"))
    for split in ("train", "validation", "test"):
        assert summary["counts"][split] == sum(int(name[7:12]) + 1 for name in dealt[split])
    again, _ = run(tmp_path, seed=3, overwrite=True)
    assert again["shards"] == dealt


def test_split_by_shards_needs_three_files(tmp_path):
    write_shard(tmp_path / "a.gz", [patch_values(0, 4)])
    write_shard(tmp_path / "b.gz", [patch_values(1, 4)])
    with pytest.raises(ClaroError, match="holds 2 TFRecord files; a split by shards needs at least 3"):
        run(tmp_path, split="shards")
    summary, _ = run(tmp_path, split="shards", fractions=(0.5, 0.5, 0.0))
    assert summary["counts"] == {"train": 1, "validation": 1, "test": 0}


def test_split_names_from_sub_folders_and_out_elsewhere(tmp_path):
    """The Earth Engine user's layout: training/, validation/, testing/ sub-folders; dataset.json
    written elsewhere with ../ paths back to the shards."""
    data, out = tmp_path / "export", tmp_path / "described"
    write_shard(data / "training" / "training.tfrecord.gz", [patch_values(i, 8) for i in range(3)])
    write_shard(data / "validation" / "validation.tfrecord.gz", [patch_values(10, 8)])
    write_shard(data / "testing" / "testing.tfrecord.gz", [patch_values(20, 8)])
    summary, _ = run(data, out=str(out))
    assert not (data / "dataset.json").exists()
    assert summary["shards"]["train"] == ["../export/training/training.tfrecord.gz"]
    assert summary["counts"] == {"train": 3, "validation": 1, "test": 1}
    assert (out / summary["shards"]["test"][0]).resolve() == (data / "testing" / "testing.tfrecord.gz").resolve()


def test_partly_named_files_are_refused_in_auto(tmp_path):
    """A file named for testing beside unnamed ones: splitting them all would train on the test data."""
    write_shard(tmp_path / "testing.gz", [patch_values(0, 4)])
    write_shard(tmp_path / "export-00001.gz", [patch_values(1, 4)])
    with pytest.raises(ClaroError, match="named for a split .* and others not"):
        run(tmp_path)
    # training files beside unnamed ones say nothing a split by records would break
    (tmp_path / "testing.gz").rename(tmp_path / "training.gz")
    summary, _ = run(tmp_path)
    assert summary["split"]["method"] == "records"


# ---------------------------------------------------------------------------- refusals

def test_per_pixel_export_is_refused_with_the_reason(tmp_path):
    write_shard(tmp_path / "samples.tfrecord.gz", [patch_values(i, 1) for i in range(5)])
    with pytest.raises(ClaroError, match=r"k = 1.*U-Net needs patches.*neighborhoodToArray"):
        run(tmp_path)
    assert not (tmp_path / "dataset.json").exists()


def test_the_real_per_pixel_export_of_ee_aces_bhutan_is_refused(tmp_path):
    training = require_shared("ee-aces-bhutan", "training")
    for folder, out in ((training, tmp_path / "a"), (training.parent, tmp_path / "b")):
        out.mkdir()
        with pytest.raises(ClaroError) as error:
            run(folder, out=str(out))
        assert "k = 1" in str(error.value) and "U-Net needs patches" in str(error.value)
        assert str(error.value).count(". ") == 0  # one sentence
        assert not (out / "dataset.json").exists()


def test_missing_label_lists_the_features(tmp_path):
    write_shard(tmp_path / "x.gz", [patch_values(0, 4, names=("B2", "B3", "lc"), label="lc")])
    with pytest.raises(ClaroError, match=r"none of the label features.*are B2 \(float × 16\), B3 .*, lc \(float × 16\), system:index \(bytes × 1\), year \(int64 × 1\): give --label"):
        run(tmp_path)
    with pytest.raises(ClaroError, match="no feature 'cover'.*--label"):
        run(tmp_path, label="cover")
    summary, _ = run(tmp_path, label="lc", split="records", fractions=(1.0, 0.0, 0.0))
    assert summary["label"] == "lc" and summary["bands"] == ["B2", "B3"]


def test_the_features_are_taken_in_natural_order_whatever_order_the_record_holds_them():
    """TensorFlow serializes an Example's feature map in an order that changes from process to
    process, so the sentences, the label found by case-insensitive name and dataset.json's
    source.features must not follow the record's order."""
    from claro.backend.tfrecord_scan import Feature

    names = ["B11", "LABEL", "B2", "system:index", "Class", "B3", "year"]
    kinds = {"system:index": ("bytes", 1), "year": ("int64", 1)}
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(8):
        order = [names[i] for i in rng.permutation(len(names))]
        found = {n: Feature(*kinds.get(n, ("float", 16))) for n in order}
        lines: list[str] = []
        schema = describe.choose_features(DescribeParams(folder="x"), found, Path("x"), lines.append)
        assert schema.label == "Class"  # 'class' comes before 'label' in LABEL_NAMES
        assert list(schema.features) == ["B2", "B3", "B11", "Class", "LABEL", "system:index", "year"]
        seen.add((schema.label, tuple(schema.bands), tuple(schema.skipped), tuple(lines)))
        with pytest.raises(ClaroError) as error:
            describe.choose_features(DescribeParams(folder="x", label="cover"), found, Path("x"))
        seen.add(str(error.value))
    assert len(seen) == 2


def test_records_of_encoded_images_are_pointed_to_the_image_and_mask_features(tmp_path):
    example = tf.train.Example(features=tf.train.Features(feature={
        "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"\x89PNG..."])),
        "mask": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"\0" * 16]))}))
    with tf.io.TFRecordWriter(str(tmp_path / "part-0.tfrecord")) as writer:
        writer.write(example.SerializeToString())
    with pytest.raises(ClaroError, match=r"only image \(bytes × 1\), mask \(bytes × 1\).*--image-feature and --mask-feature"):
        run(tmp_path)


def test_inconsistent_sizes_are_refused(tmp_path):
    patch = patch_values(0, 4)
    patch["B3"] = patch["B3"][:9]
    write_shard(tmp_path / "x.gz", [patch])
    with pytest.raises(ClaroError, match="'B3'.*holds 9 values but the label 'class' holds 16"):
        run(tmp_path, bands=["B2", "B3"])
    # by default the 3 × 3 feature is not a band, and a later record of another size is refused
    shutil.rmtree(tmp_path)
    write_shard(tmp_path / "x.gz", [patch_values(0, 4), patch_values(1, 5)])
    with pytest.raises(ClaroError, match="Record 1 of .*x.gz does not hold the feature 'B2' as 16 floats"):
        run(tmp_path, split="records")


def test_label_values_that_are_not_classes_are_refused(tmp_path):
    write_shard(tmp_path / "x.gz", [patch_values(0, 4, classes=(0.0, 0.5))])
    with pytest.raises(ClaroError, match="value 0.5 .*not a class value"):
        run(tmp_path, split="records")
    shutil.rmtree(tmp_path)
    write_shard(tmp_path / "x.gz", [patch_values(0, 4, classes=(1.0, 311.0))])
    with pytest.raises(ClaroError, match="value 311 .*outside the class values 0–254"):
        run(tmp_path, split="records")
    summary, progress = run(tmp_path, split="records", classes="1:forest:#00ff00", fractions=(1.0, 0.0, 0.0))
    assert summary["classes"] == [{"value": 1, "name": "forest", "color": "#00ff00"}]
    labels = patch_values(0, 4, classes=(1.0, 311.0))["class"]
    assert summary["class_pixels"]["train"] == [int((labels == 1).sum())]
    assert summary["ignored_pixels"]["train"] == int((labels == 311).sum())


def test_read_only_folder_asks_for_out(tmp_path):
    data = tmp_path / "data"
    write_shard(data / "x.gz", [patch_values(i, 4) for i in range(10)])
    if os.geteuid() == 0:  # root writes through permission bits: make the folder a read-only mount
        mount = subprocess.run(["mount", "--bind", str(data), str(data)], capture_output=True)  # nosec B603 B607
        if mount.returncode:
            pytest.skip(f"cannot bind-mount here: {mount.stderr.decode().strip()}")
        try:
            ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(data)], capture_output=True)  # nosec B603 B607
            if ro.returncode:
                pytest.skip(f"cannot remount read-only here: {ro.stderr.decode().strip()}")
            check_read_only(data, tmp_path)
        finally:
            subprocess.run(["umount", str(data)], check=False)  # nosec B603 B607
    else:
        data.chmod(0o555)
        try:
            check_read_only(data, tmp_path)
        finally:
            data.chmod(0o755)


def check_read_only(data: Path, tmp_path: Path) -> None:
    with pytest.raises(ClaroError, match="not writable .*pass --out"):
        run(data, split="records")
    summary, _ = run(data, split="records", out=str(tmp_path / "out"))
    assert summary["shards"]["train"] == ["../data/x.gz"]


def test_an_existing_dataset_json_is_not_replaced(tmp_path):
    write_shard(tmp_path / "x.gz", [patch_values(i, 4) for i in range(10)])
    theirs = json.dumps({"bands": ["B2"], "patch_size": 4, "classes": [], "note": "written by hand"})
    (tmp_path / "dataset.json").write_text(theirs)
    with pytest.raises(ClaroError, match="Claro did not write it"):
        run(tmp_path, split="records")
    with pytest.raises(ClaroError, match="Claro did not write it"):
        run(tmp_path, split="records", overwrite=True)
    assert (tmp_path / "dataset.json").read_text() == theirs
    (tmp_path / "dataset.json").unlink()
    run(tmp_path, split="records")
    with pytest.raises(ClaroError, match="--overwrite"):
        run(tmp_path, split="records")
    summary, _ = run(tmp_path, split="records", overwrite=True, seed=5)
    assert summary["split"]["seed"] == 5


def test_a_damaged_file_is_named(tmp_path):
    path = write_shard(tmp_path / "x.gz", [patch_values(i, 8) for i in range(3)], gzip=False)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ClaroError, match="x.gz is not a readable TFRecord file .*ends inside record 2"):
        run(tmp_path, split="records")


# ---------------------------------------------------------------------------- the command line

def test_cli_describes_and_refuses_with_one_sentence_and_exit_2(tmp_path, capsys):
    write_shard(tmp_path / "x.gz", [patch_values(i, 4) for i in range(3)])
    assert cli.main(["describe", str(tmp_path), "--split", "records", "--progress", "json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["event"] == "done" and events[-1]["counts"] == json.loads(
        (tmp_path / "dataset.json").read_text())["counts"]
    assert any(e["event"] == "log" and e["message"].startswith("Patch dataset") for e in events)
    assert cli.main(["describe", str(tmp_path), "--label", "cover", "--overwrite"]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("claro: error:")]
    assert len(errors) == 1 and "no feature 'cover'" in errors[0]
    assert cli.main(["describe", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip() == (f"claro: error: {tmp_path / 'nowhere'} is not a folder; give the folder "
                                               "holding the TFRecord files.")
    assert cli.main(["describe", str(tmp_path), "--fractions", "0.5,0.1,0.1", "--overwrite"]) == 2
    assert "add up to 1" in capsys.readouterr().err


def test_cli_out_to_a_new_folder_is_created_and_removed_again_on_failure(tmp_path, capsys):
    """The job claims out/dataset.json, so a new --out folder must be made first; a describe that
    then fails leaves no folder behind (nothing half-written)."""
    data = tmp_path / "export"
    write_shard(data / "x.gz", [patch_values(i, 4) for i in range(3)])
    out = tmp_path / "new"
    assert cli.main(["describe", str(data), "--out", str(out), "--split", "records"]) == 0, capsys.readouterr().err
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["shards"]["train"] == ["../export/x.gz"] and summary["counts"]["train"] > 0
    assert sorted(p.name for p in out.iterdir()) == ["dataset.json"]  # the job's lock is released
    failed = tmp_path / "failed"
    assert cli.main(["describe", str(data), "--out", str(failed), "--label", "cover"]) == 2
    assert "no feature 'cover'" in capsys.readouterr().err
    assert not failed.exists()
    assert cli.main(["describe", str(data), "--out", str(tmp_path / "no" / "such"), "--split", "records"]) == 2
    assert "does not exist; create it first" in capsys.readouterr().err


def test_cli_module_entry(tmp_path):
    write_shard(tmp_path / "samples.gz", [patch_values(0, 1)])
    done = subprocess.run([sys.executable, "-m", "claro.backend", "describe", str(tmp_path)],  # nosec B603
                          capture_output=True, text=True, env={**os.environ})
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("claro: error: The records in") and "k = 1" in last and "U-Net needs patches" in last


# ---------------------------------------------------------------------------- with the reader and training

def test_the_reader_reads_what_describe_counted_bands_by_content(tmp_path):
    """dataset.json written elsewhere (--out), split by records: Claro's tf.data reader yields, per
    split, exactly the records describe counted, each band channel holding that band's values."""
    data, out = tmp_path / "export", tmp_path / "described"
    out.mkdir()
    patches = [patch_values(i, 20) for i in range(24)]
    write_shard(data / "export-00000.gz", patches[:13])
    write_shard(data / "export-00001", patches[13:], gzip=False)
    summary, _ = run(data, out=str(out), split="records", seed=11, bands=["B8", "B2", "VV_p50"])
    by_b8 = {p["B8"][0]: p for p in patches}
    seen = 0
    for split in ("train", "validation", "test"):
        x, y = [], []
        for xb, yb in records.read_split(out, split, 64, normalise=False):
            x.append(xb.numpy())
            y.append(yb.numpy())
        x = np.concatenate(x) if x else np.zeros((0, 20, 20, 3))
        assert len(x) == summary["counts"][split]
        for patch_x, patch_y in zip(x, np.concatenate(y) if y else []):
            original = by_b8[patch_x[0, 0, 0]]
            for channel, band in enumerate(["B8", "B2", "VV_p50"]):
                np.testing.assert_array_equal(patch_x[..., channel].ravel(), original[band])
            np.testing.assert_array_equal(patch_y.ravel(), original["class"].astype(int))  # classes 0, 1, 2 = indices
            seen += 1
    assert seen == 24


def test_train_on_a_folder_of_shards_describes_it_first(tmp_path):
    import io

    from claro.backend import card, train
    from claro.backend.params import TrainParams

    data = tmp_path / "export"
    write_shard(data / "training_patches_g0.tfrecord.gz", [patch_values(i, 20) for i in range(6)])
    write_shard(data / "validation_patches_g0.tfrecord.gz", [patch_values(10 + i, 20) for i in range(2)])
    stream = io.StringIO()
    train.run(TrainParams(data=str(data), out=str(tmp_path / "m.keras"), epochs=1, depth=2, base_filters=4,
                          batch_size=4, progress="json"), Progress("json", stream=stream))
    summary = json.loads((data / "dataset.json").read_text())
    assert summary["counts"] == {"train": 6, "validation": 2, "test": 0}
    model_card = card.read_card(tmp_path / "m.keras")
    assert model_card["bands"] == BANDS_NATURAL and model_card["patch_size"] == 20


# ---------------------------------------------------------------------------- integer features

def test_int64_values_are_read_packed_unpacked_and_negative():
    from claro.backend.tfrecord_scan import parse_example

    values = [0, 1, 127, 128, 300, -1, -40, 2**40, -2**63, 2**63 - 1]
    record = tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(int64_list=tf.train.Int64List(value=values))})).SerializeToString()
    feature = parse_example(record)["a"]
    assert feature.kind == "int64" and feature.size == len(values) and feature.ints().tolist() == values
    # unpacked (one varint per field, as older writers do): Example{features{feature{key "b",
    # value{int64_list{value: 5, value: 300}}}}}
    int64_list = b"\x08\x05\x08\xac\x02"
    value = b"\x1a" + bytes([len(int64_list)]) + int64_list
    entry = b"\x0a\x01b" + b"\x12" + bytes([len(value)]) + value
    features = b"\x0a" + bytes([len(entry)]) + entry
    unpacked = parse_example(b"\x0a" + bytes([len(features)]) + features)["b"]
    assert tf.train.Example.FromString(b"\x0a" + bytes([len(features)]) + features).features.feature["b"].int64_list.value == [5, 300]
    assert unpacked.size == 2 and unpacked.ints().tolist() == [5, 300] and unpacked.values().dtype == np.int64


def test_int64_label_and_band_through_describe_the_reader_and_training(tmp_path):
    """An integer class band and an integer band among float bands, as Earth Engine writes an
    integer image: described (types in dataset.json), read by content (int64 cast to float32),
    and a tiny model trains on them."""
    import io

    from claro.backend import card, train
    from claro.backend.params import TrainParams

    k = 8
    patches = [int_patch(i, k) for i in range(10)]
    data = tmp_path / "export"
    data.mkdir()
    write_int_shard(data / "training_g0.tfrecord.gz", patches[:7])
    write_int_shard(data / "validation_g0.tfrecord.gz", patches[7:])
    summary, progress = run(data)
    assert summary["label"] == "class" and summary["bands"] == ["B2", "B3", "slope"]  # int64 k×k: a default band
    assert summary["source"]["features"]["slope"] == {"type": "int64", "size": k * k}
    assert summary["source"]["features"]["class"] == {"type": "int64", "size": k * k}
    assert summary["source"]["features"]["B2"] == {"type": "float", "size": k * k}
    assert [c["value"] for c in summary["classes"]] == [0, 1]
    labels = np.concatenate([p["class"] for p in patches[:7]])
    assert summary["class_pixels"]["train"] == [int((labels == 0).sum()), int((labels == 1).sum())]
    stacked = np.stack([np.concatenate([p[b] for p in patches[:7]]).astype(np.float32) for b in ("B2", "B3", "slope")])
    np.testing.assert_allclose(summary["statistics"]["mean"], stacked.astype(np.float64).mean(axis=1), rtol=1e-6)
    assert summary["statistics"]["min"][2] == float(stacked[2].min())
    assert any("every float or int64 feature" in line and "B2, B3, slope" in line for line in progress.lines)
    # --bands may name the int64 band too, in any order
    again, _ = run(data, bands=["slope", "B2"], out=str(tmp_path / "chosen"))
    assert again["bands"] == ["slope", "B2"]

    by_b2 = {float(p["B2"][0]): p for p in patches}
    for split, count in (("train", 7), ("validation", 3)):
        seen = 0
        for xb, yb in records.read_split(data, split, 4, normalise=False):
            assert xb.dtype == tf.float32
            for x, y in zip(xb.numpy(), yb.numpy()):
                original = by_b2[float(x[0, 0, 0])]
                for channel, band in enumerate(("B2", "B3", "slope")):
                    np.testing.assert_array_equal(x[..., channel].ravel(), original[band].astype(np.float32))
                np.testing.assert_array_equal(y.ravel(), original["class"])  # classes 0, 1 = indices
                seen += 1
        assert seen == count

    stream = io.StringIO()
    train.run(TrainParams(data=str(data), out=str(tmp_path / "m.keras"), epochs=1, depth=2, base_filters=4,
                          batch_size=4, progress="json"), Progress("json", stream=stream))
    model_card = card.read_card(tmp_path / "m.keras")
    assert model_card["bands"] == ["B2", "B3", "slope"] and model_card["patch_size"] == k
    history = json.loads((tmp_path / "m.history.json").read_text())
    assert len(history["loss"]) == 1 and np.isfinite(history["loss"][0])


def test_a_feature_that_changes_type_between_records_is_refused(tmp_path):
    first, second = int_patch(0, 4), int_patch(1, 4)
    second["slope"] = second["slope"].astype(np.float32)
    write_int_shard(tmp_path / "x.gz", [first, second])
    with pytest.raises(ClaroError, match="Record 1 of .*x.gz does not hold the feature 'slope' as 16 int64 values"):
        run(tmp_path, split="records")
