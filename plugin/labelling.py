"""Stepping through a sample's points and saving each reference label to the file at once.

Why a module of its own: the Assess tab is widgets; the rules of labelling (the order of the
points, what a label, a skip, next and previous do, what counts as labelled) are here, testable
without the dock. Every label is written through the layer's data provider
(changeAttributeValues), never into an edit session left open: each click is on disk, so closing
QGIS (or a crash) loses nothing, and `claro assess` reads the file as it is.

Skip: the sample file has no field for "unsure" (backend/sample.py writes id, map_class,
map_class_name, reference), so a skipped point is one whose reference is NULL, exactly as `claro
assess` counts it ("skipped"). Which points were skipped in this session is remembered here only,
so that "first unlabelled" passes over them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from qgis.core import NULL, QgsFeatureRequest, QgsVectorDataProvider, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QVariant


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


class LabellingError(ValueError):
    """The layer cannot be labelled; the message is one sentence for the user."""


@dataclass
class SamplePoint:
    """One point of the sample: its feature id, its `id` (the labelling order), its label."""

    fid: int
    id: int
    reference: Optional[int]


def as_class(value) -> Optional[int]:
    """An attribute as a class value: None for NULL, empty or a number that is not whole."""
    if value is None or value == NULL or (isinstance(value, QVariant) and value.isNull()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


class Labelling:
    """The points of a sample layer in labelling order (its `id` field: `claro sample` shuffles
    the ids, so the order does not reveal the map class), the current one, and the labels."""

    def __init__(self, layer: QgsVectorLayer, field: str = "reference") -> None:
        if layer is None or not layer.isValid():
            raise LabellingError(tr("The sample layer is not valid; load the GeoPackage from Draw a sample again."))
        index = layer.fields().indexOf(field)
        if index < 0:
            raise LabellingError(tr("Layer '{}' has no field '{}' to hold the labels; choose the sample Claro drew.")
                                 .format(layer.name(), field))
        if layer.fields().at(index).type() not in (QVariant.Int, QVariant.LongLong, QVariant.UInt, QVariant.ULongLong):
            raise LabellingError(tr("Field '{}' of layer '{}' is not a whole number; choose the sample Claro drew.")
                                 .format(field, layer.name()))
        if not layer.dataProvider().capabilities() & QgsVectorDataProvider.ChangeAttributeValues:
            raise LabellingError(tr("Layer '{}' cannot be written (read-only file?); copy the sample somewhere you can "
                                    "write and load it from there.").format(layer.name()))
        self.layer = layer
        self.field = field
        self.field_index = index
        self.skipped: set[int] = set()
        self.points = self._read()
        if not self.points:
            raise LabellingError(tr("Layer '{}' holds no point to label.").format(layer.name()))
        first = self.first_unlabelled()
        self.index = 0 if first is None else first

    def _read(self) -> list[SamplePoint]:
        fields = self.layer.fields()
        id_index = fields.indexOf("id")
        wanted = [self.field_index] + ([id_index] if id_index >= 0 else [])
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes(wanted)
        points = []
        for feature in self.layer.dataProvider().getFeatures(request):
            point_id = as_class(feature.attribute(id_index)) if id_index >= 0 else None
            points.append(SamplePoint(feature.id(), feature.id() if point_id is None else point_id,
                                      as_class(feature.attribute(self.field_index))))
        points.sort(key=lambda p: (p.id, p.fid))
        return points

    # -- where we are ---------------------------------------------------------------------------
    @property
    def current(self) -> SamplePoint:
        return self.points[self.index]

    @property
    def total(self) -> int:
        return len(self.points)

    def labelled(self) -> int:
        return sum(p.reference is not None for p in self.points)

    def progress_text(self) -> str:
        """'37 of 640 labelled' (and how many were skipped in this session)."""
        text = tr("{} of {} labelled").format(f"{self.labelled():,}", f"{self.total:,}")
        skipped = sum(p.reference is None and p.fid in self.skipped for p in self.points)
        return text + (tr(", {} skipped").format(f"{skipped:,}") if skipped else "")

    def position_text(self) -> str:
        """'Point 12 of 640 (id 12)' — never the map class (blind labelling)."""
        point = self.current
        return tr("Point {} of {} (id {})").format(f"{self.index + 1:,}", f"{self.total:,}", point.id)

    def first_unlabelled(self) -> Optional[int]:
        """The first point without a label that was not skipped (else the first skipped one), or None."""
        open_ = [i for i, p in enumerate(self.points) if p.reference is None]
        fresh = [i for i in open_ if self.points[i].fid not in self.skipped]
        return (fresh or open_ or [None])[0]

    # -- moving -------------------------------------------------------------------------------
    def go(self, index: int) -> SamplePoint:
        self.index = max(0, min(index, self.total - 1))
        return self.current

    def next(self) -> SamplePoint:
        return self.go(self.index + 1)

    def previous(self) -> SamplePoint:
        return self.go(self.index - 1)

    def go_first_unlabelled(self) -> Optional[SamplePoint]:
        first = self.first_unlabelled()
        return None if first is None else self.go(first)

    # -- labelling ------------------------------------------------------------------------------
    def _write(self, point: SamplePoint, value: Optional[int]) -> None:
        if self.layer.isEditable():
            raise LabellingError(tr("Layer '{}' is being edited; save or discard its edits (Toggle Editing) so that "
                                    "labels go straight to the file.").format(self.layer.name()))
        stored = NULL if value is None else int(value)
        if not self.layer.dataProvider().changeAttributeValues({point.fid: {self.field_index: stored}}):
            errors = "; ".join(self.layer.dataProvider().errors()[-1:])
            raise LabellingError(tr("The label of point {} could not be saved to '{}'{}.").format(
                point.id, self.layer.name(), f" ({errors})" if errors else ""))
        point.reference = value
        self.layer.triggerRepaint()

    def label(self, value: int) -> SamplePoint:
        """Write the current point's reference class, then go to the next point."""
        point = self.current
        self._write(point, value)
        self.skipped.discard(point.fid)
        return self.next()

    def skip(self) -> SamplePoint:
        """Unsure: the current point keeps no label (one it had is removed), then the next point."""
        point = self.current
        if point.reference is not None:
            self._write(point, None)
        self.skipped.add(point.fid)
        return self.next()


__all__ = ["Labelling", "LabellingError", "SamplePoint", "as_class"]
