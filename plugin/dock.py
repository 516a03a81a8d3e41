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
from qgis.gui import QgsCollapsibleGroupBox, QgsColorButton, QgsDockWidget, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QPixmap
from qgis.PyQt.QtWidgets import (QAbstractItemView, QAction, QButtonGroup, QCheckBox, QFileDialog, QFormLayout, QHBoxLayout,
                                 QHeaderView, QLabel, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QRadioButton,
                                 QScrollArea, QSizePolicy, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ..backend import params as P
from ..backend.card import default_classes, describe, read_card, select_bands
from ..backend.errors import ClaroError
from ..backend.labels import MAX_SAMPLE_PIXELS, check_class_values, raster_size
from ..backend.metrics import score_text
from . import environment
from .banner import EnvironmentBanner
from .child import log_tail
from .curves import CurvePlot, absent_classes, iou_key, iou_title, validation_iou
from .forms import ParamsForm, field_help, field_label
from .layers import add_class_layer, add_probability_layer
from .log import ClaroLog
from .runner import ClaroTask
from .pace import EpochPace, pace_text
from .scenes import ScenesWidget
from .settings import Settings
from .sources import (IGNORE_VALUE, READ_NOW_PIXELS, LabelValuesTask, SourceError, backend_path, dataset_summary,
                      image_like_warning, label_source, label_values, raster_values)
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
#: index of the Setup tab
ENVIRONMENT_TAB = 3
#: the lighter U-Net offered when the TensorFlow Python has no GPU (the user's own choice is kept)
CPU_DEFAULTS = {"depth": 4, "base_filters": 16}


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def no_python_sentence() -> str:
    """The banner's sentence when no Python is found at all."""
    return tr("No Python with TensorFlow and GDAL was found, so Claro cannot train or predict yet.")


def probabilities_path(out: str) -> str:
    """Where the probability raster goes when 'probabilities' is ticked: beside the class raster."""
    path = Path(out)
    return str(path.with_name(f"{path.stem}_probabilities{path.suffix or '.tif'}"))


class ClassTable(QTableWidget):
    """Value (fixed) | name (editable) | colour (button) per class. A row can be removed (Delete
    key, right-click, or the dock's button): that value is then left out of --classes, so
    `claro patches` treats its pixels as unlabelled. `edited` follows every change by the user."""

    edited = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels([tr("Value"), tr("Name"), tr("Colour")])
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.verticalHeader().setVisible(False)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setMinimumHeight(90)
        self.setToolTip(tr("Class values found in the labels; give each a name and a colour. The model, the legend and "
                           "the style of the results use them. Remove a class (Delete key or right-click) to leave it "
                           "out: its pixels are then ignored in training, like unlabelled pixels."))
        #: values the user removed; kept out until the labels change or the classes are read again
        self.removed: set[int] = set()
        self.remove_action = QAction(tr("Remove class"), self)
        self.remove_action.triggered.connect(self.remove_selected)
        self.setContextMenuPolicy(Qt.ActionsContextMenu)
        self.addAction(self.remove_action)
        self.itemChanged.connect(lambda item: self.edited.emit() if item.column() == 1 else None)

    def set_classes(self, classes: list[dict]) -> None:
        self.blockSignals(True)  # filling is not an edit
        self.setRowCount(0)
        for c in classes:
            row = self.rowCount()
            self.insertRow(row)
            value = QTableWidgetItem(str(c["value"]))
            value.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            self.setItem(row, 0, value)
            self.setItem(row, 1, QTableWidgetItem(str(c.get("name") or f"class {c['value']}")))
            button = QgsColorButton()
            button.setColor(QColor(c.get("color") or "#888888"))
            button.setShowMenu(False)
            button.colorChanged.connect(lambda *_: self.edited.emit())
            self.setCellWidget(row, 2, button)
        self.resizeColumnToContents(0)
        self.blockSignals(False)

    def classes(self) -> list[dict]:
        result = []
        for row in range(self.rowCount()):
            name = (self.item(row, 1).text() if self.item(row, 1) else "").strip().replace(":", " ").replace(",", " ")
            value = int(self.item(row, 0).text())
            result.append({"value": value, "name": name or f"class {value}",
                           "color": self.cellWidget(row, 2).color().name()})
        return result

    def remove_row(self, row: int) -> None:
        """Remove one class: its value is no longer in --classes (its pixels are ignored)."""
        if 0 <= row < self.rowCount():
            self.removed.add(int(self.item(row, 0).text()))
            self.removeRow(row)
            self.edited.emit()

    def remove_selected(self) -> None:
        self.remove_row(self.currentRow())

    def keyPressEvent(self, event) -> None:  # noqa: N802  Qt naming
        if event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and self.state() != QAbstractItemView.EditingState:
            self.remove_selected()
            return
        super().keyPressEvent(event)


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
        self._train_seen = False  # the lighter CPU defaults are offered once Train is shown
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
        self.banner = EnvironmentBanner()  # above every tab while no working Python is selected
        self.banner.createClicked.connect(lambda: (self.tabs.setCurrentIndex(ENVIRONMENT_TAB), self.create_environment()))
        self.banner.chooseClicked.connect(self.choose_python)
        self.banner.detailsClicked.connect(lambda: self.tabs.setCurrentIndex(ENVIRONMENT_TAB))
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.banner)
        body_layout.addWidget(self.tabs)
        self.setWidget(body)
        self._restore()
        self._update_label_controls()
        self._update_running(False)
        self.check_environment()  # in the background; the answer is remembered for the jobs' start

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
        # Where the patches come from: cut from layers (the default), or a dataset cut before
        # (so a Resume, or another try of the training options, does not cut them again).
        self.cut_radio = QRadioButton(tr("Cut patches from layers"))
        self.cut_radio.setToolTip(tr("Cut the scenes below into a patch dataset, then train on it."))
        self.existing_radio = QRadioButton(tr("Existing patch dataset"))
        self.existing_radio.setObjectName("ClaroExistingDataset")
        self.existing_radio.setToolTip(tr("Train on a patch dataset folder made before (by Claro or an Earth Engine "
                                          "export with dataset.json); nothing is cut."))
        group = QButtonGroup(page)
        group.addButton(self.cut_radio)
        group.addButton(self.existing_radio)
        self.cut_radio.setChecked(True)
        layout.addWidget(self.cut_radio)
        layout.addWidget(self.existing_radio)

        self.existing_page = QWidget()
        existing = QFormLayout(self.existing_page)
        existing.setContentsMargins(0, 0, 0, 0)
        self.dataset_widget = QgsFileWidget()
        self.dataset_widget.setObjectName("ClaroDatasetFolder")
        self.dataset_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.dataset_widget.setToolTip(field_help(dict((f.name, f) for f in dataclasses.fields(P.TrainParams))["data"]))
        existing.addRow(tr("Patch dataset"), self.dataset_widget)
        self.dataset_summary = QLabel()
        self.dataset_summary.setWordWrap(True)
        self.dataset_summary.setObjectName("ClaroDatasetSummary")
        self.dataset_summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        existing.addRow(self.dataset_summary)
        layout.addWidget(self.existing_page)

        self.cut_page = QWidget()
        cut = QVBoxLayout(self.cut_page)
        cut.setContentsMargins(0, 0, 0, 0)
        self.scenes = ScenesWidget()
        first = self.scenes.rows[0]  # the first scene's widgets, by their old names (tests, desktop test)
        self.image_combo, self.label_combo, self.class_field_combo = first.image_combo, first.label_combo, first.field_combo
        self.image_combo.setObjectName("ClaroImageCombo")
        self.label_combo.setObjectName("ClaroLabelCombo")
        self.class_field_combo.setObjectName("ClaroClassField")
        cut.addWidget(self.scenes)
        self.patch_form = ParamsForm(P.PatchParams, PATCH_MAIN)
        cut.addWidget(self.patch_form)

        cut.addWidget(QLabel(tr("Classes")))
        self.class_table = ClassTable()
        cut.addWidget(self.class_table)
        row = QHBoxLayout()
        self.read_classes_button = self._button(tr("Read classes"),
                                                tr("List the class values found in the label layers (removed classes "
                                                   "come back)."))
        self.read_classes_button.clicked.connect(self._read_classes_again)
        row.addWidget(self.read_classes_button)
        self.remove_class_button = self._button(tr("Remove class"),
                                                tr("Leave the selected class out: its pixels are then ignored in "
                                                   "training, like unlabelled pixels."))
        self.remove_class_button.clicked.connect(self.class_table.remove_selected)
        row.addWidget(self.remove_class_button)
        row.addStretch()
        cut.addLayout(row)
        self.data_message = QLabel()
        self.data_message.setWordWrap(True)
        self.data_message.setObjectName("ClaroDataMessage")
        cut.addWidget(self.data_message)

        box, inner = _section(tr("Advanced"))
        box.setCollapsed(True)
        self.patch_advanced = ParamsForm(P.PatchParams, PATCH_ADVANCED)
        inner.addWidget(self.patch_advanced)
        cut.addWidget(box)
        layout.addWidget(self.cut_page)
        layout.addStretch()

        self._table_sources: tuple[str, ...] = ()  # the label sources the class table was filled for
        self._reading: dict = {}  # the class values being gathered (see fill_classes)
        self.scenes.changed.connect(self._label_layer_changed)
        self.class_table.edited.connect(self._remember_class_names)
        self.patch_form.widget("background").editingFinished.connect(lambda: self.fill_classes(keep_names=True))
        self.existing_radio.toggled.connect(self._patch_source_changed)
        self.dataset_widget.fileChanged.connect(lambda *_: self.show_dataset_summary())
        self._patch_source_changed()
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
        self.check_button.clicked.connect(lambda: self.check_environment(refresh=True))
        self.create_button = self._button(tr("Create…"),  # short: it fits beside Check in a new dock
                                          tr("Make a Python environment in the QGIS profile and install TensorFlow "
                                             "into it (a download of several hundred MB)."))
        # clicked(bool) would arrive as confirm=False and skip the question
        self.create_button.clicked.connect(lambda: self.create_environment())
        row.addWidget(self.check_button)
        row.addWidget(self.create_button)
        layout.addLayout(row)
        self.env_state = QLabel()  # a half-made environment Claro left: Repair or Remove
        self.env_state.setObjectName("ClaroEnvironmentState")
        self.env_state.setWordWrap(True)
        layout.addWidget(self.env_state)
        row = QHBoxLayout()
        self.repair_button = self._button(tr("Repair"), tr("Install TensorFlow again into the incomplete environment "
                                                           "(asks before downloading)."))
        self.repair_button.clicked.connect(lambda: self.create_environment(repair=True))
        self.remove_button = self._button(tr("Remove"), tr("Delete the incomplete environment folder Claro made."))
        self.remove_button.clicked.connect(lambda: self.remove_environment())
        row.addWidget(self.repair_button)
        row.addWidget(self.remove_button)
        row.addStretch()
        layout.addLayout(row)
        note = QLabel(environment.WINDOWS_GPU_NOTE if os.name == "nt" else
                      tr("With an NVIDIA GPU and driver, the environment gets TensorFlow's GPU build."))
        note.setWordWrap(True)
        layout.addWidget(note)
        self.env_progress = QProgressBar()
        self.env_progress.setRange(0, 100)
        self.env_progress.setVisible(False)
        layout.addWidget(self.env_progress)
        self.env_cancel = self._button(tr("Cancel"), tr("Stop creating the environment; it is left incomplete, "
                                                        "to repair or remove."))
        self.env_cancel.clicked.connect(self.cancel_environment)
        self.env_cancel.setVisible(False)
        layout.addWidget(self.env_cancel)
        self.env_log = QPlainTextEdit()
        self.env_log.setReadOnly(True)
        self.env_log.setMaximumBlockCount(2000)
        self.env_log.setPlaceholderText(tr("Installation log"))
        layout.addWidget(self.env_log)
        self.interpreter_widget.fileChanged.connect(self._interpreter_changed)
        self._env_checked = False
        self._show_environment_state()
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
    def _label_layer_changed(self, *_args) -> None:
        """A scene's label layer or class field changed, or a scene was added or removed."""
        self._update_label_controls()
        self.fill_classes(keep_names=True)

    def _update_label_controls(self) -> None:
        vector = any(isinstance(layer, QgsVectorLayer) for layer, _ in self.scenes.label_layers())
        self.patch_form.widget("background").setEnabled(vector)

    def _patch_source_changed(self, *_args) -> None:
        existing = self.existing_radio.isChecked()
        self.existing_page.setVisible(existing)
        self.cut_page.setVisible(not existing)
        if existing:
            cut = self.patch_form.value("out")  # the dataset cut last is the one most often trained again
            if not self.dataset_widget.filePath().strip() and cut and (Path(cut) / "dataset.json").is_file():
                self.dataset_widget.setFilePath(cut)
            self.show_dataset_summary()

    def show_dataset_summary(self) -> str:
        """Show the chosen patch dataset's classes and patches per split (or why it cannot be used)."""
        folder = self.dataset_widget.filePath().strip()
        try:
            text = dataset_summary(folder) if folder else tr("Choose a patch dataset folder.")
        except SourceError as error:
            text = str(error)
        self.dataset_summary.setText(text)
        return text

    def _read_classes_again(self) -> None:
        self.class_table.removed.clear()  # the button brings removed classes back
        self.fill_classes(keep_names=True)

    def _remember_class_names(self) -> None:
        """The user named, coloured or removed a class: remember the table for these label sources."""
        classes = self.class_table.classes()
        for source in self._table_sources:
            self.settings.remember_class_names(source, classes)

    def fill_classes(self, keep_names: bool = True) -> list[dict]:
        """Fill the class table with the union of the scenes' label values; names and colours
        already given for these label sources are kept (in the table, else remembered per source).

        Which values are classes is the backend's rule (backend/labels.py), so the table and
        `claro patches` agree. A label raster larger than READ_NOW_PIXELS is never read on the
        GUI thread: a LabelValuesTask reads a bounded sample of its blocks (the table fills when
        every sample is done), then every pixel (rare classes are added when that is done); the
        table shows "Reading label values…" meanwhile and this returns []. A read started for
        labels, a field or a background no longer chosen is dropped when it ends.
        """
        self._values_generation += 1  # any read still running is now stale
        self._cancel_values_reads()
        self.data_message.setText("")
        pairs = self.scenes.label_layers()
        sources = tuple(dict.fromkeys(label_source(layer) for layer, _ in pairs))
        same = sources == self._table_sources
        if not same:
            self.class_table.removed.clear()
        known = {c["value"]: c for c in self.class_table.classes()} if keep_names and same else {}
        self._table_sources = sources
        if not pairs:
            self.class_table.set_classes([])
            return []
        for source in sources:
            for c in self.settings.class_names(source):
                known.setdefault(c["value"], c)
        # values per (layer id, field): (layer name, values or None while read, raster?)
        reading = {"known": known, "values": {}, "pending": set(), "names": {}}
        self._reading = reading
        large = []
        try:
            for layer, field in pairs:
                key = (layer.id(), field)
                reading["names"][key] = (layer.name(), isinstance(layer, QgsRasterLayer))
                if isinstance(layer, QgsRasterLayer):
                    path = backend_path(layer, self._exports())
                    if raster_size(path) > READ_NOW_PIXELS:
                        large.append((key, path))
                        continue
                    reading["values"][key] = raster_values(path, ignore_value=self._ignore_value())
                else:
                    reading["values"][key] = label_values(layer, field or None, self.patch_form.value("background") or "0",
                                                          self._exports())
        except (SourceError, ValueError) as error:
            self.data_message.setText(str(error))
            return self.class_table.classes()
        if large:
            self.class_table.set_classes([])
            self.data_message.setText(tr("Reading label values…"))
            for key, path in large:
                self._start_values_read(key, path, MAX_SAMPLE_PIXELS)
            return []
        return self._show_classes() or []

    def _show_classes(self) -> Optional[list[dict]]:
        """The union of the values read → table rows (known names and colours kept, removed
        classes left out); values that cannot be classes empty the table and say how to remap,
        as `claro patches` would refuse them; a label raster that looks like an image is warned of."""
        reading = self._reading
        union, warnings = set(), []
        for key, values in reading["values"].items():
            name, raster = reading["names"][key]
            try:
                check_class_values(values, f"the label layer '{name}'")  # the backend's sentence, as patches says it
            except ClaroError as error:
                self.class_table.set_classes([])
                self.data_message.setText(str(error))
                return None
            union.update(values)
            if raster and image_like_warning(name, values):
                warnings.append(image_like_warning(name, values))
        known = reading["known"]
        defaults = default_classes(sorted(union - self.class_table.removed))
        classes = [{**d, **{k: v for k, v in known.get(d["value"], {}).items() if v}} for d in defaults]
        self.class_table.set_classes(classes)
        self.data_message.setText(" ".join(warnings))
        return classes

    def _ignore_value(self) -> int:
        try:
            return int(self.patch_advanced.value("ignore_value"))
        except (TypeError, ValueError):
            return IGNORE_VALUE

    def _start_values_read(self, key: tuple, path: str, max_pixels: Optional[int]) -> None:
        task = LabelValuesTask(path, max_pixels, self._values_generation, self._ignore_value())
        task.key = key
        task.valuesRead.connect(self._values_read)
        self._values_tasks.append(task)  # keep the Python object alive until it reports
        self._reading["pending"].add(key)
        QgsApplication.taskManager().addTask(task)

    def _values_read(self, task: LabelValuesTask) -> None:
        """A LabelValuesTask ended (GUI thread): when every sample read is in, fill the table
        (unless the reads are stale), then read every pixel of the sampled rasters."""
        if task in self._values_tasks:
            self._values_tasks.remove(task)
        if task.generation != self._values_generation or self._shut_down:
            return  # other labels, a field or a background was chosen meanwhile
        reading = self._reading
        reading["pending"].discard(task.key)
        if task.error or task.sample is None:
            self._values_generation += 1  # the other reads of this fill are of no use now
            self._cancel_values_reads()
            self.data_message.setText(task.error or tr("Reading the label values was cancelled."))
            return
        reading["values"][task.key] = task.sample.values
        if not task.sample.complete:
            reading.setdefault("partial", {})[task.key] = (task.path, task.sample)
        if reading["pending"]:
            return  # the table fills when every label raster has been sampled
        reading["known"].update({c["value"]: c for c in self.class_table.classes()})  # named while reading
        if self._show_classes() is None:
            return  # the reason is in the message
        partial = reading.pop("partial", {})
        if partial:  # rare classes outside the sampled blocks: read every pixel, still off the GUI thread
            read = sum(sample.pixels_read for _, sample in partial.values())
            pixels = sum(sample.pixels for _, sample in partial.values())
            self.data_message.setText(tr("Classes from {:.0%} of the label raster; reading the rest…").format(
                read / max(1, pixels)))
            for key, (path, _sample) in partial.items():
                self._start_values_read(key, path, None)

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
        """The `claro patches` parameters from the Training data section: every scene's image and
        labels (layers exported if needed), the class table as --classes."""
        images, labels, fields = [], [], set()
        rows = self.scenes.rows
        for n, row in enumerate(rows, 1):
            image, label = row.image(), row.labels()
            if n > 1 and image is None and label is None:
                continue  # an added scene left empty
            if image is None:
                raise SourceError(tr("Choose an image layer in Data.") if len(rows) == 1 else
                                  tr("Scene {} has no image layer; choose one or remove the scene.").format(n))
            if label is None:
                raise SourceError(tr("Choose a label layer in Data.") if len(rows) == 1 else
                                  tr("Scene {} has no label layer; choose one or remove the scene.").format(n))
            images.append(backend_path(image, self._exports()))
            labels.append(backend_path(label, self._exports()))
            if isinstance(label, QgsVectorLayer):
                fields.add(row.class_field())
        if len(fields) > 1:
            raise SourceError(tr("The polygon label layers use different class fields ({}); all scenes are read with "
                                 "one field name, so give them the same one.").format(
                ", ".join(f"'{f}'" if f else tr("none") for f in sorted(fields))))
        # While a large label raster is still being read the table is empty: no --classes, and
        # `claro patches` takes every class value it finds (by the same rule).
        classes = self.class_table.classes() or (self.fill_classes() if not self._values_tasks else [])
        values = {**self.patch_advanced.values(), **self.patch_form.values()}
        if not values.get("out"):
            raise SourceError(tr("Choose an output folder for the patches in Data."))
        field = next(iter(fields), "")
        return P.PatchParams(images=images, labels=labels, class_field=field or None,
                             classes=P.format_classes(classes) if classes else None, **values)

    def existing_dataset(self) -> str:
        """The patch dataset folder chosen under "Existing patch dataset" (checked)."""
        folder = self.dataset_widget.filePath().strip()
        if not folder:
            raise SourceError(tr("Choose the patch dataset folder in Data."))
        dataset_summary(folder)  # a SourceError when it is not a patch dataset
        return folder

    # ================================================================== train
    def train_params(self, data: str = "") -> P.TrainParams:
        """The `claro train` parameters; `data` defaults to the Training data tab's patch dataset
        (the existing one chosen, else the patches' output folder)."""
        values = {**self.train_advanced.values(), **self.train_form.values()}
        if not values.get("out"):
            raise SourceError(tr("Choose where to save the model (Model file) in Train."))
        default = self.dataset_widget.filePath().strip() if self.existing_radio.isChecked() else self.patch_form.value("out")
        return P.TrainParams(data=data or default, **values)

    def interpreter(self) -> str:
        """The TensorFlow Python for jobs ('' when none is known)."""
        chosen = self.interpreter_widget.filePath().strip() or self.settings.interpreter
        found = environment.find_interpreter(chosen)
        return str(found) if found else ""

    def _check_ready(self) -> Optional[str]:
        """The Python to run a job with, or None (said in the message bar and the banner, whose
        Details button opens the Setup tab) when it lacks TensorFlow or GDAL. The probe is
        remembered: only the first job with an interpreter waits for it."""
        if self.task is not None:
            self.log.warning(tr("A Claro job is already running; wait for it or cancel it."))
            return None
        python = self.interpreter()
        if not python:
            sentence = tr("No Python with TensorFlow was found: create a TensorFlow environment or choose a Python in "
                          "{}.").format(self._environment_place())
            self.banner.show_problem(no_python_sentence())
            self.log.error(sentence)
            return None
        info = environment.checked(python)
        self._show_probe(python, info)
        sentence = environment.problem(info, self._environment_place())
        if sentence:
            self.log.error(sentence)
            return None
        return python

    def start_training(self) -> Optional[ClaroTask]:
        """Train button: `patches` then `train` as one task; only `train` when an existing patch
        dataset is chosen, or when Resume is ticked and the patches folder already holds the
        dataset (a resumed training goes on with the patches it started with). Returns the task
        (None when refused)."""
        python = self._check_ready()
        if not python:
            return None
        try:
            patches = None if self.existing_radio.isChecked() else self.patch_params()
            train = self.train_params(self.existing_dataset() if patches is None else patches.out)
        except (SourceError, ValueError, ClaroError) as error:
            self.log.error(self.words(str(error), "train"))
            return None
        if patches is not None:
            self.settings.save_params(patches)
            self._remember_class_names()
            if train.resume and (Path(patches.out) / "dataset.json").is_file():
                self.log.log(tr("Resume: training goes on with the patches already in {}; they are not cut again.").format(
                    patches.out))
                patches = None
        self.settings.save_params(train)
        self.curves.clear()
        self.curves_image.clear()
        self.matrix_image.clear()
        self.card_view.clear()
        self.patch_counts.clear()
        self._pace, self._pace_text = EpochPace(train.epochs), ""
        jobs = [train] if patches is None else [patches, train]
        self.train_status.setText(tr("Training…") if patches is None else tr("Cutting patches…"))
        task = ClaroTask(tr("Claro: train {}").format(Path(train.out).name), jobs, python,
                         weights=None if patches is None else [PATCHES_WEIGHT, 1 - PATCHES_WEIGHT],
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
        select_bands(predict.bands, card, layer.bandCount(), len(card["bands"]), layer.name())

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
        if index == 1 and not self._train_seen:
            self._train_seen = True
            python = self.interpreter()
            info = environment.cached(python) if python else None
            if info is not None:
                self.offer_cpu_defaults(info)
        if index in (1, ENVIRONMENT_TAB) and not self._env_checked:
            self.check_environment()

    def _interpreter_changed(self, path: str) -> None:
        self.settings.interpreter = path.strip()
        self.check_environment()

    def choose_python(self) -> None:
        """The banner's *Choose a Python…*: pick a program, then check it (Setup tab)."""
        self.tabs.setCurrentIndex(ENVIRONMENT_TAB)
        path, _filter = QFileDialog.getOpenFileName(self, tr("Choose the Python with TensorFlow"),
                                                    self.interpreter_widget.filePath() or str(Path.home()))
        if path:
            self.interpreter_widget.setFilePath(path)  # fileChanged: remembered and checked

    def check_environment(self, refresh: bool = False) -> None:
        """Show what the interpreter has: the remembered probe, else a probe in the background
        (`refresh`, the Check button: always a new probe)."""
        python = self.interpreter()
        self._env_checked = True
        self._show_environment_state()
        if not python:
            self.env_info.setText(tr("No Python with TensorFlow was found. Click 'Create…' "
                                     "or choose an existing Python."))
            self.banner.show_problem(no_python_sentence())
            return
        info = None if refresh else environment.cached(python)
        if info is not None:
            self._show_probe(python, info)
            return
        self.env_info.setText(tr("Checking {}…").format(python))
        task = environment.ProbeTask(python, refresh=refresh)
        task.probed.connect(lambda info: self._probed(python, info))
        self.probe_task = task
        QgsApplication.taskManager().addTask(task)

    def _probed(self, python: str, info: dict) -> None:
        if not self._shut_down and python == self.interpreter():  # not an answer about a Python no longer chosen
            self._show_probe(python, info)

    def _show_probe(self, python: str, info: dict) -> None:
        """The probe in the Setup tab; the banner says why jobs cannot start, or hides."""
        self.env_info.setText(f"{python}\n{environment.describe(info)}")
        if self._train_seen:  # offered where the user sees it, not behind their back on another tab
            self.offer_cpu_defaults(info)
        sentence = environment.summary(info)
        if sentence:
            self.banner.show_problem(sentence)
        else:
            self.banner.clear()

    def _environment_place(self) -> str:
        """Where the user fixes the environment, named by the tab's own title."""
        return tr("Claro's {} tab").format(self.tabs.tabText(ENVIRONMENT_TAB))

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

    def _show_environment_state(self) -> None:
        """A half-made environment in the profile: say so, and offer Repair (and Remove, if Claro made it)."""
        venv = environment.profile_venv()
        creating = self.env_task is not None
        incomplete = environment.environment_state(venv) == "incomplete" and not creating
        self.env_state.setText(tr("The environment in {} is incomplete (its installation did not finish), so it is not "
                                  "used: repair or remove it.").format(venv) if incomplete else "")
        self.env_state.setVisible(incomplete)
        self.repair_button.setVisible(incomplete)
        self.remove_button.setVisible(incomplete and environment.made_by_claro(venv))
        self.create_button.setEnabled(not creating and not incomplete)
        self.env_cancel.setVisible(creating)

    def create_environment(self, confirm: bool = True, repair: bool = False) -> None:
        """Create the venv under the QGIS profile and install TensorFlow (`repair`: again, into a
        half-made one): only on the user's click, after a Yes."""
        if self.env_task is not None:
            return
        venv = environment.profile_venv()
        repair = repair or environment.environment_state(venv) == "incomplete"  # never build over a half-made one
        gpu = environment.has_nvidia_gpu()
        requirement = environment.tensorflow_requirement(gpu)
        if confirm:
            text = (tr("Install {} again into the environment in\n{}? This downloads several hundred MB and takes a few "
                       "minutes.") if repair else
                    tr("Create a Python environment in\n{1}\nand install {0} into it? This downloads several hundred MB "
                       "and takes a few minutes.")).format(requirement, venv)
            if os.name == "nt":
                text += "\n\n" + environment.WINDOWS_GPU_NOTE
            if QMessageBox.question(self, tr("Claro"), text) != QMessageBox.Yes:
                return
        log_path = str(Path(tempfile.gettempdir()) / "claro-environment.log")
        self.env_log.clear()
        self.env_progress.setVisible(True)
        self.env_progress.setValue(0)
        task = environment.CreateEnvironmentTask(venv, gpu, log_path, repair=repair)
        task.logged.connect(self.env_log.appendPlainText)
        task.progressChanged.connect(lambda value: self.env_progress.setValue(int(value)))
        task.created.connect(self._environment_created)
        task.failed.connect(lambda message: self._environment_failed(task, message, log_path))
        self.env_task = task
        self._show_environment_state()
        QgsApplication.taskManager().addTask(task)

    def cancel_environment(self) -> None:
        """Cancel while creating: the pip process is killed, the environment left incomplete."""
        if self.env_task is not None:
            self.env_task.cancel()

    def _environment_failed(self, task, message: str, log_path: str) -> None:
        self.env_task = None
        self.env_progress.setVisible(False)
        self._show_environment_state()
        if task.cancelled:
            self.log.warning(message)
        else:
            self.log.error(message, log_tail(log_path, 30))

    def _environment_created(self, python: str) -> None:
        self.env_task = None
        self.env_progress.setVisible(False)
        self.settings.interpreter = ""  # the profile venv is found automatically
        self.interpreter_widget.blockSignals(True)
        self.interpreter_widget.setFilePath("")
        self.interpreter_widget.blockSignals(False)
        self.log.success(tr("TensorFlow environment ready: {}").format(python))
        self.check_environment(refresh=True)

    def remove_environment(self) -> None:
        """Remove: delete the incomplete environment folder Claro made (asks first)."""
        venv = environment.profile_venv()
        question = tr("Delete the incomplete environment in\n{}?").format(venv)
        if QMessageBox.question(self, tr("Claro"), question) != QMessageBox.Yes:
            return
        try:
            environment.remove_environment(venv)
        except (RuntimeError, OSError) as error:
            self.log.error(str(error))
        environment.forget(environment.venv_python(venv))
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
