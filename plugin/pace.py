"""How long an epoch takes, estimated from the training's batch progress.

Why: on a CPU an epoch of the full U-Net can take an hour; a user should know after the first
batches, not after the first epoch. The train job reports progress after every batch (the
fraction of its work done, TRAIN_SHARE of it for the epochs); the time between the first batch
(which also builds the graph, so it is not counted) and the latest gives the pace.
"""
from __future__ import annotations

import time
from typing import Callable, Optional

from qgis.PyQt.QtCore import QCoreApplication

from ..backend.train import TRAIN_SHARE


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


class EpochPace:
    """Feed it the train job's progress fractions; `seconds_per_epoch` once enough is seen."""

    def __init__(self, epochs: int, clock: Callable[[], float] = time.monotonic, min_seconds: float = 5.0,
                 min_batches: int = 3) -> None:
        self.epochs = max(int(epochs), 1)
        self.clock = clock
        self.min_seconds = min_seconds
        self.min_batches = min_batches
        self.start: Optional[tuple[float, float]] = None  # (time, epochs done) at the first batch
        self.latest: Optional[tuple[float, float]] = None
        self.batches = 0

    def update(self, job_fraction: float) -> Optional[float]:
        """A progress report of the train job (0–1); returns the seconds per epoch when known."""
        position = self.epochs * min(max(job_fraction, 0.0), TRAIN_SHARE) / TRAIN_SHARE  # epochs done
        now = self.clock()
        if self.start is None:
            self.start = (now, position)
            return None
        self.batches += 1
        self.latest = (now, position)
        return self.seconds_per_epoch()

    def seconds_per_epoch(self) -> Optional[float]:
        if self.start is None or self.latest is None or self.batches < self.min_batches:
            return None
        seconds, epochs = self.latest[0] - self.start[0], self.latest[1] - self.start[1]
        if seconds < self.min_seconds or epochs <= 0:
            return None
        return seconds / epochs


def pace_text(seconds: Optional[float]) -> str:
    """'about 12 min per epoch' ('' while unknown)."""
    if seconds is None:
        return ""
    if seconds < 60:
        return tr("under a minute per epoch")
    return tr("about {} min per epoch").format(max(1, round(seconds / 60)))
