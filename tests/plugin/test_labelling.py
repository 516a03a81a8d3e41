"""plugin/labelling.py without the dock: the labelling order, skip and 'first unlabelled', labels
written to the file at once, and the layers it refuses with a sentence. The samples are written
by backend sample.write_sample (the same writer `claro sample` uses)."""
from __future__ import annotations

from pathlib import Path

import pytest
from osgeo import ogr, osr
from qgis.core import QgsVectorLayer

from claro.backend.sample import write_sample
from claro.plugin.labelling import Labelling, LabellingError


def sample_file(path: Path, ids: list[int], references: dict[int, int] | None = None) -> Path:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32722)
    points = [{"id": i, "x": 500_000 + 30 * i, "y": 9_000_000, "map_class": i % 2, "map_class_name": f"class {i % 2}",
               "reference": (references or {}).get(i)} for i in ids]
    return write_sample(path, points, srs.ExportToWkt(), {"map": "classes.tif"})


def open_layer(path: Path) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{path}|layername=sample", "sample", "ogr")
    assert layer.isValid()
    return layer


def references(path: Path) -> dict[int, object]:
    dataset = ogr.Open(str(path))  # kept: its layer dies with it
    layer = dataset.GetLayerByName("sample")
    return {f.GetField("id"): None if f.IsFieldNull("reference") else f.GetField("reference") for f in layer}


def test_points_in_id_order_starting_at_the_first_unlabelled(qgis_app, tmp_path):
    """Written in another order than their ids (as the map is walked): labelled by id."""
    path = sample_file(tmp_path / "s.gpkg", [5, 2, 4, 1, 3], {1: 0, 2: 1})
    labelling = Labelling(open_layer(path))
    assert [p.id for p in labelling.points] == [1, 2, 3, 4, 5]
    assert labelling.current.id == 3 and labelling.progress_text() == "2 of 5 labelled"
    labelling.skip()
    assert labelling.current.id == 4
    labelling.label(1)
    labelling.label(0)
    assert labelling.current.id == 5  # the last point stays current
    assert references(path) == {1: 0, 2: 1, 3: None, 4: 1, 5: 0}
    assert labelling.first_unlabelled() == 2 and labelling.progress_text() == "4 of 5 labelled, 1 skipped"
    labelling.go_first_unlabelled()
    labelling.label(1)
    assert labelling.first_unlabelled() is None and labelling.go_first_unlabelled() is None
    assert references(path)[3] == 1 and labelling.progress_text() == "5 of 5 labelled"


def test_the_first_unlabelled_is_a_skipped_one_when_only_those_are_left(qgis_app, tmp_path):
    path = sample_file(tmp_path / "s.gpkg", [1, 2], {2: 0})
    labelling = Labelling(open_layer(path))
    labelling.skip()
    assert labelling.first_unlabelled() == 0


def test_a_layer_in_an_edit_session_is_refused_before_anything_is_written(qgis_app, tmp_path):
    path = sample_file(tmp_path / "s.gpkg", [1, 2])
    layer = open_layer(path)
    labelling = Labelling(layer)
    layer.startEditing()
    with pytest.raises(LabellingError, match="is being edited; save or discard its edits"):
        labelling.label(1)
    layer.rollBack()
    assert references(path) == {1: None, 2: None} and labelling.current.id == 1


def test_layers_that_cannot_hold_labels_are_refused_with_a_sentence(qgis_app, tmp_path):
    text = QgsVectorLayer("Point?crs=EPSG:4326&field=reference:string", "points", "memory")
    with pytest.raises(LabellingError, match="Field 'reference' of layer 'points' is not a whole number"):
        Labelling(text)
    other = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string", "towns", "memory")
    with pytest.raises(LabellingError, match="Layer 'towns' has no field 'reference'"):
        Labelling(other)
    empty = QgsVectorLayer("Point?crs=EPSG:4326&field=reference:integer", "empty", "memory")
    with pytest.raises(LabellingError, match="Layer 'empty' holds no point to label"):
        Labelling(empty)
