"""The Training data tab's scenes: image/label layer pairs, each label layer with its class field.

Why a list: real datasets have several scenes, and `claro patches` (like Processing and the
CLI) takes --image/--labels pairs, cut into one patch dataset. Why no label layer by default:
a combo that picks the first raster offered the image itself as labels, and the class table
filled with its pixel values. Why a class field is picked: polygon labels nearly always keep
their class in a field named like 'class' or 'landcover', and an unset field makes every
polygon class 1.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from qgis.core import QgsMapLayer, QgsMapLayerProxyModel, QgsVectorLayer
from qgis.gui import QgsFieldComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal
from qgis.PyQt.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..backend import params as P
from .forms import field_help, field_label

#: field names taken as the class field of a polygon label layer (compared case-insensitively;
#: 'classe' and 'clase' for Portuguese and Spanish)
CLASS_FIELD_NAMES = ("class", "label", "landcover", "classe", "clase")


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def _patch_field(name: str) -> dataclasses.Field:
    return next(f for f in dataclasses.fields(P.PatchParams) if f.name == name)


def class_field_of(layer: Optional[QgsMapLayer]) -> str:
    """The field of `layer` named like a class field ('' when none is)."""
    if not isinstance(layer, QgsVectorLayer):
        return ""
    names = {field.name().lower(): field.name() for field in layer.fields()}
    return next((names[n] for n in CLASS_FIELD_NAMES if n in names), "")


class SceneRow(QFrame):
    """One scene: image layer, label layer (none by default) and the label layer's class field."""

    changed = pyqtSignal()  # the label layer or its class field changed

    def __init__(self, removable: bool, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel if removable else QFrame.NoFrame)
        form = QFormLayout(self)
        if not removable:  # the first scene reads as part of the tab's form
            form.setContentsMargins(0, 0, 0, 0)
        self.image_combo = QgsMapLayerComboBox()
        self.image_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.image_combo.setToolTip(tr("The image raster to learn from (satellite or aerial; any band count)."))
        if removable:  # an added scene starts empty: the first raster is rarely the next scene
            self.image_combo.setAllowEmptyLayer(True)
            self.image_combo.setLayer(None)
        form.addRow(tr("Image layer"), self.image_combo)
        self.label_combo = QgsMapLayerComboBox()
        self.label_combo.setFilters(QgsMapLayerProxyModel.RasterLayer | QgsMapLayerProxyModel.PolygonLayer)
        self.label_combo.setAllowEmptyLayer(True)
        self.label_combo.setLayer(None)
        self.label_combo.setToolTip(field_help(_patch_field("labels")))
        form.addRow(tr("Label layer"), self.label_combo)
        class_field = _patch_field("class_field")
        self.field_combo = QgsFieldComboBox()
        self.field_combo.setAllowEmptyFieldName(True)
        self.field_combo.setToolTip(field_help(class_field) + " " + tr(
            "A field named class, label, landcover, classe or clase is picked automatically."))
        self.field_combo.setEnabled(False)
        form.addRow(field_label(class_field), self.field_combo)
        self.remove_button: Optional[QPushButton] = None
        if removable:
            self.remove_button = QPushButton(tr("Remove scene"))
            self.remove_button.setToolTip(tr("Leave this image and its labels out of the training data."))
            row = QHBoxLayout()
            row.addStretch()
            row.addWidget(self.remove_button)
            form.addRow(row)
        self._label_id: Optional[str] = None
        # layerChanged is not emitted when adding layers to the project changes the current one
        self.label_combo.layerChanged.connect(self._label_changed)
        self.label_combo.currentIndexChanged.connect(lambda *_: self._label_changed(self.label_combo.currentLayer()))
        self.field_combo.fieldChanged.connect(lambda *_: self.changed.emit())

    def _label_changed(self, layer: Optional[QgsMapLayer]) -> None:
        layer_id = layer.id() if layer is not None else None
        if layer_id == self._label_id:
            return
        self._label_id = layer_id
        vector = isinstance(layer, QgsVectorLayer)
        self.field_combo.blockSignals(True)  # one `changed` for the layer and its picked field
        self.field_combo.setLayer(layer if vector else None)
        self.field_combo.setField(class_field_of(layer))
        self.field_combo.blockSignals(False)
        self.field_combo.setEnabled(vector)
        self.changed.emit()

    def image(self) -> Optional[QgsMapLayer]:
        return self.image_combo.currentLayer()

    def labels(self) -> Optional[QgsMapLayer]:
        return self.label_combo.currentLayer()

    def class_field(self) -> str:
        """The class field of a polygon label layer ('' for a raster or no field)."""
        return self.field_combo.currentField() if isinstance(self.labels(), QgsVectorLayer) else ""


class ScenesWidget(QWidget):
    """The list of scenes; the first is always there and cannot be removed."""

    changed = pyqtSignal()  # a label layer or class field changed, or a scene was added or removed

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        self.rows: list[SceneRow] = []
        self.add_button = QPushButton(tr("Add scene"))
        self.add_button.setObjectName("ClaroAddScene")
        self.add_button.setToolTip(tr("Add another image with its labels; all scenes are cut into one patch dataset "
                                      "and the class table lists the classes of all of them."))
        self.add_button.clicked.connect(lambda: self.add_scene())
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch()
        layout.addLayout(row)
        self.add_scene()

    def add_scene(self, image: Optional[QgsMapLayer] = None, labels: Optional[QgsMapLayer] = None) -> SceneRow:
        """Append a scene (optionally with its layers chosen)."""
        row = SceneRow(removable=bool(self.rows))
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        if row.remove_button is not None:
            row.remove_button.clicked.connect(lambda: self.remove_scene(row))
        if image is not None:
            row.image_combo.setLayer(image)
        if labels is not None:
            row.label_combo.setLayer(labels)
        row.changed.connect(self.changed.emit)
        if len(self.rows) > 1 and row.labels() is not None:
            self.changed.emit()
        return row

    def remove_scene(self, row: SceneRow) -> None:
        if row not in self.rows[1:]:
            return
        self.rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.deleteLater()
        self.changed.emit()

    def label_layers(self) -> list[tuple[QgsMapLayer, str]]:
        """(label layer, class field) of every scene that has a label layer, each layer once."""
        seen, result = set(), []
        for row in self.rows:
            layer = row.labels()
            if layer is not None and (layer.id(), row.class_field()) not in seen:
                seen.add((layer.id(), row.class_field()))
                result.append((layer, row.class_field()))
        return result
