"""The model card: what prediction needs to know about a model, kept inside the .keras file.

A `.keras` file is a zip archive (config.json, metadata.json, model.weights.h5). Claro adds
one more member, `claro_card.json`; Keras ignores members it does not know, so the file still
loads anywhere, and a user shares one file. The card holds:

  format          "claro-model-card/1"
  bands           band names in model input order, e.g. ["b1", "b2", "b3"]
  source_bands    1-based band numbers read from the image raster, same order
  image_band_count  how many bands the training images had (prediction refuses other images
                  unless --bands is given); absent for models made elsewhere
  normalization   {"mean": [...], "std": [...]} per input band; informational: the model's
                  first layer applies it, so training and prediction share one place
  classes         [{"value": 0, "name": "forest", "color": "#1a9641"}, …]; output index i ↔ classes[i]
  activation      "sigmoid" (one output channel, two classes) or "softmax"
  ignore_value    label value that was not learned from (output nodata is 255)
  patch_size      training patch size in pixels
  sources         the training rasters' grids, [{"crs", "wkt", "geotransform", "size"}], copied
                  from dataset.json (empty when it records none); `claro export` reads the pixel size
  training        parameters, epochs run, best epoch, duration, device, `distribution` (the
                  tf.distribute strategy, workers and replicas it trained on), and `constants`: the fixed
                  numbers no parameter sets that still change what the model learns (CONSTANTS),
                  so two models can be compared after a Claro update changed one
  metrics         validation/test metrics per class
  software        claro and TensorFlow versions

Pure Python: the QGIS plugin reads cards without importing Keras.
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any, Optional

from .errors import ClaroError

CARD_MEMBER = "claro_card.json"
CARD_FORMAT = "claro-model-card/1"
#: training.constants of a card (train.Trainer.constants fills them): key → label in `describe`.
#: radiometric_jitter: augmentation gain 1 ± j and offset ± j band std (0: --no-augment);
#: batch_norm_momentum: of every batch-norm layer; shuffle_buffer: patches the training reader
#: shuffles among; split_block_size: side of the spatial blocks of the split, in pixels.
CONSTANTS = {
    "radiometric_jitter": "radiometric jitter",
    "batch_norm_momentum": "batch-norm momentum",
    "shuffle_buffer": "shuffle buffer (patches)",
    "split_block_size": "split block (pixels)",
}
DEFAULT_COLORS = ["#1a9641", "#d7191c", "#fdae61", "#2b83ba", "#ffffbf", "#abdda4", "#5e3c99",
                  "#e66101", "#b2abd2", "#a6611a", "#018571", "#dfc27d"]


def default_classes(values: list[int], names: Optional[dict[int, str]] = None) -> list[dict]:
    """Classes with names and distinct colours for bare class values."""
    names = names or {}
    return [{"value": int(v), "name": names.get(int(v), f"class {v}"), "color": DEFAULT_COLORS[i % len(DEFAULT_COLORS)]}
            for i, v in enumerate(values)]


def is_keras_file(path: str | os.PathLike) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "config.json" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def read_card(path: str | os.PathLike) -> Optional[dict]:
    """The card inside a .keras file, or None for a plain Keras model."""
    if not Path(path).is_file():
        raise ClaroError(f"Model file {path} does not exist.")
    if not is_keras_file(path):
        raise ClaroError(f"{path} is not a Keras model file (.keras); choose the file 'claro train' wrote.")
    with zipfile.ZipFile(path) as archive:
        if CARD_MEMBER not in archive.namelist():
            return None
        return json.loads(archive.read(CARD_MEMBER).decode("utf-8"))


def write_card(path: str | os.PathLike, card: dict[str, Any]) -> None:
    """Put `card` into the .keras file at `path`, replacing any card already there."""
    card = {"format": CARD_FORMAT, **card}
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        if CARD_MEMBER in archive.namelist():  # zip cannot replace a member: rebuild without it
            rebuilt = path.with_name(path.name + ".card-tmp")
            with zipfile.ZipFile(rebuilt, "w") as out:
                for info in archive.infolist():
                    if info.filename != CARD_MEMBER:
                        out.writestr(info, archive.read(info))
            os.replace(rebuilt, path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(CARD_MEMBER, json.dumps(card, indent=2))


def split_scores(split: str, values: dict) -> list[str]:
    """A split's IoU as a person reads it: the headline number is the IoU of the target class (with
    two classes the second one, the thing mapped) or the mean over the classes, named as such, so
    it never reads as a wrong average of the per-class numbers beside it. A class with no pixel in
    the split has no score: "n/a" and a warning line, never 0.000."""
    from .metrics import score_text  # numpy, not Keras: fine for the plugin

    per_class = values.get("per_class") or {}
    absent = [name for name, n in (values.get("class_pixels") or {}).items() if n == 0]
    targets = values.get("mean_iou_classes") or (list(per_class)[1:] if len(per_class) == 2 else list(per_class))

    def iou(name: str) -> Optional[float]:
        return None if name in absent else (per_class.get(name) or {}).get("iou")

    headline = None if targets and set(targets) <= set(absent) else values.get("mean_iou")
    if len(targets) == 1:
        line = f"  {split}: IoU of the target class ({targets[0]}) {score_text(headline)}"
    else:
        line = f"  {split}: mean IoU of the {len(targets)} classes {score_text(headline)}"
    if per_class:
        line += "; per class: " + ", ".join(f"{name} {score_text(iou(name))}" for name in per_class)
    lines = [line]
    if absent:
        lines.append(f"    warning: the {split} patches hold no {' or '.join(absent)} pixels, so "
                     f"{'its' if len(absent) == 1 else 'their'} scores are n/a; a bigger or other split would score them.")
    return lines


def describe(card: Optional[dict], path: str = "") -> str:
    """Human-readable card for `claro info` and the dock."""
    if card is None:
        return f"{path}: a plain Keras model without a Claro card; give --bands and --classes to use it."
    lines = [f"Model {path}".rstrip()]
    lines.append(f"  bands: {', '.join(card.get('bands', []))} (image bands {card.get('source_bands')})")
    lines.append(f"  patch size: {card.get('patch_size')}   output: {card.get('activation')}   ignore value: {card.get('ignore_value')}")
    lines.append("  classes:")
    for c in card.get("classes", []):
        lines.append(f"    {c['value']:>3}  {c['name']:<20} {c.get('color') or ''}")
    training = card.get("training") or {}
    if training:
        lines.append(f"  trained: {training.get('epochs_run')} epochs (best {training.get('best_epoch')}), "
                     f"{training.get('seconds', 0):.0f} s on {training.get('device', '?')}")
    constants = training.get("constants") or {}
    if constants:
        lines.append("  constants: " + ", ".join(f"{CONSTANTS.get(k, k)} {v}" for k, v in constants.items()))
    metrics = card.get("metrics") or {}
    for split, values in metrics.items():
        if isinstance(values, dict) and "mean_iou" in values:
            lines += split_scores(split, values)
    software = card.get("software") or {}
    if software:
        lines.append("  software: " + ", ".join(f"{k} {v}" for k, v in software.items()))
    return "\n".join(lines)


def select_bands(requested: Optional[list[int]], card: dict, image_bands: int, input_bands: int, image: str) -> list[int]:
    """The image bands to feed the model (`requested`: --bands), or ClaroError when they do not
    match it. Here, from the card alone, so the dock (which never imports the jobs) says a wrong
    band count before any work, with prediction's own rule."""
    bands = list(requested or card.get("source_bands") or range(1, input_bands + 1))
    if requested is None and not card.get("source_bands") and image_bands != input_bands:
        raise ClaroError(f"The model reads {input_bands} bands but the image {image} has {image_bands}; "
                         f"choose an image with {input_bands} bands or list the bands to use with --bands.")
    trained_on = card.get("image_band_count")
    if requested is None and trained_on and image_bands != trained_on:
        raise ClaroError(f"The image {image} has {image_bands} bands but the model was trained on images with "
                         f"{trained_on} bands; choose an image like the training ones, or give --bands to say which "
                         f"{input_bands} image bands to feed it.")
    bad = [b for b in bands if b < 1 or b > image_bands]
    if bad:
        raise ClaroError(f"The model reads image band{'s' if len(bad) > 1 else ''} {', '.join(map(str, bad))} but the image "
                         f"{image} has {image_bands} band{'s' if image_bands != 1 else ''}; choose the image the model was "
                         "made for or give --bands.")
    if len(bands) != input_bands:
        raise ClaroError(f"The model reads {input_bands} bands but {len(bands)} were selected from the image {image} "
                         f"(which has {image_bands}); give {input_bands} band numbers with --bands.")
    return bands
