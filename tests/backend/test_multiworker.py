"""`claro train` on two worker processes on localhost (CPU), tf.distribute.MultiWorkerMirroredStrategy.

One training is stopped and resumed (the costly part, done once): two workers start a 3-epoch
run, both are killed after the chief's first epoch (machines going down), and both restart with
--resume, launched the other way (TF_CONFIG instead of --workers/--worker-index). Tiny model,
real patches made by `claro patches` from the bundled Amazon sample (4 training shards).
"""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

from claro.backend import card as model_card  # noqa: E402
from claro.backend import records, train  # noqa: E402
from claro.backend.params import PatchParams, TrainParams  # noqa: E402
from claro.backend.progress import Progress  # noqa: E402

from ..conftest import sample_tile  # noqa: E402

CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"
TINY = ["--depth", "2", "--base-filters", "4", "--batch-size", "8", "--learning-rate", "0.01"]
CHIEF_FILES = {"m.keras", "m.history.json", "m.curves.png", "m.confusion.png"}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """44 training patches of 64² in 4 shards (and 12 validation, 8 test) from a real Amazon tile."""
    image, mask = sample_tile("Amazon_1377_12")
    from claro.backend import patches

    out = tmp_path_factory.mktemp("patches") / "amazon"
    patches.run(PatchParams(images=[str(image)], labels=[str(mask)], out=str(out), patch_size=64, classes=CLASSES),
                Progress("json", stream=io.StringIO()))
    assert len(records.split_files(out, "train")) >= 2
    return out


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def environment(tmp: Path, **extra: str) -> dict:
    """The test's own environment (PYTHONPATH), TensorFlow quiet, no GPU, and a TMPDIR of its own
    so what a worker leaves in its temporary folder can be seen."""
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "LD_BIND_NOW": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "", "TMPDIR": str(tmp)}
    env.pop("TF_CONFIG", None)
    return {**env, **extra}


def claro_temporaries(tmp: Path) -> list[Path]:
    return sorted(p for p in tmp.iterdir() if p.name.startswith("claro-"))


def claro(*argv: str) -> list[str]:
    return [sys.executable, "-m", "claro.backend", *argv]


class Workers:
    """Worker processes that are always killed when the test ends, whatever happened."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen] = []

    def start(self, argv: list[str], env: dict) -> subprocess.Popen:
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # nosec B603 # the test's own command line
        self.children.append(child)
        return child

    def finish(self, timeout: float = 400) -> list[tuple[int, list[dict], str]]:
        """(exit code, JSON lines, stderr) of every worker, once all have ended."""
        results = []
        for child in self.children:
            out, err = child.communicate(timeout=timeout)
            results.append((child.returncode, [json.loads(line) for line in out.splitlines() if line.startswith("{")], err))
        self.children = []
        return results

    def kill(self) -> list[tuple[Optional[int], str]]:
        """Kill every worker still running; (exit code before the kill, or None if it was running;
        stderr) of each, so a test can tell a worker that had already failed from one it killed."""
        ended = []
        for child in self.children:
            code = child.poll()
            if code is None:
                child.kill()
            ended.append((code, child.communicate()[1] or ""))
        self.children = []
        return ended


@pytest.fixture
def workers():
    started = Workers()
    yield started
    started.kill()


def validation_matrix(model_path: Path, folder: Path, batch_size: int = 8) -> np.ndarray:
    """The validation confusion matrix of a model file, computed here on one process."""
    model = keras.models.load_model(model_path, safe_mode=True, compile=False)
    count = json.loads((folder / "dataset.json").read_text())["counts"]["validation"]
    matrix = np.zeros((2, 2), np.int64)
    for x, y in train.evaluation_batches(str(folder), "validation", batch_size, count):
        predicted = (model.predict(x, verbose=0)[..., 0] > 0.5).astype(int)
        y = y.numpy()
        np.add.at(matrix, (y[y >= 0], predicted[y >= 0]), 1)
    return matrix


@pytest.mark.timeout(900)
def test_two_workers_train_resume_and_only_the_chief_writes(dataset, tmp_path, workers):
    shared, would_be, tmp = tmp_path / "shared", tmp_path / "worker1", tmp_path / "tmp"
    shared.mkdir()
    would_be.mkdir()
    env = environment(tmp)
    addresses = [f"127.0.0.1:{port}" for port in free_ports(2)]
    common = ["train", "--data", str(dataset), *TINY, "--progress", "json"]

    # 1. Started with --workers/--worker-index; the non-chief's own --out is its would-be paths.
    chief = workers.start(claro(*common, "--out", str(shared / "m.keras"), "--epochs", "3",
                                "--workers", ",".join(addresses), "--worker-index", "0"), env)
    workers.start(claro(*common, "--out", str(would_be / "m.keras"), "--epochs", "3",
                        "--workers", ",".join(addresses), "--worker-index", "1"), env)
    for line in chief.stdout:
        if json.loads(line)["event"] == "epoch":
            break
    else:
        pytest.fail(f"the chief ended before its first epoch: {chief.stderr.read()[-3000:]}")
    ended = workers.kill()  # both machines go down
    assert [code for code, _ in ended] == [None, None], ended[-1][1][-3000:]  # both were still training
    state = json.loads((shared / "m.keras.resume" / "state.json").read_text())
    done = state["epochs_run"]
    assert done >= 1
    assert list(would_be.iterdir()) == []  # the non-chief never wrote at its final paths, even mid-run
    # A killed worker cannot clean up its temporary folder (TMPDIR also holds TensorFlow's own
    # autograph files, which are not Claro's).
    leftovers = claro_temporaries(tmp)
    assert [p.name.startswith("claro-worker1-") for p in leftovers] == [True]
    shutil.rmtree(leftovers[0])

    # 2. Both restart with --resume, the same settings, launched with TF_CONFIG this time.
    for index in (0, 1):
        config = json.dumps({"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}})
        workers.start(claro(*common, "--out", str(shared / "m.keras"), "--epochs", str(done + 1), "--resume"),
                      environment(tmp, TF_CONFIG=config))
    (code0, lines0, err0), (code1, lines1, err1) = workers.finish()
    assert code0 == 0, err0[-3000:]
    assert code1 == 0, err1[-3000:]

    # Both continued from the checkpoint's epoch, in step.
    for lines in (lines0, lines1):
        assert [e["epoch"] for e in lines if e["event"] == "epoch"] == [done + 1]
    logs1 = [e["message"] for e in lines1 if e["event"] == "log"]
    assert logs1 and all(m.startswith("worker 1 of 2: ") for m in logs1)
    assert not any(m.startswith("worker ") for e in lines0 if e["event"] == "log" for m in [e["message"]])
    final0, final1 = lines0[-1], lines1[-1]
    assert final0["event"] == final1["event"] == "done"
    assert final1["model"] == final0["model"] == str(shared / "m.keras") and final1["metrics"] == final0["metrics"]

    # Only the chief wrote: its files, no lock, no checkpoint left, nothing temporary anywhere.
    assert {p.name for p in shared.iterdir()} == CHIEF_FILES
    assert list(would_be.iterdir()) == [] and claro_temporaries(tmp) == []

    history = json.loads((shared / "m.history.json").read_text())
    assert len(history["loss"]) == done + 1 and history["loss"][:done] == state["history"]["loss"]
    card = model_card.read_card(shared / "m.keras")
    training = card["training"]
    assert training["distribution"] == {"strategy": "MultiWorkerMirroredStrategy", "workers": 2, "replicas": 2}
    assert "MultiWorkerMirroredStrategy over 2 workers" in training["device"]
    assert training["resumed_after_epochs"] == [done] and training["epochs_run"] == done + 1 and training["finished"]
    assert "workers" not in training["parameters"] and "worker_index" not in training["parameters"]

    # Evaluation is neither split nor double-counted: the chief's validation scores are those of
    # the same weights evaluated here on one process (every labelled pixel once).
    summary = json.loads((dataset / "dataset.json").read_text())
    scores = card["metrics"]["validation"]
    matrix = validation_matrix(shared / "m.keras", dataset)
    assert matrix.sum() == sum(summary["class_pixels"]["validation"]) == scores["pixels"]
    # a pixel whose probability sits at 0.5 within float rounding may flip between the two runs
    assert np.abs(np.asarray(scores["confusion_matrix"]) - matrix).sum() <= 10

    # Within noise of one worker trained on the same data for as many epochs. The noise is large
    # for a 4-filter U-Net after 2 epochs: one-worker runs with seeds 42, 1, 2 and 3 gave a
    # validation IoU of the cleared class of 0.89, 0.70, 0.78 and 0.35. Two workers draw other
    # batches (each half of a batch from the worker's own shards, another shuffle) as another seed
    # would, so the tolerance is that spread, 0.55; both must beat mapping everything forest (IoU 0).
    alone = tmp_path / "alone" / "m.keras"
    alone.parent.mkdir()
    train.run(TrainParams(data=str(dataset), out=str(alone), epochs=done + 1, depth=2, base_filters=4, batch_size=8,
                          learning_rate=0.01), Progress("json", stream=io.StringIO()))
    one = model_card.read_card(alone)["metrics"]["validation"]["per_class"]["cleared"]["iou"]
    two = scores["per_class"]["cleared"]["iou"]
    assert two > 0.2 and one > 0.2
    assert abs(two - one) <= 0.55, (one, two)


@pytest.mark.timeout(300)
def test_fewer_training_shards_than_workers_is_one_sentence(dataset, tmp_path):
    few = tmp_path / "few"
    few.mkdir()
    for path in dataset.iterdir():
        if not path.name.startswith("train-") or path.name.startswith("train-00000"):
            shutil.copy2(path, few / path.name)
    argv = claro("train", "--data", str(few), "--out", str(tmp_path / "m.keras"), "--workers",
                 "127.0.0.1:1,127.0.0.1:2", "--worker-index", "1")
    result = subprocess.run(argv, capture_output=True, text=True, env=environment(tmp_path / "tmp"), timeout=120)  # nosec B603 # the test's own command line
    assert result.returncode == 2
    assert (f"claro: error: The dataset in {few} has 1 training shard for 2 workers; each worker reads shards of its "
            "own, so train on at most 1 workers or make the dataset again with 'claro patches'") in result.stderr
    assert "Traceback" not in result.stderr and list(tmp_path.glob("m.*")) == []


@pytest.mark.timeout(300)
def test_workers_without_an_index_is_one_sentence(dataset, tmp_path):
    argv = claro("train", "--data", str(dataset), "--out", str(tmp_path / "m.keras"), "--workers", "127.0.0.1:1,127.0.0.1:2")
    result = subprocess.run(argv, capture_output=True, text=True, env=environment(tmp_path / "tmp"), timeout=120)  # nosec B603 # the test's own command line
    assert result.returncode == 2
    assert result.stderr.strip().endswith("--workers needs --worker-index: this machine's position in the list, from 0 "
                                          "(0 on the chief, which writes the model).")


@pytest.mark.timeout(300)
def test_a_worker_that_cannot_reach_the_others_says_which_address(dataset, tmp_path):
    """The other worker never starts: after the (here shortened) wait, one sentence naming its address."""
    mine, silent = free_ports(2)
    script = textwrap.dedent(f"""
        import sys
        from claro.backend import cluster, cli
        cluster.WAIT_SECONDS = 3
        sys.exit(cli.main(["train", "--data", {str(dataset)!r}, "--out", {str(tmp_path / 'm.keras')!r},
                           "--workers", "127.0.0.1:{mine},127.0.0.1:{silent}", "--worker-index", "0"]))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,  # nosec B603 # the test's own script
                            env=environment(tmp_path / "tmp"), timeout=240)
    assert result.returncode == 2, result.stderr[-3000:]
    assert (f"claro: error: Worker 0 of 2 could not reach the other workers within 3 s: nothing answers at 127.0.0.1:{silent}; "
            "start every worker with the same worker list and its own index, and check that the firewall lets these "
            "ports through between the machines.") in result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"tmp"}
