"""plugin/pace.py: the time per epoch from the train job's batch progress, and the dock shows it."""
from __future__ import annotations

from claro.backend.train import TRAIN_SHARE
from claro.plugin.pace import EpochPace, pace_text


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_pace_comes_from_the_batches_after_the_first():
    clock = Clock()
    pace = EpochPace(epochs=10, clock=clock)
    assert pace.update(0.0) is None  # the first batch: building the graph is not counted
    for batch in range(1, 5):  # 20 batches per epoch, 30 s each
        clock.now += 30
        seconds = pace.update(TRAIN_SHARE * batch / 20 / 10)
    assert seconds == 600.0
    assert pace_text(seconds) == "about 10 min per epoch"
    assert pace_text(None) == "" and pace_text(42) == "under a minute per epoch"


def test_too_little_seen_gives_no_estimate():
    clock = Clock()
    pace = EpochPace(epochs=10, clock=clock)
    pace.update(0.0)
    clock.now += 1
    assert pace.update(TRAIN_SHARE * 0.01) is None  # one batch, one second


def test_the_dock_says_the_time_per_epoch_while_training(dock):
    from claro.plugin import dock as D

    clock = Clock()
    dock.train_tab._pace, dock.train_tab._pace_text = EpochPace(5, clock=clock), ""
    job = lambda f: D.PATCHES_WEIGHT + (1 - D.PATCHES_WEIGHT) * TRAIN_SHARE * f  # noqa: E731
    dock._train_progress(D.PATCHES_WEIGHT, "cutting patches")
    assert dock.train_status.text() == "cutting patches"
    for batch in range(0, 5):  # 10 batches per epoch, 48 s each: 8 min per epoch
        dock._train_progress(job(batch / 10 / 5), "epoch 1/5")
        clock.now += 48
    assert dock.train_status.text() == "epoch 1/5 · about 8 min per epoch"


def test_a_cpu_only_python_gets_lighter_defaults_unless_the_user_chose(dock):
    assert (dock.train_form.value("depth"), dock.train_form.value("base_filters")) == (5, 32)
    assert not dock.offer_cpu_defaults({"tensorflow": "2.21.0", "gpus": ["/physical_device:GPU:0"]})
    assert (dock.train_form.value("depth"), dock.train_form.value("base_filters")) == (5, 32)
    assert dock.offer_cpu_defaults({"tensorflow": "2.21.0", "gpus": []})
    assert (dock.train_form.value("depth"), dock.train_form.value("base_filters")) == (4, 16)
    assert dock.train_status.text().startswith("No GPU found: Train offers a lighter U-Net (depth 4, 16 base filters)")


def test_a_size_the_user_chose_is_kept_on_a_cpu(dock):
    dock.train_form.set_value("base_filters", 64)
    assert not dock.offer_cpu_defaults({"tensorflow": "2.21.0", "gpus": []})
    assert (dock.train_form.value("depth"), dock.train_form.value("base_filters")) == (5, 64)
