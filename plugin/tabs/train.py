"""The Train tab: the U-Net's options, the Train button (cut the patches, then train), the
progress with the curves per epoch, and the trained model's results (curves, confusion matrix,
model card). The patches come from the Data tab; the model goes on to the Predict tab.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QPixmap
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QSizePolicy, QVBoxLayout

from ...backend import params as P
from ...backend.card import describe, read_card
from ...backend.dataset import read_summary
from ...backend.errors import ClaroError
from ...backend.metrics import score_text
from .. import environment
from ..curves import CurvePlot, absent_classes, iou_key, iou_title, validation_iou
from ..forms import ParamsForm
from ..pace import EpochPace, pace_text
from ..runner import ClaroTask
from ..sources import SourceError
from ..words import Place
from .base import Tab, button, section

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock

#: fields shown in the tab; the rest of TrainParams is under "Advanced"
TRAIN_MAIN = ("out", "epochs", "batch_size", "learning_rate", "depth", "base_filters", "augment", "class_weights",
              "patience", "overwrite")
TRAIN_ADVANCED = ("reduce_lr_after", "dropout", "resume", "seed", "tensorboard")
#: share of the Train progress bar taken by cutting patches
PATCHES_WEIGHT = 0.15
#: the lighter U-Net offered when the TensorFlow Python has no GPU (the user's own choice is kept)
CPU_DEFAULTS = {"depth": 4, "base_filters": 16}


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


class TrainTab(Tab):
    """Train: `patches` then `train` as one job (or `train` alone on an existing dataset)."""

    def __init__(self, dock: "ClaroDock") -> None:
        super().__init__(dock)
        self.title, self.tooltip = tr("Train"), tr("Train a U-Net on the training data")
        self._pace: Optional[EpochPace] = None  # the running training's time per epoch
        self._pace_text = ""
        self._cpu_defaults_offered = False
        self._train_seen = False  # the lighter CPU defaults are offered once Train is shown
        self.last_training: dict = {}
        layout = QVBoxLayout(self)
        self.train_form = ParamsForm(P.TrainParams, TRAIN_MAIN)
        layout.addWidget(self.train_form)
        box, inner = section(tr("Advanced"))
        box.setCollapsed(True)
        self.train_advanced = ParamsForm(P.TrainParams, TRAIN_ADVANCED)
        inner.addWidget(self.train_advanced)
        layout.addWidget(box)
        row = QHBoxLayout()
        self.train_button = button(tr("Train"), tr("Cut the training data into patches, then train the U-Net."))
        self.train_button.setObjectName("ClaroTrainButton")
        self.train_button.clicked.connect(self.start_training)
        self.train_cancel = button(tr("Cancel"), tr("Stop the running job; nothing half-written is left. A training "
                                                    "keeps its best model so far and can be resumed (Resume)."))
        self.train_cancel.clicked.connect(self.dock.cancel)
        row.addWidget(self.train_button)
        row.addWidget(self.train_cancel)
        layout.addLayout(row)
        self.train_progress = QProgressBar()
        self.train_progress.setRange(0, 100)
        layout.addWidget(self.train_progress)
        self.train_status = QLabel()
        self.train_status.setWordWrap(True)
        self.train_status.setObjectName("ClaroTrainStatus")
        layout.addWidget(self.train_status)
        self.patch_counts = QLabel()  # patches per split, once they are cut: an empty split shows here
        self.patch_counts.setWordWrap(True)
        self.patch_counts.setObjectName("ClaroPatchCounts")
        layout.addWidget(self.patch_counts)
        self.curves = CurvePlot()
        self.curves.setToolTip(tr("Loss and the IoU of the target class per epoch, on the training and the "
                                  "validation patches (see the legend)."))
        layout.addWidget(self.curves)

        box, inner = section(tr("Results"))
        self.results_box = box
        self.curves_image = QLabel()
        self.matrix_image = QLabel()
        for label in (self.curves_image, self.matrix_image):
            label.setAlignment(Qt.AlignCenter)
            label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.card_view = QPlainTextEdit()
        self.card_view.setReadOnly(True)
        self.card_view.setMinimumHeight(120)
        inner.addWidget(self.curves_image)
        inner.addWidget(self.matrix_image)
        inner.addWidget(self.card_view)
        layout.addWidget(box)
        layout.addStretch()

    def places(self) -> dict[str, Place]:
        return {"train": Place(self.title, TRAIN_MAIN, TRAIN_ADVANCED)}

    def restore(self) -> None:
        train = self.dock.settings.params(P.TrainParams)
        self.train_form.set_values(train)
        self.train_advanced.set_values(train)

    def set_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.train_cancel.setEnabled(running)

    def shown(self) -> None:
        # Train needs the environment's check too, to offer lighter defaults without a GPU
        setup = self.dock.setup_tab
        if not self._train_seen:
            self._train_seen = True
            python = setup.interpreter()
            info = environment.cached(python) if python else None
            if info is not None:
                self.offer_cpu_defaults(info)
        setup.shown()

    def environment_known(self, info: dict) -> None:
        if self._train_seen:  # offered where the user sees it, not behind their back on another tab
            self.offer_cpu_defaults(info)

    def offer_cpu_defaults(self, info: dict) -> bool:
        """A Python with TensorFlow but no GPU: offer the lighter U-Net (CPU_DEFAULTS) in Train, once,
        and only where the user kept the defaults. Returns whether it did."""
        if self._cpu_defaults_offered or "error" in info or not info.get("tensorflow") or info.get("gpus"):
            return False
        self._cpu_defaults_offered = True
        defaults = P.TrainParams()
        if any(self.train_form.value(name) != getattr(defaults, name) for name in CPU_DEFAULTS):
            return False  # the user chose a size: theirs to keep
        for name, value in CPU_DEFAULTS.items():
            self.train_form.set_value(name, value)
        self.train_status.setText(tr("No GPU found: Train offers a lighter U-Net (depth {}, {} base filters), which a "
                                     "CPU trains much faster; set Depth and Base filters back to {} and {} for the full "
                                     "one.").format(CPU_DEFAULTS["depth"], CPU_DEFAULTS["base_filters"],
                                                    P.TrainParams().depth, P.TrainParams().base_filters))
        return True

    def train_params(self, data: str = "") -> P.TrainParams:
        """The `claro train` parameters; `data` defaults to the Training data tab's patch dataset
        (the existing one chosen, the folder of TFRecords, else the patches' output folder)."""
        values = {**self.train_advanced.values(), **self.train_form.values()}
        if not values.get("out"):
            raise SourceError(tr("Choose where to save the model (Model file) in Train."))
        return P.TrainParams(data=data or self.dock.data_tab.dataset_folder(), **values)

    def start_training(self) -> Optional[ClaroTask]:
        """Train button: `patches` then `train` as one task (`describe` then `train` for a folder of
        TFRecords not described yet); only `train` when an existing patch dataset is chosen, a folder
        of TFRecords was described, or Resume is ticked and the patches folder already holds the
        dataset (a resumed training goes on with the patches it started with). Returns the task
        (None when refused)."""
        python = self.dock.check_ready()
        if not python:
            return None
        data = self.dock.data_tab
        try:
            patches, folder = data.training_data()  # patches: the job making the dataset first (or None)
            train = self.train_params(folder)
        except (SourceError, ValueError, ClaroError) as error:
            self.dock.log.error(self.dock.words(str(error), "describe" if data.tfrecord_radio.isChecked() else "train"))
            return None
        if isinstance(patches, P.PatchParams):
            self.dock.settings.save_params(patches)
            data.remember_class_names()
            if train.resume and (Path(patches.out) / "dataset.json").is_file():
                self.dock.log.log(tr("Resume: training goes on with the patches already in {}; they are not cut "
                                     "again.").format(patches.out))
                patches = None
        elif patches is not None:
            self.dock.settings.save_params(patches)
        self.dock.settings.save_params(train)
        self.curves.clear()
        self.curves_image.clear()
        self.matrix_image.clear()
        self.card_view.clear()
        self.patch_counts.clear()
        self._pace, self._pace_text = EpochPace(train.epochs), ""
        jobs = [train] if patches is None else [patches, train]
        self.train_status.setText(tr("Training…") if patches is None else tr("Cutting patches…")
                                  if isinstance(patches, P.PatchParams) else tr("Describing the TFRecords…"))
        task = ClaroTask(tr("Claro: train {}").format(Path(train.out).name), jobs, python,
                         weights=None if patches is None else [PATCHES_WEIGHT, 1 - PATCHES_WEIGHT],
                         grace_seconds=self.dock.settings.cancel_grace_seconds)
        task.progressed.connect(self._train_progress)
        task.epoch.connect(self._epoch)
        task.logged.connect(self.dock.job_logged)
        task.jobDone.connect(self._job_done)
        task.succeeded.connect(lambda outputs: self._training_done(train, outputs))
        task.failed.connect(lambda message, log: self.dock.job_failed(message, log, self.train_status,
                                                                      self.dock.trainingFinished, {}))
        self.dock.start(task)
        return task

    def _train_progress(self, fraction: float, message: str) -> None:
        self.train_progress.setValue(int(round(fraction * 100)))
        if fraction > PATCHES_WEIGHT and message.startswith("epoch ") and self._pace is not None:
            self._pace_text = pace_text(self._pace.update((fraction - PATCHES_WEIGHT) / (1 - PATCHES_WEIGHT)))
        if message:
            self.train_status.setText(" · ".join(t for t in (message, self._pace_text) if t))

    def _job_done(self, command: str, outputs: dict) -> None:
        """After cutting (or describing): how many patches each split got (the job's 'done' counts,
        else the dataset.json describe wrote, which the Data tab shows too)."""
        if command == "describe":
            self.dock.data_tab.show_dataset_summary()
            counts = outputs.get("counts")
            if not isinstance(counts, dict):
                try:
                    counts = read_summary(self.dock.data_tab.dataset_folder()).get("counts")
                except ClaroError:
                    counts = None
        else:
            counts = outputs.get("counts") if command == "patches" else None
        if not isinstance(counts, dict):
            return
        text = tr("Patches: train {}, validation {}, test {}").format(
            *(counts.get(split, 0) for split in ("train", "validation", "test")))
        self.patch_counts.setText(text)
        self.dock.log.log(text)

    def _epoch(self, event: dict) -> None:
        """'Epoch 3/50 · loss 0.221 (validation 0.395) · IoU of the target class (cleared) 0.412
        (validation 0.432)': what the numbers are, in words; a score with no pixels is n/a."""
        metrics = event.get("metrics") or {k: v for k, v in event.items() if k not in ("epoch", "epochs")}
        self.curves.add_epoch(metrics)
        parts = [tr("Epoch {}/{}").format(event.get("epoch", "?"), event.get("epochs", "?"))]
        if isinstance(metrics.get("loss"), (int, float)):
            parts.append(tr("loss {} (validation {})").format(score_text(metrics["loss"]), score_text(metrics.get("val_loss"))))
        iou = iou_key(metrics)
        absent = absent_classes(metrics)
        if iou:
            parts.append(tr("{} {} (validation {})").format(iou_title(metrics), score_text(metrics.get(iou)),
                                                            score_text(validation_iou(metrics, f"val_{iou}"))))
        text = " · ".join(p for p in (*parts, self._pace_text) if p)
        if absent:
            text += "\n" + tr("Warning: the validation patches hold no {} pixels, so {} scores are n/a; another "
                              "split (Data ▸ Advanced) or more labels would score them.").format(
                tr(" or ").join(absent), tr("its") if len(absent) == 1 else tr("their"))
        self.train_status.setText(text)

    def _training_done(self, train: P.TrainParams, outputs: dict) -> None:
        self.dock.job_ended()
        self.train_progress.setValue(100)
        model = str(outputs.get("model") or outputs.get("out") or train.out)
        self.last_training = {**outputs, "model": model}
        self.show_training_results(model, outputs)
        self.dock.predict_tab.predict_form.set_value("model", model)  # the raster to classify stays the user's choice
        self.train_status.setText(tr("Model saved: {}").format(model))
        self.dock.log.success(tr("Training finished: {}").format(model))
        self.dock.trainingFinished.emit(True, self.last_training)

    def show_training_results(self, model: str, outputs: Optional[dict] = None) -> None:
        """Curves PNG, confusion matrix PNG and the card (with its metrics) of a trained model."""
        pngs = [str(v) for v in (outputs or {}).values() if isinstance(v, str) and v.lower().endswith(".png")]
        folder = Path(model).parent
        pngs += [str(p) for p in sorted(folder.glob(f"{Path(model).stem}*.png")) if str(p) not in pngs]
        curves = next((p for p in pngs if "curve" in Path(p).name.lower()), None)
        matrix = next((p for p in pngs if "confusion" in Path(p).name.lower()), None)
        width = max(self.dock.tabs.width() - 70, 200)
        for label, path in ((self.curves_image, curves), (self.matrix_image, matrix)):
            if path and Path(path).is_file():
                pixmap = QPixmap(path).scaledToWidth(width, Qt.SmoothTransformation)
                label.setPixmap(pixmap)
                label.setMinimumHeight(pixmap.height())  # the width may shrink with the dock; never widen it
                label.setToolTip(path)
            else:
                label.clear()
        try:
            self.card_view.setPlainText(self.dock.words(describe(read_card(model), model), "predict"))
        except ClaroError as error:
            self.card_view.setPlainText(str(error))

