"""True areas on the WGS84 ellipsoid (backend/areas.py), checked against references computed here
independently: the area between two parallels by numerical integration of M·N·cosφ (Gauss–Legendre,
not the closed form areas.py uses), and UTM's known scale factor."""
from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from claro.backend import areas
from claro.backend.errors import ClaroError
from ..conftest import sample_tile

A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)


def band_area(lat1: float, lat2: float, dlon_degrees: float) -> float:
    """Area (m²) of the cell between two parallels and two meridians: Δλ·∫ M(φ)·N(φ)·cosφ dφ,
    integrated numerically (64-point Gauss–Legendre)."""
    nodes, weights = np.polynomial.legendre.leggauss(64)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    phi = (p2 - p1) / 2 * nodes + (p1 + p2) / 2
    w = 1 - E2 * np.sin(phi) ** 2
    m = A * (1 - E2) / w ** 1.5
    n = A / np.sqrt(w)
    return abs(math.radians(dlon_degrees) * (p2 - p1) / 2 * float(np.sum(weights * m * n * np.cos(phi))))


def wkt(epsg: int) -> str:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    return srs.ExportToWkt()


def polygon(*rings) -> ogr.Geometry:
    geometry = ogr.Geometry(ogr.wkbPolygon)
    for points in rings:
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in list(points) + [points[0]]:
            ring.AddPoint_2D(x, y)
        geometry.AddGeometry(ring)
    return geometry


def box(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def footprint(transform, width, height) -> ogr.Geometry:
    x0, dx, rx, y0, ry, dy = transform
    return polygon([(x0 + u * dx + v * rx, y0 + u * ry + v * dy) for u, v in ((0, 0), (width, 0), (width, height), (0, height))])


def test_reference_is_the_known_value():
    # 1° of longitude on the equator (111.32 km) × 1° of meridian (110.57 km), narrowing northwards
    assert band_area(0, 1, 1) / 1e6 == pytest.approx(12308.46, abs=0.01)
    assert band_area(-60, -59, 1) / 1e6 == pytest.approx(6309.8, abs=0.1)  # about half: cos 59.5° ≈ 0.51


@pytest.mark.parametrize("lat", [0.0, -60.0, 45.0, 89.0])
def test_degree_cell_pixel_and_polygon(lat):
    reference = band_area(lat, lat + 1, 1)
    pixel = areas.PixelAreas((10.0, 1.0, 0.0, lat + 1, 0.0, -1.0), wkt(4326), 1, 1)
    assert pixel.block(0, 0, 1, 1)[0, 0] == pytest.approx(reference, rel=1e-9)
    # the polygon's top and bottom edges follow the parallels (densified), not geodesics
    assert areas.geometry_area_m2(polygon(box(10, lat, 11, lat + 1)), wkt(4326)) == pytest.approx(reference, rel=1e-6)


def test_geographic_rows_shrink_towards_the_pole_and_sum_to_the_footprint():
    transform = (-60.0, 0.01, 0.0, -10.0, 0.0, -0.01)
    grid = areas.PixelAreas(transform, wkt(4326), 300, 200)
    block = grid.block(0, 0, 300, 200)
    assert block.shape == (200, 300)
    assert (block == block[:, :1]).all()  # one area per row
    assert (np.diff(block[:, 0]) < 0).all()  # southwards from −10°: smaller
    assert block[7, 0] == pytest.approx(band_area(-10.08, -10.07, 0.01), rel=1e-9)
    assert grid.smallest_m2() == pytest.approx(block[-1, 0])
    assert grid.total_m2() == pytest.approx(areas.geometry_area_m2(footprint(transform, 300, 200), wkt(4326)), rel=1e-7)
    assert grid.block(5, 20, 3, 2) == pytest.approx(block[20:22, 5:8])


def test_utm_square_scale_factor():
    k0 = 0.9996
    # at the central meridian of zone 18S (75° W), near 10° S: true area = 1e6 / k0²
    centre = areas.geometry_area_m2(polygon(box(499500, 8890000, 500500, 8891000)), wkt(32718))
    assert centre == pytest.approx(1e6 / k0 ** 2, rel=2e-6)
    # 300 km east: k = k0·(1 + x²/(2·N·ρ) …) > 1, so the true area is smaller than 1e6
    x = 300e3
    lat = math.radians(-9.5)
    w = 1 - E2 * math.sin(lat) ** 2
    k = k0 * (1 + x ** 2 / (2 * (A / math.sqrt(w)) * (A * (1 - E2) / w ** 1.5) * k0 ** 2))
    far = areas.geometry_area_m2(polygon(box(799500, 8950000, 800500, 8951000)), wkt(32718))
    assert far == pytest.approx(1e6 / k ** 2, rel=1e-4)
    assert far < 1e6 < centre


def test_utm_pixels_interpolated_sum_to_the_footprint_and_match_single_pixels():
    transform = (200000.0, 10.0, 0.0, 9000000.0, 0.0, -10.0)
    grid = areas.PixelAreas(transform, wkt(32718), 16384, 16384)
    assert grid.total_m2() == pytest.approx(areas.geometry_area_m2(footprint(transform, 16384, 16384), wkt(32718)), rel=1e-6)
    for col, row in ((0, 0), (12345, 999), (16383, 16383), (8000, 8001)):
        single = areas.geometry_area_m2(polygon(box(200000 + col * 10, 9000000 - (row + 1) * 10,
                                                    200000 + (col + 1) * 10, 9000000 - row * 10)), wkt(32718))
        assert grid.block(col, row, 1, 1)[0, 0] == pytest.approx(single, rel=1e-6)
    assert grid.smallest_m2() <= grid.block(0, 0, 16384, 1).min() + 1e-9


@pytest.mark.parametrize("epsg, transform", [
    (32718, (500000.0, 25.0, 8.0, 8900000.0, 6.0, -25.0)),  # rotated and sheared UTM
    (4326, (-60.0, 0.001, 0.0004, -10.0, 0.0003, -0.001)),  # rotated geographic
    (4230, (10.0, 0.001, 0.0, 50.0, 0.0, -0.001)),  # geographic on another ellipsoid (ED50, International 1924)
])
def test_rotated_grids(epsg, transform):
    grid = areas.PixelAreas(transform, wkt(epsg), 700, 500)
    assert grid.total_m2() == pytest.approx(areas.geometry_area_m2(footprint(transform, 700, 500), wkt(epsg)), rel=1e-6)


def test_no_crs_is_a_sentence():
    with pytest.raises(ClaroError, match="no coordinate reference system.*Assign Projection"):
        areas.PixelAreas((0, 1, 0, 0, 0, -1), "", 10, 10)
    dataset = gdal.GetDriverByName("MEM").Create("", 4, 4, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((0, 1, 0, 0, 0, -1))
    with pytest.raises(ClaroError, match="no coordinate reference system"):
        areas.PixelAreas.of(dataset)
    with pytest.raises(ClaroError, match="no coordinate reference system"):
        areas.geometry_area_m2(polygon(box(0, 0, 1, 1)), "")


def test_holes_and_multipolygons():
    crs = wkt(32718)
    outer, hole = box(500000, 8890000, 502000, 8892000), box(500500, 8890500, 501000, 8891000)
    with_hole = areas.geometry_area_m2(polygon(outer, hole), crs)
    assert with_hole == pytest.approx(areas.geometry_area_m2(polygon(outer), crs) - areas.geometry_area_m2(polygon(hole), crs))
    multi = ogr.Geometry(ogr.wkbMultiPolygon)
    multi.AddGeometry(polygon(outer, hole))
    multi.AddGeometry(polygon(box(600000, 8890000, 601000, 8891000)))
    second = areas.geometry_area_m2(polygon(box(600000, 8890000, 601000, 8891000)), crs)
    assert areas.geometry_area_m2(multi, crs) == pytest.approx(with_hole + second)
    # the same square given clockwise has the same (positive) area
    assert areas.geometry_area_m2(polygon(box(600000, 8890000, 601000, 8891000)[::-1]), crs) == pytest.approx(second)


def write_classes(path, values: np.ndarray, transform, epsg=4326, nodata=None):
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), values.shape[1], values.shape[0], 1, gdal.GDT_Byte)
    dataset.SetGeoTransform(transform)
    dataset.SetProjection(wkt(epsg))
    if nodata is not None:
        dataset.GetRasterBand(1).SetNoDataValue(nodata)
    dataset.GetRasterBand(1).WriteArray(values)
    dataset = None


def test_class_area_table_and_csv(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    values = rng.choice(np.array([0, 1, 2, 255], np.uint8), size=(90, 70))
    transform = (-50.0, 0.02, 0.0, -20.0, 0.0, -0.02)
    write_classes(tmp_path / "classes.tif", values, transform)
    monkeypatch.setattr(areas, "BLOCK_PIXELS", 1000)  # many blocks, some narrower than a row
    classes = [{"value": 1, "name": "cleared"}, {"value": 0, "name": "forest"}]
    rows = areas.class_area_table(tmp_path / "classes.tif", classes)
    pixel = areas.PixelAreas(transform, wkt(4326), 70, 90).block(0, 0, 70, 90)
    valid = pixel[values != 255].sum()
    assert [r["name"] for r in rows] == ["cleared", "forest"]
    for row in rows:
        assert row["pixels"] == int((values == row["value"]).sum())
        assert row["hectares"] == pytest.approx(pixel[values == row["value"]].sum() / 1e4, rel=1e-12)
        assert row["share"] == pytest.approx(pixel[values == row["value"]].sum() / valid, rel=1e-12)
    # class 2 is not listed: it counts in the classified area but has no row
    assert sum(r["share"] for r in rows) == pytest.approx(1 - pixel[values == 2].sum() / valid)

    target = areas.area_csv_path(tmp_path / "classes.tif")
    assert target == tmp_path / "classes_areas.csv"
    areas.write_area_csv(rows, target)
    with open(target, encoding="utf-8", newline="") as stream:
        read = list(csv.DictReader(stream))
    assert list(read[0]) == ["value", "name", "pixels", "hectares", "share"]
    assert [int(r["pixels"]) for r in read] == [r["pixels"] for r in rows]
    assert float(read[1]["hectares"]) == pytest.approx(rows[1]["hectares"], abs=1e-4)
    assert areas.is_area_csv(target) and not areas.is_area_csv(tmp_path / "classes.tif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classes.tif", "classes_areas.csv"]


def test_class_area_table_honours_band_nodata(tmp_path):
    values = np.array([[0, 0, 7], [7, 1, 1]], np.uint8)
    write_classes(tmp_path / "c.tif", values, (500000.0, 30.0, 0.0, 8900000.0, 0.0, -30.0), epsg=32718, nodata=7)
    rows = areas.class_area_table(tmp_path / "c.tif", [{"value": 0}, {"value": 1}, {"value": 7}])
    assert [r["pixels"] for r in rows] == [2, 2, 0]
    assert [r["name"] for r in rows] == ["class 0", "class 1", "class 7"]
    assert rows[0]["share"] == pytest.approx(0.5, rel=1e-6)
    assert rows[0]["hectares"] == pytest.approx(2 * 900 / 0.9996 ** 2 / 1e4, rel=1e-5)


def test_sample_tile_area_is_its_footprint():
    _, mask = sample_tile()
    dataset = gdal.Open(str(mask))
    transform = dataset.GetGeoTransform()
    width, height = dataset.RasterXSize, dataset.RasterYSize
    x0, dx, rx, y0, ry, dy = transform
    assert rx == ry == 0 and osr.SpatialReference(dataset.GetProjection()).GetAuthorityCode(None) == "4326"
    # a lat/lon rectangle: the zone between its parallels (Gauss–Legendre) times its share of longitude
    expected_m2 = band_area(y0 + height * dy, y0, width * dx)
    assert expected_m2 == pytest.approx(areas.geometry_area_m2(footprint(transform, width, height), dataset.GetProjection()),
                                        rel=1e-7)
    rows = areas.class_area_table(mask, [{"value": 0, "name": "forest"}, {"value": 1, "name": "cleared"}])
    assert sum(r["pixels"] for r in rows) == width * height
    assert sum(r["hectares"] for r in rows) * 1e4 == pytest.approx(expected_m2, rel=1e-7)
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)


def test_total_is_the_sum_of_blocks():
    grid = areas.PixelAreas((500000.0, 30.0, 4.0, 8900000.0, 3.0, -30.0), wkt(32718), 300, 200)
    assert grid.total_m2() == pytest.approx(grid.block(0, 0, 300, 200).sum(), rel=1e-12)
    geographic = areas.PixelAreas((-60.0, 0.01, 0.0, -10.0, 0.0, -0.01), wkt(4326), 30, 20)
    assert geographic.total_m2() == pytest.approx(geographic.block(0, 0, 30, 20).sum(), rel=1e-12)


def test_one_datum_transformation_for_a_whole_grid():
    """ED50 → WGS84 has regional variants PROJ would switch between point by point (near 10.38° E,
    50° N points jump by a metre); pixels across that border must not change area by percents."""
    transform = (10.3, 0.0001, 0.0, 50.0, 0.0, -0.0001)
    row = areas.PixelAreas(transform, wkt(4230), 1600, 1).block(0, 0, 1600, 1)[0]
    assert np.abs(np.diff(row)).max() < 1e-6 * row.mean()
    pixels = [areas.geometry_area_m2(polygon(box(10.3 + c * 0.0001, 49.9999, 10.3 + (c + 1) * 0.0001, 50.0)), wkt(4230))
              for c in range(790, 810)]
    assert max(pixels) - min(pixels) < 1e-6 * row.mean()
    assert row[790:810] == pytest.approx(pixels, rel=1e-6)
