"""Earth Engine image exports: `claro predict --image EXPORT.json` and `--format tfrecord`.

Exports are written here by TensorFlow itself (tf.io.TFRecordWriter + tf.train.Example) as Earth
Engine writes them: one Example per patch in row-major grid order, features in no particular
order (plus a bytes feature), patches with or without kernelSize margins, GZIP or not, in one
or several files, beside a mixer JSON. The model is a 1×1 convolution whose probability is the
feature `nir`, so every class pixel says which value it was predicted from.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, osr

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from claro.backend import card as model_card  # noqa: E402
from claro.backend import cli, ee_image  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402
from ..conftest import require_shared  # noqa: E402

WIDTH, HEIGHT, PER_ROW, TOTAL = 16, 12, 3, 6      # a 3 × 2 grid of 16×12 patches: 48×24 pixels
AFFINE = [10.0, 0.0, 500000.0, 0.0, -10.0, 9000000.0]  # Earth Engine's order
GEOTRANSFORM = (500000.0, 10.0, 0.0, 9000000.0, 0.0, -10.0)
TWO = [{"value": 3, "name": "forest", "color": "#1a9641"}, {"value": 7, "name": "logged", "color": "#d7191c"}]
BHUTAN_BANDS = ["red_before", "green_before", "blue_before", "nir_before",
                "red_during", "green_during", "blue_during", "nir_during"]


def grid(seed: int = 0) -> dict[str, np.ndarray]:
    """The ground truth of an export: each feature over the whole 48×24 grid; `blue` = 1 − nir
    is a decoy that flips every class if picked instead of `nir`."""
    rng = np.random.default_rng(seed)
    nir = rng.random((HEIGHT * 2, WIDTH * PER_ROW)).astype(np.float32)
    return {"nir": nir, "red": rng.random(nir.shape).astype(np.float32), "blue": 1.0 - nir}


def write_export(folder: Path, truth: dict[str, np.ndarray], *, margin: int = 0, files: int = 1, gzip: bool = True,
                 prefix: str = "image", mixer_name: str = "", total: int = TOTAL, dims=(WIDTH, HEIGHT)) -> Path:
    """An Export.image TFRecord export of `truth`: records of (width + 2·margin) × (height + 2·margin)
    values per feature (the margin holds the neighbours' values, random ones outside the grid),
    spread over `files` files, and its mixer; returns the mixer's path."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(99)
    padded = {name: np.pad(values, margin, mode="constant") for name, values in truth.items()}
    for name, values in padded.items():  # outside the grid: anything but the truth
        outside = np.ones(values.shape, bool)
        outside[margin: values.shape[0] - margin, margin: values.shape[1] - margin] = False
        values[outside] = rng.random(int(outside.sum()))
    examples = []
    for index in range(TOTAL):
        x, y = (index % PER_ROW) * WIDTH, (index // PER_ROW) * HEIGHT
        names = list(padded)
        rng.shuffle(names)  # features in no particular order, as real exports store them
        feature = {"system:index": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"{index}".encode()]))}
        for name in names:
            patch = padded[name][y: y + HEIGHT + 2 * margin, x: x + WIDTH + 2 * margin]
            feature[name] = (tf.train.Feature(int64_list=tf.train.Int64List(value=patch.ravel()))
                             if patch.dtype == np.int64 else tf.train.Feature(float_list=tf.train.FloatList(value=patch.ravel())))
        examples.append(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
    suffix = ".tfrecord.gz" if gzip else ".tfrecord"
    options = tf.io.TFRecordOptions(compression_type="GZIP" if gzip else "")
    chunks = np.array_split(np.arange(TOTAL), files)
    for number, chunk in enumerate(chunks):
        name = f"{prefix}{suffix}" if files == 1 else f"{prefix}-{number:05d}{suffix}"
        with tf.io.TFRecordWriter(str(folder / name), options) as writer:
            for index in chunk:
                writer.write(examples[index])
    mixer = folder / (mixer_name or f"{prefix}.json")
    mixer.write_text(json.dumps({"projection": {"crs": "EPSG:32719", "affine": {"doubleMatrix": AFFINE}},
                                 "patchDimensions": list(dims), "patchesPerRow": PER_ROW, "totalPatches": total}))
    return mixer


def nir_model(path: Path, bands=("nir", "red")) -> Path:
    """Binary model whose probability is its first band (a 1×1 convolution): class 7 where nir > 0.5."""
    inputs = keras.Input((None, None, len(bands)))
    layer = keras.layers.Conv2D(1, 1, use_bias=False)
    outputs = layer(inputs)
    weights = np.zeros((1, 1, len(bands), 1), "float32")
    weights[0, 0, 0, 0] = 1.0
    layer.set_weights([weights])
    keras.Model(inputs, outputs).save(path)
    model_card.write_card(path, {"bands": list(bands), "source_bands": list(range(1, len(bands) + 1)), "classes": TWO,
                                 "activation": "sigmoid", "patch_size": 16})
    return path


def expected_classes(truth: dict[str, np.ndarray]) -> np.ndarray:
    return np.where(truth["nir"] > 0.5, 7, 3).astype(np.uint8)


def run(*argv) -> int:
    return cli.main(["predict", *map(str, argv)])


def failing(capsys, *argv) -> str:
    assert run(*argv) == 2
    return capsys.readouterr().err


def scratch_left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def epsg(dataset) -> str:
    srs = osr.SpatialReference(wkt=dataset.GetProjection())
    srs.AutoIdentifyEPSG()
    return srs.GetAuthorityCode(None)


# ----------------------------------------------------------------------------- assembling the patches

@pytest.mark.parametrize("margin, files, gzip", [(0, 1, True), (4, 2, True), (3, 3, False)])
def test_each_patch_lands_where_its_values_came_from(tmp_path, margin, files, gzip):
    truth = grid()
    mixer = ee_image.read_mixer(str(write_export(tmp_path / "export", truth, margin=margin, files=files, gzip=gzip)))
    paths = ee_image.export_files(mixer)
    assert len(paths) == files
    layout = ee_image.layout_of(mixer, paths, ["nir", "red"])
    assert layout.margin == (margin, margin)
    target = ee_image.assemble(mixer, paths, layout, tmp_path / "assembled.tif")
    dataset = gdal.Open(str(target))
    assert (dataset.RasterXSize, dataset.RasterYSize) == (48, 24)
    assert dataset.GetGeoTransform() == GEOTRANSFORM and epsg(dataset) == "32719"
    assert [dataset.GetRasterBand(b).GetDescription() for b in (1, 2)] == ["nir", "red"]
    assert np.array_equal(dataset.ReadAsArray(), np.stack([truth["nir"], truth["red"]]))


def test_an_integer_band_is_read_as_int64_and_assembled_as_float(tmp_path):
    """Earth Engine writes an integer image's bands as int64 lists (a model trained on such a
    band, e.g. through `claro describe`, predicts its export)."""
    truth = grid()
    truth["slope"] = np.random.default_rng(5).integers(-300, 70_000, size=truth["nir"].shape, dtype=np.int64)
    mixer = ee_image.read_mixer(str(write_export(tmp_path / "export", truth, margin=2)))
    paths = ee_image.export_files(mixer)
    layout = ee_image.layout_of(mixer, paths, ["slope", "nir"])
    dataset = gdal.Open(str(ee_image.assemble(mixer, paths, layout, tmp_path / "assembled.tif")))
    assert np.array_equal(dataset.ReadAsArray(), np.stack([truth["slope"].astype(np.float32), truth["nir"]]))


def test_margin_is_read_from_the_record_length():
    assert ee_image.margin_of(16 * 12, 16, 12) == (0, 0)
    assert ee_image.margin_of(24 * 20, 16, 12) == (4, 4)    # kernelSize [8, 8]: 4 pixels on each side
    assert ee_image.margin_of(256 * 256, 256, 256) == (0, 0)  # the default kernelSize [1, 1]
    assert ee_image.margin_of(384 * 384, 256, 256) == (64, 64)  # EE's FCNN example: kernel buffer [128, 128]
    assert ee_image.margin_of(18 * 14 + 1, 16, 12) is None
    assert ee_image.margin_of(7 * 4, 5, 4) == (1, 0)        # one way only: taken
    assert ee_image.margin_of(7 * 5, 5, 5) is None          # 7×5 or 5×7: unequal and ambiguous


def test_a_short_last_row_is_nodata(tmp_path):
    truth = grid()
    mixer_path = write_export(tmp_path / "export", truth)
    data = json.loads(mixer_path.read_text())
    # 5 patches in a grid of 3 per row: the export's last record is left out, the sixth cell is nodata.
    files = ee_image.export_files(ee_image.read_mixer(str(mixer_path)))
    records = list(tf.data.TFRecordDataset([str(f) for f in files], compression_type="GZIP"))
    with tf.io.TFRecordWriter(str(files[0]), tf.io.TFRecordOptions(compression_type="GZIP")) as writer:
        for raw in records[:5]:
            writer.write(raw.numpy())
    mixer_path.write_text(json.dumps({**data, "totalPatches": 5}))
    mixer = ee_image.read_mixer(str(mixer_path))
    array = gdal.Open(str(ee_image.assemble(mixer, files, ee_image.layout_of(mixer, files, ["nir"]),
                                            tmp_path / "a.tif"))).ReadAsArray()
    assert np.array_equal(array[:12], truth["nir"][:12]) and np.array_equal(array[12:, :32], truth["nir"][12:, :32])
    assert np.isnan(array[12:, 32:]).all()


# ----------------------------------------------------------------------------- claro predict --image EXPORT.json

@pytest.mark.parametrize("margin, mixer_name", [(0, ""), (4, "image-mixer.json"), (2, "imagemixer.json")])
def test_predict_an_export_end_to_end(tmp_path, margin, mixer_name):
    truth = grid(seed=margin)
    mixer = write_export(tmp_path / "export", truth, margin=margin, files=2, mixer_name=mixer_name)
    model = nir_model(tmp_path / "nir.keras")
    out = tmp_path / "maps" / "classes.tif"
    out.parent.mkdir()
    assert run("--model", model, "--image", mixer, "--out", out) == 0
    dataset = gdal.Open(str(out))
    assert dataset.GetGeoTransform() == GEOTRANSFORM and epsg(dataset) == "32719"
    assert np.array_equal(dataset.ReadAsArray(), expected_classes(truth))
    assert scratch_left(out.parent) == []  # the assembled image was a temporary


def test_band_names_pick_other_features_by_name(tmp_path):
    truth = grid()
    mixer = write_export(tmp_path / "export", truth)
    model = nir_model(tmp_path / "nir.keras")
    out = tmp_path / "classes.tif"
    assert run("--model", model, "--image", mixer, "--out", out, "--band-names", "blue,red") == 0
    assert np.array_equal(gdal.Open(str(out)).ReadAsArray(), np.where(truth["blue"] > 0.5, 7, 3))


def test_the_real_earth_engine_export_reads_and_predicts_exactly_over_its_area(tmp_path):
    mixer_path = require_shared("ee-aces-bhutan", "images", "image_2021.json")
    mixer = ee_image.read_mixer(str(mixer_path))
    files = ee_image.export_files(mixer)
    assert [f.name for f in files] == ["image_2021.tfrecord.gz"]
    layout = ee_image.layout_of(mixer, files, BHUTAN_BANDS)
    assert layout.margin == (0, 0)
    assembled = gdal.Open(str(ee_image.assemble(mixer, files, layout, tmp_path / "bhutan.tif")))
    expected_transform = (89.39005136557161, 8.983152841195215e-05, 0.0, 27.448158253564596, 0.0, -8.983152841195215e-05)
    assert assembled.GetGeoTransform() == expected_transform and epsg(assembled) == "4326"
    values = assembled.ReadAsArray()
    assert values.shape == (8, 256, 256)
    assert 0.005 < values.min() < 0.05 and 0.5 < values.max() < 0.7
    assembled = None

    from claro.backend.model import build_unet

    model = build_unet(8, 2, depth=2, base_filters=4)
    model.save(tmp_path / "tiny.keras")
    model_card.write_card(tmp_path / "tiny.keras", {"bands": BHUTAN_BANDS, "source_bands": list(range(1, 9)),
                                                    "classes": TWO, "activation": "sigmoid", "patch_size": 64})
    out = tmp_path / "rice.tif"
    assert run("--model", tmp_path / "tiny.keras", "--image", mixer_path, "--out", out) == 0
    dataset = gdal.Open(str(out))
    assert (dataset.RasterXSize, dataset.RasterYSize) == (256, 256)
    assert dataset.GetGeoTransform() == expected_transform and epsg(dataset) == "4326"
    assert set(np.unique(dataset.ReadAsArray())) <= {3, 7}


# ----------------------------------------------------------------------------- --format tfrecord

def read_class_records(path: Path) -> list[np.ndarray]:
    """The records as Earth Engine's upload reads them: one int64 feature of the mixer's patch."""
    spec = {"class": tf.io.FixedLenFeature([HEIGHT, WIDTH], tf.int64)}
    dataset = tf.data.TFRecordDataset(str(path), compression_type="GZIP" if path.name.endswith(".gz") else "")
    return [tf.io.parse_single_example(raw, spec)["class"].numpy() for raw in dataset]


@pytest.mark.parametrize("name", ["map.tfrecord.gz", "map.tfrecord"])
def test_format_tfrecord_writes_the_patches_back_beside_a_copy_of_the_mixer(tmp_path, name):
    truth = grid(seed=3)
    mixer = write_export(tmp_path / "export", truth, margin=4, files=2)
    model = nir_model(tmp_path / "nir.keras")
    out, probabilities = tmp_path / "up" / name, tmp_path / "up" / "probabilities.tif"
    out.parent.mkdir()
    assert run("--model", model, "--image", mixer, "--out", tmp_path / "classes.tif") == 0
    assert run("--model", model, "--image", mixer, "--out", out, "--format", "tfrecord",
               "--probabilities", probabilities, "--uncertainty", out.parent / "unsure.tif") == 0
    patches = read_class_records(out)
    assert len(patches) == TOTAL and all(p.shape == (HEIGHT, WIDTH) for p in patches)
    placed = np.vstack([np.hstack(patches[row * PER_ROW: (row + 1) * PER_ROW]) for row in range(TOTAL // PER_ROW)])
    assert np.array_equal(placed, gdal.Open(str(tmp_path / "classes.tif")).ReadAsArray())
    assert np.array_equal(placed, expected_classes(truth))
    assert (out.parent / "map.json").read_bytes() == mixer.read_bytes()
    assert (out.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    probs = gdal.Open(str(probabilities))
    assert probs.GetGeoTransform() == GEOTRANSFORM
    assert np.allclose(probs.ReadAsArray(), truth["nir"], atol=1e-6)
    assert gdal.Open(str(out.parent / "unsure.tif")).GetGeoTransform() == GEOTRANSFORM
    assert sorted(p.name for p in out.parent.iterdir()) == sorted([name, "map.json", "probabilities.tif", "unsure.tif",
                                                                   "unsure.qml"])
    # Claro's own records are replaced with --overwrite only.
    assert run("--model", model, "--image", mixer, "--out", out, "--format", "tfrecord") == 2
    assert run("--model", model, "--image", mixer, "--out", out, "--format", "tfrecord", "--overwrite") == 0


# ----------------------------------------------------------------------------- bad input: one sentence each

@pytest.fixture
def export(tmp_path):
    return write_export(tmp_path / "export", grid()), nir_model(tmp_path / "nir.keras"), tmp_path


def test_a_mixer_without_its_tfrecord_files(export, capsys):
    mixer, model, folder = export
    for f in mixer.parent.glob("*.tfrecord.gz"):
        f.unlink()
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "c.tif")
    assert "No TFRecord files" in message and "image.tfrecord.gz" in message
    assert not (folder / "c.tif").exists() and scratch_left(folder) == []


def test_a_record_count_unlike_total_patches(export, capsys):
    mixer, model, folder = export
    data = json.loads(mixer.read_text())
    mixer.write_text(json.dumps({**data, "totalPatches": 9}))
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "c.tif")
    assert "holds 6 records" in message and "declares 9 patches" in message
    assert not (folder / "c.tif").exists() and scratch_left(folder) == []


def test_missing_features_are_named_with_the_ones_there_are(export, capsys):
    mixer, _, folder = export
    model = nir_model(folder / "swir.keras", bands=("swir", "nir"))
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "c.tif")
    assert "no feature swir" in message and "blue" in message and "red" in message and "--band-names" in message
    # listed as `claro describe` lists features: natural order, kind × number of values
    assert "its features are blue (float × 192), nir (float × 192), red (float × 192), system:index (bytes × 1)." in message
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "c.tif", "--band-names", "nir")
    assert "reads 2 bands" in message


def test_records_of_another_patch_size(export, capsys):
    mixer, model, folder = export
    data = json.loads(mixer.read_text())
    mixer.write_text(json.dumps({**data, "patchDimensions": [10, 10]}))
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "c.tif")
    assert "192 values per feature" in message and "10×10" in message
    assert scratch_left(folder) == []


def test_tfrecord_format_needs_an_export_and_a_tfrecord_name(export, capsys):
    mixer, model, folder = export
    assert run("--model", model, "--image", mixer, "--out", folder / "c.tif") == 0
    message = failing(capsys, "--model", model, "--image", folder / "c.tif", "--out", folder / "m.tfrecord.gz",
                      "--format", "tfrecord")
    assert "--format tfrecord" in message and "mixer" in message
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "m.tif", "--format", "tfrecord")
    assert ".tfrecord.gz" in message
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "d.tif", "--bands", "1,2")
    assert "--band-names" in message
    message = failing(capsys, "--model", model, "--image", folder / "c.tif", "--out", folder / "d.tif",
                      "--band-names", "nir,red")
    assert "Earth Engine" in message
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "m.tfrecord.gz", "--format", "tfrecord",
                      "--probabilities", folder / "m.json")
    assert "different files" in message
    assert not (folder / "m.tfrecord.gz").exists() and not (folder / "d.tif").exists()
    assert not (folder / "m.json").exists() and scratch_left(folder) == []


def test_a_json_that_is_not_a_mixer(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps({"patchDimensions": [4, 4]}))
    assert ee_image.is_export(str(tmp_path / "x.json"))
    with pytest.raises(ClaroError, match="lacks projection.crs"):
        ee_image.read_mixer(str(tmp_path / "x.json"))
    (tmp_path / "y.json").write_text(json.dumps({"type": "FeatureCollection"}))
    assert not ee_image.is_export(str(tmp_path / "y.json"))


def test_a_plain_keras_model_needs_band_names_and_classes(export, capsys):
    mixer, _, folder = export
    inputs = keras.Input((None, None, 2))
    keras.Model(inputs, keras.layers.Conv2D(1, 1)(inputs)).save(folder / "plain.keras")
    message = failing(capsys, "--model", folder / "plain.keras", "--image", mixer, "--out", folder / "c.tif")
    assert "--band-names" in message
    message = failing(capsys, "--model", folder / "plain.keras", "--image", mixer, "--out", folder / "c.tif",
                      "--band-names", "nir,red")
    assert "--classes" in message and "--bands" not in message
    assert run("--model", folder / "plain.keras", "--image", mixer, "--out", folder / "c.tif", "--band-names", "nir,red",
               "--classes", "3:forest,7:logged") == 0


def test_a_damaged_export_file(export, capsys):
    mixer, model, folder = export
    data = (mixer.parent / "image.tfrecord.gz").read_bytes()
    (mixer.parent / "image.tfrecord.gz").write_bytes(data[: len(data) // 2])
    message = failing(capsys, "--model", model, "--image", mixer, "--out", folder / "c.tif")
    assert "image.tfrecord.gz is damaged" in message
    assert not (folder / "c.tif").exists() and scratch_left(folder) == []


def test_an_interrupted_round_trip_leaves_nothing(export, monkeypatch):
    mixer, model, folder = export

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ee_image, "write_class_records", interrupted)
    assert run("--model", model, "--image", mixer, "--out", folder / "m.tfrecord.gz", "--format", "tfrecord",
               "--probabilities", folder / "p.tif", "--polygons", folder / "p.gpkg") == 130
    assert sorted(p.name for p in folder.iterdir()) == ["export", "nir.keras"]
