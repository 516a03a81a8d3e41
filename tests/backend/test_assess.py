"""`claro assess` reproduces the worked example of Olofsson et al. (2014, Remote Sensing of
Environment 148: 42-57, section 5, Table 8), run as the real command on a map and a sample.

The paper's example: four map classes (deforestation, forest gain, stable forest, stable
non-forest) over 10,000,000 Landsat pixels of 30 m (0.09 ha): 200,000, 150,000, 3,200,000 and
6,450,000 pixels, i.e. 18,000, 13,500, 288,000 and 580,500 ha; 640 sample points whose counts
(rows: map class, columns: reference class) are
    66   0    5    4
     0  55    8   12
     1   0  153   11
     2   1    9  313
The map here keeps those areas with 100 times fewer pixels of 300 m (9 ha each). It lies in an
equal-area projection (EASE-Grid 2.0, EPSG:6933), so the true areas on the ellipsoid that Claro
measures are the paper's nominal areas: the published figures are compared directly, to their
printed rounding (a UTM grid would be 0.08 % larger in true area than its nominal pixel size says,
the square of the scale factor 0.9996, and every area would have to be corrected for it).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from claro.backend import areas, cli, style
from claro.backend.assess import csv_path, estimate, png_path
from claro.backend.sample import write_sample

CLASSES = [{"value": 1, "name": "deforestation", "color": "#d7191c"},
           {"value": 2, "name": "forest gain", "color": "#2c7bb6"},
           {"value": 3, "name": "stable forest", "color": "#1a9641"},
           {"value": 4, "name": "stable non-forest", "color": "#fdae61"}]
COUNTS = np.array([[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]])
PIXELS = [2_000, 1_500, 32_000, 64_500]   # the paper's pixel counts / 100
PIXEL = 300.0                              # m: 9 ha, so the areas are the paper's
WIDTH, ROWS = 500, 200                     # 100,000 class pixels, then one row of nodata
ORIGIN = (-5_800_000.0, -300_000.0)        # EASE-Grid 2.0 metres: the Amazon, about 60° W 2° S
EASE = 6933

#: the paper's published estimates (section 5), as printed
PAPER_AREA_HA = [(21_158, 6_158), (11_686, 3_756), (285_770, 15_510), (581_386, 16_282)]
PAPER_USERS = [(0.88, 0.07), (0.73, 0.10), (0.93, 0.04), (0.96, 0.02)]
PAPER_PRODUCERS = [(0.75, 0.21), (0.85, 0.25), (0.93, 0.03), (0.96, 0.02)]
PAPER_OVERALL = (0.95, 0.02)


def srs(epsg: int) -> osr.SpatialReference:
    ref = osr.SpatialReference()
    ref.ImportFromEPSG(epsg)
    ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return ref


@pytest.fixture(scope="module")
def paper_map(tmp_path_factory) -> Path:
    values = np.repeat(np.array([c["value"] for c in CLASSES], np.uint8), PIXELS)
    data = np.full((ROWS + 1, WIDTH), 255, np.uint8)
    data[:ROWS] = values.reshape(ROWS, WIDTH)
    path = tmp_path_factory.mktemp("paper") / "change.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), WIDTH, ROWS + 1, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((ORIGIN[0], PIXEL, 0.0, ORIGIN[1], 0.0, -PIXEL))
    dataset.SetProjection(srs(EASE).ExportToWkt())
    band = dataset.GetRasterBand(1)
    style.apply_classes(band, CLASSES, 255)
    band.WriteArray(data)
    dataset = None
    return path


def centre(column: int, row: int) -> tuple[float, float]:
    return ORIGIN[0] + (column + 0.5) * PIXEL, ORIGIN[1] - (row + 0.5) * PIXEL


def paper_points(counts: np.ndarray = COUNTS, seed: int = 0) -> list[dict]:
    """Points on distinct pixels of each map class, labelled so that they realise `counts`."""
    rng = np.random.default_rng(seed)
    starts = np.concatenate([[0], np.cumsum(PIXELS)])
    points = []
    for i, cls in enumerate(CLASSES):
        cells = rng.choice(np.arange(starts[i], starts[i + 1]), size=int(counts[i].sum()), replace=False)
        references = np.repeat([c["value"] for c in CLASSES], counts[i])
        for cell, reference in zip(cells.tolist(), references.tolist()):
            x, y = centre(cell % WIDTH, cell // WIDTH)
            points.append({"x": x, "y": y, "map_class": cls["value"], "map_class_name": cls["name"],
                           "reference": reference})
    order = rng.permutation(len(points))
    return [dict(points[k], id=n + 1) for n, k in enumerate(order.tolist())]


def to_wgs84(points: list[dict]) -> list[dict]:
    transform = osr.CoordinateTransformation(srs(EASE), srs(4326))
    out = []
    for point in points:
        x, y, _ = transform.TransformPoint(point["x"], point["y"])
        out.append(dict(point, x=x, y=y))
    return out


def assess(*argv) -> int:
    return cli.main(["assess", *map(str, argv)])


@pytest.fixture(scope="module")
def paper_report(paper_map, tmp_path_factory) -> tuple[dict, Path]:
    """The paper's 640 labelled points, stored in WGS84 (not the map's CRS), plus three points
    skipped (no label) and three the map excludes (two outside it, one on nodata)."""
    folder = tmp_path_factory.mktemp("report")
    points = paper_points()
    extra = [{"x": centre(10, 150)[0], "y": centre(10, 150)[1], "map_class": 4, "map_class_name": "stable non-forest",
              "reference": None, "id": 641 + k} for k in range(3)]
    extra += [{"x": centre(-3, 5)[0], "y": centre(-3, 5)[1], "map_class": 1, "map_class_name": "x", "reference": 1, "id": 644},
              {"x": centre(10, ROWS + 9)[0], "y": centre(10, ROWS + 9)[1], "map_class": 1, "map_class_name": "x",
               "reference": 1, "id": 645},
              {"x": centre(7, ROWS)[0], "y": centre(7, ROWS)[1], "map_class": 1, "map_class_name": "x", "reference": 2,
               "id": 646}]
    sample = write_sample(folder / "sample.gpkg", to_wgs84(points + extra), srs(4326).ExportToWkt())
    out = folder / "report.json"
    assert assess("--map", paper_map, "--sample", sample, "--out", out) == 0
    return json.loads(out.read_text()), out


def test_the_paper_s_areas_and_intervals(paper_report):
    report, _out = paper_report
    classes = report["classes"]
    assert [(c["value"], c["name"]) for c in classes] == [(c["value"], c["name"]) for c in CLASSES]
    assert [c["map_area_ha"] for c in classes] == pytest.approx([18_000, 13_500, 288_000, 580_500], rel=1e-6)
    assert [c["sample_count"] for c in classes] == [75, 75, 165, 325]
    for cls, (area, half) in zip(classes, PAPER_AREA_HA):
        assert cls["area_ha"] == pytest.approx(area, abs=0.5), cls["name"]       # printed to the hectare
        assert cls["area_ci95_ha"] == pytest.approx(half, abs=0.5), cls["name"]
    assert report["total_area_ha"] == pytest.approx(900_000, rel=1e-6)
    assert sum(c["area_ha"] for c in classes) == pytest.approx(report["total_area_ha"])


def test_the_paper_s_accuracies(paper_report):
    report, _out = paper_report
    classes = report["classes"]
    for cls, (users, users_half), (producers, producers_half) in zip(classes, PAPER_USERS, PAPER_PRODUCERS):
        assert round(cls["users_accuracy"], 2) == users and round(cls["users_accuracy_ci95"], 2) == users_half
        assert round(cls["producers_accuracy"], 2) == producers
        assert round(cls["producers_accuracy_ci95"], 2) == producers_half
    assert cls["users_accuracy"] == pytest.approx(313 / 325)
    assert round(report["overall_accuracy"], 2) == PAPER_OVERALL[0]
    assert round(report["overall_accuracy_ci95"], 2) == PAPER_OVERALL[1]
    assert report["overall_accuracy"] == pytest.approx(0.02 * 66 / 75 + 0.015 * 55 / 75 + 0.32 * 153 / 165
                                                       + 0.645 * 313 / 325)


def test_the_error_matrices_and_what_was_left_out(paper_report):
    report, _out = paper_report
    assert report["error_matrix_counts"] == COUNTS.tolist()
    proportions = np.array(report["error_matrix_proportions"])
    assert proportions.sum(axis=1) == pytest.approx([0.02, 0.015, 0.32, 0.645])  # rows: the map classes' weights
    assert proportions[0, 0] == pytest.approx(0.02 * 66 / 75)                      # Table 9's p̂₁₁ = 0.0176
    assert proportions.sum() == pytest.approx(1.0)
    points = report["points"]
    assert (points["total"], points["labelled"], points["skipped"]) == (646, 640, 3)
    assert sorted((e["id"], e["reason"]) for e in points["excluded"]) == [
        (644, "outside the map"), (645, "outside the map"), (646, "on nodata")]
    assert any("Skipped 3 points" in note for note in report["notes"])
    assert not any("differs from the map" in note for note in report["notes"])  # strata read = strata drawn


def test_the_table_and_the_summary_page(paper_report):
    report, out = paper_report
    with open(csv_path(out), newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["value", "name", "map_area_ha", "sample_count", "users_accuracy", "users_accuracy_ci95",
                             "producers_accuracy", "producers_accuracy_ci95", "area_ha", "area_ci95_ha"]
    assert [row["name"] for row in rows] == [c["name"] for c in CLASSES]
    assert float(rows[0]["area_ha"]) == pytest.approx(report["classes"][0]["area_ha"])
    figure = png_path(out)
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = gdal.Open(str(figure))
    assert (image.RasterXSize, image.RasterYSize) == (1169, 827)  # one A4 landscape page at 100 dpi
    assert report["table_csv"] == str(csv_path(out)) and report["summary_png"] == str(figure)


def test_map_areas_are_areas_py_s(paper_map, paper_report):
    """The strata's areas are the map's true class areas, as areas.py's table gives them."""
    report, _out = paper_report
    table = areas.class_area_table(paper_map, CLASSES, nodata=255)
    assert [c["map_area_ha"] for c in report["classes"]] == pytest.approx([row["hectares"] for row in table], rel=1e-9)


def test_a_stratum_with_one_labelled_point_gives_no_interval_but_a_sentence():
    counts = np.array([[1, 0], [3, 40]])
    result = estimate(counts, [100.0, 900.0], ["'cleared'", "'forest'"])
    assert result["users_accuracy"] == [1.0, 40 / 43]
    assert result["users_accuracy_se"][0] is None and result["users_accuracy_se"][1] is not None
    assert result["overall_accuracy_se"] is None and result["area_proportions_se"] == [None, None]
    assert result["producers_accuracy_se"] == [None, None]
    assert result["area_proportions"][0] == pytest.approx(0.1 + 0.9 * 3 / 43)
    assert result["notes"] == ["Class 'cleared' has 1 labelled point, and a variance needs at least 2: the confidence "
                               "intervals of its user's accuracy, of overall accuracy, of every area and producer's "
                               "accuracy are not given; label more of its points."]


def test_the_report_says_so_when_a_stratum_has_too_few_labels(paper_map, tmp_path):
    counts = COUNTS.copy()
    counts[1] = [0, 1, 0, 0]  # forest gain: a single labelled point
    sample = write_sample(tmp_path / "thin.gpkg", paper_points(counts), srs(EASE).ExportToWkt())
    out = tmp_path / "thin.json"
    assert assess("--map", paper_map, "--sample", sample, "--out", out) == 0
    report = json.loads(out.read_text())
    gain = report["classes"][1]
    assert gain["sample_count"] == 1 and gain["users_accuracy"] == 1.0 and gain["users_accuracy_ci95"] is None
    assert report["overall_accuracy_ci95"] is None and all(c["area_ci95_ha"] is None for c in report["classes"])
    assert report["classes"][0]["users_accuracy_ci95"] == pytest.approx(1.96 * np.sqrt(0.88 * 0.12 / 74))
    assert any(note.startswith("Class 'forest gain' has 1 labelled point") for note in report["notes"])
    with open(csv_path(out), newline="") as stream:
        assert next(r for r in csv.DictReader(stream) if r["name"] == "forest gain")["area_ci95_ha"] == ""


def test_a_reference_that_is_not_a_class_is_refused_naming_the_point(paper_map, tmp_path, capsys):
    points = paper_points()
    points[17]["reference"] = 7
    sample = write_sample(tmp_path / "typo.gpkg", points, srs(EASE).ExportToWkt())
    out = tmp_path / "typo.json"
    assert assess("--map", paper_map, "--sample", sample, "--out", out) == 2
    error = capsys.readouterr().err
    assert f"Point {points[17]['id']} has reference 7, which is not a class of the map (1 (deforestation), " in error
    assert not out.exists() and not csv_path(out).exists() and not png_path(out).exists()


def test_a_missing_reference_field_is_named(paper_map, tmp_path, capsys):
    sample = write_sample(tmp_path / "s.gpkg", paper_points(), srs(EASE).ExportToWkt())
    assert assess("--map", paper_map, "--sample", sample, "--reference-field", "truth", "--out", tmp_path / "r.json") == 2
    assert "has no field 'truth' (fields: id, map_class, map_class_name, reference)" in capsys.readouterr().err


def test_text_references_are_read_and_bad_ones_refused(paper_map, tmp_path, capsys):
    """A sample labelled elsewhere (a text field, e.g. from a spreadsheet) works when it holds numbers."""
    points = paper_points()
    path = tmp_path / "text.gpkg"
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("points", srs(EASE), ogr.wkbPoint, options=["SPATIAL_INDEX=NO"])
    layer.CreateField(ogr.FieldDefn("truth", ogr.OFTString))
    for point in points:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("truth", str(point["reference"]))
        geometry = ogr.Geometry(ogr.wkbPoint)
        geometry.AddPoint_2D(point["x"], point["y"])
        feature.SetGeometry(geometry)
        layer.CreateFeature(feature)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetField("truth", "forest?")
    geometry = ogr.Geometry(ogr.wkbPoint)
    geometry.AddPoint_2D(*centre(3, 3))
    feature.SetGeometry(geometry)
    layer.CreateFeature(feature)
    fid = feature.GetFID()
    source = None
    out = tmp_path / "text.json"
    assert assess("--map", paper_map, "--sample", path, "--reference-field", "truth", "--out", out) == 2
    assert f"Point {fid} has reference 'forest?' in field 'truth', which is not a class value" in capsys.readouterr().err
    source = ogr.Open(str(path), 1)
    source.GetLayer(0).DeleteFeature(fid)
    source = None
    assert assess("--map", paper_map, "--sample", path, "--reference-field", "truth", "--out", out) == 0
    assert json.loads(out.read_text())["error_matrix_counts"] == COUNTS.tolist()


def test_a_class_the_map_never_shows_still_gets_an_area():
    """Omission: reference points of a class with no map area give it an estimated area (and a
    producer's accuracy of 0), while its user's accuracy is undefined (no map pixel to be right on)."""
    counts = np.array([[45, 5, 0], [2, 40, 8], [0, 0, 0]])
    result = estimate(counts, [600.0, 400.0, 0.0], ["'forest'", "'cleared'", "'water'"])
    assert result["area_proportions"][2] == pytest.approx(0.4 * 8 / 50)
    assert result["area_proportions_se"][2] == pytest.approx(0.4 * np.sqrt(0.16 * 0.84 / 49))
    assert result["users_accuracy"][2] is None and result["producers_accuracy"][2] == 0.0
    assert sum(result["area_proportions"]) == pytest.approx(1.0)
    assert result["notes"] == []


def test_sample_then_assess_a_perfect_map(paper_map, tmp_path):
    """`claro sample` then `claro assess`: labelled with the map's own classes, the sample gives
    overall accuracy 1 and every area equal to the map's; assessed against a copy of the map,
    the report says which map the sample was drawn from."""
    sample = tmp_path / "drawn.gpkg"
    assert cli.main(["sample", "--map", str(paper_map), "--out", str(sample), "--n", "240", "--min-per-class", "30"]) == 0
    dataset = gdal.OpenEx(str(sample), gdal.OF_VECTOR | gdal.OF_UPDATE)
    layer = dataset.GetLayerByName("sample")
    for feature in layer:
        feature.SetField("reference", feature.GetField("map_class"))
        layer.SetFeature(feature)
    dataset = None
    out = tmp_path / "perfect.json"
    assert assess("--map", paper_map, "--sample", sample, "--out", out) == 0
    report = json.loads(out.read_text())
    assert report["overall_accuracy"] == 1.0 and report["overall_accuracy_ci95"] == 0.0
    assert [c["sample_count"] for c in report["classes"]] == [30, 30, 60, 120]  # 240: 30, 30, then 180 by area
    for cls in report["classes"]:
        assert cls["area_ha"] == pytest.approx(cls["map_area_ha"]) and cls["area_ci95_ha"] == 0.0
    assert report["notes"] == []
    copy = tmp_path / "copy.tif"
    gdal.Translate(str(copy), str(paper_map))
    assert assess("--map", copy, "--sample", sample, "--out", tmp_path / "copy.json") == 0
    assert json.loads((tmp_path / "copy.json").read_text())["notes"] == [
        f"The sample was drawn from {paper_map.resolve()}; its strata were read from {copy}."]
