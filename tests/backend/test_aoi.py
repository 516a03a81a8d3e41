"""`claro predict --aoi`: polygons in another CRS on the bundled Amazon tile, windows outside never computed, bad input."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

keras = pytest.importorskip("keras")

from claro.backend import aoi as aoi_module  # noqa: E402
from claro.backend import card as model_card  # noqa: E402
from claro.backend import predict  # noqa: E402
from claro.backend.params import PredictParams  # noqa: E402
from claro.backend.progress import Progress  # noqa: E402
from ..conftest import sample_tile  # noqa: E402
from .test_predict import leftovers, read, run  # noqa: E402

UTM_23S = 32723  # the sample tile (47.9° W, 3.4° S) lies in UTM zone 23 south
CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]


def context_model(path: Path) -> Path:
    """Two classes from a seeded 5×5 convolution of the RGB tile: a pixel's class depends on its
    neighbours, so a changed context at the border of the area of interest would show."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    layer = keras.layers.Conv2D(2, 5, padding="same")
    x = layer(x)
    rng = np.random.default_rng(3)
    layer.set_weights([rng.normal(0, 0.5, (5, 5, 3, 2)).astype("float32"), np.zeros(2, "float32")])
    outputs = keras.layers.Activation("softmax")(x)
    keras.Model(inputs, outputs).save(path)
    model_card.write_card(path, {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": CLASSES,
                                 "activation": "softmax", "patch_size": 64})
    return path


def utm() -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(UTM_23S)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def pixel_centres_in_utm(image: Path) -> tuple[np.ndarray, np.ndarray]:
    dataset = gdal.Open(str(image))
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    rows, cols = np.mgrid[0:dataset.RasterYSize, 0:dataset.RasterXSize]
    lon, lat = x0 + (cols + 0.5) * dx, y0 + (rows + 0.5) * dy
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    points = np.array(osr.CoordinateTransformation(wgs84, utm()).TransformPoints(
        np.column_stack([lon.ravel(), lat.ravel()]).tolist()))
    return points[:, 0].reshape(rows.shape), points[:, 1].reshape(rows.shape)


def write_vector(path: Path, layers: dict[str, tuple[int, list[ogr.Geometry], osr.SpatialReference]]) -> Path:
    """A vector file with the given layers (name → (OGR geometry type, geometries, CRS))."""
    driver = "GPKG" if path.suffix == ".gpkg" else "GeoJSON"
    source = ogr.GetDriverByName(driver).CreateDataSource(str(path))
    for name, (kind, geometries, srs) in layers.items():
        options = ["SPATIAL_INDEX=NO"] if driver == "GPKG" else []  # TensorFlow's SQLite has no rtree
        layer = source.CreateLayer(name, srs, kind, options=options)
        for geometry in geometries:
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetGeometry(geometry)
            layer.CreateFeature(feature)
    source = None
    return path


def utm_rectangle(xmin: float, ymin: float, xmax: float, ymax: float) -> ogr.Geometry:
    """A rectangle in UTM with a vertex every metre along its edges, so its reprojected edges follow
    the true (slightly curved in degrees) UTM lines."""
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax), (xmin, ymin)):
        ring.AddPoint_2D(x, y)
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    polygon.Segmentize(1.0)
    return polygon


def predict_events(**fields) -> dict:
    stream = io.StringIO()
    predict.run(PredictParams(**fields), Progress("json", stream))
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    return next(e for e in events if e["event"] == "done")


@pytest.fixture
def tile(tmp_path):
    image, _ = sample_tile()
    return tmp_path, image, context_model(tmp_path / "context.keras")


def test_an_area_of_interest_in_utm_classifies_only_the_pixels_inside_and_skips_windows_outside(tile):
    folder, image, model = tile
    east, north = pixel_centres_in_utm(image)
    # About 10 % of the tile: columns 40–200, rows 300–460 (in metres, UTM zone 23 south).
    xmin, xmax = east[0, 40], east[0, 200]
    ymin, ymax = north[460, 0], north[300, 0]
    polygons = write_vector(folder / "aoi.gpkg", {"aoi": (ogr.wkbPolygon, [utm_rectangle(xmin, ymin, xmax, ymax)], utm())})
    whole = predict_events(model=str(model), image=str(image), out=str(folder / "whole.tif"),
                           probabilities=str(folder / "whole_p.tif"), window=128)
    done = predict_events(model=str(model), image=str(image), out=str(folder / "aoi.tif"),
                          probabilities=str(folder / "aoi_p.tif"), window=128, aoi=str(polygons))
    classes, probabilities = read(folder / "aoi.tif"), read(folder / "aoi_p.tif")
    # Pixel centres decide; pixels within 0.5 m (1/20 pixel) of the border could go either way in floating point.
    inside = (east > xmin) & (east < xmax) & (north > ymin) & (north < ymax)
    margin = np.minimum.reduce([np.abs(east - xmin), np.abs(east - xmax), np.abs(north - ymin), np.abs(north - ymax)])
    sure = margin > 0.5
    assert ((classes != 255) == inside)[sure].all()
    assert 0.08 < inside.mean() < 0.12
    assert (probabilities[:, classes == 255] == predict.PROBABILITY_NODATA).all()
    # Inside, the same classes and probabilities as without an area of interest: the model saw the same context.
    valid = classes != 255
    np.testing.assert_array_equal(classes[valid], read(folder / "whole.tif")[valid])
    np.testing.assert_allclose(probabilities[:, valid], read(folder / "whole_p.tif")[:, valid], atol=1e-6)
    assert done["pixels"] == int(valid.sum())
    # Only the windows holding a pixel of the area of interest were computed.
    axis = predict.plan_axis(512, 128, 0.25)
    expected = sum(bool(valid[max(0, r): r + 128, max(0, c): c + 128].any()) for r in axis.starts for c in axis.starts)
    assert done["windows"] == expected < whole["windows"] == done["windows_planned"] == len(axis.starts) ** 2
    assert expected <= 9


def test_a_multi_layer_geopackage_uses_its_first_polygon_layer_or_the_named_one(tile, capsys):
    folder, image, model = tile
    east, north = pixel_centres_in_utm(image)
    point = ogr.Geometry(ogr.wkbPoint)
    point.AddPoint_2D(east[10, 10], north[10, 10])
    # beyond the tile at the top, bottom and outer side (polygons may reach past the image)
    left = utm_rectangle(east[0, 0] - 50, north[511, 0] - 50, east[0, 100], north[0, 0] + 50)
    right = utm_rectangle(east[0, 400], north[511, 0] - 50, east[0, 511] + 50, north[0, 0] + 50)
    gpkg = write_vector(folder / "layers.gpkg", {"points": (ogr.wkbPoint, [point], utm()),
                                                 "left": (ogr.wkbPolygon, [left], utm()),
                                                 "right": (ogr.wkbMultiPolygon, [ogr.ForceToMultiPolygon(right)], utm())})
    assert run("--model", model, "--image", image, "--out", folder / "first.tif", "--aoi", gpkg, "--window", 128) == 0
    first = read(folder / "first.tif")
    assert (first[:, :90] != 255).all() and (first[:, 110:] == 255).all()
    assert run("--model", model, "--image", image, "--out", folder / "named.tif", "--aoi", f"{gpkg}|layername=right",
               "--window", 128) == 0
    named = read(folder / "named.tif")
    assert (named[:, :390] == 255).all() and (named[:, 410:] != 255).all()
    assert run("--model", model, "--image", image, "--out", folder / "p.tif", "--aoi", f"{gpkg}|layername=points") == 2
    assert "holds points, not polygons" in capsys.readouterr().err
    assert run("--model", model, "--image", image, "--out", folder / "p.tif", "--aoi", f"{gpkg}|layername=lakes") == 2
    message = capsys.readouterr().err
    assert "no layer 'lakes'" in message and "points, left, right" in message


def test_bad_areas_of_interest_are_one_sentence_and_write_nothing(tile, capsys):
    folder, image, model = tile
    east, north = pixel_centres_in_utm(image)
    point = ogr.Geometry(ogr.wkbPoint)
    point.AddPoint_2D(east[10, 10], north[10, 10])
    points = write_vector(folder / "points.geojson", {"points": (ogr.wkbPoint, [point], utm())})
    far = write_vector(folder / "far.gpkg", {"far": (ogr.wkbPolygon, [utm_rectangle(200000, 9000000, 201000, 9001000)], utm())})
    empty = write_vector(folder / "empty.gpkg", {"empty": (ogr.wkbPolygon, [], utm())})
    cases = [(folder / "missing.gpkg", "does not exist"), (points, "holds no polygon layer"),
             (far, "lies outside the raster"), (empty, "holds no polygons")]
    for source, words in cases:
        assert run("--model", model, "--image", image, "--out", folder / "classes.tif", "--aoi", source) == 2, source
        message = capsys.readouterr().err
        assert words in message and str(source) in message
    assert not (folder / "classes.tif").exists() and leftovers(folder) == []


def test_the_mask_is_burnt_by_pixel_centres_on_any_block(tmp_path):
    """A square of 10×10 pixels in the image's own CRS, offset by 0.4 pixel: a pixel is in when its centre is."""
    dataset = gdal.GetDriverByName("MEM").Create("", 40, 30, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((1000.0, 2.0, 0.0, 5000.0, 0.0, -2.0))
    srs = utm()
    dataset.SetProjection(srs.ExportToWkt())
    square = utm_rectangle(1000 + 2 * 5.4, 5000 - 2 * 15.4, 1000 + 2 * 15.4, 5000 - 2 * 5.4)
    path = write_vector(tmp_path / "square.gpkg", {"square": (ogr.wkbPolygon, [square], srs)})
    area = aoi_module.AreaOfInterest(str(path), dataset)
    expected = np.zeros((30, 40), bool)
    expected[5:15, 5:15] = True  # centres 5.5 … 14.5 lie inside 5.4 … 15.4
    np.testing.assert_array_equal(area.mask(0, 0, 40, 30), expected)
    np.testing.assert_array_equal(area.mask(3, 12, 20, 6), expected[12:18, 3:23])
    assert not area.mask(20, 20, 20, 10).any()


def test_split_source_reads_qgis_layer_sources():
    assert aoi_module.split_source("a/b.gpkg|layername=parks") == (Path("a/b.gpkg"), "parks")
    assert aoi_module.split_source("a/b.gpkg|layerid=2|layername=x y") == (Path("a/b.gpkg"), "x y")
    assert aoi_module.split_source("a/b.shp") == (Path("a/b.shp"), None)
