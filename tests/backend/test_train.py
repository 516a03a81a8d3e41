"""`claro train` (claro.backend.train) on a real patch dataset made by `claro patches`.

Tiny models (base filters 4, depth 2) and 1–2 epochs: the 2 shared cores must stay free.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

from claro.backend import card as model_card  # noqa: E402
from claro.backend import train  # noqa: E402
from claro.backend.errors import ClaroError  # noqa: E402
from claro.backend.params import PatchParams, TrainParams  # noqa: E402
from claro.backend.progress import Progress  # noqa: E402

from ..conftest import sample_tile  # noqa: E402

CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"
TINY = dict(depth=2, base_filters=4, batch_size=8, learning_rate=0.01)
ENV = {**os.environ, "LD_BIND_NOW": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """64 patches of 64² from a real Amazon tile with a third of it cleared (Amazon_1377_12,
    bundled in resources/sample, so these tests run on every clone)."""
    image, mask = sample_tile("Amazon_1377_12")
    from claro.backend import patches

    out = tmp_path_factory.mktemp("patches") / "amazon"
    patches.run(PatchParams(images=[str(image)], labels=[str(mask)], out=str(out), patch_size=64, classes=CLASSES),
                Progress("json", stream=io.StringIO()))
    return out


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "dataset.json").read_text())


def events(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def numpy_loss(model_path: Path, folder: Path, split: str, batch_size: int, replicas: int = 1) -> float:
    """The split's loss computed by hand: per batch (per replica's share of it under mirroring, then
    averaged over replicas) the class-weighted mean binary cross-entropy of the labelled pixels;
    batches weighted by their size, as Keras averages them."""
    weights = np.array(model_card.read_card(model_path)["training"]["class_weights"])
    model = keras.models.load_model(model_path, safe_mode=True, compile=False)
    count = summary_of(folder)["counts"][split]
    total = 0.0
    for x, y in train.evaluation_batches(str(folder), split, batch_size, count):
        p = model.predict(x, verbose=0)[..., 0].astype(np.float64)
        y = y.numpy()
        pixel_w = weights[np.maximum(y, 0)] * (y >= 0)
        pixel_l = -np.where(y == 1, np.log(np.clip(p, 1e-7, 1)), np.log(np.clip(1 - p, 1e-7, 1)))
        shares = np.array_split(np.arange(len(y)), replicas)
        batch = np.mean([np.sum(pixel_l[i] * pixel_w[i]) / np.sum(pixel_w[i]) for i in shares])
        total += len(y) * batch
    return total / count


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or p.name.endswith(".card-tmp"))


# ------------------------------------------------------------------ end to end

@pytest.fixture(scope="module")
def trained(dataset, tmp_path_factory):
    """One tiny 2-epoch run shared by the end-to-end tests, with TensorBoard logs in a folder of
    their own: (model path, JSON events)."""
    out = tmp_path_factory.mktemp("model") / "amazon.keras"
    logs = tmp_path_factory.mktemp("tensorboard") / "run1"
    stream = io.StringIO()
    train.run(TrainParams(data=str(dataset), out=str(out), epochs=2, progress="json", tensorboard=str(logs), **TINY),
              Progress("json", stream=stream))
    return out, events(stream)


def tensorboard_scalars(folder: Path) -> dict[str, dict[int, float]]:
    """tag → {step: value} from the event files in `folder`, read with TensorFlow alone."""
    values: dict[str, dict[int, float]] = {}
    files = sorted(folder.glob("events.out.tfevents.*"))
    assert files, f"no event file in {folder}"
    for record in tf.data.TFRecordDataset([str(f) for f in files]):
        event = tf.compat.v1.Event.FromString(record.numpy())
        for value in event.summary.value:
            number = float(tf.make_ndarray(value.tensor)) if value.HasField("tensor") else value.simple_value
            values.setdefault(value.tag, {})[event.step] = number
    return values


def test_training_writes_a_self_describing_model(dataset, trained):
    out, _ = trained
    summary = summary_of(dataset)
    card = model_card.read_card(out)
    assert card["bands"] == ["b1", "b2", "b3"] and card["source_bands"] == [1, 2, 3] and card["image_band_count"] == 3
    assert card["normalization"] == {"mean": summary["statistics"]["mean"], "std": summary["statistics"]["std"]}
    assert [c["name"] for c in card["classes"]] == ["forest", "cleared"]
    assert card["activation"] == "sigmoid" and card["ignore_value"] == 255 and card["patch_size"] == 64
    training = card["training"]
    assert training["epochs_run"] == 2 and training["best_epoch"] in (1, 2) and training["finished"] is True
    assert training["parameters"]["depth"] == 2 and training["parameters"]["base_filters"] == 4
    assert training["device"].startswith("CPU only")
    # auto class weights: inverse frequency of the training split's pixels, mean pixel weight 1
    pixels = np.array(summary["class_pixels"]["train"], float)
    np.testing.assert_allclose(training["class_weights"], pixels.sum() / (2 * pixels))
    # every labelled pixel of each split, and only those, is in its confusion matrix
    for split in ("validation", "test"):
        scores = card["metrics"][split]
        assert scores["pixels"] == sum(summary["class_pixels"][split])
        assert scores["mean_iou"] == pytest.approx(scores["per_class"]["cleared"]["iou"])
    assert set(card["software"]) >= {"claro", "tensorflow", "keras"}
    # The shared file has no optimizer state and loads in safe mode; its first layer normalises.
    import h5py

    with zipfile.ZipFile(out) as archive:
        assert "claro_card.json" in archive.namelist()
        with h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as weights:
            assert "optimizer" not in weights and "layers" in weights
    loaded = keras.models.load_model(out, safe_mode=True, compile=False)
    normalise = loaded.get_layer("normalise")
    np.testing.assert_allclose(np.asarray(normalise.mean).ravel(), summary["statistics"]["mean"], rtol=1e-6)


def test_card_records_the_constants_that_shape_the_model(dataset, trained, capsys):
    """Numbers no parameter sets but that change what a model learns, read back with `claro info --json`."""
    from claro.backend import cli, records
    from claro.backend.model import BN_MOMENTUM

    out, _ = trained
    assert cli.main(["info", str(out), "--json"]) == 0
    constants = json.loads(capsys.readouterr().out)["training"]["constants"]
    summary = summary_of(dataset)
    used: dict = {}  # what the training reader says it shuffles among, asked the same way training does
    records.read_split(dataset, "train", 8, shuffle=True, repeat=True, normalise=False, seed=42, used=used)
    assert constants == {
        "radiometric_jitter": train.RADIOMETRIC_JITTER,  # --augment is on by default
        "batch_norm_momentum": BN_MOMENTUM,
        "shuffle_buffer": used["shuffle_buffer"],
        "split_block_size": summary["split"]["block_size"],
    }
    assert used["shuffle_buffer"] == summary["counts"]["train"]  # a small split: shuffled whole
    assert constants["radiometric_jitter"] == 0.1 and constants["batch_norm_momentum"] == 0.9
    assert isinstance(constants["split_block_size"], int) and constants["split_block_size"] >= 64
    described = model_card.describe(model_card.read_card(out), str(out))
    assert f"batch-norm momentum {BN_MOMENTUM}" in described and "shuffle buffer (patches)" in described


def test_training_outputs_beside_the_model_and_nothing_else(trained):
    out, _ = trained
    folder = out.parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["amazon.keras", "amazon.history.json", "amazon.curves.png", "amazon.confusion.png"])
    history = json.loads((folder / "amazon.history.json").read_text())
    for key in ("loss", "val_loss", "mean_iou", "val_mean_iou", "val_iou_cleared", "val_f1_forest",
                "val_fbeta_cleared", "val_fbeta_forest", "val_precision_cleared", "val_recall_cleared"):
        assert len(history[key]) == 2, key
    for png in ("amazon.curves.png", "amazon.confusion.png"):
        assert (folder / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_reports_epochs_and_results(trained):
    out, stream = trained
    epochs = [e for e in stream if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2] and all(e["epochs"] == 2 for e in epochs)
    assert {"loss", "val_loss", "val_mean_iou", "val_iou_cleared"} <= set(epochs[0]["metrics"])
    fractions = [e["fraction"] for e in stream if e["event"] == "progress"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(e["event"] == "log" and e["message"].startswith("Device: CPU only") for e in stream)
    done = stream[-1]
    assert done["event"] == "done" and done["model"] == str(out)
    assert Path(done["curves_png"]).is_file() and Path(done["confusion_png"]).is_file() and Path(done["history"]).is_file()
    assert done["epochs_run"] == 2 and set(done["metrics"]) == {"validation", "test"}


def test_reported_losses_are_the_weighted_mean_over_labelled_pixels(dataset, trained):
    out, _ = trained
    card = model_card.read_card(out)
    history = json.loads(out.with_name("amazon.history.json").read_text())
    assert card["metrics"]["test"]["loss"] == pytest.approx(numpy_loss(out, dataset, "test", TINY["batch_size"]), rel=1e-5)
    best = card["training"]["best_epoch"]  # the saved weights are that epoch's: so is its validation loss
    assert history["val_loss"][best - 1] == pytest.approx(numpy_loss(out, dataset, "validation", TINY["batch_size"]), rel=1e-5)


def test_tiny_model_beats_the_all_one_class_baseline_on_cleared_iou(dataset, trained):
    """Held-out test patches: IoU(cleared) must beat both trivial maps (all forest: 0; all
    cleared: the cleared share of the labelled test pixels)."""
    out, _ = trained
    test = model_card.read_card(out)["metrics"]["test"]
    forest, cleared = summary_of(dataset)["class_pixels"]["test"]
    baseline = cleared / (forest + cleared)
    assert test["per_class"]["cleared"]["iou"] > baseline + 0.1
    assert test["overall_accuracy"] > max(forest, cleared) / (forest + cleared)


def test_tensorboard_logs_hold_each_epochs_numbers(trained):
    out, stream = trained
    logs = Path(next(e["message"] for e in stream if e["event"] == "log" and e["message"].startswith("TensorBoard"))
                .split(" in ", 1)[1].split(";", 1)[0])
    history = json.loads(out.with_name("amazon.history.json").read_text())
    train_scalars, validation = tensorboard_scalars(logs / "train"), tensorboard_scalars(logs / "validation")
    assert set(train_scalars) == {"loss", "mean_iou", "learning_rate"}
    per_class = {f"{metric}/{name}" for metric in ("iou", "f1", "f2", "precision", "recall") for name in ("forest", "cleared")}
    assert set(validation) == {"loss", "mean_iou", "overall_accuracy"} | per_class
    for tag, values in [*train_scalars.items(), *validation.items()]:
        assert sorted(values) == [1, 2], tag  # one step per epoch, numbered from 1
    assert [train_scalars["loss"][s] for s in (1, 2)] == pytest.approx(history["loss"], rel=1e-6)
    assert [validation["loss"][s] for s in (1, 2)] == pytest.approx(history["val_loss"], rel=1e-6)
    assert [validation["f2/cleared"][s] for s in (1, 2)] == pytest.approx(history["val_fbeta_cleared"], rel=1e-6)
    assert [train_scalars["learning_rate"][s] for s in (1, 2)] == pytest.approx([0.01, 0.01])


def test_tensorboard_folder_of_another_run_is_refused(dataset, trained, tmp_path):
    out, stream = trained
    logs = Path(next(e["message"] for e in stream if e["event"] == "log" and e["message"].startswith("TensorBoard"))
                .split(" in ", 1)[1].split(";", 1)[0])
    with pytest.raises(ClaroError) as error:
        train.run(_params(dataset, tmp_path / "m.keras", tensorboard=str(logs)), Progress("json", stream=io.StringIO()))
    assert str(error.value) == (f"The TensorBoard folder {logs} already holds a training's logs; choose another folder "
                                "(one per run, to compare them) or use --overwrite to replace them.")
    assert list(tmp_path.iterdir()) == []


def test_each_split_says_what_it_holds_beside_its_scores(dataset, trained):
    out, stream = trained
    summary = summary_of(dataset)
    card = model_card.read_card(out)
    done = stream[-1]
    for split in ("validation", "test"):
        forest, cleared = summary["class_pixels"][split]
        scores = card["metrics"][split]
        assert scores["patches"] == summary["counts"][split]
        assert scores["class_pixels"] == {"forest": forest, "cleared": cleared}
        assert done["metrics"][split]["patches"] == summary["counts"][split]
        assert done["metrics"][split]["class_pixels"] == {"forest": forest, "cleared": cleared}
        # F2 of the cleared class from its own confusion matrix, by hand
        (tn, fp), (fn, tp) = scores["confusion_matrix"]
        assert scores["per_class"]["cleared"]["fbeta"] == pytest.approx(5 * tp / (5 * tp + 4 * fn + fp))
        line = train.split_line(split, scores, scores)
        assert line.startswith(f"{split} ({summary['counts'][split]} patches; forest {train.pixel_count_text(forest)} px, "
                               f"cleared {train.pixel_count_text(cleared)} px): mean IoU ")
        assert ", F2 " in line
        assert any(e["event"] == "log" and e["message"] == line for e in stream)


def test_split_line_gives_n_a_to_a_class_the_split_lacks():
    scores = {"mean_iou": 0.0, "overall_accuracy": 0.95, "mean_iou_classes": ["cleared"], "beta": 2.0,
              "per_class": {"forest": {"iou": 0.95, "f1": 0.974, "fbeta": 0.99},
                            "cleared": {"iou": 0.0, "f1": 0.0, "fbeta": 0.0}}}
    contents = {"patches": 18, "class_pixels": {"forest": 210_000, "cleared": 0}}
    assert train.split_line("test", contents, scores) == \
        "test (18 patches; forest 210 k px, cleared 0 px): mean IoU n/a, pixel accuracy 0.950; cleared IoU n/a, F1 n/a, F2 n/a"
    contents["class_pixels"]["cleared"] = 40_123
    scores["per_class"]["cleared"] = {"iou": 0.038, "f1": 0.0732, "fbeta": 0.05}
    scores["mean_iou"] = 0.038
    assert train.split_line("test", contents, scores) == ("test (18 patches; forest 210 k px, cleared 40 k px): mean IoU "
                                                          "0.038, pixel accuracy 0.950; cleared IoU 0.038, F1 0.073, F2 0.050")
    assert [train.pixel_count_text(n) for n in (950, 4_210, 1_234_567)] == ["950", "4.2 k", "1.2 M"]


# ------------------------------------------------------------------ resume after Ctrl-C

def _claro(*argv: str) -> list[str]:
    return [sys.executable, "-m", "claro.backend", *argv]


def test_interrupted_training_resumes_from_its_checkpoint(dataset, tmp_path):
    out = tmp_path / "m.keras"
    argv = ["train", "--data", str(dataset), "--out", str(out), "--depth", "2", "--base-filters", "4",
            "--batch-size", "8", "--learning-rate", "0.01", "--progress", "json"]
    child = subprocess.Popen(_claro(*argv, "--epochs", "5"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        for line in child.stdout:
            if json.loads(line)["event"] == "epoch":
                child.send_signal(signal.SIGINT)  # Ctrl-C during the second epoch
                break
        rest = child.stdout.read()
        child.wait(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130
    error = json.loads(rest.splitlines()[-1])
    assert error["event"] == "error" and "--resume" in error["message"] and str(out) in error["message"]
    # What remains is whole: the best model so far (with its card), and the resume checkpoint.
    card = model_card.read_card(out)
    assert card["training"]["epochs_run"] == 1 and card["training"]["finished"] is False
    keras.models.load_model(out, safe_mode=True, compile=False)
    state = json.loads((tmp_path / "m.keras.resume" / "state.json").read_text())
    assert state["epochs_run"] == 1 and len(state["history"]["loss"]) == 1
    import h5py

    # Adam's state travels with the checkpoint (not the shared model): its step count is one
    # epoch's steps, and its moments are there (optimizer/vars/N in optimizer.variables' order).
    steps = -(-summary_of(dataset)["counts"]["train"] // 8)
    with h5py.File(tmp_path / "m.keras.resume" / "state.weights.h5") as h5:
        saved = [np.array(h5["optimizer"]["vars"][str(i)]) for i in range(len(h5["optimizer"]["vars"]))]
    assert int(saved[0]) == steps
    assert len(saved) > 2 and any(np.any(v != 0) for v in saved[2:])
    assert leftovers(tmp_path) == []

    # Without --resume the checkpoint is not silently thrown away.
    again = subprocess.run(_claro(*argv, "--epochs", "2"), capture_output=True, text=True, env=ENV, timeout=120)
    assert again.returncode == 2 and "--resume" in again.stderr

    # Resumed, training starts from the saved optimizer state: the step count and every moment.
    restored: list = []
    fit = keras.Model.fit

    def spy(model, *args, **kwargs):
        restored.append([(v.path, np.array(v)) for v in model.optimizer.variables])
        return fit(model, *args, **kwargs)

    stream = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keras.Model, "fit", spy)
        train.run(TrainParams(data=str(dataset), out=str(out), epochs=2, resume=True, progress="json", **TINY),
                  Progress("json", stream=stream))
    (variables,) = restored
    assert variables[0][0].endswith("iteration") and int(variables[0][1]) == steps
    assert [name.rsplit("_", 1)[-1] for name, _ in variables[2:]] == ["momentum", "velocity"] * ((len(variables) - 2) // 2)
    assert len(variables) == len(saved)
    for (name, value), old in zip(variables[2:], saved[2:]):
        np.testing.assert_array_equal(value, old, err_msg=name)
    lines = events(stream)
    assert [e["epoch"] for e in lines if e["event"] == "epoch"] == [2]
    history = json.loads((tmp_path / "m.history.json").read_text())
    assert len(history["loss"]) == 2 and history["loss"][0] == state["history"]["loss"][0]
    card = model_card.read_card(out)
    assert card["training"]["epochs_run"] == 2 and card["training"]["finished"] is True
    assert card["training"]["parameters"]["base_filters"] == 4
    assert not (tmp_path / "m.keras.resume").exists()


# ------------------------------------------------------------------ bad input: one sentence, before any work

def _params(dataset, out, **changes) -> TrainParams:
    return TrainParams(data=str(dataset), out=str(out), **{"epochs": 1, **TINY, **changes})


def test_missing_dataset_folder_and_missing_dataset_json(tmp_path):
    with pytest.raises(ClaroError, match="does not exist; make one with 'claro patches'"):
        train.run(_params(tmp_path / "nowhere", tmp_path / "m.keras"), Progress("json", stream=io.StringIO()))
    with pytest.raises(ClaroError, match="no dataset.json"):
        train.run(_params(tmp_path, tmp_path / "m.keras"), Progress("json", stream=io.StringIO()))


def test_existing_model_without_overwrite_is_refused_untouched(dataset, tmp_path):
    out = tmp_path / "m.keras"
    out.write_bytes(b"precious")  # not a model: never replaced, even with --overwrite
    for overwrite in (False, True):
        with pytest.raises(ClaroError, match="is not a Keras model file, so Claro will not replace it"):
            train.run(_params(dataset, out, overwrite=overwrite), Progress("json", stream=io.StringIO()))
    assert out.read_bytes() == b"precious"
    out.unlink()
    with zipfile.ZipFile(out, "w") as archive:  # a Keras file (an earlier model) needs --overwrite
        archive.writestr("config.json", "{}")
    with pytest.raises(ClaroError, match="exists; choose another path or use --overwrite"):
        train.run(_params(dataset, out), Progress("json", stream=io.StringIO()))
    (tmp_path / "m.history.json").write_text("my notes")  # a user's file where the history goes
    with pytest.raises(ClaroError, match="m.history.json exists and is not a Claro training history"):
        train.run(_params(dataset, out, overwrite=True), Progress("json", stream=io.StringIO()))
    assert (tmp_path / "m.history.json").read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.history.json", "m.keras"]  # no lock left


@pytest.mark.parametrize("changes, message", [
    ({"class_weights": "1,2,3"}, "3 weights but the dataset has 2 classes"),
    ({"epochs": 0}, "--epochs must be at least 1"),
    ({"reduce_lr_after": -1}, "--reduce-lr-after must be at least 0"),
    ({"resume": True}, "no interrupted training to resume"),
])
def test_bad_parameters(dataset, tmp_path, changes, message):
    with pytest.raises(ClaroError, match=message):
        train.run(_params(dataset, tmp_path / "m.keras", **changes), Progress("json", stream=io.StringIO()))
    assert list(tmp_path.iterdir()) == []


def test_output_must_be_a_keras_file(dataset, tmp_path):
    with pytest.raises(ClaroError, match="must end in .keras"):
        train.run(_params(dataset, tmp_path / "m.h5"), Progress("json", stream=io.StringIO()))


def test_empty_training_split(dataset, tmp_path):
    folder = tmp_path / "empty"
    shutil.copytree(dataset, folder)
    summary = summary_of(folder)
    summary["counts"]["train"] = 0
    (folder / "dataset.json").write_text(json.dumps(summary))
    for shard in folder.glob("train-*"):
        shard.unlink()
    with pytest.raises(ClaroError, match="no training patches"):
        train.run(_params(folder, tmp_path / "m.keras"), Progress("json", stream=io.StringIO()))


# ------------------------------------------------------------------ pieces

def test_checkpoint_replaces_the_model_whole_or_not_at_all(tmp_path, monkeypatch):
    from claro.backend.model import build_unet

    model = build_unet(3, 2, depth=1, base_filters=2)
    out = tmp_path / "m.keras"
    train.save_model_file(model, model.get_weights(), {"bands": ["b1", "b2", "b3"]}, out)
    before = out.read_bytes()

    def broken(path, card):
        raise OSError("disk full")

    monkeypatch.setattr(model_card, "write_card", broken)
    with pytest.raises(OSError):
        train.save_model_file(model, [w + 1 for w in model.get_weights()], {}, out)
    assert out.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_augmentation_moves_image_and_labels_together_through_all_8_symmetries():
    k = 4
    y = np.arange(k * k, dtype=np.int32).reshape(1, k, k)
    x = np.stack([y.astype(np.float32), -y.astype(np.float32)], axis=-1)
    x, y = np.repeat(x, 64, 0), np.repeat(y, 64, 0)
    ax, ay = train.augment_batch(tf.constant(x), tf.constant(y), tf.constant([3, 4], tf.int64))
    ax, ay = ax.numpy(), ay.numpy()
    np.testing.assert_array_equal(ax[..., 0], ay)
    np.testing.assert_array_equal(ax[..., 1], -ay)
    symmetries = {np.rot90(m, r).tobytes() for m in (y[0], y[0].T) for r in range(4)}
    seen = {a.tobytes() for a in ay}
    assert seen == symmetries


def test_radiometric_augmentation_is_one_gain_and_offset_per_image_and_band():
    rng = np.random.default_rng(0)
    x = rng.uniform(100, 3000, (64, 8, 8, 3)).astype(np.float32)
    y = rng.integers(0, 2, (64, 8, 8)).astype(np.int32)
    seed = tf.constant([5, 6], tf.int64)
    std = [100.0, 200.0, 400.0]
    fx, fy = (t.numpy() for t in train.augment_batch(tf.constant(x), tf.constant(y), seed))
    jx, jy = (t.numpy() for t in train.augment_batch(tf.constant(x), tf.constant(y), seed, std))
    np.testing.assert_array_equal(jy, fy)  # the same flips; labels are never jittered
    jitter = train.RADIOMETRIC_JITTER
    gains = []
    for i in range(64):
        for band in range(3):
            a, b = fx[i, ..., band].ravel(), jx[i, ..., band].ravel()
            gain, offset = np.polyfit(a, b, 1)  # exactly affine within an image and band
            np.testing.assert_allclose(b, gain * a + offset, rtol=1e-4)
            assert 1 - jitter <= gain <= 1 + jitter and abs(offset) <= jitter * std[band] * 1.001
            gains.append(gain)
    assert np.std(gains) > jitter / 3  # spread over the range, not one value for all


def test_mirrored_strategy_on_two_logical_cpus(dataset, tmp_path):
    """Two logical CPU devices stand in for two GPUs: the loss is averaged, the confusion
    matrices are summed over the replicas."""
    out = tmp_path / "m.keras"
    # the test split in whole global batches, each shared evenly by the two replicas
    tests = summary_of(dataset)["counts"]["test"]
    batch = max((b for b in range(2, 17, 2) if tests % b == 0), default=None)
    assert batch, f"the fixture's test split ({tests} patches) cannot be cut in even batches"
    script = textwrap.dedent(f"""
        import io, json, tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from claro.backend import train
        from claro.backend.params import TrainParams
        from claro.backend.progress import Progress
        stream = io.StringIO()
        params = TrainParams(data={str(dataset)!r}, out={str(out)!r}, epochs=1, depth=2, base_filters=4, batch_size={batch})
        train.run(params, Progress("json", stream=stream), devices=["/cpu:0", "/cpu:1"])
        print(stream.getvalue())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=ENV, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert any(e["event"] == "log" and "2 × (/cpu:0, /cpu:1), mirrored" in e["message"] for e in lines)
    card = model_card.read_card(out)
    summary = summary_of(dataset)
    assert card["metrics"]["validation"]["pixels"] == sum(summary["class_pixels"]["validation"])
    # each replica's loss is its share's mean, halved: the replicas' sum is their mean, not twice it
    assert card["metrics"]["test"]["loss"] == pytest.approx(numpy_loss(out, dataset, "test", batch, replicas=2), rel=1e-5)


def test_resume_needs_the_checkpoints_model_file(dataset, tmp_path):
    (tmp_path / "m.keras.resume").mkdir()
    (tmp_path / "m.keras.resume" / "state.json").write_text("{}")
    with pytest.raises(ClaroError, match="lost its model file; start over with --overwrite"):
        train.run(_params(dataset, tmp_path / "m.keras", resume=True), Progress("json", stream=io.StringIO()))


def test_terminal_epoch_line_names_the_target_class():
    record = {"loss": 0.2214, "val_loss": 0.3947, "val_iou_forest": 0.9, "val_iou_cleared": 0.3404}
    assert train.epoch_line(3, 50, record, ["forest", "cleared"], True) == \
        "epoch 3/50: loss 0.221, val loss 0.395, val IoU cleared 0.340 (best so far, saved)"
    assert train.epoch_line(1, 2, {"loss": 1.0}, ["a", "b", "c"], False) == "epoch 1/2: loss 1.000"


def test_a_shard_damaged_mid_way_stops_training_with_a_sentence(dataset, tmp_path):
    """tf.data finds the damage while training reads (a DataLossError that names no file); the
    user gets one sentence naming the shard."""
    import gzip

    folder = tmp_path / "damaged"
    shutil.copytree(dataset, folder)
    shard = folder / "train-00000.tfrecord.gz"
    stream = gzip.decompress(shard.read_bytes())
    shard.write_bytes(gzip.compress(stream[:len(stream) - 100]))  # the last record cut short
    out = tmp_path / "m.keras"
    with pytest.raises(ClaroError) as error:
        train.run(_params(folder, out), Progress("json", stream=io.StringIO()))
    assert str(error.value).startswith(f"The shard {shard} is truncated or corrupt (truncated record at ")
    assert str(error.value).endswith("); rebuild the dataset with 'claro patches'.")
    assert not out.exists()


def test_learning_rate_halves_after_epochs_without_a_better_validation_loss(dataset, tmp_path):
    from claro.backend import losses
    from claro.backend.model import build_unet

    params = _params(dataset, tmp_path / "m.keras", reduce_lr_after=2, patience=10)
    summary = summary_of(dataset)
    model = build_unet(3, 2, 2, 4)
    model.compile(optimizer=keras.optimizers.Adam(params.learning_rate), loss=losses.MaskedCrossEntropy(2))
    export = build_unet(3, 2, 2, 4)
    arch = {"depth": 2, "base_filters": 4, "dropout": 0.0}
    trainer = train.Trainer(params, Progress("json", stream=io.StringIO()), summary, tmp_path / "m.keras", arch, [1.0, 1.0], "CPU", None)
    for epoch, val_loss in enumerate([0.5, 0.6, 0.7, 0.4, 0.8, 0.9, 0.45]):
        trainer.end_epoch(epoch, {"loss": 0.3, "val_loss": val_loss}, None, model, export)
    lr = params.learning_rate
    # Epochs 2-3 and 5-6 (1-based) bring no improvement: halved after epochs 3 and 6.
    assert trainer.history["learning_rate"] == pytest.approx([lr, lr, lr, lr / 2, lr / 2, lr / 2, lr / 4])
    assert float(model.optimizer.learning_rate) == pytest.approx(lr / 4)
    state = json.loads((tmp_path / "m.keras.resume" / "state.json").read_text())
    assert state["learning_rate"] == pytest.approx(lr / 4)  # --resume carries on at the lowered rate
    assert train.Trainer(params, Progress("json", stream=io.StringIO()), summary, tmp_path / "m.keras", arch,
                         [1.0, 1.0], "CPU", state).learning_rate == pytest.approx(lr / 4)

    never = _params(dataset, tmp_path / "n.keras", reduce_lr_after=0, patience=10)
    trainer = train.Trainer(never, Progress("json", stream=io.StringIO()), summary, tmp_path / "n.keras", arch, [1.0, 1.0], "CPU", None)
    for epoch, val_loss in enumerate([0.5, 0.6, 0.7, 0.8]):
        trainer.end_epoch(epoch, {"loss": 0.3, "val_loss": val_loss}, None, model, export)
    assert trainer.history["learning_rate"] == pytest.approx([lr] * 4)


# ------------------------------------------------------------------ --resume: same dataset, same settings

@pytest.fixture
def checkpoint(dataset, tmp_path, monkeypatch):
    """A real checkpoint after one epoch of three: training stopped as by Ctrl-C before finishing."""
    out = tmp_path / "m.keras"

    def interrupted(*args):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(train, "finish", interrupted)
        with pytest.raises(KeyboardInterrupt, match="run the same command with --resume"):
            train.run(_params(dataset, out, epochs=1, reduce_lr_after=0), Progress("json", stream=io.StringIO()))
    state = json.loads((tmp_path / "m.keras.resume" / "state.json").read_text())
    assert state["epochs_run"] == 1 and state["initial_learning_rate"] == TINY["learning_rate"]
    assert state["dataset_fingerprint"] == train.dataset_fingerprint(summary_of(dataset))
    return out


def test_resume_refuses_a_checkpoint_made_from_another_dataset(dataset, checkpoint, tmp_path):
    other = tmp_path / "recut"
    shutil.copytree(dataset, other)
    summary = summary_of(other)
    summary["statistics"]["mean"][0] += 1.0  # e.g. the patches cut again from other labels
    (other / "dataset.json").write_text(json.dumps(summary))
    before = (tmp_path / "m.keras.resume" / "state.json").read_text()
    with pytest.raises(ClaroError, match="was made from another dataset .*resume with the dataset it was trained on"):
        train.run(_params(other, checkpoint, epochs=2, resume=True), Progress("json", stream=io.StringIO()))
    assert (tmp_path / "m.keras.resume" / "state.json").read_text() == before  # the checkpoint is kept as it was


@pytest.mark.parametrize("changes, message", [
    ({"learning_rate": 0.05}, r"trained with --learning-rate 0.01 \(now at 0.01\), not 0.05; resume with the same"),
    ({"class_weights": "1,3"}, r"trained with class weights .* --class-weights 1,3 gives other weights"),
])
def test_resume_refuses_a_changed_learning_rate_or_class_weights(dataset, checkpoint, changes, message):
    with pytest.raises(ClaroError, match=message):
        train.run(_params(dataset, checkpoint, epochs=2, resume=True, **changes), Progress("json", stream=io.StringIO()))


def test_a_resumed_card_records_the_learning_rate_and_weights_actually_used(dataset, checkpoint, tmp_path):
    """The checkpoint's rate was halved before the interruption: training goes on at that rate
    (the optimizer's), and the card says so beside the --learning-rate it started with."""
    path = tmp_path / "m.keras.resume" / "state.json"
    state = json.loads(path.read_text())
    state["learning_rate"] = TINY["learning_rate"] / 2
    path.write_text(json.dumps(state))
    stream = io.StringIO()
    train.run(_params(dataset, checkpoint, epochs=2, resume=True, reduce_lr_after=0), Progress("json", stream=stream))
    card = model_card.read_card(checkpoint)
    training = card["training"]
    assert training["epochs_run"] == 2 and training["resumed_after_epochs"] == [1]
    assert training["parameters"]["learning_rate"] == TINY["learning_rate"]
    assert training["learning_rate_at_end"] == pytest.approx(TINY["learning_rate"] / 2)
    history = json.loads((tmp_path / "m.history.json").read_text())
    assert history["learning_rate"] == pytest.approx([TINY["learning_rate"], TINY["learning_rate"] / 2])
    assert training["class_weights"] == state["class_weights"]
    assert training["dataset_fingerprint"] == state["dataset_fingerprint"]


# ------------------------------------------------------------------ any patch size: padded to the U-Net's factor

def test_reflected_indices_are_numpys_reflect_padding_even_when_longer_than_the_side():
    for size, before, after in ((20, 6, 6), (5, 2, 3), (3, 7, 6), (8, 12, 12), (1, 3, 4), (4, 0, 0)):
        side = np.arange(size) * 10
        assert np.array_equal(side[train.reflected_indices(size, before, after)], np.pad(side, (before, after), mode="reflect"))


def test_a_batch_is_padded_centred_with_reflected_bands_and_ignored_labels():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (3, 20, 20, 2)).astype(np.float32)
    y = rng.integers(0, 2, (3, 20, 20)).astype(np.int32)
    px, py = (t.numpy() for t in train.pad_batch(tf.constant(x), tf.constant(y), 16))
    assert px.shape == (3, 32, 32, 2) and py.shape == (3, 32, 32)
    assert np.array_equal(px, np.pad(x, ((0, 0), (6, 6), (6, 6), (0, 0)), mode="reflect"))
    assert np.array_equal(py[:, 6:26, 6:26], y) and (py == -1).sum() == 3 * (32 * 32 - 20 * 20)
    same_x, same_y = train.pad_batch(tf.constant(x), tf.constant(y), 4)  # 20 is a multiple of 4: untouched
    assert np.array_equal(same_x.numpy(), x) and np.array_equal(same_y.numpy(), y)
    assert train.padded_size(20, 4) == 32 and train.padded_size(64, 2) == 64 and train.padded_size(366, 5) == 384
    # augmentation moves the padding with the patch: the ignored pixels stay where the padded bands are
    ax, ay = (t.numpy() for t in train.augment_batch(tf.constant(px), tf.constant(py), tf.constant([1, 2], tf.int64)))
    assert ax.shape == px.shape and (ay == -1).sum() == (py == -1).sum()
    assert sorted(ay[ay >= 0].tolist()) == sorted(y.ravel().tolist())


def write_k20_export(folder: Path) -> dict:
    """A 20 × 20 export as Earth Engine writes it (TensorFlow's own writer, features in its
    order, `system:index` and an int64 property, float labels `landcover`), with a hand-made
    dataset.json following `claro describe`'s contract. Returns the labels per split."""
    from .test_records import EXPORT_CLASSES, export_patch, tf_example

    folder.mkdir()
    files = {"train": ["training_g0.tfrecord.gz", "training_g1.tfrecord.gz"], "validation": ["eval_g0.tfrecord.gz"],
             "test": ["testing_g0.tfrecord"]}
    ids = {"train": [range(0, 6), range(6, 12)], "validation": [range(12, 16)], "test": [range(16, 20)]}
    labels, images = {}, []
    for split, names in files.items():
        labels[split] = []
        for name, numbers in zip(names, ids[split]):
            options = tf.io.TFRecordOptions(compression_type="GZIP") if name.endswith(".gz") else None
            with tf.io.TFRecordWriter(str(folder / name), options) as writer:
                for n in numbers:
                    made = export_patch(n, 20)
                    writer.write(tf_example(made))
                    labels[split].append(made["landcover"])
                    if split == "train":
                        images.append(np.stack([made["B2"], made["B3"], made["B4"]]))
    stack = np.stack(images)
    class_pixels = {s: [int(sum((l == c["value"]).sum() for l in labels[s])) for c in EXPORT_CLASSES] for s in labels}
    (folder / "dataset.json").write_text(json.dumps({
        "format": "claro-patch-dataset/1", "bands": ["B2", "B3", "B4"], "label": "landcover", "patch_size": 20,
        "classes": EXPORT_CLASSES, "ignore_value": None,
        "statistics": {"mean": stack.mean(axis=(0, 2, 3)).tolist(), "std": stack.std(axis=(0, 2, 3)).tolist()},
        "counts": {s: sum(len(r) for r in ids[s]) for s in ids}, "class_pixels": class_pixels,
        "shards": files, "split": {"method": "names"}}))
    return labels


def test_a_20_pixel_export_trains_with_depth_4_and_padding_never_counts(tmp_path):
    data = tmp_path / "export"
    labels = write_k20_export(data)
    out = tmp_path / "k20.keras"
    stream = io.StringIO()
    train.run(TrainParams(data=str(data), out=str(out), epochs=2, depth=4, base_filters=4, batch_size=4,
                          learning_rate=0.01, progress="json"), Progress("json", stream=stream))
    logs = [e["message"] for e in events(stream) if e["event"] == "log"]
    assert "Patches of 20 pixels are padded to 32 (reflected image, ignored labels) to pass through the U-Net's 4 halvings." in logs
    card = model_card.read_card(out)
    assert card["patch_size"] == 20 and card["bands"] == ["B2", "B3", "B4"] and card["training"]["epochs_run"] == 2
    for split in ("validation", "test"):
        labelled = sum(int(np.isin(l, [0.0, 1.0]).sum()) for l in labels[split])
        matrix = np.array(card["metrics"][split]["confusion_matrix"])
        # only the real labelled pixels: not the 32² padded patch, not the ignored label 5.0
        assert card["metrics"][split]["pixels"] == matrix.sum() == labelled < len(labels[split]) * 20 * 20
        assert matrix.sum(axis=1).tolist() == [sum(int((l == v).sum()) for l in labels[split]) for v in (0.0, 1.0)]
    # the model predicts a raster (predict picks its own window)
    from osgeo import gdal

    from claro.backend import predict
    from claro.backend.params import PredictParams

    image = tmp_path / "image.tif"
    raster = gdal.GetDriverByName("GTiff").Create(str(image), 37, 45, 3, gdal.GDT_Float32)
    raster.SetGeoTransform((500000.0, 10.0, 0.0, 9000000.0, 0.0, -10.0))
    for b in range(3):
        raster.GetRasterBand(b + 1).WriteArray(np.random.default_rng(b).uniform(b + 2, b + 2.9, (45, 37)).astype(np.float32))
    raster = None
    predict.run(PredictParams(model=str(out), image=str(image), out=str(tmp_path / "classes.tif")),
                Progress("json", stream=io.StringIO()))
    classes = gdal.Open(str(tmp_path / "classes.tif")).ReadAsArray()
    assert classes.shape == (45, 37) and set(np.unique(classes).tolist()) <= {0, 1}
