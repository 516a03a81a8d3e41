"""A small live plot of training curves, drawn with QPainter.

Why not matplotlib or QtCharts: QtCharts is often missing from QGIS installs, and a live plot
needs nothing more than two panels of lines — loss, and IoU — updated once per epoch.
"""
from __future__ import annotations

from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


TRAINING_COLOUR = QColor("#2b83ba")
VALIDATION_COLOUR = QColor("#d7191c")


def iou_key(metrics: dict) -> Optional[str]:
    """The training-set IoU metric's name in an epoch's metrics ('mean_iou', 'iou', …)."""
    keys = [k for k in metrics if "iou" in k.lower() and not k.startswith("val_")]
    return sorted(keys, key=lambda k: (k != "mean_iou", k))[0] if keys else None


class CurvePlot(QWidget):
    """Loss (left) and IoU (right) per epoch, training solid blue, validation dashed red."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.history: dict[str, list[Optional[float]]] = {}
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)

    def clear(self) -> None:
        self.history = {}
        self.update()

    def add_epoch(self, metrics: dict) -> None:
        """Append one epoch's metrics (missing values stay gaps)."""
        epochs = max((len(v) for v in self.history.values()), default=0)
        for key, value in metrics.items():
            if isinstance(value, (int, float)) or value is None:
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
        panels = ((tr("Loss"), "loss"), (tr("IoU"), iou))
        for index, (title, key) in enumerate(panels):
            area = QRectF(index * width + 4, 4, width - 8, self.height() - 8)
            self._panel(painter, area, title, key)
        painter.end()

    def _panel(self, painter: QPainter, area: QRectF, title: str, key: Optional[str]) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6))
        painter.setFont(font)
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
