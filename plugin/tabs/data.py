"""The Data tab: the scenes (image and label layers), the classes, and the patch options — or a
patch dataset cut before, or a folder of Earth Engine TFRecords. It gives the job that makes the
dataset (`claro patches`, or `claro describe` for TFRecords not described yet: training_data) and
the dataset the Train tab trains on (dataset_folder).

Why TFRecords are the existing dataset's page with a Describe button: a folder of Earth Engine
shards becomes a patch dataset when `claro describe` writes its dataset.json; from then on it is
an existing patch dataset like any other (the same summary, the same Train). Describe runs in the
child process like every job (it reads every shard), and Train describes first when it was not.

Why the class table reads label values in the background: a large label raster is never read on
the GUI thread (see fill_classes).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from qgis.core import QgsApplication, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsColorButton, QgsFileWidget
from qgis.PyQt.QtCore import QCoreApplication, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (QAbstractItemView, QAction, QButtonGroup, QFormLayout, QHBoxLayout, QHeaderView,
                                 QLabel, QProgressBar, QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...backend import params as P
from ...backend.card import default_classes
from ...backend.dataset import SUMMARY_NAME
from ...backend.errors import ClaroError
from ...backend.labels import MAX_SAMPLE_PIXELS, check_class_values, raster_size
from ..forms import ParamsForm, field_help
from ..runner import ClaroTask
from ..scenes import ScenesWidget
from ..sources import (IGNORE_VALUE, READ_NOW_PIXELS, LabelValuesTask, SourceError, backend_path, dataset_summary,
                       image_like_warning, label_source, label_values, raster_values, tfrecord_files)
from ..words import Place
from .base import Tab, button, section

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock

#: fields shown in the tab; the rest of PatchParams is under "Advanced"
PATCH_MAIN = ("background", "bands", "patch_size", "stride", "out", "overwrite")
PATCH_ADVANCED = ("ignore_value", "split", "seed", "min_labelled")
#: `claro describe` fields shown for a folder of Earth Engine TFRecords; the rest under its Advanced
#: (encoded-image records, --image-feature/--mask-feature, are for the command line and Processing)
DESCRIBE_MAIN = ("label", "bands")
DESCRIBE_ADVANCED = ("classes", "ignore_value", "split", "fractions", "seed", "out")


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def _field(cls: type, name: str) -> dataclasses.Field:
    return next(f for f in dataclasses.fields(cls) if f.name == name)


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



class DataTab(Tab):
    """Where the patches come from: cut from the scenes' layers (with the class table), an
    existing patch dataset, or a folder of Earth Engine TFRecords (described by `claro describe`).

    `described(ok, outputs)` follows the Describe button's job."""

    described = pyqtSignal(bool, dict)

    def __init__(self, dock: "ClaroDock") -> None:
        super().__init__(dock)
        self.title, self.tooltip = tr("Data"), tr("Training data: the image, the labels and the classes")
        self._values_generation = 0
        self._values_tasks: list[LabelValuesTask] = []
        self._shut_down = False
        layout = QVBoxLayout(self)
        # Where the patches come from: cut from layers (the default), or a dataset cut before
        # (so a Resume, or another try of the training options, does not cut them again).
        self.cut_radio = QRadioButton(tr("Cut patches from layers"))
        self.cut_radio.setToolTip(tr("Cut the scenes below into a patch dataset, then train on it."))
        self.existing_radio = QRadioButton(tr("Existing patch dataset"))
        self.existing_radio.setObjectName("ClaroExistingDataset")
        self.existing_radio.setToolTip(tr("Train on a patch dataset folder made before (by Claro or an Earth Engine "
                                          "export with dataset.json); nothing is cut."))
        self.tfrecord_radio = QRadioButton(tr("Earth Engine TFRecords"))
        self.tfrecord_radio.setObjectName("ClaroTFRecordFolder")
        self.tfrecord_radio.setToolTip(tr("Train on a folder of TFRecord files exported from Earth Engine (or another "
                                          "tool): Describe reads them and writes their dataset.json, then it trains "
                                          "like an existing patch dataset."))
        group = QButtonGroup(self)
        group.addButton(self.cut_radio)
        group.addButton(self.existing_radio)
        group.addButton(self.tfrecord_radio)
        self.cut_radio.setChecked(True)
        layout.addWidget(self.cut_radio)
        layout.addWidget(self.existing_radio)
        layout.addWidget(self.tfrecord_radio)

        self.existing_page = QWidget()
        existing = QFormLayout(self.existing_page)
        existing.setContentsMargins(0, 0, 0, 0)
        self.dataset_widget = QgsFileWidget()
        self.dataset_widget.setObjectName("ClaroDatasetFolder")
        self.dataset_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.dataset_widget.setToolTip(field_help(dict((f.name, f) for f in dataclasses.fields(P.TrainParams))["data"]))
        existing.addRow(tr("Patch dataset"), self.dataset_widget)
        self.dataset_label = existing.labelForField(self.dataset_widget)
        # a folder of TFRecords: what `claro describe` needs besides the folder, and its button
        self.describe_page = QWidget()
        describe = QVBoxLayout(self.describe_page)
        describe.setContentsMargins(0, 0, 0, 0)
        self.describe_form = ParamsForm(P.DescribeParams, DESCRIBE_MAIN)
        describe.addWidget(self.describe_form)
        box, inner = section(tr("Advanced"))
        box.setCollapsed(True)
        self.describe_advanced = ParamsForm(P.DescribeParams, DESCRIBE_ADVANCED)
        inner.addWidget(self.describe_advanced)
        describe.addWidget(box)
        row = QHBoxLayout()
        self.describe_button = button(tr("Describe"), tr("Read every TFRecord file of the folder (features, patch size, "
                                                         "classes, band statistics, split) and write its dataset.json; "
                                                         "describe again after changing the label feature or the bands."))
        self.describe_button.setObjectName("ClaroDescribeButton")
        self.describe_button.clicked.connect(lambda: self.start_describe())
        self.describe_cancel = button(tr("Cancel"), tr("Stop the running job; nothing half-written is left."))
        self.describe_cancel.clicked.connect(self.dock.cancel)
        row.addWidget(self.describe_button)
        row.addWidget(self.describe_cancel)
        row.addStretch()
        describe.addLayout(row)
        self.describe_progress = QProgressBar()
        self.describe_progress.setRange(0, 100)
        self.describe_progress.setVisible(False)
        describe.addWidget(self.describe_progress)
        existing.addRow(self.describe_page)
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
        self.read_classes_button = button(tr("Read classes"),
                                          tr("List the class values found in the label layers (removed classes "
                                             "come back)."))
        self.read_classes_button.clicked.connect(self._read_classes_again)
        row.addWidget(self.read_classes_button)
        self.remove_class_button = button(tr("Remove class"),
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

        box, inner = section(tr("Advanced"))
        box.setCollapsed(True)
        self.patch_advanced = ParamsForm(P.PatchParams, PATCH_ADVANCED)
        inner.addWidget(self.patch_advanced)
        cut.addWidget(box)
        layout.addWidget(self.cut_page)
        layout.addStretch()

        self._table_sources: tuple[str, ...] = ()  # the label sources the class table was filled for
        self._reading: dict = {}  # the class values being gathered (see fill_classes)
        self.scenes.changed.connect(self._label_layer_changed)
        self.class_table.edited.connect(self.remember_class_names)
        self.patch_form.widget("background").editingFinished.connect(lambda: self.fill_classes(keep_names=True))
        self.existing_radio.toggled.connect(self._patch_source_changed)
        self.tfrecord_radio.toggled.connect(self._patch_source_changed)
        self.dataset_widget.fileChanged.connect(lambda *_: self.show_dataset_summary())
        self.describe_advanced.widget("out").fileChanged.connect(lambda *_: self.show_dataset_summary())
        self._patch_source_changed()

    def places(self) -> dict[str, Place]:
        return {"patches": Place(self.title, (*PATCH_MAIN, "class_field"), PATCH_ADVANCED, {
            "images": tr("Image layer"), "labels": tr("Label layer"), "classes": tr("Classes")}),
            "describe": Place(self.title, DESCRIBE_MAIN, DESCRIBE_ADVANCED, {"folder": tr("TFRecord folder")})}

    def restore(self) -> None:
        patch = self.dock.settings.params(P.PatchParams)
        self.patch_form.set_values(patch)
        self.patch_advanced.set_values(patch)
        describe = self.dock.settings.params(P.DescribeParams)
        self.describe_form.set_values(describe)
        self.describe_advanced.set_values(describe)
        self._update_label_controls()

    def set_running(self, running: bool) -> None:
        self.describe_button.setEnabled(not running)
        self.describe_cancel.setEnabled(running)

    def shutdown(self) -> None:
        self._shut_down = True
        self._cancel_values_reads()

    def _label_layer_changed(self, *_args) -> None:
        """A scene's label layer or class field changed, or a scene was added or removed."""
        self._update_label_controls()
        self.fill_classes(keep_names=True)

    def _update_label_controls(self) -> None:
        vector = any(isinstance(layer, QgsVectorLayer) for layer, _ in self.scenes.label_layers())
        self.patch_form.widget("background").setEnabled(vector)

    def _patch_source_changed(self, *_args) -> None:
        existing, tfrecords = self.existing_radio.isChecked(), self.tfrecord_radio.isChecked()
        self.existing_page.setVisible(existing or tfrecords)
        self.describe_page.setVisible(tfrecords)
        self.cut_page.setVisible(not (existing or tfrecords))
        self.dataset_label.setText(tr("TFRecord folder") if tfrecords else tr("Patch dataset"))
        self.dataset_widget.setToolTip(field_help(_field(P.DescribeParams if tfrecords else P.TrainParams,
                                                         "folder" if tfrecords else "data")))
        if existing:
            cut = self.patch_form.value("out")  # the dataset cut last is the one most often trained again
            if not self.dataset_widget.filePath().strip() and cut and (Path(cut) / "dataset.json").is_file():
                self.dataset_widget.setFilePath(cut)
        if existing or tfrecords:
            self.show_dataset_summary()

    def show_dataset_summary(self) -> str:
        """Show the chosen patch dataset's classes and patches per split (or why it cannot be used);
        for a folder of TFRecords, its dataset.json once described, else how many files Describe will read."""
        folder = self.dataset_widget.filePath().strip()
        try:
            if not folder:
                text = tr("Choose the folder of TFRecord files.") if self.tfrecord_radio.isChecked() else \
                    tr("Choose a patch dataset folder.")
            elif self.tfrecord_radio.isChecked() and not (Path(self.dataset_folder()) / SUMMARY_NAME).is_file():
                text = self._undescribed_text(folder)
            else:
                text = dataset_summary(self.dataset_folder())
        except (SourceError, ValueError) as error:
            text = str(error)
        self.dataset_summary.setText(text)
        return text

    @staticmethod
    def _undescribed_text(folder: str) -> str:
        """The count is a hint by the usual names; which files are TFRecords is describe's rule
        (by their bytes), so a folder is never refused here."""
        count = len(tfrecord_files(folder))
        if not count:
            return tr("Not described yet: Describe reads the TFRecord files of this folder (bands, patch size, classes, "
                      "patches per split); Train describes them first.")
        return tr("{} TFRecord files, not described yet: Describe reads them (bands, patch size, classes, patches per "
                  "split); Train describes them first.").format(count)

    def _read_classes_again(self) -> None:
        self.class_table.removed.clear()  # the button brings removed classes back
        self.fill_classes(keep_names=True)

    def remember_class_names(self) -> None:
        """The user named, coloured or removed a class: remember the table for these label sources."""
        classes = self.class_table.classes()
        for source in self._table_sources:
            self.dock.settings.remember_class_names(source, classes)

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
            for c in self.dock.settings.class_names(source):
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
                    path = backend_path(layer, self.dock.export_folder())
                    if raster_size(path) > READ_NOW_PIXELS:
                        large.append((key, path))
                        continue
                    reading["values"][key] = raster_values(path, ignore_value=self._ignore_value())
                else:
                    reading["values"][key] = label_values(layer, field or None, self.patch_form.value("background") or "0",
                                                          self.dock.export_folder())
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
            images.append(backend_path(image, self.dock.export_folder()))
            labels.append(backend_path(label, self.dock.export_folder()))
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

    def describe_params(self, overwrite: bool = False) -> P.DescribeParams:
        """The `claro describe` parameters for the chosen folder of TFRecords (ValueError for a
        malformed list, SourceError without a folder)."""
        folder = self.dataset_widget.filePath().strip()
        if not folder:
            raise SourceError(tr("Choose the folder of TFRecord files in Data."))
        values = {**self.describe_advanced.values(), **self.describe_form.values()}
        return P.DescribeParams(folder=folder, overwrite=overwrite, **values)

    def training_data(self) -> tuple[Optional[Any], str]:
        """(the job that makes the patch dataset first — `patches`, or `describe` for TFRecords
        not described yet — or None, the dataset folder `train` takes); SourceError or ValueError
        with a sentence when something is missing."""
        if self.existing_radio.isChecked():
            return None, self.existing_dataset()
        if self.tfrecord_radio.isChecked():
            describe = self.describe_params()
            folder = describe.out or describe.folder
            if (Path(folder) / SUMMARY_NAME).is_file():
                dataset_summary(folder)  # a SourceError when its dataset.json is unusable
                return None, folder
            return describe, folder  # a folder describe cannot read is refused by describe, in one sentence
        patches = self.patch_params()
        return patches, patches.out

    def dataset_folder(self) -> str:
        """The patch dataset Train trains on by default: the existing one chosen, the folder of
        TFRecords (or describe's output folder), else the patches' output folder."""
        if self.tfrecord_radio.isChecked():
            out = self.describe_advanced.value("out")
            return out or self.dataset_widget.filePath().strip()
        return self.dataset_widget.filePath().strip() if self.existing_radio.isChecked() else self.patch_form.value("out")

    # -- Describe ---------------------------------------------------------------------------------
    def start_describe(self) -> Optional[ClaroTask]:
        """Describe button: `claro describe` on the folder in the child process (replacing the
        dataset.json it wrote before, so a new label feature or bands take effect); the summary
        shows the result, or the backend's sentence. Returns the task (None when refused)."""
        python = self.dock.check_ready()
        if not python:
            return None
        try:
            describe = self.describe_params(overwrite=True)
        except (SourceError, ValueError, ClaroError) as error:
            self.dock.log.error(self.dock.words(str(error), "describe"))
            return None
        self.dock.settings.save_params(describe)
        self.dataset_summary.setText(tr("Describing the TFRecords…"))
        self.describe_progress.setValue(0)
        self.describe_progress.setVisible(True)
        task = ClaroTask(tr("Claro: describe {}").format(Path(describe.folder).name), [describe], python,
                         grace_seconds=self.dock.settings.cancel_grace_seconds)
        task.progressed.connect(self._describe_progress)
        task.logged.connect(self.dock.job_logged)
        task.succeeded.connect(lambda outputs: self._described(describe, outputs))
        task.failed.connect(self._describe_failed)
        self.dock.start(task)
        return task

    def _describe_progress(self, fraction: float, message: str) -> None:
        self.describe_progress.setValue(int(round(fraction * 100)))
        if message:
            self.dataset_summary.setText(message)

    def _described(self, describe: P.DescribeParams, outputs: dict) -> None:
        self.dock.job_ended()
        self.describe_progress.setVisible(False)
        self.show_dataset_summary()
        self.dock.log.success(tr("Described: {}").format(Path(describe.out or describe.folder) / SUMMARY_NAME))
        self.described.emit(True, outputs)

    def _describe_failed(self, message: str, log_path: str) -> None:
        self.describe_progress.setVisible(False)
        self.dock.job_failed(message, log_path, self.dataset_summary, self.described, {})
