"""Load a .keras model safely, with the card prediction needs.

A model file is data, never code: Keras safe mode stays on, and before Keras sees the file we
refuse Lambda layers and classes Keras does not ship (a custom layer runs the author's code).
A plain Keras model without a Claro card (e.g. the ACCA notebook's `logging_model.keras`)
still loads when the user says which image bands it reads and what its classes are.
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from . import card as model_card
from . import precision as model_precision
from .errors import ClaroError
from .params import parse_classes

Classes = Union[str, list[dict[str, Any]], None]


def _walk(node: Any) -> Iterator[dict]:
    """Every serialized object (dict with a class_name) in a Keras config tree."""
    if isinstance(node, dict):
        if "class_name" in node:
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def custom_code(config: dict) -> Optional[str]:
    """Describe the first piece of code-carrying content in a model config, or None if clean."""
    for item in _walk(config):
        name = str(item.get("class_name"))
        label = (item.get("config") or {}).get("name") if isinstance(item.get("config"), dict) else None
        if name == "Lambda":
            return f"a Lambda layer{f' ({label})' if label else ''}"
        if name.startswith("__"):  # Keras's own markers (__keras_tensor__, __tuple__, …)
            continue
        if "module" in item:
            module = item.get("module")
            if module is None or not str(module).startswith("keras"):
                return f"a custom {name} object"
    return None


def _read_config(path: Path) -> dict:
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read("config.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ClaroError(f"{path} is not a Keras model file (.keras); choose the file 'claro train' wrote.")


def _parse_classes(classes: Classes) -> Optional[list[dict]]:
    if classes is None or isinstance(classes, list):
        return classes
    try:
        parsed = parse_classes(classes)
    except ValueError as error:
        raise ClaroError(str(error))
    return parsed or None


def model_shape(model) -> tuple[Optional[int], Optional[int], int, int]:
    """(input height, input width, input bands, output channels); None for free spatial sizes."""
    shape = tuple(model.inputs[0].shape)
    out = tuple(model.outputs[0].shape)
    if len(shape) != 4 or len(out) != 4:
        raise ClaroError("The model does not map an image to an image (its input or output is not [rows, columns, channels]); "
                         "Claro predicts with segmentation models such as a U-Net.")
    return shape[1], shape[2], int(shape[3]), int(out[3])


def _check_classes(classes: list[dict], channels: int, path: Path) -> None:
    expected = 2 if channels == 1 else channels
    if len(classes) != expected:
        raise ClaroError(f"The model at {path} has {channels} output channel{'s' if channels != 1 else ''}, so it needs "
                         f"{expected} classes, but {len(classes)} were given; list {expected} classes in --classes.")


def _check_bands(bands: list[int], input_bands: int, path: Path) -> None:
    if len(bands) != input_bands:
        raise ClaroError(f"The model at {path} reads {input_bands} band{'s' if input_bands != 1 else ''} but --bands lists "
                         f"{len(bands)}; give {input_bands} band numbers.")
    if any(int(b) < 1 for b in bands):
        raise ClaroError("Band numbers in --bands start at 1; correct the list.")


def plain_card(bands: list[int], classes: list[dict], channels: int) -> dict:
    """A card for a Keras model made elsewhere: raw band values in, no normalisation known."""
    return {
        "format": model_card.CARD_FORMAT,
        "bands": [f"b{b}" for b in bands],
        "source_bands": [int(b) for b in bands],
        "normalization": None,
        "classes": classes,
        "activation": "sigmoid" if channels == 1 else "softmax",
        "ignore_value": 255,
        "patch_size": None,
        "plain_keras": True,
    }


def _flexible(model):
    """A copy of a fixed-size model (e.g. Input(128, 128, 4)) that takes any window size, when the
    architecture allows it (fully convolutional); else the model unchanged."""
    import keras

    height, width, _, _ = model_shape(model)
    if height is None and width is None:
        return model
    try:
        config = model.get_config()
        for layer in config.get("layers", []):
            if layer.get("class_name") == "InputLayer":
                shape = layer["config"].get("batch_shape")
                layer["config"]["batch_shape"] = [None, None, None, shape[-1]]
        rebuilt = keras.Model.from_config(config)
        rebuilt.set_weights(model.get_weights())
        return rebuilt
    except Exception:  # noqa: BLE001 - not fully convolutional: keep the fixed window
        return model


def load_model(path: str | os.PathLike, bands: Optional[list[int]] = None, classes: Classes = None,
               precision: str = "float32", log: Optional[Callable[[str], None]] = None):
    """(keras.Model, card) for prediction; ClaroError with one sentence for anything unusable.

    `bands` (1-based image band numbers) and `classes` override the card's, and are required
    for a plain Keras model without a card. `precision` 'bf16' rebuilds the model for bfloat16
    (backend/precision.py), saying in `log` what it did or why it kept float32.
    """
    path = Path(path)
    if not path.is_file():
        raise ClaroError(f"Model file {path} does not exist; check the path.")
    config = _read_config(path)
    problem = custom_code(config)
    if problem:
        raise ClaroError(f"The model at {path} contains {problem}, which is code Claro refuses to run from a file; "
                         "rebuild the model from standard Keras layers.")
    card = model_card.read_card(path)
    classes = _parse_classes(classes)
    import keras  # heavy: only after the cheap checks

    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - any failure means the file cannot be used
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        raise ClaroError(f"The model at {path} could not be loaded by Keras ({reason}); check it is a Keras 3 .keras file.")
    _, _, input_bands, channels = model_shape(model)
    if card is None:
        if not bands or not classes:
            raise ClaroError(f"{path} is a plain Keras model without a Claro card; give --bands (the image bands it reads, "
                             "e.g. 1,2,3,4) and --classes (e.g. '0:forest:#1a9641,1:cleared:#d7191c').")
        _check_bands(bands, input_bands, path)
        _check_classes(classes, channels, path)
        card = plain_card(bands, classes, channels)
    else:
        card = dict(card)
        if bands:
            _check_bands(bands, input_bands, path)
            card["source_bands"] = [int(b) for b in bands]
        if classes:
            _check_classes(classes, channels, path)
            card["classes"] = classes
        _check_classes(card.get("classes") or [], channels, path)
        card.setdefault("activation", "sigmoid" if channels == 1 else "softmax")
        if not card.get("source_bands"):
            card["source_bands"] = list(range(1, input_bands + 1))
    return model_precision.for_prediction(_flexible(model), precision, log), card
