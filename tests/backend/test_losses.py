"""Masked loss, streaming confusion matrix and class weights (claro.backend.losses)."""
from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from claro.backend import losses, metrics  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402

RNG = np.random.default_rng(7)


def _binary_batch(shape=(2, 8, 8)):
    y = RNG.integers(0, 2, size=shape).astype(np.int32)
    p = RNG.uniform(0.05, 0.95, size=shape + (1,)).astype(np.float32)
    return y, p


def _softmax_batch(shape=(2, 8, 8), n=3):
    y = RNG.integers(0, n, size=shape).astype(np.int32)
    logits = RNG.normal(size=shape + (n,)).astype(np.float32)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    return y, p


def test_binary_loss_is_mean_cross_entropy_over_labelled_pixels():
    y, p = _binary_batch()
    y[0, :3] = -1
    valid = y >= 0
    expected = -np.mean(np.where(y == 1, np.log(p[..., 0]), np.log(1 - p[..., 0]))[valid])
    value = float(losses.MaskedCrossEntropy(2)(y, p))
    assert value == pytest.approx(expected, rel=1e-4)


def test_ignored_pixels_change_neither_loss_nor_confusion_matrix():
    for y, p, n in (_binary_batch() + (2,), _softmax_batch() + (3,)):
        y = y.copy()
        y[:, :4, :] = -1
        other = p.copy()
        other[:, :4, :] = p[:, :4, :][..., ::-1]  # wildly different predictions where ignored
        loss = losses.MaskedCrossEntropy(n, [1.0, 3.0] + [1.0] * (n - 2))
        assert float(loss(y, p)) == pytest.approx(float(loss(y, other)), rel=1e-6)
        a, b = losses.ConfusionMatrixMetric(n), losses.ConfusionMatrixMetric(n)
        a.update_state(y, p)
        b.update_state(y, other)
        np.testing.assert_array_equal(a.matrix(), b.matrix())
        assert a.matrix().sum() == (y >= 0).sum()


def test_softmax_loss_matches_sparse_cross_entropy_with_class_weights():
    y, p = _softmax_batch()
    y[1, 0, :] = -1
    w = np.array([0.5, 2.0, 1.0])
    valid = y >= 0
    picked = np.take_along_axis(p, np.maximum(y, 0)[..., None], -1)[..., 0]
    pixel_w = w[np.maximum(y, 0)] * valid
    expected = np.sum(-np.log(picked) * pixel_w) / pixel_w.sum()
    assert float(losses.MaskedCrossEntropy(3, list(w))(y, p)) == pytest.approx(expected, rel=1e-4)


def test_weighted_binary_loss_is_the_weighted_mean_over_labelled_pixels():
    y = np.zeros((1, 4, 4), np.int32)
    y[0, 0, :] = 1  # a quarter of the pixels are class 1, all predicted wrong
    y[0, 3, :2] = -1  # two ignored pixels
    p = np.full((1, 4, 4, 1), 0.1, np.float32)
    # by hand: 4 class-1 pixels lose -ln 0.1 each at weight 3, 10 class-0 pixels -ln 0.9 at weight 1
    expected = (4 * 3.0 * -np.log(0.1) + 10 * 1.0 * -np.log(0.9)) / (4 * 3.0 + 10 * 1.0)
    assert float(losses.MaskedCrossEntropy(2, [1.0, 3.0])(y, p)) == pytest.approx(expected, rel=1e-5)
    plain = (4 * -np.log(0.1) + 10 * -np.log(0.9)) / 14
    assert float(losses.MaskedCrossEntropy(2)(y, p)) == pytest.approx(plain, rel=1e-5)
    # and on random probabilities, against numpy
    y, p = _binary_batch((2, 8, 8))
    y[1, :2] = -1
    w = np.array([0.7, 2.5])
    valid = y >= 0
    pixel_w = w[np.maximum(y, 0)] * valid
    pixel_l = -np.where(y == 1, np.log(p[..., 0]), np.log(1 - p[..., 0]))
    expected = np.sum(pixel_l * pixel_w) / pixel_w.sum()
    assert float(losses.MaskedCrossEntropy(2, list(w))(y, p)) == pytest.approx(expected, rel=1e-5)


def test_all_ignored_batch_gives_zero_loss_not_nan():
    y = np.full((1, 4, 4), -1, np.int32)
    p = np.full((1, 4, 4, 1), 0.3, np.float32)
    assert float(losses.MaskedCrossEntropy(2)(y, p)) == 0.0


def test_streaming_matrix_equals_numpy_confusion_matrix_and_mean_iou():
    y, p = _binary_batch((3, 16, 16))
    y[0, :, :5] = -1
    metric = losses.ConfusionMatrixMetric(2)
    metric.update_state(y[:2], p[:2])
    metric.update_state(y[2:], p[2:])
    expected = metrics.confusion_matrix(y, (p[..., 0] > 0.5).astype(int), 2)
    np.testing.assert_array_equal(metric.matrix(), expected)
    assert float(metric.result()) == pytest.approx(metrics.scores(expected)["mean_iou"], rel=1e-5)
    metric.reset_state()
    assert metric.matrix().sum() == 0


def test_softmax_prediction_is_argmax():
    y, p = _softmax_batch((1, 8, 8), 4)
    metric = losses.ConfusionMatrixMetric(4)
    metric.update_state(y, p)
    np.testing.assert_array_equal(metric.matrix(), metrics.confusion_matrix(y, p.argmax(-1), 4))


def test_class_weights_auto_none_and_explicit():
    assert losses.class_weights("none", 2) == [1.0, 1.0]
    auto = losses.class_weights("auto", 2, [900, 100])
    assert auto == pytest.approx([1000 / 1800, 1000 / 200])
    assert 900 * auto[0] + 100 * auto[1] == pytest.approx(1000)  # mean weight of a pixel is 1
    assert losses.class_weights("auto", 3, [50, 0, 50]) == pytest.approx([1.0, 0.0, 1.0])
    assert losses.class_weights("1, 4", 2) == [1.0, 4.0]


@pytest.mark.parametrize("spec, message", [("1,2,3", "3 weights but the dataset has 2 classes"),
                                           ("heavy", "not 'auto', 'none'"),
                                           ("-1,2", "non-negative")])
def test_class_weights_bad_input(spec, message):
    with pytest.raises(ClaroError, match=message):
        losses.class_weights(spec, 2, [1, 1])


def test_class_weights_auto_needs_pixel_counts():
    with pytest.raises(ClaroError, match="--class-weights none"):
        losses.class_weights("auto", 2, None)
