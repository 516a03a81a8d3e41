"""`claro evaluate`: confusion matrices from rasters and polygons on any grid, honest exclusions."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from claro.backend import cli, style
from claro.backend.errors import ClaroError
from claro.backend.evaluate import run
from claro.backend.params import EvaluateParams
from claro.backend.progress import Progress

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
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert report["beta"] == 2.0
    assert report["per_class"]["cleared"]["fbeta"] == pytest.approx(5 * precision * recall / (4 * precision + recall))
    scored = report["scored"]
    assert scored["reference"] == "raster" and scored["polygons"] is None
    assert scored["pixels_labelled"] == int(keep.sum()) and scored["pixels_background"] == 0
    assert scored["pixels_not_scored"] == {"unlabelled": int(np.sum((truth == 255) & (predicted != 255))),
                                           "prediction_nodata": int(np.sum((truth != 255) & (predicted == 255)))}
    assert scored["sentence"] == (f"Scored {int(keep.sum()):,} labelled pixels of the reference raster; "
                                  f"{scored['pixels_not_scored']['unlabelled']} pixels with the ignore value, no data or "
                                  f"outside the reference not scored; {scored['pixels_not_scored']['prediction_nodata']} "
                                  "labelled pixels where the class raster has no data not scored.")
    png = tmp_path / "report_confusion.png"
    assert report["confusion_matrix_png"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def polygon_file(path: Path, boxes: list[tuple[int, int, int, int, int]], epsg: int = UTM) -> Path:
    """Polygons (column, row, columns, rows of the 10 m grid at ORIGIN, class) stored in `epsg`."""
    x0, y0 = ORIGIN
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    # no R-tree: TensorFlow, when loaded first, brings an SQLite without the rtree module
    layer = source.CreateLayer("reference", srs(epsg), ogr.wkbPolygon, options=["SPATIAL_INDEX=NO"])
    layer.CreateField(ogr.FieldDefn("cls", ogr.OFTInteger))
    for col, row, cols, rows, value in boxes:
        left, top = x0 + 10 * col, y0 - 10 * row
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in ((left, top), (left + 10 * cols, top), (left + 10 * cols, top - 10 * rows), (left, top - 10 * rows), (left, top)):
            ring.AddPoint_2D(x, y)
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        if epsg != UTM:
            polygon.Transform(osr.CoordinateTransformation(srs(UTM), srs(epsg)))
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("cls", value)
        feature.SetGeometry(polygon)
        layer.CreateFeature(feature)
    feature = layer = source = None
    return path


def test_polygon_reference_in_another_crs(tmp_path, capsys):
    predicted = np.zeros((20, 20), np.uint8)
    predicted[:, :12] = 1
    prediction = write(tmp_path / "classes.tif", predicted)
    # a cleared polygon over the left 10 columns, drawn in UTM and stored in geographic coordinates
    path = polygon_file(tmp_path / "cleared.gpkg", [(0, 0, 10, 20, 1)], epsg=4326)

    out = tmp_path / "report.json"
    assert evaluate("--prediction", prediction, "--reference", path, "--out", out, "--class-field", "cls") == 0
    report = report_of(out)
    assert report["confusion_matrix"] == [[0, 0], [0, 10 * 20]]  # only the labelled pixels by default
    sentence = "Scored 200 pixels inside 1 reference polygon; 200 pixels outside every polygon not scored (--background ignore)."
    assert report["scored"]["sentence"] == sentence and sentence in capsys.readouterr().err
    # --background 0 says what the outside is: every pixel scored, the outside as forest
    assert evaluate("--prediction", prediction, "--reference", path, "--out", out, "--class-field", "cls",
                    "--background", "0", "--overwrite") == 0
    report = report_of(out)
    assert report["confusion_matrix"] == [[8 * 20, 2 * 20], [0, 10 * 20]]
    assert report["scored"]["sentence"] == ("Scored 400 pixels: 200 pixels inside 1 reference polygon and 200 pixels "
                                            "outside every polygon as class 0 (--background 0).")
    assert report["scored"]["pixels_background"] == 200 and report["scored"]["background"] == 0


def test_a_sample_of_reference_polygons_scores_only_what_they_cover(tmp_path, capsys):
    """The usual accuracy design: a few polygons of each class over a larger map. Detections
    outside them are neither right nor wrong, and the forest around them is not free accuracy."""
    predicted = np.zeros((40, 40), np.uint8)
    predicted[2:8, 2:8] = 1      # a clearing, found (reference polygon A, cleared)
    predicted[30:35, 30:38] = 1  # another clearing, outside every polygon: not an error
    predicted[20:22, 20:30] = 1  # a false alarm inside forest polygon B
    prediction = write(tmp_path / "classes.tif", predicted)
    reference = polygon_file(tmp_path / "sample.gpkg", [(0, 0, 10, 10, 1), (20, 15, 10, 10, 0)])
    out = tmp_path / "report.json"
    assert evaluate("--prediction", prediction, "--reference", reference, "--out", out, "--class-field", "cls") == 0
    report = report_of(out)
    # polygon A: 36 cleared found, 64 missed; polygon B: 80 forest right, 20 false alarms
    assert report["confusion_matrix"] == [[80, 20], [64, 36]]
    assert report["pixels"] == 200 and report["overall_accuracy"] == pytest.approx(116 / 200)
    cleared = report["per_class"]["cleared"]
    assert cleared["recall"] == pytest.approx(0.36) and cleared["precision"] == pytest.approx(36 / 56)
    assert cleared["fbeta"] == pytest.approx(5 * 36 / (5 * 36 + 4 * 64 + 20))
    assert report["scored"] == {"reference": "polygons", "polygons": 2, "background": "ignore", "pixels_labelled": 200,
                                "pixels_background": 0,
                                "pixels_not_scored": {"unlabelled": 1600 - 200, "prediction_nodata": 0},
                                "sentence": "Scored 200 pixels inside 2 reference polygons; 1,400 pixels outside every "
                                            "polygon not scored (--background ignore)."}
    assert "Scored 200 pixels inside 2 reference polygons" in capsys.readouterr().err


def test_bad_beta_is_refused(tmp_path, capsys):
    prediction = write(tmp_path / "classes.tif", np.zeros((10, 10), np.uint8))
    reference = write(tmp_path / "reference.tif", np.zeros((10, 10), np.uint8), classes=None)
    with pytest.raises(SystemExit) as exit_:
        evaluate("--prediction", prediction, "--reference", reference, "--out", tmp_path / "r.json", "--beta", "0")
    assert exit_.value.code == 2
    assert "--beta must be at least 0.1 and at most 10; it was 0.0." in capsys.readouterr().err
    with pytest.raises(ClaroError, match="--beta must be at least 0.1"):  # from Python, the job checks the same range
        run(EvaluateParams(prediction=str(prediction), reference=str(reference), out=str(tmp_path / "r.json"), beta=0.0),
            Progress("json"))
    assert not (tmp_path / "r.json").exists()


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
    assert report["per_class"]["cleared"]["fbeta"] is None
    err = capsys.readouterr().err
    assert "not among the prediction's classes" in err
    assert "cleared IoU n/a F1 n/a F2 n/a" in err


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
