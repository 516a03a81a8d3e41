"""The U-Net builder (claro.backend.model)."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from claro.backend.model import build_unet  # noqa: E402


def test_binary_model_has_one_sigmoid_channel_and_any_window_size():
    model = build_unet(3, 2, depth=2, base_filters=4)
    for size in (16, 40):
        out = model.predict(np.zeros((2, size, size, 3), np.float32), verbose=0)
        assert out.shape == (2, size, size, 1)
        assert out.dtype == np.float32
        assert np.all((out > 0) & (out < 1))
    assert model.layers[-1].get_config()["activation"] == "sigmoid"


def test_multiclass_model_has_softmax_over_classes():
    model = build_unet(13, 4, depth=2, base_filters=4)
    out = model.predict(np.random.default_rng(0).normal(size=(1, 24, 32, 13)).astype(np.float32), verbose=0)
    assert out.shape == (1, 24, 32, 4)
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-5)


def test_default_model_is_the_notebooks_32_to_1024_unet():
    model = build_unet(4, 2)
    filters = [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)
               and not isinstance(layer, keras.layers.Conv2DTranspose) and layer.name != "classifier"]
    assert filters[0] == 32 and max(filters) == 1024
    assert 30e6 < model.count_params() < 32e6  # the notebook's ~31 M parameters
    assert model.input_shape == (None, None, None, 4)


def test_first_layer_normalises_with_the_dataset_statistics():
    mean, std = [100.0, 20.0, 5.0], [10.0, 4.0, 0.0]  # a constant band (std 0) is only centred
    model = build_unet(3, 2, depth=1, base_filters=2, mean=mean, std=std)
    first = model.layers[1]
    assert first.name == "normalise"
    x = np.random.default_rng(1).uniform(0, 200, size=(2, 8, 8, 3)).astype(np.float32)
    expected = (x - np.array(mean)) / np.array([10.0, 4.0, 1.0])
    np.testing.assert_allclose(keras.Model(model.input, first.output)(x).numpy(), expected, rtol=1e-5, atol=1e-4)


def test_dropout_only_in_the_deepest_blocks():
    names = [layer.name for layer in build_unet(3, 2, depth=3, base_filters=2, dropout=0.3).layers
             if isinstance(layer, keras.layers.Dropout)]
    assert names == ["encoder2_dropout", "center_dropout"]
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in build_unet(3, 2, depth=3, base_filters=2).layers)


def test_output_is_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = build_unet(3, 3, depth=1, base_filters=2, mean=[1000.0] * 3, std=[100.0] * 3)
        assert model.layers[1].compute_dtype == "float32"  # normalisation before float16
        assert model.output.dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_saved_model_loads_in_safe_mode_and_predicts_the_same(tmp_path):
    model = build_unet(3, 2, depth=2, base_filters=4, mean=[50.0, 60.0, 70.0], std=[5.0, 6.0, 7.0])
    path = tmp_path / "m.keras"
    model.save(path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    assert "Lambda" not in json.dumps(config)
    loaded = keras.models.load_model(path, safe_mode=True, compile=False)
    x = np.random.default_rng(2).uniform(0, 255, size=(1, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5)
