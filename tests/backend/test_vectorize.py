"""Minimum mapping unit (sieve) and polygons on hand-made class maps in EPSG:4326 and UTM."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from scipy import ndimage

from claro.backend import areas, vectorize
from claro.backend.atomic import check_can_write
from claro.backend.errors import ClaroError

#: 0.0001° pixels whose southern edge is at 60° S: a pixel there covers ~62 m² (11.1 m × 5.6 m)
GEOGRAPHIC = ((-60.0, 0.0001, 0.0, -59.99, 0.0, -0.0001), 4326)
#: 10 m pixels in UTM 19 S
UTM = ((500000.0, 10.0, 0.0, 9000000.0, 0.0, -10.0), 32719)
EIGHT = np.ones((3, 3), bool)
ATTRIBUTES = {0: {"class_name": "forest"}, 1: {"class_name": "cleared"}, 2: {"class_name": "water"}}
COLORS = {0: "#1a9641", 1: "#d7191c", 2: "#2b83ba"}


def write_classes(path: Path, data: np.ndarray, grid=UTM, nodata: int | None = 255) -> Path:
    transform, epsg = grid
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), data.shape[1], data.shape[0], 1, gdal.GDT_Byte)
    dataset.SetGeoTransform(transform)
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        dataset.SetProjection(srs.ExportToWkt())
    band = dataset.GetRasterBand(1)
    if nodata is not None:
        band.SetNoDataValue(nodata)
    band.WriteArray(data)
    dataset = None
    return path


def write_probabilities(path: Path, data: np.ndarray, grid=UTM) -> Path:
    transform, epsg = grid
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), data.shape[2], data.shape[1], data.shape[0],
                                                   gdal.GDT_Float32)
    dataset.SetGeoTransform(transform)
    for b in range(data.shape[0]):
        dataset.GetRasterBand(b + 1).WriteArray(data[b])
    dataset = None
    return path


def read(path: Path) -> np.ndarray:
    return gdal.Open(str(path)).ReadAsArray()


def smallest_pixel_m2(grid, rows: int) -> float:
    """The true area of a pixel in the raster's last row (the one nearest the pole, or any pixel in
    UTM at the centre of the zone), straight from pyproj's Geod on its four corners."""
    (x0, dx, _, y0, _, dy), epsg = grid
    xs = np.array([x0, x0 + dx, x0 + dx, x0])
    ys = np.array([y0 + (rows - 1) * dy] * 2 + [y0 + rows * dy] * 2)
    if epsg != 4326:
        source, target = osr.SpatialReference(), osr.SpatialReference()
        source.ImportFromEPSG(epsg)
        target.ImportFromEPSG(4326)
        target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        points = osr.CoordinateTransformation(source, target).TransformPoints(list(zip(xs, ys)))
        xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    return abs(areas.GEOD.polygon_area_perimeter(xs, ys)[0])


def regions(data: np.ndarray, value: int) -> tuple[np.ndarray, int]:
    return ndimage.label(data == value, EIGHT)


@pytest.mark.parametrize("grid, min_area_ha", [(GEOGRAPHIC, 0.1), (UTM, 0.5)], ids=["EPSG:4326", "UTM"])
def test_sieve_removes_exactly_the_regions_below_the_unit_and_leaves_nodata(tmp_path, grid, min_area_ha):
    rows, cols = 40, 120
    threshold = math.ceil(min_area_ha * 1e4 / smallest_pixel_m2(grid, rows) - 1e-9)
    data = np.zeros((rows, cols), np.uint8)
    below, at = np.zeros_like(data, bool), np.zeros_like(data, bool)
    below.flat[np.ravel_multi_index(np.nonzero(np.ones((4, 20), bool)), (rows, cols))[: threshold - 1] + 2 * cols + 2] = True
    at.flat[np.ravel_multi_index(np.nonzero(np.ones((4, 20), bool)), (rows, cols))[:threshold] + 2 * cols + 40] = True
    data[below], data[at] = 1, 1
    data[20:24, 2:3] = 2             # a thin sliver touching nodata: merged into the forest, not into nodata
    data[20:30, 3:8] = 255
    data[30:33, 80:83] = 2           # a small region with only nodata around it: nothing to merge into
    data[29:34, 79] = data[29:34, 83] = data[29, 79:84] = data[33, 79:84] = 255
    path = write_classes(tmp_path / "classes.tif", data, grid)
    assert vectorize.sieve_threshold(gdal.Open(str(path)), min_area_ha) == threshold
    assert vectorize.sieve(path, min_area_ha) == threshold
    after = read(path)
    np.testing.assert_array_equal(after == 255, data == 255)  # nodata never changes, nothing becomes nodata
    assert (after[below] == 0).all()  # threshold − 1 pixels: under the unit where pixels are smallest
    assert (after[at] == 1).all()     # threshold pixels: at least the unit everywhere
    assert (after[20:24, 2] == 0).all()
    assert (after[30:33, 80:83] == 2).all()
    changed = after != data
    assert changed.sum() == threshold - 1 + 4


def test_sieve_of_zero_changes_nothing_and_a_noisy_map_keeps_no_small_region(tmp_path):
    rng = np.random.default_rng(4)
    noise = ndimage.gaussian_filter(rng.normal(size=(150, 170)), 0.8)  # fine-grained: clusters of small regions
    data = np.digitize(noise, np.quantile(noise, [0.35, 0.7])).astype(np.uint8)
    data[rng.random(data.shape) < 0.01] = 255
    path = write_classes(tmp_path / "classes.tif", data)
    assert vectorize.sieve(path, 0.0) == 0
    np.testing.assert_array_equal(read(path), data)
    threshold = vectorize.sieve(path, 2.0)  # 10 m pixels at UTM's central meridian: ~200 pixels
    assert threshold == math.ceil(2e4 / smallest_pixel_m2(UTM, 150) - 1e-9)
    after = read(path)
    np.testing.assert_array_equal(after == 255, data == 255)
    for value in range(3):
        labels, _ = regions(after, value)
        sizes = np.bincount(labels.ravel())[1:]
        for index in np.flatnonzero(sizes < threshold):  # only regions with nothing but nodata around them
            region = labels == index + 1
            assert (after[ndimage.binary_dilation(region, EIGHT) & ~region] == 255).all()


def probability_map(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((3, *shape)).astype(np.float32)


@pytest.mark.parametrize("grid, min_area_ha", [(GEOGRAPHIC, 0.05), (UTM, 0.3)], ids=["EPSG:4326", "UTM"])
def test_polygons_match_the_area_table_the_unit_the_names_and_the_probabilities(tmp_path, monkeypatch, grid,
                                                                                 min_area_ha):
    rng = np.random.default_rng(1)
    noise = ndimage.gaussian_filter(rng.normal(size=(90, 130)), 1.5)
    data = np.digitize(noise, np.quantile(noise, [0.3, 0.6])).astype(np.uint8)
    data[:10, :15] = 255
    path = write_classes(tmp_path / "classes.tif", data, grid)
    vectorize.sieve(path, min_area_ha)
    sieved = read(path)
    probabilities = probability_map(data.shape)
    source = vectorize.ProbabilitySource(write_probabilities(tmp_path / "p.tif", probabilities, grid), {0: 1, 1: 2, 2: 3})
    monkeypatch.setattr(vectorize, "STRIP_PIXELS", 7 * 130)  # strips of 7 rows: regions span many strips
    out = tmp_path / "regions.gpkg"
    summary = vectorize.write_polygons(path, out, value_field="class", attributes=ATTRIBUTES, probability=source,
                                       colors=COLORS, constants={"date": "2024-07-01"})
    table = areas.class_area_table(path, [{"value": v, "name": a["class_name"]} for v, a in ATTRIBUTES.items()])
    dataset = ogr.Open(str(out))
    layer = dataset.GetLayerByName("regions")
    features = list(layer)
    assert len(features) == sum(regions(sieved, v)[1] for v in range(3))
    for row in table:
        mine = [f for f in features if f.GetField("class") == row["value"]]
        assert {f.GetField("class_name") for f in mine} == {row["name"]}
        assert sum(f.GetField("area_ha") for f in mine) == pytest.approx(row["hectares"], rel=0.005)
        assert summary[row["value"]]["polygons"] == len(mine)
        assert summary[row["value"]]["hectares"] == pytest.approx(row["hectares"], rel=0.005)
    assert min(f.GetField("area_ha") for f in features) >= min_area_ha
    assert {f.GetField("date") for f in features} == {"2024-07-01"}
    inverse = gdal.InvGeoTransform(grid[0])
    labels = {v: regions(sieved, v)[0] for v in range(3)}
    pixel_m2 = areas.PixelAreas.of(gdal.Open(str(path))).block(0, 0, data.shape[1], data.shape[0])
    for feature in features:
        value = feature.GetField("class")
        row, col = divmod(vectorize._first_pixel(feature.GetGeometryRef(), inverse, data.shape[1]), data.shape[1])
        region = labels[value] == labels[value][row, col]
        assert sieved[row, col] == value and not sieved[:row][region[:row]].size  # the region's first pixel
        assert feature.GetField("probability") == pytest.approx(probabilities[value][region].mean(), rel=1e-5)
        assert feature.GetField("area_ha") == pytest.approx(pixel_m2[region].sum() / 1e4, rel=0.005)


def test_only_the_values_asked_for_are_written_and_the_style_is_the_default(tmp_path):
    data = np.zeros((30, 40), np.uint8)
    data[5:15, 5:15] = 1
    data[20:25, 20:40] = 2
    data[0:3, 0:3] = 255
    data[8:11, 8:11] = 0  # a hole in the cleared square
    path = write_classes(tmp_path / "classes.tif", data)
    out = tmp_path / "cleared.gpkg"
    summary = vectorize.write_polygons(path, out, value_field="class", attributes={1: {"class_name": "cleared"}},
                                       colors={1: "#d7191c"})
    assert summary == {1: {"polygons": 1, "hectares": pytest.approx((100 - 9) * 100 / 1e4, rel=0.002)}}
    dataset = ogr.Open(str(out))
    assert [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())] == ["cleared", "layer_styles"]
    layer = dataset.GetLayerByName("cleared")
    assert [field.GetName() for field in layer.schema] == ["class", "class_name", "area_ha"]
    (feature,) = list(layer)
    geometry = feature.GetGeometryRef()
    assert geometry.GetGeometryCount() == 2  # the hole is a hole
    assert geometry.GetArea() == pytest.approx((100 - 9) * 100.0)
    styles = dataset.GetLayerByName("layer_styles")
    (style,) = list(styles)
    assert style.GetField("f_table_name") == "cleared" and style.GetField("useAsDefault") == 1
    qml = style.GetField("styleQML")
    assert 'type="categorizedSymbol"' in qml and 'attr="class"' in qml
    assert '<category value="1" label="cleared"' in qml and "215,25,28,255" in qml
    assert dataset.GetMetadataItem(vectorize.SOFTWARE_KEY).startswith("claro")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classes.tif", "cleared.gpkg"]  # no temporary left


def test_a_region_joined_only_below_or_diagonally_across_strips_is_one_region(tmp_path, monkeypatch):
    data = np.zeros((12, 12), np.uint8)
    data[1:11, 2] = data[1:11, 8] = data[10, 2:9] = 1   # a U: its two arms meet only at the bottom
    data[3, 10] = data[4, 11] = 2                       # two pixels touching at a corner, on a strip border
    data[6, 11] = 2
    path = write_classes(tmp_path / "classes.tif", data)
    probabilities = probability_map(data.shape, seed=2)
    source = vectorize.ProbabilitySource(write_probabilities(tmp_path / "p.tif", probabilities), {0: 1, 1: 2, 2: 3})
    monkeypatch.setattr(vectorize, "STRIP_PIXELS", 4 * 12)  # strips of 4 rows: borders after rows 3 and 7
    out = tmp_path / "regions.gpkg"
    vectorize.write_polygons(path, out, value_field="class", attributes=ATTRIBUTES, probability=source)
    dataset = ogr.Open(str(out))
    features = {(f.GetField("class"), round(f.GetField("area_ha") * 1e4 / 100)): f.GetField("probability")
                for f in dataset.GetLayer(0)}
    u = data == 1
    assert features[(1, int(u.sum()))] == pytest.approx(probabilities[1][u].mean(), rel=1e-6)
    corner = np.zeros_like(u)
    corner[3, 10] = corner[4, 11] = True
    assert features[(2, 2)] == pytest.approx(probabilities[2][corner].mean(), rel=1e-6)
    assert features[(2, 1)] == pytest.approx(probabilities[2][6, 11], rel=1e-6)
    assert len(features) == 4  # the forest around, the U, the diagonal pair, the lone pixel


def test_regions_joined_across_column_tiles_and_their_corners_are_one_region(tmp_path, monkeypatch):
    data = np.zeros((48, 48), np.uint8)
    data[2:40, 10] = data[2:40, 37] = data[39, 10:38] = 1  # a U whose arms are in the first and last tiles
    data[5, 15] = data[6, 16] = 2                          # touching at a corner across a column border
    data[15, 31] = data[16, 32] = 2                        # ... across the corner of four tiles
    data[15, 33] = data[16, 30] = 2                        # ... the other diagonal there
    data[25, 20] = 2                                       # alone
    path = write_classes(tmp_path / "classes.tif", data)
    probabilities = probability_map(data.shape, seed=3)
    dataset = gdal.GetDriverByName("GTiff").Create(str(tmp_path / "p.tif"), 48, 48, 3, gdal.GDT_Float32,
                                                   options=["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
    dataset.SetGeoTransform(UTM[0])
    dataset.WriteArray(probabilities)
    dataset = None
    source = vectorize.ProbabilitySource(tmp_path / "p.tif", {0: 1, 1: 2, 2: 3})
    monkeypatch.setattr(vectorize, "STRIP_PIXELS", 16 * 16)
    monkeypatch.setattr(vectorize, "TILE_COLUMNS", 16)  # tiles of 16 × 16 pixels: 3 × 3 of them
    assert vectorize._tile_shape(48, 48, (16, 16)) == (16, 16)
    out = tmp_path / "regions.gpkg"
    vectorize.write_polygons(path, out, value_field="class", attributes=ATTRIBUTES, probability=source)
    polygons = ogr.Open(str(out))
    features = list(polygons.GetLayer(0))
    assert len(features) == sum(regions(data, v)[1] for v in range(3)) == 5
    inverse = gdal.InvGeoTransform(UTM[0])
    for feature in features:
        value = feature.GetField("class")
        row, col = divmod(vectorize._first_pixel(feature.GetGeometryRef(), inverse, 48), 48)
        labels = regions(data, value)[0]
        region = labels == labels[row, col]
        assert feature.GetField("area_ha") == pytest.approx(region.sum() * 100 / 1e4, rel=0.005)  # UTM scale
        assert feature.GetField("probability") == pytest.approx(probabilities[value][region].mean(), rel=1e-6)


def test_sigmoid_probabilities_are_one_minus_the_band_for_the_first_class(tmp_path):
    data = np.zeros((10, 10), np.uint8)
    data[:, 5:] = 7
    path = write_classes(tmp_path / "classes.tif", data)
    p = np.random.default_rng(5).random((1, 10, 10)).astype(np.float32)
    classes = [{"value": 0, "name": "forest"}, {"value": 7, "name": "logged"}]
    source = vectorize.ProbabilitySource.for_classes(write_probabilities(tmp_path / "p.tif", p), classes, sigmoid=True)
    vectorize.write_polygons(path, tmp_path / "r.gpkg", value_field="class", probability=source,
                             attributes={0: {"class_name": "forest"}, 7: {"class_name": "logged"}})
    dataset = ogr.Open(str(tmp_path / "r.gpkg"))
    found = {f.GetField("class"): f.GetField("probability") for f in dataset.GetLayer(0)}
    assert found[0] == pytest.approx((1 - p[0][:, :5]).mean(), rel=1e-6)
    assert found[7] == pytest.approx(p[0][:, 5:].mean(), rel=1e-6)


def test_no_crs_and_foreign_geopackages(tmp_path):
    path = write_classes(tmp_path / "classes.tif", np.zeros((5, 5), np.uint8), grid=(UTM[0], None))
    with pytest.raises(ClaroError, match="no coordinate reference system"):
        vectorize.write_polygons(path, tmp_path / "r.gpkg", value_field="class", attributes=ATTRIBUTES)
    with pytest.raises(ClaroError, match="coordinate reference system"):
        vectorize.sieve(path, 1.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classes.tif"]
    foreign = tmp_path / "mine.gpkg"
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(foreign))
    source.CreateLayer("mine", None, ogr.wkbPoint, options=["SPATIAL_INDEX=NO"])
    source = None
    assert not vectorize.is_claro_geopackage(foreign)
    with pytest.raises(ClaroError, match="is not a GeoPackage Claro wrote"):
        check_can_write(foreign, True)
    ours = write_classes(tmp_path / "ours.tif", np.zeros((5, 5), np.uint8))
    vectorize.write_polygons(ours, tmp_path / "ours.gpkg", value_field="class", attributes=ATTRIBUTES)
    assert vectorize.is_claro_geopackage(tmp_path / "ours.gpkg")
    assert check_can_write(tmp_path / "ours.gpkg", True) == tmp_path / "ours.gpkg"


def test_change_polygons_carry_from_to_and_dates_and_their_legend_names_the_transition(tmp_path):
    data = np.full((10, 12), 0, np.uint8)
    data[2:6, 2:8] = 3
    path = write_classes(tmp_path / "change.tif", data)
    out = tmp_path / "change.gpkg"
    summary = vectorize.write_polygons(path, out, value_field="code", attributes={3: {"from": "forest", "to": "cleared"}},
                                       constants={"before_date": "2020-07-01", "after_date": "2024-07-01"},
                                       colors={3: "#d7191c"})
    assert summary[3]["polygons"] == 1
    dataset = ogr.Open(str(out))
    (feature,) = list(dataset.GetLayerByName("change"))
    assert [feature.GetField(k) for k in ("code", "from", "to", "before_date", "after_date")] == [
        3, "forest", "cleared", "2020-07-01", "2024-07-01"]
    (style,) = list(dataset.GetLayerByName("layer_styles"))
    assert 'label="forest → cleared"' in style.GetField("styleQML")


class Interrupting:
    """A progress that is interrupted (Ctrl-C, or the CLI's SIGTERM) once GDAL has started."""

    def __init__(self):
        self.fractions: list[float] = []

    def update(self, fraction: float, message: str = "") -> None:
        self.fractions.append(fraction)
        if len(self.fractions) > 2:
            raise KeyboardInterrupt


def test_an_interrupt_inside_gdal_stops_it_as_an_interrupt_and_leaves_nothing(tmp_path):
    noise = ndimage.gaussian_filter(np.random.default_rng(6).normal(size=(200, 200)), 1.0)
    path = write_classes(tmp_path / "classes.tif", np.digitize(noise, [-0.1, 0.1]).astype(np.uint8))
    with pytest.raises(KeyboardInterrupt):
        vectorize.sieve(path, 1.0, progress=Interrupting())
    with pytest.raises(KeyboardInterrupt):
        vectorize.write_polygons(path, tmp_path / "regions.gpkg", value_field="class", attributes=ATTRIBUTES,
                                 progress=Interrupting())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classes.tif"]
