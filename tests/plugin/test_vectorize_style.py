"""The polygons `claro predict --polygons` writes open in QGIS already styled like the class raster
(the default style stored in the GeoPackage's layer_styles table), with no sidecar file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, osr
from qgis.core import QgsCategorizedSymbolRenderer, QgsVectorLayer

from claro.backend import vectorize


def test_polygons_open_in_qgis_with_the_class_colours(clean_project, tmp_path: Path):
    data = np.zeros((20, 30), np.uint8)
    data[5:15, 5:25] = 4
    data[0:2, 0:2] = 255
    path = tmp_path / "classes.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), 30, 20, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((-60.0, 0.0001, 0.0, -3.0, 0.0, -0.0001))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    dataset.SetProjection(srs.ExportToWkt())
    dataset.GetRasterBand(1).SetNoDataValue(255)
    dataset.GetRasterBand(1).WriteArray(data)
    dataset = None
    out = tmp_path / "regions.gpkg"
    vectorize.write_polygons(path, out, value_field="class",
                             attributes={0: {"class_name": "forest"}, 4: {"class_name": "cleared"}},
                             colors={0: "#1a9641", 4: "#d7191c"})
    layer = QgsVectorLayer(f"{out}|layername=regions", "regions", "ogr")
    assert layer.isValid() and layer.featureCount() == 2
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "class"
    assert [(str(c.value()), c.label(), c.symbol().color().name()) for c in renderer.categories()] == [
        ("0", "forest", "#1a9641"), ("4", "cleared", "#d7191c")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classes.tif", "regions.gpkg"]  # no .qml needed
