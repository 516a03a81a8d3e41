"""claro:sample and claro:assess through processing.run: a sample drawn from a real class map
(a 128² crop of a bundled Amazon mask), labelled from the mask itself, then assessed.

Labelled from the map it was drawn from, the sample must give overall accuracy 1 and estimated
areas equal to the map's: what the estimator promises for a perfect map."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import (QgsFeature, QgsField, QgsGeometry, QgsProcessingFeedback, QgsProject,
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QVariant

SIZE = 128

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def class_map(tmp_path_factory) -> Path:
    from tests.conftest import sample_tile

    _image, mask = sample_tile()
    out = tmp_path_factory.mktemp("map") / "classes.tif"
    gdal.Translate(str(out), str(mask), srcWin=[0, 0, SIZE, SIZE])
    return out


def run(algorithm: str, parameters: dict) -> dict:
    import processing

    return processing.run(algorithm, parameters, feedback=QgsProcessingFeedback())


def points(path: Path) -> list[tuple[int, float, float, int]]:
    layer = QgsVectorLayer(f"{path}|layername=sample", "sample", "ogr")
    assert layer.isValid()
    return [(f["map_class"], f.geometry().asPoint().x(), f.geometry().asPoint().y(), f["id"]) for f in layer.getFeatures()]


def label_from_the_map(path: Path, class_map: Path) -> None:
    """Write each point's map value as its reference, through QGIS (as the dock will)."""
    layer = QgsVectorLayer(f"{path}|layername=sample", "sample", "ogr")
    dataset = gdal.Open(str(class_map))
    inverse = gdal.InvGeoTransform(dataset.GetGeoTransform())
    data = dataset.ReadAsArray()
    index = layer.fields().indexOf("reference")
    changes = {}
    for feature in layer.getFeatures():
        column, row = gdal.ApplyGeoTransform(inverse, feature.geometry().asPoint().x(), feature.geometry().asPoint().y())
        changes[feature.id()] = {index: int(data[int(row), int(column)])}
    assert layer.dataProvider().changeAttributeValues(changes)
    layer = None


def assert_styled_by_reference(sample: Path, labelled: bool) -> None:
    """The .qml beside the sample: points drawn by their reference class (white while not labelled)."""
    from qgis.core import QgsRenderContext

    layer = QgsVectorLayer(f"{sample}|layername=sample", "sample", "ogr")
    _message, ok = layer.loadNamedStyle(str(sample.with_suffix(".qml")))
    renderer = layer.renderer()
    assert ok and renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "reference"
    labels = [c.label() for c in renderer.categories()]
    assert labels == ["class 0", "class 1", "not labelled"]
    colours = {c.label(): c.symbol().color().name() for c in renderer.categories()}
    assert colours["not labelled"] == "#ffffff" and len(set(colours.values())) == 3
    context = QgsRenderContext()
    renderer.startRender(context, layer.fields())
    try:
        for feature in layer.getFeatures():
            expected = f"class {feature['reference']}" if labelled else "not labelled"
            assert renderer.symbolForFeature(feature, context).color().name() == colours[expected]
    finally:
        renderer.stopRender(context)


def test_sample_then_assess(provider, class_map, tmp_path):
    sample = tmp_path / "sample.gpkg"
    result = run("claro:sample", {"MAP": str(class_map), "OUTPUT": str(sample), "N": 60, "MIN_PER_CLASS": 20, "SEED": 3})
    assert Path(result["OUTPUT"]) == sample and result["POINTS"] == 60
    drawn = points(sample)
    assert len(drawn) == 60 and sorted(p[3] for p in drawn) == list(range(1, 61))
    assert_styled_by_reference(sample, labelled=False)
    label_from_the_map(sample, class_map)
    assert_styled_by_reference(sample, labelled=True)
    report_path = tmp_path / "report.json"
    result = run("claro:assess", {"MAP": str(class_map), "SAMPLE": str(sample), "OUTPUT": str(report_path)})
    report = json.loads(report_path.read_text())
    assert result["OVERALL_ACCURACY"] == pytest.approx(1.0) == report["overall_accuracy"]
    assert result["LABELLED_POINTS"] == 60
    for cls in report["classes"]:
        assert cls["area_ha"] == pytest.approx(cls["map_area_ha"]) and cls["users_accuracy"] == 1.0
    data = gdal.Open(str(class_map)).ReadAsArray()
    assert [c["sample_count"] for c in report["classes"]] == [sum(p[0] == c["value"] for p in drawn)
                                                              for c in report["classes"]]
    assert sorted(c["value"] for c in report["classes"]) == sorted(np.unique(data).tolist())
    assert report_path.with_suffix(".csv").is_file() and (tmp_path / "report_summary.png").is_file()


def test_a_drawn_area_of_interest_limits_the_sample(provider, class_map, tmp_path):
    """A memory polygon layer (drawn in QGIS, not a file) is exported for the backend."""
    dataset = gdal.Open(str(class_map))
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326", "area of interest", "memory")
    layer.dataProvider().addAttributes([QgsField("name", QVariant.String)])
    layer.updateFields()
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x0, y0 + SIZE * dy, x0 + SIZE / 2 * dx, y0)))
    layer.dataProvider().addFeatures([feature])
    QgsProject.instance().addMapLayer(layer)
    try:
        sample = tmp_path / "aoi.gpkg"
        run("claro:sample", {"MAP": str(class_map), "OUTPUT": str(sample), "N": 40, "MIN_PER_CLASS": 10,
                             "AOI": layer.id()})
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    inverse = gdal.InvGeoTransform(dataset.GetGeoTransform())
    columns = [gdal.ApplyGeoTransform(inverse, x, y)[0] for _value, x, y, _id in points(sample)]
    assert len(columns) == 40 and max(columns) < SIZE / 2 + 1
