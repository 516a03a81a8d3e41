"""`claro train`: patch dataset → a self-describing U-Net model file.

What a user gets, and why it is built this way:
- MODEL.keras is rewritten (atomically: temporary name, then os.replace) at every epoch that
  improves the validation loss, with its card, and without optimizer state: the file is always
  a complete, shareable model, even after a crash or Ctrl-C.
- MODEL.keras.resume/ holds the latest epoch's weights *with* the optimizer state and the
  history, so `--resume` continues where training stopped; it is removed after a full run.
  It records its dataset's fingerprint, learning rate and class weights: --resume refuses
  another dataset or changed settings instead of mixing two trainings under one card.
- MODEL.history.json (per-epoch loss and per-class validation scores), MODEL.curves.png,
  MODEL.confusion.png (test split) beside the model.
- Normalisation is the model's first layer, so batches are read raw (normalise=False).
- Any patch size trains: patches are padded to the next multiple of the U-Net's 2**depth
  (image by reflection, labels ignored: `pad_batch`); the card keeps the real patch size.
- Early stopping on validation loss with `--patience`; the best weights are what is kept.
- `--tensorboard DIR`: the same per-epoch numbers as TensorBoard event files (DIR/train, DIR/validation).
- Each split's scores are recorded and printed beside what it holds (patches, pixels per class),
  so a small or unrepresentative split is not mistaken for a broken model.
- Cancel / Ctrl-C keeps what finished epochs made: the best model so far (a complete model) and
  the resume state, and says so; before the first epoch ends nothing is written. The end of an
  epoch (model, resume state, history) is written whole: an interrupt arriving meanwhile waits
  for it (interrupts.deferred), so what is kept never depends on where the signal fell.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from . import card as model_card
from . import cluster
from . import interrupts
from . import metrics as M
from .atomic import atomic_file, atomic_folder, check_can_write, job
from .errors import ClaroError
from .params import DEFAULT_BETA, TrainParams, check_bounds
from .precision import global_policy
from .progress import Progress
from .version import __version__

#: Share of the progress bar spent training; the rest is the test evaluation and the plots.
TRAIN_SHARE = 0.95
ARCHITECTURE_FIELDS = ("depth", "base_filters", "dropout")


# ---------------------------------------------------------------------------- file names

def resume_folder(out: Path) -> Path:
    return out.with_name(out.name + ".resume")


def sidecar(out: Path, suffix: str) -> Path:
    """MODEL.keras → MODEL.<suffix>, e.g. MODEL.history.json."""
    return out.with_name(f"{out.stem}.{suffix}")


# ---------------------------------------------------------------------------- checks before any work

def check_output(params: TrainParams) -> Path:
    """Refuse an unusable output before any work; with --overwrite forget an old checkpoint."""
    out = Path(params.out)
    if out.suffix.lower() != ".keras":
        raise ClaroError(f"The model file {out} must end in .keras; for example --out model.keras.")
    resume = resume_folder(out)
    if params.resume:
        if not (resume / "state.json").is_file():
            raise ClaroError(f"There is no interrupted training to resume at {out} (no {resume.name} folder); train without --resume.")
        if not out.is_file():
            raise ClaroError(f"The checkpoint beside {out} has lost its model file; start over with --overwrite.")
    elif resume.exists() and not params.overwrite:
        raise ClaroError(f"An interrupted training left a checkpoint beside {out}; continue it with --resume or start over with --overwrite.")
    # Resuming replaces the interrupted run's own files; all are checked (and locked, so two
    # trainings never share a checkpoint) before any work.
    replace = params.overwrite or params.resume
    check_can_write(out, replace, kind="keras", inputs=[params.data])
    for suffix, kind in (("history.json", "history"), ("curves.png", "png"), ("confusion.png", "png")):
        check_can_write(sidecar(out, suffix), replace, kind=kind, inputs=[params.data])
    check_can_write(resume, replace, folder=True, kind="checkpoint")
    return out


TENSORBOARD_SPLITS = ("train", "validation")


def check_tensorboard(params: TrainParams) -> None:
    """A TensorBoard folder must not mix two trainings' curves: refuse one that holds event files
    unless resuming (the curves continue) or --overwrite (only those event files are removed)."""
    if not params.tensorboard:
        return
    root = Path(params.tensorboard)
    if root.exists() and not root.is_dir():
        raise ClaroError(f"The TensorBoard folder {root} is a file; give a folder for --tensorboard.")
    old = [f for split in TENSORBOARD_SPLITS for f in (root / split).glob("events.out.tfevents.*")]
    if not old or params.resume:
        return
    if not params.overwrite:
        raise ClaroError(f"The TensorBoard folder {root} already holds a training's logs; choose another folder "
                         "(one per run, to compare them) or use --overwrite to replace them.")
    for f in old:
        f.unlink()


def describe_if_needed(params: TrainParams, out: Path, progress: Progress) -> TrainParams:
    """`claro train --data FOLDER` on a folder of TFRecords without dataset.json (an Earth Engine
    export): `claro describe` it first, and train from the folder holding the dataset.json it
    writes: beside the shards, or `<model folder>/<model stem>_dataset` when the shards' folder
    is read-only (reused by later runs, so --resume finds the same dataset; --overwrite
    describes again). `--label` names the label feature when it is not class/label/landcover."""
    folder = Path(params.data)
    if not str(params.data) or not folder.is_dir() or (folder / "dataset.json").is_file():
        return params
    from .describe import describe
    from .params import DescribeParams
    from .shards import find_shards

    if not find_shards(folder):
        return params  # not a folder of shards: read_dataset_summary says what is missing
    target = None
    if not os.access(folder, os.W_OK):
        target = out.parent / f"{out.stem}_dataset"
        if (target / "dataset.json").is_file() and not params.overwrite:
            progress.log(f"{folder} has no dataset.json: training from its description made earlier, {target}.")
            return dataclasses.replace(params, data=str(target))
    progress.log(f"{folder} has no dataset.json: describing its TFRecords first (claro describe)")
    # describe makes a new --out folder and removes it again if it fails: nothing half-made beside the model
    made = describe(DescribeParams(folder=str(folder), label=params.label, out=None if target is None else str(target),
                                   overwrite=params.overwrite), progress)
    return dataclasses.replace(params, data=str(made))


def read_dataset_summary(folder: str) -> dict:
    path = Path(folder)
    if not str(folder) or not path.is_dir():
        raise ClaroError(f"The patch dataset folder {folder} does not exist; make one with 'claro patches' first.")
    if not (path / "dataset.json").is_file():
        raise ClaroError(f"{folder} has no dataset.json, so it is not a patch dataset; make one with 'claro patches'.")
    from . import dataset

    return dataset.read_summary(path)


def split_count(summary: dict, split: str) -> int:
    return int((summary.get("counts") or {}).get(split) or 0)


def train_pixels(summary: dict, classes: list[dict]) -> Optional[list[float]]:
    """Labelled pixels per class index in the training split, from dataset.json's class_pixels
    (a list in class order, or a mapping keyed by class value or name)."""
    pixels = split_pixels(summary, classes, "train")
    return None if pixels is None else [float(p) for p in pixels]


def split_pixels(summary: dict, classes: list[dict], split: str) -> Optional[list[int]]:
    """Labelled pixels per class index in a split (dataset.json's class_pixels), None when not listed."""
    pixels = (summary.get("class_pixels") or {}).get(split)
    if pixels is None:
        return None
    if isinstance(pixels, (list, tuple)):
        return [int(p) for p in pixels] if len(pixels) == len(classes) else None
    counts = []
    for c in classes:
        counts.append(next((int(pixels[k]) for k in (str(c["value"]), c.get("name")) if k in pixels), 0))
    return counts


def split_contents(summary: dict, classes: list[dict], split: str, scores: Optional[dict] = None) -> dict:
    """What a split holds, to read beside its scores: {'patches': n, 'class_pixels': {name: pixels}}.
    From dataset.json; the pixels come from the confusion matrix's rows when it does not list them."""
    names = [c["name"] for c in classes]
    pixels = split_pixels(summary, classes, split)
    if pixels is None and scores is not None:
        pixels = [int(sum(row)) for row in scores["confusion_matrix"]]
    return {"patches": split_count(summary, split),
            "class_pixels": None if pixels is None else dict(zip(names, pixels))}


def pixel_count_text(count: int) -> str:
    """1234 → '1.2 k', 210000 → '210 k', 1234567 → '1.2 M': a size to compare, not to add up."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f} k" if count < 10_000 else f"{count / 1000:.0f} k"
    return f"{count / 1e6:.1f} M"


def split_line(split: str, contents: dict, scores: dict) -> str:
    """'test (18 patches; forest 210 k px, cleared 40 k px): mean IoU 0.038, pixel accuracy 0.912;
    cleared IoU 0.038, F1 0.070, F2 0.050'. A class with no pixel in the split has no score: n/a."""
    pixels = contents.get("class_pixels")
    held = f"{contents['patches']} patches"
    if pixels:
        held += "; " + ", ".join(f"{name} {pixel_count_text(n)} px" for name, n in pixels.items())
    absent = {name for name, n in (pixels or {}).items() if n == 0}
    targets = scores.get("mean_iou_classes") or []
    mean_iou = None if targets and set(targets) <= absent else scores.get("mean_iou")
    f_name = M.fbeta_name(scores.get("beta", DEFAULT_BETA))
    per_class = []
    for name in targets:
        values = scores["per_class"].get(name, {})
        shown = {key: (None if name in absent else values.get(key)) for key in ("iou", "f1", "fbeta")}
        per_class.append(f"{name} IoU {M.score_text(shown['iou'])}, F1 {M.score_text(shown['f1'])}, "
                         f"{f_name} {M.score_text(shown['fbeta'])}")
    return (f"{split} ({held}): mean IoU {M.score_text(mean_iou)}, pixel accuracy "
            f"{M.score_text(scores.get('overall_accuracy'))}" + ("; " + "; ".join(per_class) if per_class else ""))


def band_statistics(summary: dict) -> tuple[list[float], list[float]]:
    """(mean, std) per band from dataset.json statistics ({'mean': [...]} or [{'mean': …}, …])."""
    stats = summary.get("statistics")
    if not stats:
        raise ClaroError("dataset.json has no band statistics, so the model cannot normalise its input; make the dataset again with 'claro patches'.")
    if isinstance(stats, dict):
        return [float(v) for v in stats["mean"]], [float(v) for v in stats["std"]]
    return [float(s["mean"]) for s in stats], [float(s["std"]) for s in stats]


def architecture(params: TrainParams, state: Optional[dict]) -> dict:
    """The network's shape: from the checkpoint when resuming (it must match its weights)."""
    if state is not None:
        return dict(state["architecture"])
    return {name: getattr(params, name) for name in ARCHITECTURE_FIELDS}


def padded_size(patch_size: int, multiple: int) -> int:
    """The side a k × k patch is padded to for a U-Net whose down-sampling factor (2**depth) is
    `multiple`: the next multiple of it (k itself when it already is one)."""
    return -(-int(patch_size) // multiple) * multiple


def reflected_indices(size: int, before: int, after: int) -> np.ndarray:
    """Indices into [0, size) of a side padded by reflection (numpy's mode "reflect": the edge is
    not repeated), repeated as often as needed when a pad is longer than the side itself."""
    index = np.arange(-before, size + after)
    if size == 1:
        return np.zeros_like(index)
    period = 2 * (size - 1)
    index = np.mod(index, period)
    return np.where(index >= size, period - index, index)


def pad_batch(x, y, multiple: int):
    """Pads each patch of a batch (x [B, k, k, C], y [B, k, k]) to the next multiple of
    `multiple` (2**depth), centred, so any patch size passes through the U-Net's halvings.

    Labels are padded with -1 (ignored): padding never counts in the loss or the metrics. The
    image is padded by reflection rather than with the band means: `claro predict` pads a
    raster's edges by reflection too, so the model learns edges as it will see them; and
    reflected pixels keep the image's own statistics, where a constant fill (a 20-pixel patch
    padded to 32 is 61 % padding) would skew the batch-norm statistics that prediction on real
    windows then uses."""
    import tensorflow as tf

    k = int(x.shape[1])
    size = padded_size(k, multiple)
    if size == k:
        return x, y
    before = (size - k) // 2
    after = size - k - before
    index = tf.constant(reflected_indices(k, before, after), tf.int32)
    x = tf.gather(tf.gather(x, index, axis=1), index, axis=2)
    y = tf.pad(y, [[0, 0], [before, after], [before, after]], constant_values=-1)
    return x, y


# ---------------------------------------------------------------------------- device

def choose_device(devices: Optional[Sequence[str]] = None):
    """(distribution strategy, description for the log, mixed precision on?).

    GPUs: all visible ones, mixed precision, MirroredStrategy when more than one. `devices`
    names logical devices explicitly (tests split the CPU in two to exercise MirroredStrategy).
    """
    import tensorflow as tf

    if devices:
        devices = list(devices)
        strategy = tf.distribute.MirroredStrategy(devices) if len(devices) > 1 else tf.distribute.OneDeviceStrategy(devices[0])
        kind = "GPU" if "GPU" in devices[0].upper() else "CPU"
        description = f"{kind}: {len(devices)} × ({', '.join(devices)})" + (", mirrored" if len(devices) > 1 else "")
        return strategy, description, kind == "GPU"
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return tf.distribute.get_strategy(), f"CPU only ({os.cpu_count()} cores)", False
    for gpu in gpus:
        with contextlib.suppress(RuntimeError, ValueError):  # already initialised: keep TF's setting
            tf.config.experimental.set_memory_growth(gpu, True)
    names = []
    for gpu in gpus:
        try:
            names.append(tf.config.experimental.get_device_details(gpu).get("device_name") or gpu.name)
        except Exception:  # details are informational only
            names.append(gpu.name)
    strategy = tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    description = f"GPU: {len(gpus)} × {names[0]}, mixed precision" + (", mirrored" if len(gpus) > 1 else "")
    return strategy, description, True


# ---------------------------------------------------------------------------- data

#: Radiometric augmentation: per image and band, a gain within 1 ± this and an offset within ± this
#: many band standard deviations. Scenes differ in brightness (haze, sun angle, season, sensor);
#: without it a model learns the training scenes' brightness, and a darker or hazier scene flips
#: whole areas to the wrong class. On the Amazon tiles of bench/bench_accuracy.py (one run each,
#: so a hint more than a proof): held-out IoU of the cleared class 0.90 with it, 0.87 without;
#: 0.2 instead of 0.1 did worse on validation.
RADIOMETRIC_JITTER = 0.1


def augment_batch(x, y, seed, std: Optional[Sequence[float]] = None):
    """The same random member of the 8 flips/90° rotations on each image and its labels; with
    the bands' `std`, also a random gain and offset per image and band (RADIOMETRIC_JITTER).

    Transpose × vertical flip × horizontal flip spans all 8 symmetries of a square; done per
    image with tf.where so whole batches stay vectorised. Raw values are jittered: the model
    normalises them itself."""
    import tensorflow as tf

    n = tf.shape(x)[0]
    choose = tf.random.stateless_uniform([3, n], seed=seed) < 0.5
    y = y[..., None]
    for i, flip in enumerate((lambda t: tf.transpose(t, [0, 2, 1, 3]), lambda t: tf.reverse(t, [1]),
                              lambda t: tf.reverse(t, [2]))):
        pick = choose[i][:, None, None, None]
        x, y = tf.where(pick, flip(x), x), tf.where(pick, flip(y), y)
    if std is not None:
        shape = [n, 1, 1, len(std)]
        jitter = RADIOMETRIC_JITTER
        seed = tf.cast(seed, tf.int64)
        gain = tf.random.stateless_uniform(shape, seed=seed + [0, 1], minval=1 - jitter, maxval=1 + jitter)
        offset = tf.random.stateless_uniform(shape, seed=seed + [0, 2], minval=-jitter, maxval=jitter)
        x = x * gain + offset * tf.constant(std, tf.float32)
    return x, y[..., 0]


def training_batches(folder: str, batch_size: int, augment: bool, seed: int, used: Optional[dict] = None,
                     multiple: int = 1, shard: Optional[tuple[int, int]] = None):
    """Endless shuffled training batches (an epoch is `steps_per_epoch` of them), raw values (the
    model normalises), padded to a multiple of `multiple` (`pad_batch`), then augmented unless
    asked not to. `used` receives the reader's shuffle buffer; `shard` (worker, workers) keeps one
    worker's shards (cluster.py)."""
    import tensorflow as tf

    from . import records
    from .dataset import read_summary

    data = records.read_split(folder, "train", batch_size, shuffle=True, repeat=True, normalise=False, seed=seed,
                              used=used, shard=shard)
    summary = read_summary(folder)
    if padded_size(summary["patch_size"], multiple) != int(summary["patch_size"]):
        data = data.map(lambda x, y: pad_batch(x, y, multiple), num_parallel_calls=tf.data.AUTOTUNE)
    if augment:
        _, std = band_statistics(summary)
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        data = tf.data.Dataset.zip((data, seeds)).map(lambda xy, s: augment_batch(xy[0], xy[1], s, std),
                                                      num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def evaluation_batches(folder: str, split: str, batch_size: int, patches: int, multiple: int = 1):
    """One pass over a split, raw values, padded like the training batches (`pad_batch`). Its
    length (from dataset.json) is declared so Keras knows where an epoch of validation ends."""
    import tensorflow as tf

    from . import records
    from .dataset import read_summary

    data = records.read_split(folder, split, batch_size, normalise=False)
    k = int(read_summary(folder)["patch_size"])
    if padded_size(k, multiple) != k:
        data = data.map(lambda x, y: pad_batch(x, y, multiple), num_parallel_calls=tf.data.AUTOTUNE)
    data = data.apply(tf.data.experimental.assert_cardinality(math.ceil(patches / batch_size)))
    # On several workers (cluster.py) each evaluates its share of every batch, never a shard of
    # files: each patch once, whatever the number of shards, and the summed confusion matrices
    # are a one-worker evaluation's.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return data.with_options(options).prefetch(tf.data.AUTOTUNE)


# ---------------------------------------------------------------------------- saving

def _finite(value: Any) -> Any:
    """NaN → None so history.json is strict JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, data: Any) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(_finite(data), indent=2), encoding="utf-8")


def save_model_file(export_model, weights, card: dict, out: Path) -> None:
    """The shareable model: weights only (no optimizer state) + card, replacing `out` atomically."""
    export_model.set_weights(weights)
    with atomic_file(out) as tmp:
        export_model.save(tmp)
        model_card.write_card(tmp, card)


def save_resume_state(model, state: dict, out: Path) -> None:
    """Weights + optimizer state + training state, all or nothing."""
    with atomic_folder(resume_folder(out)) as tmp:
        model.save_weights(tmp / "state.weights.h5")
        (tmp / "state.json").write_text(json.dumps(_finite(state), indent=2), encoding="utf-8")


def load_resume_state(out: Path) -> dict:
    try:
        return json.loads((resume_folder(out) / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ClaroError(f"The checkpoint beside {out} cannot be read ({error}); start over with --overwrite.")


#: What makes two datasets the same for --resume: what the network's input and output mean.
FINGERPRINT_FIELDS = ("statistics", "classes", "bands", "source_bands", "patch_size", "ignore_value")


def dataset_fingerprint(summary: dict) -> str:
    """A hash of dataset.json's statistics, classes, bands and patch size: a checkpoint resumed
    on another dataset (re-cut, other labels or images) would silently mix two trainings."""
    import hashlib

    chosen = {key: summary.get(key) for key in FINGERPRINT_FIELDS}
    return hashlib.sha256(json.dumps(chosen, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def check_resume(state: dict, params: TrainParams, summary: dict, weights: list[float], out: Path,
                 progress: Progress) -> None:
    """--resume continues the same training: refuse another dataset, learning rate or class weights.

    Why refuse rather than switch: the model card records one set of parameters for the whole
    run, and a checkpoint's Adam moments and learning-rate halvings belong to its own settings;
    a changed setting is a new training (--overwrite)."""
    again = "resume with the same settings or start over with --overwrite"
    recorded = state.get("dataset_fingerprint")
    if recorded is None:
        progress.log("The checkpoint does not record its dataset (an older Claro made it); "
                     "it is resumed on the dataset given, unchecked.")
    elif recorded != dataset_fingerprint(summary):
        raise ClaroError(f"The checkpoint beside {out} was made from another dataset (its statistics, classes, bands "
                         f"or patch size differ from {params.data}); resume with the dataset it was trained on, "
                         "or start over with --overwrite.")
    initial = state.get("initial_learning_rate")
    if initial is not None and not math.isclose(float(initial), params.learning_rate, rel_tol=1e-9):
        raise ClaroError(f"The checkpoint beside {out} was trained with --learning-rate {initial:g} (now at "
                         f"{float(state.get('learning_rate', initial)):.3g}), not {params.learning_rate:g}; {again}.")
    old = state.get("class_weights")
    if old is not None and (len(old) != len(weights) or not np.allclose(old, weights, rtol=1e-6)):
        shown = ", ".join(f"{w:.3g}" for w in old)
        raise ClaroError(f"The checkpoint beside {out} was trained with class weights {shown}, and --class-weights "
                         f"{params.class_weights} gives other weights; {again}.")


# ---------------------------------------------------------------------------- the epoch callback

def scalar_metadata() -> bytes:
    """What TensorBoard's own tf.summary.scalar writes beside a float32 scalar (its "scalars"
    plugin). Scalars are written with TensorFlow's core tf.summary.write and this, so the
    tensorboard package is needed only to look at the logs (tf.summary.scalar lives in it)."""
    from tensorflow.core.framework import summary_pb2

    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "scalars"
    metadata.data_class = summary_pb2.DATA_CLASS_SCALAR
    return metadata.SerializeToString()

class Trainer:
    """Everything one training run knows; `callback()` makes the Keras callback that checkpoints,
    stops early, records history and reports progress after each epoch."""

    def __init__(self, params: TrainParams, progress: Progress, summary: dict, out: Path, arch: dict,
                 weights: list[float], device: str, state: Optional[dict]):
        self.params, self.progress, self.summary, self.out, self.arch = params, progress, summary, out, arch
        self.weights, self.device = weights, device
        self.classes = summary["classes"]
        self.names = [c["name"] for c in self.classes]
        state = state or {}
        self.history: dict[str, list] = state.get("history", {})
        self.epochs_run: int = state.get("epochs_run", 0)
        best = state.get("best_value")  # JSON has no infinity: None until an epoch improved
        self.best_value: float = math.inf if best is None else float(best)
        self.best_epoch: int = state.get("best_epoch", 0)
        self.best_scores: Optional[dict] = state.get("best_scores")
        self.wait: int = state.get("wait", 0)
        self.learning_rate: float = state.get("learning_rate", params.learning_rate)
        self.initial_learning_rate: float = state.get("initial_learning_rate", params.learning_rate)
        self.fingerprint = dataset_fingerprint(summary)
        self.resumed: list[int] = list(state.get("resumed", [])) + ([self.epochs_run] if state else [])
        self.seconds_before: float = state.get("seconds", 0.0)
        self.started = time.monotonic()
        self.best_weights = None
        self.monitor = "val_loss" if split_count(summary, "validation") else "loss"
        self.writers: Optional[dict] = None
        self.reader: dict = {}  # what the training reader used (its shuffle buffer), for the card
        self.distribution: dict = {}  # strategy, workers, replicas (cluster.distribution), for the card

    def seconds(self) -> float:
        return self.seconds_before + time.monotonic() - self.started

    def write_tensorboard(self, record: dict) -> None:
        """One epoch's numbers as TensorBoard scalars, step = epoch (1-based): TENSORBOARD/train holds
        the training loss, mean IoU and learning rate; TENSORBOARD/validation the validation loss,
        mean IoU, accuracy and per class iou/NAME, f1/NAME, f2/NAME (F-beta), precision/NAME, recall/NAME.
        Same tag in both folders, so TensorBoard draws training and validation on one chart."""
        if not self.params.tensorboard:
            return
        import tensorflow as tf

        if self.writers is None:
            root = Path(self.params.tensorboard)
            self.writers = {split: tf.summary.create_file_writer(str(root / split)) for split in ("train", "validation")}
        f_tag = M.fbeta_name(self.params.beta).lower()
        metadata = scalar_metadata()
        scalars: dict[str, dict[str, Any]] = {"train": {}, "validation": {}}
        for key, value in record.items():
            split, key = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            for metric in ("iou", "f1", "fbeta", "precision", "recall"):
                for name in self.names:
                    if key == f"{metric}_{name}":
                        key = f"{f_tag if metric == 'fbeta' else metric}/{name}"
            scalars[split][key] = value
        for split, values in scalars.items():
            with self.writers[split].as_default():
                for tag, value in values.items():
                    if isinstance(value, (int, float)) and math.isfinite(value):
                        tf.summary.write(tag, tf.constant(value, tf.float32), step=self.epochs_run,
                                         metadata=metadata)
            self.writers[split].flush()

    def close_tensorboard(self) -> None:
        for writer in (self.writers or {}).values():
            writer.close()
        self.writers = None

    def constants(self) -> dict:
        """Fixed numbers no parameter sets that change what a model learns (card.CONSTANTS)."""
        from .model import BN_MOMENTUM

        return {
            "radiometric_jitter": RADIOMETRIC_JITTER if self.params.augment else 0.0,
            "batch_norm_momentum": BN_MOMENTUM,
            "shuffle_buffer": self.reader.get("shuffle_buffer"),
            "split_block_size": (self.summary.get("split") or {}).get("block_size"),
        }

    def card(self, metrics: dict, finished: bool) -> dict:
        from .model import activation_of
        import keras
        import tensorflow as tf

        mean, std = band_statistics(self.summary)
        parameters = {k: v for k, v in dataclasses.asdict(self.params).items()
                      if k not in ("progress", "overwrite", "resume", "workers", "worker_index")}
        parameters.update(self.arch)
        return {
            "bands": list(self.summary.get("bands") or [f"b{i + 1}" for i in range(len(mean))]),
            "source_bands": self.summary.get("source_bands"),
            # How many bands the training images had: prediction refuses an image of another kind.
            "image_band_count": (self.summary.get("sources") or [{}])[0].get("bands"),
            "normalization": {"mean": mean, "std": std},
            "classes": self.classes,
            "activation": activation_of(len(self.classes)),
            "ignore_value": self.summary.get("ignore_value"),
            "patch_size": self.summary.get("patch_size"),
            # The training rasters' grids: what `claro export` turns into Deepness's resolution.
            "sources": [{key: source.get(key) for key in ("crs", "wkt", "geotransform", "size")}
                        for source in self.summary.get("sources") or []],
            "training": {
                "parameters": parameters,
                "class_weights": self.weights,
                # the rate in use at the last epoch (halved after epochs without progress; a
                # resumed run goes on at its checkpoint's rate)
                "learning_rate_at_end": self.learning_rate,
                "resumed_after_epochs": self.resumed,
                "dataset": str(Path(self.params.data).resolve()),
                "dataset_fingerprint": self.fingerprint,
                "patches": self.summary.get("counts"),
                "epochs_run": self.epochs_run,
                "best_epoch": self.best_epoch,
                "monitor": self.monitor,
                "seconds": round(self.seconds(), 1),
                "device": self.device,
                "distribution": self.distribution,
                "finished": finished,
                "constants": self.constants(),
            },
            "metrics": metrics,
            "software": {"claro": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
                         "python": platform.python_version()},
        }

    def state(self) -> dict:
        return {"architecture": self.arch, "history": self.history, "epochs_run": self.epochs_run,
                "best_value": self.best_value, "best_epoch": self.best_epoch, "best_scores": self.best_scores,
                "wait": self.wait, "seconds": self.seconds(), "class_weights": self.weights,
                "learning_rate": self.learning_rate, "initial_learning_rate": self.initial_learning_rate,
                "dataset_fingerprint": self.fingerprint, "resumed": self.resumed}

    def callback(self, model, export_model, metric, steps_per_epoch: int):
        import keras

        trainer = self

        class EpochEnd(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.validation_matrix = None
                self.fitting = False

            def on_train_begin(self, logs=None):
                self.fitting = True

            def on_train_end(self, logs=None):
                self.fitting = False

            def on_train_batch_end(self, batch, logs=None):
                epochs = trainer.params.epochs
                done = (trainer.epochs_run + min(1.0, (batch + 1) / steps_per_epoch)) / max(epochs, 1)
                trainer.progress.update(TRAIN_SHARE * done, f"epoch {trainer.epochs_run + 1}/{epochs}")

            def on_test_end(self, logs=None):
                # Keras runs the validation pass just before on_epoch_end: the metric holds its counts.
                if self.fitting:
                    self.validation_matrix = metric.matrix()

            def on_epoch_end(self, epoch, logs=None):
                with interrupts.deferred():  # the epoch's files are written whole, or not at all
                    trainer.end_epoch(epoch, dict(logs or {}), self.validation_matrix, model, export_model)
                self.validation_matrix = None
                if trainer.wait >= trainer.params.patience:
                    trainer.progress.log(f"No better {trainer.monitor} for {trainer.params.patience} epochs: stopping; "
                                         f"keeping epoch {trainer.best_epoch}.")
                    model.stop_training = True

        return EpochEnd()

    def end_epoch(self, epoch: int, logs: dict, matrix, model, export_model) -> None:
        self.epochs_run = epoch + 1
        record = {k: float(v) for k, v in logs.items() if not k.startswith("val_mean_iou")}
        scores = None
        if matrix is not None:
            scores = M.scores(matrix, self.names, self.params.beta)
            record["val_mean_iou"] = scores["mean_iou"]
            record["val_overall_accuracy"] = scores["overall_accuracy"]
            for name, values in scores["per_class"].items():
                for key in ("iou", "f1", "fbeta", "precision", "recall"):
                    record[f"val_{key}_{name}"] = values[key]
        record["learning_rate"] = self.learning_rate
        for key, value in record.items():
            self.history.setdefault(key, [None] * epoch).append(value)
        value = record.get(self.monitor, math.inf)
        improved = value < self.best_value
        if improved:
            self.best_value, self.best_epoch, self.best_scores, self.wait = value, self.epochs_run, scores, 0
            self.best_weights = model.get_weights()
            save_model_file(export_model, self.best_weights, self.card({"validation": scores} if scores else {}, False), self.out)
        else:
            self.wait += 1
            every = self.params.reduce_lr_after
            if every and self.wait % every == 0 and self.wait < self.params.patience:
                self.learning_rate /= 2
                model.optimizer.learning_rate = self.learning_rate
                self.progress.log(f"No better {self.monitor} for {self.wait} epochs: learning rate halved to {self.learning_rate:.3g}.")
        self.write_tensorboard(record)
        save_resume_state(model, self.state(), self.out)
        write_json(sidecar(self.out, "history.json"), self.history)
        if self.progress.mode == "json":
            self.progress.event("epoch", epoch=self.epochs_run, epochs=self.params.epochs,
                                metrics={k: (round(v, 5) if isinstance(v, float) and math.isfinite(v) else v)
                                         for k, v in record.items()},
                                best_epoch=self.best_epoch, improved=improved)
        else:  # a person reads one short line per epoch; the details are in the history file
            self.progress.log(epoch_line(self.epochs_run, self.params.epochs, record, self.names, improved))


def epoch_line(epoch: int, epochs: int, record: dict, names: list[str], improved: bool) -> str:
    """'epoch 3/50: loss 0.221, val loss 0.395, val IoU cleared 0.340 (best so far)'."""
    parts = [f"loss {record['loss']:.3f}"]
    if "val_loss" in record:
        parts.append(f"val loss {record['val_loss']:.3f}")
    shown = names[1:] if len(names) == 2 else names
    ious = [f"{name} {record[f'val_iou_{name}']:.3f}" for name in shown if f"val_iou_{name}" in record]
    if ious:
        parts.append("val IoU " + ", ".join(ious))
    return f"epoch {epoch}/{epochs}: " + ", ".join(parts) + (" (best so far, saved)" if improved else "")


# ---------------------------------------------------------------------------- the job

@job
@cluster.across_workers(check_output, lambda out: [out, resume_folder(out)])
def run(params: TrainParams, progress: Progress, *, devices: Optional[Sequence[str]] = None,
        team: Optional[cluster.Joined] = None) -> None:
    """Train; `devices` (tests, benchmarks) names the logical devices to mirror over; `team` is
    this worker of a cluster (cluster.across_workers, from TF_CONFIG or --workers)."""
    from . import losses

    out = check_output(params)
    params = describe_if_needed(params, out, progress)
    summary = read_dataset_summary(params.data)
    classes = summary.get("classes") or []
    if len(classes) < 2:
        raise ClaroError(f"The dataset in {params.data} has {len(classes)} class; training needs at least two.")
    if split_count(summary, "train") == 0:
        raise ClaroError(f"The dataset in {params.data} has no training patches; make it again with more labelled area or a smaller --min-labelled.")
    check_bounds(params)  # params.py's ranges, as the command line checks them
    check_tensorboard(params)
    state = load_resume_state(out) if params.resume else None
    arch = architecture(params, state)
    multiple = 2 ** arch["depth"]  # patches are padded to pass through the U-Net's halvings (pad_batch)
    weights = losses.class_weights(params.class_weights, len(classes), train_pixels(summary, classes))
    if state:
        check_resume(state, params, summary, weights, out, progress)
    mean, std = band_statistics(summary)
    if not params.resume:
        shutil.rmtree(resume_folder(out), ignore_errors=True)  # --overwrite: start over

    import keras
    import tensorflow as tf

    from .model import build_unet

    strategy, device, mixed = team.device if team else choose_device(devices)
    progress.log(f"Device: {device}")
    side = padded_size(summary["patch_size"], multiple)
    if side != int(summary["patch_size"]):
        progress.log(f"Patches of {summary['patch_size']} pixels are padded to {side} (reflected image, ignored labels) "
                     f"to pass through the U-Net's {arch['depth']} halvings.")
    if params.tensorboard:
        progress.log(f"TensorBoard logs in {params.tensorboard}; watch them with: tensorboard --logdir {params.tensorboard}")
    if state:
        progress.log(f"Resuming after epoch {state['epochs_run']} (best so far: epoch {state['best_epoch']}), "
                     f"depth {arch['depth']}, base filters {arch['base_filters']}.")
    keras.utils.set_random_seed(params.seed)
    n_classes = len(classes)

    with global_policy("mixed_float16" if mixed else "float32"), strategy.scope():
        model = build_unet(len(mean), n_classes, arch["depth"], arch["base_filters"], arch["dropout"], mean, std)
        metric = losses.ConfusionMatrixMetric(n_classes)
        model.compile(optimizer=keras.optimizers.Adam(params.learning_rate),
                      loss=losses.MaskedCrossEntropy(n_classes, weights), metrics=[metric])
    if team:
        team.prepare(model)
    # The shared file is float32 whatever the training precision, so it predicts on any CPU.
    with global_policy("float32"):
        export_model = build_unet(len(mean), n_classes, arch["depth"], arch["base_filters"], arch["dropout"], mean, std)

    trainer = Trainer(params, progress, summary, out, arch, weights, device, state)
    trainer.distribution = cluster.distribution(strategy, team)
    if state:
        with strategy.scope():  # the optimizer's variables are mirrored like the model's
            model.optimizer.build(model.trainable_variables)
            model.load_weights(resume_folder(out) / "state.weights.h5")
        model.optimizer.learning_rate = trainer.learning_rate
        export_model.load_weights(out)  # the best epoch so far
        trainer.best_weights = export_model.get_weights()

    steps = max(1, math.ceil(split_count(summary, "train") / params.batch_size))
    batches = functools.partial(training_batches, params.data, augment=params.augment,
                                seed=params.seed + trainer.epochs_run, used=trainer.reader, multiple=multiple)
    train_data = team.training_data(batches, params.batch_size) if team else batches(params.batch_size)
    validation = evaluation_batches(params.data, "validation", params.batch_size, split_count(summary, "validation"), multiple) if split_count(summary, "validation") else None
    if validation is None:
        progress.log("The dataset has no validation patches: early stopping watches the training loss instead.")
    try:
        # A run interrupted after its last epoch (during the test evaluation) only needs finishing.
        if trainer.epochs_run < params.epochs and trainer.wait < params.patience:
            model.fit(train_data, validation_data=validation, epochs=params.epochs, initial_epoch=trainer.epochs_run,
                      steps_per_epoch=steps, callbacks=[trainer.callback(model, export_model, metric, steps)],
                      shuffle=False, verbose=0)
        finish(trainer, model, export_model, metric, params, progress)
    except KeyboardInterrupt:
        raise interrupted(trainer) from None
    except tf.errors.ResourceExhaustedError:
        raise ClaroError(f"Out of memory with batches of {params.batch_size} patches; lower --batch-size "
                         f"(or --base-filters) and run with --resume to continue.") from None
    except tf.errors.DataLossError as error:
        raise damaged_dataset_error(params.data, error) from None


def damaged_dataset_error(folder: str, error) -> ClaroError:
    """The sentence for a DataLossError from tf.data (a truncated or corrupt shard), naming the
    shard: TensorFlow's message does not, so the shards are read again to find it."""
    from . import records

    found = records.damaged_shard(folder)
    where, reason = (f"The shard {found[0]}", found[1]) if found else (f"A shard of the dataset in {folder}",
                                                                        records.data_loss_reason(error))
    return ClaroError(f"{where} is truncated or corrupt ({reason}); rebuild the dataset with 'claro patches'.")


def interrupted(trainer: Trainer) -> interrupts.Interrupted:
    """What an interrupted training kept, read from the disk: the CLI's sentence, and for the
    plugin the kept files. The rule: finished epochs are kept (best model so far + resume state)."""
    out = trainer.out
    resume = resume_folder(out)
    if (resume / "state.json").is_file() and out.is_file():
        return interrupts.Interrupted(
            f"Interrupted after epoch {trainer.epochs_run}: kept {out}, the best model so far (epoch "
            f"{trainer.best_epoch}), and its resume state; run the same command with --resume to continue.",
            kept={"model": str(out), "resume": str(resume)}, epochs_run=trainer.epochs_run, best_epoch=trainer.best_epoch)
    if trainer.best_epoch and out.is_file():
        return interrupts.Interrupted(
            f"Interrupted after training finished: {out} is complete (best epoch {trainer.best_epoch}).",
            kept={"model": str(out)}, epochs_run=trainer.epochs_run, best_epoch=trainer.best_epoch)
    return interrupts.Interrupted("Interrupted before the first epoch ended; no model was written.")


def finish(trainer: Trainer, model, export_model, metric, params: TrainParams, progress: Progress) -> None:
    """Best weights back, test-split scores, plots, the final card; then forget the checkpoint."""
    from . import plots

    out = trainer.out
    if trainer.best_weights is not None:
        model.set_weights(trainer.best_weights)
    results: dict = {}
    if trainer.best_scores:
        results["validation"] = dict(trainer.best_scores)
    confusion_png = None
    if split_count(trainer.summary, "test"):
        progress.update(TRAIN_SHARE, "evaluating on the test patches")
        metric.reset_state()
        evaluation = model.evaluate(evaluation_batches(params.data, "test", params.batch_size, split_count(trainer.summary, "test"), 2 ** trainer.arch["depth"]), verbose=0, return_dict=True)
        results["test"] = {"loss": float(evaluation["loss"]), **M.scores(metric.matrix(), trainer.names, params.beta)}
        confusion_png = str(plots.confusion_matrix(np.asarray(results["test"]["confusion_matrix"]), trainer.names,
                                                   sidecar(out, "confusion.png"), title="Test patches"))
    else:
        progress.log("The dataset has no test patches: no test-split scores.")
    for split, scores in results.items():  # what each split holds, read beside its scores
        scores.update(split_contents(trainer.summary, trainer.classes, split, scores))
    history_path = sidecar(out, "history.json")
    write_json(history_path, trainer.history)
    curves_png = str(plots.training_curves(trainer.history, sidecar(out, "curves.png")))
    with interrupts.deferred():  # the final model and the end of its checkpoint go together
        save_model_file(export_model, trainer.best_weights or model.get_weights(), trainer.card(results, True), out)
        shutil.rmtree(resume_folder(out), ignore_errors=True)
    trainer.close_tensorboard()
    progress.update(1.0, "done")
    summary = {split: {"mean_iou": s.get("mean_iou"), "overall_accuracy": s.get("overall_accuracy"),
                       "patches": s["patches"], "class_pixels": s["class_pixels"], "beta": s.get("beta"),
                       "per_class": {name: {key: v.get(key) for key in ("iou", "f1", "fbeta")}
                                     for name, v in s["per_class"].items()}}
               for split, s in results.items()}
    for split, s in results.items():
        progress.log(split_line(split, s, s))
    progress.log(f"Model: {out}")
    progress.done(model=str(out), history=str(history_path), curves_png=curves_png, confusion_png=confusion_png,
                  metrics=summary, epochs_run=trainer.epochs_run, best_epoch=trainer.best_epoch,
                  seconds=round(trainer.seconds(), 1), device=trainer.device)

