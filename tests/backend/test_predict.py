"""`claro predict`: blending without seams, georeferencing, styles, nodata, bad input."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

keras = pytest.importorskip("keras")

from claro.backend import card as model_card  # noqa: E402
from claro.backend import cli, predict, style  # noqa: E402
from ..conftest import mount_tiny_disk, unmount_tiny_disk  # noqa: E402

GEOTRANSFORM = (500000.0, 10.0, 0.0, 9000000.0, 0.0, -10.0)
THREE = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 4, "name": "cleared", "color": "#d7191c"},
         {"value": 9, "name": "water", "color": "#2b83ba"}]
TWO = [{"value": 3, "name": "forest", "color": "#1a9641"}, {"value": 7, "name": "logged", "color": "#d7191c"}]


def write_image(path: Path, data: np.ndarray, nodata=None, gdal_type=gdal.GDT_Float32) -> Path:
    """A north-up UTM GeoTIFF with `data` [bands, rows, cols]."""
    bands, rows, cols = data.shape
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands, gdal_type)
    dataset.SetGeoTransform(GEOTRANSFORM)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32719)
    dataset.SetProjection(srs.ExportToWkt())
    for b in range(bands):
        band = dataset.GetRasterBand(b + 1)
        band.WriteArray(data[b])
        if nodata is not None:
            band.SetNoDataValue(nodata)
    dataset = None
    return path


def random_image(rows: int, cols: int, bands: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((bands, rows, cols)).astype(np.float32)


def identity_model(path: Path, classes=THREE, bands: int = 3) -> Path:
    """Returns its input: a 1×1 convolution with identity weights and no activation."""
    inputs = keras.Input((None, None, bands))
    layer = keras.layers.Conv2D(bands, 1, use_bias=False)
    outputs = layer(inputs)
    layer.set_weights([np.eye(bands, dtype="float32").reshape(1, 1, bands, bands)])
    keras.Model(inputs, outputs).save(path)
    model_card.write_card(path, {"bands": [f"b{i + 1}" for i in range(bands)], "source_bands": list(range(1, bands + 1)),
                                 "classes": classes, "activation": "softmax", "patch_size": 64})
    return path


def constant_model(path: Path, logits=(0.2, 1.5, -0.3)) -> Path:
    """Ignores its input and predicts the same softmax probabilities everywhere (through a U-Net-like
    pooling/upsampling path, so windows see a model with a down-sampling factor of 4)."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.MaxPooling2D(2)(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.UpSampling2D(4)(x)
    layer = keras.layers.Conv2D(len(logits), 1)
    x = layer(x)
    layer.set_weights([np.zeros((1, 1, 3, len(logits)), "float32"), np.array(logits, "float32")])
    outputs = keras.layers.Activation("softmax")(x)
    keras.Model(inputs, outputs).save(path)
    model_card.write_card(path, {"bands": ["b1", "b2", "b3"], "source_bands": [1, 2, 3], "classes": THREE,
                                 "activation": "softmax", "patch_size": 32})
    return path


def band1_model(path: Path, card: bool = True) -> Path:
    """Binary model whose one output channel is the image's first band (a 'probability')."""
    inputs = keras.Input((None, None, 2))
    layer = keras.layers.Conv2D(1, 1, use_bias=False)
    outputs = layer(inputs)
    layer.set_weights([np.array([1.0, 0.0], "float32").reshape(1, 1, 2, 1)])
    keras.Model(inputs, outputs).save(path)
    if card:
        model_card.write_card(path, {"bands": ["b1", "b2"], "source_bands": [1, 2], "classes": TWO,
                                     "activation": "sigmoid", "patch_size": 32})
    return path


def run(*argv: str) -> int:
    return cli.main(["predict", *map(str, argv)])


def read(path: Path) -> np.ndarray:
    dataset = gdal.Open(str(path))
    return dataset.ReadAsArray()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


@pytest.mark.parametrize("rows, cols, window, overlap", [(131, 257, 64, 0.25), (100, 70, 32, 0.5), (64, 64, 64, 0.0)])
def test_identity_model_reproduces_the_raster_exactly_through_the_blend(tmp_path, rows, cols, window, overlap):
    data = random_image(rows, cols)
    image = write_image(tmp_path / "image.tif", data)
    model = identity_model(tmp_path / "identity.keras")
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--probabilities",
               tmp_path / "probs.tif", "--window", window, "--overlap", overlap) == 0
    probabilities = read(tmp_path / "probs.tif")
    np.testing.assert_allclose(probabilities, data, atol=2e-6)
    values = np.array([c["value"] for c in THREE])
    np.testing.assert_array_equal(read(tmp_path / "classes.tif"), values[np.argmax(data, axis=0)])


def test_constant_model_predicts_a_constant_raster_without_seams(tmp_path):
    image = write_image(tmp_path / "image.tif", random_image(150, 203))
    model = constant_model(tmp_path / "constant.keras")
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif",
               "--probabilities", tmp_path / "probs.tif", "--window", 32) == 0
    expected = np.exp([0.2, 1.5, -0.3]) / np.exp([0.2, 1.5, -0.3]).sum()
    probabilities = read(tmp_path / "probs.tif")
    for band, value in zip(probabilities, expected):
        assert np.abs(band - value).max() < 1e-5  # no seam anywhere: every pixel has the same value
    assert (read(tmp_path / "classes.tif") == 4).all()


def test_output_keeps_the_georeferencing_and_carries_the_classes(tmp_path):
    image = write_image(tmp_path / "image.tif", random_image(300, 280))
    model = identity_model(tmp_path / "identity.keras")
    out = tmp_path / "classes.tif"
    assert run("--model", model, "--image", image, "--out", out, "--window", 64) == 0
    source, result = gdal.Open(str(image)), gdal.Open(str(out))
    assert result.GetGeoTransform() == source.GetGeoTransform() == GEOTRANSFORM
    assert osr.SpatialReference(result.GetProjection()).IsSame(osr.SpatialReference(source.GetProjection()))
    band = result.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Byte and band.GetNoDataValue() == 255
    assert band.GetBlockSize() == [256, 256]
    assert result.GetMetadata("IMAGE_STRUCTURE").get("COMPRESSION") == "DEFLATE"
    assert band.GetOverviewCount() >= 1
    assert band.GetColorTable().GetColorEntry(4) == (215, 25, 28, 255)
    assert band.GetColorTable().GetColorEntry(9) == (43, 131, 186, 255)
    names = band.GetCategoryNames()
    assert (names[0], names[4], names[9]) == ("forest", "cleared", "water")
    assert style.classes_from_band(band) == THREE
    qml = ET.parse(tmp_path / "classes.qml").getroot()
    entries = {e.get("value"): (e.get("label"), e.get("color")) for e in qml.iter("paletteEntry")}
    assert entries == {"0": ("forest", "#1a9641"), "4": ("cleared", "#d7191c"), "9": ("water", "#2b83ba")}
    assert leftovers(tmp_path) == []


def test_binary_model_writes_class_values_and_one_probability_band(tmp_path):
    data = random_image(90, 77, bands=2, seed=3)
    image = write_image(tmp_path / "image.tif", data)
    model = band1_model(tmp_path / "binary.keras")
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--probabilities",
               tmp_path / "probs.tif", "--window", 32) == 0
    probs = gdal.Open(str(tmp_path / "probs.tif"))
    assert probs.RasterCount == 1 and probs.GetRasterBand(1).DataType == gdal.GDT_Float32
    assert probs.GetRasterBand(1).GetDescription() == "logged"
    assert probs.GetRasterBand(1).GetNoDataValue() == predict.PROBABILITY_NODATA
    np.testing.assert_allclose(probs.ReadAsArray(), data[0], atol=2e-6)
    np.testing.assert_array_equal(read(tmp_path / "classes.tif"), np.where(data[0] > 0.5, 7, 3))


def test_nodata_in_any_band_becomes_255_and_probability_nodata(tmp_path):
    data = random_image(80, 90, seed=5)
    data[:, 10:20, 30:50] = -9999  # nodata in every band
    data[0, 50:60, 5:15] = -9999   # nodata in one band only: invalid too, as in training
    image = write_image(tmp_path / "image.tif", data, nodata=-9999)
    model = identity_model(tmp_path / "identity.keras")
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--probabilities",
               tmp_path / "probs.tif", "--window", 32) == 0
    classes = read(tmp_path / "classes.tif")
    assert (classes[10:20, 30:50] == 255).all() and (classes[50:60, 5:15] == 255).all()
    assert (classes != 255).sum() == 80 * 90 - 200 - 100
    probabilities = read(tmp_path / "probs.tif")
    assert (probabilities[:, 10:20, 30:50] == predict.PROBABILITY_NODATA).all()
    assert (probabilities[:, 50:60, 5:15] == predict.PROBABILITY_NODATA).all()
    valid = classes != 255
    np.testing.assert_allclose(probabilities[:, valid], data[:, valid], atol=2e-6)


def box_model(path: Path, bands: int = 3) -> Path:
    """Each output band is the 3×3 mean of the same input band: shows what a pixel's neighbours held."""
    inputs = keras.Input((None, None, bands))
    layer = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)
    outputs = layer(inputs)
    layer.set_weights([np.full((3, 3, bands, 1), 1 / 9, "float32")])
    keras.Model(inputs, outputs).save(path)
    model_card.write_card(path, {"bands": [f"b{i + 1}" for i in range(bands)], "source_bands": list(range(1, bands + 1)),
                                 "classes": THREE, "activation": "softmax", "patch_size": 64})
    return path


def test_a_real_image_with_one_band_missing_in_a_region_gets_nodata_where_training_would_ignore_it(
        tmp_path, sen1floods11):
    """Sen1Floods11's 13-band chip (nodata 0 declared, none present) with band 4 blanked in a
    region: prediction gives no class exactly where `claro patches` leaves pixels out."""
    from claro.backend import raster

    source, _labels = sen1floods11
    image = tmp_path / "s2.tif"
    gdal.Translate(str(image), str(source))
    dataset = gdal.Open(str(image), gdal.GA_Update)
    band4 = dataset.GetRasterBand(4).ReadAsArray()
    band4[100:140, 200:260] = 0
    dataset.GetRasterBand(4).WriteArray(band4)
    dataset = None
    inputs = keras.Input((None, None, 13))
    layer = keras.layers.Conv2D(2, 1)
    outputs = keras.layers.Softmax()(layer(inputs))
    weights = np.zeros((1, 1, 13, 2), "float32")
    weights[0, 0, 7, 1] = 1e-3  # NIR (B8) against a threshold: water is dark
    layer.set_weights([weights, np.array([0.0, -1.5], "float32")])
    model = tmp_path / "water.keras"
    keras.Model(inputs, outputs).save(model)
    model_card.write_card(model, {"bands": [f"B{i}" for i in range(1, 14)], "source_bands": list(range(1, 14)),
                                  "classes": [{"value": 0, "name": "water"}, {"value": 1, "name": "land"}],
                                  "activation": "softmax", "patch_size": 128})
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--probabilities",
               tmp_path / "probs.tif", "--window", 128) == 0
    classes, probabilities = read(tmp_path / "classes.tif"), read(tmp_path / "probs.tif")
    opened = gdal.Open(str(image))
    values = opened.ReadAsArray()
    training_valid = raster.valid_window(opened, list(range(1, 14)), 0, 0, 512, 512, values)
    assert (~training_valid).sum() == 40 * 60 and (values[:, 100:140, 200:260] != 0).sum() == 12 * 40 * 60
    np.testing.assert_array_equal(classes == 255, ~training_valid)
    assert (probabilities[:, ~training_valid] == predict.PROBABILITY_NODATA).all()
    assert set(np.unique(classes[training_valid])) == {0, 1}
    assert (probabilities[:, training_valid] >= 0).all()


def test_a_raster_smaller_than_a_window(tmp_path):
    data = random_image(13, 20, seed=7)
    image = write_image(tmp_path / "image.tif", data)
    model = identity_model(tmp_path / "identity.keras")  # default window: max(256, patch size)
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--probabilities",
               tmp_path / "probs.tif") == 0
    np.testing.assert_allclose(read(tmp_path / "probs.tif"), data, atol=2e-6)
    assert read(tmp_path / "classes.tif").shape == (13, 20)


def test_one_pixel_wide_raster_and_uint8_input(tmp_path):
    data = np.random.default_rng(2).integers(0, 255, (3, 40, 1)).astype(np.uint8)
    image = write_image(tmp_path / "image.tif", data, gdal_type=gdal.GDT_Byte)
    model = identity_model(tmp_path / "identity.keras")
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--probabilities",
               tmp_path / "probs.tif", "--window", 32) == 0
    np.testing.assert_allclose(read(tmp_path / "probs.tif").reshape(3, 40, 1), data, atol=1e-3)


def test_plain_keras_model_predicts_with_bands_and_classes(tmp_path):
    data = random_image(40, 50, bands=4, seed=9)
    image = write_image(tmp_path / "image.tif", data)
    model = band1_model(tmp_path / "plain.keras", card=False)
    out = tmp_path / "classes.tif"
    assert run("--model", model, "--image", image, "--out", out, "--window", 32) == 2
    assert not out.exists()
    assert run("--model", model, "--image", image, "--out", out, "--window", 32,
               "--bands", "4,1", "--classes", "0:forest:#1a9641,1:logged:#d7191c") == 0
    np.testing.assert_array_equal(read(out), (data[3] > 0.5).astype(np.uint8))


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def setup(tmp_path):
    image = write_image(tmp_path / "image.tif", random_image(40, 40))
    model = identity_model(tmp_path / "identity.keras")
    return tmp_path, image, model


def failing(capsys, *argv) -> str:
    assert run(*argv) == 2
    return capsys.readouterr().err


def test_band_count_mismatch_names_both_numbers(setup, capsys):
    folder, _, model = setup
    two = write_image(folder / "two.tif", random_image(40, 40, bands=2))
    message = failing(capsys, "--model", model, "--image", two, "--out", folder / "classes.tif")
    assert "band 3" in message and "has 2 bands" in message
    message = failing(capsys, "--model", model, "--image", two, "--out", folder / "classes.tif", "--bands", "1,2")
    assert "reads 3 bands" in message and "2" in message
    assert not (folder / "classes.tif").exists() and leftovers(folder) == []


def test_an_image_with_more_bands_than_the_training_images_is_refused(setup, capsys):
    folder, _, model = setup
    card = model_card.read_card(model)
    model_card.write_card(model, {**card, "image_band_count": 3})
    thirteen = write_image(folder / "s2.tif", random_image(40, 40, bands=13))
    message = failing(capsys, "--model", model, "--image", thirteen, "--out", folder / "classes.tif")
    assert "has 13 bands" in message and "images with 3 bands" in message and "--bands" in message
    assert leftovers(folder) == [] and not (folder / "classes.tif").exists()
    # Saying which bands to feed it is the way out.
    assert run("--model", model, "--image", thirteen, "--out", folder / "classes.tif", "--bands", "4,3,2") == 0


def test_bands_out_of_range(setup, capsys):
    folder, image, model = setup
    message = failing(capsys, "--model", model, "--image", image, "--out", folder / "c.tif", "--bands", "1,2,5")
    assert "band 5" in message and "has 3 bands" in message


def test_existing_outputs_need_overwrite_and_only_claros_are_replaced(setup, capsys):
    folder, image, model = setup
    out, probs = folder / "classes.tif", folder / "probs.tif"
    for existing in (out, folder / "classes.qml", probs):
        existing.write_text("old")  # a user's file under an output's name: refused even with --overwrite
        for extra in ((), ("--overwrite",)):
            message = failing(capsys, "--model", model, "--image", image, "--out", out, "--probabilities", probs, *extra)
            assert str(existing) in message and "so Claro will not replace it" in message
            assert existing.read_text() == "old"
        existing.unlink()
    assert run("--model", model, "--image", image, "--out", out, "--probabilities", probs, "--window", 32) == 0
    message = failing(capsys, "--model", model, "--image", image, "--out", out, "--probabilities", probs)
    assert str(out) in message and "--overwrite" in message
    assert run("--model", model, "--image", image, "--out", out, "--probabilities", probs, "--overwrite",
               "--window", 32) == 0
    assert gdal.Open(str(out)).RasterXSize == 40
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temporary, no lock left


def test_the_output_is_never_the_image_or_the_model(setup, capsys):
    folder, image, model = setup
    before = image.read_bytes()
    for target in (image, model):
        message = failing(capsys, "--model", model, "--image", image, "--out", target, "--overwrite")
        assert f"would replace the input {target}" in message
    assert image.read_bytes() == before and model_card.read_card(model)["classes"] == THREE


@pytest.fixture
def tiny_disk(tmp_path):
    """A 96 KiB file system (tmpfs): writes beyond it fail as on a full disk."""
    yield mount_tiny_disk(tmp_path / "tiny", "96k")
    unmount_tiny_disk(tmp_path / "tiny")


def test_a_full_disk_fails_the_job_before_the_rename(setup, capsys, tiny_disk):
    """The class raster fits, the probabilities do not: the GeoTIFF's write error (at flush or
    close) is a ClaroError, and neither output nor any temporary or lock is left."""
    folder, _, model = setup
    image = write_image(folder / "large.tif", random_image(300, 300))
    message = failing(capsys, "--model", model, "--image", image, "--out", tiny_disk / "classes.tif",
                      "--probabilities", tiny_disk / "probs.tif")
    assert f"Writing {tiny_disk / 'probs.tif'} failed" in message and "free some space" in message
    assert list(tiny_disk.iterdir()) == []


def test_a_disk_full_while_blocks_leave_the_cache_is_one_sentence(setup, capsys, tiny_disk, monkeypatch):
    """On a large raster blocks are written while predicting (the GDAL cache is bounded), long
    before the close; a full disk there is a sentence too, and nothing is left."""
    folder, _, model = setup
    image = write_image(folder / "large.tif", random_image(600, 600))
    monkeypatch.setattr(predict, "GDAL_CACHE_BYTES", 64 * 1024)
    message = failing(capsys, "--model", model, "--image", image, "--out", tiny_disk / "classes.tif",
                      "--probabilities", tiny_disk / "probs.tif", "--window", 64)
    assert f"Writing into {tiny_disk} failed" in message and "free some space" in message, message
    assert "Unexpected error" not in message
    assert list(tiny_disk.iterdir()) == []


def test_not_a_model_and_missing_image(setup, capsys):
    folder, image, model = setup
    fake = folder / "fake.keras"
    fake.write_text("hello")
    assert "is not a Keras model file" in failing(capsys, "--model", fake, "--image", image, "--out", folder / "c.tif")
    assert "does not exist" in failing(capsys, "--model", model, "--image", folder / "no.tif", "--out", folder / "c.tif")
    text = folder / "notraster.tif"
    text.write_text("not a raster")
    assert "could not be read as a raster" in failing(capsys, "--model", model, "--image", text, "--out", folder / "c.tif")
    assert not (folder / "c.tif").exists() and leftovers(folder) == []


def test_lambda_model_is_refused(setup, capsys):
    folder, image, _ = setup
    inputs = keras.Input((None, None, 3))
    path = folder / "lambda.keras"
    keras.Model(inputs, keras.layers.Lambda(lambda t: t + 1.0)(inputs)).save(path)
    model_card.write_card(path, {"bands": ["b1", "b2", "b3"], "source_bands": [1, 2, 3], "classes": THREE})
    message = failing(capsys, "--model", path, "--image", image, "--out", folder / "c.tif")
    assert "Lambda layer" in message
    assert not (folder / "c.tif").exists()


def test_interrupted_prediction_leaves_nothing(setup, monkeypatch):
    folder, image, model = setup
    real = predict.batch_predictor

    def interrupted(*args, **kwargs):
        inner = real(*args, **kwargs)
        calls = []

        def predict_batch(windows):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return inner(windows)
        return predict_batch

    monkeypatch.setattr(predict, "batch_predictor", interrupted)
    code = run("--model", model, "--image", image, "--out", folder / "classes.tif", "--probabilities",
               folder / "probs.tif", "--window", 32, "--batch-size", 1)
    assert code == 130
    assert sorted(p.name for p in folder.iterdir()) == ["identity.keras", "image.tif"]


# ----------------------------------------------------------------------------- window plan and streaming


@pytest.mark.parametrize("size, window, overlap", [(1000, 256, 0.25), (257, 256, 0.25), (100, 256, 0.25), (640, 64, 0.5),
                                                   (5, 32, 0.0)])
def test_window_plan_covers_the_raster_with_positive_weight(size, window, overlap):
    axis = predict.plan_axis(size, window, overlap)
    covered = np.zeros(size, bool)
    for start in axis.starts:
        covered[max(0, start): start + window] = True
    assert covered.all()
    assert axis.total_weight().min() > 0
    if size > window:  # raster edges sit inside a window, not on its border
        assert axis.starts[0] < 0 and axis.starts[-1] + window > size


def test_blender_keeps_only_a_few_rows_of_windows_in_memory():
    rows = predict.plan_axis(4000, 64, 0.25)
    cols = predict.plan_axis(100, 64, 0.25)
    blender = predict.Blender(rows, cols, 2)
    most, written = 0, 0
    for r in range(len(rows.starts)):
        for c in range(len(cols.starts)):
            blender.add(r, c, np.full((64, 64, 2), 0.5, np.float32))
        for top, block in blender.ready():
            assert top == written
            np.testing.assert_allclose(block, 0.5, atol=1e-6)
            written += block.shape[0]
        most = max(most, len(blender.sums))
    assert written == 4000
    assert most <= 2


def test_blender_with_skipped_windows_divides_by_the_weight_it_got_and_leaves_uncovered_pixels_nan():
    rows = predict.plan_axis(300, 64, 0.25)
    cols = predict.plan_axis(200, 64, 0.25)
    blender = predict.Blender(rows, cols, 1)
    skipped = {(r, c) for r in range(len(rows.starts)) for c in range(len(cols.starts)) if c >= 2 and r >= 1}
    for r in range(len(rows.starts)):
        for c in range(len(cols.starts)):
            if (r, c) in skipped:
                blender.skip(r, c)
            else:
                blender.add(r, c, np.full((64, 64, 1), 0.25, np.float32))
    blocks = dict(blender.ready())
    blended = np.concatenate([blocks[top] for top in sorted(blocks)])[..., 0]
    assert blended.shape == (300, 200)
    covered = ~np.isnan(blended)
    np.testing.assert_allclose(blended[covered], 0.25, rtol=1e-6)  # the weights of the missing windows are not counted
    # uncovered: below the first row of windows and right of the first two columns of windows
    first_rows_end = rows.starts[0] + 64
    two_cols_end = cols.starts[1] + 64
    assert covered[:first_rows_end].all() and covered[:, :two_cols_end].all()
    assert not covered[first_rows_end:, two_cols_end:].any()


def test_window_size_follows_the_model():
    card = {"patch_size": 128}
    assert predict.window_size(None, card, (None, None), 32, (5000, 5000)) == (256, 256)
    assert predict.window_size(None, {"patch_size": 300}, (None, None), 32, (5000, 5000)) == (320, 320)
    assert predict.window_size(100, card, (None, None), 16, (5000, 5000)) == (112, 112)
    assert predict.window_size(None, card, (None, None), 16, (20, 70)) == (32, 80)
    assert predict.window_size(512, card, (128, 128), 16, (5000, 5000)) == (128, 128)


def test_uint16_nodata_is_filled_with_the_training_mean_in_every_band(tmp_path):
    data = np.full((3, 40, 40), 500, np.uint16)
    data[:, :10, :] = 0          # nodata in every band
    data[1, 20:25, 20:25] = 0    # nodata in one band: the pixel is nodata, every band filled with the mean
    image = write_image(tmp_path / "image.tif", data, nodata=0, gdal_type=gdal.GDT_UInt16)
    model = box_model(tmp_path / "box.keras")
    card = model_card.read_card(model)
    model_card.write_card(model, {**card, "normalization": {"mean": [500.0, 300.0, 100.0], "std": [1.0, 1.0, 1.0]}})
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--probabilities",
               tmp_path / "probs.tif", "--window", 40) == 0
    probabilities = read(tmp_path / "probs.tif")
    classes = read(tmp_path / "classes.tif")
    assert (classes[:10] == 255).all() and (classes[20:25, 20:25] == 255).all()
    assert (classes != 255).sum() == 30 * 40 - 25
    assert (probabilities[:, 20:25, 20:25] == predict.PROBABILITY_NODATA).all()
    # (one 40×40 window: no window border near the pixels below) left of the hole, 3 of the 9 neighbours are filled: band 2 with its mean 300, band 3 with 100
    np.testing.assert_allclose(probabilities[:, 22, 19], [500.0, (6 * 500 + 3 * 300) / 9, (6 * 500 + 3 * 100) / 9],
                               rtol=1e-5)
    # the 0 sentinel never reached the model: next to the all-band nodata rows, the fill (means) did
    np.testing.assert_allclose(probabilities[:, 10, 20], [500.0, (6 * 500 + 3 * 300) / 9, (6 * 500 + 3 * 100) / 9],
                               rtol=1e-5)


def test_real_amazon_tile_with_a_small_unet_keeps_its_grid(tmp_path, amazon_tile):
    model_module = pytest.importorskip("claro.backend.model")
    image, mask = amazon_tile
    unet = model_module.build_unet(3, 2, depth=2, base_filters=4, mean=[60.0, 70.0, 50.0], std=[30.0, 30.0, 30.0])
    path = tmp_path / "unet.keras"
    unet.save(path)
    classes = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]
    model_card.write_card(path, {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": classes,
                                 "activation": "sigmoid", "patch_size": 128})
    out = tmp_path / "classes.tif"
    assert run("--model", path, "--image", image, "--out", out, "--probabilities", tmp_path / "p.tif") == 0
    source, result = gdal.Open(str(image)), gdal.Open(str(out))
    assert (result.RasterXSize, result.RasterYSize) == (source.RasterXSize, source.RasterYSize)
    assert result.GetGeoTransform() == source.GetGeoTransform()
    assert osr.SpatialReference(result.GetProjection()).IsSame(osr.SpatialReference(source.GetProjection()))
    probabilities = read(tmp_path / "p.tif")
    # Four blended 256² windows come close to the U-Net run on the whole tile at once.
    data = source.ReadAsArray().transpose(1, 2, 0)[None].astype("float32")
    whole = unet(data).numpy()[0, ..., 0]
    assert np.abs(probabilities - whole).mean() < 0.002
    np.testing.assert_array_equal(read(out), (probabilities > 0.5).astype(np.uint8))


def test_a_model_whose_classes_do_not_fit_the_class_raster_is_refused(tmp_path, capsys):
    image = write_image(tmp_path / "image.tif", random_image(20, 20))
    classes = [{"value": 0, "name": "a"}, {"value": 311, "name": "b"}, {"value": -1, "name": "c"}]
    model = identity_model(tmp_path / "identity.keras", classes=classes)
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif") == 2
    assert "Class value -1 cannot be stored in the class raster (0–254; 255 is nodata)" in capsys.readouterr().err
    assert not (tmp_path / "classes.tif").exists()


def test_a_two_date_stack_trains_and_predicts_a_model_of_change(tmp_path, monkeypatch, capsys):
    """A VRT stacking two dates' bands (QGIS's Build Virtual Raster, separate bands) is an image for
    patches, train and predict: its paths are relative to it, its band count is what the model
    learns, pixels one date does not cover are nodata, and no output may replace a date behind it."""
    from ..conftest import sample_tile

    image, mask = sample_tile()
    folder = tmp_path / "made" / "dates"
    (folder / "later").mkdir(parents=True)
    gdal.Translate(str(folder / "early.tif"), str(image), srcWin=[0, 0, 128, 128])
    late = gdal.Translate(str(folder / "later" / "late.tif"), str(image), srcWin=[32, 0, 96, 128])  # a narrower date
    data = late.ReadAsArray().astype(np.int32)
    late.WriteRaster(0, 0, 96, 128, np.clip(data * 0.8 + 12, 0, 255).astype(np.uint8).tobytes())
    late = None
    gdal.Translate(str(tmp_path / "labels.tif"), str(mask), srcWin=[0, 0, 128, 128])
    stack = gdal.BuildVRT(str(folder / "stack.vrt"), [str(folder / "early.tif"), str(folder / "later" / "late.tif")],
                          separate=True)
    bands = stack.RasterCount  # GDAL < 3.8 stacks the first band of each file, later versions every band
    stack = None
    (tmp_path / "made").rename(tmp_path / "moved")  # relative paths: the stack moves with its dates
    folder = tmp_path / "moved" / "dates"
    monkeypatch.chdir(tmp_path)
    vrt = folder / "stack.vrt"
    assert cli.main(["patches", "--image", str(vrt), "--labels", "labels.tif", "--out", "ds", "--patch-size", "32",
                     "--min-labelled", "0", "--classes", "0:forest:#1a9641,1:cleared:#d7191c"]) == 0
    summary = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert len(summary["bands"]) == len(summary["statistics"]["mean"]) == bands >= 2
    # the 32 columns only one date covers are no training pixels: their 4 patches of 32² are left out
    assert sum(summary["counts"].values()) == 12
    assert sum(sum(pixels) for pixels in summary["class_pixels"].values()) == 96 * 128
    assert cli.main(["train", "--data", "ds", "--out", "m.keras", "--epochs", "1", "--depth", "2", "--base-filters", "4",
                     "--batch-size", "4", "--patience", "1", "--no-augment"]) == 0
    assert run("--model", "m.keras", "--image", vrt, "--out", "change.tif") == 0
    result = gdal.Open("change.tif")
    assert result.GetGeoTransform() == gdal.Open(str(vrt)).GetGeoTransform()
    classes = result.ReadAsArray()
    assert (classes[:, :32] == 255).all() and np.isin(classes[:, 32:], [0, 1]).all()
    capsys.readouterr()
    before = (folder / "early.tif").read_bytes()
    assert run("--model", "m.keras", "--image", vrt, "--out", folder / "early.tif", "--overwrite") == 2
    assert f"would replace the input {folder / 'early.tif'}" in capsys.readouterr().err
    assert (folder / "early.tif").read_bytes() == before


def test_the_class_raster_carries_the_images_date_for_claro_change(tmp_path):
    image = write_image(tmp_path / "image.tif", random_image(20, 30))
    dataset = gdal.Open(str(image), gdal.GA_Update)
    dataset.SetMetadataItem("ACQUISITIONDATETIME", "2023-08-02T10:00:00Z", "IMAGERY")
    dataset = None
    assert run("--model", identity_model(tmp_path / "identity.keras"), "--image", image, "--out", tmp_path / "c.tif") == 0
    from claro.backend.change import date_of

    result = gdal.Open(str(tmp_path / "c.tif"))
    assert result.GetMetadataItem("ACQUISITIONDATETIME", "IMAGERY") == "2023-08-02T10:00:00Z"
    assert date_of(result) == "2023-08-02"
# ----------------------------------------------------------------------------- uncertainty


def half_model(path: Path) -> Path:
    """A sigmoid model that says p = 0.5 everywhere: as unsure as a two-class model can be."""
    inputs = keras.Input((None, None, 3))
    layer = keras.layers.Conv2D(1, 1, activation="sigmoid")
    outputs = layer(inputs)
    layer.set_weights([np.zeros((1, 1, 3, 1), "float32"), np.zeros(1, "float32")])
    keras.Model(inputs, outputs).save(path)
    model_card.write_card(path, {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": TWO,
                                 "activation": "sigmoid", "patch_size": 64})
    return path


def test_uncertainty_of_known_probabilities():
    p = np.array([[[0.5], [1.0], [0.0], [0.9]]], np.float32)
    np.testing.assert_allclose(predict.uncertainty(p, "entropy")[0], [1.0, 0.0, 0.0, 0.4689956], rtol=1e-5)
    np.testing.assert_allclose(predict.uncertainty(p, "top")[0], [0.5, 0.0, 0.0, 0.1], atol=1e-6)
    three = np.array([[[1 / 3, 1 / 3, 1 / 3], [0.2, 0.7, 0.1]]], np.float32)
    expected = -(0.2 * np.log(0.2) + 0.7 * np.log(0.7) + 0.1 * np.log(0.1)) / np.log(3)
    np.testing.assert_allclose(predict.uncertainty(three, "entropy")[0], [1.0, expected], rtol=1e-5)
    np.testing.assert_allclose(predict.uncertainty(three, "top")[0], [2 / 3, 0.3], rtol=1e-5)


@pytest.mark.parametrize("measure, value", [("entropy", 1.0), ("top", 0.5)])
def test_a_model_saying_one_half_everywhere_is_fully_unsure_on_the_amazon_tile(tmp_path, amazon_tile, measure, value):
    image, _ = amazon_tile
    model = half_model(tmp_path / "half.keras")
    out = tmp_path / "uncertainty.tif"
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--uncertainty", out,
               "--uncertainty-measure", measure) == 0
    dataset = gdal.Open(str(out))
    band = dataset.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Float32 and band.GetNoDataValue() == predict.UNCERTAINTY_NODATA
    assert measure in band.GetDescription() or "highest class probability" in band.GetDescription()
    assert band.GetOverviewCount() > 0
    assert dataset.GetGeoTransform() == gdal.Open(str(image)).GetGeoTransform()
    np.testing.assert_allclose(band.ReadAsArray(), value, atol=1e-6)
    root = ET.parse(style.qml_path(out)).getroot()
    renderer = root.find("pipe/rasterrenderer")
    assert renderer.get("type") == "singlebandpseudocolor"
    assert [item.get("value") for item in renderer.iter("item")] == ["0", "1"]


def test_uncertainty_of_a_three_class_model_and_its_nodata(tmp_path):
    data = random_image(40, 50)
    data[:, :5, :] = -9999.0
    image = write_image(tmp_path / "image.tif", data, nodata=-9999.0)
    model = constant_model(tmp_path / "constant.keras")
    assert run("--model", model, "--image", image, "--out", tmp_path / "classes.tif", "--uncertainty",
               tmp_path / "u.tif", "--window", 32) == 0
    p = np.exp([0.2, 1.5, -0.3]) / np.exp([0.2, 1.5, -0.3]).sum()
    unsure = read(tmp_path / "u.tif")
    assert (unsure[:5] == predict.UNCERTAINTY_NODATA).all()
    np.testing.assert_allclose(unsure[5:], -(p * np.log(p)).sum() / np.log(3), rtol=1e-5)


def test_the_uncertainty_raster_must_be_its_own_file(setup, capsys):
    folder, image, model = setup
    message = failing(capsys, "--model", model, "--image", image, "--out", folder / "c.tif", "--probabilities",
                      folder / "p.tif", "--uncertainty", folder / "p.tif")
    assert "different files" in message
    message = failing(capsys, "--model", model, "--image", image, "--out", folder / "c.tif", "--uncertainty",
                      folder / "c.tif")
    assert "different files" in message
    assert leftovers(folder) == [] and not (folder / "c.tif").exists()


def test_tta_makes_the_windows_square(setup):
    """A 20×70 raster gets 20×70 windows; with --tta one 70×70 window, so the 90° rotations keep its shape."""
    import io
    import json

    folder, _, model = setup
    image = write_image(folder / "wide.tif", random_image(20, 70))
    stream = io.StringIO()
    predict.run(predict.PredictParams(model=str(model), image=str(image), out=str(folder / "c.tif"),
                                      probabilities=str(folder / "p.tif"), tta=True),
                predict.Progress("json", stream))
    done = [e for e in map(json.loads, stream.getvalue().splitlines()) if e["event"] == "done"][0]
    assert (done["window"], done["views"], done["windows"]) == ([70, 70], 8, 1)
    np.testing.assert_allclose(read(folder / "p.tif"), read(image), atol=2e-6)


# --------------------------------------------------------------------------- --min-area, --polygons

def smooth_image(rows: int, cols: int, seed: int = 0) -> np.ndarray:
    """Three smooth random bands: the identity model's classes form regions of many sizes."""
    from scipy import ndimage

    data = np.random.default_rng(seed).random((3, rows, cols))
    return ndimage.gaussian_filter(data, (0, 2, 2)).astype(np.float32)


def region_sizes(classes: np.ndarray, value: int) -> np.ndarray:
    from scipy import ndimage

    labels, _ = ndimage.label(classes == value, np.ones((3, 3)))
    return np.bincount(labels.ravel())[1:]


def test_min_area_and_polygons_with_a_softmax_model(tmp_path):
    from claro.backend import vectorize

    image = write_image(tmp_path / "image.tif", smooth_image(120, 150))  # UTM, 10 m pixels: 0.5 ha ≈ 50 pixels
    model = identity_model(tmp_path / "identity.keras")
    out, polygons = tmp_path / "classes.tif", tmp_path / "regions.gpkg"
    assert run("--model", model, "--image", image, "--out", out, "--window", 64) == 0
    before = read(out)
    assert min(region_sizes(before, v).min() for v in (0, 4, 9)) < 20  # the raw map has small regions
    out2 = tmp_path / "sieved.tif"
    assert run("--model", model, "--image", image, "--out", out2, "--window", 64, "--min-area", "0.5",
               "--polygons", polygons) == 0
    threshold = vectorize.sieve_threshold(gdal.Open(str(out2)), 0.5)
    assert 50 <= threshold <= 51  # UTM's scale factor near the zone's edge makes 10 m pixels a little smaller
    after = read(out2)
    assert all(region_sizes(after, v).min() >= threshold for v in (0, 4, 9))
    assert 0.5 < (after == before).mean() < 1.0
    table = (tmp_path / "sieved_areas.csv").read_text().splitlines()[1:]  # the area table is of the sieved map
    assert [int(line.split(",")[2]) for line in table] == [int((after == v).sum()) for v in (0, 4, 9)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "classes.qml", "classes.tif", "classes.tif.aux.xml", "classes_areas.csv", "identity.keras", "image.tif",
        "regions.gpkg", "sieved.qml", "sieved.tif", "sieved.tif.aux.xml", "sieved_areas.csv"]
    assert gdal.Open(str(out2)).GetRasterBand(1).GetOverviewCount() == 0  # 150 px: none needed, none built
    source = ogr.Open(str(polygons))
    layer = source.GetLayerByName("regions")
    features = list(layer)
    assert len(features) == sum(len(region_sizes(after, v)) for v in (0, 4, 9))
    names = {0: "forest", 4: "cleared", 9: "water"}
    assert {(f.GetField("class"), f.GetField("class_name")) for f in features} == set(names.items())
    assert min(f.GetField("area_ha") for f in features) >= 0.5
    probability = np.array([f.GetField("probability") for f in features])
    assert (probability > 0.0).all() and (probability <= 1.0).all()


def test_polygons_of_a_sigmoid_model_without_a_probability_raster(tmp_path):
    """class 0's probability is 1 − p; the scratch probability raster is gone afterwards."""
    rng = np.random.default_rng(3)
    band = np.where(np.arange(60)[None, :] < 30, 0.2, 0.9) * np.ones((50, 1))
    data = np.stack([band + rng.uniform(-0.05, 0.05, band.shape), np.zeros_like(band)]).astype(np.float32)
    image = write_image(tmp_path / "image.tif", data)
    model = band1_model(tmp_path / "band1.keras")
    out, polygons = tmp_path / "classes.tif", tmp_path / "regions.gpkg"
    assert run("--model", model, "--image", image, "--out", out, "--polygons", polygons, "--window", 32) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["band1.keras", "classes.qml", "classes.tif",
                                                         "classes.tif.aux.xml", "classes_areas.csv", "image.tif",
                                                         "regions.gpkg"]
    assert run("--model", model, "--image", image, "--out", tmp_path / "c2.tif", "--window", 32,
               "--probabilities", tmp_path / "p.tif") == 0
    p = read(tmp_path / "p.tif").astype(np.float64)
    classes = read(out)
    source = ogr.Open(str(polygons))  # kept: a layer must not outlive its data source
    features = {f.GetField("class"): f for f in source.GetLayer(0)}
    assert sorted(features) == [3, 7] and features[3].GetField("class_name") == "forest"
    np.testing.assert_allclose(features[3].GetField("probability"), (1 - p[classes == 3]).mean(), rtol=1e-6)
    np.testing.assert_allclose(features[7].GetField("probability"), p[classes == 7].mean(), rtol=1e-6)


def test_polygons_are_checked_like_every_output(setup, capsys, tmp_path):
    folder, image, model = setup
    polygons = folder / "regions.gpkg"
    polygons.write_text("a user's file")
    for extra in ((), ("--overwrite",)):
        message = failing(capsys, "--model", model, "--image", image, "--out", folder / "c.tif", "--polygons", polygons, *extra)
        assert str(polygons) in message and "so Claro will not replace it" in message
    polygons.unlink()
    message = failing(capsys, "--model", model, "--image", image, "--out", folder / "c.tif", "--polygons", folder / "c.tif")
    assert "must be different files" in message
    assert run("--model", model, "--image", image, "--out", folder / "c.tif", "--polygons", polygons, "--window", 32) == 0
    message = failing(capsys, "--model", model, "--image", image, "--out", folder / "c.tif", "--polygons", polygons)
    assert "--overwrite" in message
    assert run("--model", model, "--image", image, "--out", folder / "c.tif", "--polygons", polygons, "--window", 32,
               "--overwrite") == 0  # a GeoPackage Claro wrote may be replaced
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_min_area_or_polygons_without_a_crs_is_one_sentence(tmp_path, capsys):
    image = tmp_path / "image.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(image), 40, 30, 3, gdal.GDT_Float32)
    dataset.SetGeoTransform(GEOTRANSFORM)
    dataset.WriteRaster(0, 0, 40, 30, random_image(30, 40).tobytes())
    dataset = None
    model = identity_model(tmp_path / "identity.keras")
    for option in (("--min-area", "0.5"), ("--polygons", tmp_path / "p.gpkg")):
        message = failing(capsys, "--model", model, "--image", image, "--out", tmp_path / "c.tif", *option)
        assert "no coordinate reference system" in message and option[0] in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["identity.keras", "image.tif"]


def test_real_amazon_tile_min_area_and_polygons_match_the_area_table(tmp_path, amazon_tile):
    """The bundled tile (EPSG:4326) with a tiny model and the engine's other options, run as a user
    runs it (a child process, GDAL loaded before TensorFlow, so the GeoPackage gets its spatial index)."""
    import os
    import subprocess  # nosec B404 - the CLI under test
    import sys

    from claro.backend import areas, vectorize

    image, _ = amazon_tile
    # A tiny model that tells bright (cleared) from dark (forest) pixels: a 1×1 convolution with a
    # sigmoid, as noisy as a real map at the pixel level, so the unit has regions to remove.
    inputs = keras.Input((None, None, 3))
    layer = keras.layers.Conv2D(1, 1, activation="sigmoid")
    outputs = layer(inputs)
    layer.set_weights([np.full((1, 1, 3, 1), 0.1, "float32"), np.array([-16.5], "float32")])
    path = tmp_path / "bright.keras"
    keras.Model(inputs, outputs).save(path)
    classes = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]
    model_card.write_card(path, {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": classes,
                                 "activation": "sigmoid", "patch_size": 128})
    out, polygons = tmp_path / "classes.tif", tmp_path / "regions.gpkg"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    command = [sys.executable, "-m", "claro.backend", "predict", "--model", str(path), "--image", str(image),
               "--out", str(out), "--min-area", "0.5", "--polygons", str(polygons), "--tta",
               "--uncertainty", str(tmp_path / "unsure.tif"), "--progress", "json"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)  # nosec B603 # our CLI
    assert finished.returncode == 0, finished.stderr[-2000:]
    table = {row["value"]: row for row in areas.class_area_table(out, classes)}
    assert all(0.2 < row["share"] < 0.8 for row in table.values())
    source = ogr.Open(str(polygons))  # kept: a layer must not outlive its data source
    features = list(source.GetLayer("regions"))
    for value in (0, 1):
        total = sum(f.GetField("area_ha") for f in features if f.GetField("class") == value)
        assert total == pytest.approx(table[value]["hectares"], rel=0.005)
    assert min(f.GetField("area_ha") for f in features) >= 0.5
    threshold = vectorize.sieve_threshold(gdal.Open(str(out)), 0.5)
    assert all(region_sizes(read(out), v).min() >= threshold for v in (0, 1))
    index = source.ExecuteSQL("SELECT HasSpatialIndex('regions', 'geom')")
    assert index.GetNextFeature().GetField(0) == 1
    source.ReleaseResultSet(index)
