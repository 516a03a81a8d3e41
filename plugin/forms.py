"""Widgets generated from the params dataclasses: one definition of every label, default and help.

Why: the command line, the dock and Processing must agree on every hyperparameter; the dock
therefore never spells a default or a help text itself. `ParamsForm` makes one widget per
field (spin box, check box, line edit, combo or file picker) with the field's label and its
help as tooltip, and turns the widgets back into the dataclass.
"""
from __future__ import annotations

import dataclasses
import typing
from typing import Any, Callable, Iterable, Optional

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal
from qgis.PyQt.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLineEdit, QSpinBox, QWidget)

from ..backend import params as P
from .i18n import tr_param


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def field_label(f: dataclasses.Field) -> str:
    """The field's label in the user's language (params texts live in the "params" context)."""
    return tr_param(f.metadata.get("label") or f.name.replace("_", " ").capitalize())


def field_help(f: dataclasses.Field) -> str:
    return tr_param(f.metadata.get("help", ""))


def default_of(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _unwrap(kind: Any) -> tuple[Any, bool]:
    """(inner type, optional?) for Optional[X]."""
    if typing.get_origin(kind) is typing.Union:
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        return inner[0], True
    return kind, False


def _parse_list(kind: Any, text: str) -> Any:
    """'1,2,3' → [1, 2, 3] (or a tuple) for list/tuple fields; ValueError with a sentence."""
    origin = typing.get_origin(kind)
    item = typing.get_args(kind)[0]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        values = [item(p) for p in parts]
    except ValueError:
        raise ValueError(tr("'{}' is not a comma-separated list of numbers.").format(text))
    if origin is tuple:
        args = typing.get_args(kind)
        if args[-1] is not Ellipsis and len(values) != len(args):
            raise ValueError(tr("'{}' needs exactly {} comma-separated values.").format(text, len(args)))
        return tuple(values)
    return values


def spin_range(f: dataclasses.Field) -> tuple[float, float]:
    """A number field's range from params.py (the one definition of its bounds; a test checks
    every field has both)."""
    low, high = P.bounds(f)
    return (0 if low is None else low), (1_000_000 if high is None else high)


#: how a path field is picked: (storage mode, file filter)
PATH_FIELDS: dict[tuple[type, str], tuple[int, str]] = {
    (P.PatchParams, "out"): (QgsFileWidget.GetDirectory, ""),
    (P.TrainParams, "data"): (QgsFileWidget.GetDirectory, ""),
    (P.TrainParams, "out"): (QgsFileWidget.SaveFile, "Keras model (*.keras)"),
    (P.TrainParams, "tensorboard"): (QgsFileWidget.GetDirectory, ""),
    (P.PredictParams, "model"): (QgsFileWidget.GetFile, "Keras model (*.keras)"),
    (P.PredictParams, "image"): (QgsFileWidget.GetFile, "Raster (*.tif *.tiff *.vrt *.img *.jp2);;All files (*)"),
    (P.PredictParams, "out"): (QgsFileWidget.SaveFile, "GeoTIFF (*.tif)"),
    (P.PredictParams, "probabilities"): (QgsFileWidget.SaveFile, "GeoTIFF (*.tif)"),
    (P.PredictParams, "uncertainty"): (QgsFileWidget.SaveFile, "GeoTIFF (*.tif)"),
    (P.PredictParams, "polygons"): (QgsFileWidget.SaveFile, "GeoPackage (*.gpkg)"),
    (P.ChangeParams, "out"): (QgsFileWidget.SaveFile, "GeoTIFF (*.tif)"),
    (P.ChangeParams, "polygons"): (QgsFileWidget.SaveFile, "GeoPackage (*.gpkg)"),
    (P.SampleParams, "out"): (QgsFileWidget.SaveFile, "GeoPackage (*.gpkg)"),
    (P.AssessParams, "out"): (QgsFileWidget.SaveFile, "JSON report (*.json)"),
    (P.DescribeParams, "folder"): (QgsFileWidget.GetDirectory, ""),
    (P.DescribeParams, "out"): (QgsFileWidget.GetDirectory, ""),
}


class ParamsForm(QWidget):
    """A QFormLayout of widgets for some fields of a params dataclass.

    `fields`: names to show, in order (default: all but 'progress' and list-of-path fields).
    `changed` fires when any value changes.
    """

    changed = pyqtSignal()

    def __init__(self, cls: type, fields: Optional[Iterable[str]] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.cls = cls
        self.hints = typing.get_type_hints(cls)
        all_fields = {f.name: f for f in dataclasses.fields(cls)}
        names = list(fields) if fields is not None else [n for n in all_fields if n != "progress"]
        self.fields = {n: all_fields[n] for n in names}
        self.widgets: dict[str, QWidget] = {}
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.layout_.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow dock puts the label above its field
        for name, f in self.fields.items():
            widget = self._make(f)
            widget.setObjectName(f"{cls.__name__}_{name}")
            widget.setToolTip(field_help(f))
            self.widgets[name] = widget
            self.layout_.addRow(field_label(f), widget)
            if isinstance(widget, QCheckBox):  # a check box carries its own text
                self.layout_.labelForField(widget).setToolTip(field_help(f))
        self.set_values(cls())

    # -- building -----------------------------------------------------------------------------
    def _make(self, f: dataclasses.Field) -> QWidget:
        kind, optional = _unwrap(self.hints[f.name])
        default = default_of(f)
        if (self.cls, f.name) in PATH_FIELDS:
            mode, file_filter = PATH_FIELDS[(self.cls, f.name)]
            widget = QgsFileWidget()
            widget.setStorageMode(mode)
            if file_filter:
                widget.setFilter(tr(file_filter))
            widget.fileChanged.connect(lambda *_: self.changed.emit())
            return widget
        if kind is bool:
            widget = QCheckBox()
            widget.toggled.connect(lambda *_: self.changed.emit())
            return widget
        if f.metadata.get("choices"):
            widget = QComboBox()
            widget.addItems([str(c) for c in f.metadata["choices"]])
            widget.currentIndexChanged.connect(lambda *_: self.changed.emit())
            return widget
        low, high = spin_range(f)
        if kind is int:
            widget = QSpinBox()
            # An optional number shows "default" one below its minimum (None: the backend decides).
            widget.setRange(int(low) - 1 if optional else int(low), int(high))
            if optional:
                widget.setSpecialValueText(tr("default"))
            widget.valueChanged.connect(lambda *_: self.changed.emit())
            return widget
        if kind is float:
            widget = QDoubleSpinBox()
            small = isinstance(default, float) and 0 < default < 0.01
            widget.setDecimals(6 if small or 0 < low < 0.01 else 3)  # before the range, which Qt rounds
            widget.setRange(float(low), float(high))
            widget.setSingleStep(default / 10 if small else 0.05)
            widget.valueChanged.connect(lambda *_: self.changed.emit())
            return widget
        widget = QLineEdit()
        if typing.get_origin(kind) in (list, tuple) or optional:
            widget.setPlaceholderText(tr("default") if default is None else P._format(default))
        widget.textChanged.connect(lambda *_: self.changed.emit())
        return widget

    # -- values -------------------------------------------------------------------------------
    def set_values(self, params: Any) -> None:
        """Show the values of a params instance (fields not in this form are ignored)."""
        for name, widget in self.widgets.items():
            self.set_value(name, getattr(params, name))

    def set_value(self, name: str, value: Any) -> None:
        widget = self.widgets[name]
        if isinstance(widget, QgsFileWidget):
            widget.setFilePath(value or "")
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findText(str(value)), 0))
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            widget.setValue(widget.minimum() if value is None else value)
        else:
            widget.setText("" if value is None else P._format(value))

    def value(self, name: str) -> Any:
        """The field's value from its widget; ValueError with a sentence when text is malformed."""
        widget = self.widgets[name]
        f = self.fields[name]
        kind, optional = _unwrap(self.hints[name])
        if isinstance(widget, QgsFileWidget):
            text = widget.filePath().strip()
            return (text or None) if optional else text
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QSpinBox):
            return None if optional and widget.value() == widget.minimum() else widget.value()
        if isinstance(widget, QDoubleSpinBox):
            return float(widget.value())
        text = widget.text().strip()
        if not text:
            return None if optional else (default_of(f) if typing.get_origin(kind) in (list, tuple) else "")
        if typing.get_origin(kind) in (list, tuple):
            try:
                return _parse_list(kind, text)
            except ValueError as error:
                raise ValueError(f"{field_label(f)}: {error}")
        return text

    def values(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self.widgets}

    def params(self, **overrides: Any) -> Any:
        """The dataclass built from the widgets (+ overrides for fields set elsewhere)."""
        return self.cls(**{**self.values(), **overrides})

    def widget(self, name: str) -> QWidget:
        return self.widgets[name]

    def on_change(self, callback: Callable[[], None]) -> None:
        self.changed.connect(callback)
