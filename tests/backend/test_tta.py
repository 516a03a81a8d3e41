"""`claro predict --tta`: the eight views, un-transformed and averaged; equivariant models unchanged, others not."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from claro.backend import card as model_card  # noqa: E402
from claro.backend import tta  # noqa: E402
from ..conftest import sample_tile  # noqa: E402
from .test_aoi import CLASSES, predict_events  # noqa: E402
from .test_predict import read, run  # noqa: E402


def pixel_model(path: Path) -> Path:
    """Per-pixel (1×1 convolution + softmax): rotating or mirroring the input rotates or mirrors the output exactly."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    layer = keras.layers.Conv2D(2, 1)
    x = layer(x)
    layer.set_weights([np.array([[[[4.0, -3.0], [-2.0, 1.0], [1.0, 2.0]]]], "float32"), np.array([0.0, 0.3], "float32")])
    keras.Model(inputs, keras.layers.Activation("softmax")(x)).save(path)
    model_card.write_card(path, {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": CLASSES,
                                 "activation": "softmax", "patch_size": 64})
    return path


def shift_model(path: Path) -> Path:
    """Looks at the pixel two to the right and one below (an asymmetric 5×5 kernel): the output
    depends on the direction, so the eight views disagree."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    layer = keras.layers.Conv2D(2, 5, padding="same", use_bias=False)
    x = layer(x)
    kernel = np.zeros((5, 5, 3, 2), "float32")
    kernel[3, 4] = [[6.0, -6.0], [-4.0, 4.0], [2.0, 0.0]]
    layer.set_weights([kernel])
    keras.Model(inputs, keras.layers.Activation("softmax")(x)).save(path)
    model_card.write_card(path, {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": CLASSES,
                                 "activation": "softmax", "patch_size": 64})
    return path


def test_the_eight_views_are_distinct_and_restore_undoes_each():
    batch = np.random.default_rng(0).random((2, 6, 6, 3)).astype("float32")
    seen = set()
    for view in tta.ALL_VIEWS:
        viewed = tta.transform(batch, view)
        seen.add(viewed.tobytes())
        np.testing.assert_array_equal(tta.restore(viewed, view), batch)
    assert len(seen) == 8
    rectangle = np.random.default_rng(1).random((1, 4, 7, 2))
    assert tta.views_for(4, 7) == tta.SHAPE_KEEPING and tta.views_for(8, 8) == tta.ALL_VIEWS
    for view in tta.SHAPE_KEEPING:
        assert tta.transform(rectangle, view).shape == rectangle.shape
        np.testing.assert_array_equal(tta.restore(tta.transform(rectangle, view), view), rectangle)


def test_augmented_predictor_averages_views_and_counts_disagreement():
    """A 'model' that returns [x, x-mirrored-left-right]: the two halves swap in mirrored views."""
    def fake(windows: np.ndarray) -> np.ndarray:
        return np.concatenate([windows, windows[:, :, ::-1]], axis=-1)

    windows = np.random.default_rng(2).random((3, 4, 4, 1)).astype("float32")
    out = tta.augmented(fake, tta.ALL_VIEWS, disagreement=True)(windows)
    assert out.shape == (3, 4, 4, 3)
    # channel 0 follows the window through every view: back exactly; channel 1 (a left-right mirror
    # taken inside the view) comes back as the left-right mirror in four views, the up-down one in the others
    x = windows[..., 0]
    np.testing.assert_allclose(out[..., 0], x, rtol=1e-6)
    np.testing.assert_allclose(out[..., 1], (x[:, :, ::-1] + x[:, ::-1, :]) / 2, rtol=1e-6)
    disagree = np.mean([(x > x[:, :, ::-1]) != (x > (x[:, :, ::-1] + x[:, ::-1, :]) / 2),
                        (x > x[:, ::-1, :]) != (x > (x[:, :, ::-1] + x[:, ::-1, :]) / 2)], axis=0)
    np.testing.assert_allclose(out[..., 2], disagree)
    assert set(np.unique(out[..., 2] * 8)) <= set(range(9))


@pytest.fixture
def tile(tmp_path):
    image, _ = sample_tile()
    return tmp_path, image


def test_tta_with_a_per_pixel_model_changes_nothing(tile):
    folder, image = tile
    model = pixel_model(folder / "pixel.keras")
    plain = predict_events(model=str(model), image=str(image), out=str(folder / "plain.tif"),
                           probabilities=str(folder / "plain_p.tif"), window=128)
    done = predict_events(model=str(model), image=str(image), out=str(folder / "tta.tif"),
                          probabilities=str(folder / "tta_p.tif"), window=128, tta=True)
    assert (plain["views"], done["views"]) == (1, 8) and done["windows"] == plain["windows"]
    np.testing.assert_allclose(read(folder / "tta_p.tif"), read(folder / "plain_p.tif"), atol=1e-6)
    np.testing.assert_array_equal(read(folder / "tta.tif"), read(folder / "plain.tif"))
    assert 0.1 < read(folder / "plain.tif").mean() < 0.9  # both classes present: the comparison means something


def test_tta_with_an_asymmetric_model_changes_the_probabilities(tile):
    folder, image = tile
    model = shift_model(folder / "shift.keras")
    assert run("--model", model, "--image", image, "--out", folder / "plain.tif", "--probabilities",
               folder / "plain_p.tif", "--window", 128) == 0
    assert run("--model", model, "--image", image, "--out", folder / "tta.tif", "--probabilities",
               folder / "tta_p.tif", "--window", 128, "--tta", "--uncertainty", folder / "dis.tif",
               "--uncertainty-measure", "disagreement") == 0
    plain, averaged = read(folder / "plain_p.tif"), read(folder / "tta_p.tif")
    assert np.abs(plain - averaged).max() > 0.05
    # the average of the eight views is the average of the model run on the eight views of the whole tile
    from osgeo import gdal

    data = gdal.Open(str(image)).ReadAsArray().transpose(1, 2, 0)[None].astype("float32")
    keras_model = keras.models.load_model(model)
    expected = np.mean([tta.restore(keras_model(np.ascontiguousarray(tta.transform(data, v))).numpy(), v)
                        for v in tta.ALL_VIEWS], axis=0)[0]
    # (close, not equal: near a window's border the kernel reaches the window's zero padding, weakly weighted in the blend)
    off = np.abs(averaged.transpose(1, 2, 0) - expected)[4:-4, 4:-4].mean()
    assert off < 1e-3 and np.abs(plain.transpose(1, 2, 0) - expected)[4:-4, 4:-4].mean() > 10 * off
    disagreement = read(folder / "dis.tif")
    assert disagreement.min() >= 0 and disagreement.max() <= 1 and disagreement.max() > 0.1


def test_non_square_windows_get_the_four_views_that_keep_their_shape():
    """(Only a model of fixed non-square size has such windows: with --tta predict makes free-size windows square.)"""
    windows = np.random.default_rng(3).random((2, 4, 8, 3)).astype("float32")
    seen = []

    def per_pixel(batch: np.ndarray) -> np.ndarray:
        seen.append(batch.shape)
        return batch * 2.0

    out = tta.augmented(per_pixel, tta.views_for(4, 8))(windows)
    assert seen == [(2, 4, 8, 3)] * 4
    np.testing.assert_allclose(out, windows * 2.0, rtol=1e-6)


def test_disagreement_needs_tta(tmp_path, capsys):
    image, _ = sample_tile()
    model = pixel_model(tmp_path / "pixel.keras")
    assert run("--model", model, "--image", image, "--out", tmp_path / "c.tif", "--uncertainty", tmp_path / "u.tif",
               "--uncertainty-measure", "disagreement") == 2
    assert "add --tta" in capsys.readouterr().err
    assert not (tmp_path / "c.tif").exists() and not (tmp_path / "u.tif").exists()
    # with --tta a per-pixel model's views always agree
    assert run("--model", model, "--image", image, "--out", tmp_path / "c.tif", "--uncertainty", tmp_path / "u.tif",
               "--uncertainty-measure", "disagreement", "--tta", "--window", 256) == 0
    assert (read(tmp_path / "u.tif") == 0).all()
