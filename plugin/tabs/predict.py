"""The Predict tab: a trained model, the raster to classify and the prediction options; the
Predict button runs `claro predict` and adds the class raster (and the probabilities, the
uncertainty and the polygons) as styled layers, then shows the true area of every class.
The model card shows the model's bands and classes before anything runs.

The area of interest (the whole raster, a polygon layer, its selected features or the map
extent) becomes a file in plugin/aoi.py. It is not remembered between sessions: a forgotten
area of interest kept from last week would silently leave most of a new raster unclassified.
"Fast mode" (--precision bf16) is offered only where the probe of the TensorFlow Python says
bfloat16 is fast there (a GPU, or a CPU with bfloat16 instructions) and FAST_MODE_OFFERED holds.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from qgis.core import QgsMapLayerProxyModel, QgsProject, QgsRasterLayer
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                                 QPlainTextEdit, QProgressBar, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...backend import params as P
from ...backend.card import describe, read_card, select_bands
from ...backend.errors import ClaroError
from .. import aoi, environment
from ..forms import ParamsForm, field_help
from ..layers import add_class_layer, add_polygon_layer, add_probability_layer, add_uncertainty_layer
from ..runner import ClaroTask
from ..sources import SourceError, backend_path
from ..words import Place
from .base import Tab, button, section

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock

#: fields shown in the tab; the rest of PredictParams is under "Advanced"
PREDICT_MAIN = ("model", "overlap", "out", "tta", "min_area", "polygons", "uncertainty", "uncertainty_measure",
                "overwrite")
PREDICT_ADVANCED = ("window", "batch_size", "bands", "classes", "dask")
#: whether "fast mode" (--precision bf16) may be offered at all: set False if its benchmark goal
#: (≥ 1.3× faster for ≤ 0.005 held-out IoU change, bench/results.json "bf16") is no longer met;
#: met when it was added (claro predict 1.39×, |ΔIoU| 0.00035)
FAST_MODE_OFFERED = True
#: the uncertainty measure that needs test-time augmentation (the eight views)
NEEDS_TTA = "disagreement"


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def _field(name: str) -> dataclasses.Field:
    return next(f for f in dataclasses.fields(P.PredictParams) if f.name == name)


def fast_mode_possible(info: Optional[dict]) -> bool:
    """The probe says bfloat16 is fast with this Python (a GPU, or CPU bfloat16 instructions)."""
    return bool(FAST_MODE_OFFERED and info and "error" not in info and info.get("tensorflow") and info.get("bf16") is True)


def probabilities_path(out: str) -> str:
    """Where the probability raster goes when 'probabilities' is ticked: beside the class raster."""
    path = Path(out)
    return str(path.with_name(f"{path.stem}_probabilities{path.suffix or '.tif'}"))


class PredictTab(Tab):
    """Predict: one `predict` job on the chosen raster layer."""

    def __init__(self, dock: "ClaroDock") -> None:
        super().__init__(dock)
        self.title, self.tooltip = tr("Predict"), tr("Classify a raster with a trained model")
        layout = QVBoxLayout(self)
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
        self.aoi_mode = QComboBox()
        self.aoi_mode.setObjectName("ClaroAoiMode")
        for mode, label in aoi.mode_labels().items():
            self.aoi_mode.addItem(label, mode)
        self.aoi_mode.setToolTip(field_help(_field("aoi")))
        self.aoi_mode.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)  # fits a narrow dock
        self.aoi_mode.setMinimumContentsLength(12)
        form.addRow(tr("Area of interest"), self.aoi_mode)
        self.aoi_combo = QgsMapLayerComboBox()
        self.aoi_combo.setObjectName("ClaroAoiLayer")
        self.aoi_combo.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.aoi_combo.setToolTip(tr("The polygons of the area of interest (all of them, or the selected ones)."))
        form.addRow(tr("Area layer"), self.aoi_combo)
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
        box, inner = section(tr("Advanced"))
        box.setCollapsed(True)
        self.predict_advanced = ParamsForm(P.PredictParams, PREDICT_ADVANCED)
        # empty: this machine, as always; the rest of a Dask run (blocks, merge) needs no widget
        self.predict_advanced.widget("dask").setPlaceholderText(tr("tcp://host:8786 or local:2"))
        inner.addWidget(self.predict_advanced)
        self.fast_mode = QCheckBox(tr("Fast mode (bfloat16)"))
        self.fast_mode.setObjectName("ClaroFastMode")
        self.fast_mode.setToolTip(field_help(_field("precision")))
        self.fast_mode.setVisible(False)  # until the probe says this Python has fast bfloat16
        # In a row of its own: the collapsed section hides the row, so showing the checkbox when
        # the probe answers cannot draw it over the collapsed section's title.
        fast_row = QWidget()
        row_layout = QVBoxLayout(fast_row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.fast_mode)
        inner.addWidget(fast_row)
        fast_row.setVisible(not box.isCollapsed())
        box.collapsedStateChanged.connect(lambda collapsed: fast_row.setVisible(not collapsed))
        self._fast_mode_offered = False
        layout.addWidget(box)
        row = QHBoxLayout()
        self.predict_button = button(tr("Predict"), tr("Classify the raster with the model and add the result as a layer."))
        self.predict_button.setObjectName("ClaroPredictButton")
        self.predict_button.clicked.connect(self.start_prediction)
        self.predict_cancel = button(tr("Cancel"), tr("Stop the running job; nothing half-written is left."))
        self.predict_cancel.clicked.connect(self.dock.cancel)
        row.addWidget(self.predict_button)
        row.addWidget(self.predict_cancel)
        layout.addLayout(row)
        self.predict_progress = QProgressBar()
        self.predict_progress.setRange(0, 100)
        layout.addWidget(self.predict_progress)
        self.predict_status = QLabel()
        self.predict_status.setWordWrap(True)
        layout.addWidget(self.predict_status)
        self.area_note = QLabel()  # where the table's CSV is, or why there is no table
        self.area_note.setObjectName("ClaroAreaNote")
        self.area_note.setWordWrap(True)
        self.area_note.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.area_note.setVisible(False)
        layout.addWidget(self.area_note)
        self.area_table = QTableWidget(0, 4)
        self.area_table.setObjectName("ClaroAreaTable")
        self.area_table.setHorizontalHeaderLabels([tr("Class"), tr("Hectares"), tr("Share"), tr("Pixels")])
        self.area_table.setToolTip(tr("True area of every class on the WGS84 ellipsoid, after the minimum mapping unit."))
        self.area_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.area_table.verticalHeader().setVisible(False)
        self.area_table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        header = self.area_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Stretch)
        header.setMinimumSectionSize(20)
        self.area_table.setVisible(False)
        layout.addWidget(self.area_table)
        layout.addStretch()
        self.predict_form.widget("model").fileChanged.connect(self.show_model_card)
        tta = self.predict_form.widget("tta")
        tta_label = self.predict_form.layout_.labelForField(tta)
        tta_label.setText(self.tta_label())
        tta_label.setWordWrap(True)  # fits a narrow dock
        self.predict_form.on_change(self._update_options)
        self.aoi_mode.currentIndexChanged.connect(self._update_options)
        self._update_options()

    @staticmethod
    def tta_label() -> str:
        return tr("Test-time augmentation (8× slower)")

    def _update_options(self) -> None:
        """Widgets that only mean something with another: the area layer with a layer choice,
        the measure with an uncertainty raster, "disagreement" with test-time augmentation."""
        self.aoi_combo.setEnabled(self.aoi_mode.currentData() in (aoi.LAYER, aoi.SELECTED))
        measure = self.predict_form.widget("uncertainty_measure")
        tta = self.predict_form.value("tta")
        index = measure.findText(NEEDS_TTA)
        item = measure.model().item(index) if index >= 0 else None
        if item is not None:
            item.setEnabled(tta)
            item.setToolTip("" if tta else tr("Needs test-time augmentation."))
        if not tta and measure.currentText() == NEEDS_TTA:
            measure.setCurrentIndex(measure.findText(P.PredictParams().uncertainty_measure))
        measure.setEnabled(bool(self.predict_form.value("uncertainty")))

    def places(self) -> dict[str, Place]:
        return {"predict": Place(self.title, PREDICT_MAIN, (*PREDICT_ADVANCED, "precision"), {
            "image": tr("Raster layer"), "probabilities": self.probabilities_check.text(),
            "aoi": tr("Area of interest"), "tta": self.tta_label(), "precision": self.fast_mode.text()})}

    def restore(self) -> None:
        predict = self.dock.settings.params(P.PredictParams)
        self.predict_form.set_values(predict)
        self.predict_advanced.set_values(predict)
        self.probabilities_check.setChecked(bool(predict.probabilities))
        self.fast_mode.setChecked(predict.precision == "bf16")
        self._update_options()

    def shown(self) -> None:
        python = self.dock.interpreter()
        info = environment.cached(python) if python else None
        if info is not None:
            self.environment_known(info)

    def environment_known(self, info: dict) -> None:
        """Offer fast mode only where the probe says bfloat16 is fast (fast_mode_possible)."""
        self._fast_mode_offered = fast_mode_possible(info)
        self.fast_mode.setVisible(self._fast_mode_offered)
        self.fast_mode.setEnabled(self._fast_mode_offered)
        reason = info.get("bf16_reason") if isinstance(info, dict) else None
        help_text = field_help(_field("precision"))
        self.fast_mode.setToolTip(f"{help_text}\n{reason}" if reason and self._fast_mode_offered else help_text)

    def set_running(self, running: bool) -> None:
        self.predict_button.setEnabled(not running)
        self.predict_cancel.setEnabled(running)

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
        self.model_card.setPlainText(self.dock.words(describe(card, path), "predict"))
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
        image = backend_path(self.predict_combo.currentLayer(), self.dock.export_folder())
        probabilities = probabilities_path(values["out"]) if self.probabilities_check.isChecked() else None
        if not values.get("uncertainty"):
            values["uncertainty_measure"] = P.PredictParams().uncertainty_measure  # meaningless without the raster
        precision = "bf16" if self._fast_mode_offered and self.fast_mode.isChecked() else P.PredictParams().precision
        return P.PredictParams(image=image, probabilities=probabilities, aoi=self.aoi_source(), precision=precision,
                               **values)

    def aoi_source(self) -> Optional[str]:
        """The --aoi file for the tab's area-of-interest choice (written when needed, aoi.py)."""
        mode = self.aoi_mode.currentData()
        if mode == aoi.NONE:
            return None
        canvas = self.dock.iface.mapCanvas() if self.dock.iface is not None else None
        extent = crs = None
        if mode == aoi.EXTENT and canvas is not None:
            extent, crs = canvas.extent(), canvas.mapSettings().destinationCrs()
        return aoi.aoi_file(mode, self.dock.export_folder(), self.aoi_combo.currentLayer(), extent, crs)

    def remember(self, predict: P.PredictParams) -> None:
        """Save the fields for the next session, but not the area of interest: it is one run's
        choice (and its file a temporary one); the tab opens on the whole raster."""
        self.dock.settings.save_params(dataclasses.replace(predict, aoi=None))

    def check_dask(self, predict: P.PredictParams, python: str) -> None:
        """A Dask scheduler with a Python the probe found without dask or distributed: refused now
        with how to install them (the backend would say so too, after starting)."""
        info = environment.cached(python)
        sentence = environment.dask_missing(info, self.dock.setup_tab.place()) if predict.dask and info else None
        if sentence:
            raise SourceError(sentence)

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
        python = self.dock.check_ready()
        if not python:
            return None
        try:
            predict = self.predict_params()
            self.check_dask(predict, python)
            self.check_bands(predict)
        except (SourceError, ValueError, ClaroError) as error:
            self.dock.log.error(self.dock.words(str(error), "predict"))
            return None
        self.remember(predict)
        self.show_areas(None)
        self.predict_status.setText(tr("Predicting…"))
        task = ClaroTask(tr("Claro: predict {}").format(Path(predict.out).name), [predict], python,
                         grace_seconds=self.dock.settings.cancel_grace_seconds)
        task.progressed.connect(lambda f, m: (self.predict_progress.setValue(int(round(f * 100))),
                                              self.predict_status.setText(m) if m else None))
        task.logged.connect(self.dock.job_logged)
        task.succeeded.connect(lambda outputs: self._prediction_done(predict, outputs))
        task.failed.connect(lambda message, log: self.dock.job_failed(message, log, self.predict_status,
                                                                      self.dock.predictionFinished, None))
        self.dock.start(task)
        return task

    def _prediction_done(self, predict: P.PredictParams, outputs: dict) -> None:
        self.dock.job_ended()
        self.predict_progress.setValue(100)
        try:
            classes = None if predict.classes is None else P.parse_classes(predict.classes)
            card = read_card(predict.model)
            if predict.probabilities and Path(predict.probabilities).is_file():  # first, so it ends up below
                add_probability_layer(predict.probabilities, (card or {}).get("classes") or classes)
            uncertainty = outputs.get("uncertainty") or predict.uncertainty
            if uncertainty and Path(uncertainty).is_file():
                add_uncertainty_layer(uncertainty)
            layer = add_class_layer(predict.out, classes or (card or {}).get("classes"), model=None if card else predict.model)
            polygons = outputs.get("polygons") or predict.polygons
            if polygons and Path(polygons).is_file():  # last, so the polygons are drawn over the raster
                add_polygon_layer(polygons)
        except (ValueError, ClaroError) as error:
            self.dock.log.error(str(error))
            self.dock.predictionFinished.emit(False, None)
            return
        self._reveal(layer)
        self.show_areas(outputs, predict.out)
        self.predict_status.setText(tr("Written: {}").format(predict.out))
        self.dock.log.success(tr("Prediction added as layer '{}'.").format(layer.name()))
        self.dock.predictionFinished.emit(True, layer)

    def show_areas(self, outputs: Optional[dict], out: str = "") -> None:
        """The per-class area table of a prediction's result ('areas', 'area_csv'); a sentence
        instead when the raster had no CRS (areas null); nothing when `outputs` is None."""
        rows = (outputs or {}).get("areas")
        self.area_table.setRowCount(0)
        self.area_table.setVisible(bool(rows))
        self.area_note.setVisible(outputs is not None)
        if outputs is None:
            self.area_note.clear()
            return
        if not rows:
            self.area_note.setText(tr("No area table: {} has no coordinate reference system, so its pixels have no "
                                      "true area; assign one to the image (Raster ▸ Projections ▸ Assign "
                                      "Projection) and predict again to get hectares.").format(out or tr("the class raster")))
            return
        self.area_table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            cells = [str(row.get("name", row.get("value", ""))), f"{float(row.get('hectares') or 0.0):,.2f}",
                     f"{100.0 * float(row.get('share') or 0.0):.1f} %", f"{int(row.get('pixels') or 0):,}"]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
                self.area_table.setItem(i, j, item)
        height = self.area_table.horizontalHeader().height() + sum(self.area_table.rowHeight(i) for i in range(len(rows)))
        self.area_table.setFixedHeight(height + 2 * self.area_table.frameWidth())
        csv = outputs.get("area_csv")
        self.area_note.setText(tr("True area per class on the WGS84 ellipsoid (also in {}):").format(csv) if csv else
                               tr("True area per class on the WGS84 ellipsoid:"))

    def _reveal(self, layer) -> None:
        """Unfold the "Claro" group and the class legend in the Layers panel (the view does not
        follow a group's expanded flag when the group is new)."""
        iface = self.dock.iface
        view = iface.layerTreeView() if iface is not None and hasattr(iface, "layerTreeView") else None
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

