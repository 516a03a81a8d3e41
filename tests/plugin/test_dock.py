"""The dock: layer combos fill from the project and filter layer types, the class table fills from
the label values, layers that are not files are exported or refused with a sentence, the
widgets give the exact backend command line, settings are remembered, and a backend error
reaches the message bar."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from osgeo import ogr
from qgis.core import (Qgis, QgsFeature, QgsGeometry, QgsRasterLayer, QgsVectorFileWriter, QgsVectorLayer,
                       QgsCoordinateTransformContext)
from qgis.PyQt.QtWidgets import QMessageBox

from claro.backend import params as P
from claro.plugin.dock import ClaroDock
from claro.plugin.sources import SourceError


def combo_names(combo) -> list[str]:
    return sorted(combo.itemText(i) for i in range(combo.count()) if combo.itemText(i))


def memory_layer(kind: str, name: str, features: list[tuple[str, int]]) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{kind}?crs=EPSG:4326&field=cls:integer", name, "memory")
    batch = []
    for wkt, value in features:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        feature.setAttributes([value])
        batch.append(feature)
    layer.dataProvider().addFeatures(batch)
    return layer


POLYGONS = [("POLYGON((0 0, 1 0, 1 1, 0 0))", 1), ("POLYGON((2 2, 3 2, 3 3, 2 2))", 3), ("POLYGON((4 4, 5 4, 5 5, 4 4))", 3)]


def test_combos_fill_from_the_project_and_filter_layer_types(dock, clean_project, amazon_crop):
    image, mask = amazon_crop
    clean_project.addMapLayers([
        QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask"),
        memory_layer("Polygon", "polygons", POLYGONS), memory_layer("Point", "points", [("POINT(0 0)", 1)]),
        memory_layer("LineString", "lines", [("LINESTRING(0 0, 1 1)", 1)])])
    assert combo_names(dock.image_combo) == ["image", "mask"]
    assert combo_names(dock.label_combo) == ["image", "mask", "polygons"]
    assert combo_names(dock.predict_combo) == ["image", "mask"]
    clean_project.removeMapLayer(clean_project.mapLayersByName("polygons")[0].id())
    assert combo_names(dock.label_combo) == ["image", "mask"]


def test_class_table_fills_from_raster_label_values_and_keeps_edited_names(dock, clean_project, amazon_crop):
    image, mask = amazon_crop
    mask_layer = QgsRasterLayer(str(mask), "mask")
    clean_project.addMapLayers([QgsRasterLayer(str(image), "image"), mask_layer])
    dock.label_combo.setLayer(mask_layer)
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1]
    dock.class_table.item(0, 1).setText("forest")
    dock.class_table.cellWidget(1, 2).setColor(dock.class_table.cellWidget(1, 2).color().fromRgb(215, 25, 28))
    dock.class_table.item(1, 1).setText("cleared")
    dock.fill_classes(keep_names=True)
    assert dock.class_table.classes() == [{"value": 0, "name": "forest", "color": "#1a9641"},
                                          {"value": 1, "name": "cleared", "color": "#d7191c"}]


def test_vector_labels_use_the_class_field_and_the_background(dock, clean_project):
    polygons = memory_layer("Polygon", "polygons", POLYGONS)
    clean_project.addMapLayer(polygons)
    dock.label_combo.setLayer(polygons)
    assert dock.class_field_combo.isEnabled()
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1]  # no field: polygons are class 1
    dock.class_field_combo.setField("cls")
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1, 3]
    dock.patch_form.widget("background").setText("ignore")
    dock.fill_classes()
    assert [c["value"] for c in dock.class_table.classes()] == [1, 3]


def test_dock_builds_the_exact_command_line_and_exports_a_memory_layer(dock, clean_project, amazon_crop, tmp_path):
    image, _mask = amazon_crop
    image_layer = QgsRasterLayer(str(image), "image")
    polygons = memory_layer("Polygon", "drawn labels", POLYGONS)
    clean_project.addMapLayers([image_layer, polygons])
    dock.image_combo.setLayer(image_layer)
    dock.label_combo.setLayer(polygons)
    dock.class_field_combo.setField("cls")
    assert dock.data_message.text() == "" and dock.class_table.rowCount() == 3
    dock.class_table.item(1, 1).setText("logging road")
    dock.patch_form.set_value("out", str(tmp_path / "patches"))
    dock.patch_form.set_value("patch_size", 64)
    dock.patch_form.widget("bands").setText("3,2,1")
    dock.train_form.set_value("out", str(tmp_path / "model.keras"))
    dock.train_form.set_value("epochs", 2)
    dock.train_form.set_value("augment", False)

    patches = dock.patch_params()
    labels = patches.labels[0]
    assert labels.endswith(".gpkg") and labels != polygons.source()
    exported = ogr.Open(labels)
    assert exported.GetLayerCount() == 1 and exported.GetLayer(0).GetFeatureCount() == 3
    assert P.command_line(patches) == [
        "patches", "--image", str(image), "--labels", labels, "--out", str(tmp_path / "patches"),
        "--class-field", "cls", "--patch-size", "64", "--bands", "3,2,1",
        "--classes", "0:class 0:#1a9641,1:logging road:#d7191c,3:class 3:#fdae61"]
    assert P.command_line(dock.train_params()) == [
        "train", "--data", str(tmp_path / "patches"), "--out", str(tmp_path / "model.keras"), "--epochs", "2",
        "--no-augment"]
    dock.train_advanced.set_value("tensorboard", str(tmp_path / "runs" / "first"))  # Advanced: TensorBoard folder
    assert P.command_line(dock.train_params())[-3:] == ["--no-augment", "--tensorboard", str(tmp_path / "runs" / "first")]


def test_a_file_layer_is_passed_by_path_and_a_filtered_one_exported(dock, clean_project, tmp_path):
    path = tmp_path / "labels.gpkg"
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    QgsVectorFileWriter.writeAsVectorFormatV2(memory_layer("Polygon", "l", POLYGONS), str(path),
                                              QgsCoordinateTransformContext(), options)
    layer = QgsVectorLayer(str(path), "labels", "ogr")
    assert layer.isValid()
    from claro.plugin.sources import backend_path

    assert backend_path(layer, tmp_path / "x") == str(path)
    layer.setSubsetString('"cls" = 3')
    (tmp_path / "x").mkdir()
    exported = backend_path(layer, tmp_path / "x")
    assert exported != str(path) and ogr.Open(exported).GetLayer(0).GetFeatureCount() == 2


def test_a_web_layer_is_refused_with_a_sentence_in_the_message_bar(dock, qgis_iface, clean_project, tmp_path):
    xyz = QgsRasterLayer("type=xyz&url=https://tile.openstreetmap.org/{z}/{x}/{y}.png&zmax=19&zmin=0", "OSM", "wms")
    assert xyz.isValid()
    clean_project.addMapLayer(xyz)
    dock.predict_combo.setLayer(xyz)
    dock.predict_form.set_value("model", str(tmp_path / "m.keras"))
    dock.predict_form.set_value("out", str(tmp_path / "c.tif"))
    with pytest.raises(SourceError, match="web layer"):
        dock.predict_params()
    assert dock.start_prediction() is None
    messages = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any("'OSM' is a web layer" in m for m in messages)
    assert not (tmp_path / "c.tif").exists()


def test_settings_are_remembered_for_the_next_dock(qgis_iface, claro_settings, clean_project, amazon_crop, tmp_path):
    image, mask = amazon_crop
    clean_project.addMapLayers([QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")])
    first = ClaroDock(qgis_iface, settings=claro_settings)
    first.image_combo.setLayer(clean_project.mapLayersByName("image")[0])
    first.label_combo.setLayer(clean_project.mapLayersByName("mask")[0])
    (tmp_path / "patches").mkdir()
    (tmp_path / "patches" / "old.txt").write_text("keep me")
    first.patch_form.set_value("out", str(tmp_path / "patches"))
    first.patch_form.set_value("patch_size", 96)
    first.train_form.set_value("out", str(tmp_path / "model.keras"))
    first.train_form.set_value("base_filters", 8)
    first.class_table.item(0, 1).setText("forest")
    # One run's decisions: never carried into the next session.
    first.patch_form.set_value("overwrite", True)
    first.train_form.set_value("overwrite", True)
    first.train_advanced.set_value("resume", True)
    task = first.start_training()
    assert task is not None
    first.cancel()
    second = ClaroDock(qgis_iface, settings=claro_settings)
    assert second.patch_form.value("patch_size") == 96
    assert second.train_form.value("base_filters") == 8
    assert second.train_form.value("out") == str(tmp_path / "model.keras")
    assert second.patch_form.value("out") == str(tmp_path / "patches")
    assert not second.patch_form.value("overwrite") and not second.train_form.value("overwrite")
    assert not second.train_advanced.value("resume")
    second.label_combo.setLayer(clean_project.mapLayersByName("mask")[0])
    assert second.class_table.classes()[0]["name"] == "forest"
    for widget in (first, second):
        widget.shutdown()
        widget.deleteLater()


def test_a_backend_error_reaches_the_message_bar(dock, qgis_iface, clean_project, amazon_crop, tmp_path, wait_until):
    """The patches folder holds a user's file: the backend refuses with one sentence (even with
    Overwrite ticked), which must reach the message bar (details in the log panel), and nothing
    is overwritten."""
    image, mask = amazon_crop
    clean_project.addMapLayers([QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")])
    dock.image_combo.setLayer(clean_project.mapLayersByName("image")[0])
    dock.label_combo.setLayer(clean_project.mapLayersByName("mask")[0])
    (tmp_path / "patches").mkdir()
    (tmp_path / "patches" / "old.txt").write_text("keep me")
    dock.patch_form.set_value("out", str(tmp_path / "patches"))
    dock.patch_form.set_value("overwrite", True)
    dock.train_form.set_value("out", str(tmp_path / "model.keras"))
    finished = []
    dock.trainingFinished.connect(lambda ok, outputs: finished.append(ok))
    assert dock.start_training() is not None
    assert wait_until(lambda: finished, 120)
    assert finished == [False]
    messages = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any("holds files Claro did not write" in m for m in messages), messages
    assert (tmp_path / "patches" / "old.txt").read_text() == "keep me"
    assert not (tmp_path / "model.keras").exists()
    assert dock.train_button.isEnabled() and not dock.train_cancel.isEnabled()
    assert "tensorflow" not in sys.modules


def test_a_raster_that_is_not_a_file_is_exported_for_its_class_values(dock, clean_project, amazon_crop, tmp_path):
    """A label raster with no file on disk (GDAL's in-memory /vsimem/) is exported to a temporary
    GeoTIFF, so its class values still fill the table."""
    from osgeo import gdal

    _image, mask = amazon_crop
    gdal.Translate("/vsimem/claro-labels.tif", str(mask))
    layer = QgsRasterLayer("/vsimem/claro-labels.tif", "in-memory labels")
    assert layer.isValid()
    clean_project.addMapLayer(layer)
    dock.label_combo.setLayer(layer)
    assert dock.data_message.text() == ""
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1]
    gdal.Unlink("/vsimem/claro-labels.tif")


def test_the_environment_tab_probes_the_tensorflow_python(dock, wait_until):
    dock.show_tab(dock.setup_tab)
    assert wait_until(lambda: "TensorFlow 2.21.0 on" in dock.env_info.text(), 180), dock.env_info.text()
    assert dock.interpreter() in dock.env_info.text()
    assert "tensorflow" not in sys.modules


def test_the_dock_shows_the_patches_per_split_after_cutting(dock, clean_project, amazon_crop, tmp_path, wait_until):
    """The patches job's counts are shown as soon as it ends, before training (which here is
    refused at once: --resume without a checkpoint), and stay shown after the failure."""
    import json

    image, mask = amazon_crop
    clean_project.addMapLayers([QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")])
    dock.image_combo.setLayer(clean_project.mapLayersByName("image")[0])
    dock.label_combo.setLayer(clean_project.mapLayersByName("mask")[0])
    dock.patch_form.set_value("out", str(tmp_path / "patches"))
    dock.patch_form.set_value("patch_size", 32)
    dock.train_form.set_value("out", str(tmp_path / "model.keras"))
    dock.train_advanced.set_value("resume", True)
    finished = []
    dock.trainingFinished.connect(lambda ok, outputs: finished.append(ok))
    assert dock.start_training() is not None
    assert dock.patch_counts.text() == ""
    assert wait_until(lambda: finished, 120)
    assert finished == [False] and "no interrupted training to resume" in dock.train_status.text()
    # said in the dock's words, not the command line's
    assert dock.train_status.text().endswith("train with Resume unticked in Train ▸ Advanced."), dock.train_status.text()
    counts = json.loads((tmp_path / "patches" / "dataset.json").read_text())["counts"]
    assert min(counts.values()) > 0
    assert dock.patch_counts.text() == "Patches: train {train}, validation {validation}, test {test}".format(**counts)


def test_a_large_label_raster_is_read_in_the_background_sample_first(dock, clean_project, tmp_path, wait_until):
    """8000² labels: choosing the layer reads no pixel on the GUI thread; a bounded sample of
    blocks, read in a task, fills the table (a rare value in a sampled block included), then a
    full read in a task adds a value that only an unsampled block holds."""
    import threading

    from claro.backend import labels
    from georaster import write_large_labels

    windows = labels.sample_windows(8000, 8000, 256, 256)
    sampled = {(x // 256, y // 256) for x, y, _, _ in windows}
    x, y, _, _ = windows[len(windows) // 3]
    unsampled = next((c, r) for r in range(31) for c in range(31) if (c, r) not in sampled)
    spots = {(0, 0, 8000, 40): 1, (x + 50, y + 60, 2, 2): 7,
             (unsampled[0] * 256 + 10, unsampled[1] * 256 + 10, 1, 1): 12}
    layer = QgsRasterLayer(str(write_large_labels(tmp_path / "large.tif", 8000, spots)), "large labels")
    reads = []  # (pixels read, on the GUI thread?)
    original = labels.sample_raster_values

    def counting(*args, **kwargs):
        sample = original(*args, **kwargs)
        reads.append((sample.pixels_read, threading.current_thread() is threading.main_thread()))
        return sample

    labels.sample_raster_values = counting
    try:
        clean_project.addMapLayer(layer)  # the combo picks it: the read starts
        dock.label_combo.setLayer(layer)
        assert dock.class_table.rowCount() == 0 and dock.data_message.text() == "Reading label values…"
        assert wait_until(lambda: dock.class_table.rowCount() > 0, 120)
        assert [c["value"] for c in dock.class_table.classes()] == [0, 1, 7]
        assert reads == [(sum(w * h for _, _, w, h in windows), False)]
        assert reads[0][0] <= labels.MAX_SAMPLE_PIXELS
        assert dock.data_message.text() == "Classes from 6% of the label raster; reading the rest…"
        dock.class_table.item(2, 1).setText("rare")
        assert wait_until(lambda: dock.class_table.rowCount() == 4, 300)
        assert reads[1] == (64_000_000, False)
    finally:
        labels.sample_raster_values = original
    assert [(c["value"], c["name"]) for c in dock.class_table.classes()] == [(0, "class 0"), (1, "class 1"), (7, "rare"),
                                                                           (12, "class 12")]
    assert dock.data_message.text() == ""


def test_a_read_for_a_layer_no_longer_chosen_is_dropped(dock, clean_project, amazon_crop, tmp_path, wait_until):
    from georaster import write_large_labels

    _image, mask = amazon_crop
    large = QgsRasterLayer(str(write_large_labels(tmp_path / "large.tif", 4000, {(0, 0, 5, 5): 9})), "large labels")
    small = QgsRasterLayer(str(mask), "mask")
    clean_project.addMapLayers([large, small])
    dock.label_combo.setLayer(large)
    assert dock.data_message.text() == "Reading label values…"
    tasks = list(dock._values_tasks)
    dock.label_combo.setLayer(small)  # before the large one's values arrive
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1]
    assert wait_until(lambda: not dock._values_tasks, 120)
    assert tasks and all(t not in dock._values_tasks for t in tasks)
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1] and dock.data_message.text() == ""


def test_class_values_outside_0_254_are_refused_in_the_dock_as_in_patches(dock, clean_project, tmp_path):
    from georaster import ORIGIN, write_raster
    import numpy as np
    from osgeo import gdal

    corine = np.array([111, 211, 311, 512], np.uint16)[np.arange(40 * 40) % 4].reshape(40, 40)
    path = write_raster(tmp_path / "corine.tif", corine, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10), gdal_type=gdal.GDT_UInt16)
    layer = QgsRasterLayer(str(path), "corine")
    clean_project.addMapLayer(layer)
    dock.label_combo.setLayer(layer)
    assert dock.class_table.rowCount() == 0
    message = dock.data_message.text()
    assert message.startswith("The label values 311, 512 in the label layer 'corine' are outside the class values 0–254")
    assert "Reclassify by table" in message
    signed = np.zeros((40, 40), np.int16)
    signed[:5] = -1  # no data by the shared rule
    signed[5:8] = 1
    path = write_raster(tmp_path / "signed.tif", signed, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10), gdal_type=gdal.GDT_Int16)
    layer = QgsRasterLayer(str(path), "signed")
    clean_project.addMapLayer(layer)
    dock.label_combo.setLayer(layer)
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1] and dock.data_message.text() == ""


# ---------------------------------------------------------------- the environment (fake interpreters)
@pytest.fixture
def no_probes_kept():
    from claro.plugin import environment

    environment.forget()
    yield
    environment.forget()


@pytest.fixture
def profile_venv(tmp_path, monkeypatch):
    """The profile's venv folder, in tmp_path (nothing there yet)."""
    from claro.plugin import environment

    venv = tmp_path / "profile" / "claro" / "venv"
    monkeypatch.setattr(environment, "profile_venv", lambda: venv)
    return venv


def test_a_python_without_tensorflow_refuses_every_job_with_a_sentence_and_a_way_to_the_tab(
        dock, qgis_iface, tmp_path, wait_until, no_probes_kept):
    """The walkthrough's Python had neither TensorFlow nor GDAL: Train and Predict must not start
    (no child, no 'No module named osgeo'), the sentence says it in the dock's words, the banner
    on every tab has a button to the Setup tab, and the probe runs once, not per click."""
    from fake_python import calls, fake_python

    python = fake_python(tmp_path / "bin", "python3", probe={"tensorflow": None, "gdal": None})
    dock.interpreter_widget.setFilePath(str(python))
    assert dock.settings.interpreter == str(python)
    for _ in range(2):
        assert dock.start_training() is None
        assert dock.start_prediction() is None
    assert dock.task is None
    sentence = (f"The Python '{python}' has no TensorFlow or GDAL's Python bindings, so Claro cannot run with it: "
                f"create a TensorFlow environment or choose another Python in Claro's {dock.setup_tab.title} tab.")
    assert sum(sentence in m for m in qgis_iface.messageBar().get_messages(Qgis.Critical)) == 4
    assert wait_until(lambda: "No TensorFlow" in dock.env_info.text(), 30)
    assert calls(python) == ["-m claro.backend.probe"]  # remembered: one probe for four clicks
    assert not dock.banner.isHidden()
    assert dock.banner.text() == ("Claro's Python has no TensorFlow or GDAL's Python bindings, so Claro cannot train or "
                                  "predict yet.")
    dock.tabs.setCurrentIndex(0)
    dock.banner.details_button.click()
    assert dock.tabs.currentIndex() == dock.pages.index(dock.setup_tab)
    dock.check_button.click()  # Check: a new probe
    assert wait_until(lambda: len(calls(python)) == 2, 30)


def test_the_banner_shows_on_every_tab_until_a_working_python_is_chosen(
        qgis_iface, claro_settings, clean_project, tmp_path, wait_until, monkeypatch, no_probes_kept):
    from fake_python import fake_python

    from claro.plugin import environment

    monkeypatch.setattr(environment, "find_interpreter", lambda configured="": Path(configured) if configured else None)
    widget = ClaroDock(qgis_iface, settings=claro_settings)
    try:
        assert not widget.banner.isHidden()
        assert widget.banner.text() == "No Python with TensorFlow and GDAL was found, so Claro cannot train or predict yet."
        assert (widget.banner.create_button.text(), widget.banner.choose_button.text()) == ("Create…", "Choose a Python…")
        assert widget.banner.parent() is widget.widget() and widget.tabs.parent() is widget.widget()  # above every tab
        good = fake_python(tmp_path / "env" / "bin", "python")
        chosen = []

        def choose(*args, **kwargs):
            chosen.append(args)
            return str(good), ""

        monkeypatch.setattr("claro.plugin.tabs.setup.QFileDialog.getOpenFileName", choose)
        widget.banner.choose_button.click()
        assert len(chosen) == 1 and widget.tabs.currentIndex() == widget.pages.index(widget.setup_tab)
        assert widget.interpreter() == str(good) and claro_settings.interpreter == str(good)
        assert wait_until(lambda: widget.banner.isHidden(), 30), widget.banner.text()
        assert "TensorFlow 2.21.0 on CPU only" in widget.env_info.text()
    finally:
        widget.shutdown()
        widget.deleteLater()


def test_create_asks_before_downloading_and_no_installs_nothing(dock, monkeypatch, profile_venv):
    """The real button: clicked(False) must not reach create_environment as confirm=False."""
    from claro.plugin import environment

    asked, built = [], []
    monkeypatch.setattr("claro.plugin.tabs.setup.QMessageBox.question",
                        lambda parent, title, text, *rest: asked.append(text) or QMessageBox.No)
    monkeypatch.setattr(environment, "CreateEnvironmentTask", lambda *args, **kwargs: built.append(args))
    dock.create_button.click()
    assert len(asked) == 1 and "This downloads several hundred MB" in asked[0] and str(profile_venv) in asked[0]
    assert built == [] and dock.env_task is None and not profile_venv.exists()
    dock.banner.create_button.click()  # the banner's Create… asks too
    assert len(asked) == 2 and built == []


def test_create_offers_dask_and_onnx_as_optional_extras(dock, monkeypatch, profile_venv, tmp_path, wait_until,
                                                        no_probes_kept):
    """The ticked extras are named in the question and reach the install steps (a fake install here)."""
    from fake_python import fake_python

    from claro.plugin import environment

    template = fake_python(tmp_path / "template", "python")
    asked, requested = [], []

    def fake_steps(venv, gpu, python=None, repair=False, extras=()):
        requested.append(list(extras))
        return [("Creating the environment", ["sh", "-c", f"mkdir -p '{venv}/bin' && cp '{template}' '{venv}/bin/python'"])]

    monkeypatch.setattr(environment, "install_steps", fake_steps)
    monkeypatch.setattr("claro.plugin.tabs.setup.QMessageBox.question",
                        lambda parent, title, text, *rest: asked.append(text) or QMessageBox.Yes)
    checks = dock.setup_tab.extra_checks
    assert [checks[e].text() for e in ("dask", "onnx")] == ["Dask (prediction on a cluster)",
                                                           "ONNX export (for Deepness)"]
    assert not any(check.isChecked() for check in checks.values())  # optional: nothing extra unless ticked
    checks["dask"].setChecked(True)
    dock.create_button.click()
    assert "dask==2026.8.0, distributed==2026.8.0" in asked[0] and "onnx" not in asked[0]
    assert wait_until(lambda: dock.env_task is None, 60)
    assert requested == [["dask"]] and environment.environment_state(profile_venv) == "complete"


def test_cancel_leaves_an_incomplete_environment_offered_for_repair_and_remove(
        dock, qgis_iface, monkeypatch, profile_venv, tmp_path, wait_until, no_probes_kept):
    """Create with a fake 'pip' that hangs: Cancel stops it; the half-made environment is shown
    as incomplete, never selected; Repair reinstalls into it and only then it is used; a
    half-made one Claro made can be removed."""
    from fake_python import fake_python

    from claro.plugin import environment

    template = fake_python(tmp_path / "template", "python")
    hang = {"value": True}
    requested = []

    def fake_steps(venv, gpu, python=None, repair=False, extras=()):
        requested.append(repair)
        pip = "echo downloading; sleep 120" if hang["value"] else "echo installed"
        return [("Creating the environment", ["sh", "-c", f"mkdir -p '{venv}/bin' && cp '{template}' '{venv}/bin/python'"]),
                ("Installing tensorflow", ["sh", "-c", pip])]

    monkeypatch.setattr(environment, "install_steps", fake_steps)
    monkeypatch.setattr("claro.plugin.tabs.setup.QMessageBox.question", lambda *args: QMessageBox.Yes)
    python = environment.venv_python(profile_venv)
    dock.create_button.click()
    assert dock.env_task is not None and not dock.env_cancel.isHidden()
    assert wait_until(lambda: "downloading" in dock.env_log.toPlainText(), 60)
    dock.env_cancel.click()
    assert wait_until(lambda: dock.env_task is None, 15)
    assert environment.environment_state(profile_venv) == "incomplete" and python.is_file()
    assert dock.env_cancel.isHidden() and not dock.env_state.isHidden()
    assert "is incomplete" in dock.env_state.text()
    assert not dock.repair_button.isHidden() and not dock.remove_button.isHidden()
    assert not dock.create_button.isEnabled()
    assert dock.interpreter() != str(python)  # never selected silently
    assert any("left incomplete" in m for m in qgis_iface.messageBar().get_messages(Qgis.Warning))

    hang["value"] = False
    dock.interpreter_widget.setFilePath(str(tmp_path / "old" / "python"))  # chosen before: the new environment replaces it
    dock.repair_button.click()
    assert wait_until(lambda: dock.env_task is None, 60)
    assert requested == [False, True]
    assert environment.environment_state(profile_venv) == "complete"
    assert dock.env_state.isHidden() and dock.repair_button.isHidden() and dock.create_button.isEnabled()
    assert dock.interpreter() == str(python)
    assert wait_until(lambda: str(python) in dock.env_info.text() and "TensorFlow 2.21.0" in dock.env_info.text(), 30)

    (profile_venv / environment.COMPLETE_MARKER).unlink()  # as a crash during a repair would leave it
    dock.check_environment()
    assert not dock.remove_button.isHidden()
    dock.remove_button.click()
    assert not profile_venv.exists() and dock.env_state.isHidden()


def test_remove_is_not_offered_for_a_folder_claro_did_not_mark(dock, profile_venv):
    (profile_venv / "bin").mkdir(parents=True)
    dock.check_environment()
    assert not dock.repair_button.isHidden() and dock.remove_button.isHidden()


#: the width QGIS gives a new dock on the right of the main window
DEFAULT_DOCK_WIDTH = 300


def _laid_out(dock, width: int = DEFAULT_DOCK_WIDTH):
    """The dock shown at `width` with every collapsible section open (Advanced must fit too)."""
    from qgis.gui import QgsCollapsibleGroupBox
    from qgis.PyQt.QtCore import QCoreApplication

    for box in dock.findChildren(QgsCollapsibleGroupBox):
        box.setCollapsed(False)
    dock.resize(width, 900)
    dock.show()
    for _ in range(3):
        QCoreApplication.processEvents()
    return dock


def test_every_tab_fits_the_default_dock_width(dock):
    """At 300 px every tab label shows without scroll arrows and, on every tab, every visible
    widget lies inside the visible width (no horizontal scrolling, no cut-off button)."""
    dock.setup_tab._env_checked = True  # no background probe of the Python: this test is about the layout
    _laid_out(dock)
    bar = dock.tabs.tabBar()
    assert [bar.tabRect(i).right() <= bar.width() for i in range(bar.count())] == [True] * bar.count(), \
        [(bar.tabText(i), bar.tabRect(i).right(), bar.width()) for i in range(bar.count())]
    for index in range(dock.tabs.count()):
        assert_tab_fits(dock, index)


def test_the_data_tabs_tfrecord_choice_fits_the_default_dock_width(dock):
    """A folder of Earth Engine TFRecords: the folder, the describe options (Advanced open), Describe
    and Cancel, and the summary of a described export with long band names, all inside 300 px."""
    dock.setup_tab._env_checked = True
    dock.tfrecord_radio.setChecked(True)
    dock.dataset_summary.setText("Classes: 0 class 0, 1 class 1, 2 class 2\nBands: B2, B3, B4, B8, VV_p50, VH_p50, elevation")
    _laid_out(dock)
    assert not dock.describe_button.isHidden() and not dock.describe_advanced.isHidden()
    assert_tab_fits(dock, dock.pages.index(dock.data_tab))


def assert_tab_fits(dock, index: int) -> None:
    """Tab `index` of a laid-out dock: every visible widget inside the visible width."""
    from qgis.PyQt.QtCore import QCoreApplication, QPoint
    from qgis.PyQt.QtWidgets import QWidget

    dock.tabs.setCurrentIndex(index)
    QCoreApplication.processEvents()
    area = dock.tabs.widget(index)
    viewport = area.viewport()
    assert area.widget().width() <= viewport.width(), (dock.tabs.tabText(index), area.widget().width(), viewport.width())
    outside = []
    for child in area.widget().findChildren(QWidget):
        if not child.isVisibleTo(area.widget()) or child.width() == 0:
            continue
        left = child.mapTo(viewport, QPoint(0, 0)).x()
        if left < 0 or left + child.width() > viewport.width():
            outside.append((type(child).__name__, child.objectName(), left, left + child.width()))
    assert not outside, (dock.tabs.tabText(index), viewport.width(), outside)


def test_a_band_count_the_model_cannot_read_is_said_before_the_job_starts(dock, qgis_iface, clean_project,
                                                                            amazon_crop, tmp_path):
    """The model card says the model was trained on 4-band images; the chosen raster has 3: the
    dock refuses at once, in its words (no child, no TensorFlow), instead of after loading."""
    import zipfile

    from claro.backend.card import write_card

    image, _mask = amazon_crop
    layer = QgsRasterLayer(str(image), "image")
    clean_project.addMapLayer(layer)
    model = tmp_path / "four-bands.keras"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("config.json", "{}")
    write_card(model, {"bands": ["b1", "b2", "b3", "b4"], "source_bands": [1, 2, 3, 4], "image_band_count": 4,
                       "classes": [{"value": 0, "name": "forest"}, {"value": 1, "name": "cleared"}]})
    dock.predict_form.set_value("model", str(model))
    dock.predict_form.set_value("out", str(tmp_path / "classes.tif"))
    dock.predict_combo.setLayer(layer)
    assert dock.start_prediction() is None and dock.task is None
    messages = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any("has 3 bands but the model was trained on images with 4 bands" in m
               and "choose Bands in Predict ▸ Advanced to say which 4 image bands" in m for m in messages), messages
    assert not (tmp_path / "classes.tif").exists()


def test_the_raster_to_classify_has_no_default_not_even_after_training(dock, qgis_iface, clean_project, amazon_crop,
                                                                        tmp_path):
    """The Predict tab never picks a raster by itself (before, it pointed at the training image
    after a training): the user chooses, and Predict without one says where to choose it."""
    image, mask = amazon_crop
    image_layer, mask_layer = QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")
    clean_project.addMapLayers([image_layer, mask_layer])
    dock.image_combo.setLayer(image_layer)
    dock.label_combo.setLayer(mask_layer)
    assert dock.predict_combo.currentLayer() is None
    model = str(tmp_path / "model.keras")
    dock._training_done(P.TrainParams(out=model), {"model": model})
    assert dock.predict_form.value("model") == model
    assert dock.predict_combo.currentLayer() is None
    dock.predict_form.set_value("out", str(tmp_path / "classes.tif"))
    assert dock.start_prediction() is None
    assert any(m.endswith("Choose the raster to classify (Raster layer) in Predict.")
               for m in qgis_iface.messageBar().get_messages(Qgis.Critical))
