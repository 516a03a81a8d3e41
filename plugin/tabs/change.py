"""The Change tab: two class maps (before, after) → `claro change` in the child process → the
transition raster styled with its category names ("forest → cleared"), the change polygons, and
the from→to area matrix in hectares (rows from, columns to).

Why the from/to choice is two lists of the before map's classes (names and values) rather than
text: the analyst sees which classes the maps hold and cannot misspell one; nothing ticked means
every transition. The dates are left to the files unless typed: the backend reads
ACQUISITIONDATETIME / TIFFTAG_DATETIME, and the tab shows what it will find as the fields' hint.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from qgis.core import QgsMapLayerProxyModel, QgsPalettedRasterRenderer, QgsRasterLayer
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (QAbstractItemView, QFormLayout, QHBoxLayout, QHeaderView, QListWidget,
                                 QListWidgetItem, QProgressBar, QSizePolicy, QTableWidget, QTableWidgetItem,
                                 QVBoxLayout)

from ...backend import change as change_rule
from ...backend import params as P
from ...backend.errors import ClaroError
from ..forms import ParamsForm, field_help
from .. import layers
from ..runner import ClaroTask
from ..sources import SourceError, backend_path, file_of
from ..words import Place
from .assess import breakable, wrapped_label
from .base import Tab, button, section

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock

#: fields of `claro change` in the tab's form (the maps and the from/to classes have widgets of their own)
CHANGE_MAIN = ("out", "min_area", "polygons", "overwrite")
CHANGE_ADVANCED = ("before_date", "after_date")


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def _field(name: str) -> Any:
    return next(f for f in P.ChangeParams.__dataclass_fields__.values() if f.name == name)


def layer_classes(layer: Optional[QgsRasterLayer]) -> list[dict]:
    """The classes of a class map as `claro change` reads them: its colour table and category
    names or the .qml beside it; else the names the layer is styled with in QGIS; else the values
    a bounded read of the file finds ("class N")."""
    if layer is None:
        return []
    path = file_of(layer)
    if path:
        from osgeo import gdal

        try:
            dataset = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY)
        except RuntimeError:
            dataset = None
        declared = change_rule.declared_classes(dataset, path) if dataset is not None else None
        if declared:
            return declared
    renderer = layer.renderer()
    if isinstance(renderer, QgsPalettedRasterRenderer) and renderer.classes():
        return [{"value": int(c.value), "name": c.label or f"class {int(c.value)}", "color": c.color.name()}
                for c in renderer.classes()]
    if not path:
        return []
    from ...backend.labels import sample_raster_values

    try:
        values = sample_raster_values(path).values
    except ClaroError:
        return []
    return [{"value": int(v), "name": f"class {int(v)}", "color": None} for v in values]


def layer_date(layer: Optional[QgsRasterLayer]) -> Optional[str]:
    """The date `claro change` finds in the map's file (YYYY-MM-DD), None when it carries none."""
    path = file_of(layer) if layer is not None else None
    if not path:
        return None
    from osgeo import gdal

    try:
        dataset = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY)
    except RuntimeError:
        return None
    return change_rule.date_of(dataset) if dataset is not None else None


def hectares_text(value: float) -> str:
    return f"{value:,.2f}"


class ChangeTab(Tab):
    """Change: one `change` job on the chosen before and after maps."""

    #: a `change` job ended: (ok, the job's 'done' fields; {} on failure)
    changeFinished = pyqtSignal(bool, dict)  # noqa: N815  (Qt)

    def __init__(self, dock: "ClaroDock") -> None:
        super().__init__(dock)
        self.title, self.tooltip = tr("Change"), tr("Compare two class maps: what changed where, in hectares")
        self.classes: list[dict] = []
        self.result: dict = {}
        self.change_layer: Optional[QgsRasterLayer] = None
        self.polygon_layer: Any = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.before_combo = self._map_combo("ClaroChangeBefore", "before")
        form.addRow(self.map_label("before"), self.before_combo)
        self.after_combo = self._map_combo("ClaroChangeAfter", "after")
        form.addRow(self.map_label("after"), self.after_combo)
        layout.addLayout(form)
        classes_label = wrapped_label(tr("Changes to show (nothing ticked: every change):"))
        layout.addWidget(classes_label)
        lists = QHBoxLayout()
        self.from_list = self._class_list("ClaroChangeFrom", "from_classes")
        self.to_list = self._class_list("ClaroChangeTo", "to_classes")
        for title, widget in ((self.from_label(), self.from_list), (self.to_label(), self.to_list)):
            column = QVBoxLayout()
            column.addWidget(wrapped_label(title))
            column.addWidget(widget)
            lists.addLayout(column)
        layout.addLayout(lists)
        self.change_form = ParamsForm(P.ChangeParams, CHANGE_MAIN)
        layout.addWidget(self.change_form)
        box, inner = section(tr("Advanced"))
        box.setCollapsed(True)
        self.change_advanced = ParamsForm(P.ChangeParams, CHANGE_ADVANCED)
        inner.addWidget(self.change_advanced)
        layout.addWidget(box)
        row = QHBoxLayout()
        self.change_button = button(tr("Compare"), tr("Compare the two maps and add the change map as a layer."))
        self.change_button.setObjectName("ClaroChangeButton")
        self.change_button.clicked.connect(self.start_change)
        self.change_cancel = button(tr("Cancel"), tr("Stop the running job; nothing half-written is left."))
        self.change_cancel.clicked.connect(self.dock.cancel)
        row.addWidget(self.change_button)
        row.addWidget(self.change_cancel)
        layout.addLayout(row)
        self.change_progress = QProgressBar()
        self.change_progress.setRange(0, 100)
        layout.addWidget(self.change_progress)
        self.change_status = wrapped_label()
        layout.addWidget(self.change_status)
        self.matrix_note = wrapped_label()
        self.matrix_note.setObjectName("ClaroChangeMatrixNote")
        self.matrix_note.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.matrix_note)
        self.matrix_table = QTableWidget(0, 0)
        self.matrix_table.setObjectName("ClaroChangeMatrix")
        self.matrix_table.setToolTip(tr("Hectares (true areas on the WGS84 ellipsoid) of every from→to pair: rows "
                                        "the before map's class, columns the after map's."))
        self.matrix_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.matrix_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.matrix_table.horizontalHeader().setMinimumSectionSize(20)
        self.matrix_table.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never wider than the dock
        self.matrix_table.hide()
        layout.addWidget(self.matrix_table)
        layout.addStretch()
        self.before_combo.layerChanged.connect(self.before_changed)
        self.after_combo.layerChanged.connect(lambda _layer: self.show_dates())
        self.before_changed(None)

    # ================================================================== building
    @staticmethod
    def map_label(name: str) -> str:
        return tr("Before") if name == "before" else tr("After")

    @staticmethod
    def from_label() -> str:
        return tr("From")

    @staticmethod
    def to_label() -> str:
        return tr("To")

    def _map_combo(self, object_name: str, field: str) -> QgsMapLayerComboBox:
        combo = QgsMapLayerComboBox()
        combo.setObjectName(object_name)
        combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        combo.setAllowEmptyLayer(True)  # no default: the user says which maps to compare
        combo.setLayer(None)
        combo.setToolTip(field_help(_field(field)))
        return combo

    @staticmethod
    def _class_list(object_name: str, field: str) -> QListWidget:
        widget = QListWidget()
        widget.setObjectName(object_name)
        widget.setSelectionMode(QAbstractItemView.NoSelection)
        widget.setMaximumHeight(90)
        widget.setMinimumWidth(1)
        widget.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        widget.setToolTip(field_help(_field(field)))
        return widget

    # ================================================================== Tab hooks
    def places(self) -> dict[str, Place]:
        return {"change": Place(self.title, CHANGE_MAIN, CHANGE_ADVANCED, {
            "before": self.map_label("before"), "after": self.map_label("after"),
            "from_classes": self.from_label(), "to_classes": self.to_label()})}

    def restore(self) -> None:
        params = self.dock.settings.params(P.ChangeParams)
        self.change_form.set_values(params)  # not the dates: they belong to the maps of that day

    def set_running(self, running: bool) -> None:
        self.change_button.setEnabled(not running)
        self.change_cancel.setEnabled(running)

    # ================================================================== the maps
    def before_changed(self, _layer: Any) -> None:
        """The before map's classes fill the from and to lists (ticks kept by value)."""
        ticked = {name: self.checked_values(widget) for name, widget in (("from", self.from_list), ("to", self.to_list))}
        layer = self.before_combo.currentLayer()
        self.classes = layer_classes(layer if isinstance(layer, QgsRasterLayer) else None)
        for name, widget in (("from", self.from_list), ("to", self.to_list)):
            widget.clear()
            for cls in self.classes:
                value = int(cls["value"])
                text = cls["name"] if cls["name"] == f"class {value}" else f"{cls['name']} ({value})"
                item = QListWidgetItem(text)
                item.setData(Qt.UserRole, value)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if value in ticked[name] else Qt.Unchecked)
                widget.addItem(item)
        self.show_dates()

    def show_dates(self) -> None:
        """Each date field's hint: the date the map's file carries (used when the field is empty)."""
        for field, combo in (("before_date", self.before_combo), ("after_date", self.after_combo)):
            widget = self.change_advanced.widget(field)
            layer = combo.currentLayer()
            found = layer_date(layer) if isinstance(layer, QgsRasterLayer) else None
            if found:
                widget.setPlaceholderText(tr("{} (from the file)").format(found))
            else:
                widget.setPlaceholderText(tr("none in the file") if layer is not None else "YYYY-MM-DD")

    @staticmethod
    def checked_values(widget: QListWidget) -> list[int]:
        return [widget.item(i).data(Qt.UserRole) for i in range(widget.count())
                if widget.item(i).checkState() == Qt.Checked]

    def choose_classes(self, from_values: list[int], to_values: list[int]) -> None:
        """Tick these classes in the From and To lists (and untick the others)."""
        for widget, values in ((self.from_list, set(from_values)), (self.to_list, set(to_values))):
            for i in range(widget.count()):
                item = widget.item(i)
                item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in values else Qt.Unchecked)

    # ================================================================== the job
    def change_params(self) -> P.ChangeParams:
        """The `claro change` parameters from the tab (layers exported when they have no file)."""
        values = {**self.change_advanced.values(), **self.change_form.values()}
        before, after = self.before_combo.currentLayer(), self.after_combo.currentLayer()
        if before is None:
            raise SourceError(tr("Choose the earlier class map (Before) in Change."))
        if after is None:
            raise SourceError(tr("Choose the later class map (After) in Change."))
        if before.id() == after.id():
            raise SourceError(tr("Before and After are the same layer; choose the maps of two dates in Change."))
        if not values.get("out"):
            raise SourceError(tr("Choose where to write the change raster (Change raster) in Change."))
        folder = self.dock.export_folder()
        chosen = {name: ",".join(str(v) for v in self.checked_values(widget)) or None
                  for name, widget in (("from_classes", self.from_list), ("to_classes", self.to_list))}
        return P.ChangeParams(before=backend_path(before, folder), after=backend_path(after, folder), **chosen, **values)

    def start_change(self) -> Optional[ClaroTask]:
        """Compare: one `change` task; the change map, its polygons and the matrix are shown."""
        python = self.dock.check_ready()
        if not python:
            return None
        try:
            params = self.change_params()
        except (SourceError, ValueError) as error:
            self.dock.log.error(self.dock.words(str(error), "change"))
            return None
        self.dock.settings.save_params(params)
        self.change_status.setText(tr("Comparing…"))
        self.matrix_note.clear()
        self.matrix_table.hide()
        task = ClaroTask(tr("Claro: change {}").format(Path(params.out).name), [params], python,
                         grace_seconds=self.dock.settings.cancel_grace_seconds)
        task.progressed.connect(lambda f, m: (self.change_progress.setValue(int(round(f * 100))),
                                              self.change_status.setText(m) if m else None))
        task.logged.connect(self.dock.job_logged)
        task.succeeded.connect(lambda outputs: self._change_done(params, outputs))
        task.failed.connect(lambda message, log: self.dock.job_failed(message, log, self.change_status,
                                                                      self.changeFinished, {}))
        self.dock.start(task)
        return task

    def _change_done(self, params: P.ChangeParams, outputs: dict) -> None:
        self.dock.job_ended()
        self.change_progress.setValue(100)
        out = outputs.get("out") or params.out
        try:
            self.change_layer = layers.add_change_layer(out, outputs.get("legend") or [])
            polygons = outputs.get("polygons")  # last, so the polygons are drawn over the raster (as in Predict)
            self.polygon_layer = layers.add_polygon_layer(polygons) if polygons and Path(polygons).is_file() else None
        except ValueError as error:
            self.dock.log.error(str(error))
            self.changeFinished.emit(False, {})
            return
        self.result = outputs
        self.show_matrix(outputs)
        self.change_status.setText(tr("Written: {}").format(breakable(out)))
        self.dock.log.success(tr("Change map added as layer '{}': {} ha changed of {} ha compared.").format(
            self.change_layer.name(), hectares_text(outputs.get("changed_hectares") or 0.0),
            hectares_text(outputs.get("hectares") or 0.0)))
        self.changeFinished.emit(True, outputs)

    def show_matrix(self, outputs: dict) -> None:
        """The from→to hectares (rows from, columns to) and where the CSV is."""
        matrix = outputs.get("matrix") or {}
        names = [str(n) for n in matrix.get("classes") or []]
        hectares = matrix.get("hectares") or []
        table = self.matrix_table
        table.clear()
        table.setRowCount(len(names))
        table.setColumnCount(len(names))
        table.setHorizontalHeaderLabels(names)
        table.setVerticalHeaderLabels(names)
        for column, name in enumerate(names):
            table.horizontalHeaderItem(column).setToolTip(tr("To {}").format(name))
            table.verticalHeaderItem(column).setToolTip(tr("From {}").format(name))
        for row, values in enumerate(hectares):
            for column, value in enumerate(values):
                item = QTableWidgetItem(hectares_text(float(value)))
                item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
                item.setToolTip(tr("{} → {}: {} ha").format(names[row], names[column], hectares_text(float(value))))
                table.setItem(row, column, item)
        table.setVisible(bool(names))
        header = table.horizontalHeader().height()
        table.setFixedHeight(header + sum(table.rowHeight(r) for r in range(len(names))) + 4)
        dates = [d or tr("no date") for d in (outputs.get("before_date"), outputs.get("after_date"))]
        self.matrix_note.setText(tr("Hectares from {} (rows) to {} (columns), {} ha changed. Table: {}").format(
            *dates, hectares_text(outputs.get("changed_hectares") or 0.0), breakable(outputs.get("matrix_csv") or "")))

    def matrix_values(self) -> list[list[str]]:
        """The table's cells as shown (rows from, columns to)."""
        table = self.matrix_table
        return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


__all__ = ["ChangeTab", "CHANGE_MAIN", "CHANGE_ADVANCED", "layer_classes", "layer_date"]
