"""A small live plot of training curves, drawn with QPainter, and how an epoch's scores are named.

Why not matplotlib or QtCharts: QtCharts is often missing from QGIS installs, and a live plot
needs nothing more than two panels of lines — loss, and IoU — updated once per epoch, and a
legend saying which line is which.

The IoU the training reports is not a mean of every class: with two classes it is the IoU of
the second one (the thing mapped), else the mean over the classes (backend/metrics.py
target_classes). `iou_title` names it so, and a class with no pixel in the validation patches has
no validation IoU (`absent_classes`): it is shown as n/a and a gap, never as 0.
"""
from __future__ import annotations

import math
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

from ..backend.metrics import target_classes


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


TRAINING_COLOUR = QColor("#2b83ba")
VALIDATION_COLOUR = QColor("#d7191c")


def class_names(metrics: dict) -> list[str]:
    """The classes of an epoch's per-class validation scores, in class order."""
    return [k[len("val_iou_"):] for k in metrics if k.startswith("val_iou_")]


def target_names(metrics: dict) -> list[str]:
    """The classes the reported IoU is over (the backend's rule, metrics.target_classes)."""
    names = class_names(metrics)
    return [names[i] for i in target_classes(len(names))] if names else []


def iou_title(metrics: dict) -> str:
    """What the reported IoU is: 'IoU of the target class (cleared)' or 'mean IoU of the 3 classes'."""
    targets = target_names(metrics)
    if len(targets) == 1:
        return tr("IoU of the target class ({})").format(targets[0])
    if targets:
        return tr("mean IoU of the {} classes").format(len(targets))
    return tr("IoU")


def _missing(value) -> bool:
    return not isinstance(value, (int, float)) or math.isnan(value)


def absent_classes(metrics: dict) -> list[str]:
    """Classes without a pixel in the validation patches (their recall has no denominator)."""
    return [name for name in class_names(metrics) if _missing(metrics.get(f"val_recall_{name}"))]


def validation_iou(metrics: dict, key: str = "val_mean_iou") -> Optional[float]:
    """The validation IoU, or None when there is none: NaN, or every target class absent from the
    validation patches (its 0 then only counts false alarms)."""
    targets = target_names(metrics)
    value = metrics.get(key)
    if _missing(value) or (targets and set(targets) <= set(absent_classes(metrics))):
        return None
    return float(value)


def iou_key(metrics: dict) -> Optional[str]:
    """The training-set IoU metric's name in an epoch's metrics ('mean_iou', 'iou', …)."""
    keys = [k for k in metrics if "iou" in k.lower() and not k.startswith("val_")]
    return sorted(keys, key=lambda k: (k != "mean_iou", k))[0] if keys else None


class CurvePlot(QWidget):
    """Loss (left) and IoU (right) per epoch, training solid blue, validation dashed red."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.history: dict[str, list[Optional[float]]] = {}
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)

    def clear(self) -> None:
        self.history = {}
        self.update()

    def add_epoch(self, metrics: dict) -> None:
        """Append one epoch's metrics (missing values stay gaps: NaN, and the validation IoU when a
        target class has no validation pixel, whose 0 would be no score at all)."""
        epochs = max((len(v) for v in self.history.values()), default=0)
        for key, value in metrics.items():
            if isinstance(value, (int, float)) or value is None:
                if key == "val_mean_iou":
                    value = validation_iou(metrics)
                elif value is not None and math.isnan(value):
                    value = None
                series = self.history.setdefault(key, [None] * epochs)
                series.append(None if value is None else float(value))
        for series in self.history.values():
            while len(series) < epochs + 1:
                series.append(None)
        self.update()

    def series(self, name: str) -> list[Optional[float]]:
        return self.history.get(name, [])

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        width = self.width() / 2
        iou = iou_key({k: 0 for k in self.history})
        panels = ((tr("Loss"), "loss"), (tr("Target IoU") if iou == "mean_iou" else tr("IoU"), iou))
        legend = self._legend_height(painter)
        for index, (title, key) in enumerate(panels):
            area = QRectF(index * width + 4, 4, width - 8, self.height() - 8 - legend)
            self._panel(painter, area, title, key)
        self._legend(painter, QRectF(4, self.height() - legend - 2, self.width() - 8, legend))
        painter.end()

    @staticmethod
    def legend_items() -> list[tuple[str, QColor, int]]:
        """(text, colour, pen style) of the legend, as the lines are drawn."""
        return [(tr("training"), TRAINING_COLOUR, Qt.SolidLine), (tr("validation"), VALIDATION_COLOUR, Qt.DashLine)]

    def _small_font(self, painter: QPainter) -> QFont:
        font = QFont(self.font())  # from the widget: never shrunk twice
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6))
        return font

    def _legend_height(self, painter: QPainter) -> float:
        painter.setFont(self._small_font(painter))
        return painter.fontMetrics().height() + 4

    def _legend(self, painter: QPainter, area: QRectF) -> None:
        """One row under both panels: a line sample and the name of each kind of line."""
        painter.setFont(self._small_font(painter))
        metrics = painter.fontMetrics()
        sample = 22
        widths = [sample + 4 + metrics.horizontalAdvance(text) for text, _, _ in self.legend_items()]
        x = area.center().x() - (sum(widths) + 16 * (len(widths) - 1)) / 2
        y = area.center().y()
        for (text, colour, style), width in zip(self.legend_items(), widths):
            painter.setPen(QPen(colour, 2, style))
            painter.drawLine(QPointF(x, y), QPointF(x + sample, y))
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(x + sample + 4, area.top(), width, area.height()), Qt.AlignLeft | Qt.AlignVCenter, text)
            x += width + 16

    def _panel(self, painter: QPainter, area: QRectF, title: str, key: Optional[str]) -> None:
        painter.setFont(self._small_font(painter))
        metrics = painter.fontMetrics()
        painter.setPen(self.palette().text().color())
        painter.drawText(area.adjusted(0, 0, 0, 0), Qt.AlignTop | Qt.AlignHCenter, title)
        plot = area.adjusted(metrics.horizontalAdvance("0.000") + 6, metrics.height() + 4, -4, -metrics.height() - 4)
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.drawRect(plot)
        lines = [(key, TRAINING_COLOUR, Qt.SolidLine), (f"val_{key}", VALIDATION_COLOUR, Qt.DashLine)] if key else []
        values = [v for name, _, _ in lines for v in self.series(name) if v is not None]
        if not values:
            painter.drawText(plot, Qt.AlignCenter, tr("no epochs yet"))
            return
        low, high = min(values), max(values)
        if high - low < 1e-9:
            low, high = low - 0.5, high + 0.5
        epochs = max(len(self.series(name)) for name, _, _ in lines)
        painter.setPen(self.palette().text().color())
        painter.drawText(QRectF(area.left(), plot.top() - metrics.height() / 2, plot.left() - area.left() - 3, metrics.height()),
                         Qt.AlignRight | Qt.AlignVCenter, f"{high:.3f}")
        painter.drawText(QRectF(area.left(), plot.bottom() - metrics.height() / 2, plot.left() - area.left() - 3, metrics.height()),
                         Qt.AlignRight | Qt.AlignVCenter, f"{low:.3f}")
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), metrics.height()),
                         Qt.AlignRight | Qt.AlignTop, tr("epoch {}").format(epochs))

        def point(i: int, v: float) -> QPointF:
            x = plot.left() + (plot.width() * (i / (epochs - 1)) if epochs > 1 else plot.width() / 2)
            y = plot.bottom() - plot.height() * (v - low) / (high - low)
            return QPointF(x, y)

        for name, colour, style in lines:
            points = [point(i, v) for i, v in enumerate(self.series(name)) if v is not None]
            painter.setPen(QPen(colour, 2, style))
            if len(points) > 1:
                painter.drawPolyline(QPolygonF(points))
            for p in points:
                painter.drawEllipse(p, 2.0, 2.0)
