"""Train and predict through the dock's QgsTasks on real data, in the child Python; cancel;
the result is a styled layer that finds the clearing; the prediction options (area of interest,
TTA, uncertainty, minimum mapping unit, polygons) come back as styled layers and an area table;
QGIS's process never imports TensorFlow.

Tiny on purpose (2 shared CPU cores): a 256² crop of a real Amazon tile (bundled sample),
64-pixel patches, a U-Net with base_filters 4 and depth 2, four epochs. Each test sets up what
it checks itself, so any one of them can run alone.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.PyQt.QtGui import QColor
from qgis.core import (Qgis, QgsCategorizedSymbolRenderer, QgsFeature, QgsGeometry, QgsPalettedRasterRenderer,
                       QgsRasterLayer, QgsRectangle, QgsSingleBandPseudoColorRenderer, QgsVectorLayer)

from claro.backend.card import read_card
from claro.plugin.dock import PATCHES_WEIGHT, ClaroDock
from claro.plugin.layers import GROUP_NAME

CLASSES = [("forest", "#1a9641"), ("cleared", "#d7191c")]
#: IoU each class must reach on the crop: an all-forest map scores 0 for cleared, an all-cleared
#: map 0 for forest; the tiny model scores about 0.9 for both after four epochs (two were not
#: enough for every patch order: 0.06 for forest once the patches were shuffled at write time)
IOU_FLOOR = 0.5


def assert_finds_the_clearing(predicted: np.ndarray, reference: np.ndarray) -> None:
    """The map finds the cleared class where the reference has a large cleared area, and both
    classes reach IOU_FLOOR: a map of one class fails here, however well it is styled."""
    for value, name in enumerate(("forest", "cleared")):
        union = ((predicted == value) | (reference == value)).sum()
        iou = ((predicted == value) & (reference == value)).sum() / max(union, 1)
        assert iou >= IOU_FLOOR, f"IoU({name}) {iou:.3f} is below {IOU_FLOOR}"
    # 64² blocks of the reference that are (almost) all cleared: the large cleared area
    blocks = (reference == 1).reshape(reference.shape[0] // 64, 64, reference.shape[1] // 64, 64).mean(axis=(1, 3))
    cleared_blocks = np.kron(blocks >= 0.9, np.ones((64, 64), bool))
    assert cleared_blocks.sum() >= 4 * 64 * 64, "the reference has no large cleared area to look for"
    found = (predicted[cleared_blocks] == 1).mean()
    assert found >= 0.5, f"only {found:.0%} of the large cleared area is mapped as cleared"


def test_the_map_check_fails_a_map_of_one_class(amazon_crop):
    """The check above can fail: on the real crop an all-forest or all-cleared map does, the truth passes."""
    reference = gdal.Open(str(amazon_crop[1])).ReadAsArray()
    assert_finds_the_clearing(reference, reference)
    for constant in (0, 1):
        with pytest.raises(AssertionError, match="IoU"):
            assert_finds_the_clearing(np.full_like(reference, constant), reference)


def set_up_training(dock: ClaroDock, project, image: Path, mask: Path, folder: Path, epochs: int = 4) -> None:
    image_layer, mask_layer = QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")
    project.addMapLayers([image_layer, mask_layer])
    dock.image_combo.setLayer(image_layer)
    dock.label_combo.setLayer(mask_layer)
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1]
    for row, (name, colour) in enumerate(CLASSES):
        dock.class_table.item(row, 1).setText(name)
        dock.class_table.cellWidget(row, 2).setColor(QColor(colour))
    dock.patch_form.set_value("out", str(folder / "patches"))
    dock.patch_form.set_value("patch_size", 64)
    for name, value in {"out": str(folder / "model.keras"), "epochs": epochs, "base_filters": 4, "depth": 2,
                        "batch_size": 4, "learning_rate": 0.01, "patience": epochs, "augment": False}.items():
        dock.train_form.set_value(name, value)


def test_train_then_predict_gives_a_styled_class_layer(dock, qgis_iface, clean_project, amazon_crop, tmp_path, wait_until):
    image, mask = amazon_crop
    set_up_training(dock, clean_project, image, mask, tmp_path)
    trained, epochs, jobs = [], [], []
    dock.trainingFinished.connect(lambda ok, outputs: trained.append((ok, outputs)))
    task = dock.start_training()
    assert task is not None
    task.epoch.connect(epochs.append)
    task.jobDone.connect(lambda command, outputs: jobs.append(command))
    assert wait_until(lambda: trained, 600), "training did not finish"
    ok, outputs = trained[0]
    assert ok, qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert jobs == ["patches", "train"]

    model = tmp_path / "model.keras"
    assert Path(outputs["model"]) == model and model.is_file()
    card = read_card(model)
    assert [(c["name"], c["color"]) for c in card["classes"]] == CLASSES
    assert [e["epoch"] for e in epochs] == [1, 2, 3, 4]
    assert len(dock.curves.series("loss")) == 4 and all(loss > 0 for loss in dock.curves.series("loss"))
    assert "forest" in dock.card_view.toPlainText() and "cleared" in dock.card_view.toPlainText()
    assert not dock.curves_image.pixmap().isNull() and not dock.matrix_image.pixmap().isNull()
    assert dock.train_progress.value() == 100
    assert any("Training finished" in m for m in qgis_iface.messageBar().get_messages(Qgis.Success))

    # Predict: the dock already points at the new model; the raster to classify is the user's choice
    assert dock.predict_form.value("model") == str(model)
    assert dock.predict_combo.currentLayer() is None
    dock.predict_combo.setLayer(clean_project.mapLayersByName("image")[0])
    assert "forest" in dock.model_card.toPlainText()
    out = tmp_path / "classes.tif"
    dock.predict_form.set_value("out", str(out))
    dock.probabilities_check.setChecked(True)
    predicted = []
    dock.predictionFinished.connect(lambda ok, layer: predicted.append((ok, layer)))
    assert dock.start_prediction() is not None
    assert wait_until(lambda: predicted, 300), "prediction did not finish"
    ok, layer = predicted[0]
    assert ok, qgis_iface.messageBar().get_messages(Qgis.Critical)

    # the class raster: on the image's grid, classes 0/1 only, and it finds the clearing
    source, result = gdal.Open(str(image)), gdal.Open(str(out))
    assert result.GetGeoTransform() == pytest.approx(source.GetGeoTransform())
    assert (result.RasterXSize, result.RasterYSize) == (256, 256)
    predicted = result.GetRasterBand(1).ReadAsArray()
    assert set(np.unique(predicted).tolist()) <= {0, 1}
    assert_finds_the_clearing(predicted, gdal.Open(str(mask)).ReadAsArray())
    assert out.with_suffix(".qml").is_file()

    # the layer: paletted with the model's names and colours, nodata 255 transparent, in "Claro" on top
    assert layer.source() == str(out)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    assert [(c.value, c.label, c.color.name()) for c in renderer.classes()] == \
        [(0, "forest", "#1a9641"), (1, "cleared", "#d7191c")]
    provider = layer.dataProvider()
    assert provider.sourceHasNoDataValue(1) and provider.sourceNoDataValue(1) == 255
    root = clean_project.layerTreeRoot()
    group = root.children()[0]
    assert group.name() == GROUP_NAME
    nodes = group.findLayers()
    assert nodes[0].layer().id() == layer.id()  # the class map above its probabilities
    class_node = group.findLayer(layer.id())
    assert class_node is not None and class_node.isVisible()
    probability = [n.layer() for n in nodes if n.layer().id() != layer.id()]
    assert len(probability) == 1 and isinstance(probability[0].renderer(), QgsSingleBandPseudoColorRenderer)
    assert not group.findLayer(probability[0].id()).itemVisibilityChecked()
    colours = renderer.block(1, layer.extent(), 32, 32)
    drawn = {QColor.fromRgba(colours.color(r, c)).name(QColor.HexArgb) for r in range(32) for c in range(32)}
    assert drawn <= {"#ff1a9641", "#ffd7191c"}  # opaque class colours only
    assert any("added as layer" in m for m in qgis_iface.messageBar().get_messages(Qgis.Success))
    assert "tensorflow" not in sys.modules and "keras" not in sys.modules  # TensorFlow ran in the child only

    predict_with_the_options(dock, qgis_iface, clean_project, image, tmp_path, wait_until)


def predict_with_the_options(dock: ClaroDock, qgis_iface, project, image: Path, folder: Path, wait_until) -> None:
    """The same model again with issue 11's options from the dock: the selected one of two polygons
    (the left half) as area of interest, test-time augmentation, uncertainty by disagreement, a
    0.5 ha minimum mapping unit and polygons; every output comes back styled, with the area table."""
    source = gdal.Open(str(image))
    x0, dx, _, y0, _, dy = source.GetGeoTransform()
    halves = QgsVectorLayer("Polygon?crs=EPSG:4326&field=half:string", "halves", "memory")
    features = []
    for name, (left, right) in (("left", (0, 128)), ("right", (128, 256))):
        feature = QgsFeature(halves.fields())
        feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x0 + left * dx, y0 + 256 * dy, x0 + right * dx, y0)))
        feature.setAttributes([name])
        features.append(feature)
    halves.dataProvider().addFeatures(features)
    project.addMapLayer(halves)
    halves.selectByExpression("\"half\" = 'left'")
    tab = dock.predict_tab
    tab.aoi_mode.setCurrentIndex(tab.aoi_mode.findData("selected"))
    tab.aoi_combo.setLayer(halves)
    tab.probabilities_check.setChecked(False)
    out = folder / "classes_left.tif"
    for name, value in {"out": str(out), "tta": True, "uncertainty": str(folder / "unsure.tif"),
                        "uncertainty_measure": "disagreement", "min_area": 0.5,
                        "polygons": str(folder / "regions.gpkg")}.items():
        tab.predict_form.set_value(name, value)
    dock.predictionFinished.disconnect()  # the first prediction's listener: its list is now a map
    predicted = []
    dock.predictionFinished.connect(lambda ok, layer: predicted.append((ok, layer)))
    assert tab.start_prediction() is not None
    assert wait_until(lambda: predicted, 300), "prediction with the options did not finish"
    assert predicted[0][0], qgis_iface.messageBar().get_messages(Qgis.Critical)

    classes = gdal.Open(str(out)).ReadAsArray()
    assert (classes[:, 128:] == 255).all() and set(np.unique(classes[:, :128]).tolist()) <= {0, 1}
    unsure = gdal.Open(str(folder / "unsure.tif")).ReadAsArray()
    assert 0.0 <= unsure[:, :128].min() and unsure[:, :128].max() <= 1.0
    group = project.layerTreeRoot().findGroup(GROUP_NAME)
    by_source = {Path(node.layer().source().split("|")[0]).name: node.layer() for node in group.findLayers()}
    assert isinstance(by_source["unsure.tif"].renderer(), QgsSingleBandPseudoColorRenderer)
    regions = by_source["regions.gpkg"]
    assert isinstance(regions.renderer(), QgsCategorizedSymbolRenderer) and regions.featureCount() > 0
    assert min(feature["area_ha"] for feature in regions.getFeatures()) >= 0.5 * (1 - 1e-9)
    table = tab.area_table
    assert [table.item(i, 0).text() for i in range(table.rowCount())] == ["forest", "cleared"]
    pixels = sum(int(table.item(i, 3).text().replace(",", "")) for i in range(table.rowCount()))
    assert pixels == (classes != 255).sum() == 256 * 128
    assert "classes_left_areas.csv" in tab.area_note.text()


def test_cancel_after_an_epoch_keeps_the_best_model_and_says_how_to_resume(dock, qgis_iface, clean_project, amazon_crop,
                                                                          tmp_path, wait_until):
    """Cancel once the first epoch is reported (a known phase: no race with an epoch end): the
    dataset, the best model so far and its resume state are kept, and the dock says so."""
    image, mask = amazon_crop
    set_up_training(dock, clean_project, image, mask, tmp_path, epochs=50)
    dock.train_form.set_value("patience", 50)  # no early stop can end the run before Cancel arrives
    finished, stages = [], []
    dock.trainingFinished.connect(lambda ok, outputs: finished.append(ok))
    task = dock.start_training()
    assert task is not None
    task.jobDone.connect(lambda command, outputs: stages.append(command))

    def cancel_after_an_epoch(event: dict) -> None:
        if "cancelled" not in stages:
            stages.append("cancelled")
            dock.cancel()

    task.epoch.connect(cancel_after_an_epoch)
    assert wait_until(lambda: finished, 300), "the cancelled task did not finish"
    assert finished == [False]
    assert stages == ["patches", "cancelled"]
    assert task.was_cancelled
    assert (tmp_path / "patches" / "dataset.json").is_file()  # the finished first job is kept
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name != "patches")
    model = Path(dock.train_form.value("out"))
    assert kept == sorted([model.name, model.name + ".resume", model.stem + ".history.json"])  # no temporaries
    warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert any("Cancelled after epoch" in m and "holds the best model so far" in m
               and "train again with Resume ticked in Train ▸ Advanced" in m
               for m in warnings), warnings
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert dock.train_button.isEnabled()
    assert "tensorflow" not in sys.modules and "keras" not in sys.modules  # TensorFlow ran in the child only
