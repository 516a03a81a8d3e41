"""The dock's Assess tab: a sample drawn from a real class map (a crop of a bundled Amazon mask,
named 'forest' / 'cleared' with its colours), labelled through the class buttons and found in
the GeoPackage by OGR, blind labelling, and the assessment shown in the tab.

The first test runs the real `claro sample` and `claro assess` child jobs from the tab; the
others draw the sample with the backend in this process (`claro sample`'s own run(), no child)
because they are about labelling."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from osgeo import gdal, ogr
from qgis.core import QgsProject, QgsRasterLayer
from qgis.PyQt.QtWidgets import QLabel

from claro.backend import params as P
from tests.plugin.test_dock import _laid_out, assert_tab_fits

#: a 96² window of the bundled tile that holds both classes (56 % cleared)
WINDOW = [0, 256, 96, 96]
CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]


@pytest.fixture(scope="module")
def class_map(tmp_path_factory) -> Path:
    """A 96² window of a real Amazon mask (0 forest, 1 cleared) with the class names and colours in the GeoTIFF."""
    from claro.backend.style import apply_classes
    from tests.conftest import sample_tile

    _image, mask = sample_tile()
    out = tmp_path_factory.mktemp("map") / "classes.tif"
    gdal.Translate(str(out), str(mask), srcWin=WINDOW, noData=255)
    dataset = gdal.Open(str(out), gdal.GA_Update)
    apply_classes(dataset.GetRasterBand(1), CLASSES)
    dataset = None
    return out


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Path:
    from tests.conftest import sample_tile

    source, _mask = sample_tile()
    out = tmp_path_factory.mktemp("image") / "after.tif"
    gdal.Translate(str(out), str(source), srcWin=WINDOW)
    return out


def draw_in_process(class_map: Path, out: Path, n: int = 20) -> Path:
    """`claro sample` run by the backend in this process (no child): the sample and its .qml."""
    from claro.backend import sample as sampling
    from claro.backend.progress import Progress

    sampling.run(P.SampleParams(map=str(class_map), out=str(out), n=n, min_per_class=8, seed=7),
                 Progress("json", io.StringIO()))
    return out


def saved_references(path: Path) -> dict[int, object]:
    """id → reference as OGR reads the GeoPackage (None: NULL)."""
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayerByName("sample")
    found = {}
    for feature in layer:
        found[feature.GetField("id")] = None if feature.IsFieldNull("reference") else feature.GetField("reference")
    return found


def map_classes_by_id(path: Path) -> dict[int, int]:
    dataset = ogr.Open(str(path))
    return {f.GetField("id"): f.GetField("map_class") for f in dataset.GetLayerByName("sample")}


def visible(layer) -> bool:
    return QgsProject.instance().layerTreeRoot().findLayer(layer.id()).isVisible()


def label_texts(tab) -> str:
    return "\n".join(label.text() for label in tab.findChildren(QLabel) if label.isVisibleTo(tab) or label.text())


def test_draw_label_and_assess_through_the_tab(dock, clean_project, class_map, image, tmp_path, wait_until):
    tab = dock.assess_tab
    map_layer, image_layer = QgsRasterLayer(str(class_map), "classes"), QgsRasterLayer(str(image), "after")
    clean_project.addMapLayers([image_layer, map_layer])
    tab.map_combo.setLayer(map_layer)
    out = tmp_path / "sample.gpkg"
    tab.sample_form.set_value("out", str(out))
    tab.sample_form.set_value("n", 20)
    tab.sample_advanced.set_value("min_per_class", 8)
    drawn = []
    tab.sampleDrawn.connect(lambda ok, layer: drawn.append((ok, layer)))
    assert tab.start_sample() is not None
    assert wait_until(lambda: drawn, 120), "the sample job did not finish"
    ok, layer = drawn[0]
    assert ok and tab.sample_combo.currentLayer() is layer and layer.featureCount() == 20
    # styled by the .qml beside it: coloured by the reference label, not by the map class
    assert layer.renderer().type() == "categorizedSymbol" and layer.renderer().classAttribute() == "reference"
    assert [b.text() for b in tab.class_buttons.values()] == ["forest", "cleared"]
    # the class map is not offered as an image to look at (blind labelling)
    assert [tab.images_list.item(i).text() for i in range(tab.images_list.count())] == ["after"]
    tab.choose_images([image_layer])
    tab.label_button.setChecked(True)
    assert tab.is_labelling() and visible(image_layer) and visible(layer) and not visible(map_layer)
    assert tab.label_progress.text() == "0 of 20 labelled"
    truth = map_classes_by_id(out)
    for _ in range(20):  # every point labelled with its map class: a perfect map
        tab.class_buttons[truth[tab.labelling.current.id]].click()
    assert tab.label_progress.text() == "20 of 20 labelled"
    assert saved_references(out) == truth
    tab.label_button.setChecked(False)
    assert visible(map_layer) and visible(image_layer)
    report_path = tmp_path / "sample_report.json"
    assert tab.assess_form.value("out") == str(report_path)  # proposed beside the sample
    assessed = []
    tab.assessed.connect(lambda ok, report: assessed.append((ok, report)))
    assert tab.start_assessment() is not None
    assert wait_until(lambda: assessed, 120), "the assess job did not finish"
    ok, report = assessed[0]
    assert ok and report["overall_accuracy"] == pytest.approx(1.0)
    assert tab.overall_label.text().startswith("Overall accuracy 1.00 ± 0.00")
    table = tab.assess_table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert [row[0] for row in rows] == ["forest", "cleared"]
    for row, cls in zip(rows, report["classes"]):
        assert row[1] == f"{cls['map_area_ha']:,.0f}"
        assert row[2] == f"{cls['area_ha']:,.0f} ± {cls['area_ci95_ha']:,.0f}" and row[3] == "1.00 ± 0.00"
    assert tab.summary_image.path == str(tmp_path / "sample_report_summary.png")
    assert not tab.summary_image.pixmap().isNull()
    # with its class buttons, the result table and the summary, the tab still fits the default dock width
    tab.label_button.setChecked(True)
    _laid_out(dock)
    assert_tab_fits(dock, dock.pages.index(tab))
    assert tab.summary_image.pixmap().width() == tab.summary_image.width() <= tab.width()


def test_label_skip_previous_and_first_unlabelled_are_saved_as_they_go(dock, clean_project, class_map, tmp_path):
    from claro.plugin.layers import add_sample_layer

    out = draw_in_process(class_map, tmp_path / "sample.gpkg")
    clean_project.addMapLayer(QgsRasterLayer(str(class_map), "classes"))
    tab = dock.assess_tab
    layer = add_sample_layer(out)
    tab.sample_combo.setLayer(layer)
    tab.label_button.setChecked(True)
    assert tab.labelling.current.id == 1
    assert tab.point_info.text().startswith("Point 1 of 20 (id 1)\nNot labelled")
    tab.class_buttons[1].click()                     # id 1 → cleared
    tab.class_buttons[0].click()                     # id 2 → forest
    tab.skip_button.click()                          # id 3: unsure
    assert tab.labelling.current.id == 4
    tab.previous_button.click()
    assert tab.point_info.text().startswith("Point 3 of 20 (id 3)\nSkipped (no label)")
    tab.previous_button.click()
    assert tab.point_info.text().startswith("Point 2 of 20 (id 2)\nLabelled: forest")
    tab.class_buttons[1].click()                     # id 2 relabelled cleared
    assert tab.label_progress.text() == "2 of 20 labelled, 1 skipped"
    saved = saved_references(out)                    # read by OGR while the layer is still open in QGIS
    assert saved[1] == 1 and saved[2] == 1 and saved[3] is None
    assert all(saved[i] is None for i in range(4, 21))
    assert not layer.isEditable() and not layer.isModified()  # nothing waits in an edit session
    tab.next_button.click()                          # id 4, nothing written
    tab.first_unlabelled_button.click()              # the first without a label that was not skipped
    assert tab.labelling.current.id == 4
    tab.labelling.go(0)
    tab.skip_button.click()                          # skip removes a label the analyst is now unsure of
    assert saved_references(out)[1] is None
    assert tab.label_progress.text() == "1 of 20 labelled, 2 skipped"
    # a fresh tab on the same file finds the labels (nothing was kept only in memory)
    tab.label_button.setChecked(False)
    tab.sample_combo.setLayer(None)
    tab.sample_combo.setLayer(layer)
    tab.label_button.setChecked(True)
    assert tab.label_progress.text() == "1 of 20 labelled"
    assert tab.labelling.current.id == 1             # the first unlabelled point


def test_blind_labelling_hides_the_map_class_until_asked(dock, qgis_iface, clean_project, class_map, image, tmp_path):
    from claro.plugin.layers import add_sample_layer

    out = draw_in_process(class_map, tmp_path / "sample.gpkg")
    map_layer, image_layer = QgsRasterLayer(str(class_map), "classes"), QgsRasterLayer(str(image), "before")
    clean_project.addMapLayers([image_layer, map_layer])
    tab = dock.assess_tab
    layer = add_sample_layer(out)
    tab.sample_combo.setLayer(layer)
    assert tab.map_combo.currentLayer() is map_layer  # found from the map the sample was drawn from
    tab.choose_images([image_layer])
    tab.label_button.setChecked(True)
    truth = map_classes_by_id(out)
    widgets = [layer.editorWidgetSetup(layer.fields().indexOf(name)).type() for name in ("map_class", "map_class_name")]
    assert widgets == ["Hidden", "Hidden"]  # not in QGIS's attribute form, table and Identify results
    canvas = qgis_iface.mapCanvas()
    for _ in range(3):
        current = tab.labelling.current.id
        point = layer.getFeature(tab.labelling.current.fid).geometry().asPoint()
        assert canvas.center().x() == pytest.approx(point.x()) and canvas.center().y() == pytest.approx(point.y())
        assert canvas.scale() == pytest.approx(2000, rel=0.01)
        shown = label_texts(tab)
        assert "Map class" not in shown and ("forest" not in shown and "cleared" not in shown), shown
        assert not visible(map_layer) and visible(image_layer)
        tab.show_map_check.setChecked(True)
        name = CLASSES[truth[current]]["name"]
        assert f"Map class: {name}" in tab.point_info.text() and visible(map_layer)
        assert layer.editorWidgetSetup(layer.fields().indexOf("map_class")).type() != "Hidden"
        tab.show_map_check.setChecked(False)
        assert "Map class" not in tab.point_info.text() and not visible(map_layer)
        tab.next_button.click()
    tab.label_button.setChecked(False)
    assert visible(map_layer) and [layer.editorWidgetSetup(layer.fields().indexOf(n)).type() for n in ("map_class", "map_class_name")] == ["", ""]
    # the points' style never draws the map class: every unlabelled point has the same symbol
    from qgis.core import QgsRenderContext

    renderer, context = layer.renderer(), QgsRenderContext()
    renderer.startRender(context, layer.fields())
    colours = {renderer.symbolForFeature(f, context).color().name() for f in layer.getFeatures()}
    renderer.stopRender(context)
    assert colours == {"#ffffff"}


def test_class_buttons_carry_the_map_names_and_colours_and_the_tab_fits(dock, clean_project, class_map, tmp_path):
    from claro.plugin.layers import add_sample_layer

    out = draw_in_process(class_map, tmp_path / "sample.gpkg")
    tab = dock.assess_tab
    tab.sample_combo.setLayer(add_sample_layer(out))  # the map is not in the project: read from the sample's metadata
    assert [(b.text(), b.property("classColor")) for b in tab.class_buttons.values()] == \
        [("forest", "#1a9641"), ("cleared", "#d7191c")]
    assert all(not b.isEnabled() for b in tab.class_buttons.values())  # until labelling starts
    tab.label_button.setChecked(True)
    assert all(b.isEnabled() for b in tab.class_buttons.values())
    assert tab.scale_spin.value() == 2000 and tab.scale_spin.text() == "1:2,000"


def test_a_layer_that_is_not_a_sample_is_said_in_a_sentence(dock, clean_project, tmp_path):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string", "towns", "memory")
    clean_project.addMapLayer(layer)
    tab = dock.assess_tab
    tab.sample_combo.setLayer(layer)
    tab.label_button.setChecked(True)
    assert not tab.is_labelling() and not tab.label_button.isChecked()
    assert "are not known; choose its class map (Class map)" in tab.label_status.text()


def test_a_thin_stratum_is_said_in_the_notes_and_the_summary_opens_on_click(dock, clean_project, class_map, tmp_path,
                                                                            monkeypatch):
    """One 'cleared' point labelled: no interval can be given, and the tab says why (the report's
    notes) instead of printing a number; clicking the summary opens the PNG."""
    import json

    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    from claro.backend import assess
    from claro.backend.progress import Progress
    from claro.plugin.layers import add_sample_layer
    from claro.plugin.tabs import assess as assess_tab

    out = draw_in_process(class_map, tmp_path / "sample.gpkg")
    tab = dock.assess_tab
    tab.sample_combo.setLayer(add_sample_layer(out))
    tab.label_button.setChecked(True)
    truth, labelled = map_classes_by_id(out), {0: 0, 1: 0}
    while labelled[1] < 1 or labelled[0] < 3:
        value = truth[tab.labelling.current.id]
        if labelled[value] < (1 if value else 3):
            tab.class_buttons[value].click()
            labelled[value] += 1
        else:
            tab.next_button.click()
    report_path = tmp_path / "report.json"
    assess.run(P.AssessParams(map=str(class_map), sample=str(out), out=str(report_path)), Progress("json", io.StringIO()))
    tab.show_report(json.loads(report_path.read_text()), str(assess.png_path(report_path)))
    assert "Class 'cleared' has 1 labelled point, and a variance needs at least 2" in tab.notes_label.text()
    assert tab.overall_label.text() == "Overall accuracy 1.00 (no confidence interval: see the notes)"
    cleared = [tab.assess_table.item(1, c).text() for c in range(5)]
    assert cleared[0] == "cleared" and "±" not in cleared[2] + cleared[3]
    opened = []
    monkeypatch.setattr(assess_tab.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    QTest.mouseClick(tab.summary_image, Qt.LeftButton)
    assert opened == [str(tmp_path / "report_summary.png")]
