"""The Predict tab: a trained model, the raster to classify and the prediction options; the
Predict button runs `claro predict` and adds the class raster (and the probabilities) as
styled layers. The model card shows the model's bands and classes before anything runs.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from qgis.core import QgsMapLayerProxyModel, QgsProject, QgsRasterLayer
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QVBoxLayout

from ...backend import params as P
from ...backend.card import describe, read_card, select_bands
from ...backend.errors import ClaroError
from ..forms import ParamsForm, field_help
from ..layers import add_class_layer, add_probability_layer
from ..runner import ClaroTask
from ..sources import SourceError, backend_path
from ..words import Place
from .base import Tab, button, section

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock

#: fields shown in the tab; the rest of PredictParams is under "Advanced"
PREDICT_MAIN = ("model", "overlap", "out", "overwrite")
PREDICT_ADVANCED = ("window", "batch_size", "bands", "classes")


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


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
        inner.addWidget(self.predict_advanced)
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
        layout.addStretch()
        self.predict_form.widget("model").fileChanged.connect(self.show_model_card)

    def places(self) -> dict[str, Place]:
        return {"predict": Place(self.title, PREDICT_MAIN, PREDICT_ADVANCED, {
            "image": tr("Raster layer"), "probabilities": self.probabilities_check.text()})}

    def restore(self) -> None:
        predict = self.dock.settings.params(P.PredictParams)
        self.predict_form.set_values(predict)
        self.predict_advanced.set_values(predict)
        self.probabilities_check.setChecked(bool(predict.probabilities))

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
        python = self.dock.check_ready()
        if not python:
            return None
        try:
            predict = self.predict_params()
            self.check_bands(predict)
        except (SourceError, ValueError, ClaroError) as error:
            self.dock.log.error(self.dock.words(str(error), "predict"))
            return None
        self.dock.settings.save_params(predict)
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
            layer = add_class_layer(predict.out, classes or (card or {}).get("classes"), model=None if card else predict.model)
        except (ValueError, ClaroError) as error:
            self.dock.log.error(str(error))
            self.dock.predictionFinished.emit(False, None)
            return
        self._reveal(layer)
        self.predict_status.setText(tr("Written: {}").format(predict.out))
        self.dock.log.success(tr("Prediction added as layer '{}'.").format(layer.name()))
        self.dock.predictionFinished.emit(True, layer)

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

