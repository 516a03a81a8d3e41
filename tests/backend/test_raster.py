"""raster.py: labels land on the right image pixels whatever their CRS, grid or format."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from claro.backend import raster
from claro.backend.errors import ClaroError
from georaster import ORIGIN, UTM, srs_of, write_raster

def image_grid(tmp_path: Path, size: int = 32, pixel: float = 10.0, bands: int = 1) -> gdal.Dataset:
    path = write_raster(tmp_path / "image.tif", np.zeros((bands, size, size), np.uint8),
                        (ORIGIN[0], pixel, 0, ORIGIN[1], 0, -pixel))
    return raster.open_raster(path)


def write_polygons(path: Path, squares, epsg: int, field_type=ogr.OFTInteger, driver: str = "GPKG",
                   geometry=ogr.wkbPolygon) -> Path:
    """Polygons given as (minx, miny, maxx, maxy, value) in UTM metres, stored in `epsg`."""
    to_target = osr.CoordinateTransformation(srs_of(UTM), srs_of(epsg))
    source = ogr.GetDriverByName(driver).CreateDataSource(str(path))
    layer = source.CreateLayer("labels", srs_of(epsg), geometry, options=["SPATIAL_INDEX=NO"] if driver == "GPKG" else [])  # TensorFlow's SQLite has no R-tree module
    layer.CreateField(ogr.FieldDefn("cls", field_type))
    for minx, miny, maxx, maxy, value in squares:
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in [(minx, maxy), (maxx, maxy), (maxx, miny), (minx, miny), (minx, maxy)]:
            ring.AddPoint_2D(*to_target.TransformPoint(x, y)[:2])
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(polygon)
        feature.SetField("cls", value if field_type != ogr.OFTString else str(value))
        layer.CreateFeature(feature)
    source = None
    return path


# --- opening ---------------------------------------------------------------------------------

def test_open_raster_refuses_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ClaroError, match="does not exist"):
        raster.open_raster(tmp_path / "nope.tif", "Image")
    junk = tmp_path / "junk.tif"
    junk.write_text("not a raster")
    with pytest.raises(ClaroError, match="could not be read as a raster"):
        raster.open_raster(junk)


def test_check_bands_default_all_and_out_of_range(tmp_path):
    grid = image_grid(tmp_path, bands=3)
    assert raster.check_bands(grid, None, "image.tif") == [1, 2, 3]
    assert raster.check_bands(grid, [3, 1], "image.tif") == [3, 1]
    with pytest.raises(ClaroError, match="Band 4 is out of range: image.tif has 3 bands"):
        raster.check_bands(grid, [1, 4], "image.tif")


# --- label rasters -----------------------------------------------------------------------------

def test_labels_on_a_shifted_grid_land_on_the_right_pixels(tmp_path):
    grid = image_grid(tmp_path)
    values = (np.arange(400).reshape(20, 20) % 200).astype(np.uint8)
    # 3 pixels right and 5 pixels down of the image origin
    write_raster(tmp_path / "labels.tif", values, (ORIGIN[0] + 30, 10, 0, ORIGIN[1] - 50, 0, -10))
    labels = raster.labels_on_grid(tmp_path / "labels.tif", grid, ignore_value=255)
    assert labels.RasterXSize == 32 and labels.RasterYSize == 32
    assert labels.GetGeoTransform() == grid.GetGeoTransform()
    assert osr.SpatialReference(labels.GetProjection()).IsSame(srs_of(UTM))
    got = raster.read_labels(labels, 0, 0, 32, 32)
    assert np.array_equal(got[5:25, 3:23], values)
    outside = np.ones((32, 32), bool)
    outside[5:25, 3:23] = False
    assert (got[outside] == 255).all()
    # a window read gives the same pixels
    assert np.array_equal(raster.read_labels(labels, 3, 5, 4, 2), values[:2, :4])


def test_aligned_labels_read_directly_give_what_warping_gives(tmp_path, monkeypatch):
    """The whole-pixel-shift shortcut (no warp) against the warp, with nodata and a partial cover."""
    grid = image_grid(tmp_path)
    values = np.random.default_rng(0).integers(-1, 4, (20, 40)).astype(np.int16)
    values[0, 10] = 255  # a plain value here (ignore is 99): neither path may nudge it
    write_raster(tmp_path / "labels.tif", values, (ORIGIN[0] - 70, 10, 0, ORIGIN[1] - 90, 0, -10),
                 gdal_type=gdal.GDT_Int16)
    assert raster._pixel_offset(raster.open_raster(tmp_path / "labels.tif"), grid, raster.crs_of(grid),
                                raster.crs_of(grid)) == (-7, 9)
    direct = raster.read_labels(raster.labels_on_grid(tmp_path / "labels.tif", grid, ignore_value=99), 0, 0, 32, 32)
    monkeypatch.setattr(raster, "_pixel_offset", lambda *args: None)
    warped = raster.read_labels(raster.labels_on_grid(tmp_path / "labels.tif", grid, ignore_value=99), 0, 0, 32, 32)
    assert np.array_equal(direct, warped)
    expected = np.full((32, 32), 99)
    expected[9:29, 0:33] = np.where(values[:, 7:39] == -1, 99, values[:, 7:39])
    assert np.array_equal(direct, expected) and direct[9, 3] == 255


def test_finer_label_grid_is_sampled_at_image_pixel_centres(tmp_path):
    grid = image_grid(tmp_path, size=16)
    # 5 m labels: label column j covers x in [5j, 5j+5); image pixel c has its centre at 10c + 5
    fine = np.tile((np.arange(32) % 7).astype(np.uint8), (32, 1))
    write_raster(tmp_path / "fine.tif", fine, (ORIGIN[0], 5, 0, ORIGIN[1], 0, -5))
    got = raster.read_labels(raster.labels_on_grid(tmp_path / "fine.tif", grid), 0, 0, 16, 16)
    assert np.array_equal(got[0], (np.arange(16) * 2 + 1) % 7)


def checkerboard_utm(x: np.ndarray, y: np.ndarray, cell: float = 80.0) -> np.ndarray:
    return ((np.floor((x - ORIGIN[0]) / cell) + np.floor((ORIGIN[1] - y) / cell)) % 2).astype(np.uint8)


@pytest.mark.parametrize("epsg", [3857, 4326])
def test_labels_in_another_crs_are_warped_onto_the_image_grid(tmp_path, epsg):
    """A checkerboard of 80 m squares drawn in UTM, stored in Web Mercator or lon/lat."""
    grid = image_grid(tmp_path, size=48)
    to_label = osr.CoordinateTransformation(srs_of(UTM), srs_of(epsg))
    to_utm = osr.CoordinateTransformation(srs_of(epsg), srs_of(UTM))
    minx, miny, maxx, maxy = to_label.TransformBounds(ORIGIN[0] - 50, ORIGIN[1] - 530, ORIGIN[0] + 530, ORIGIN[1] + 50, 21)
    size = 160
    dx, dy = (maxx - minx) / size, (maxy - miny) / size
    cols, rows = np.meshgrid(np.arange(size) + 0.5, np.arange(size) + 0.5)
    points = np.stack([minx + cols.ravel() * dx, maxy - rows.ravel() * dy], axis=1)
    utm = np.array(to_utm.TransformPoints(points))
    values = checkerboard_utm(utm[:, 0], utm[:, 1]).reshape(size, size)
    write_raster(tmp_path / "labels.tif", values, (minx, dx, 0, maxy, 0, -dy), epsg=epsg)

    got = raster.read_labels(raster.labels_on_grid(tmp_path / "labels.tif", grid), 0, 0, 48, 48)
    r, c = np.mgrid[0:48, 0:48]
    truth = ((c // 8 + r // 8) % 2).astype(np.int32)
    distance_to_edge = np.minimum(np.minimum(c % 8, 7 - c % 8), np.minimum(r % 8, 7 - r % 8))
    inner = distance_to_edge >= 1  # nearest neighbour may differ right at a square's edge
    assert np.array_equal(got[inner], truth[inner])
    assert (got == truth).mean() > 0.95
    # pixel indices alone would be wrong: the label raster is 160² on another grid
    assert not np.array_equal(values[:48, :48], truth)


def test_label_nodata_and_undeclared_minus_one_become_ignore(tmp_path):
    grid = image_grid(tmp_path, size=8)
    gt = (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10)
    declared = np.zeros((8, 8), np.uint8)
    declared[2, 3] = 9
    write_raster(tmp_path / "declared.tif", declared, gt, nodata=9)
    got = raster.read_labels(raster.labels_on_grid(tmp_path / "declared.tif", grid, ignore_value=200), 0, 0, 8, 8)
    assert got[2, 3] == 200 and (np.delete(got.ravel(), 2 * 8 + 3) == 0).all()

    sen1floods = np.ones((8, 8), np.int16)
    sen1floods[0, :] = -1  # Sen1Floods11: -1 = no data, not declared
    write_raster(tmp_path / "signed.tif", sen1floods, gt, gdal_type=gdal.GDT_Int16)
    got = raster.read_labels(raster.labels_on_grid(tmp_path / "signed.tif", grid), 0, 0, 8, 8)
    assert (got[0] == 255).all() and (got[1:] == 1).all()


def test_label_value_equal_to_the_ignore_value_stays_ignored_not_nudged(tmp_path):
    """GDAL's warper turns a valid 255 into 254 when 255 is its nodata; ours must not."""
    grid = image_grid(tmp_path, size=8)
    values = np.full((8, 8), 255, np.uint8)
    values[0, 0] = 254
    write_raster(tmp_path / "unlabelled.tif", values, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    labels = raster.labels_on_grid(tmp_path / "unlabelled.tif", grid)
    got = raster.read_labels(labels, 0, 0, 8, 8)
    assert got[0, 0] == 254 and (got.ravel()[1:] == 255).all()
    assert labels.GetRasterBand(1).GetNoDataValue() == 255
    in_memory = [name for name in gdal.ReadDirRecursive("/vsimem/") or [] if "claro-" in name]
    assert in_memory
    del labels
    import gc

    gc.collect()
    assert not [name for name in gdal.ReadDirRecursive("/vsimem/") or [] if "claro-" in name]


def test_multiband_label_raster_uses_its_first_band(tmp_path):
    grid = image_grid(tmp_path, size=8)
    data = np.stack([np.full((8, 8), 3, np.uint8), np.full((8, 8), 7, np.uint8)])
    write_raster(tmp_path / "two.tif", data, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    assert (raster.read_labels(raster.labels_on_grid(tmp_path / "two.tif", grid), 0, 0, 8, 8) == 3).all()


def test_label_raster_elsewhere_does_not_overlap(tmp_path):
    grid = image_grid(tmp_path, size=8)
    write_raster(tmp_path / "far.tif", np.ones((8, 8), np.uint8), (ORIGIN[0] + 5000, 10, 0, ORIGIN[1], 0, -10))
    with pytest.raises(ClaroError, match="do not overlap"):
        raster.labels_on_grid(tmp_path / "far.tif", grid)
    # same numbers, other CRS: lon/lat degrees near (500000, 9000000) are nowhere near the image
    write_raster(tmp_path / "degrees.tif", np.ones((8, 8), np.uint8), (-57.0, 0.001, 0, -9.0, 0, -0.001), epsg=4326)
    with pytest.raises(ClaroError, match="do not overlap"):
        raster.labels_on_grid(tmp_path / "degrees.tif", grid)


def test_labels_without_crs_on_a_georeferenced_image_are_refused(tmp_path):
    grid = image_grid(tmp_path, size=8)
    write_raster(tmp_path / "nocrs.tif", np.ones((8, 8), np.uint8), (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10), epsg=0)
    with pytest.raises(ClaroError, match="no coordinate reference system"):
        raster.labels_on_grid(tmp_path / "nocrs.tif", grid)


def test_missing_labels_are_refused(tmp_path):
    with pytest.raises(ClaroError, match="do not exist"):
        raster.labels_on_grid(tmp_path / "missing.gpkg", image_grid(tmp_path))


# --- polygons --------------------------------------------------------------------------------

SQUARES = [(ORIGIN[0] + 100, ORIGIN[1] - 200, ORIGIN[0] + 200, ORIGIN[1] - 100, 3),   # cols 10-19, rows 10-19
           (ORIGIN[0] + 0, ORIGIN[1] - 50, ORIGIN[0] + 40, ORIGIN[1] - 0, 5)]         # cols 0-3, rows 0-4


@pytest.mark.parametrize("driver,name", [("GPKG", "labels.gpkg"), ("GeoJSON", "labels.geojson"),
                                         ("ESRI Shapefile", "labels.shp")])
def test_polygons_in_lon_lat_are_burnt_on_the_utm_grid(tmp_path, driver, name):
    grid = image_grid(tmp_path)
    path = write_polygons(tmp_path / name, SQUARES, 4326, driver=driver)
    got = raster.read_labels(raster.labels_on_grid(path, grid, class_field="cls"), 0, 0, 32, 32)
    expected = np.zeros((32, 32), np.int32)
    expected[10:20, 10:20] = 3
    expected[0:5, 0:4] = 5
    assert np.array_equal(got, expected)


def test_polygons_without_field_burn_one_over_background(tmp_path):
    grid = image_grid(tmp_path)
    path = write_polygons(tmp_path / "labels.gpkg", SQUARES[:1], 3857)
    got = raster.read_labels(raster.labels_on_grid(path, grid), 0, 0, 32, 32)
    assert (got[10:20, 10:20] == 1).all() and got.sum() == 100
    sparse = raster.read_labels(raster.labels_on_grid(path, grid, background="ignore", ignore_value=77), 0, 0, 32, 32)
    assert (sparse[10:20, 10:20] == 1).all() and (sparse == 77).sum() == 32 * 32 - 100
    other = raster.read_labels(raster.labels_on_grid(path, grid, background="4"), 0, 0, 32, 32)
    assert (other == 4).sum() == 32 * 32 - 100


def test_bad_background_is_refused(tmp_path):
    path = write_polygons(tmp_path / "labels.gpkg", SQUARES[:1], 4326)
    with pytest.raises(ClaroError, match="neither a whole number nor 'ignore'"):
        raster.labels_on_grid(path, image_grid(tmp_path), background="forest")


def test_polygon_field_errors(tmp_path):
    grid = image_grid(tmp_path)
    path = write_polygons(tmp_path / "labels.gpkg", SQUARES, 4326)
    with pytest.raises(ClaroError, match=r"have no field 'klass' \(fields: cls\)"):
        raster.labels_on_grid(path, grid, class_field="klass")
    text = write_polygons(tmp_path / "text.gpkg", SQUARES, 4326, field_type=ogr.OFTString)
    with pytest.raises(ClaroError, match="holds text"):
        raster.labels_on_grid(text, grid, class_field="cls")


def test_vector_without_polygons_is_refused(tmp_path):
    grid = image_grid(tmp_path)
    empty = write_polygons(tmp_path / "empty.gpkg", [], 4326)
    with pytest.raises(ClaroError, match="hold no polygons"):
        raster.labels_on_grid(empty, grid)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp_path / "points.gpkg"))
    layer = source.CreateLayer("points", srs_of(UTM), ogr.wkbPoint, options=["SPATIAL_INDEX=NO"])
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({ORIGIN[0] + 5} {ORIGIN[1] - 5})"))
    layer.CreateFeature(feature)
    source = None
    with pytest.raises(ClaroError, match="hold no polygons"):
        raster.labels_on_grid(tmp_path / "points.gpkg", grid)


def test_polygons_elsewhere_do_not_overlap(tmp_path):
    far = [(ORIGIN[0] + 9000, ORIGIN[1] - 9000, ORIGIN[0] + 9100, ORIGIN[1] - 8900, 1)]
    path = write_polygons(tmp_path / "far.gpkg", far, 4326)
    with pytest.raises(ClaroError, match="do not overlap"):
        raster.labels_on_grid(path, image_grid(tmp_path))


def test_big_grids_burn_into_a_temporary_file_that_goes_away(tmp_path, monkeypatch):
    monkeypatch.setattr(raster, "IN_MEMORY_PIXELS", 100)
    grid = image_grid(tmp_path)
    path = write_polygons(tmp_path / "labels.gpkg", SQUARES, 4326)
    labels = raster.labels_on_grid(path, grid, class_field="cls")
    scratch = Path(labels.GetDescription()).parent
    assert labels.GetDriver().ShortName == "GTiff" and scratch.is_dir()
    assert raster.read_labels(labels, 10, 10, 10, 10).tolist() == [[3] * 10] * 10
    del labels
    import gc

    gc.collect()
    assert not scratch.exists()


# --- windows ---------------------------------------------------------------------------------

def test_valid_window_combines_nodata_of_every_band_and_nan(tmp_path):
    data = np.ones((2, 8, 8), np.float32)
    data[0, 1, 1] = -9999
    data[1, 2, 2] = -9999
    data[1, 3, 3] = np.nan
    path = write_raster(tmp_path / "img.tif", data, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10), nodata=-9999,
                        gdal_type=gdal.GDT_Float32)
    image = raster.open_raster(path)
    values = raster.read_window(image, [1, 2], 0, 0, 8, 8)
    assert values.shape == (2, 8, 8) and values[1, 2, 2] == -9999
    valid = raster.valid_window(image, [1, 2], 0, 0, 8, 8, values)
    assert sorted(map(tuple, np.argwhere(~valid))) == [(1, 1), (2, 2), (3, 3)]
    assert raster.valid_window(image, [1], 0, 0, 8, 8).sum() == 63
    assert raster.read_window(image, [2], 2, 1, 3, 2).shape == (1, 2, 3)


# --- a two-date stack: QGIS's Build Virtual Raster with separate bands (gdal.BuildVRT(separate=True)) ---

def two_dates(tmp_path: Path, late_columns: slice = slice(8, 32)) -> Path:
    """dates/stack.vrt stacking dates/early.tif (the whole 32² grid) and dates/later/late.tif (only
    `late_columns`, no nodata value), with paths relative to the VRT."""
    folder = tmp_path / "dates"
    (folder / "later").mkdir(parents=True)
    write_raster(folder / "early.tif", np.full((1, 32, 32), 10, np.uint8), (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    x0 = ORIGIN[0] + 10 * late_columns.start
    write_raster(folder / "later" / "late.tif", np.full((1, 32, late_columns.stop - late_columns.start), 20, np.uint8),
                 (x0, 10, 0, ORIGIN[1], 0, -10))
    stack = gdal.BuildVRT(str(folder / "stack.vrt"), [str(folder / "early.tif"), str(folder / "later" / "late.tif")],
                          separate=True)
    assert (stack.RasterXSize, stack.RasterCount) == (32, 2)
    stack = None
    assert 'relativeToVRT="1">later/late.tif<' in (folder / "stack.vrt").read_text()
    return folder / "stack.vrt"


def test_source_files_of_a_vrt_are_its_sources(tmp_path):
    stack = two_dates(tmp_path)
    found = {Path(p).resolve() for p in raster.source_files([stack, None, tmp_path / "missing.tif"])}
    folder = (tmp_path / "dates").resolve()
    assert found == {folder / "stack.vrt", folder / "early.tif", folder / "later" / "late.tif",
                     (tmp_path / "missing.tif").resolve()}


def test_pixels_a_date_of_the_stack_does_not_cover_are_not_valid(tmp_path):
    stack = raster.open_raster(two_dates(tmp_path))
    assert stack.GetRasterBand(2).GetNoDataValue() is None  # GDAL reads 0 there and calls it valid
    valid = raster.valid_window(stack, [1, 2], 4, 0, 10, 3)
    assert valid[:, :4].sum() == 0 and valid[:, 4:].all()  # columns 4–7 uncovered, 8–13 covered
    assert raster.valid_window(stack, [1], 4, 0, 10, 3).all()  # the early date covers everything
    assert not raster.Coverage(stack, [1])
    whole = raster.open_raster(two_dates(tmp_path / "whole", slice(0, 32)))
    assert not raster.Coverage(whole, [1, 2])  # both dates cover the grid: nothing to add
