"""`--precision bf16`: the model rebuilt for bfloat16, its float32 ends, folded batch norms, and
the same classes as float32 on a real tile."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

keras = pytest.importorskip("keras")

from claro.backend import card as model_card  # noqa: E402
from claro.backend import cli, model_io, precision, probe  # noqa: E402
from claro.backend.model import build_unet  # noqa: E402
from ..conftest import sample_tile  # noqa: E402

CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]
CARD = {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": CLASSES, "activation": "sigmoid",
        "patch_size": 128}
CPU_WITH_BF16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n"
CPU_WITHOUT_BF16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n"


def tile_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The bundled tile as [rows, cols, 3] float32 and its 0/1 mask."""
    image, mask = sample_tile()
    return (gdal.Open(str(image)).ReadAsArray().transpose(1, 2, 0).astype(np.float32),
            gdal.Open(str(mask)).ReadAsArray().astype(np.float32))


@pytest.fixture(scope="module")
def trained_unet(tmp_path_factory) -> Path:
    """A tiny Claro U-Net trained for a few seconds on the bundled tile, so its probabilities mean
    something (an untrained one sits near 0.5 everywhere, where any rounding flips the class)."""
    keras.utils.set_random_seed(3)
    x, y = tile_arrays()
    crops = np.stack([x[r:r + 128, c:c + 128] for r in range(0, 512, 128) for c in range(0, 512, 128)])
    labels = np.stack([y[r:r + 128, c:c + 128] for r in range(0, 512, 128) for c in range(0, 512, 128)])[..., None]
    model = build_unet(3, 2, depth=2, base_filters=8, mean=x.reshape(-1, 3).mean(0), std=x.reshape(-1, 3).std(0))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(crops, labels, batch_size=4, epochs=6, verbose=0)
    path = tmp_path_factory.mktemp("unet") / "unet.keras"
    model.save(path)
    model_card.write_card(path, CARD)
    return path


def predict(model: Path, out: Path, *extra: str, capsys=None) -> list[dict]:
    """Run `claro predict` on the bundled tile; the JSON events it printed."""
    image, _ = sample_tile()
    code = cli.main(["predict", "--model", str(model), "--image", str(image), "--out", str(out), "--probabilities",
                     str(out.with_name(out.stem + "_p.tif")), "--progress", "json", *extra])
    printed = capsys.readouterr().out if capsys else ""
    assert code == 0, printed
    return [json.loads(line) for line in printed.splitlines() if line.startswith("{")]


def test_bf16_gives_the_float32_classes_on_a_real_tile_with_float32_probabilities(tmp_path, trained_unet, capsys):
    predict(trained_unet, tmp_path / "f32.tif", capsys=capsys)
    events = predict(trained_unet, tmp_path / "bf16.tif", "--precision", "bf16", capsys=capsys)
    logs = " ".join(e["message"] for e in events if e["event"] == "log")
    assert "Predicting in bfloat16" in logs and "normalise, classifier, probabilities in float32" in logs
    f32, bf16 = (gdal.Open(str(tmp_path / name)).ReadAsArray() for name in ("f32.tif", "bf16.tif"))
    assert 0.1 < (f32 == 1).mean() < 0.9  # the model does separate the classes
    assert (f32 == bf16).mean() >= 0.99
    probabilities = gdal.Open(str(tmp_path / "bf16_p.tif"))
    assert probabilities.GetRasterBand(1).DataType == gdal.GDT_Float32
    p16, p32 = probabilities.ReadAsArray(), gdal.Open(str(tmp_path / "f32_p.tif")).ReadAsArray()
    assert np.abs(p16 - p32).mean() < 0.01
    assert keras.mixed_precision.global_policy().name == "float32"  # nothing leaks to the next job


def test_normalisation_and_output_layers_run_in_float32_and_the_rest_in_bfloat16(trained_unet):
    source = keras.saving.load_model(trained_unet, compile=False)
    model, _ = model_io.load_model(trained_unet, precision="bf16")
    dtypes = {layer.name: layer.compute_dtype for layer in model.layers}
    assert dtypes["normalise"] == dtypes["classifier"] == dtypes["probabilities"] == "float32"
    assert dtypes["encoder0_conv1"] == dtypes["center_conv2"] == dtypes["decoder0_conv2"] == "bfloat16"
    assert model.get_layer("normalise").dtype_policy.name == "float32"
    assert model.inputs[0].dtype == "float32" and model.outputs[0].dtype == "float32"
    x, _ = tile_arrays()
    probabilities = np.asarray(model(x[None, :128, :128]), np.float32)
    low_bits = probabilities.view(np.uint32) & 0xFFFF  # zero for every value a bfloat16 can hold
    assert (low_bits != 0).mean() > 0.9  # computed in float32, not bfloat16 cast up at the end
    # a batch norm after a convolution is folded into it; one after a concatenation stays (bfloat16 in, float32 inside)
    norms = [layer.name for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert norms == ["decoder1_bn0", "decoder0_bn0"]
    assert model.get_layer("encoder0_conv1").use_bias and not any(
        isinstance(layer, keras.layers.BatchNormalization) and "conv" in layer.name for layer in model.layers)
    assert len(model.layers) == len(source.layers) - 10
    assert keras.mixed_precision.global_policy().name == "float32"


def test_folding_batch_norms_keeps_the_float32_predictions(trained_unet):
    """The folding alone (float32 policy) is the same model: exact algebra up to rounding."""
    source = keras.saving.load_model(trained_unet, compile=False)
    folded, count, kept = precision.rebuild(source, "float32")
    assert count == 10 and kept == ["normalise", "classifier", "probabilities"]
    x, _ = tile_arrays()
    expected = source(x[None, :256, :256]).numpy()
    np.testing.assert_allclose(folded(x[None, :256, :256]).numpy(), expected, atol=2e-5)


def notebook_like(bands: int = 3) -> "keras.Model":
    """A plain Keras model as the ACCA notebook makes them: raw values in (no normalisation
    layer), conv + batch norm + ReLU, and a sigmoid inside the last convolution."""
    inputs = keras.Input((None, None, bands))
    x = keras.layers.Conv2D(8, 3, padding="same", name="first")(inputs)
    x = keras.layers.BatchNormalization(name="first_bn")(x)
    x = keras.layers.Activation("relu")(x)
    skip = x
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="middle")(x)
    x = keras.layers.Conv2DTranspose(8, 2, strides=2, padding="same")(x)
    x = keras.layers.concatenate([skip, x])
    outputs = keras.layers.Conv2D(1, 1, activation="sigmoid", name="last")(x)
    return keras.Model(inputs, outputs)


def test_a_plain_keras_model_keeps_its_first_and_last_layers_in_float32(tmp_path, capsys):
    keras.utils.set_random_seed(1)
    path = tmp_path / "plain.keras"
    notebook_like().save(path)
    model, _ = model_io.load_model(path, bands=[1, 2, 3], classes=CLASSES, precision="bf16")
    dtypes = {layer.name: layer.compute_dtype for layer in model.layers}
    assert dtypes["first"] == dtypes["last"] == "float32"  # raw band values, and the probabilities
    assert dtypes["middle"] == "bfloat16"
    assert "first_bn" not in dtypes
    events = predict(path, tmp_path / "c.tif", "--bands", "1,2,3", "--classes", "0:forest,1:cleared", "--precision", "bf16",
                     capsys=capsys)
    assert events[-1]["event"] == "done"
    assert gdal.Open(str(tmp_path / "c_p.tif")).GetRasterBand(1).DataType == gdal.GDT_Float32


def test_a_sequential_model_is_rebuilt_too():
    model = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(4, 3, padding="same"),
                              keras.layers.Conv2D(4, 3, padding="same"), keras.layers.Conv2D(2, 1),
                              keras.layers.Softmax()])
    rebuilt = precision.for_prediction(model, "bf16")
    assert [layer.compute_dtype for layer in rebuilt.layers] == ["float32", "bfloat16", "float32", "float32"]
    x = np.random.default_rng(0).random((1, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(rebuilt(x).numpy(), model(x).numpy(), atol=0.02)


def test_a_model_that_cannot_be_rebuilt_predicts_in_float32_and_says_so(tmp_path, trained_unet, capsys, monkeypatch):
    original = keras.Model.from_config.__func__

    def refuse(cls, config, custom_objects=None):
        """Loading the file works; rebuilding it under mixed_bfloat16 fails."""
        if keras.mixed_precision.global_policy().name == "mixed_bfloat16":
            raise TypeError("no config for this layer")
        return original(cls, config, custom_objects)

    monkeypatch.setattr(keras.Model, "from_config", classmethod(refuse))
    events = predict(trained_unet, tmp_path / "c.tif", "--precision", "bf16", capsys=capsys)
    logs = [e["message"] for e in events if e["event"] == "log"]
    assert "This model cannot be rebuilt for bfloat16 (no config for this layer); predicting in float32." in logs
    assert events[-1]["event"] == "done"
    assert keras.mixed_precision.global_policy().name == "float32"


def test_bf16_on_a_cpu_without_the_instructions_runs_and_says_it_will_be_slower(tmp_path, trained_unet, capsys,
                                                                                monkeypatch):
    monkeypatch.setattr(probe, "read_cpuinfo", lambda: CPU_WITHOUT_BF16)
    events = predict(trained_unet, tmp_path / "c.tif", "--precision", "bf16", capsys=capsys)
    logs = [e["message"] for e in events if e["event"] == "log"]
    assert any(m.startswith("--precision bf16 will likely be slower than float32 here: the CPU has no bfloat16") for m in logs)
    assert events[-1]["event"] == "done"
    monkeypatch.setattr(probe, "read_cpuinfo", lambda: CPU_WITH_BF16)
    events = predict(trained_unet, tmp_path / "d.tif", "--precision", "bf16", capsys=capsys)
    assert not any("slower" in e.get("message", "") for e in events if e["event"] == "log")
