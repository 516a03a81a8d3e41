"""`claro evaluate`: confusion matrices from rasters and polygons on any grid, honest exclusions."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from claro.backend import cli, style

UTM = 32719
ORIGIN = (500000.0, 9000000.0)
CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]


def srs(epsg: int) -> osr.SpatialReference:
    ref = osr.SpatialReference()
    ref.ImportFromEPSG(epsg)
    ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return ref


def write(path: Path, data: np.ndarray, pixel: float = 10.0, origin=ORIGIN, classes=CLASSES, nodata=255,
          gdal_type=gdal.GDT_Byte) -> Path:
    rows, cols = data.shape
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, 1, gdal_type)
    dataset.SetGeoTransform((origin[0], pixel, 0.0, origin[1], 0.0, -pixel))
    dataset.SetProjection(srs(UTM).ExportToWkt())
    band = dataset.GetRasterBand(1)
    if classes:
        style.apply_classes(band, classes, nodata)
    elif nodata is not None:
        band.SetNoDataValue(nodata)
    band.WriteArray(data)
    band = None
    dataset = None
    return path


def evaluate(*argv) -> int:
    return cli.main(["evaluate", *map(str, argv)])


def report_of(path: Path) -> dict:
    return json.loads(path.read_text())


def test_raster_reference_on_a_finer_grid_gives_the_exact_confusion_matrix(tmp_path):
    rng = np.random.default_rng(0)
    predicted = rng.integers(0, 2, (20, 30)).astype(np.uint8)
    truth = rng.integers(0, 2, (20, 30)).astype(np.uint8)
    predicted[0:3, 0:4] = 255           # prediction nodata: not counted
    truth[5:7, 10:20] = 255             # reference unlabelled: not counted
    prediction = write(tmp_path / "classes.tif", predicted)
    fine = np.kron(truth, np.ones((2, 2), np.uint8))  # the same labels on a 5 m grid
    reference = write(tmp_path / "reference.tif", fine, pixel=5.0, classes=None)
    out = tmp_path / "report.json"
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out) == 0

    keep = (predicted != 255) & (truth != 255)
    expected = np.array([[np.sum(keep & (truth == r) & (predicted == p)) for p in (0, 1)] for r in (0, 1)])
    report = report_of(out)
    assert report["confusion_matrix"] == expected.tolist()
    assert report["pixels"] == int(keep.sum())
    assert report["class_names"] == ["forest", "cleared"]
    tp, fp, fn = expected[1, 1], expected[0, 1], expected[1, 0]
    assert report["per_class"]["cleared"]["iou"] == pytest.approx(tp / (tp + fp + fn))
    assert report["mean_iou"] == pytest.approx(tp / (tp + fp + fn))  # binary: the cleared class only
    assert report["overall_accuracy"] == pytest.approx(np.trace(expected) / expected.sum())
    png = tmp_path / "report_confusion.png"
    assert report["confusion_matrix_png"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_polygon_reference_in_another_crs(tmp_path):
    predicted = np.zeros((20, 20), np.uint8)
    predicted[:, :12] = 1
    prediction = write(tmp_path / "classes.tif", predicted)
    # a polygon over the left 10 columns, drawn in UTM and stored in geographic coordinates
    x0, y0 = ORIGIN
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((x0, y0), (x0 + 100, y0), (x0 + 100, y0 - 200), (x0, y0 - 200), (x0, y0)):
        ring.AddPoint_2D(x, y)
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    polygon.Transform(osr.CoordinateTransformation(srs(UTM), srs(4326)))
    path = tmp_path / "cleared.gpkg"
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("cleared", srs(4326), ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("cls", ogr.OFTInteger))
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetField("cls", 1)
    feature.SetGeometry(polygon)
    layer.CreateFeature(feature)
    feature = layer = source = None

    out = tmp_path / "report.json"
    assert evaluate("--prediction", prediction, "--reference", path, "--out", out, "--class-field", "cls") == 0
    assert report_of(out)["confusion_matrix"] == [[8 * 20, 2 * 20], [0, 10 * 20]]


def test_reference_classes_the_prediction_does_not_know_are_added(tmp_path, capsys):
    predicted = np.zeros((10, 10), np.uint8)
    truth = np.zeros((10, 10), np.uint8)
    truth[:, :3] = 2  # e.g. water, which the model was never trained on
    prediction = write(tmp_path / "classes.tif", predicted)
    reference = write(tmp_path / "reference.tif", truth, classes=None)
    out = tmp_path / "report.json"
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out) == 0
    report = report_of(out)
    assert report["class_names"] == ["forest", "cleared", "class 2"]
    assert report["classes_not_in_prediction"] == [2]
    assert report["confusion_matrix"] == [[70, 0, 0], [0, 0, 0], [30, 0, 0]]
    assert report["per_class"]["cleared"]["iou"] is None  # absent everywhere: null, not 0 or 1
    assert "not among the prediction's classes" in capsys.readouterr().err


def test_prediction_without_class_names_gets_class_n(tmp_path):
    predicted = np.array([[0, 1], [2, 2]], np.uint8)
    prediction = write(tmp_path / "classes.tif", predicted, classes=None)
    reference = write(tmp_path / "reference.tif", np.array([[0, 1], [2, 0]], np.uint8), classes=None)
    out = tmp_path / "report.json"
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out) == 0
    report = report_of(out)
    assert report["class_names"] == ["class 0", "class 1", "class 2"]
    assert report["confusion_matrix"] == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]


def test_disjoint_reference_is_a_clear_error(tmp_path, capsys):
    prediction = write(tmp_path / "classes.tif", np.zeros((10, 10), np.uint8))
    far = write(tmp_path / "far.tif", np.zeros((10, 10), np.uint8), origin=(700000.0, 8000000.0), classes=None)
    out = tmp_path / "report.json"
    assert evaluate("--prediction", prediction, "--reference", far, "--out", out) == 2
    assert "do not overlap" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classes.tif", "classes.tif.aux.xml", "far.tif"]


def test_all_ignored_reference_is_a_clear_error(tmp_path, capsys):
    prediction = write(tmp_path / "classes.tif", np.zeros((10, 10), np.uint8))
    empty = write(tmp_path / "empty.tif", np.full((10, 10), 255, np.uint8), classes=None)
    assert evaluate("--prediction", prediction, "--reference", empty, "--out", tmp_path / "r.json") == 2
    assert "No pixel is both predicted" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_existing_report_and_probability_rasters_are_refused(tmp_path, capsys):
    prediction = write(tmp_path / "classes.tif", np.zeros((10, 10), np.uint8))
    reference = write(tmp_path / "reference.tif", np.zeros((10, 10), np.uint8), classes=None)
    out = tmp_path / "report.json"
    out.write_text("{}")  # a JSON file Claro did not write: never replaced
    for extra in ((), ("--overwrite",)):
        assert evaluate("--prediction", prediction, "--reference", reference, "--out", out, *extra) == 2
        assert "is not a Claro report, so Claro will not replace it" in capsys.readouterr().err
        assert out.read_text() == "{}"
    out.unlink()
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out) == 0
    first = report_of(out)["created"]
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out) == 2
    assert "--overwrite" in capsys.readouterr().err and report_of(out)["created"] == first
    (tmp_path / "report_confusion.png").write_text("a user's picture")
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out, "--overwrite") == 2
    assert "report_confusion.png exists and is not a PNG image" in capsys.readouterr().err
    (tmp_path / "report_confusion.png").unlink()
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out, "--overwrite") == 0
    assert report_of(out)["overall_accuracy"] == 1.0
    probs = write(tmp_path / "probs.tif", np.zeros((10, 10), np.float32), classes=None, gdal_type=gdal.GDT_Float32,
                  nodata=None)
    assert evaluate("--prediction", probs, "--reference", reference, "--out", tmp_path / "p.json") == 2
    assert "probabilities" in capsys.readouterr().err


def test_a_report_never_replaces_the_reference(tmp_path, capsys):
    """GeoJSON reference polygons saved as .json: --out onto them is refused, even with --overwrite."""
    prediction = write(tmp_path / "classes.tif", np.zeros((10, 10), np.uint8))
    reference = tmp_path / "reference.json"
    x0, y0 = ORIGIN
    reference.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"class": 0},
        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 50, y0], [x0 + 50, y0 - 50], [x0, y0]]]}}],
        "crs": {"type": "name", "properties": {"name": f"EPSG:{UTM}"}}}))
    before = reference.read_text()
    assert evaluate("--prediction", prediction, "--reference", reference, "--class-field", "class",
                    "--out", reference, "--overwrite") == 2
    assert f"would replace the input {reference}" in capsys.readouterr().err
    assert reference.read_text() == before
