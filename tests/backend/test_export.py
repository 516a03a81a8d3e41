"""`claro export --format onnx` (claro.backend.export): the ONNX file runs, fed the way the QGIS
plugin Deepness feeds it, as the Keras model does on a real tile, and carries Deepness's metadata.

The feeding below mirrors Deepness's `ModelBase.preprocessing` (processing/models/
preprocessing_utils.py): the mapped bands' raw values → × 1/255 in float32 → (v − mean) / std with
the metadata's standardisation → NCHW. Its metadata is read as Deepness reads it: json.loads of
each `custom_metadata_map` value.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tf2onnx")
ort = pytest.importorskip("onnxruntime")
keras = pytest.importorskip("keras")
from osgeo import gdal  # noqa: E402

from claro.backend import card as model_card  # noqa: E402
from claro.backend import cli, export  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402
from claro.backend.model import build_unet  # noqa: E402
from claro.backend.params import ExportParams, PatchParams, TrainParams  # noqa: E402
from claro.backend.progress import Progress  # noqa: E402

from ..conftest import sample_tile  # noqa: E402

CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"
THREE = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"},
         {"value": 2, "name": "regrowth", "color": "#fdae61"}]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """(model, patch dataset): a tiny U-Net trained one epoch by `claro train` on patches `claro
    patches` cut from the bundled Amazon tile, so its card is the real thing (normalisation,
    classes, the tile's grid)."""
    from claro.backend import patches, train

    image, mask = sample_tile()
    folder = tmp_path_factory.mktemp("export")
    data, model = folder / "amazon", folder / "amazon.keras"
    quiet = Progress("json", stream=io.StringIO())
    patches.run(PatchParams(images=[str(image)], labels=[str(mask)], out=str(data), patch_size=64, classes=CLASSES), quiet)
    train.run(TrainParams(data=str(data), out=str(model), epochs=1, depth=2, base_filters=4, batch_size=8,
                          learning_rate=0.01), quiet)
    return model, data


def windows(size: int, bands: int = 3) -> np.ndarray:
    """Two windows of the bundled tile, [2, size, size, bands], raw values as Deepness reads them."""
    image, _ = sample_tile()
    dataset = gdal.Open(str(image))
    tiles = [dataset.ReadAsArray(x, y, size, size)[:bands].transpose(1, 2, 0) for x, y in ((0, 0), (512 - size, 96))]
    return np.stack(tiles)


def metadata_of(session) -> dict:
    return {key: json.loads(value) for key, value in session.get_modelmeta().custom_metadata_map.items()}


def deepness_feed(tiles: np.ndarray, metadata: dict, channels: int) -> np.ndarray:
    """What Deepness's ModelBase.preprocessing hands the model."""
    tiles = tiles[:, :, :, :channels]
    tiles = np.float32(tiles * 1. / 255.)
    mean = np.array(metadata["standardization_mean"], dtype=np.float32)
    std = np.array(metadata["standardization_std"], dtype=np.float32)
    return np.transpose((tiles - mean) / std, (0, 3, 1, 2))


def export_to(model: Path, out: Path, **changes) -> tuple[dict, list[str]]:
    stream = io.StringIO()
    result = export.run(ExportParams(model=str(model), out=str(out), progress="json", **changes),
                        Progress("json", stream=stream))
    logs = [json.loads(line).get("message", "") for line in stream.getvalue().splitlines()]
    return result, logs


def keras_probabilities(model: Path, tiles: np.ndarray) -> np.ndarray:
    loaded = keras.saving.load_model(model, compile=False, safe_mode=True)
    return np.asarray(loaded.predict(tiles.astype(np.float32), verbose=0))


def expected_resolution_cm() -> float:
    """The bundled tile's pixel size in degrees, in cm as Deepness converts it (QGIS: 111 319.49 m per degree)."""
    transform = gdal.Open(str(sample_tile()[0])).GetGeoTransform()
    return (abs(transform[1]) + abs(transform[5])) / 2 * 111319.49079327358 * 100


def test_a_trained_sigmoid_model_runs_in_deepness_as_in_keras(trained, tmp_path):
    model, _ = trained
    result, logs = export_to(model, tmp_path / "amazon.onnx")
    session = ort.InferenceSession(str(tmp_path / "amazon.onnx"))
    meta = metadata_of(session)
    (inp,), (out,) = session.get_inputs(), session.get_outputs()
    tile = result["tile_size"]
    assert tile == 256  # claro predict's window: max(256, training patch 64)
    assert inp.shape[1:] == [3, tile, tile] and not isinstance(inp.shape[0], int)  # NCHW, any batch
    assert out.shape[1:] == [2, tile, tile]  # two channels: Deepness names both classes and takes the argmax

    card = model_card.read_card(model)
    image = gdal.Open(str(sample_tile()[0]))
    assert card["sources"] == [{"crs": "EPSG:4326", "wkt": image.GetProjection(), "size": [512, 512],
                                "geotransform": list(image.GetGeoTransform())}]  # what train recorded
    assert meta["model_type"] == "Segmentor"
    assert meta["class_names"] == {"0": "forest", "1": "cleared"}
    assert meta["tiles_size"] == meta["tile_size"] == tile and meta["tiles_overlap"] == 25
    assert meta["seg_thresh"] == 0 and meta["seg_small_segment"] == 0
    np.testing.assert_allclose(meta["standardization_mean"], np.array(card["normalization"]["mean"]) / 255, rtol=1e-6)
    np.testing.assert_allclose(meta["standardization_std"], np.array(card["normalization"]["std"]) / 255, rtol=1e-6)
    assert meta["resolution"] == pytest.approx(expected_resolution_cm(), rel=1e-5)
    assert result["resolution_cm"] == meta["resolution"]
    assert any("latitude -3." in line and "111319.49 m per degree" in line for line in logs)
    assert any("Input channels mapping" in line and "bands 1, 2, 3" in line for line in logs)

    tiles = windows(tile)
    onnx_out = session.run(None, {inp.name: deepness_feed(tiles, meta, 3)})[0]
    p = keras_probabilities(model, tiles)[..., 0]
    np.testing.assert_allclose(onnx_out[:, 1], p, atol=1e-4)
    np.testing.assert_allclose(onnx_out[:, 0], 1 - p, atol=1e-4)
    assert p.min() < 0.4 and p.max() > 0.6  # a trained model: the comparison spans both classes
    decided = np.abs(p - 0.5) > 1e-4
    assert np.array_equal(np.argmax(onnx_out, axis=1)[decided], (p > 0.5)[decided])  # Deepness's class = Claro's
    # The feed matters: skipping Deepness's standardisation gives other probabilities.
    unstandardised = np.transpose(np.float32(tiles / 255.), (0, 3, 1, 2))
    assert np.abs(session.run(None, {inp.name: unstandardised})[0][:, 1] - p).max() > 0.01


def test_a_softmax_model_with_a_tile_size_and_resolution_from_its_dataset(trained, tmp_path):
    _, data = trained
    tiles = windows(128)
    mean, std = tiles.reshape(-1, 3).mean(axis=0), tiles.reshape(-1, 3).std(axis=0)
    model = tmp_path / "three.keras"
    build_unet(3, 3, depth=2, base_filters=4, mean=mean, std=std).save(model)
    model_card.write_card(model, {"bands": ["b1", "b2", "b3"], "source_bands": [1, 2, 3], "classes": THREE,
                                  "normalization": {"mean": mean.tolist(), "std": std.tolist()}, "patch_size": 64,
                                  "training": {"dataset": str(data)}})  # a card without sources: dataset.json has them
    result, _ = export_to(model, tmp_path / "three.onnx", tile_size=128)
    session = ort.InferenceSession(str(tmp_path / "three.onnx"))
    meta = metadata_of(session)
    assert session.get_inputs()[0].shape[1:] == [3, 128, 128] and session.get_outputs()[0].shape[1:] == [3, 128, 128]
    assert meta["class_names"] == {"0": "forest", "1": "cleared", "2": "regrowth"}
    assert meta["tiles_size"] == 128 and len(meta["standardization_mean"]) == len(meta["standardization_std"]) == 3
    np.testing.assert_allclose(meta["standardization_mean"], mean / 255, rtol=1e-5)
    np.testing.assert_allclose(meta["standardization_std"], std / 255, rtol=1e-5)
    assert meta["resolution"] == pytest.approx(expected_resolution_cm(), rel=1e-5)

    onnx_out = session.run(None, {session.get_inputs()[0].name: deepness_feed(tiles, meta, 3)})[0]
    expected = keras_probabilities(model, tiles).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(onnx_out, expected, atol=1e-4)
    np.testing.assert_allclose(onnx_out.sum(axis=1), 1.0, atol=1e-5)
    assert expected.std() > 1e-3  # the probabilities vary over the tile: the comparison can fail


def test_a_model_without_a_normalisation_layer_is_fed_raw_values(tmp_path):
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(keras.layers.Rescaling(1 / 100.0)(inputs))
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2DTranspose(4, 2, strides=2, padding="same")(x)
    model = tmp_path / "plain.keras"
    keras.Model(inputs, keras.layers.Conv2D(3, 1, activation="softmax")(x)).save(model)
    model_card.write_card(model, {"bands": ["b1", "b2", "b3"], "source_bands": [3, 2, 1], "classes": THREE})
    result, logs = export_to(model, tmp_path / "plain.onnx", tile_size=64)
    session = ort.InferenceSession(str(tmp_path / "plain.onnx"))
    meta = metadata_of(session)
    assert meta["standardization_mean"] == [0.0] * 3 and meta["standardization_std"] == [1 / 255] * 3
    assert "resolution" not in meta and result["resolution_cm"] is None
    assert any("no georeferenced training raster" in line for line in logs)
    assert any("bands 3, 2, 1" in line for line in logs)
    tiles = windows(64)
    onnx_out = session.run(None, {session.get_inputs()[0].name: deepness_feed(tiles, meta, 3)})[0]
    np.testing.assert_allclose(onnx_out, keras_probabilities(model, tiles).transpose(0, 3, 1, 2), atol=1e-4)


def claro(capsys, *argv) -> tuple[int, str]:
    code = cli.main(["export", *map(str, argv)])
    return code, capsys.readouterr().err


def test_a_tile_size_off_the_down_sampling_factor_is_one_sentence(trained, tmp_path, capsys):
    model, _ = trained
    code, err = claro(capsys, "--model", model, "--out", tmp_path / "m.onnx", "--tile-size", "90")
    assert code == 2
    assert "--tile-size 90 is not a multiple of the model's down-sampling factor 4; use 88 or 92." in err
    assert not any(tmp_path.iterdir())
    with pytest.raises(ClaroError, match="use 16"):
        export.run(ExportParams(model=str(model), out=str(tmp_path / "m.onnx"), tile_size=2), Progress("bar"))


def test_an_existing_output_needs_overwrite_and_only_an_onnx_model_is_replaced(trained, tmp_path, capsys):
    model, _ = trained
    out = tmp_path / "m.onnx"
    code, _ = claro(capsys, "--model", model, "--out", out, "--tile-size", "64")
    assert code == 0
    before = out.read_bytes()
    code, err = claro(capsys, "--model", model, "--out", out, "--tile-size", "128")
    assert code == 2 and f"Output {out} exists; choose another path or use --overwrite." in err
    assert out.read_bytes() == before
    code, _ = claro(capsys, "--model", model, "--out", out, "--tile-size", "128", "--overwrite")
    assert code == 0 and ort.InferenceSession(str(out)).get_inputs()[0].shape[2:] == [128, 128]
    notes = tmp_path / "notes.onnx"
    notes.write_text("my notes", encoding="utf-8")
    code, err = claro(capsys, "--model", model, "--out", notes, "--overwrite")
    assert code == 2 and "is not an ONNX model" in err and notes.read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx", "notes.onnx"]  # no temporaries or locks left


def test_without_tf2onnx_the_sentence_says_how_to_install_it(trained, tmp_path, monkeypatch, capsys):
    model, _ = trained
    monkeypatch.setitem(__import__("sys").modules, "tf2onnx", None)  # as if not installed
    code, err = claro(capsys, "--model", model, "--out", tmp_path / "m.onnx")
    assert code == 2 and "pip install tf2onnx onnx" in err and not any(tmp_path.iterdir())


def test_a_model_of_fixed_window_size_is_exported_at_that_size_only():
    inputs = keras.Input((64, 64, 3))
    x = keras.layers.MaxPooling2D(2)(keras.layers.Conv2D(4, 3, padding="same")(inputs))
    model = keras.Model(inputs, keras.layers.Conv2DTranspose(3, 2, strides=2, activation="softmax")(x))
    assert export.tile_size(None, {"patch_size": 32}, model, 2) == 64
    assert export.tile_size(64, {}, model, 2) == 64
    with pytest.raises(ClaroError, match="only takes tiles of 64 pixels, so --tile-size 128 cannot be used"):
        export.tile_size(128, {}, model, 2)


@pytest.mark.parametrize("epsg, cm", [(32721, 1000.0), (2277, 10 * 30.48006096)])  # UTM metres; Texas in US feet
def test_resolution_of_a_projected_crs_is_the_pixel_size_in_its_linear_unit(epsg, cm):
    from osgeo import osr

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    card = {"sources": [{"crs": f"EPSG:{epsg}", "wkt": srs.ExportToWkt(), "geotransform": [500000, 10, 0, 9e6, 0, -10],
                         "size": [100, 100]}]}
    resolution, note = export.resolution_cm(card)
    assert resolution == pytest.approx(cm, rel=1e-6)
    assert note.startswith(f"Resolution {cm:.5g} cm/px: the pixel size of the training rasters (EPSG:{epsg})")
