"""Loss and streaming metric that skip ignored pixels, and the class weights.

Labels arrive as class indices (int) with -1 for pixels that are not labelled (the dataset's
ignore value, image nodata). Those pixels count in neither the loss nor the confusion matrix,
so a change in them changes nothing.

The loss is a weighted mean over the labelled pixels of a batch, sum(w·l) / sum(w) with
w = class weight of the pixel's class (the convention of PyTorch's weighted cross-entropy): the
scale stays the same whatever share of a batch is ignored.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import tensorflow as tf
import keras

from .errors import ClaroError
from .metrics import target_classes


def class_weights(spec: str, n_classes: int, train_pixels: Optional[Sequence[float]] = None) -> list[float]:
    """Weights per class index from --class-weights: 'auto', 'none' or 'w0,w1,…'.

    'auto' is inverse frequency over the training split's labelled pixels, normalised so the
    average weight of a labelled pixel is 1 (w_c = total / (n · count_c)); a class without a
    training pixel gets weight 0 (there is nothing to weigh)."""
    text = (spec or "none").strip().lower()
    if text == "none":
        return [1.0] * n_classes
    if text == "auto":
        if train_pixels is None or len(train_pixels) != n_classes:
            raise ClaroError("The dataset does not list pixel counts per class for its training split, so "
                             "--class-weights auto cannot be computed; give the weights or use --class-weights none.")
        counts = np.asarray(train_pixels, dtype=np.float64)
        total = counts.sum()
        if total <= 0:
            raise ClaroError("The training split has no labelled pixels; make the patch dataset again with labels that cover the image.")
        present = counts > 0
        weights = np.where(present, total / (present.sum() * np.maximum(counts, 1)), 0.0)
        return [float(w) for w in weights]
    try:
        weights = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ClaroError(f"--class-weights '{spec}' is not 'auto', 'none' or comma-separated numbers; for example 1,4.")
    if len(weights) != n_classes:
        raise ClaroError(f"--class-weights gives {len(weights)} weights but the dataset has {n_classes} classes; give one weight per class, in class order.")
    if any(w < 0 or not np.isfinite(w) for w in weights) or not any(w > 0 for w in weights):
        raise ClaroError(f"--class-weights '{spec}' must be non-negative numbers, at least one above zero.")
    return weights


def _replicas() -> int:
    return tf.distribute.get_strategy().num_replicas_in_sync


class MaskedCrossEntropy(keras.losses.Loss):
    """Binary (one sigmoid channel) or sparse categorical (softmax) cross-entropy, weighted per
    class, over labelled pixels only (label -1 = ignored)."""

    def __init__(self, n_classes: int, weights: Optional[Sequence[float]] = None, name: str = "masked_cross_entropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_classes = int(n_classes)
        self.weights = [float(w) for w in (weights or [1.0] * self.n_classes)]

    def pixel_losses(self, y_true, y_pred):
        """(per-pixel loss, per-pixel weight), both [B, H, W] float32; weight 0 where ignored."""
        labels = tf.cast(tf.reshape(y_true, tf.shape(y_pred)[:3]), tf.int32)
        y_pred = tf.cast(y_pred, tf.float32)
        valid = labels >= 0
        index = tf.where(valid, labels, tf.zeros_like(labels))
        weight = tf.gather(tf.constant(self.weights, tf.float32), index) * tf.cast(valid, tf.float32)
        if self.n_classes == 2:
            target = tf.cast(index, tf.float32)[..., None]
            loss = keras.ops.binary_crossentropy(target, y_pred, from_logits=False)[..., 0]
        else:
            loss = keras.ops.sparse_categorical_crossentropy(index, y_pred, from_logits=False)
        return loss, weight

    def __call__(self, y_true, y_pred, sample_weight=None):
        loss, weight = self.pixel_losses(y_true, y_pred)
        if sample_weight is not None:
            weight = weight * tf.cast(tf.reshape(sample_weight, [-1, 1, 1]), tf.float32)
        value = tf.math.divide_no_nan(tf.reduce_sum(loss * weight), tf.reduce_sum(weight))
        # Under tf.distribute each replica returns its share; Keras sums the replicas' gradients.
        return value / tf.cast(_replicas(), tf.float32)

    def call(self, y_true, y_pred):  # Keras's per-sample API: mean loss per image, ignored pixels skipped
        loss, weight = self.pixel_losses(y_true, y_pred)
        return tf.math.divide_no_nan(tf.reduce_sum(loss * weight, axis=[1, 2]), tf.reduce_sum(weight, axis=[1, 2]))

    def get_config(self):
        return {**super().get_config(), "n_classes": self.n_classes, "weights": self.weights}


def predicted_index(y_pred, n_classes: int):
    """Class index per pixel from probabilities: p > 0.5 for one sigmoid channel, else argmax."""
    if n_classes == 2:
        return tf.cast(y_pred[..., 0] > 0.5, tf.int32)
    return tf.argmax(y_pred, axis=-1, output_type=tf.int32)


class ConfusionMatrixMetric(keras.metrics.Metric):
    """Streaming confusion matrix [reference, predicted] over labelled pixels (int64 counts, summed
    over replicas). result() is the mean IoU over the target classes (metrics.target_classes);
    `matrix()` hands the counts to metrics.scores for the per-class figures."""

    def __init__(self, n_classes: int, name: str = "mean_iou", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_classes = int(n_classes)
        self.counts = self.add_variable(shape=(self.n_classes, self.n_classes), initializer="zeros",
                                        dtype="int64", aggregation="sum", name="counts")

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels = tf.reshape(tf.cast(y_true, tf.int32), [-1])
        predicted = tf.reshape(predicted_index(y_pred, self.n_classes), [-1])
        valid = (labels >= 0) & (labels < self.n_classes)
        update = tf.math.confusion_matrix(tf.boolean_mask(labels, valid), tf.boolean_mask(predicted, valid),
                                          num_classes=self.n_classes, dtype=tf.int64)
        self.counts.assign_add(update)

    def result(self):
        counts = tf.cast(self.counts, tf.float64)
        tp = tf.linalg.diag_part(counts)
        union = tf.reduce_sum(counts, 0) + tf.reduce_sum(counts, 1) - tp
        targets = target_classes(self.n_classes)
        iou = tf.gather(tf.math.divide_no_nan(tp, union), targets)
        present = tf.gather(union > 0, targets)
        mean = tf.math.divide_no_nan(tf.reduce_sum(tf.where(present, iou, 0.0)), tf.reduce_sum(tf.cast(present, tf.float64)))
        return tf.cast(mean, tf.float32)

    def reset_state(self):
        self.counts.assign(tf.zeros_like(self.counts))

    def matrix(self) -> np.ndarray:
        return np.asarray(keras.ops.convert_to_numpy(self.counts), dtype=np.int64)

    def get_config(self):
        return {**super().get_config(), "n_classes": self.n_classes}
