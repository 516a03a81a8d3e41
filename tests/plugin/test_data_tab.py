"""The dock's Training data tab: no label layer until one is chosen, a warning when the labels look
like an image, class names remembered per label source, removable class rows, the class field
picked by its name, several image/label scenes cut into one dataset, and an existing patch
dataset trained on without cutting (so Resume needs no re-cut)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from qgis.core import Qgis, QgsFeature, QgsGeometry, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest

from claro.backend import params as P
from claro.plugin import child as C
from claro.plugin.dock import ClaroDock
from claro.plugin.sources import SourceError
from tests.conftest import sample_tile

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def polygons(name: str, fields: str, rows: list[tuple[str, list]]) -> QgsVectorLayer:
    """A memory polygon layer, e.g. fields 'field=id:integer&field=Landcover:integer'."""
    layer = QgsVectorLayer(f"Polygon?crs=EPSG:4326&{fields}", name, "memory")
    features = []
    for wkt, attributes in rows:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        feature.setAttributes(attributes)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


SQUARES = ["POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))", "POLYGON((2 2, 3 2, 3 3, 2 3, 2 2))"]


def table(dock) -> list[tuple[int, str]]:
    return [(c["value"], c["name"]) for c in dock.class_table.classes()]


def run_patches(params: P.PatchParams) -> dict:
    """Cut patches with the real backend in a child, as the dock's task does; dataset.json back."""
    done = subprocess.run(C.build_command(params, str(VENV_PYTHON)), env=C.child_environment(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((Path(params.out) / "dataset.json").read_text())


def test_no_label_layer_is_chosen_until_the_user_chooses_one(qgis_iface, claro_settings, clean_project, amazon_crop):
    """Before, the label combo took the first raster, the image itself, and the class table filled
    with its pixel values."""
    image, _mask = amazon_crop
    image_layer = QgsRasterLayer(str(image), "image")
    clean_project.addMapLayer(image_layer)
    dock = ClaroDock(qgis_iface, settings=claro_settings)
    try:
        assert dock.image_combo.currentLayer() is image_layer
        assert dock.label_combo.currentLayer() is None and dock.label_combo.allowEmptyLayer()
        assert dock.class_table.rowCount() == 0
        clean_project.addMapLayer(QgsRasterLayer(str(image), "another raster"))  # a layer added later: still none
        assert dock.label_combo.currentLayer() is None and dock.class_table.rowCount() == 0
        with pytest.raises(SourceError, match="Choose a label layer"):
            dock.patch_params()
    finally:
        dock.shutdown()
        dock.deleteLater()


def test_an_image_chosen_as_labels_is_warned_of(dock, clean_project, amazon_crop):
    image, mask = amazon_crop
    image_layer, mask_layer = QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")
    clean_project.addMapLayers([image_layer, mask_layer])
    dock.label_combo.setLayer(image_layer)
    values = [c["value"] for c in dock.class_table.classes()]
    assert len(values) > 50
    assert dock.data_message.text() == (f"The label layer 'image' holds {len(values)} different values: this looks like "
                                        "an image, not labels; choose a raster of class values (or polygons) as the "
                                        "label layer.")
    dock.label_combo.setLayer(mask_layer)  # real labels: no warning
    assert table(dock) == [(0, "class 0"), (1, "class 1")] and dock.data_message.text() == ""


def test_class_names_are_remembered_per_label_source(qgis_iface, claro_settings, clean_project, amazon_crop, sen1floods11):
    """Amazon's 0/1 named forest/cleared must not come back for Sen1Floods11's 0/1 (water), and
    each layer's names come back when it is chosen again, also in the next session."""
    _image, mask = amazon_crop
    amazon = QgsRasterLayer(str(mask), "amazon mask")
    floods = QgsRasterLayer(str(sen1floods11[1]), "LabelHand")
    clean_project.addMapLayers([amazon, floods])
    dock = ClaroDock(qgis_iface, settings=claro_settings)
    try:
        dock.label_combo.setLayer(amazon)
        dock.class_table.item(0, 1).setText("forest")
        dock.class_table.item(1, 1).setText("cleared")
        dock.label_combo.setLayer(floods)
        assert table(dock) == [(0, "class 0"), (1, "class 1")]
        dock.class_table.item(1, 1).setText("water")
        dock.label_combo.setLayer(amazon)
        assert table(dock) == [(0, "forest"), (1, "cleared")]
    finally:
        dock.shutdown()
        dock.deleteLater()
    second = ClaroDock(qgis_iface, settings=claro_settings)
    try:
        second.label_combo.setLayer(floods)
        assert table(second) == [(0, "class 0"), (1, "water")]
        second.label_combo.setLayer(amazon)
        assert table(second) == [(0, "forest"), (1, "cleared")]
    finally:
        second.shutdown()
        second.deleteLater()


def test_a_removed_class_is_left_out_of_the_classes_given_to_patches(dock, clean_project, amazon_crop, tmp_path):
    image, _mask = amazon_crop
    image_layer = QgsRasterLayer(str(image), "image")
    labels = polygons("labels", "field=cls:integer", [(SQUARES[0], [1]), (SQUARES[1], [3])])
    clean_project.addMapLayers([image_layer, labels])
    dock.image_combo.setLayer(image_layer)
    dock.label_combo.setLayer(labels)
    dock.class_field_combo.setField("cls")
    dock.patch_form.set_value("out", str(tmp_path / "patches"))
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1, 3]
    assert "ignored" in dock.class_table.toolTip() and "ignored" in dock.remove_class_button.toolTip()
    dock.class_table.item(2, 1).setText("road")
    dock.class_table.selectRow(1)
    QTest.keyClick(dock.class_table, Qt.Key_Delete)
    assert table(dock) == [(0, "class 0"), (3, "road")]
    assert dock.patch_params().classes == "0:class 0:#1a9641,3:road:#fdae61"
    dock.fill_classes()  # the same labels read again (another background, field…): it stays removed
    assert [c["value"] for c in dock.class_table.classes()] == [0, 3]
    dock.class_table.selectRow(0)
    dock.class_table.remove_action.trigger()  # the right-click menu
    assert P.command_line(dock.patch_params())[-2:] == ["--classes", "3:road:#fdae61"]
    dock.read_classes_button.click()  # reading the classes again brings them back, names kept
    assert table(dock) == [(0, "class 0"), (1, "class 1"), (3, "road")]


@pytest.mark.parametrize("field", ["Landcover", "CLASS", "label", "classe", "Clase"])
def test_a_class_field_is_picked_by_its_name(dock, clean_project, field):
    labels = polygons("labels", f"field=id:integer&field={field}:integer", [(SQUARES[0], [7, 2]), (SQUARES[1], [8, 4])])
    clean_project.addMapLayer(labels)
    dock.label_combo.setLayer(labels)
    assert dock.class_field_combo.currentField() == field
    assert [c["value"] for c in dock.class_table.classes()] == [0, 2, 4]


def test_no_class_field_is_picked_when_none_is_named_like_one(dock, clean_project):
    labels = polygons("labels", "field=id:integer&field=classification_date:string", [(SQUARES[0], [7, "2020"])])
    clean_project.addMapLayer(labels)
    dock.label_combo.setLayer(labels)
    assert dock.class_field_combo.currentField() == ""
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1]


def test_two_real_scenes_are_cut_into_one_dataset(dock, clean_project, tmp_path):
    """Two bundled Amazon tiles as two scenes: the patches job gets both pairs, and the dataset
    made from them lists both as its sources, each with patches."""
    (image_a, mask_a), (image_b, mask_b) = sample_tile("Amazon_170_38"), sample_tile("Amazon_511_35")
    layers = [QgsRasterLayer(str(p), f"{p.parent.name} {p.stem}") for p in (image_a, mask_a, image_b, mask_b)]
    clean_project.addMapLayers(layers)
    dock.image_combo.setLayer(layers[0])
    dock.label_combo.setLayer(layers[1])
    dock.scenes.add_button.click()
    second = dock.scenes.rows[1]
    dock.patch_form.set_value("out", str(tmp_path / "patches"))
    dock.patch_form.set_value("patch_size", 128)
    second.label_combo.setLayer(layers[3])
    with pytest.raises(SourceError, match="Scene 2 has no image layer"):
        dock.patch_params()
    second.image_combo.setLayer(layers[2])
    patches = dock.patch_params()
    assert patches.images == [str(image_a), str(image_b)] and patches.labels == [str(mask_a), str(mask_b)]
    summary = run_patches(patches)
    assert [(s["image"], s["labels"]) for s in summary["sources"]] == [(str(image_a), str(mask_a)),
                                                                      (str(image_b), str(mask_b))]
    assert all(s["patches"] > 0 for s in summary["sources"])
    dock.scenes.remove_scene(second)
    assert dock.patch_params().images == [str(image_a)]


def test_the_class_table_is_the_union_of_the_scenes_labels(dock, clean_project, amazon_crop):
    image, mask = amazon_crop
    image_layer, mask_layer = QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")
    drawn = polygons("drawn", "field=class:integer", [(SQUARES[0], [1]), (SQUARES[1], [5])])
    clean_project.addMapLayers([image_layer, mask_layer, drawn])
    dock.label_combo.setLayer(mask_layer)
    dock.class_table.item(1, 1).setText("cleared")
    dock.scenes.add_scene(image_layer, drawn)
    assert table(dock) == [(0, "class 0"), (1, "cleared"), (5, "class 5")]
    assert dock.scenes.rows[1].class_field() == "class"
    dock.scenes.rows[1].field_combo.setField("")  # no field: the polygons are class 1
    assert [c["value"] for c in dock.class_table.classes()] == [0, 1]


def test_polygon_scenes_with_different_class_fields_are_refused(dock, clean_project, amazon_crop, tmp_path):
    image, _mask = amazon_crop
    image_layer = QgsRasterLayer(str(image), "image")
    first = polygons("first", "field=class:integer", [(SQUARES[0], [1])])
    second = polygons("second", "field=landcover:integer", [(SQUARES[1], [2])])
    clean_project.addMapLayers([image_layer, first, second])
    dock.label_combo.setLayer(first)
    dock.scenes.add_scene(image_layer, second)
    dock.patch_form.set_value("out", str(tmp_path / "patches"))
    with pytest.raises(SourceError, match="different class fields \\('class', 'landcover'\\)"):
        dock.patch_params()


@pytest.fixture
def crop_dataset(amazon_crop, tmp_path):
    image, mask = amazon_crop
    run_patches(P.PatchParams(images=[str(image)], labels=[str(mask)], out=str(tmp_path / "patches"), patch_size=32,
                              classes="0:forest:#1a9641,1:cleared:#d7191c"))
    return tmp_path / "patches"


def tiny_training(dock, out: Path, epochs: int) -> None:
    dock.train_form.set_value("out", str(out))
    dock.train_form.set_value("epochs", epochs)
    dock.train_form.set_value("depth", 2)
    dock.train_form.set_value("base_filters", 4)
    dock.train_form.set_value("batch_size", 8)
    dock.train_form.set_value("augment", False)


def test_an_existing_dataset_trains_without_cutting_and_resumes(dock, crop_dataset, tmp_path, wait_until):
    summary = json.loads((crop_dataset / "dataset.json").read_text())
    before = (crop_dataset / "dataset.json").stat().st_mtime_ns
    dock.patch_form.set_value("out", str(crop_dataset))  # cut before: offered as the existing dataset
    dock.existing_radio.setChecked(True)
    assert dock.dataset_widget.filePath() == str(crop_dataset)
    assert dock.cut_page.isHidden() and not dock.existing_page.isHidden()
    text = dock.dataset_summary.text()
    assert "Classes: 0 forest, 1 cleared" in text
    assert "Patches: train {train}, validation {validation}, test {test}".format(**summary["counts"]) in text
    tiny_training(dock, tmp_path / "model.keras", 30)
    finished, epochs = [], []
    dock.trainingFinished.connect(lambda ok, outputs: finished.append(ok))
    task = dock.start_training()
    assert task is not None
    assert [type(j) for j in task.jobs] == [P.TrainParams] and task.jobs[0].data == str(crop_dataset)
    task.epoch.connect(lambda event: (epochs.append(event), dock.cancel()))
    assert wait_until(lambda: finished, 300)
    assert finished == [False] and epochs
    assert (tmp_path / "model.keras.resume" / "state.json").is_file()

    dock.train_advanced.set_value("resume", True)
    dock.train_form.set_value("epochs", len(epochs) + 1)
    task = dock.start_training()
    assert task is not None and [type(j) for j in task.jobs] == [P.TrainParams]
    assert wait_until(lambda: len(finished) == 2, 300)
    assert finished == [False, True], dock.train_status.text()
    assert Path(dock.last_training["model"]).is_file()
    assert (crop_dataset / "dataset.json").stat().st_mtime_ns == before  # not cut again


def test_an_unusable_dataset_folder_is_said_and_refused(dock, tmp_path):
    dock.existing_radio.setChecked(True)
    dock.dataset_widget.setFilePath(str(tmp_path))
    assert "has no dataset.json" in dock.dataset_summary.text()
    tiny_training(dock, tmp_path / "model.keras", 1)
    assert dock.start_training() is None
    assert not (tmp_path / "model.keras").exists()


def test_resume_with_the_patches_already_cut_does_not_cut_them_again(dock, clean_project, amazon_crop, crop_dataset,
                                                                   tmp_path, wait_until):
    """Before, Resume re-ran `patches`, which refused the existing folder unless Overwrite was ticked."""
    image, mask = amazon_crop
    clean_project.addMapLayers([QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")])
    dock.label_combo.setLayer(clean_project.mapLayersByName("mask")[0])
    dock.patch_form.set_value("out", str(crop_dataset))
    tiny_training(dock, tmp_path / "model.keras", 1)
    dock.train_advanced.set_value("resume", True)
    finished = []
    dock.trainingFinished.connect(lambda ok, outputs: finished.append(ok))
    task = dock.start_training()
    assert task is not None
    assert [type(j) for j in task.jobs] == [P.TrainParams] and task.jobs[0].data == str(crop_dataset)
    assert wait_until(lambda: finished, 300)
    assert "no interrupted training to resume" in dock.train_status.text()  # train ran, patches did not refuse


def test_a_large_label_raster_of_a_second_scene_is_read_in_the_background(dock, clean_project, amazon_crop, tmp_path,
                                                                         wait_until):
    """Scene 1: the real Amazon crop (0/1, read at once). Scene 2: 5000² labels, read off the GUI
    thread (a sample, then every pixel): the table waits for the sample, then shows the union,
    then adds a value that only an unsampled block holds, keeping the names given meanwhile."""
    from claro.backend import labels
    from georaster import write_large_labels

    image, mask = amazon_crop
    windows = labels.sample_windows(5000, 5000, 256, 256)
    sampled = {(x // 256, y // 256) for x, y, _, _ in windows}
    x, y, _, _ = windows[len(windows) // 2]
    unsampled = next((c, r) for r in range(19) for c in range(19) if (c, r) not in sampled)
    large = write_large_labels(tmp_path / "large.tif", 5000, {(x + 3, y + 3, 2, 2): 7,
                                                              (unsampled[0] * 256 + 5, unsampled[1] * 256 + 5, 1, 1): 12})
    image_layer, mask_layer = QgsRasterLayer(str(image), "image"), QgsRasterLayer(str(mask), "mask")
    large_layer = QgsRasterLayer(str(large), "large labels")
    clean_project.addMapLayers([image_layer, mask_layer, large_layer])
    dock.label_combo.setLayer(mask_layer)
    dock.class_table.item(1, 1).setText("cleared")
    dock.scenes.add_scene(image_layer, large_layer)
    assert dock.class_table.rowCount() == 0 and dock.data_message.text() == "Reading label values…"
    assert wait_until(lambda: dock.class_table.rowCount() > 0, 120)
    assert table(dock) == [(0, "class 0"), (1, "cleared"), (7, "class 7")]
    assert dock.data_message.text().endswith("of the label raster; reading the rest…")
    dock.class_table.item(2, 1).setText("rare")
    assert wait_until(lambda: dock.class_table.rowCount() == 4, 300)
    assert table(dock) == [(0, "class 0"), (1, "cleared"), (7, "rare"), (12, "class 12")]
    assert dock.data_message.text() == "" and not dock._values_tasks


# ---------------------------------------------------------------- a folder of Earth Engine TFRecords
#: what `claro describe` writes for a k = 20 export with shuffled features (the summary the tab shows)
EE_SUMMARY = {"bands": ["B2", "B3", "B4", "B8"], "patch_size": 20, "ignore_value": 255,
              "classes": [{"value": 0, "name": "class 0", "color": "#1a9641"},
                          {"value": 1, "name": "class 1", "color": "#d7191c"}],
              "counts": {"train": 14, "validation": 4, "test": 2}}
PER_PIXEL = ("training.tfrecord.gz holds 1 × 1 patches (a per-pixel sample export): a U-Net needs patches of "
             "pixels around each other; export patches (kernelSize) instead, or give --label if another feature is "
             "the label.")


def describe_python(folder: Path, summary: dict) -> Path:
    """A fake TensorFlow Python whose `describe` job writes `summary` as dataset.json into its
    folder argument (or --out), reporting progress as the backend does, and whose `train` job ends done."""
    from fake_python import fake_python

    source = folder / "summary.json"
    folder.mkdir(parents=True, exist_ok=True)
    source.write_text(json.dumps(summary))
    events = {"progress": json.dumps({"event": "progress", "fraction": 0.5, "message": "reading shards"}),
              "describe": json.dumps({"event": "done", "counts": summary["counts"]}),
              "train": json.dumps({"event": "done", "epochs_run": 1})}
    into = 'into="$4"; previous=""; for a in "$@"; do [ "$previous" = "--out" ] && into="$a"; previous="$a"; done'
    job = (f'case "$3" in describe) echo \'{events["progress"]}\'; {into}; cp {source} "$into/dataset.json"; '
           f'echo \'{events["describe"]}\' ;; train) echo \'{events["train"]}\' ;; esac')
    return fake_python(folder, "python", job=job)


def refusing_python(folder: Path) -> Path:
    """A fake TensorFlow Python whose jobs end as the backend's ClaroError does: one sentence, exit 2."""
    from fake_python import fake_python

    event = json.dumps({"event": "error", "message": PER_PIXEL})
    return fake_python(folder, "python", job=f"echo '{event}'; exit 2")


@pytest.fixture
def shards(tmp_path):
    """A folder named as Earth Engine names an export's files (the fake child does not read them)."""
    folder = tmp_path / "export"
    folder.mkdir()
    for name in ("training_patches_g0.tfrecord.gz", "training_patches_g1.tfrecord.gz", "eval_patches-00003.gz"):
        (folder / name).write_bytes(b"\x1f\x8b")
    (folder / "notes.txt").write_text("not a shard")
    return folder


def test_a_folder_of_tfrecords_is_described_in_the_child_and_its_summary_shown(dock, shards, tmp_path, wait_until):
    dock.settings.interpreter = str(describe_python(tmp_path / "bin", EE_SUMMARY))
    dock.tfrecord_radio.setChecked(True)
    assert dock.cut_page.isHidden() and not dock.existing_page.isHidden() and not dock.describe_page.isHidden()
    assert dock.dataset_label.text() == "TFRecord folder"
    assert dock.dataset_summary.text() == "Choose the folder of TFRecord files."
    dock.dataset_widget.setFilePath(str(shards))
    assert dock.dataset_summary.text().startswith("3 TFRecord files, not described yet")
    dock.describe_form.set_value("label", "landcover")
    dock.describe_form.set_value("bands", ["B2", "B3", "B4", "B8"])
    finished = []
    dock.described.connect(lambda ok, outputs: finished.append((ok, outputs)))
    task = dock.start_describe()
    assert task is not None and not dock.describe_button.isEnabled() and dock.describe_cancel.isEnabled()
    assert P.command_line(task.jobs[0]) == ["describe", str(shards), "--label", "landcover", "--bands", "B2,B3,B4,B8",
                                            "--overwrite"]
    assert wait_until(lambda: finished, 60)
    assert finished == [(True, {"counts": EE_SUMMARY["counts"]})]
    text = dock.dataset_summary.text()
    assert text.splitlines() == ["Classes: 0 class 0, 1 class 1", "Patches: train 14, validation 4, test 2",
                                 "20 × 20 pixels, 4 bands", "Bands: B2, B3, B4, B8"]
    assert dock.describe_button.isEnabled() and dock.describe_progress.isHidden()
    # described: Train trains on the folder, nothing is described again
    assert dock.training_data() == (None, str(shards))
    dock.settings.interpreter = str(describe_python(tmp_path / "bin", EE_SUMMARY))
    tiny_training(dock, tmp_path / "model.keras", 1)
    trained = []
    dock.trainingFinished.connect(lambda ok, outputs: trained.append(ok))
    task = dock.start_training()
    assert task is not None and [type(j) for j in task.jobs] == [P.TrainParams] and task.jobs[0].data == str(shards)
    assert wait_until(lambda: trained, 60) and trained == [True]


def test_train_describes_a_folder_of_tfrecords_first(dock, shards, tmp_path, wait_until):
    """Not described yet: Train is `describe` then `train` in one task (like `patches` then
    `train`), with the describe options of the Data tab; describe's output folder is where
    dataset.json goes and what train reads."""
    dock.settings.interpreter = str(describe_python(tmp_path / "bin", EE_SUMMARY))
    dock.tfrecord_radio.setChecked(True)
    dock.dataset_widget.setFilePath(str(shards))
    out = tmp_path / "described"
    out.mkdir()
    dock.describe_advanced.set_value("out", str(out))
    dock.describe_advanced.set_value("split", "records")
    tiny_training(dock, tmp_path / "model.keras", 1)
    trained = []
    dock.trainingFinished.connect(lambda ok, outputs: trained.append(ok))
    task = dock.start_training()
    assert task is not None
    assert [type(j) for j in task.jobs] == [P.DescribeParams, P.TrainParams]
    describe, train = task.jobs
    assert (describe.folder, describe.out, describe.split, describe.overwrite) == (str(shards), str(out), "records", False)
    assert train.data == str(out)
    assert wait_until(lambda: trained, 60) and trained == [True]
    assert dock.patch_counts.text() == "Patches: train 14, validation 4, test 2"
    assert "Bands: B2, B3, B4, B8" in dock.dataset_summary.text()
    assert not (shards / "dataset.json").exists() and (out / "dataset.json").is_file()


def test_describe_refusing_a_per_pixel_export_is_one_sentence_in_the_docks_words(dock, qgis_iface, shards, tmp_path,
                                                                                wait_until):
    dock.settings.interpreter = str(refusing_python(tmp_path / "bin"))
    dock.tfrecord_radio.setChecked(True)
    dock.dataset_widget.setFilePath(str(shards))
    finished = []
    dock.described.connect(lambda ok, outputs: finished.append(ok))
    assert dock.start_describe() is not None
    assert wait_until(lambda: finished, 60) and finished == [False]
    sentence = PER_PIXEL.replace("give --label", "choose Label feature in Data")
    assert dock.dataset_summary.text() == sentence
    assert any(m.endswith(sentence) for m in qgis_iface.messageBar().get_messages(Qgis.Critical))
    assert dock.task is None and dock.describe_button.isEnabled() and not (shards / "dataset.json").exists()


def test_a_folder_without_files_named_as_tfrecords_is_left_to_describe(dock, tmp_path):
    """Which files are TFRecords is describe's rule (their bytes, not their names): the tab only
    says none is named like one, and Train still describes first (describe refuses, if it must)."""
    (tmp_path / "part-00000").write_bytes(b"\x1f\x8b")
    dock.tfrecord_radio.setChecked(True)
    dock.dataset_widget.setFilePath(str(tmp_path))
    assert dock.dataset_summary.text().startswith("Not described yet: Describe reads the TFRecord files of this folder")
    describe, folder = dock.training_data()
    assert isinstance(describe, P.DescribeParams) and describe.folder == folder == str(tmp_path)
    dock.dataset_widget.setFilePath("")
    with pytest.raises(SourceError, match="Choose the folder of TFRecord files in Data"):
        dock.training_data()


def test_the_real_backend_refuses_a_real_per_pixel_export_in_the_dock(dock, tmp_path, wait_until):
    """The Bhutan export in ../shared is a per-pixel sample (k = 1): the real `claro describe`
    refuses it with a ClaroError (exit 2, one sentence), which the dock shows as it is, and
    writes nothing (the folder is read-only; --out is given so a write would land there)."""
    from claro.plugin import environment
    from tests.conftest import require_shared

    shared = require_shared("ee-aces-bhutan", "training")
    out = tmp_path / "described"
    out.mkdir()
    params = P.DescribeParams(folder=str(shared), out=str(out), progress="json")
    done = subprocess.run(C.build_command(params, str(VENV_PYTHON)), env=C.child_environment(), capture_output=True,
                          text=True, timeout=600)
    events = [C.parse_line(line) for line in done.stdout.splitlines()]
    errors = [event for event in events if event and event["event"] == "error"]
    assert done.returncode == 2 and errors, done.stdout + done.stderr
    dock.settings.interpreter = str(VENV_PYTHON)
    environment.checked(str(VENV_PYTHON))
    dock.tfrecord_radio.setChecked(True)
    dock.dataset_widget.setFilePath(str(shared))
    dock.describe_advanced.set_value("out", str(out))
    finished = []
    dock.described.connect(lambda ok, outputs: finished.append(ok))
    assert dock.start_describe() is not None
    assert wait_until(lambda: finished, 300) and finished == [False]
    assert dock.dataset_summary.text() == dock.words(errors[-1]["message"], "describe")
    assert list(out.iterdir()) == []
