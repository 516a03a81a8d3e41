"""The U-Net, built like the figure in the ACCA / Earth Engine notebooks.

    input ─ normalise ─ enc0 ──────────────────────────────── dec0 ─ 1×1 conv ─ sigmoid/softmax
                         └ pool ─ enc1 ─────────────── dec1 ┘
                                   └ pool ─ … center ┘ (up: 2×2 transposed conv + skip concat)

Each encoder level is a conv block (2 × [3×3 conv, batch norm, ReLU]); filters double at each
level down, from `base_filters` (32) to `base_filters * 2**depth` (1024) in the center. A decoder
level up-samples with a 2×2 transposed convolution, concatenates the encoder's output of the same
size, then batch norm, ReLU and a conv block. depth 5 / base 32 is the notebook's 31 M-parameter
model. Only built-in Keras layers are used, so the saved file loads in Keras safe mode.

The input is [None, None, bands]: the model is fully convolutional and predicts any window
whose sides are multiples of 2**depth. The first layer normalises with the training statistics:
the one place normalisation happens, in training and in prediction alike.
"""
from __future__ import annotations

from typing import Optional, Sequence

import keras
from keras import layers

#: Batch-norm moving averages follow the batches with momentum 0.9 (PyTorch's default) rather than
#: Keras's 0.99: with the few hundred steps of a small dataset, 0.99 leaves the inference-time
#: statistics near their initial values and validation predictions all one class.
BN_MOMENTUM = 0.9


def conv_block(x, filters: int, name: str):
    """2 × (3×3 conv, batch norm, ReLU)."""
    for i in (1, 2):
        x = layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv{i}")(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn{i}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    return x


def encoder_block(x, filters: int, name: str, dropout: float = 0.0):
    """Conv block, then 2×2 max-pool; returns (pooled, skip)."""
    skip = conv_block(x, filters, name)
    if dropout:
        skip = layers.Dropout(dropout, name=f"{name}_dropout")(skip)
    pooled = layers.MaxPooling2D(2, strides=2, name=f"{name}_pool")(skip)
    return pooled, skip


def decoder_block(x, skip, filters: int, name: str):
    """2×2 transposed conv up, concatenate the skip, batch norm, ReLU, conv block."""
    x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same", name=f"{name}_up")(x)
    x = layers.Concatenate(axis=-1, name=f"{name}_concat")([skip, x])
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn0")(x)
    x = layers.Activation("relu", name=f"{name}_relu0")(x)
    return conv_block(x, filters, name)


def normalisation_layer(bands: int, mean: Optional[Sequence[float]], std: Optional[Sequence[float]]) -> layers.Layer:
    """(x - mean) / std per band; identity without statistics. A band with std 0 is only centred.

    Runs in float32 even under mixed precision: raw reflectances (up to ~10000) lose too much
    precision in float16 before the mean is subtracted."""
    mean = [0.0] * bands if mean is None else [float(m) for m in mean]
    std = [1.0] * bands if std is None else [float(s) if s and s > 0 else 1.0 for s in std]
    if len(mean) != bands or len(std) != bands:
        raise ValueError(f"normalisation statistics have {len(mean)} means and {len(std)} stds for {bands} bands")
    return layers.Normalization(axis=-1, mean=mean, variance=[s * s for s in std], dtype="float32", name="normalise")


def build_unet(bands: int, n_classes: int, depth: int = 5, base_filters: int = 32, dropout: float = 0.0,
               mean: Optional[Sequence[float]] = None, std: Optional[Sequence[float]] = None) -> keras.Model:
    """U-Net for `bands` input bands and `n_classes` classes.

    Two classes give one sigmoid channel (probability of class index 1); more give a softmax
    over the classes. The output is float32 even under mixed precision. `dropout` applies to the
    deepest encoder level and the center.
    """
    if n_classes < 2:
        raise ValueError("a segmentation model needs at least two classes")
    if depth < 1:
        raise ValueError("depth must be at least 1")
    inputs = keras.Input(shape=(None, None, bands), name="image")
    x = normalisation_layer(bands, mean, std)(inputs)

    skips = []
    for level in range(depth):
        deepest = level == depth - 1
        x, skip = encoder_block(x, base_filters * 2 ** level, f"encoder{level}", dropout if deepest else 0.0)
        skips.append(skip)

    x = conv_block(x, base_filters * 2 ** depth, "center")
    if dropout:
        x = layers.Dropout(dropout, name="center_dropout")(x)

    for level in reversed(range(depth)):
        x = decoder_block(x, skips[level], base_filters * 2 ** level, f"decoder{level}")

    channels = 1 if n_classes == 2 else n_classes
    x = layers.Conv2D(channels, 1, name="classifier")(x)
    outputs = layers.Activation("sigmoid" if channels == 1 else "softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"unet_d{depth}_f{base_filters}")


def activation_of(n_classes: int) -> str:
    """'sigmoid' (one channel) for two classes, else 'softmax': as recorded in the model card."""
    return "sigmoid" if n_classes == 2 else "softmax"
