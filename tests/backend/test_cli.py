"""backend/cli.py as a user and the plugin meet it: `python -m claro.backend` in a subprocess.

- Interrupts: the first Ctrl-C / SIGTERM unwinds the job; a second one in a row changes nothing
  (exit 130, never -2 or -15; outputs whole or absent). What a cancelled training keeps is a rule:
  after an epoch, the best model so far and its resume state; during patch writing, nothing.
  Each test cancels in a known phase, proven by a progress event, so no epoch end races a signal.
- TensorFlow's start-up noise is hidden unless --verbose, whatever TF_CPP_MIN_LOG_LEVEL says.

Data: a 256² crop of the bundled sample (resources/sample), so these run on any clone.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from osgeo import gdal

from claro.backend import cli, interrupts, quiet
from claro.backend.card import read_card

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample"
TILE = "Amazon_1377_12"  # about a third cleared: both classes in every crop
CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"
TINY = ["--depth", "2", "--base-filters", "4", "--batch-size", "4", "--no-augment"]
#: What TensorFlow 2.x writes at start-up and during a first training on a CPU without AVX-512.
NOISE = ("All log messages before absl::InitializeLog()", "oneDNN custom operations are on",
         "oneDNN supports DT_INT32 only", "This TensorFlow binary is optimized")


def environment(**changes: str | None) -> dict[str, str]:
    """This process's environment (so `claro` imports) without the logging variables the Makefile
    and the test runner set, plus `changes` (None removes)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "GLOG_minloglevel")}
    env["CUDA_VISIBLE_DEVICES"] = ""
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def claro(*argv: str) -> list[str]:
    return [sys.executable, "-m", "claro.backend", *argv]


@pytest.fixture(scope="module")
def tile(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tile")
    image, mask = folder / "image.tif", folder / "mask.tif"
    gdal.Translate(str(image), str(SAMPLE / "images" / f"{TILE}.tif"), srcWin=[0, 0, 256, 256])
    gdal.Translate(str(mask), str(SAMPLE / "masks" / f"{TILE}.tif"), srcWin=[0, 0, 256, 256])
    return image, mask


def patches_argv(tile, out: Path, *extra: str) -> list[str]:
    image, mask = tile
    return ["patches", "--image", str(image), "--labels", str(mask), "--out", str(out), "--classes", CLASSES,
            "--min-labelled", "0", *extra]


@pytest.fixture(scope="module")
def dataset(tile, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """64 patches of 32² (train 44), made by the CLI with a clean environment: (folder, the run)."""
    out = tmp_path_factory.mktemp("data") / "patches"
    done = subprocess.run(claro(*patches_argv(tile, out, "--patch-size", "32")), capture_output=True, text=True,
                          env=environment(), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return out, done


def leftovers(folder: Path) -> list[str]:
    """Temporaries (atomic.py's hidden .NAME.tmp-… names) left in a folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or ".tmp-" in p.name)


def run_and_interrupt(argv: list[str], when, signals: tuple[int, ...], pause: float = 0.01):
    """Start `claro argv --progress json`; at the first event for which `when(event)` holds, send
    `signals` one after the other `pause` seconds apart. Returns (exit code, all events)."""
    child = subprocess.Popen(claro(*argv, "--progress", "json"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env=environment())
    events = []
    try:
        for line in child.stdout:
            events.append(json.loads(line))
            if when(events[-1]):
                for n, signum in enumerate(signals):
                    if n:
                        time.sleep(pause)
                    child.send_signal(signum)
                break
        events += [json.loads(line) for line in child.stdout.read().splitlines()]
        child.wait(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, events


# ------------------------------------------------------------------ interrupts, in a real job

def writing(event: dict) -> bool:
    return event["event"] == "progress" and str(event.get("message", "")).startswith("Writing patch")


@pytest.mark.parametrize("signals", [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGTERM)],
                         ids=["Cancel twice", "Ctrl-C then Cancel"])
def test_two_interrupts_while_writing_patches_exit_130_and_leave_nothing(tile, tmp_path, signals):
    """Stride 4: about 3,000 patches, so the job is still writing when the signals arrive."""
    out = tmp_path / "patches"
    code, events = run_and_interrupt(patches_argv(tile, out, "--patch-size", "32", "--stride", "4"), writing, signals)
    assert any(writing(e) for e in events)  # cancelled in the writing phase
    assert code == 130
    assert events[-1] == {"event": "error", "message": "Interrupted; nothing was written."}
    assert all(e["event"] != "done" for e in events)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no dataset, no temporary folder


def test_two_interrupts_after_an_epoch_keep_the_best_model_and_its_resume_state(dataset, tmp_path):
    """Cancel after the first 'epoch' event: what was written by then is kept, whole and consistent
    (model, resume state and history from the same epoch), and the resume state continues."""
    folder, _ = dataset
    out = tmp_path / "m.keras"
    argv = ["train", "--data", str(folder), "--out", str(out), *TINY]
    code, events = run_and_interrupt([*argv, "--epochs", "200", "--patience", "200"],
                                     lambda e: e["event"] == "epoch", (signal.SIGINT, signal.SIGTERM))
    assert code == 130
    error = events[-1]
    assert error["event"] == "error"
    epochs = [e["epoch"] for e in events if e["event"] == "epoch"]
    assert epochs and error["epochs_run"] == epochs[-1] >= 1
    assert error["kept"] == {"model": str(out), "resume": str(out) + ".resume"}
    assert f"kept {out}, the best model so far" in error["message"] and "--resume" in error["message"]
    # Exactly these files, and they agree with each other.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.history.json", "m.keras", "m.keras.resume"]
    assert sorted(p.name for p in (tmp_path / "m.keras.resume").iterdir()) == ["state.json", "state.weights.h5"]
    card = read_card(out)
    assert card["training"]["finished"] is False and card["training"]["best_epoch"] == error["best_epoch"]
    state = json.loads((tmp_path / "m.keras.resume" / "state.json").read_text())
    assert state["epochs_run"] == error["epochs_run"] and state["best_epoch"] == error["best_epoch"]
    history = json.loads((tmp_path / "m.history.json").read_text())
    assert len(history["loss"]) == error["epochs_run"]

    # The kept state is worth keeping: --resume runs one more epoch and finishes the model.
    resumed = subprocess.run(claro(*argv, "--epochs", str(error["epochs_run"] + 1), "--resume", "--progress", "json"),
                             capture_output=True, text=True, env=environment(), timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    lines = [json.loads(line) for line in resumed.stdout.splitlines()]
    assert [e["epoch"] for e in lines if e["event"] == "epoch"] == [error["epochs_run"] + 1]
    assert read_card(out)["training"]["finished"] is True
    assert not (tmp_path / "m.keras.resume").exists() and leftovers(tmp_path) == []


# ------------------------------------------------------------------ interrupts, the mechanism

def _deliver(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.05)  # the handler runs in the main thread at the next bytecode; a sleep lets it


def test_first_interrupt_raises_later_ones_are_ignored_and_handlers_come_back():
    before = {s: signal.getsignal(s) for s in interrupts.SIGNALS}
    previous = interrupts.install()
    try:
        with pytest.raises(KeyboardInterrupt):
            _deliver(signal.SIGTERM)
        assert interrupts.interrupted()
        _deliver(signal.SIGTERM)  # during clean-up: ignored (the old handler raised again here)
        _deliver(signal.SIGINT)
    finally:
        interrupts.restore(previous)
    assert {s: signal.getsignal(s) for s in interrupts.SIGNALS} == before


def test_an_interrupt_inside_a_deferred_step_is_raised_after_it():
    previous = interrupts.install()
    steps = []
    try:
        with pytest.raises(KeyboardInterrupt):
            with interrupts.deferred():
                _deliver(signal.SIGTERM)
                steps.append("after the signal, still in the step")
            steps.append("never: raised at the end of the step")
    finally:
        interrupts.restore(previous)
    assert steps == ["after the signal, still in the step"]


def test_main_leaves_the_callers_signal_handlers_as_they_were(tile, tmp_path):
    """scripts/demo.py calls main() several times in one process: Ctrl-C must still work after."""
    before = {s: signal.getsignal(s) for s in interrupts.SIGNALS}
    assert cli.main(["info", str(tmp_path / "nothing")]) == 2
    assert {s: signal.getsignal(s) for s in interrupts.SIGNALS} == before


# ------------------------------------------------------------------ TensorFlow's noise

def _noise(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(n in line for n in NOISE)]


def test_a_training_shows_no_tensorflow_noise_without_verbose(dataset, tmp_path):
    """The first thing a new user runs, with an environment that sets no logging variable."""
    folder, made = dataset
    assert _noise(made.stderr + made.stdout) == []  # `patches` imports TensorFlow too
    done = subprocess.run(claro("train", "--data", str(folder), "--out", str(tmp_path / "m.keras"), "--epochs", "1",
                                *TINY), capture_output=True, text=True, env=environment(), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _noise(done.stderr + done.stdout) == []
    assert re.search(r"^Device: ", done.stderr, re.M)  # Claro's own lines are still there
    assert "epoch 1/1: loss" in done.stderr and f"Model: {tmp_path / 'm.keras'}" in done.stderr


def test_the_makefiles_log_level_does_not_bring_the_noise_back(tile, tmp_path):
    """`make demo` and `make test` set TF_CPP_MIN_LOG_LEVEL=2, which lets E-level notices through."""
    done = subprocess.run(claro(*patches_argv(tile, tmp_path / "p", "--patch-size", "64")), capture_output=True,
                          text=True, env=environment(TF_CPP_MIN_LOG_LEVEL="2"), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _noise(done.stderr + done.stdout) == []


def test_the_demo_is_quiet_too(dataset, tmp_path):
    """scripts/demo.py calls main() in its own process, one step after another, under `make demo`'s
    TF_CPP_MIN_LOG_LEVEL=2: no step prints TensorFlow's noise (training's DT_INT32 notice included)."""
    folder, _ = dataset
    steps = [["info", str(folder)],
             ["train", "--data", str(folder), "--out", str(tmp_path / "m.keras"), "--epochs", "1", *TINY]]
    code = f"import sys; from claro.backend.cli import main; sys.exit(max(main(argv) for argv in {steps!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environment(TF_CPP_MIN_LOG_LEVEL="2"), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _noise(done.stderr + done.stdout) == []
    assert "epoch 1/1: loss" in done.stderr


def test_verbose_shows_what_tensorflow_prints(tile, tmp_path):
    """--verbose changes nothing: whatever `import tensorflow` prints on this machine gets through."""
    baseline = subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True, text=True,
                              env=environment(), timeout=300)
    expected = [n for n in NOISE if n in baseline.stderr]
    if not expected:
        pytest.skip("this TensorFlow prints nothing at start-up, so there is nothing to hide or show")
    for argv in (["--verbose", *patches_argv(tile, tmp_path / "a", "--patch-size", "64")],
                 [*patches_argv(tile, tmp_path / "b", "--patch-size", "64"), "--verbose"]):
        done = subprocess.run(claro(*argv), capture_output=True, text=True, env=environment(), timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert [n for n in NOISE if n in done.stderr] == expected


def test_quiet_logging_is_undone_after_the_job_and_verbose_sets_nothing(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    monkeypatch.delenv("GLOG_minloglevel", raising=False)
    with quiet.tensorflow_logging(verbose=True):
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1" and "GLOG_minloglevel" not in os.environ
    with quiet.tensorflow_logging(verbose=False):
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3" and os.environ["GLOG_minloglevel"] == "3"
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1" and "GLOG_minloglevel" not in os.environ


def test_only_known_noise_is_dropped_from_the_captured_import():
    assert quiet.is_noise("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
    assert quiet.is_noise("I0000 00:00:1796203227.441901   12564 port.cc:153] oneDNN custom operations are on.\n")
    assert not quiet.is_noise("E0000 00:00:1796203227.441901   12564 cuda.cc:1] failed to load libcudart\n")
    assert not quiet.is_noise("Traceback (most recent call last):\n")
