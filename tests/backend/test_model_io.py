"""Loading models: safe mode, cards, plain Keras models from elsewhere."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from claro.backend import card as model_card  # noqa: E402
from claro.backend import model_io  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402

CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]


def tiny_model(bands: int = 3, channels: int = 1, size=None) -> "keras.Model":
    inputs = keras.Input((size, size, bands))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2DTranspose(4, 2, strides=2, padding="same")(x)
    outputs = keras.layers.Conv2D(channels, 1, activation="sigmoid" if channels == 1 else "softmax")(x)
    return keras.Model(inputs, outputs)


def save(model, path, card=None):
    model.save(path)
    if card is not None:
        model_card.write_card(path, card)
    return path


def test_model_with_card_loads_with_its_card(tmp_path):
    path = save(tiny_model(), tmp_path / "m.keras",
                {"bands": ["b1", "b2", "b3"], "source_bands": [1, 2, 3], "classes": CLASSES, "activation": "sigmoid",
                 "patch_size": 64})
    model, card = model_io.load_model(path)
    assert card["classes"] == CLASSES and card["source_bands"] == [1, 2, 3] and card["patch_size"] == 64
    assert model_io.model_shape(model) == (None, None, 3, 1)
    assert getattr(model, "optimizer", None) is None  # loaded without compiling: no optimizer state needed


def test_lambda_layer_is_refused_with_one_sentence(tmp_path):
    inputs = keras.Input((None, None, 3))
    outputs = keras.layers.Lambda(lambda t: t * 2.0, name="doubler")(inputs)
    path = save(keras.Model(inputs, outputs), tmp_path / "lambda.keras")
    with pytest.raises(ClaroError) as error:
        model_io.load_model(path, bands=[1, 2, 3], classes=CLASSES)
    message = str(error.value)
    assert "Lambda layer (doubler)" in message and "refuses" in message
    assert message.count(". ") == 0 and message.endswith(".")


def test_custom_layer_is_refused(tmp_path):
    @keras.saving.register_keras_serializable(package="someone")
    class Mystery(keras.layers.Layer):
        def call(self, x):
            return x

    inputs = keras.Input((None, None, 3))
    path = save(keras.Model(inputs, Mystery()(inputs)), tmp_path / "custom.keras")
    with pytest.raises(ClaroError, match="custom Mystery object"):
        model_io.load_model(path, bands=[1, 2, 3], classes=CLASSES)


def test_claro_unet_is_not_mistaken_for_custom_code(tmp_path):
    model_module = pytest.importorskip("claro.backend.model")
    unet = model_module.build_unet(4, 2, depth=2, base_filters=4, mean=[1, 2, 3, 4], std=[1, 1, 1, 1])
    path = save(unet, tmp_path / "unet.keras")
    config = model_io._read_config(path)
    assert model_io.custom_code(config) is None
    model, card = model_io.load_model(path, bands=[1, 2, 3, 4], classes=CLASSES)
    x = np.random.default_rng(0).random((1, 32, 32, 4)).astype("float32")
    np.testing.assert_allclose(model(x).numpy(), unet(x).numpy(), atol=1e-6)


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04 broken zip"])
def test_a_file_that_is_not_a_keras_model_is_an_error(tmp_path, content):
    path = tmp_path / "model.keras"
    path.write_bytes(content)
    with pytest.raises(ClaroError, match="is not a Keras model file"):
        model_io.load_model(path)


def test_missing_model_file(tmp_path):
    with pytest.raises(ClaroError, match="does not exist"):
        model_io.load_model(tmp_path / "nowhere.keras")


def test_plain_model_needs_bands_and_classes(tmp_path):
    path = save(tiny_model(bands=4), tmp_path / "logging_model.keras")
    with pytest.raises(ClaroError) as error:
        model_io.load_model(path)
    assert "--bands" in str(error.value) and "--classes" in str(error.value)
    with pytest.raises(ClaroError, match="--classes"):
        model_io.load_model(path, bands=[1, 2, 3, 4])


def test_plain_binary_model_gets_a_sigmoid_card(tmp_path):
    path = save(tiny_model(bands=4), tmp_path / "logging_model.keras")
    model, card = model_io.load_model(path, bands=[4, 3, 2, 1], classes="0:forest:#1a9641,1:logged:#d7191c")
    assert card["activation"] == "sigmoid"
    assert card["source_bands"] == [4, 3, 2, 1] and card["bands"] == ["b4", "b3", "b2", "b1"]
    assert [c["name"] for c in card["classes"]] == ["forest", "logged"]
    assert card["normalization"] is None


def test_plain_multiclass_model_gets_a_softmax_card(tmp_path):
    path = save(tiny_model(bands=3, channels=3), tmp_path / "plain.keras")
    _, card = model_io.load_model(path, bands=[1, 2, 3], classes="0:a,1:b,2:c")
    assert card["activation"] == "softmax" and len(card["classes"]) == 3


def test_wrong_class_or_band_counts_say_the_numbers(tmp_path):
    path = save(tiny_model(bands=4, channels=3), tmp_path / "plain.keras")
    with pytest.raises(ClaroError, match="3 output channels, so it needs 3 classes, but 2 were given"):
        model_io.load_model(path, bands=[1, 2, 3, 4], classes="0:a,1:b")
    with pytest.raises(ClaroError, match="reads 4 bands but --bands lists 2"):
        model_io.load_model(path, bands=[1, 2], classes="0:a,1:b,2:c")
    with pytest.raises(ClaroError, match="is not of the form"):
        model_io.load_model(path, bands=[1, 2, 3, 4], classes="0:a:green,1:b,2:c")


def test_fixed_size_model_is_made_to_take_any_window(tmp_path):
    fixed = tiny_model(bands=4, size=128)  # like the ACCA notebook's Input([128, 128, 4]), compiled like it
    fixed.compile(optimizer=keras.optimizers.Adam(0.1), loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.IoU(num_classes=2, target_class_ids=[0], name="iou")])
    path = save(fixed, tmp_path / "fixed.keras")
    model, _ = model_io.load_model(path, bands=[1, 2, 3, 4], classes=CLASSES)
    assert model_io.model_shape(model) == (None, None, 4, 1)
    x = np.random.default_rng(1).random((1, 128, 128, 4)).astype("float32")
    np.testing.assert_allclose(model(x).numpy(), fixed(x).numpy(), atol=1e-6)
    assert model(np.zeros((1, 64, 96, 4), "float32")).shape == (1, 64, 96, 1)
