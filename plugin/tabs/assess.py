"""The Assess tab: good-practice accuracy and area estimates (Olofsson et al. 2014) in three steps.

1. Draw a sample: the class (or change) map and an optional area of interest → `claro sample` in
   the child process; the points are loaded styled by their reference label.
2. Label: step through the points at a chosen scale, with only the images the analyst picked
   shown; one button per map class writes the point's `reference` straight to the GeoPackage
   (labelling.py). Blind by default: the map class, and the map layer, stay hidden unless
   "Show the map class" is ticked, because seeing the map's answer biases the reference.
3. Assess: `claro assess` in the child; overall accuracy, a table of the classes' areas and
   accuracies with their 95 % intervals, the one-page summary and the notes.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from qgis.core import (QgsCoordinateTransform, QgsLayerTreeGroup, QgsLayerTreeLayer, QgsMapLayer,
                       QgsMapLayerProxyModel, QgsPointXY, QgsProject, QgsRasterLayer, QgsRectangle,
                       QgsVectorLayer)
from qgis.gui import QgsMapLayerComboBox, QgsVertexMarker
from qgis.PyQt.QtCore import QCoreApplication, Qt, QUrl, pyqtSignal
from qgis.PyQt.QtGui import QColor, QDesktopServices, QPixmap
from qgis.PyQt.QtWidgets import (QAbstractItemView, QCheckBox, QFormLayout, QGridLayout, QHBoxLayout, QHeaderView,
                                 QLabel, QListWidget, QListWidgetItem, QProgressBar, QSizePolicy, QSpinBox,
                                 QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...backend import params as P
from ...backend import sample as sampling
from ...backend.assess import png_path
from ...backend.errors import ClaroError
from ...backend.style import hex_to_rgb
from ..forms import ParamsForm
from ..labelling import Labelling, LabellingError, as_class
from ..layers import add_sample_layer
from ..runner import ClaroTask
from ..sources import SourceError, backend_path, file_of
from ..words import Place
from .base import Tab, button, section

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock

#: fields of `claro sample` in the tab; the rest is under "Advanced"
SAMPLE_MAIN = ("n", "target_se", "out", "overwrite")
SAMPLE_ADVANCED = ("min_per_class", "expected_accuracy", "seed")
#: fields of `claro assess` in the tab (map, sample and area of interest are the tab's layer choices)
ASSESS_MAIN = ("reference_field", "out", "overwrite")
#: the zoom while labelling: 1:DEFAULT_SCALE shows a few pixels of a 10–30 m image around the point
DEFAULT_SCALE = 2000
#: the sample's fields that tell the map class: hidden from QGIS's forms, attribute table and identify while blind
MAP_CLASS_FIELDS = ("map_class", "map_class_name")
#: the colour of the cross on the current point: one colour for every point (it must not hint at a class)
MARKER_COLOR = "#ff00ff"


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def narrow_section(title: str) -> tuple[Any, QVBoxLayout]:
    """A collapsible section with thin side margins: the tab nests sections (a step's Advanced inside
    the step), and the default margins of each would push the forms past the dock's default width."""
    box, layout = section(title)
    margins = layout.contentsMargins()
    layout.setContentsMargins(2, margins.top(), 2, margins.bottom())
    return box, layout


def _same_file(a: str, b: str) -> bool:
    return bool(a and b) and os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def sample_file_metadata(path: str) -> Optional[dict]:
    """How `claro sample` drew the sample in `path` (map, aoi, strata), None for other points."""
    from osgeo import gdal

    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
        layer = dataset.GetLayerByName(sampling.LAYER) if dataset is not None else None
        return sampling.sample_metadata(layer) if layer is not None else None
    except RuntimeError:
        return None


def map_classes(map_path: str, values: list[int]) -> list[dict]:
    """The classes a reference may take: the strata `values` and every class the map names, with
    the map's names and colours (as `claro sample` styled the points and `claro assess` reads them)."""
    cmap = sampling.open_class_map(map_path)
    known = set(values) | {int(c["value"]) for c in cmap.named or []}
    return sampling.strata_classes(cmap, known)


def hex_color(cls: dict, index: int) -> str:
    """A class's colour as #rrggbb, Claro's default for its position when the map has none (as sample.py)."""
    return "#{:02x}{:02x}{:02x}".format(*hex_to_rgb(cls.get("color"), index))


def breakable(path: str) -> str:
    """A path a word-wrapped label may break after each folder (a zero-width space after every
    separator): a long path must not widen the dock."""
    return str(path).replace("/", "/\u200b").replace("\\", "\\\u200b")


def wrapped_label(text: str = "") -> QLabel:
    """A word-wrapped label that follows the dock's width (a wrapped QLabel's own minimum, some 80
    characters wide, would widen the dock past its default)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMinimumWidth(1)
    return label


def _readable_text(color: QColor) -> str:
    return "#000000" if color.lightness() > 140 else "#ffffff"


def _number(value: Optional[float], digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _with_ci(value: Optional[float], half: Optional[float], digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{_number(value, digits)} ± {_number(half, digits)}" if half is not None else _number(value, digits)


class SummaryImage(QLabel):
    """The assessment's one-page PNG, scaled to the dock's width; a click opens the file."""

    def __init__(self) -> None:
        super().__init__()
        self.path = ""
        self._pixmap = QPixmap()
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never wider than the dock
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip(tr("Click to open the summary in your image viewer."))
        self.hide()

    def show_file(self, path: str) -> None:
        self.path = path
        self._pixmap = QPixmap(path)
        self.setVisible(not self._pixmap.isNull())
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap.isNull() or self.width() <= 0:
            return
        scaled = self._pixmap.scaledToWidth(self.width(), Qt.SmoothTransformation)
        self.setPixmap(scaled)
        self.setFixedHeight(scaled.height())

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt)
        super().resizeEvent(event)
        self._rescale()

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt)
        if self.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.path))


class AssessTab(Tab):
    """Assess: draw a sample of a class map, label it, and estimate accuracies and areas."""

    #: a `sample` job ended: (ok, the sample layer or None)
    sampleDrawn = pyqtSignal(bool, object)  # noqa: N815  (Qt)
    #: an `assess` job ended: (ok, the report as a dict, {} on failure)
    assessed = pyqtSignal(bool, dict)

    def __init__(self, dock: "ClaroDock") -> None:
        super().__init__(dock)
        self.title, self.tooltip = tr("Assess"), tr("Accuracy and areas with confidence intervals from a labelled sample")
        self.labelling: Optional[Labelling] = None
        self.label_classes: list[dict] = []
        self.class_buttons: dict[int, Any] = {}
        self._visibility: list[tuple[Any, bool]] = []
        self._marker: Optional[QgsVertexMarker] = None
        self._hidden_fields: dict[int, Any] = {}
        self.assessment: dict = {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.map_combo = QgsMapLayerComboBox()
        self.map_combo.setObjectName("ClaroAssessMap")
        self.map_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.map_combo.setAllowEmptyLayer(True)
        self.map_combo.setLayer(None)
        self.map_combo.setToolTip(tr("The class or change map to assess (from Predict or a change map); its classes "
                                     "are the strata of the sample."))
        form.addRow(tr("Class map"), self.map_combo)
        self.aoi_combo = QgsMapLayerComboBox()
        self.aoi_combo.setObjectName("ClaroAssessAoi")
        self.aoi_combo.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.aoi_combo.setAllowEmptyLayer(True)
        self.aoi_combo.setLayer(None)
        self.aoi_combo.setToolTip(tr("Optional: polygons the sample and the areas are limited to."))
        form.addRow(tr("Area of interest"), self.aoi_combo)
        layout.addLayout(form)
        layout.addWidget(self._draw_section())
        layout.addWidget(self._label_section())
        layout.addWidget(self._assess_section())
        layout.addStretch()
        project = QgsProject.instance()
        project.layersAdded.connect(self._layers_added)
        project.layersRemoved.connect(self._layers_removed)

    # ================================================================== building
    def _draw_section(self) -> QWidget:
        box, inner = narrow_section(tr("1. Draw a sample"))
        self.sample_form = ParamsForm(P.SampleParams, SAMPLE_MAIN)
        inner.addWidget(self.sample_form)
        advanced, advanced_layout = narrow_section(tr("Advanced"))
        advanced.setCollapsed(True)
        self.sample_advanced = ParamsForm(P.SampleParams, SAMPLE_ADVANCED)
        advanced_layout.addWidget(self.sample_advanced)
        inner.addWidget(advanced)
        row = QHBoxLayout()
        self.draw_button = button(tr("Draw sample"), tr("Draw a stratified random sample of the class map and add the "
                                                        "points as a layer to label."))
        self.draw_button.setObjectName("ClaroDrawSampleButton")
        self.draw_button.clicked.connect(self.start_sample)
        self.draw_cancel = button(tr("Cancel"), tr("Stop the running job; nothing half-written is left."))
        self.draw_cancel.clicked.connect(self.dock.cancel)
        row.addWidget(self.draw_button)
        row.addWidget(self.draw_cancel)
        inner.addLayout(row)
        self.draw_progress = QProgressBar()
        self.draw_progress.setRange(0, 100)
        inner.addWidget(self.draw_progress)
        self.draw_status = wrapped_label()
        inner.addWidget(self.draw_status)
        return box

    def _label_section(self) -> QWidget:
        box, inner = narrow_section(tr("2. Label the points"))
        form = QFormLayout()
        self.sample_combo = QgsMapLayerComboBox()
        self.sample_combo.setObjectName("ClaroSampleLayer")
        self.sample_combo.setFilters(QgsMapLayerProxyModel.PointLayer)
        self.sample_combo.setAllowEmptyLayer(True)
        self.sample_combo.setLayer(None)
        self.sample_combo.setToolTip(tr("The points of a sample Claro drew (the GeoPackage from Draw sample)."))
        self.sample_combo.layerChanged.connect(self.sample_changed)
        form.addRow(tr("Sample layer"), self.sample_combo)
        self.scale_spin = QSpinBox()
        self.scale_spin.setObjectName("ClaroLabelScale")
        self.scale_spin.setRange(100, 10_000_000)
        self.scale_spin.setSingleStep(500)
        self.scale_spin.setPrefix("1:")
        self.scale_spin.setGroupSeparatorShown(True)
        self.scale_spin.setValue(DEFAULT_SCALE)
        self.scale_spin.setToolTip(tr("The map scale each point is shown at, centred on it."))
        self.scale_spin.valueChanged.connect(lambda _value: self.show_point())
        form.addRow(tr("Zoom to scale"), self.scale_spin)
        inner.addLayout(form)
        images_label = wrapped_label(tr("Images to look at (only these are shown while labelling):"))
        inner.addWidget(images_label)
        self.images_list = QListWidget()
        self.images_list.setObjectName("ClaroLabelImages")
        self.images_list.setMaximumHeight(90)
        self.images_list.setSelectionMode(QAbstractItemView.NoSelection)
        self.images_list.setToolTip(tr("Tick the images that show what is on the ground, e.g. the images before and "
                                       "after the change; the class map is not listed (blind labelling)."))
        self.images_list.itemChanged.connect(lambda _item: self._apply_visibility() if self.labelling else None)
        inner.addWidget(self.images_list)
        self.show_map_check = QCheckBox(tr("Show the map class"))
        self.show_map_check.setObjectName("ClaroShowMapClass")
        self.show_map_check.setToolTip(tr("Good practice is to label blind: the map's answer biases the reference. "
                                          "Tick to show the point's map class and the map layer."))
        self.show_map_check.toggled.connect(self._show_map_toggled)
        inner.addWidget(self.show_map_check)
        self.label_button = button(tr("Start labelling"), tr("Show only the chosen images and step through the points; "
                                                             "Stop labelling restores the layers' visibility."))
        self.label_button.setObjectName("ClaroStartLabelling")
        self.label_button.setCheckable(True)
        self.label_button.toggled.connect(self.set_labelling)
        inner.addWidget(self.label_button)
        self.point_info = wrapped_label()
        self.point_info.setObjectName("ClaroPointInfo")
        inner.addWidget(self.point_info)
        self.class_box = QWidget()
        self.class_grid = QGridLayout(self.class_box)
        self.class_grid.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.class_box)
        row = QHBoxLayout()
        self.previous_button = button(tr("Previous"), tr("Go back to the previous point."))
        self.previous_button.clicked.connect(lambda: self._move(lambda labelling: labelling.previous()))
        self.skip_button = button(tr("Skip"), tr("Unsure: leave this point without a label (a label it had is removed) "
                                                 "and go to the next; 'claro assess' counts it as skipped."))
        self.skip_button.clicked.connect(lambda: self._move(lambda labelling: labelling.skip()))
        self.next_button = button(tr("Next"), tr("Go to the next point without changing this one's label."))
        self.next_button.clicked.connect(lambda: self._move(lambda labelling: labelling.next()))
        for widget in (self.previous_button, self.skip_button, self.next_button):
            widget.setMinimumWidth(0)
            row.addWidget(widget)
        inner.addLayout(row)
        self.first_unlabelled_button = button(tr("First unlabelled point"),
                                              tr("Jump to the first point without a label (passing over those skipped)."))
        self.first_unlabelled_button.clicked.connect(lambda: self._move(lambda labelling: labelling.go_first_unlabelled()))
        inner.addWidget(self.first_unlabelled_button)
        self.label_progress = QLabel()
        self.label_progress.setObjectName("ClaroLabelProgress")
        inner.addWidget(self.label_progress)
        self.label_status = wrapped_label()
        inner.addWidget(self.label_status)
        self._update_label_widgets()
        return box

    def _assess_section(self) -> QWidget:
        box, inner = narrow_section(tr("3. Assess"))
        self.assess_form = ParamsForm(P.AssessParams, ASSESS_MAIN)
        inner.addWidget(self.assess_form)
        row = QHBoxLayout()
        self.assess_button = button(tr("Assess"), tr("Estimate accuracies and class areas with 95 % confidence "
                                                     "intervals from the labelled sample."))
        self.assess_button.setObjectName("ClaroAssessButton")
        self.assess_button.clicked.connect(self.start_assessment)
        self.assess_cancel = button(tr("Cancel"), tr("Stop the running job; nothing half-written is left."))
        self.assess_cancel.clicked.connect(self.dock.cancel)
        row.addWidget(self.assess_button)
        row.addWidget(self.assess_cancel)
        inner.addLayout(row)
        self.assess_progress = QProgressBar()
        self.assess_progress.setRange(0, 100)
        inner.addWidget(self.assess_progress)
        self.assess_status = wrapped_label()
        inner.addWidget(self.assess_status)
        self.overall_label = wrapped_label()
        self.overall_label.setObjectName("ClaroOverallAccuracy")
        inner.addWidget(self.overall_label)
        self.assess_table = QTableWidget(0, 5)
        self.assess_table.setObjectName("ClaroAssessTable")
        self.assess_table.setHorizontalHeaderLabels([tr("Class"), tr("Map ha"), tr("Estimated ha"), tr("User's"),
                                                    tr("Producer's")])
        self.assess_table.setToolTip(tr("Per class: the map's area, the estimated area ± its 95 % interval, and user's "
                                       "and producer's accuracy ± their 95 % intervals."))
        self.assess_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.assess_table.verticalHeader().hide()
        self.assess_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.assess_table.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.assess_table.hide()
        inner.addWidget(self.assess_table)
        self.summary_image = SummaryImage()
        self.summary_image.setObjectName("ClaroAssessSummary")
        inner.addWidget(self.summary_image)
        self.notes_label = wrapped_label()
        self.notes_label.setObjectName("ClaroAssessNotes")
        inner.addWidget(self.notes_label)
        return box

    # ================================================================== Tab hooks
    def places(self) -> dict[str, Place]:
        layers = {"map": tr("Class map"), "aoi": tr("Area of interest")}
        return {"sample": Place(self.title, SAMPLE_MAIN, SAMPLE_ADVANCED, layers),
                "assess": Place(self.title, ASSESS_MAIN, (), {**layers, "sample": tr("Sample layer")})}

    def restore(self) -> None:
        sample = self.dock.settings.params(P.SampleParams)
        self.sample_form.set_values(sample)
        self.sample_advanced.set_values(sample)
        self.assess_form.set_values(self.dock.settings.params(P.AssessParams))
        self.refresh_images()

    def set_running(self, running: bool) -> None:
        self.draw_button.setEnabled(not running)
        self.assess_button.setEnabled(not running)
        self.draw_cancel.setEnabled(running)
        self.assess_cancel.setEnabled(running)

    def shown(self) -> None:
        self.refresh_images()

    def shutdown(self) -> None:
        self.set_labelling(False)
        project = QgsProject.instance()
        for signal, slot in ((project.layersAdded, self._layers_added), (project.layersRemoved, self._layers_removed)):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass

    # ================================================================== layers
    def sample_layer(self) -> Optional[QgsVectorLayer]:
        layer = self.sample_combo.currentLayer()
        return layer if isinstance(layer, QgsVectorLayer) else None

    def sample_metadata(self) -> Optional[dict]:
        layer = self.sample_layer()
        path = file_of(layer) if layer is not None else None
        return sample_file_metadata(path) if path else None

    def map_path(self) -> str:
        """The class map's file: the tab's choice, else the map the sample was drawn from."""
        layer = self.map_combo.currentLayer()
        if layer is not None:
            return file_of(layer) or ""
        drawn_from = (self.sample_metadata() or {}).get("map") or ""
        return drawn_from if drawn_from and Path(drawn_from).is_file() else ""

    def map_layers(self) -> list[QgsMapLayer]:
        """The project's layers of the class map (hidden while labelling blind)."""
        paths = [p for p in (self.map_path(), (self.sample_metadata() or {}).get("map") or "") if p]
        chosen = self.map_combo.currentLayer()
        found = [chosen] if chosen is not None else []
        for layer in QgsProject.instance().mapLayers().values():
            source = file_of(layer) or ""
            if layer not in found and any(_same_file(source, p) for p in paths):
                found.append(layer)
        return found

    def refresh_images(self) -> None:
        """The project's raster layers but the class map, as a checkable list (ticks kept)."""
        ticked = set(self.chosen_image_ids())
        maps = {layer.id() for layer in self.map_layers()}
        self.images_list.blockSignals(True)
        self.images_list.clear()
        for layer in QgsProject.instance().mapLayers().values():
            if not isinstance(layer, QgsRasterLayer) or layer.id() in maps:
                continue
            item = QListWidgetItem(layer.name())
            item.setData(Qt.UserRole, layer.id())
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if layer.id() in ticked else Qt.Unchecked)
            self.images_list.addItem(item)
        self.images_list.blockSignals(False)

    def chosen_image_ids(self) -> list[str]:
        return [self.images_list.item(i).data(Qt.UserRole) for i in range(self.images_list.count())
                if self.images_list.item(i).checkState() == Qt.Checked]

    def choose_images(self, layers: list[QgsMapLayer]) -> None:
        """Tick these layers in the images list (and untick the others)."""
        ids = {layer.id() for layer in layers}
        for i in range(self.images_list.count()):
            item = self.images_list.item(i)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in ids else Qt.Unchecked)

    def _layers_added(self, _layers: list[QgsMapLayer]) -> None:
        self.refresh_images()

    def _layers_removed(self, ids: list[str]) -> None:
        if self.labelling is not None:
            try:
                gone = self.labelling.layer.id() in ids
            except RuntimeError:
                gone = True
            if gone:
                self.labelling = None
                self.label_button.setChecked(False)
        self.refresh_images()

    # ================================================================== 1. draw
    def sample_params(self) -> P.SampleParams:
        values = {**self.sample_advanced.values(), **self.sample_form.values()}
        if self.map_combo.currentLayer() is None:
            raise SourceError(tr("Choose the class map to sample (Class map) in Assess."))
        if not values.get("out"):
            raise SourceError(tr("Choose where to write the sample points (Sample points) in Assess."))
        folder = self.dock.export_folder()
        aoi = self.aoi_combo.currentLayer()
        return P.SampleParams(map=backend_path(self.map_combo.currentLayer(), folder),
                              aoi=backend_path(aoi, folder) if aoi is not None else None, **values)

    def start_sample(self) -> Optional[ClaroTask]:
        """Draw sample: one `sample` job; the points are added as a styled layer, ready to label."""
        python = self.dock.check_ready()
        if not python:
            return None
        try:
            params = self.sample_params()
        except (SourceError, ValueError) as error:
            self.dock.log.error(self.dock.words(str(error), "sample"))
            return None
        self.dock.settings.save_params(params)
        self.draw_status.setText(tr("Drawing the sample…"))
        task = ClaroTask(tr("Claro: sample {}").format(Path(params.out).name), [params], python,
                         grace_seconds=self.dock.settings.cancel_grace_seconds)
        task.progressed.connect(lambda f, m: (self.draw_progress.setValue(int(round(f * 100))),
                                              self.draw_status.setText(m) if m else None))
        task.logged.connect(self.dock.job_logged)
        task.succeeded.connect(lambda outputs: self._sample_done(params, outputs))
        task.failed.connect(lambda message, log: self.dock.job_failed(message, log, self.draw_status,
                                                                      self.sampleDrawn, None))
        self.dock.start(task)
        return task

    def _sample_done(self, params: P.SampleParams, outputs: dict) -> None:
        self.dock.job_ended()
        self.draw_progress.setValue(100)
        out = outputs.get("out") or params.out
        try:
            layer = add_sample_layer(out)
        except ValueError as error:
            self.dock.log.error(str(error))
            self.sampleDrawn.emit(False, None)
            return
        self.label_button.setChecked(False)
        self.sample_combo.setLayer(layer)
        self.assess_form.set_value("out", str(Path(out).with_name(Path(out).stem + "_report.json")))
        self.draw_status.setText(tr("{} points written to {}; label them below.").format(
            f"{int(outputs.get('points') or layer.featureCount()):,}", breakable(out)))
        self.dock.log.success(tr("Sample added as layer '{}'.").format(layer.name()))
        self.sampleDrawn.emit(True, layer)

    # ================================================================== 2. label
    def sample_changed(self, layer: Optional[QgsMapLayer] = None) -> None:
        """A sample layer was chosen: its classes become the buttons; labelling restarts on it."""
        if self.label_button.isChecked():
            self.label_button.setChecked(False)
        self.labelling = None
        self.label_status.clear()
        if self.map_combo.currentLayer() is None:
            drawn_from = (self.sample_metadata() or {}).get("map") or ""
            for candidate in QgsProject.instance().mapLayers().values():
                if isinstance(candidate, QgsRasterLayer) and _same_file(file_of(candidate) or "", drawn_from):
                    self.map_combo.setLayer(candidate)
                    break
        self.refresh_images()
        try:
            self.label_classes = self.reference_classes()
        except (ClaroError, LabellingError) as error:
            self.label_classes = []
            self.label_status.setText(str(error))
        self._make_class_buttons()
        self._update_label_widgets()

    def reference_classes(self) -> list[dict]:
        """The classes a point may be labelled with: the map's (names and colours), else those of the
        sample's style, else the strata named in the sample."""
        layer = self.sample_layer()
        if layer is None:
            return []
        metadata = self.sample_metadata() or {}
        strata = [int(s["value"]) for s in metadata.get("strata") or []]
        map_path = self.map_path()
        if map_path:
            return [{**c, "color": hex_color(c, i)} for i, c in enumerate(map_classes(map_path, strata))]
        path = file_of(layer)
        styled = self._qml_categories(Path(path).with_suffix(".qml")) if path else []
        if styled:
            return [{**c, "color": hex_color(c, i)} for i, c in enumerate(styled)]
        named = [{"value": int(s["value"]), "name": str(s["name"]), "color": None} for s in metadata.get("strata") or []]
        if not named:
            raise LabellingError(tr("The classes of layer '{}' are not known; choose its class map (Class map).")
                                 .format(layer.name()))
        return [{**c, "color": hex_color(c, i)} for i, c in enumerate(named)]

    @staticmethod
    def _qml_categories(qml: Path) -> list[dict]:
        """The classes of a sample's own style (sample.sample_qml): its categories but 'not labelled'."""
        from qgis.PyQt.QtXml import QDomDocument

        document = QDomDocument()
        try:
            if not document.setContent(qml.read_bytes())[0]:
                return []
        except OSError:
            return []
        entries = document.elementsByTagName("category")
        classes = []
        for i in range(entries.count()):
            entry = entries.item(i).toElement()
            try:
                value = int(entry.attribute("value", ""))
            except ValueError:
                continue  # the 'not labelled' category
            classes.append({"value": value, "name": entry.attribute("label") or f"class {value}", "color": None})
        return classes

    def _make_class_buttons(self) -> None:
        for widget in self.class_buttons.values():
            self.class_grid.removeWidget(widget)
            widget.deleteLater()
        self.class_buttons = {}
        # two buttons a row while the names are short; long names (a change map's 'forest→cleared') one a row
        widest = max((self.fontMetrics().horizontalAdvance(str(c["name"])) for c in self.label_classes), default=0)
        columns = 2 if widest <= 90 else 1
        for i, cls in enumerate(self.label_classes):
            widget = button(str(cls["name"]), tr("Label this point {} (value {}) and go to the next.").format(
                cls["name"], cls["value"]))
            widget.setObjectName(f"ClaroClass_{cls['value']}")
            color = QColor(cls["color"])
            widget.setProperty("classColor", color.name())
            widget.setStyleSheet(f"QPushButton {{ background-color: {color.name()}; color: {_readable_text(color)}; }}"
                                 "QPushButton:disabled { color: #888888; }")
            widget.setMinimumWidth(0)
            widget.clicked.connect(lambda _checked=False, value=int(cls["value"]): self.label_point(value))
            self.class_grid.addWidget(widget, i // columns, i % columns)
            self.class_buttons[int(cls["value"])] = widget

    def set_labelling(self, on: bool) -> None:
        """Start labelling: only the chosen images (and the points) shown, the first unlabelled point
        in view. Stop: every layer's visibility as it was."""
        if on and self.labelling is None:
            try:
                layer = self.sample_layer()
                if layer is None:
                    raise LabellingError(tr("Choose the sample layer to label (Sample layer) in Assess."))
                if not self.label_classes:
                    raise LabellingError(tr("The classes of layer '{}' are not known; choose its class map (Class map).")
                                         .format(layer.name()))
                self.labelling = Labelling(layer, self.assess_form.value("reference_field") or "reference")
            except (LabellingError, ClaroError) as error:
                self.label_status.setText(str(error))
                self.dock.log.error(str(error))
                self.label_button.blockSignals(True)
                self.label_button.setChecked(False)
                self.label_button.blockSignals(False)
                return
        if self.label_button.isChecked() != on:
            self.label_button.blockSignals(True)
            self.label_button.setChecked(on)
            self.label_button.blockSignals(False)
        if on:
            self.label_status.clear()
            self._save_visibility()
            self._apply_visibility()
            self.show_point()
        else:
            self._restore_visibility()
            self._hide_map_fields(False)
            self._remove_marker()
        self._update_label_widgets()

    def is_labelling(self) -> bool:
        return self.label_button.isChecked() and self.labelling is not None

    def label_point(self, value: int) -> None:
        """A class button: the current point's reference is `value`, saved now; then the next point."""
        self._move(lambda labelling: labelling.label(value))

    def _move(self, step) -> None:
        if not self.is_labelling():
            return
        try:
            step(self.labelling)
        except LabellingError as error:
            self.label_status.setText(str(error))
            self.dock.log.error(str(error))
            return
        except RuntimeError:  # the layer was deleted under us
            self.set_labelling(False)
            return
        self.label_status.clear()
        self.show_point()
        self._update_label_widgets()

    def _class_name(self, value: Optional[int]) -> str:
        named = {int(c["value"]): str(c["name"]) for c in self.label_classes}
        return named.get(value, str(value))

    def point_text(self) -> str:
        """What the tab says of the current point: its place, its label, and its map class only when asked."""
        labelling = self.labelling
        point = labelling.current
        lines = [labelling.position_text()]
        if point.reference is not None:
            lines.append(tr("Labelled: {}").format(self._class_name(point.reference)))
        elif point.fid in labelling.skipped:
            lines.append(tr("Skipped (no label)"))
        else:
            lines.append(tr("Not labelled"))
        if self.show_map_check.isChecked():
            feature = labelling.layer.getFeature(point.fid)
            index = feature.fields().indexOf("map_class")
            value = as_class(feature.attribute(index)) if index >= 0 else None
            lines.append(tr("Map class: {}").format(tr("unknown") if value is None else self._class_name(value)))
        return "\n".join(lines)

    def _update_label_widgets(self) -> None:
        active = self.is_labelling()
        for widget in (*self.class_buttons.values(), self.previous_button, self.skip_button, self.next_button,
                       self.first_unlabelled_button):
            widget.setEnabled(active)
        self.label_button.setText(tr("Stop labelling") if self.label_button.isChecked() else tr("Start labelling"))
        if self.labelling is None:
            self.point_info.clear()
            self.label_progress.clear()
            return
        self.point_info.setText(self.point_text() if active else "")
        self.label_progress.setText(self.labelling.progress_text())

    def _show_map_toggled(self, _checked: bool) -> None:
        if self.is_labelling():
            self._apply_visibility()
        self._update_label_widgets()

    # -- the map canvas while labelling
    def _canvas(self):
        iface = self.dock.iface
        return iface.mapCanvas() if iface is not None and hasattr(iface, "mapCanvas") else None

    def show_point(self) -> None:
        """Centre the map on the current point at the chosen scale and mark it with a cross."""
        canvas = self._canvas()
        if canvas is None or not self.is_labelling():
            return
        layer = self.labelling.layer
        geometry = layer.getFeature(self.labelling.current.fid).geometry()
        if geometry is None or geometry.isEmpty():
            return
        point = QgsPointXY(geometry.centroid().asPoint())
        destination = canvas.mapSettings().destinationCrs()
        if destination.isValid() and layer.crs().isValid() and destination != layer.crs():
            point = QgsCoordinateTransform(layer.crs(), destination, QgsProject.instance()).transform(point)
        elif not destination.isValid():
            canvas.setDestinationCrs(layer.crs())
        if canvas.extent().isEmpty():  # a canvas that never showed a layer cannot be centred
            canvas.setExtent(QgsRectangle(point.x() - 1, point.y() - 1, point.x() + 1, point.y() + 1))
        canvas.setCenter(point)
        canvas.zoomScale(self.scale_spin.value())
        if self._marker is None:
            self._marker = QgsVertexMarker(canvas)
            self._marker.setIconType(QgsVertexMarker.ICON_CROSS)
            self._marker.setColor(QColor(MARKER_COLOR))
            self._marker.setIconSize(24)
            self._marker.setPenWidth(2)
        self._marker.setCenter(point)
        canvas.refresh()

    def _remove_marker(self) -> None:
        canvas = self._canvas()
        if self._marker is not None and canvas is not None:
            try:
                canvas.scene().removeItem(self._marker)
            except RuntimeError:
                pass
        self._marker = None

    # -- the layer tree while labelling
    def _tree_nodes(self) -> list[Any]:
        nodes, stack = [], list(QgsProject.instance().layerTreeRoot().children())
        while stack:
            node = stack.pop()
            nodes.append(node)
            if isinstance(node, QgsLayerTreeGroup):
                stack.extend(node.children())
        return nodes

    def _save_visibility(self) -> None:
        self._visibility = [(node, node.itemVisibilityChecked()) for node in self._tree_nodes()]

    def _restore_visibility(self) -> None:
        for node, checked in self._visibility:
            try:
                node.setItemVisibilityChecked(checked)
            except RuntimeError:  # removed meanwhile
                pass
        self._visibility = []

    def _hide_map_fields(self, hide: bool) -> None:
        """Blind: the map class fields get QGIS's Hidden widget (not in the attribute form, table or
        Identify results); shown again with their own widgets when the map class may be seen."""
        layer = self.labelling.layer if self.labelling is not None else None
        try:
            if hide and layer is not None and not self._hidden_fields:
                from qgis.core import QgsEditorWidgetSetup

                for name in MAP_CLASS_FIELDS:
                    index = layer.fields().indexOf(name)
                    if index >= 0:
                        self._hidden_fields[index] = layer.editorWidgetSetup(index)
                        layer.setEditorWidgetSetup(index, QgsEditorWidgetSetup("Hidden", {}))
            elif not hide and layer is not None:
                for index, setup in self._hidden_fields.items():
                    layer.setEditorWidgetSetup(index, setup)
        except RuntimeError:  # the layer was deleted
            pass
        if not hide:
            self._hidden_fields = {}

    def _apply_visibility(self) -> None:
        """Only the chosen images, the points (and the map when its class is to be shown) are visible."""
        if self.labelling is None:
            return
        shown = set(self.chosen_image_ids()) | {self.labelling.layer.id()}
        if self.show_map_check.isChecked():
            shown |= {layer.id() for layer in self.map_layers()}
        self._hide_map_fields(not self.show_map_check.isChecked())
        ordered = self._tree_nodes()
        for node in ordered:
            if isinstance(node, QgsLayerTreeLayer) and node.layerId() not in shown:
                node.setItemVisibilityChecked(False)
        for node in ordered:
            if isinstance(node, QgsLayerTreeLayer) and node.layerId() in shown:
                node.setItemVisibilityCheckedParentRecursive(True)

    # ================================================================== 3. assess
    def assess_params(self) -> P.AssessParams:
        values = self.assess_form.values()
        layer = self.sample_layer()
        if layer is None:
            raise SourceError(tr("Choose the labelled sample (Sample layer) in Assess."))
        metadata = self.sample_metadata() or {}
        folder = self.dock.export_folder()
        map_path = backend_path(self.map_combo.currentLayer(), folder) if self.map_combo.currentLayer() else self.map_path()
        if not map_path:
            raise SourceError(tr("Choose the class map the sample was drawn from (Class map) in Assess."))
        if not values.get("out"):
            raise SourceError(tr("Choose where to write the report (Report) in Assess."))
        aoi = self.aoi_combo.currentLayer()
        aoi_path = backend_path(aoi, folder) if aoi is not None else metadata.get("aoi")
        return P.AssessParams(map=map_path, sample=backend_path(layer, folder), aoi=aoi_path or None, **values)

    def start_assessment(self) -> Optional[ClaroTask]:
        """Assess: one `assess` job; the report is shown in the tab."""
        python = self.dock.check_ready()
        if not python:
            return None
        try:
            params = self.assess_params()
        except (SourceError, ValueError) as error:
            self.dock.log.error(self.dock.words(str(error), "assess"))
            return None
        self.dock.settings.save_params(params)
        self.assess_status.setText(tr("Assessing…"))
        task = ClaroTask(tr("Claro: assess {}").format(Path(params.out).name), [params], python,
                         grace_seconds=self.dock.settings.cancel_grace_seconds)
        task.progressed.connect(lambda f, m: (self.assess_progress.setValue(int(round(f * 100))),
                                              self.assess_status.setText(m) if m else None))
        task.logged.connect(self.dock.job_logged)
        task.succeeded.connect(lambda outputs: self._assessment_done(params, outputs))
        task.failed.connect(lambda message, log: self.dock.job_failed(message, log, self.assess_status,
                                                                      self.assessed, {}))
        self.dock.start(task)
        return task

    def _assessment_done(self, params: P.AssessParams, outputs: dict) -> None:
        self.dock.job_ended()
        self.assess_progress.setValue(100)
        out = outputs.get("out") or params.out
        try:
            report = json.loads(Path(out).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            self.dock.log.error(tr("The report {} could not be read: {}").format(out, error))
            self.assessed.emit(False, {})
            return
        self.show_report(report, outputs.get("png") or str(png_path(out)))
        self.assess_status.setText(tr("Written: {}").format(breakable(out)))
        self.dock.log.success(self.overall_label.text())
        self.assessed.emit(True, report)

    def show_report(self, report: dict, png: str = "") -> None:
        """Overall accuracy, the class table, the one-page summary and the notes of a report."""
        self.assessment = report
        overall, half = report.get("overall_accuracy"), report.get("overall_accuracy_ci95")
        if overall is None:
            self.overall_label.setText(tr("Overall accuracy cannot be estimated yet (see the notes)."))
        elif half is None:
            self.overall_label.setText(tr("Overall accuracy {} (no confidence interval: see the notes)").format(
                _number(overall)))
        else:
            self.overall_label.setText(tr("Overall accuracy {} (95 % confidence interval)").format(_with_ci(overall, half)))
        classes = report.get("classes") or []
        self.assess_table.setRowCount(len(classes))
        for row, cls in enumerate(classes):
            cells = [str(cls.get("name")), _number(cls.get("map_area_ha"), 0),
                     _with_ci(cls.get("area_ha"), cls.get("area_ci95_ha"), 0),
                     _with_ci(cls.get("users_accuracy"), cls.get("users_accuracy_ci95")),
                     _with_ci(cls.get("producers_accuracy"), cls.get("producers_accuracy_ci95"))]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
                self.assess_table.setItem(row, column, item)
        self.assess_table.setVisible(bool(classes))
        header = self.assess_table.horizontalHeader().height()
        self.assess_table.setFixedHeight(header + sum(self.assess_table.rowHeight(r) for r in range(len(classes))) + 4)
        self.notes_label.setText("\n".join(report.get("notes") or []))
        if png and Path(png).is_file():
            self.summary_image.show_file(png)


__all__ = ["AssessTab", "SummaryImage", "map_classes", "sample_file_metadata", "SAMPLE_MAIN", "SAMPLE_ADVANCED",
           "ASSESS_MAIN", "DEFAULT_SCALE"]
