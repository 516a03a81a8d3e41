"""The Predict tab's prediction options (issue 11): the area of interest as a file (a layer's own,
the selected features, the map extent), test-time augmentation, uncertainty, minimum mapping
unit, polygons and fast mode become PredictParams; the results come back as styled layers and
an area table; Processing offers the same options with the right types and bounds."""
from __future__ import annotations

import dataclasses
import zipfile

import numpy as np
import pytest
from osgeo import gdal, ogr
from qgis.core import (Qgis, QgsCategorizedSymbolRenderer, QgsCoordinateReferenceSystem, QgsCoordinateTransformContext,
                       QgsFeature, QgsGeometry, QgsGradientColorRamp, QgsProcessing, QgsProcessingContext,
                       QgsProcessingFeatureSourceDefinition, QgsProcessingFeedback, QgsProcessingParameterBoolean,
                       QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
                       QgsRasterLayer, QgsRectangle, QgsRendererCategory, QgsSingleBandPseudoColorRenderer, QgsSymbol,
                       QgsVectorFileWriter, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtGui import QColor

from claro.backend import params as P
from claro.plugin import aoi, layers
from claro.plugin.sources import SourceError
from claro.plugin.tabs import predict as predict_module

UTM = "EPSG:32721"  # the Amazon tile's zone
SQUARES = [f"POLYGON(({x} 8900000, {x + 500} 8900000, {x + 500} 8900500, {x} 8900500, {x} 8900000))"
           for x in (500000, 501000, 502000)]


def polygon_layer(name: str = "areas", crs: str = UTM, wkts: list[str] = SQUARES) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=id:integer", name, "memory")
    features = []
    for i, wkt in enumerate(wkts):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        feature.setAttributes([i + 1])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def write_gpkg(layer: QgsVectorLayer, path) -> None:
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer.name()
    error = QgsVectorFileWriter.writeAsVectorFormatV2(layer, str(path), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error


def read_features(path: str) -> tuple[list[tuple[dict, ogr.Geometry]], str]:
    """(attributes, geometry) of every feature of the file's only layer, and the layer's EPSG code."""
    source = ogr.Open(path.split("|")[0])
    assert source.GetLayerCount() == 1
    layer = source.GetLayer(0)
    features = [(feature.items(), feature.GetGeometryRef().Clone()) for feature in layer]
    srs = layer.GetSpatialRef()
    srs.AutoIdentifyEPSG()
    return features, srs.GetAuthorityCode(None)


@pytest.fixture
def ready(dock, clean_project, amazon_crop, tmp_path):
    """The dock with a model path, an output and the Amazon crop to classify: predict_params() works."""
    image, _mask = amazon_crop
    raster = QgsRasterLayer(str(image), "image")
    clean_project.addMapLayer(raster)
    dock.predict_tab.predict_combo.setLayer(raster)
    dock.predict_form.set_value("model", str(tmp_path / "m.keras"))
    dock.predict_form.set_value("out", str(tmp_path / "classes.tif"))
    return dock.predict_tab


def choose(tab, mode: str, layer=None) -> None:
    tab.aoi_mode.setCurrentIndex(tab.aoi_mode.findData(mode))
    if layer is not None:
        tab.aoi_combo.setLayer(layer)


# -- area of interest -----------------------------------------------------------------------------
def test_without_area_of_interest_the_whole_raster_is_classified(ready):
    assert ready.aoi_mode.currentData() == aoi.NONE and not ready.aoi_combo.isEnabled()
    assert ready.predict_params().aoi is None


def test_a_polygon_layer_file_is_passed_by_its_path_and_layer_name(ready, clean_project, tmp_path):
    path = tmp_path / "parks.gpkg"
    write_gpkg(polygon_layer("parks"), path)
    layer = QgsVectorLayer(str(path), "parks", "ogr")
    clean_project.addMapLayer(layer)
    choose(ready, aoi.LAYER, layer)
    assert ready.aoi_combo.isEnabled()
    assert ready.predict_params().aoi == str(path)  # the file's only layer
    # one layer of a file of two: the backend is told which one, as QGIS names it
    both = tmp_path / "both.gpkg"
    write_gpkg(polygon_layer("parks"), both)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName = "GPKG", "reserves"
    options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
    error = QgsVectorFileWriter.writeAsVectorFormatV2(polygon_layer("reserves"), str(both),
                                                      QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    reserves = QgsVectorLayer(f"{both}|layername=reserves", "reserves", "ogr")
    assert reserves.isValid()
    clean_project.addMapLayer(reserves)
    choose(ready, aoi.LAYER, reserves)
    assert P.command_line(ready.predict_params())[-2:] == ["--aoi", f"{both}|layername=reserves"]
    reserves.setSubsetString('"id" = 2')  # a filter QGIS alone knows: the features are written
    features, _epsg = read_features(ready.predict_params().aoi)
    assert [attrs["id"] for attrs, _ in features] == [2]


def test_a_memory_layer_is_written_whole_in_its_own_crs(ready, clean_project):
    layer = polygon_layer("drawn")
    clean_project.addMapLayer(layer)
    choose(ready, aoi.LAYER, layer)
    path = ready.predict_params().aoi
    assert path.startswith(ready.dock.export_folder()) and path.endswith(".gpkg")
    features, epsg = read_features(path)
    assert epsg == "32721" and sorted(attrs["id"] for attrs, _ in features) == [1, 2, 3]


def test_only_the_selected_features_are_written_with_their_crs(ready, clean_project, tmp_path):
    path = tmp_path / "areas.gpkg"
    write_gpkg(polygon_layer("areas"), path)
    layer = QgsVectorLayer(str(path), "areas", "ogr")
    clean_project.addMapLayer(layer)
    choose(ready, aoi.SELECTED, layer)
    with pytest.raises(SourceError, match="No feature of the layer 'areas' is selected"):
        ready.predict_params()
    layer.selectByExpression('"id" IN (1, 3)')
    assert layer.selectedFeatureCount() == 2
    written = ready.predict_params().aoi
    assert written != str(path) and written.startswith(ready.dock.export_folder())
    features, epsg = read_features(written)
    assert epsg == "32721"
    assert sorted(attrs["id"] for attrs, _ in features) == [1, 3]
    by_id = {attrs["id"]: geometry for attrs, geometry in features}
    for i in (1, 3):
        assert by_id[i].SymmetricDifference(ogr.CreateGeometryFromWkt(SQUARES[i - 1])).GetArea() < 1e-6


def test_a_line_layer_is_refused_with_a_sentence(ready, clean_project):
    lines = QgsVectorLayer(f"LineString?crs={UTM}", "roads", "memory")
    with pytest.raises(SourceError, match="'roads' is not a polygon layer"):
        aoi.aoi_file(aoi.LAYER, ready.dock.export_folder(), lines)


def test_the_map_extent_is_one_rectangle_in_the_canvas_crs(ready, qgis_iface):
    canvas = qgis_iface.mapCanvas()
    crs = QgsCoordinateReferenceSystem("EPSG:3857")
    canvas.setDestinationCrs(crs)
    canvas.resize(400, 400)
    canvas.setExtent(QgsRectangle(-6_000_000, -1_000_000, -5_990_000, -990_000))
    extent = canvas.extent()  # after the canvas's own fitting to its size
    choose(ready, aoi.EXTENT)
    assert not ready.aoi_combo.isEnabled()
    features, epsg = read_features(ready.predict_params().aoi)
    assert epsg == "3857" and len(features) == 1
    geometry = features[0][1]
    assert geometry.GetEnvelope() == pytest.approx((extent.xMinimum(), extent.xMaximum(),
                                                    extent.yMinimum(), extent.yMaximum()))
    assert geometry.GetArea() == pytest.approx(extent.width() * extent.height())


def test_the_area_of_interest_is_not_remembered(ready, clean_project, claro_settings):
    layer = polygon_layer("drawn")
    clean_project.addMapLayer(layer)
    choose(ready, aoi.LAYER, layer)
    ready.predict_form.set_value("tta", True)
    ready.remember(ready.predict_params())
    kept = claro_settings.params(P.PredictParams)
    assert kept.tta is True and kept.aoi is None


# -- the other options ----------------------------------------------------------------------------
def test_tta_uncertainty_minimum_unit_and_polygons_reach_the_command_line(ready, tmp_path):
    form = ready.predict_form
    assert form.layout_.labelForField(form.widget("tta")).text() == "Test-time augmentation (8× slower)"
    spin = form.widget("min_area")
    assert (spin.minimum(), spin.maximum()) == P.bounds(next(f for f in dataclasses.fields(P.PredictParams)
                                                              if f.name == "min_area"))
    measure = form.widget("uncertainty_measure")
    assert not measure.isEnabled()  # no uncertainty raster yet
    form.set_value("uncertainty", str(tmp_path / "unsure.tif"))
    assert measure.isEnabled()
    disagreement = measure.findText("disagreement")
    assert not measure.model().item(disagreement).isEnabled()  # needs TTA
    form.set_value("tta", True)
    assert measure.model().item(disagreement).isEnabled()
    form.set_value("uncertainty_measure", "disagreement")
    form.set_value("min_area", 0.5)
    form.set_value("polygons", str(tmp_path / "regions.gpkg"))
    argv = P.command_line(ready.predict_params())
    assert argv[argv.index("--tta"):] == ["--tta", "--uncertainty", str(tmp_path / "unsure.tif"),
                                          "--uncertainty-measure", "disagreement", "--min-area", "0.5",
                                          "--polygons", str(tmp_path / "regions.gpkg")]
    form.set_value("tta", False)  # disagreement without its eight views: back to the default measure
    assert measure.currentText() == "entropy" and ready.predict_params().uncertainty_measure == "entropy"


PROBE = {"python": "3.12", "tensorflow": "2.21.0", "gpus": [], "numpy": "2", "gdal": "3.9", "claro": True}


def test_fast_mode_is_offered_only_where_bfloat16_is_fast(ready, monkeypatch):
    fast = ready.fast_mode
    fast.setChecked(True)
    ready.dock.environment_known({**PROBE, "bf16": False, "bf16_reason": "the CPU has no bfloat16 instructions"})
    assert fast.isHidden() and ready.predict_params().precision == "float32"
    ready.dock.environment_known({**PROBE, "bf16": True, "bf16_reason": "the CPU has bfloat16 instructions"})
    assert not fast.isHidden() and fast.isEnabled()
    assert P.command_line(ready.predict_params())[-2:] == ["--precision", "bf16"]
    fast.setChecked(False)
    assert ready.predict_params().precision == "float32"
    ready.dock.environment_known({"error": "The Python '/x' does not exist."})
    assert fast.isHidden()
    monkeypatch.setattr(predict_module, "FAST_MODE_OFFERED", False)  # benchmark goal not met: never offered
    fast.setChecked(True)
    ready.dock.environment_known({**PROBE, "bf16": True})
    assert fast.isHidden() and ready.predict_params().precision == "float32"


# -- results ------------------------------------------------------------------------------------
AREAS = [{"value": 0, "name": "forest", "pixels": 36700, "hectares": 330.3, "share": 0.56},
         {"value": 1, "name": "cleared", "pixels": 28836, "hectares": 259.52, "share": 0.44}]


def test_the_area_table_shows_the_rows_of_the_result(ready):
    tab = ready
    assert tab.area_table.isHidden() and tab.area_note.isHidden()
    tab.show_areas({"areas": AREAS, "area_csv": "/data/classes_areas.csv"}, "/data/classes.tif")
    table = tab.area_table
    assert not table.isHidden() and table.rowCount() == 2
    assert [table.horizontalHeaderItem(j).text() for j in range(4)] == ["Class", "Hectares", "Share", "Pixels"]
    assert [[table.item(i, j).text() for j in range(4)] for i in range(2)] == [
        ["forest", "330.30", "56.0 %", "36,700"], ["cleared", "259.52", "44.0 %", "28,836"]]
    assert "/data/classes_areas.csv" in tab.area_note.text()
    tab.show_areas({"areas": None, "area_csv": None}, "/data/plain.tif")
    assert table.isHidden() and table.rowCount() == 0
    assert "/data/plain.tif has no coordinate reference system" in tab.area_note.text()
    tab.show_areas(None)
    assert tab.area_note.isHidden()


def write_raster(path, array: np.ndarray, like: str, kind=gdal.GDT_Byte) -> str:
    source = gdal.Open(like)
    out = gdal.GetDriverByName("GTiff").Create(str(path), array.shape[1], array.shape[0], 1, kind)
    out.SetGeoTransform(source.GetGeoTransform())
    out.SetProjection(source.GetProjection())
    out.GetRasterBand(1).WriteArray(array)
    out = None
    return str(path)


def polygons_with_default_style(path) -> None:
    """A GeoPackage of class polygons whose default style (in layer_styles) is categorized, as
    the backend writes it."""
    layer = polygon_layer("regions")
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    source.CreateLayer("notes", geom_type=ogr.wkbNone)  # a table first: the polygons are not the first layer
    source = None
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName = "GPKG", "regions"
    options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
    assert QgsVectorFileWriter.writeAsVectorFormatV2(layer, str(path), QgsCoordinateTransformContext(), options)[0] == 0
    stored = QgsVectorLayer(f"{path}|layername=regions", "regions", "ogr")
    categories = []
    for value, color in ((1, "#1a9641"), (2, "#d7191c"), (3, "#fdae61")):
        symbol = QgsSymbol.defaultSymbol(QgsWkbTypes.PolygonGeometry)
        symbol.setColor(QColor(color))
        categories.append(QgsRendererCategory(value, symbol, str(value)))
    stored.setRenderer(QgsCategorizedSymbolRenderer("id", categories))
    stored.saveStyleToDatabase("regions", "Claro", True, "")
    del stored


def test_a_prediction_adds_the_uncertainty_ramp_the_polygons_and_the_table(ready, amazon_crop, tmp_path):
    image, mask = amazon_crop
    model = tmp_path / "plain.keras"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("config.json", "{}")  # a Keras file without a Claro card
    out = write_raster(tmp_path / "classes.tif", gdal.Open(str(mask)).ReadAsArray(), str(image))
    unsure = write_raster(tmp_path / "unsure.tif", np.linspace(0, 1, 256 * 256, dtype=np.float32).reshape(256, 256),
                          str(image), gdal.GDT_Float32)
    polygons = tmp_path / "regions.gpkg"
    polygons_with_default_style(polygons)
    predict = P.PredictParams(model=str(model), image=str(image), out=out, uncertainty=unsure, polygons=str(polygons),
                              classes="0:forest:#1a9641,1:cleared:#d7191c")
    finished = []
    ready.dock.predictionFinished.connect(lambda ok, layer: finished.append((ok, layer)))
    ready._prediction_done(predict, {"out": out, "uncertainty": unsure, "polygons": str(polygons), "areas": AREAS,
                                     "area_csv": str(tmp_path / "classes_areas.csv")})
    assert finished and finished[0][0] is True
    group = layers.claro_group()
    names = [node.layer().name() for node in group.findLayers()]
    assert names == ["regions", "classes", "unsure (uncertainty)"]  # polygons over the raster, uncertainty below
    unsure_layer = group.findLayers()[2].layer()
    assert isinstance(unsure_layer.renderer(), QgsSingleBandPseudoColorRenderer)
    assert not group.findLayers()[2].itemVisibilityChecked()
    regions = group.findLayers()[0].layer()
    assert isinstance(regions.renderer(), QgsCategorizedSymbolRenderer)  # the GeoPackage's default style
    assert regions.renderer().categories()[1].symbol().color().name() == "#d7191c"
    assert ready.area_table.rowCount() == 2 and ready.area_table.item(1, 0).text() == "cleared"


def test_the_uncertainty_layer_takes_the_ramp_beside_it_else_claros(clean_project, amazon_crop, tmp_path):
    image, _mask = amazon_crop
    ramp = np.linspace(0, 1, 256 * 256, dtype=np.float32).reshape(256, 256)
    plain = write_raster(tmp_path / "plain.tif", ramp, str(image), gdal.GDT_Float32)
    layer = layers.add_uncertainty_layer(plain)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
    assert (renderer.classificationMin(), renderer.classificationMax()) == (0.0, 1.0)
    items = renderer.shader().rasterShaderFunction().colorRampItemList()
    assert items[0].color.name() == layers.UNCERTAIN_LOW and items[-1].color.name() == layers.UNCERTAIN_HIGH
    # a style beside the raster (what the backend writes) wins over Claro's ramp
    styled = write_raster(tmp_path / "styled.tif", ramp, str(image), gdal.GDT_Float32)
    donor = QgsRasterLayer(styled, "donor")
    donor.setRenderer(layers.ramp_renderer(donor, 1, QgsGradientColorRamp(QColor("#000000"), QColor("#ff0000"))))
    donor.saveNamedStyle(str(tmp_path / "styled.qml"))
    del donor
    items = layers.add_uncertainty_layer(styled).renderer().shader().rasterShaderFunction().colorRampItemList()
    assert items[0].color.name() == "#000000" and items[-1].color.name() == "#ff0000"


# -- Processing ---------------------------------------------------------------------------------
@pytest.fixture
def algorithm(qgis_app, qgis_processing):
    from claro.plugin.algorithms import ClaroAlgorithm

    instance = ClaroAlgorithm("predict")
    instance.initAlgorithm()
    return instance


def test_processing_offers_the_prediction_options(algorithm):
    advanced = QgsProcessingParameterDefinition.FlagAdvanced
    optional = QgsProcessingParameterDefinition.FlagOptional
    area = algorithm.parameterDefinition("AOI")
    assert isinstance(area, QgsProcessingParameterFeatureSource) and area.flags() & optional
    assert area.dataTypes() == [QgsProcessing.TypeVectorPolygon]
    unsure = algorithm.parameterDefinition("UNCERTAINTY")
    assert isinstance(unsure, QgsProcessingParameterRasterDestination) and not unsure.createByDefault()
    polygons = algorithm.parameterDefinition("POLYGONS")
    assert isinstance(polygons, QgsProcessingParameterFileDestination) and not polygons.createByDefault()
    assert "*.gpkg" in polygons.fileFilter() and polygons.flags() & optional
    unit = algorithm.parameterDefinition("MIN_AREA")
    assert isinstance(unit, QgsProcessingParameterNumber) and unit.dataType() == QgsProcessingParameterNumber.Double
    assert (unit.minimum(), unit.maximum(), unit.defaultValue()) == (0.0, 1_000_000.0, 0.0)
    tta = algorithm.parameterDefinition("TTA")
    assert isinstance(tta, QgsProcessingParameterBoolean) and tta.defaultValue() is False
    measure = algorithm.parameterDefinition("UNCERTAINTY_MEASURE")
    assert isinstance(measure, QgsProcessingParameterEnum) and measure.options() == ["entropy", "top", "disagreement"]
    precision = algorithm.parameterDefinition("PRECISION")
    assert precision.options() == ["float32", "bf16"] and precision.defaultValue() == 0
    assert measure.flags() & advanced and precision.flags() & advanced and not tta.flags() & advanced


def test_processing_values_become_the_options_with_selected_features_exported(algorithm, clean_project, amazon_crop,
                                                                             tmp_path):
    image = str(amazon_crop[0])
    layer = polygon_layer("drawn")
    clean_project.addMapLayer(layer)
    layer.selectByExpression('"id" = 2')
    context = QgsProcessingContext()
    context.setProject(clean_project)
    model = tmp_path / "m.keras"
    model.write_bytes(b"")
    params = algorithm.params_from({
        "MODEL": str(model), "IMAGE": image, "OUTPUT": str(tmp_path / "c.tif"),
        "AOI": QgsProcessingFeatureSourceDefinition(layer.id(), True), "TTA": True,
        "UNCERTAINTY": str(tmp_path / "u.tif"), "UNCERTAINTY_MEASURE": 2, "MIN_AREA": 0.5,
        "POLYGONS": str(tmp_path / "p.gpkg"), "PRECISION": 1}, context, QgsProcessingFeedback())
    assert (params.tta, params.uncertainty, params.uncertainty_measure, params.min_area, params.polygons,
            params.precision) == (True, str(tmp_path / "u.tif"), "disagreement", 0.5, str(tmp_path / "p.gpkg"), "bf16")
    features, epsg = read_features(params.aoi)
    assert epsg == "32721" and [attrs["id"] for attrs, _ in features] == [2]
    bare = algorithm.params_from({"MODEL": str(model), "IMAGE": image,
                                  "OUTPUT": str(tmp_path / "c.tif")}, context, QgsProcessingFeedback())
    assert (bare.aoi, bare.uncertainty, bare.polygons, bare.tta) == (None, None, None, False)


def test_processing_styles_the_uncertainty_raster_it_loads(clean_project, amazon_crop, tmp_path):
    from claro.plugin.algorithms import style_on_load

    image, _mask = amazon_crop
    unsure = write_raster(tmp_path / "u.tif", np.full((256, 256), 0.5, np.float32), str(image), gdal.GDT_Float32)
    context = QgsProcessingContext()
    context.setProject(clean_project)
    context.addLayerToLoadOnCompletion(unsure, QgsProcessingContext.LayerDetails("u", clean_project, "UNCERTAINTY"))
    style_on_load(P.PredictParams(uncertainty=unsure), context)
    processor = context.layerToLoadOnCompletionDetails(unsure).postProcessor()
    assert processor is not None
    layer = QgsRasterLayer(unsure, "u")
    processor.postProcessLayer(layer, context, QgsProcessingFeedback())
    assert isinstance(layer.renderer(), QgsSingleBandPseudoColorRenderer)
    assert layer.renderer().shader().rasterShaderFunction().colorRampItemList()[-1].color.name() == layers.UNCERTAIN_HIGH


# ---------------------------------------------------------------- Dask (issue 14)
def test_a_dask_scheduler_reaches_the_job_and_empty_is_this_machine(ready):
    widget = ready.predict_advanced.widget("dask")
    assert widget.placeholderText() == "tcp://host:8786 or local:2"
    assert ready.predict_params().dask is None and "--dask" not in P.command_line(ready.predict_params())
    ready.predict_advanced.set_value("dask", " tcp://10.0.0.5:8786 ")
    params = ready.predict_params()
    assert params.dask == "tcp://10.0.0.5:8786" and params.merge is True
    argv = P.command_line(params)
    assert argv[argv.index("--dask") + 1] == "tcp://10.0.0.5:8786" and "--no-merge" not in argv
    ready.predict_advanced.set_value("dask", "local:2")
    ready.remember(ready.predict_params())
    assert ready.dock.settings.params(P.PredictParams).dask == "local:2"  # a cluster's address is kept


def test_dask_with_a_python_without_it_is_refused_with_how_to_install_it(ready, qgis_iface, tmp_path):
    """The probe says the Python lacks distributed: the job does not start, and the sentence says
    where to install it (the backend's own sentence would only come after TensorFlow loaded)."""
    from fake_python import calls, fake_python

    from claro.plugin import environment

    python = fake_python(tmp_path / "bin", "python", probe={"optional": {"dask": "2026.8.0", "distributed": None}})
    ready.dock.settings.interpreter = str(python)
    environment.forget(python)
    ready.predict_advanced.set_value("dask", "local:2")
    assert ready.start_prediction() is None and ready.dock.task is None
    messages = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any(f"needs dask and distributed in Claro's Python ({python}): tick Dask (prediction on a cluster) and "
               "click Create… in Claro's Setup tab" in m for m in messages), messages
    assert not any(" predict " in line for line in calls(python))  # only the probe ran
    environment.forget(python)
