"""Records holding encoded images (claro.backend.encoded) → a Claro patch dataset.

The records are written by TensorFlow the way the TPU deforestation notebook stores them (a PNG
`image`, a `mask` of raw float32 [512, 512, 3] one-hot bytes) from a real Amazon tile bundled in
resources/sample, and read back first with the notebook's own decoding, so the test data is the
notebook's layout and not our idea of it.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from claro.backend import encoded, records  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402
from claro.backend.params import DescribeParams, TrainParams  # noqa: E402
from claro.backend.progress import Progress  # noqa: E402

from ..conftest import sample_tile  # noqa: E402

K = 512


def amazon_tile() -> tuple[np.ndarray, np.ndarray]:
    """(RGB uint8 [512, 512, 3], class values [512, 512]) of the bundled tile: 0 forest, 1 cleared,
    and cleared pixels in the top 128 rows made class 2, for a third class."""
    from osgeo import gdal

    image_path, mask_path = sample_tile()
    image = gdal.Open(str(image_path)).ReadAsArray().transpose(1, 2, 0).astype(np.uint8)
    mask = gdal.Open(str(mask_path)).ReadAsArray().astype(np.int64)
    classes = mask.copy()
    classes[:128][mask[:128] == 1] = 2
    assert image.shape == (K, K, 3) and set(np.unique(classes)) == {0, 1, 2}
    return image, classes


def one_hot(classes: np.ndarray, n: int = 3) -> np.ndarray:
    return np.eye(n, dtype=np.float32)[classes]


def variants(image: np.ndarray, classes: np.ndarray, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """n different samples from one tile (rotations and flips of it), image and classes alike."""
    out = []
    for i in range(n):
        im, cl = np.rot90(image, i % 4), np.rot90(classes, i % 4)
        if i >= 4:
            im, cl = im[:, ::-1], cl[:, ::-1]
        out.append((np.ascontiguousarray(im), np.ascontiguousarray(cl)))
    return out


def bytes_feature(value: bytes) -> "tf.train.Feature":
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def write_records(path: Path, samples, image_bytes, mask_bytes, gzip: bool = False) -> None:
    """TFRecordWriter + tf.train.Example with two bytes features, as the notebook writes them."""
    options = tf.io.TFRecordOptions(compression_type="GZIP") if gzip else None
    with tf.io.TFRecordWriter(str(path), options) as writer:
        for image, classes in samples:
            example = tf.train.Example(features=tf.train.Features(feature={
                "image": bytes_feature(image_bytes(image)), "mask": bytes_feature(mask_bytes(classes))}))
            writer.write(example.SerializeToString())


def png(image: np.ndarray) -> bytes:
    return tf.io.encode_png(image).numpy()


def raw_one_hot(classes: np.ndarray) -> bytes:
    return one_hot(classes).tobytes()  # NOT tf.io.serialize_tensor: the notebook reads it with decode_raw


def notebook_read(path: Path, k: int = K) -> list[tuple[np.ndarray, np.ndarray]]:
    """The notebook's parsing: decode_png(channels=3) and decode_raw(float32) reshaped to [k, k, 3]."""
    spec = {"image": tf.io.FixedLenFeature([], tf.string), "mask": tf.io.FixedLenFeature([], tf.string)}

    def parse(proto):
        example = tf.io.parse_single_example(proto, spec)
        image = tf.reshape(tf.image.decode_png(example["image"], channels=3), [k, k, 3])
        mask = tf.reshape(tf.io.decode_raw(example["mask"], out_type=tf.float32), [k, k, 3])
        return image, mask

    dataset = tf.data.TFRecordDataset(str(path), compression_type=records.compression_of(path)).map(parse)
    return [(image.numpy(), mask.numpy()) for image, mask in dataset]


def claro_read(folder: Path, split: str, k: int, n_bands: int = 3) -> list[dict]:
    """The converted shards, parsed with the ACCA notebook's FixedLenFeature dict."""
    spec = records.feature_spec(n_bands, k)
    files = records.split_files(folder, split)
    if not files:
        return []
    dataset = tf.data.TFRecordDataset(files, compression_type="GZIP").map(lambda p: tf.io.parse_single_example(p, spec))
    return [{key: value.numpy() for key, value in example.items()} for example in dataset]


def convert(folder: Path, out: Path, **changes) -> Path:
    params = DescribeParams(folder=str(folder), image_feature="image", mask_feature="mask", out=str(out), **changes)
    return encoded.convert(params, Progress("json", stream=io.StringIO()))


@pytest.fixture(scope="module")
def notebook_folder(tmp_path_factory):
    """train (4 records, GZIP), val (1) and test (1) files of the notebook's layout."""
    image, classes = amazon_tile()
    samples = variants(image, classes, 6)
    folder = tmp_path_factory.mktemp("notebook")
    write_records(folder / "train_00-4.tfrec", samples[:4], png, raw_one_hot, gzip=True)
    write_records(folder / "val_00-1.tfrec", samples[4:5], png, raw_one_hot)
    write_records(folder / "test_00-1.tfrec", samples[5:], png, raw_one_hot)
    return folder, samples


@pytest.fixture(scope="module")
def converted(notebook_folder, tmp_path_factory):
    folder, _ = notebook_folder
    return convert(folder, tmp_path_factory.mktemp("out") / "dataset")


def test_notebook_decoding_reads_the_test_records(notebook_folder):
    folder, samples = notebook_folder
    read = notebook_read(folder / "train_00-4.tfrec") + notebook_read(folder / "val_00-1.tfrec")
    assert len(read) == 5
    for (image, mask), (want_image, want_classes) in zip(read, samples):
        assert np.array_equal(image, want_image)
        assert np.array_equal(mask, one_hot(want_classes)) and np.array_equal(mask.argmax(-1), want_classes)


def test_converted_patches_hold_the_png_pixels_and_argmax_classes(notebook_folder, converted):
    folder, samples = notebook_folder
    by_pixels = {image.tobytes(): classes for image, classes in samples}
    expected_split = {**{s[0].tobytes(): "train" for s in samples[:4]}, samples[4][0].tobytes(): "validation",
                      samples[5][0].tobytes(): "test"}
    summary = json.loads((converted / "dataset.json").read_text())
    seen = []
    for split in ("train", "validation", "test"):
        for record in claro_read(converted, split, K):
            bands = np.stack([record["b1"], record["b2"], record["b3"]], axis=-1)
            assert bands.dtype == np.float32 and np.array_equal(bands, np.round(bands))
            key = bands.astype(np.uint8).tobytes()
            assert key in by_pixels, "a converted patch is none of the PNGs"
            assert expected_split[key] == split
            assert np.array_equal(record["class"], by_pixels[key])
            seen.append(key)
    assert sorted(seen) == sorted(by_pixels)
    assert summary["counts"] == {"train": 4, "validation": 1, "test": 1}
    assert summary["patch_size"] == K and summary["bands"] == ["b1", "b2", "b3"]
    assert summary["band_descriptions"] == ["red", "green", "blue"]
    assert [c["value"] for c in summary["classes"]] == [0, 1, 2] and summary["ignore_value"] == 255
    assert summary["split"]["method"] == "names"
    assert summary["source"] == {
        "kind": "encoded-images", "folder": str(folder.resolve()),
        "files": ["test_00-1.tfrec", "train_00-4.tfrec", "val_00-1.tfrec"],
        "image_feature": "image", "mask_feature": "mask", "image_encoding": "png", "mask_encoding": "raw float32",
        "mask_shape": [K, K, 3], "mask_to_class": "argmax", "records": 6, "records_without_labels": 0}
    for split, chosen in (("train", samples[:4]), ("validation", samples[4:5]), ("test", samples[5:])):
        pixels = np.bincount(np.concatenate([c.ravel() for _, c in chosen]), minlength=3)
        assert summary["class_pixels"][split] == pixels.tolist()
        assert summary["ignored_pixels"][split] == 0
    train = np.stack([image for image, _ in samples[:4]]).reshape(-1, 3).astype(np.float64)
    stats = summary["statistics"]
    assert np.allclose(stats["mean"], train.mean(axis=0), rtol=1e-6)
    assert np.allclose(stats["std"], train.std(axis=0), rtol=1e-5)
    assert stats["min"] == train.min(axis=0).tolist() and stats["max"] == train.max(axis=0).tolist()
    assert np.allclose(stats["p98"], np.percentile(train, 98, axis=0), atol=2)  # from a sample of pixels
    assert summary["parameters"]["image_feature"] == "image" and summary["software"]["claro"]
    for split, names in summary["shards"].items():
        assert sorted(p.name for p in converted.glob(f"{split}-*")) == names


def test_reader_yields_class_indices(converted):
    x, y = next(iter(records.read_split(converted, "validation", 1, normalise=False)))
    assert x.shape == (1, K, K, 3) and set(np.unique(y.numpy())) == {0, 1, 2}


def test_jpeg_images_and_integer_masks_split_by_records(tmp_path):
    """JPEG images with class masks stored three ways, in files whose names say no split."""
    image, classes = amazon_tile()
    k = 64
    samples = [(np.ascontiguousarray(image[r:r + k, c:c + k]), np.ascontiguousarray(classes[r:r + k, c:c + k]))
               for r in (0, 64, 192) for c in (0, 128, 320, 448)]
    jpeg = lambda im: tf.io.encode_jpeg(im, quality=90).numpy()  # noqa: E731
    masks = {"uint8": lambda cl: cl.astype(np.uint8).tobytes(),
             "float32": lambda cl: cl.astype(np.float32)[..., None].tobytes(),
             "png": lambda cl: tf.io.encode_png(cl.astype(np.uint8)[..., None]).numpy()}
    for name, mask_bytes in masks.items():
        folder = tmp_path / name
        folder.mkdir()
        write_records(folder / "part-00000.gz", samples[:6], jpeg, mask_bytes, gzip=True)
        write_records(folder / "part-00001", samples[6:], jpeg, mask_bytes)
        out = convert(folder, tmp_path / f"{name}-out", fractions=(0.5, 0.25, 0.25), seed=7)
        summary = json.loads((out / "dataset.json").read_text())
        assert summary["source"]["image_encoding"] == "jpeg"
        assert summary["source"]["mask_encoding"] == ("png" if name == "png" else f"raw {name}")
        assert summary["source"]["mask_to_class"] == "values" and summary["split"]["method"] == "records"
        want = {}
        for position, part in enumerate((samples[:6], samples[6:])):
            for index, (im, cl) in enumerate(part):
                decoded = tf.io.decode_jpeg(jpeg(im)).numpy()
                split = ("train", "validation", "test")[int(records.split_of_draw(
                    records.record_draw(7, position, index), (0.5, 0.25, 0.25)))]
                want[decoded.tobytes()] = (split, cl)
        got = 0
        for split in ("train", "validation", "test"):
            for record in claro_read(out, split, k):
                key = np.stack([record["b1"], record["b2"], record["b3"]], axis=-1).astype(np.uint8).tobytes()
                assert want[key][0] == split and np.array_equal(record["class"], want[key][1])
                got += 1
        assert got == len(samples)
        assert summary["counts"] == {s: sum(v[0] == s for v in want.values()) for s in ("train", "validation", "test")}
        assert [c["value"] for c in summary["classes"]] == sorted(np.unique(np.concatenate([c.ravel() for _, c in samples])))


def test_raw_float32_images_infer_the_patch_size_from_the_mask(tmp_path):
    rng = np.random.default_rng(0)
    k = 64
    classes = rng.integers(0, 3, (k, k))
    image = rng.normal(size=(k, k, 3)).astype(np.float32)
    image[0, 0, 1] = np.nan  # a nodata pixel: its label is ignored, its value the band's mean
    write_records(tmp_path / "train.tfrecord", [(image, classes)], lambda im: im.tobytes(), raw_one_hot)
    out = convert(tmp_path, tmp_path.parent / "raw-out", split="names")
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["source"]["image_encoding"] == "raw float32" and summary["source"]["mask_shape"] == [k, k, 3]
    (record,) = claro_read(out, "train", k)
    bands = np.stack([record["b1"], record["b2"], record["b3"]], axis=-1)
    assert np.array_equal(bands.reshape(-1, 3)[1:], image.reshape(-1, 3)[1:])
    assert bands[0, 0] == pytest.approx(image.reshape(-1, 3)[1:].mean(axis=0), rel=1e-5)
    assert record["class"][0, 0] == 255 and np.array_equal(record["class"].ravel()[1:], classes.ravel()[1:])
    assert summary["ignored_pixels"]["train"] == 1


def test_classes_and_ignore_value_are_honoured(notebook_folder, tmp_path):
    folder, samples = notebook_folder
    out = convert(folder, tmp_path / "out", classes="1:cleared:#ff0000,2:road", ignore_value=0)
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["classes"] == [{"value": 1, "name": "cleared", "color": "#ff0000"},
                                  {"value": 2, "name": "road", "color": "#d7191c"}]
    assert summary["ignore_value"] == 0
    (record,) = claro_read(out, "validation", K)
    assert np.array_equal(record["class"] == 0, samples[4][1] == 0)
    assert summary["class_pixels"]["validation"] == [int((samples[4][1] == v).sum()) for v in (1, 2)]


def small_samples(n: int, k: int = 64) -> list[tuple[np.ndarray, np.ndarray]]:
    image, classes = amazon_tile()
    return [(np.ascontiguousarray(image[i * k:(i + 1) * k, :k]), np.ascontiguousarray(classes[i * k:(i + 1) * k, :k]))
            for i in range(n)]


def test_split_by_shards_deals_whole_files(tmp_path):
    samples = small_samples(6)
    mask = lambda cl: cl.astype(np.uint8).tobytes()  # noqa: E731
    for i in range(3):
        write_records(tmp_path / f"part-{i}.tfrecord", samples[2 * i:2 * i + 2], png, mask)
    out = convert(tmp_path, tmp_path.parent / "shards-out", split="shards", fractions=(0.4, 0.3, 0.3))
    summary = json.loads((out / "dataset.json").read_text())
    files = summary["split"]["files"]
    assert summary["split"]["method"] == "shards"
    assert sorted(sum(files.values(), [])) == ["part-0.tfrecord", "part-1.tfrecord", "part-2.tfrecord"]
    assert [len(files[s]) for s in ("train", "validation", "test")] == [1, 1, 1]
    for split in ("train", "validation", "test"):
        (name,) = files[split]
        first = samples[2 * int(name[5])][0]
        got = [np.stack([r["b1"], r["b2"], r["b3"]], axis=-1).astype(np.uint8) for r in claro_read(out, split, 64)]
        assert len(got) == 2 and any(np.array_equal(g, first) for g in got)


def test_names_that_say_a_split_for_some_files_only_are_refused(tmp_path):
    samples = small_samples(2)
    mask = lambda cl: cl.astype(np.uint8).tobytes()  # noqa: E731
    write_records(tmp_path / "validation.tfrecord", samples[:1], png, mask)
    write_records(tmp_path / "extra.tfrecord", samples[1:], png, mask)
    with pytest.raises(ClaroError, match=r"are named for a split \(validation.tfrecord\) and others not \(extra.tfrecord\)"):
        convert(tmp_path, tmp_path.parent / "out")
    with pytest.raises(ClaroError, match=r"The names of extra.tfrecord in .* do not say train, validation or test"):
        convert(tmp_path, tmp_path.parent / "out", split="names")


@pytest.mark.parametrize("unlabelled, mask", [
    (255, lambda cl: tf.io.encode_png(cl.astype(np.uint8)[..., None]).numpy()),  # Claro's ignore value
    (-1, lambda cl: cl.astype(np.float32).tobytes()),  # a signed mask's nodata (labels.label_nodata)
])
def test_unlabelled_mask_values(tmp_path, unlabelled, mask):
    (image, classes), = small_samples(1)
    classes = classes.astype(np.int64)
    classes[:8] = unlabelled
    write_records(tmp_path / "train.tfrecord", [(image, classes)], png, mask)
    stream = io.StringIO()
    out = encoded.convert(DescribeParams(folder=str(tmp_path), image_feature="image", mask_feature="mask", split="names",
                                         out=str(tmp_path.parent / f"out{unlabelled}")), Progress("json", stream=stream))
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["ignored_pixels"]["train"] == 8 * 64 and summary["ignore_value"] == 255
    assert [c["value"] for c in summary["classes"]] == sorted(np.unique(classes[8:]).tolist())
    assert ("512 mask pixels hold 255, Claro's value for 'not labelled'" in stream.getvalue()) == (unlabelled == 255)
    (record,) = claro_read(out, "train", 64)
    assert np.array_equal(record["class"], np.where(classes == unlabelled, 255, classes))


@pytest.mark.parametrize("mask, sentence", [
    (lambda cl: one_hot(cl).tobytes()[:-4], r"bytes, which are not k × k × C float32 or uint8 values for k = 64"),
    (lambda cl: (cl.astype(np.float32) + 0.5).tobytes(), r"as float32 \[64, 64, 1\] its values are not whole class numbers"),
    (lambda cl: (one_hot(cl) * 2).tobytes(), r"do not sum to 1 per pixel"),
])
def test_masks_claro_cannot_read_are_refused_with_a_sentence(tmp_path, mask, sentence):
    image, classes = amazon_tile()
    write_records(tmp_path / "train.tfrec", [(image[:64, :64].copy(), classes[:64, :64])], png, mask)
    with pytest.raises(ClaroError, match=sentence):
        convert(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists() and [p.name for p in tmp_path.iterdir()] == ["train.tfrec"]


def test_refusals(notebook_folder, converted, tmp_path):
    folder, _ = notebook_folder
    with pytest.raises(ClaroError, match="give --out"):
        encoded.convert(DescribeParams(folder=str(folder), image_feature="image", mask_feature="mask"),
                        Progress("json", stream=io.StringIO()))
    with pytest.raises(ClaroError, match=r"has no feature 'picture' \(it has: image, mask\)"):
        encoded.convert(DescribeParams(folder=str(folder), image_feature="picture", mask_feature="mask",
                                       out=str(tmp_path / "x")), Progress("json", stream=io.StringIO()))
    with pytest.raises(ClaroError, match="already holds a patch dataset; choose another or use --overwrite"):
        convert(folder, converted)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(ClaroError, match="holds files Claro did not write"):
        convert(folder, mine, overwrite=True)


def test_converted_dataset_trains_unchanged(converted, tmp_path):
    from claro.backend import train

    out = tmp_path / "model.keras"
    train.run(TrainParams(data=str(converted), out=str(out), epochs=1, depth=2, base_filters=4, batch_size=2,
                          progress="json"), Progress("json", stream=io.StringIO()))
    from claro.backend.card import read_card

    card = read_card(out)
    assert [c["value"] for c in card["classes"]] == [0, 1, 2] and card["patch_size"] == K
    assert card["bands"] == ["b1", "b2", "b3"]


def test_claro_describe_converts_through_the_command_line(notebook_folder, converted, tmp_path, capsys):
    from claro.backend import cli

    folder, _ = notebook_folder
    out = tmp_path / "cli"
    assert cli.main(["describe", str(folder), "--image-feature", "image", "--mask-feature", "mask", "--out", str(out),
                     "--progress", "json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (done,) = [e for e in events if e["event"] == "done"]
    assert done["counts"] == {"train": 4, "validation": 1, "test": 1} and done["out"] == str(out)
    mine = json.loads((out / "dataset.json").read_text())
    theirs = json.loads((converted / "dataset.json").read_text())
    for key in ("classes", "counts", "class_pixels", "statistics", "shards", "source"):
        assert mine[key] == theirs[key]
    assert mine["parameters"]["command"] == ["describe", str(folder), "--image-feature", "image", "--mask-feature",
                                             "mask", "--out", str(out), "--progress", "json"]
    assert cli.main(["describe", str(folder), "--image-feature", "image", "--mask-feature", "mask"]) == 2
    assert "give --out, the folder to write it to" in capsys.readouterr().err


def test_the_folder_survey_and_split_come_from_a_lower_module_than_describe():
    """describe.run imports encoded for the other layout, so encoded must not import describe
    (no loop in the module map): both take the files and the split from shards.py."""
    import subprocess
    import sys

    code = ("import sys, claro.backend.encoded, claro.backend.shards; "
            "print('claro.backend.describe' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # nosec B603
    assert done.stdout.strip() == "False"


def test_pictures_that_are_not_square_are_refused(tmp_path):
    image = np.zeros((8, 12, 3), np.uint8)
    write_records(tmp_path / "wide-image.tfrecord", [(image, np.zeros((8, 8), np.uint8))], png,
                  lambda c: png(c[..., None]))
    with pytest.raises(ClaroError, match=r"The image in record 0 of wide-image.tfrecord is 12 × 8 pixels; Claro's "
                                         r"patches are square, so the images must be too\."):
        convert(tmp_path, tmp_path / "out")
    (tmp_path / "wide-image.tfrecord").unlink()
    write_records(tmp_path / "wide-mask.tfrecord", [(np.zeros((8, 8, 3), np.uint8), np.zeros((6, 8), np.uint8))], png,
                  lambda c: png(c[..., None]))
    with pytest.raises(ClaroError, match=r"The mask in record 0 of wide-mask.tfrecord is 8 × 6 pixels; Claro's "
                                         r"patches are square, so the masks must be too\."):
        convert(tmp_path, tmp_path / "out")


def test_a_damaged_file_and_a_feature_of_another_kind_are_named(tmp_path):
    samples = [(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), np.uint8))] * 3
    write_records(tmp_path / "part-0.tfrecord", samples, png, lambda c: png(c[..., None]))
    path = tmp_path / "part-0.tfrecord"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ClaroError, match=r"part-0.tfrecord is not a readable TFRecord file .*ends inside record 2"):
        convert(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    path.unlink()
    with tf.io.TFRecordWriter(str(tmp_path / "part-1.tfrecord")) as writer:
        writer.write(tf.train.Example(features=tf.train.Features(feature={
            "image": bytes_feature(png(samples[0][0])),
            "mask": tf.train.Feature(float_list=tf.train.FloatList(value=[0.0] * 64))})).SerializeToString())
    with pytest.raises(ClaroError, match=r"Feature 'mask' in record 0 of part-1.tfrecord is a float list of 64 values, "
                                         r"not one bytes value"):
        convert(tmp_path, tmp_path / "out")
