"""plugin/layers.py: class rasters load with the classes' names and colours, nodata 255 draws
nothing, results go to a "Claro" group on top (a rerun replaces its old layer), probabilities
get a hidden 0–1 ramp; the class list comes from the .qml the backend writes."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, osr
from qgis.core import QgsPalettedRasterRenderer, QgsRasterLayer, QgsSingleBandPseudoColorRenderer
from qgis.PyQt.QtGui import QColor

from claro.backend.style import write_qml
from claro.plugin import layers as L

CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"},
           {"value": 2, "name": "water", "color": "#2b83ba"}]


def write_raster(path: Path, data: np.ndarray, nodata=None, dtype=gdal.GDT_Byte) -> Path:
    bands = 1 if data.ndim == 2 else data.shape[0]
    rows, cols = data.shape[-2:]
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands, dtype)
    dataset.SetGeoTransform((-60.0, 0.001, 0, -3.0, 0, -0.001))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    dataset.SetProjection(srs.ExportToWkt())
    for index in range(bands):
        band = dataset.GetRasterBand(index + 1)
        band.WriteArray(data if data.ndim == 2 else data[index])
        if nodata is not None:
            band.SetNoDataValue(nodata)
    dataset = None
    return path


def colours(layer: QgsRasterLayer, size: int) -> np.ndarray:
    """ARGB hex of each rendered pixel."""
    block = layer.renderer().block(1, layer.extent(), size, size)
    return np.array([[QColor.fromRgba(block.color(r, c)).name(QColor.HexArgb) for c in range(size)] for r in range(size)])


@pytest.mark.parametrize("nodata_in_file", [True, False])
def test_class_layer_has_the_class_names_colours_and_transparent_nodata(clean_project, tmp_path, nodata_in_file):
    data = np.array([[0, 1, 2, 255]] * 4, dtype=np.uint8)
    path = write_raster(tmp_path / "classes.tif", data, nodata=255 if nodata_in_file else None)
    layer = L.add_class_layer(path, CLASSES, project=clean_project)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    assert [(c.value, c.label, c.color.name()) for c in renderer.classes()] == \
        [(c["value"], c["name"], c["color"]) for c in CLASSES]
    drawn = colours(layer, 4)
    assert drawn[0].tolist() == ["#ff1a9641", "#ffd7191c", "#ff2b83ba", "#00000000"]


def test_classes_come_from_the_qml_the_backend_writes(clean_project, tmp_path):
    path = write_raster(tmp_path / "map.tif", np.zeros((4, 4), np.uint8), nodata=255)
    write_qml(path.with_suffix(".qml"), CLASSES)
    assert L.read_qml_classes(path.with_suffix(".qml")) == CLASSES
    assert L.classes_for(path) == CLASSES
    layer = L.add_class_layer(path, project=clean_project)
    assert [c.label for c in layer.renderer().classes()] == ["forest", "cleared", "water"]


def test_without_classes_the_user_is_told(clean_project, tmp_path):
    path = write_raster(tmp_path / "bare.tif", np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="no class list"):
        L.add_class_layer(path, project=clean_project)


def test_results_go_on_top_in_the_claro_group_and_a_rerun_replaces_the_old_layer(clean_project, tmp_path):
    other = write_raster(tmp_path / "image.tif", np.zeros((4, 4), np.uint8))
    clean_project.addMapLayer(QgsRasterLayer(str(other), "image"))
    path = write_raster(tmp_path / "classes.tif", np.zeros((4, 4), np.uint8), nodata=255)
    first_id = L.add_class_layer(path, CLASSES, project=clean_project).id()
    second = L.add_class_layer(path, CLASSES, project=clean_project)
    root = clean_project.layerTreeRoot()
    assert [child.name() for child in root.children()] == [L.GROUP_NAME, "image"]
    group = root.findGroup(L.GROUP_NAME)
    assert [node.layer().id() for node in group.findLayers()] == [second.id()]
    assert clean_project.mapLayer(first_id) is None  # removed from the project, not just hidden


def test_probability_layer_is_a_hidden_zero_to_one_ramp_on_the_target_class(clean_project, tmp_path):
    probabilities = np.stack([np.full((4, 4), 0.8, np.float32), np.full((4, 4), 0.2, np.float32)])
    path = write_raster(tmp_path / "probabilities.tif", probabilities, dtype=gdal.GDT_Float32)
    layer = L.add_probability_layer(path, CLASSES[:2], project=clean_project)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
    assert renderer.band() == 2
    assert (renderer.classificationMin(), renderer.classificationMax()) == (0.0, 1.0)
    assert "cleared" in layer.name()
    node = clean_project.layerTreeRoot().findGroup(L.GROUP_NAME).findLayer(layer.id())
    assert not node.itemVisibilityChecked()
