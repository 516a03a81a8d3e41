"""`claro sample`: a stratified random sample of a real class map, drawn as designed.

The map is a real forest/cleared mask of the bundled sample (resources/sample), given Claro's
class names and a strip of nodata, as `claro predict` writes class maps."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from claro.backend import areas, cli, style
from claro.backend.errors import ClaroError
from claro.backend.params import SampleParams
from claro.backend.progress import Progress
from claro.backend.sample import (LAYER, METADATA_ITEM, allocate, cochran_size, expected_accuracies, is_change_class,
                                  qml_path, run)

ROOT = Path(__file__).resolve().parents[2]
MASK = ROOT / "resources" / "sample" / "masks" / "Amazon_511_35.tif"  # 22 % cleared: the rare class
CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]
NODATA_ROWS = 16


@pytest.fixture(scope="module")
def class_map(tmp_path_factory) -> Path:
    """The real mask as a Claro class map: category names, colours, nodata 255 on the top rows."""
    out = tmp_path_factory.mktemp("map") / "classes.tif"
    gdal.Translate(str(out), str(MASK))
    dataset = gdal.Open(str(out), gdal.GA_Update)
    band = dataset.GetRasterBand(1)
    data = band.ReadAsArray()
    data[:NODATA_ROWS] = 255
    band.WriteArray(data)
    style.apply_classes(band, CLASSES, 255)
    dataset = None
    return out


def sample(*argv) -> int:
    return cli.main(["sample", *map(str, argv)])


def points_of(path: Path) -> list[dict]:
    dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR)
    layer = dataset.GetLayerByName(LAYER)
    rows = []
    for feature in layer:
        geometry = feature.GetGeometryRef()
        rows.append({"id": feature.GetField("id"), "map_class": feature.GetField("map_class"),
                     "map_class_name": feature.GetField("map_class_name"),
                     "reference": None if feature.IsFieldNull("reference") else feature.GetField("reference"),
                     "x": geometry.GetX(), "y": geometry.GetY()})
    return rows


def pixel_of(dataset, x: float, y: float) -> tuple[float, float]:
    inverse = gdal.InvGeoTransform(dataset.GetGeoTransform())
    return gdal.ApplyGeoTransform(inverse, x, y)


def test_the_paper_s_sample_size_and_allocation():
    """Olofsson et al. (2014) §5.1.1: W = (0.02, 0.015, 0.32, 0.645), expected user's accuracies
    (0.7, 0.6, 0.9, 0.95) and a target standard error of 0.01 for overall accuracy give n ≈ 641."""
    weights = [0.02, 0.015, 0.32, 0.645]
    assert cochran_size(weights, [0.7, 0.6, 0.9, 0.95], 0.01) == 641
    # the two change classes get the minimum, the two stable ones share the rest in proportion to area
    assert allocate(641, weights, 50) == [50, 50, 179, 362]
    assert allocate(1000, weights, 50) == [50, 50, 298, 602]  # 900 × 0.32/0.965 = 298.4, × 0.645/0.965 = 601.6
    assert allocate(100, weights, 50) == [50, 50, 50, 50]      # raised: every class keeps its minimum
    assert allocate(10, [0.5, 0.5], 2) == [5, 5]


def test_expected_accuracies_default_to_the_paper_s_suggestion_for_change_and_stable_classes():
    classes = [{"value": 1, "name": "forest→cleared"}, {"value": 2, "name": "forest→forest"},
               {"value": 3, "name": "cleared -> forest"}, {"value": 4, "name": "water"}]
    assert [is_change_class(c["name"]) for c in classes] == [True, False, True, False]
    assert expected_accuracies(None, classes) == [0.7, 0.9, 0.7, 0.9]
    assert expected_accuracies("forest→cleared:0.6, 4:0.95", classes) == [0.6, 0.9, 0.7, 0.95]
    with pytest.raises(ClaroError, match="'savanna', which is not a class of the map"):
        expected_accuracies("savanna:0.8", classes)
    with pytest.raises(ClaroError, match="between 0 and 1"):
        expected_accuracies("water:1.2", classes)


def test_sample_of_a_real_class_map_follows_the_design(class_map, tmp_path):
    out = tmp_path / "sample.gpkg"
    assert sample("--map", class_map, "--out", out, "--n", 200, "--min-per-class", 60, "--seed", 7) == 0
    points = points_of(out)
    # the allocation, recomputed from the true class areas of areas.py's own table
    table = areas.class_area_table(class_map, CLASSES, nodata=255)
    total = sum(row["hectares"] for row in table)
    expected = allocate(200, [row["hectares"] / total for row in table], 60)
    assert expected[1] == 60 and expected[0] == 140  # cleared (22 %) gets the minimum, forest the rest
    assert [sum(p["map_class"] == c["value"] for p in points) for c in CLASSES] == expected
    assert sorted(p["id"] for p in points) == list(range(1, 201))
    assert all(p["reference"] is None for p in points)
    assert {p["map_class"]: p["map_class_name"] for p in points} == {0: "forest", 1: "cleared"}
    # every point is the centre of a pixel of its stratum, never nodata, no pixel twice
    dataset = gdal.Open(str(class_map))
    data = dataset.ReadAsArray()
    cells = set()
    for p in points:
        column, row = pixel_of(dataset, p["x"], p["y"])
        assert column % 1 == pytest.approx(0.5) and row % 1 == pytest.approx(0.5)
        column, row = int(column), int(row)
        assert data[row, column] == p["map_class"] and row >= NODATA_ROWS
        cells.add((row, column))
    assert len(cells) == 200
    # the ids are shuffled: their order does not give the classes away
    by_id = [p["map_class"] for p in sorted(points, key=lambda p: p["id"])]
    assert by_id != sorted(by_id) and by_id != sorted(by_id, reverse=True)
    # the map's CRS, the style colours points by their reference label, and the design is recorded
    vector = gdal.OpenEx(str(out), gdal.OF_VECTOR)
    layer = vector.GetLayerByName(LAYER)
    assert layer.GetSpatialRef().IsSame(osr.SpatialReference(wkt=dataset.GetProjection()),
                                        ["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES"])
    qml = qml_path(out).read_text()
    assert 'attr="reference"' in qml and 'label="cleared"' in qml and "215,25,28,255" in qml
    design = json.loads(layer.GetMetadataItem(METADATA_ITEM))
    assert design["seed"] == 7 and [s["points"] for s in design["strata"]] == expected
    assert [s["pixels"] for s in design["strata"]] == [row["pixels"] for row in table]


def test_the_same_seed_gives_the_same_points_and_another_seed_others(class_map, tmp_path):
    runs = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        out = tmp_path / f"{name}.gpkg"
        assert sample("--map", class_map, "--out", out, "--n", 120, "--seed", seed) == 0
        runs[name] = [(p["id"], p["map_class"], p["x"], p["y"]) for p in points_of(out)]
    assert runs["a"] == runs["b"]
    assert set(runs["a"]) != set(runs["c"]) and len(set(p[2:] for p in runs["a"]) & set(p[2:] for p in runs["c"])) < 20


def test_target_standard_error_sets_the_size(class_map, tmp_path):
    """Without --n, Cochran's formula with the defaults (0.9 for both classes: neither is a change)."""
    out = tmp_path / "cochran.gpkg"
    progress = Progress("json", stream=open(tmp_path / "log.jsonl", "w"))
    result = run(SampleParams(map=str(class_map), out=str(out), target_se=0.02), progress)
    # Σ Wᵢ √(0.9 × 0.1) = 0.3 whatever the weights: n = (0.3 / 0.02)² = 225
    assert result["points"] == 225 == len(points_of(out))


def test_an_area_of_interest_in_another_crs_limits_the_sample(class_map, tmp_path):
    """The AOI (a polygon over the left half, in Web Mercator) is burnt on the map's grid:
    every point lies inside it."""
    dataset = gdal.Open(str(class_map))
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    width, height = dataset.RasterXSize, dataset.RasterYSize
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    mercator = osr.SpatialReference()
    mercator.ImportFromEPSG(3857)
    to_mercator = osr.CoordinateTransformation(wgs84, mercator)
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for column, row in ((0, 0), (width / 2, 0), (width / 2, height), (0, height), (0, 0)):
        x, y, _ = to_mercator.TransformPoint(x0 + column * dx, y0 + row * dy)
        ring.AddPoint_2D(x, y)
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    aoi = tmp_path / "aoi.geojson"
    source = ogr.GetDriverByName("GeoJSON").CreateDataSource(str(aoi))
    layer = source.CreateLayer("aoi", mercator, ogr.wkbPolygon)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(polygon)
    layer.CreateFeature(feature)
    source = None
    out = tmp_path / "aoi.gpkg"
    assert sample("--map", class_map, "--out", out, "--n", 150, "--aoi", aoi) == 0
    points = points_of(out)
    assert len(points) == 150
    columns = [pixel_of(dataset, p["x"], p["y"])[0] for p in points]
    assert max(columns) < width / 2  # pixels by their centre, as predict's --aoi
    assert min(columns) >= 0
    # a layer named as QGIS writes a layer's source (the Assess tab passes such paths): the same points
    named = tmp_path / "named.gpkg"
    assert sample("--map", class_map, "--out", named, "--n", 150, "--aoi", f"{aoi}|layername=aoi") == 0
    assert points_of(named) == points


def test_strata_too_small_for_the_sample_are_refused(tmp_path, capsys):
    data = np.zeros((40, 40), np.uint8)
    data[:3, :4] = 1  # 12 pixels of 'cleared'
    path = tmp_path / "tiny.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), 40, 40, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((500000.0, 10.0, 0.0, 9000000.0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32719)
    dataset.SetProjection(srs.ExportToWkt())
    style.apply_classes(dataset.GetRasterBand(1), CLASSES, 255)
    dataset.GetRasterBand(1).WriteArray(data)
    dataset = None
    out = tmp_path / "s.gpkg"
    assert sample("--map", path, "--out", out, "--n", 100) == 2
    assert ("Class 1 (cleared) has 12 pixels on the map, too few for the 50 points it needs; lower --min-per-class "
            "or --n.") in capsys.readouterr().err
    assert not out.exists() and not qml_path(out).exists()
    assert sample("--map", path, "--out", out, "--n", 20, "--min-per-class", 10) == 0
    assert sorted(p["map_class"] for p in points_of(out)) == [0] * 10 + [1] * 10


def test_a_labelled_sample_is_never_replaced(class_map, tmp_path, capsys):
    out = tmp_path / "labelled.gpkg"
    assert sample("--map", class_map, "--out", out, "--n", 120) == 0
    assert sample("--map", class_map, "--out", out, "--n", 120, "--seed", 5, "--overwrite") == 0  # no label yet
    dataset = gdal.OpenEx(str(out), gdal.OF_VECTOR | gdal.OF_UPDATE)
    layer = dataset.GetLayerByName(LAYER)
    feature = layer.GetNextFeature()
    feature.SetField("reference", 1)
    layer.SetFeature(feature)
    dataset = None
    before = out.read_bytes()
    assert sample("--map", class_map, "--out", out, "--n", 120, "--overwrite") == 2
    assert "already holds 1 labelled point; Claro never replaces labels" in capsys.readouterr().err
    assert out.read_bytes() == before
