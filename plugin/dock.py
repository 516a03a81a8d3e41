"""The Claro dock: training data, training, prediction and the TensorFlow environment.

Why it looks like this: an analyst works top to bottom — pick the image and the labels, name
the classes, train, predict — and never leaves QGIS. Every hyperparameter widget is generated
from the params dataclasses (forms.py), so labels, defaults and help match the command line.
Work runs as ClaroTasks (runner.py) in a child Python; this module only collects parameters,
shows progress and turns results into styled layers (layers.py).
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Any, Optional

from qgis.core import Qgis, QgsApplication, QgsMapLayerProxyModel, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsCollapsibleGroupBox, QgsColorButton, QgsDockWidget, QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QPixmap
from qgis.PyQt.QtWidgets import (QAbstractItemView, QCheckBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                                 QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QScrollArea, QSizePolicy, QTableWidget,
                                 QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ..backend import params as P
from ..backend.card import default_classes, describe, read_card
from ..backend.errors import ClaroError
from ..backend.labels import MAX_SAMPLE_PIXELS, check_class_values, raster_size
from ..backend.metrics import score_text
from ..backend.predict import select_bands
from . import environment
from .child import log_tail
from .curves import CurvePlot, absent_classes, iou_key, iou_title, validation_iou
from .forms import ParamsForm, field_help, field_label
from .layers import add_class_layer, add_probability_layer
from .log import ClaroLog
from .runner import ClaroTask
from .pace import EpochPace, pace_text
from .settings import Settings
from .sources import (IGNORE_VALUE, READ_NOW_PIXELS, LabelValuesTask, SourceError, backend_path, label_values,
                      raster_values)
from .words import DockWords, Place

#: fields shown in each section; the rest of each dataclass is under "Advanced"
PATCH_MAIN = ("background", "bands", "patch_size", "stride", "out", "overwrite")
PATCH_ADVANCED = ("ignore_value", "split", "seed", "min_labelled")
TRAIN_MAIN = ("out", "epochs", "batch_size", "learning_rate", "depth", "base_filters", "augment", "class_weights",
              "patience", "overwrite")
TRAIN_ADVANCED = ("reduce_lr_after", "dropout", "resume", "seed", "tensorboard")
PREDICT_MAIN = ("model", "overlap", "out", "overwrite")
PREDICT_ADVANCED = ("window", "batch_size", "bands", "classes")
#: share of the Train progress bar taken by cutting patches
PATCHES_WEIGHT = 0.15
#: the lighter U-Net offered when the TensorFlow Python has no GPU (the user's own choice is kept)
CPU_DEFAULTS = {"depth": 4, "base_filters": 16}


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def probabilities_path(out: str) -> str:
    """Where the probability raster goes when 'probabilities' is ticked: beside the class raster."""
    path = Path(out)
    return str(path.with_name(f"{path.stem}_probabilities{path.suffix or '.tif'}"))


class ClassTable(QTableWidget):
    """Value (fixed) | name (editable) | colour (button) per class."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels([tr("Value"), tr("Name"), tr("Colour")])
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.verticalHeader().setVisible(False)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.setMinimumHeight(90)
        self.setToolTip(tr("Class values found in the labels; give each a name and a colour. "
                           "The model, the legend and the style of the results use them."))

    def set_classes(self, classes: list[dict]) -> None:
        self.setRowCount(0)
        for c in classes:
            row = self.rowCount()
            self.insertRow(row)
            value = QTableWidgetItem(str(c["value"]))
            value.setFlags(Qt.ItemIsEnabled)
            self.setItem(row, 0, value)
            self.setItem(row, 1, QTableWidgetItem(str(c.get("name") or f"class {c['value']}")))
            button = QgsColorButton()
            button.setColor(QColor(c.get("color") or "#888888"))
            button.setShowMenu(False)
            self.setCellWidget(row, 2, button)
        self.resizeColumnToContents(0)

    def classes(self) -> list[dict]:
        result = []
        for row in range(self.rowCount()):
            name = (self.item(row, 1).text() if self.item(row, 1) else "").strip().replace(":", " ").replace(",", " ")
            value = int(self.item(row, 0).text())
            result.append({"value": value, "name": name or f"class {value}",
                           "color": self.cellWidget(row, 2).color().name()})
        return result


def _section(title: str) -> tuple[QgsCollapsibleGroupBox, QVBoxLayout]:
    box = QgsCollapsibleGroupBox(title)
    layout = QVBoxLayout(box)
    return box, layout


class ClaroDock(QgsDockWidget):
    """The dock. Public for tests and the desktop smoke test: the *_params() builders,
    start_training(), start_prediction(), cancel(), and the finished signals."""

    trainingFinished = pyqtSignal(bool, dict)  # noqa: N815  ok, the train job's 'done' fields
    predictionFinished = pyqtSignal(bool, object)  # noqa: N815  ok, the class layer (or None)

    def __init__(self, iface: Any = None, parent: Optional[QWidget] = None, settings: Optional[Settings] = None) -> None:
        super().__init__(tr("Claro"), parent)
        self.setObjectName("ClaroDock")
        self.iface = iface
        self.settings = settings or Settings()
        self.log = ClaroLog(iface)
        self.task: Optional[ClaroTask] = None
        self._pace: Optional[EpochPace] = None  # the running training's time per epoch
        self._pace_text = ""
        self._cpu_defaults_offered = False
        self.env_task = None
        self.probe_task = None
        self.last_training: dict = {}
        self._export_dir: Optional[str] = None
        self._values_generation = 0
        self._values_tasks: list[LabelValuesTask] = []
        self._shut_down = False
        self.tabs = QTabWidget()
        # Short tab names, so all four show in a new dock (~300 px) without scroll arrows; the
        # tooltips say more. In a narrower dock the names are elided rather than scrolled away.
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.ElideRight)
        data, train, predict = tr("Data"), tr("Train"), tr("Predict")
        pages = ((self._build_data, data, tr("Training data: the image, the labels and the classes")),
                 (self._build_train, train, tr("Train a U-Net on the training data")),
                 (self._build_predict, predict, tr("Classify a raster with a trained model")),
                 (self._build_environment, tr("Setup"), tr("The Python environment with TensorFlow that runs the jobs")))
        for build, title, tooltip in pages:
            index = self.tabs.addTab(self._scroll(build()), title)
            self.tabs.setTabToolTip(index, tooltip)
        #: backend sentences name command-line options; the dock says where that option is instead
        self.words = DockWords({
            "patches": Place(data, (*PATCH_MAIN, "class_field"), PATCH_ADVANCED, {
                "images": tr("Image layer"), "labels": tr("Label layer"), "classes": tr("Classes")}),
            "train": Place(train, TRAIN_MAIN, TRAIN_ADVANCED),
            "predict": Place(predict, PREDICT_MAIN, PREDICT_ADVANCED, {
                "image": tr("Raster layer"), "probabilities": self.probabilities_check.text()}),
        }, tr("Advanced"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setWidget(self.tabs)
        self._restore()
        self._update_label_controls()
        self._update_running(False)

    # ================================================================== building
    @staticmethod
    def _scroll(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # forms follow the dock's width
        area.setWidget(widget)
        for form in widget.findChildren(QFormLayout):  # the dock's own forms wrap as ParamsForm's do
            form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        return area

    def _button(self, text: str, tooltip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tooltip)
        return button

    def _build_data(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.image_combo = QgsMapLayerComboBox()
        self.image_combo.setObjectName("ClaroImageCombo")
        self.image_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.image_combo.setToolTip(tr("The image raster to learn from (satellite or aerial; any band count)."))
        form.addRow(tr("Image layer"), self.image_combo)
        self.label_combo = QgsMapLayerComboBox()
        self.label_combo.setObjectName("ClaroLabelCombo")
        self.label_combo.setFilters(QgsMapLayerProxyModel.RasterLayer | QgsMapLayerProxyModel.PolygonLayer)
        self.label_combo.setToolTip(field_help(dict((f.name, f) for f in dataclasses.fields(P.PatchParams))["labels"]))
        form.addRow(tr("Label layer"), self.label_combo)
        class_field = [f for f in dataclasses.fields(P.PatchParams) if f.name == "class_field"][0]
        self.class_field_combo = QgsFieldComboBox()
        self.class_field_combo.setObjectName("ClaroClassField")
        self.class_field_combo.setAllowEmptyFieldName(True)
        self.class_field_combo.setToolTip(field_help(class_field))
        form.addRow(field_label(class_field), self.class_field_combo)
        layout.addLayout(form)
        self.patch_form = ParamsForm(P.PatchParams, PATCH_MAIN)
        layout.addWidget(self.patch_form)

        layout.addWidget(QLabel(tr("Classes")))
        self.class_table = ClassTable()
        layout.addWidget(self.class_table)
        row = QHBoxLayout()
        self.read_classes_button = self._button(tr("Read classes from labels"),
                                                tr("List the class values found in the label layer."))
        self.read_classes_button.clicked.connect(lambda: self.fill_classes(keep_names=True))
        row.addWidget(self.read_classes_button)
        row.addStretch()
        layout.addLayout(row)
        self.data_message = QLabel()
        self.data_message.setWordWrap(True)
        self.data_message.setObjectName("ClaroDataMessage")
        layout.addWidget(self.data_message)

        box, inner = _section(tr("Advanced"))
        box.setCollapsed(True)
        self.patch_advanced = ParamsForm(P.PatchParams, PATCH_ADVANCED)
        inner.addWidget(self.patch_advanced)
        layout.addWidget(box)
        layout.addStretch()

        # layerChanged is not emitted when adding layers to the project changes the current one
        self._label_layer_id: Optional[str] = None
        self.label_combo.layerChanged.connect(self._label_layer_changed)
        self.label_combo.currentIndexChanged.connect(lambda *_: self._label_layer_changed(self.label_combo.currentLayer()))
        self.class_field_combo.fieldChanged.connect(lambda *_: self.fill_classes(keep_names=True))
        self.patch_form.widget("background").editingFinished.connect(lambda: self.fill_classes(keep_names=True))
        return page

    def _build_train(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.train_form = ParamsForm(P.TrainParams, TRAIN_MAIN)
        layout.addWidget(self.train_form)
        box, inner = _section(tr("Advanced"))
        box.setCollapsed(True)
        self.train_advanced = ParamsForm(P.TrainParams, TRAIN_ADVANCED)
        inner.addWidget(self.train_advanced)
        layout.addWidget(box)
        row = QHBoxLayout()
        self.train_button = self._button(tr("Train"), tr("Cut the training data into patches, then train the U-Net."))
        self.train_button.setObjectName("ClaroTrainButton")
        self.train_button.clicked.connect(self.start_training)
        self.train_cancel = self._button(tr("Cancel"), tr("Stop the running job; nothing half-written is left. A training "
                                                          "keeps its best model so far and can be resumed (Resume)."))
        self.train_cancel.clicked.connect(self.cancel)
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

        box, inner = _section(tr("Results"))
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
        return page

    def _build_predict(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.predict_form = ParamsForm(P.PredictParams, PREDICT_MAIN)
        layout.addWidget(self.predict_form)
        form = QFormLayout()
        image_field = [f for f in dataclasses.fields(P.PredictParams) if f.name == "image"][0]
        self.predict_combo = QgsMapLayerComboBox()
        self.predict_combo.setObjectName("ClaroPredictCombo")
        self.predict_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.predict_combo.setAllowEmptyLayer(True)  # no default: the user says which raster to classify
        self.predict_combo.setLayer(None)
        self.predict_combo.setToolTip(field_help(image_field))
        form.addRow(tr("Raster layer"), self.predict_combo)
        probabilities = [f for f in dataclasses.fields(P.PredictParams) if f.name == "probabilities"][0]
        self.probabilities_check = QCheckBox(tr("Also write probabilities"))
        self.probabilities_check.setToolTip(field_help(probabilities))
        form.addRow(self.probabilities_check)
        layout.addLayout(form)
        self.model_card = QPlainTextEdit()
        self.model_card.setReadOnly(True)
        self.model_card.setMaximumHeight(130)
        self.model_card.setPlaceholderText(tr("Choose a model file to see its bands and classes."))
        layout.addWidget(self.model_card)
        box, inner = _section(tr("Advanced"))
        box.setCollapsed(True)
        self.predict_advanced = ParamsForm(P.PredictParams, PREDICT_ADVANCED)
        inner.addWidget(self.predict_advanced)
        layout.addWidget(box)
        row = QHBoxLayout()
        self.predict_button = self._button(tr("Predict"), tr("Classify the raster with the model and add the result as a layer."))
        self.predict_button.setObjectName("ClaroPredictButton")
        self.predict_button.clicked.connect(self.start_prediction)
        self.predict_cancel = self._button(tr("Cancel"), tr("Stop the running job; nothing half-written is left."))
        self.predict_cancel.clicked.connect(self.cancel)
        row.addWidget(self.predict_button)
        row.addWidget(self.predict_cancel)
        layout.addLayout(row)
        self.predict_progress = QProgressBar()
        self.predict_progress.setRange(0, 100)
        layout.addWidget(self.predict_progress)
        self.predict_status = QLabel()
        self.predict_status.setWordWrap(True)
        layout.addWidget(self.predict_status)
        layout.addStretch()
        self.predict_form.widget("model").fileChanged.connect(self.show_model_card)
        return page

    def _build_environment(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.interpreter_widget = QgsFileWidget()
        self.interpreter_widget.setObjectName("ClaroInterpreter")
        self.interpreter_widget.setStorageMode(QgsFileWidget.GetFile)
        self.interpreter_widget.setToolTip(tr("The Python that runs TensorFlow (any venv or conda environment with "
                                              "TensorFlow 2.21 and GDAL). Empty: found automatically."))
        form.addRow(tr("Python"), self.interpreter_widget)
        layout.addLayout(form)
        self.env_info = QLabel(tr("Not checked yet."))
        self.env_info.setWordWrap(True)
        self.env_info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.env_info)
        row = QHBoxLayout()
        self.check_button = self._button(tr("Check"), tr("Start this Python and report its TensorFlow version and devices."))
        self.check_button.clicked.connect(self.check_environment)
        self.create_button = self._button(tr("Create…"),  # short: it fits beside Check in a new dock
                                          tr("Make a Python environment in the QGIS profile and install TensorFlow "
                                             "into it (a download of several hundred MB)."))
        self.create_button.clicked.connect(self.create_environment)
        row.addWidget(self.check_button)
        row.addWidget(self.create_button)
        layout.addLayout(row)
        note = QLabel(environment.WINDOWS_GPU_NOTE if os.name == "nt" else
                      tr("With an NVIDIA GPU and driver, the environment gets TensorFlow's GPU build."))
        note.setWordWrap(True)
        layout.addWidget(note)
        self.env_progress = QProgressBar()
        self.env_progress.setRange(0, 100)
        self.env_progress.setVisible(False)
        layout.addWidget(self.env_progress)
        self.env_log = QPlainTextEdit()
        self.env_log.setReadOnly(True)
        self.env_log.setMaximumBlockCount(2000)
        self.env_log.setPlaceholderText(tr("Installation log"))
        layout.addWidget(self.env_log)
        self.interpreter_widget.fileChanged.connect(self._interpreter_changed)
        self._env_checked = False
        return page

    # ================================================================== settings
    def _restore(self) -> None:
        patch = self.settings.params(P.PatchParams)
        self.patch_form.set_values(patch)
        self.patch_advanced.set_values(patch)
        train = self.settings.params(P.TrainParams)
        self.train_form.set_values(train)
        self.train_advanced.set_values(train)
        predict = self.settings.params(P.PredictParams)
        self.predict_form.set_values(predict)
        self.predict_advanced.set_values(predict)
        self.probabilities_check.setChecked(bool(predict.probabilities))
        self.interpreter_widget.blockSignals(True)
        self.interpreter_widget.setFilePath(self.settings.interpreter)
        self.interpreter_widget.blockSignals(False)

    # ================================================================== training data
    def _label_layer_changed(self, layer) -> None:
        layer_id = layer.id() if layer is not None else None
        if layer_id == self._label_layer_id:
            return
        self._label_layer_id = layer_id
        self._update_label_controls()
        self.fill_classes(keep_names=True)

    def _update_label_controls(self) -> None:
        layer = self.label_combo.currentLayer()
        vector = isinstance(layer, QgsVectorLayer)
        self.class_field_combo.setLayer(layer if vector else None)
        self.class_field_combo.setEnabled(vector)
        self.patch_form.widget("background").setEnabled(vector)

    def fill_classes(self, keep_names: bool = True) -> list[dict]:
        """Fill the class table from the label layer's values; names/colours already given are kept.

        Which values are classes is the backend's rule (backend/labels.py), so the table and
        `claro patches` agree. A label raster larger than READ_NOW_PIXELS is never read on the
        GUI thread: a LabelValuesTask reads a bounded sample of its blocks (the table fills when
        it is done), then every pixel (rare classes are added when that is done); the table
        shows "Reading label values…" meanwhile and this returns []. A read started for a layer,
        field or background no longer chosen is dropped when it ends.
        """
        self._values_generation += 1  # any read still running is now stale
        self._cancel_values_reads()
        layer = self.label_combo.currentLayer()
        self.data_message.setText("")
        if layer is None:
            self.class_table.set_classes([])
            return []
        known = {c["value"]: c for c in (self.class_table.classes() if keep_names else [])}
        if keep_names and self.settings.classes:
            try:
                for c in P.parse_classes(self.settings.classes):
                    known.setdefault(c["value"], c)
            except ValueError:
                pass
        try:
            if isinstance(layer, QgsRasterLayer):
                path = backend_path(layer, self._exports())
                if raster_size(path) > READ_NOW_PIXELS:
                    self._start_values_read(path, MAX_SAMPLE_PIXELS, known)
                    return []
                values = raster_values(path, ignore_value=self._ignore_value())
            else:
                values = label_values(layer, self.class_field_combo.currentField() or None,
                                      self.patch_form.value("background") or "0", self._exports())
        except (SourceError, ValueError) as error:
            self.data_message.setText(str(error))
            return self.class_table.classes()
        return self._show_classes(values, known, layer.name())

    def _show_classes(self, values: list[int], known: dict, layer_name: str) -> list[dict]:
        """Class values → table rows (known names and colours kept); values that cannot be
        classes empty the table and say how to remap, as `claro patches` would refuse them."""
        try:
            check_class_values(values, f"the label layer '{layer_name}'")  # the backend's sentence, as patches says it
        except ClaroError as error:
            self.class_table.set_classes([])
            self.data_message.setText(str(error))
            return []
        defaults = default_classes(values)
        classes = [{**d, **{k: v for k, v in known.get(d["value"], {}).items() if v}} for d in defaults]
        self.class_table.set_classes(classes)
        return classes

    def _ignore_value(self) -> int:
        try:
            return int(self.patch_advanced.value("ignore_value"))
        except (TypeError, ValueError):
            return IGNORE_VALUE

    def _start_values_read(self, path: str, max_pixels: Optional[int], known: dict) -> None:
        task = LabelValuesTask(path, max_pixels, self._values_generation, self._ignore_value())
        task.known = known
        task.layer_name = self.label_combo.currentLayer().name()
        task.valuesRead.connect(self._values_read)
        self._values_tasks.append(task)  # keep the Python object alive until it reports
        if max_pixels is not None:
            self.class_table.set_classes([])
            self.data_message.setText(tr("Reading label values…"))
        QgsApplication.taskManager().addTask(task)

    def _values_read(self, task: LabelValuesTask) -> None:
        """A LabelValuesTask ended (GUI thread): fill the table unless the read is stale."""
        if task in self._values_tasks:
            self._values_tasks.remove(task)
        if task.generation != self._values_generation or self._shut_down:
            return  # another layer, field or background was chosen meanwhile
        if task.error or task.sample is None:
            self.data_message.setText(task.error or tr("Reading the label values was cancelled."))
            return
        known = {**task.known, **{c["value"]: c for c in self.class_table.classes()}}
        sample = task.sample
        if not self._show_classes(sample.values, known, task.layer_name):
            return  # the reason is in the message
        if sample.complete:
            self.data_message.setText("")
        else:  # rare classes outside the sampled blocks: read every pixel, still off the GUI thread
            self.data_message.setText(tr("Classes from {:.0%} of the label raster; reading the rest…").format(
                sample.pixels_read / max(1, sample.pixels)))
            self._start_values_read(task.path, None, known)

    def _cancel_values_reads(self) -> None:
        for task in list(self._values_tasks):
            try:
                task.cancel()
            except RuntimeError:  # already deleted by the task manager
                self._values_tasks.remove(task)

    def _exports(self) -> str:
        if self._export_dir is None or not Path(self._export_dir).is_dir():
            self._export_dir = tempfile.mkdtemp(prefix="claro-layers-")
        return self._export_dir

    def patch_params(self) -> P.PatchParams:
        """The `claro patches` parameters from the Training data section (layers exported if needed)."""
        image, labels = self.image_combo.currentLayer(), self.label_combo.currentLayer()
        if image is None:
            raise SourceError(tr("Choose an image layer in Training data."))
        if labels is None:
            raise SourceError(tr("Choose a label layer in Training data."))
        # While a large label raster is still being read the table is empty: no --classes, and
        # `claro patches` takes every class value it finds (by the same rule).
        classes = self.class_table.classes() or (self.fill_classes() if not self._values_tasks else [])
        values = {**self.patch_advanced.values(), **self.patch_form.values()}
        if not values.get("out"):
            raise SourceError(tr("Choose an output folder for the patches in Training data."))
        field = self.class_field_combo.currentField() if isinstance(labels, QgsVectorLayer) else ""
        return P.PatchParams(images=[backend_path(image, self._exports())], labels=[backend_path(labels, self._exports())],
                             class_field=field or None, classes=P.format_classes(classes) if classes else None, **values)

    # ================================================================== train
    def train_params(self, data: str = "") -> P.TrainParams:
        """The `claro train` parameters; `data` defaults to the Training data output folder."""
        values = {**self.train_advanced.values(), **self.train_form.values()}
        if not values.get("out"):
            raise SourceError(tr("Choose where to save the model (Model file) in Train."))
        return P.TrainParams(data=data or self.patch_form.value("out"), **values)

    def interpreter(self) -> str:
        """The TensorFlow Python for jobs ('' when none is known)."""
        chosen = self.interpreter_widget.filePath().strip() or self.settings.interpreter
        found = environment.find_interpreter(chosen)
        return str(found) if found else ""

    def _check_ready(self) -> Optional[str]:
        if self.task is not None:
            self.log.warning(tr("A Claro job is already running; wait for it or cancel it."))
            return None
        python = self.interpreter()
        if not python:
            self.log.error(tr("No Python with TensorFlow was found; create one in Claro's Setup tab."))
            self.tabs.setCurrentIndex(3)
            return None
        return python

    def start_training(self) -> Optional[ClaroTask]:
        """Train button: `patches` then `train` as one task. Returns the task (None when refused)."""
        python = self._check_ready()
        if not python:
            return None
        try:
            patches = self.patch_params()
            train = self.train_params(patches.out)
        except (SourceError, ValueError, ClaroError) as error:
            self.log.error(self.words(str(error), "train"))
            return None
        self.settings.save_params(patches)
        self.settings.save_params(train)
        if patches.classes:
            self.settings.classes = patches.classes
        self.curves.clear()
        self.curves_image.clear()
        self.matrix_image.clear()
        self.card_view.clear()
        self.patch_counts.clear()
        self._pace, self._pace_text = EpochPace(train.epochs), ""
        self.train_status.setText(tr("Cutting patches…"))
        task = ClaroTask(tr("Claro: train {}").format(Path(train.out).name), [patches, train], python,
                         weights=[PATCHES_WEIGHT, 1 - PATCHES_WEIGHT],
                         grace_seconds=self.settings.cancel_grace_seconds)
        task.progressed.connect(self._train_progress)
        task.epoch.connect(self._epoch)
        task.logged.connect(self._logged)
        task.jobDone.connect(self._job_done)
        task.succeeded.connect(lambda outputs: self._training_done(train, outputs))
        task.failed.connect(lambda message, log: self._failed(message, log, self.train_status, self.trainingFinished, {}))
        self._start(task)
        return task

    def _start(self, task: ClaroTask) -> None:
        self.task = task
        self._update_running(True)
        self.log.log(tr("Started: {}").format(task.description()))
        QgsApplication.taskManager().addTask(task)

    def _update_running(self, running: bool) -> None:
        for button in (self.train_button, self.predict_button):
            button.setEnabled(not running)
        for button in (self.train_cancel, self.predict_cancel):
            button.setEnabled(running)

    def _train_progress(self, fraction: float, message: str) -> None:
        self.train_progress.setValue(int(round(fraction * 100)))
        if fraction > PATCHES_WEIGHT and message.startswith("epoch ") and self._pace is not None:
            self._pace_text = pace_text(self._pace.update((fraction - PATCHES_WEIGHT) / (1 - PATCHES_WEIGHT)))
        if message:
            self.train_status.setText(" · ".join(t for t in (message, self._pace_text) if t))

    def _job_done(self, command: str, outputs: dict) -> None:
        """After cutting: how many patches each split got (from the patches job's 'done' counts)."""
        counts = outputs.get("counts") if command == "patches" else None
        if not isinstance(counts, dict):
            return
        text = tr("Patches: train {}, validation {}, test {}").format(
            *(counts.get(split, 0) for split in ("train", "validation", "test")))
        self.patch_counts.setText(text)
        self.log.log(text)

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
        self.task = None
        self._update_running(False)
        self.train_progress.setValue(100)
        model = str(outputs.get("model") or outputs.get("out") or train.out)
        self.last_training = {**outputs, "model": model}
        self.show_training_results(model, outputs)
        self.predict_form.set_value("model", model)  # the raster to classify stays the user's choice
        self.train_status.setText(tr("Model saved: {}").format(model))
        self.log.success(tr("Training finished: {}").format(model))
        self.trainingFinished.emit(True, self.last_training)

    def show_training_results(self, model: str, outputs: Optional[dict] = None) -> None:
        """Curves PNG, confusion matrix PNG and the card (with its metrics) of a trained model."""
        pngs = [str(v) for v in (outputs or {}).values() if isinstance(v, str) and v.lower().endswith(".png")]
        folder = Path(model).parent
        pngs += [str(p) for p in sorted(folder.glob(f"{Path(model).stem}*.png")) if str(p) not in pngs]
        curves = next((p for p in pngs if "curve" in Path(p).name.lower()), None)
        matrix = next((p for p in pngs if "confusion" in Path(p).name.lower()), None)
        width = max(self.tabs.width() - 70, 200)
        for label, path in ((self.curves_image, curves), (self.matrix_image, matrix)):
            if path and Path(path).is_file():
                pixmap = QPixmap(path).scaledToWidth(width, Qt.SmoothTransformation)
                label.setPixmap(pixmap)
                label.setMinimumHeight(pixmap.height())  # the width may shrink with the dock; never widen it
                label.setToolTip(path)
            else:
                label.clear()
        try:
            self.card_view.setPlainText(self.words(describe(read_card(model), model), "predict"))
        except ClaroError as error:
            self.card_view.setPlainText(str(error))

    def _logged(self, message: str) -> None:
        """A job's log line ('train: …'), in the dock's words."""
        command = message.split(":", 1)[0]
        self.log.log(self.words(message, command))

    def _failed(self, message: str, log_path: str, status: QLabel, signal, payload) -> None:
        cancelled = bool(self.task is not None and self.task.was_cancelled)
        message = self.words(message, self.task.command if self.task is not None else "")
        self.task = None
        self._update_running(False)
        status.setText(message)
        details = tr("Log: {}").format(log_path) + ("\n" + log_tail(log_path, 30) if log_path else "")
        level = Qgis.Warning if cancelled else Qgis.Critical
        self.log.notify(message, level, details)
        signal.emit(False, payload)

    def cancel(self) -> None:
        """Cancel the running job (the child gets SIGTERM, then is killed)."""
        if self.task is not None:
            self.task.cancel()

    # ================================================================== predict
    def show_model_card(self, path: str = "") -> Optional[dict]:
        path = path or self.predict_form.value("model")
        if not path:
            self.model_card.clear()
            return None
        try:
            card = read_card(path)
        except ClaroError as error:
            self.model_card.setPlainText(str(error))
            return None
        self.model_card.setPlainText(self.words(describe(card, path), "predict"))
        return card

    def predict_params(self) -> P.PredictParams:
        """The `claro predict` parameters from the Predict section (layer exported if needed)."""
        values = {**self.predict_advanced.values(), **self.predict_form.values()}
        if not values.get("model"):
            raise SourceError(tr("Choose a model file in Predict."))
        if not values.get("out"):
            raise SourceError(tr("Choose where to write the class raster in Predict."))
        if self.predict_combo.currentLayer() is None:
            raise SourceError(tr("Choose the raster to classify (Raster layer) in Predict."))
        image = backend_path(self.predict_combo.currentLayer(), self._exports())
        probabilities = probabilities_path(values["out"]) if self.probabilities_check.isChecked() else None
        return P.PredictParams(image=image, probabilities=probabilities, **values)

    def check_bands(self, predict: P.PredictParams) -> None:
        """A band-count mismatch is known from the model card before the child starts: refuse it
        now, by prediction's own rule (ClaroError), rather than after the child loaded TensorFlow."""
        card = read_card(predict.model)
        layer = self.predict_combo.currentLayer()
        if card is None or not card.get("bands") or not isinstance(layer, QgsRasterLayer):
            return  # a plain Keras model: only the child can load it and count its inputs
        select_bands(predict, card, layer.bandCount(), len(card["bands"]), layer.name())

    def start_prediction(self) -> Optional[ClaroTask]:
        """Predict button: one `predict` task; the result is added as a styled layer."""
        python = self._check_ready()
        if not python:
            return None
        try:
            predict = self.predict_params()
            self.check_bands(predict)
        except (SourceError, ValueError, ClaroError) as error:
            self.log.error(self.words(str(error), "predict"))
            return None
        self.settings.save_params(predict)
        self.predict_status.setText(tr("Predicting…"))
        task = ClaroTask(tr("Claro: predict {}").format(Path(predict.out).name), [predict], python,
                         grace_seconds=self.settings.cancel_grace_seconds)
        task.progressed.connect(lambda f, m: (self.predict_progress.setValue(int(round(f * 100))),
                                              self.predict_status.setText(m) if m else None))
        task.logged.connect(self._logged)
        task.succeeded.connect(lambda outputs: self._prediction_done(predict, outputs))
        task.failed.connect(lambda message, log: self._failed(message, log, self.predict_status,
                                                              self.predictionFinished, None))
        self._start(task)
        return task

    def _prediction_done(self, predict: P.PredictParams, outputs: dict) -> None:
        self.task = None
        self._update_running(False)
        self.predict_progress.setValue(100)
        try:
            classes = None if predict.classes is None else P.parse_classes(predict.classes)
            card = read_card(predict.model)
            if predict.probabilities and Path(predict.probabilities).is_file():  # first, so it ends up below
                add_probability_layer(predict.probabilities, (card or {}).get("classes") or classes)
            layer = add_class_layer(predict.out, classes or (card or {}).get("classes"), model=None if card else predict.model)
        except (ValueError, ClaroError) as error:
            self.log.error(str(error))
            self.predictionFinished.emit(False, None)
            return
        self._reveal(layer)
        self.predict_status.setText(tr("Written: {}").format(predict.out))
        self.log.success(tr("Prediction added as layer '{}'.").format(layer.name()))
        self.predictionFinished.emit(True, layer)

    def _reveal(self, layer) -> None:
        """Unfold the "Claro" group and the class legend in the Layers panel (the view does not
        follow a group's expanded flag when the group is new)."""
        view = self.iface.layerTreeView() if self.iface is not None and hasattr(self.iface, "layerTreeView") else None
        if view is None or not hasattr(view, "node2index"):
            return
        node = QgsProject.instance().layerTreeRoot().findLayer(layer.id())
        if node is None:
            return
        try:
            view.expand(view.node2index(node.parent()))
            view.expand(view.node2index(node))
        except (TypeError, RuntimeError):  # a mocked interface
            pass

    # ================================================================== environment
    def _tab_changed(self, index: int) -> None:
        # Setup shows the check; Train needs it too, to offer lighter defaults without a GPU
        if index in (1, 3) and not self._env_checked:
            self.check_environment()

    def _interpreter_changed(self, path: str) -> None:
        self.settings.interpreter = path.strip()
        self.check_environment()

    def check_environment(self) -> None:
        """Probe the interpreter in the background and show what it has."""
        python = self.interpreter()
        self._env_checked = True
        if not python:
            self.env_info.setText(tr("No Python with TensorFlow was found. Click 'Create…' "
                                     "or choose an existing Python."))
            return
        from .environment import ProbeTask

        self.env_info.setText(tr("Checking {}…").format(python))
        task = ProbeTask(python)
        task.probed.connect(lambda info: self.env_info.setText(f"{python}\n{environment.describe(info)}"))
        task.probed.connect(self.offer_cpu_defaults)
        self.probe_task = task
        QgsApplication.taskManager().addTask(task)

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

    def create_environment(self, confirm: bool = True) -> None:
        """Create the venv under the QGIS profile and install TensorFlow: only on the user's click."""
        venv = environment.profile_venv()
        gpu = environment.has_nvidia_gpu()
        requirement = environment.tensorflow_requirement(gpu)
        if confirm:
            text = tr("Create a Python environment in\n{}\nand install {} into it? This downloads several hundred MB "
                      "and takes a few minutes.").format(venv, requirement)
            if os.name == "nt":
                text += "\n\n" + environment.WINDOWS_GPU_NOTE
            if QMessageBox.question(self, tr("Claro"), text) != QMessageBox.Yes:
                return
        log_path = str(Path(tempfile.gettempdir()) / "claro-environment.log")
        self.env_log.clear()
        self.env_progress.setVisible(True)
        self.env_progress.setValue(0)
        task = environment.CreateEnvironmentTask(venv, gpu, log_path)
        task.logged.connect(self.env_log.appendPlainText)
        task.progressChanged.connect(lambda value: self.env_progress.setValue(int(value)))
        task.created.connect(self._environment_created)
        task.failed.connect(lambda message: (self.env_progress.setVisible(False),
                                             self.log.error(message, log_tail(log_path, 30))))
        self.env_task = task
        QgsApplication.taskManager().addTask(task)

    def _environment_created(self, python: str) -> None:
        self.env_progress.setVisible(False)
        self.settings.interpreter = ""  # the profile venv is found automatically
        self.log.success(tr("TensorFlow environment ready: {}").format(python))
        self.check_environment()

    # ================================================================== teardown
    def shutdown(self) -> None:
        """Cancel running work (called by the plugin's unload)."""
        self._shut_down = True
        self._cancel_values_reads()
        for task in (self.task, self.env_task, self.probe_task):
            try:
                if task is not None and task.status() not in (task.Complete, task.Terminated):
                    task.cancel()
            except RuntimeError:  # already deleted by the task manager
                pass
