"""The Processing provider: each algorithm through processing.run on real data (a tiny model),
the class raster loaded styled, cancel and errors, chaining in a model, and `qgis_process`.

Small on purpose (2 shared CPU cores): one 256² crop of a real Amazon tile, 64-pixel patches,
a U-Net with base_filters 4 and depth 2 trained for one epoch. The same tiny model serves the
predict, evaluate and qgis_process tests (module-scoped fixtures, each job run once).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import (QgsApplication, QgsPalettedRasterRenderer, QgsProcessingContext, QgsProcessingException,
                       QgsProcessingFeedback, QgsProcessingModelAlgorithm, QgsProcessingModelChildAlgorithm,
                       QgsProcessingModelChildParameterSource, QgsProcessingModelOutput, QgsProcessingModelParameter, QgsProject,
                       QgsProcessingParameterFile, QgsProcessingParameterRasterLayer, QgsRasterLayer)

from claro.backend import params as P
from claro.backend.card import read_card

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
CLASSES = "0:forest:#1a9641,1:cleared:#d7191c"
TINY_MODEL = {"EPOCHS": 1, "DEPTH": 2, "BASE_FILTERS": 4, "BATCH_SIZE": 4, "PATIENCE": 1, "AUGMENT": False}
QGIS_PROCESS = Path("/usr/bin/qgis_process.bin")  # Debian's qgis_process wrapper adds a flag it rejects

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# -- fixtures ---------------------------------------------------------------------------------
def crop(source: Path, target: Path, size: int = 256) -> Path:
    """The top-left size² pixels of a real raster (same CRS, same pixel size)."""
    gdal.Translate(str(target), str(source), srcWin=[0, 0, size, size])
    return target


@pytest.fixture(scope="module")
def tile(amazon_tile_module, tmp_path_factory):
    """(image, mask) 256² crops of a real Amazon tile."""
    image, mask = amazon_tile_module
    folder = tmp_path_factory.mktemp("tile")
    return crop(image, folder / "image.tif"), crop(mask, folder / "mask.tif")


@pytest.fixture(scope="module")
def amazon_tile_module():
    """(image, mask) of a real 512² Amazon tile from the bundled sample (tests/conftest.py)."""
    from tests.conftest import sample_tile

    return sample_tile()


def run(algorithm: str, parameters: dict, feedback: QgsProcessingFeedback | None = None, context=None) -> dict:
    import processing

    return processing.run(algorithm, parameters, feedback=feedback or QgsProcessingFeedback(), context=context)


@pytest.fixture(scope="module")
def patches(provider, tile, tmp_path_factory):
    image, mask = tile
    out = tmp_path_factory.mktemp("patches") / "dataset"
    result = run("claro:buildpatches", {"IMAGES": [str(image)], "LABELS": [str(mask)], "OUTPUT": str(out),
                                        "PATCH_SIZE": 64, "CLASSES": CLASSES, "MIN_LABELLED": 0.0})
    return result


@pytest.fixture(scope="module")
def model(provider, patches, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "tiny.keras"
    return run("claro:train", {"DATA": patches["OUTPUT"], "OUTPUT": str(out), **TINY_MODEL})


@pytest.fixture(scope="module")
def prediction(provider, model, tile, tmp_path_factory):
    out = tmp_path_factory.mktemp("predict") / "classes.tif"
    return run("claro:predict", {"MODEL": model["OUTPUT"], "IMAGE": str(tile[0]), "OUTPUT": str(out)})


# -- the algorithms are the dataclasses ---------------------------------------------------------
def test_provider_lists_the_algorithms(provider):
    registry = QgsApplication.processingRegistry()
    assert registry.providerById("claro").name() == "Claro"
    ids = sorted(a.id() for a in registry.providerById("claro").algorithms())
    assert ids == ["claro:assess", "claro:buildpatches", "claro:change", "claro:describe", "claro:evaluate",
                   "claro:export", "claro:predict", "claro:sample", "claro:train"]
    assert not registry.providerById("claro").icon().isNull()


@pytest.mark.parametrize("algorithm_id, cls", [("buildpatches", P.PatchParams), ("train", P.TrainParams),
                                               ("predict", P.PredictParams), ("evaluate", P.EvaluateParams),
                                               ("change", P.ChangeParams), ("sample", P.SampleParams),
                                               ("assess", P.AssessParams), ("describe", P.DescribeParams),
                                               ("export", P.ExportParams)])
def test_parameters_come_from_the_dataclasses(provider, algorithm_id, cls):
    """Every field but overwrite/progress is a parameter with the field's label, help and default."""
    import dataclasses
    import typing

    hints = typing.get_type_hints(cls)
    algorithm = QgsApplication.processingRegistry().algorithmById(f"claro:{algorithm_id}")
    for f in dataclasses.fields(cls):
        if f.name in ("overwrite", "progress"):
            continue
        name = "OUTPUT" if f.name == "out" else f.name.upper()
        definition = algorithm.parameterDefinition(name)
        assert definition is not None, f"{algorithm_id} lacks {name}"
        assert definition.description() == f.metadata["label"]
        assert definition.help() == f.metadata["help"]
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if isinstance(default, bool) or (isinstance(default, (int, float)) and not isinstance(default, bool)):
            assert definition.defaultValue() == default
        elif isinstance(default, tuple):
            assert definition.defaultValue() == ",".join(repr(v) for v in default)
        optional = bool(definition.flags() & definition.FlagOptional)
        assert optional == (type(None) in typing.get_args(hints[f.name])), f"{name} optional={optional}"
    assert algorithm.outputDefinition("OUTPUT") is not None


def test_values_become_the_backend_command_line(provider, tile, tmp_path):
    """Processing values → the params dataclass → the same argv the CLI and the dock use."""
    algorithm = QgsApplication.processingRegistry().algorithmById("claro:predict")
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    model = tmp_path / "m.keras"
    model.write_bytes(b"")
    params = algorithm.params_from({"MODEL": str(model), "IMAGE": str(tile[0]), "OUTPUT": str(tmp_path / "c.tif"),
                                    "OVERLAP": 0.5, "BANDS": [3, 1], "CLASSES": CLASSES}, context, feedback)
    assert params == P.PredictParams(model=str(model), image=str(tile[0]), out=str(tmp_path / "c.tif"), overlap=0.5,
                                     bands=[3, 1], classes=CLASSES, overwrite=True)
    assert P.command_line(params)[:3] == ["predict", "--model", str(model)]

    patches = QgsApplication.processingRegistry().algorithmById("claro:buildpatches")
    params = patches.params_from({"IMAGES": [str(tile[0])], "LABELS": [str(tile[1])], "OUTPUT": str(tmp_path / "d"),
                                  "SPLIT": "0.6, 0.3, 0.1", "BANDS": "1,2"}, context, feedback)
    assert params.split == (0.6, 0.3, 0.1) and params.bands == [1, 2]
    assert params.images == [str(tile[0])] and params.labels == [str(tile[1])]
    with pytest.raises(QgsProcessingException, match="exactly 3 values"):
        patches.params_from({"IMAGES": [str(tile[0])], "LABELS": [str(tile[1])], "OUTPUT": str(tmp_path / "d"),
                             "SPLIT": "0.8,0.2"}, context, feedback)


def test_describe_and_export_take_folders_models_and_names(provider, tmp_path):
    """describe: an existing folder in, an optional output folder (not created unless asked: dataset.json
    then goes beside the shards); export: a .keras in, an .onnx out. Lists of names (--bands,
    --band-names, --workers) are comma-separated text, kept as strings."""
    from qgis.core import (QgsProcessingParameterDefinition, QgsProcessingParameterFileDestination,
                           QgsProcessingParameterFolderDestination, QgsProcessingParameterString)

    registry = QgsApplication.processingRegistry()
    describe = registry.algorithmById("claro:describe")
    assert describe.displayName() == "Describe TFRecords (Earth Engine export)"
    folder = describe.parameterDefinition("FOLDER")
    assert isinstance(folder, QgsProcessingParameterFile) and folder.behavior() == QgsProcessingParameterFile.Folder
    assert not folder.flags() & QgsProcessingParameterDefinition.FlagOptional
    out = describe.parameterDefinition("OUTPUT")
    assert isinstance(out, QgsProcessingParameterFolderDestination) and not out.createByDefault()
    assert isinstance(describe.parameterDefinition("BANDS"), QgsProcessingParameterString)
    advanced = {d.name() for d in describe.parameterDefinitions() if d.flags() & QgsProcessingParameterDefinition.FlagAdvanced}
    assert advanced == {"BANDS", "IGNORE_VALUE", "SPLIT", "FRACTIONS", "SEED", "IMAGE_FEATURE", "MASK_FEATURE"}
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    params = describe.params_from({"FOLDER": str(tmp_path), "LABEL": "landcover", "BANDS": "B2, B3,B8",
                                   "FRACTIONS": "0.8,0.1,0.1"}, context, feedback)
    assert params == P.DescribeParams(folder=str(tmp_path), label="landcover", bands=["B2", "B3", "B8"],
                                      fractions=(0.8, 0.1, 0.1), overwrite=True)
    assert P.command_line(params)[:4] == ["describe", str(tmp_path), "--label", "landcover"]
    assert "--bands" in P.command_line(params) and "B2,B3,B8" in P.command_line(params)

    export = registry.algorithmById("claro:export")
    assert export.displayName() == "Export model for Deepness (ONNX)"
    model = export.parameterDefinition("MODEL")
    assert isinstance(model, QgsProcessingParameterFile) and model.extension() == "keras"
    out = export.parameterDefinition("OUTPUT")
    assert isinstance(out, QgsProcessingParameterFileDestination) and out.fileFilter() == "ONNX model (*.onnx)"
    assert export.parameterDefinition("TILE_SIZE").flags() & QgsProcessingParameterDefinition.FlagAdvanced
    params = export.params_from({"MODEL": str(tmp_path / "m.keras"), "OUTPUT": str(tmp_path / "m.onnx")}, context, feedback)
    assert params == P.ExportParams(model=str(tmp_path / "m.keras"), out=str(tmp_path / "m.onnx"), overwrite=True)

    predict = registry.algorithmById("claro:predict")
    for name in ("DASK", "MERGE", "BAND_NAMES", "FORMAT"):
        assert predict.parameterDefinition(name).flags() & QgsProcessingParameterDefinition.FlagAdvanced, name
    train = registry.algorithmById("claro:train")
    params = train.params_from({"DATA": str(tmp_path), "OUTPUT": str(tmp_path / "m.keras"),
                                "WORKERS": "host-a:12345, host-b:12345", "WORKER_INDEX": 1}, context, feedback)
    assert params.workers == ["host-a:12345", "host-b:12345"] and params.worker_index == 1
    argv = P.command_line(params)
    assert argv[argv.index("--workers"):][:4] == ["--workers", "host-a:12345,host-b:12345", "--worker-index", "1"]


def test_describes_output_is_the_folder_holding_dataset_json(provider, tmp_path, monkeypatch):
    """Without an output folder dataset.json goes beside the shards: that folder is the OUTPUT a
    model chains into claro:train; the counts the job reports are number outputs."""
    from claro.plugin import algorithms

    jobs = []
    monkeypatch.setattr(algorithms, "run_job", lambda params, feedback: jobs.append(params) or
                        {"counts": {"train": 14, "validation": 4, "test": 2}})
    describe = QgsApplication.processingRegistry().algorithmById("claro:describe").create()
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    outputs = describe.processAlgorithm({"FOLDER": str(tmp_path), "LABEL": "landcover"}, context, feedback)
    assert jobs[0].out is None and jobs[0].folder == str(tmp_path)
    assert outputs == {"OUTPUT": str(tmp_path), "TRAIN_PATCHES": 14, "VALIDATION_PATCHES": 4, "TEST_PATCHES": 2}
    outputs = describe.processAlgorithm({"FOLDER": str(tmp_path), "OUTPUT": str(tmp_path / "described")}, context,
                                        feedback)
    assert jobs[1].out == str(tmp_path / "described") and outputs["OUTPUT"] == str(tmp_path / "described")


# -- each job through processing.run ------------------------------------------------------------
def test_buildpatches_writes_a_dataset(patches):
    folder = Path(patches["OUTPUT"])
    summary = json.loads((folder / "dataset.json").read_text())
    assert summary["patch_size"] == 64
    assert [(c["value"], c["name"], c["color"]) for c in summary["classes"]] == \
        [(0, "forest", "#1a9641"), (1, "cleared", "#d7191c")]
    assert sum(summary["counts"].values()) == 16  # a 256² crop in 64-pixel patches, none dropped
    assert [patches[f"{split}_PATCHES"] for split in ("TRAIN", "VALIDATION", "TEST")] == \
        [summary["counts"][split] for split in ("train", "validation", "test")]
    assert list(folder.glob("train-*"))


def test_train_writes_a_model_with_its_card(model):
    card = read_card(model["OUTPUT"])
    assert [c["name"] for c in card["classes"]] == ["forest", "cleared"]
    assert card["patch_size"] == 64 and len(card["bands"]) == 3
    assert model["EPOCHS_RUN"] == 1


def test_predict_writes_the_class_raster(prediction, tile):
    out = gdal.Open(prediction["OUTPUT"])
    image = gdal.Open(str(tile[0]))
    assert (out.RasterXSize, out.RasterYSize) == (256, 256)
    assert out.GetGeoTransform() == pytest.approx(image.GetGeoTransform())
    assert out.GetProjection() == image.GetProjection()
    values = out.GetRasterBand(1).ReadAsArray()
    assert set(np.unique(values)) <= {0, 1}
    assert Path(prediction["OUTPUT"]).with_suffix(".qml").is_file()
    assert prediction["PIXELS"] == 256 * 256
    assert prediction.get("PROBABILITIES") in (None, "")


def test_evaluate_reports_scores(provider, prediction, tile, tmp_path):
    result = run("claro:evaluate", {"PREDICTION": prediction["OUTPUT"], "REFERENCE": str(tile[1]),
                                    "OUTPUT": str(tmp_path / "report.json")})
    report = json.loads(Path(result["OUTPUT"]).read_text())
    predicted = gdal.Open(prediction["OUTPUT"]).ReadAsArray()
    reference = gdal.Open(str(tile[1])).ReadAsArray()
    assert result["OVERALL_ACCURACY"] == pytest.approx(float((predicted == reference).mean()), abs=1e-6)
    assert np.asarray(report["confusion_matrix"]).sum() == 256 * 256 == result["PIXELS"]
    assert result["MEAN_IOU"] == pytest.approx(report["mean_iou"])


def test_evaluate_reads_a_memory_polygon_layer(provider, prediction, tile, tmp_path):
    """A layer that is not a file (drawn in QGIS, in memory) is exported for the backend; its class
    field is burnt: the left half of the tile is class 1, the rest is not scored (background
    'ignore', the default: a sample of polygons scores only what it covers)."""
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsRectangle, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    image = gdal.Open(str(tile[0]))
    x0, dx, _, y0, _, dy = image.GetGeoTransform()
    layer = QgsVectorLayer(f"Polygon?crs=EPSG:4326", "drawn labels", "memory")
    layer.dataProvider().addAttributes([QgsField("cls", QVariant.Int)])
    layer.updateFields()
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x0, y0 + 256 * dy, x0 + 128 * dx, y0)))
    feature["cls"] = 1
    layer.dataProvider().addFeatures([feature])
    QgsProject.instance().addMapLayer(layer)
    try:
        result = run("claro:evaluate", {"PREDICTION": prediction["OUTPUT"], "REFERENCE": layer.id(),
                                        "CLASS_FIELD": "cls", "OUTPUT": str(tmp_path / "drawn.json")})
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    report = json.loads(Path(result["OUTPUT"]).read_text())
    matrix = np.asarray(report["confusion_matrix"])
    predicted = gdal.Open(prediction["OUTPUT"]).ReadAsArray()
    assert matrix.sum() == 128 * 256 == result["PIXELS"]  # inside the polygon only
    assert matrix[1].sum() == 128 * 256  # reference rows: class 1 is the left half
    assert matrix[1, 1] == int((predicted[:, :128] == 1).sum())
    assert report["scored"]["polygons"] == 1 and report["scored"]["pixels_not_scored"]["unlabelled"] == 128 * 256


def test_class_raster_is_loaded_styled(provider, model, tile, tmp_path):
    """Run as from the toolbox (results loaded): the layer gets the model's classes and colours."""
    import processing

    project = QgsProject.instance()
    out = tmp_path / "styled.tif"
    processing.runAndLoadResults("claro:predict", {"MODEL": model["OUTPUT"], "IMAGE": str(tile[0]),
                                                   "OUTPUT": str(out)}, feedback=QgsProcessingFeedback())
    layers = [layer for layer in project.mapLayers().values()
              if isinstance(layer, QgsRasterLayer) and Path(layer.source()) == out]
    try:
        assert len(layers) == 1
        renderer = layers[0].renderer()
        assert isinstance(renderer, QgsPalettedRasterRenderer)
        assert [(c.value, c.label, c.color.name()) for c in renderer.classes()] == \
            [(0, "forest", "#1a9641"), (1, "cleared", "#d7191c")]
        provider_ = layers[0].dataProvider()
        assert 255 in ([provider_.sourceNoDataValue(1)] if provider_.sourceHasNoDataValue(1) else []) + \
            [r.min() for r in provider_.userNoDataValues(1)]
    finally:
        project.removeAllMapLayers()


def test_change_compares_two_class_maps(provider, tile, tmp_path):
    """claro:change on the real mask and a copy with a cleared square and a regrown one: the codes,
    the hectares and the polygon output as a GeoPackage file destination (optional, off by default)."""
    before = tmp_path / "before.tif"
    gdal.Translate(str(before), str(tile[1]))
    after = gdal.Translate(str(tmp_path / "after.tif"), str(tile[1]))
    later = after.ReadAsArray()
    later[10:40, 10:40] = 1
    later[200:220, 100:150] = 0
    after.GetRasterBand(1).WriteArray(later)
    after = None
    algorithm = QgsApplication.processingRegistry().algorithmById("claro:change")
    polygons = algorithm.parameterDefinition("POLYGONS")
    assert polygons.type() == "fileDestination" and "*.gpkg" in polygons.fileFilter()
    assert polygons.flags() & polygons.FlagOptional and not polygons.createByDefault()
    result = run("claro:change", {"BEFORE": str(before), "AFTER": str(tmp_path / "after.tif"),
                                  "OUTPUT": str(tmp_path / "change.tif"), "FROM_CLASSES": "0", "TO_CLASSES": "1"})
    earlier = gdal.Open(str(before)).ReadAsArray()
    codes = gdal.Open(result["OUTPUT"]).ReadAsArray()
    np.testing.assert_array_equal(codes, np.where((earlier == 0) & (later == 1), 1, 4))  # 4: no change of interest
    report = json.loads((tmp_path / "change_matrix.json").read_text())
    cleared = next(t for t in report["transitions"] if (t["from"], t["to"]) == ("class 0", "class 1"))
    assert cleared["pixels"] == int(((earlier == 0) & (later == 1)).sum()) > 0
    assert result["PIXELS"] == 256 * 256
    changed = sum(t["hectares"] for t in report["transitions"] if t["from"] != t["to"])
    assert result["CHANGED_HECTARES"] == pytest.approx(changed) and result["HECTARES"] > changed > 0
    assert result.get("POLYGONS") in (None, "")


def test_change_polygons_are_loaded_with_the_results(provider, tile, tmp_path):
    """Run as from the toolbox: the change raster (styled from its .qml) and the polygons are loaded."""
    import processing
    from qgis.core import QgsVectorLayer

    before = tmp_path / "before.tif"
    gdal.Translate(str(before), str(tile[1]))
    after = gdal.Translate(str(tmp_path / "after.tif"), str(tile[1]))
    later = after.ReadAsArray()
    later[10:40, 10:40] = 1 - later[10:40, 10:40]
    after.GetRasterBand(1).WriteArray(later)
    after = None
    project = QgsProject.instance()
    out, polygons = tmp_path / "change.tif", tmp_path / "change.gpkg"
    processing.runAndLoadResults("claro:change", {"BEFORE": str(before), "AFTER": str(tmp_path / "after.tif"),
                                                  "OUTPUT": str(out), "POLYGONS": str(polygons)},
                                 feedback=QgsProcessingFeedback())
    try:
        rasters = [layer for layer in project.mapLayers().values()
                   if isinstance(layer, QgsRasterLayer) and Path(layer.source()) == out]
        vectors = [layer for layer in project.mapLayers().values()
                   if isinstance(layer, QgsVectorLayer) and Path(layer.source().split("|")[0]) == polygons]
        assert len(rasters) == 1 and len(vectors) == 1
        labels = [c.label for c in rasters[0].renderer().classes()]
        assert labels == ["class 0 (unchanged)", "class 0 → class 1", "class 1 → class 0", "class 1 (unchanged)"]
        report = json.loads((tmp_path / "change_matrix.json").read_text())
        changed = sum(t["hectares"] for t in report["transitions"] if t["from"] != t["to"])
        assert vectors[0].featureCount() > 0 and changed > 0
        assert sum(f["area_ha"] for f in vectors[0].getFeatures()) == pytest.approx(changed, rel=1e-6)
    finally:
        project.removeAllMapLayers()


# -- cancel and errors --------------------------------------------------------------------------
class CancelWhen(QgsProcessingFeedback):
    """Cancels once the job reports a line (log or progress text) starting with `prefix`: a
    known phase, so the outcome does not depend on how fast the job runs."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.seen: list[str] = []

    def _check(self, text: str) -> None:
        if text.startswith(self.prefix):
            self.seen.append(text)
            self.cancel()

    def pushInfo(self, info: str) -> None:  # noqa: N802
        super().pushInfo(info)
        self._check(info)

    def setProgressText(self, text: str) -> None:  # noqa: N802
        super().setProgressText(text)
        self._check(text)


def test_cancel_after_an_epoch_keeps_the_best_model_and_its_resume_state(provider, patches, tmp_path):
    """The rule: Cancel keeps what finished epochs made (the best model so far, a complete model,
    and the state --resume continues from), and says so; it leaves nothing half-written."""
    out = tmp_path / "cancelled.keras"
    feedback = CancelWhen("Epoch ")
    with pytest.raises(QgsProcessingException) as raised:
        run("claro:train", {"DATA": patches["OUTPUT"], "OUTPUT": str(out), **TINY_MODEL, "EPOCHS": 200,
                            "PATIENCE": 200}, feedback=feedback)
    assert feedback.seen and feedback.seen[0].startswith("Epoch 1 of 200")
    message = str(raised.value)
    assert message.startswith("Cancelled: Interrupted after epoch ") and "the best model so far" in message
    assert f"kept {out}" in message and "--resume" in message
    card = read_card(out)
    assert card["training"]["finished"] is False and card["training"]["best_epoch"] >= 1
    state = json.loads((tmp_path / "cancelled.keras.resume" / "state.json").read_text())
    assert f"after epoch {state['epochs_run']}:" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cancelled.history.json", "cancelled.keras",
                                                          "cancelled.keras.resume"]


def test_cancel_while_writing_patches_leaves_nothing(provider, tile, tmp_path):
    """Before anything is finished, nothing is kept: no dataset folder, no temporary beside it."""
    image, mask = tile
    out = tmp_path / "dataset"
    feedback = CancelWhen("Writing patch")
    with pytest.raises(QgsProcessingException, match="^Cancelled: Interrupted; nothing was written.$"):
        # stride 4: about 2,400 patches, so the job is still writing when Cancel arrives
        run("claro:buildpatches", {"IMAGES": [str(image)], "LABELS": [str(mask)], "OUTPUT": str(out),
                                   "PATCH_SIZE": 64, "STRIDE": 4, "CLASSES": CLASSES, "MIN_LABELLED": 0.0},
            feedback=feedback)
    assert feedback.seen
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_backend_error_becomes_one_sentence(provider, tile, tmp_path):
    bogus = tmp_path / "not-a-model.keras"
    bogus.write_text("this is not a Keras file")
    with pytest.raises(QgsProcessingException) as raised:
        run("claro:predict", {"MODEL": str(bogus), "IMAGE": str(tile[0]), "OUTPUT": str(tmp_path / "x.tif")})
    message = str(raised.value)
    assert "not a Keras model file" in message and "Traceback" not in message
    assert not (tmp_path / "x.tif").exists()


def test_a_destination_holding_a_users_files_is_never_replaced(provider, tile, tmp_path):
    """Processing always overwrites its destinations, but only what Claro made: a folder with a
    user's file, or a user's file under a class raster's name, is refused and left as it was."""
    image, mask = tile
    folder = tmp_path / "fieldwork"
    folder.mkdir()
    (folder / "notes.txt").write_text("three weeks of field notes")
    with pytest.raises(QgsProcessingException) as raised:
        run("claro:buildpatches", {"IMAGES": [str(image)], "LABELS": [str(mask)], "OUTPUT": str(folder),
                                   "PATCH_SIZE": 64, "CLASSES": CLASSES, "MIN_LABELLED": 0.0})
    assert f"Output folder {folder} holds files Claro did not write" in str(raised.value)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "three weeks of field notes"
    document = tmp_path / "classes.tif"
    document.write_text("not a raster: a user's file")
    with pytest.raises(QgsProcessingException) as raised:
        run("claro:predict", {"MODEL": str(tmp_path / "absent.keras"), "IMAGE": str(image), "OUTPUT": str(document)})
    assert "is not a GeoTIFF, so Claro will not replace it" in str(raised.value)
    assert document.read_text() == "not a raster: a user's file"


# -- chaining in the Graphical Modeler ----------------------------------------------------------
def test_modeler_chains_the_outputs(provider, model, tile, tmp_path):
    """A model predict → evaluate whose evaluate reads predict's OUTPUT, run as one algorithm;
    and the modeler offers each job's output to the next job's input."""
    registry = QgsApplication.processingRegistry()
    pipeline = QgsProcessingModelAlgorithm("claro chain", "tests")
    pipeline.addModelParameter(QgsProcessingParameterFile("model_file", "Model"), QgsProcessingModelParameter("model_file"))
    pipeline.addModelParameter(QgsProcessingParameterRasterLayer("image", "Image"), QgsProcessingModelParameter("image"))
    pipeline.addModelParameter(QgsProcessingParameterRasterLayer("reference", "Reference"),
                               QgsProcessingModelParameter("reference"))
    children = {}
    for child_id in ("buildpatches", "train", "predict", "evaluate"):
        child = QgsProcessingModelChildAlgorithm(f"claro:{child_id}")
        child.setChildId(child_id)
        children[child_id] = child
    source = QgsProcessingModelChildParameterSource
    children["predict"].addParameterSources("MODEL", [source.fromModelParameter("model_file")])
    children["predict"].addParameterSources("IMAGE", [source.fromModelParameter("image")])
    children["evaluate"].addParameterSources("PREDICTION", [source.fromChildOutput("predict", "OUTPUT")])
    children["evaluate"].addParameterSources("REFERENCE", [source.fromModelParameter("reference")])
    report_output = QgsProcessingModelOutput("report", "Report")
    report_output.setChildOutputName("OUTPUT")
    children["evaluate"].setModelOutputs({"report": report_output})
    for child in children.values():
        pipeline.addChildAlgorithm(child)

    def offered(child_id: str, parameter: str) -> set[tuple[str, str]]:
        """The child outputs the Graphical Modeler's own widget offers for this input."""
        from qgis.gui import QgsGui
        from qgis.PyQt.QtWidgets import QComboBox

        definition = registry.algorithmById(f"claro:{child_id}").parameterDefinition(parameter)
        widget = QgsGui.processingGuiRegistry().createModelerParameterWidget(pipeline, child_id, definition,
                                                                             QgsProcessingContext())
        found = {tuple(combo.itemData(i)) for combo in widget.findChildren(QComboBox) for i in range(combo.count())
                 if isinstance(combo.itemData(i), list) and len(combo.itemData(i)) == 2}
        widget.deleteLater()
        return found

    # What the modeler offers: each job's output is a valid source for the next job's input.
    assert ("buildpatches", "OUTPUT") in offered("train", "DATA")
    assert ("train", "OUTPUT") in offered("predict", "MODEL")
    assert ("predict", "OUTPUT") in offered("evaluate", "PREDICTION")
    pipeline.removeChildAlgorithm("buildpatches")
    pipeline.removeChildAlgorithm("train")

    report = tmp_path / "chained.json"
    results = run(pipeline, {"model_file": model["OUTPUT"], "image": str(tile[0]), "reference": str(tile[1]),
                             "evaluate:report": str(report)})
    assert Path(results["evaluate:report"]) == report
    assert np.asarray(json.loads(report.read_text())["confusion_matrix"]).sum() == 256 * 256


# -- qgis_process ---------------------------------------------------------------------------------
def qgis_home(home: Path) -> dict:
    """A HOME whose default QGIS profile has Claro (a link to this checkout) enabled."""
    profile = home / ".local" / "share" / "QGIS" / "QGIS3" / "profiles" / "default"
    (profile / "python" / "plugins").mkdir(parents=True)
    (profile / "python" / "plugins" / "claro").symlink_to(ROOT, target_is_directory=True)
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text("[PythonPlugins]\nclaro=true\n")
    # pytest-qgis points QGIS_CUSTOM_CONFIG_PATH at its own settings folder: qgis_process must
    # read the profile under HOME instead.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and k not in ("QGIS_CUSTOM_CONFIG_PATH", "QGIS_OPTIONS_PATH")}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(home / "runtime"))
    (home / "runtime").mkdir(mode=0o700)
    return env


def test_qgis_process_predicts_real_data(model, amazon_tile_module, tmp_path):
    """`qgis_process run claro:predict` on a real 512² tile gives the same raster as the backend."""
    if not QGIS_PROCESS.exists():
        pytest.skip("qgis_process is not installed")
    image = amazon_tile_module[0]
    env = qgis_home(tmp_path / "home")
    out = tmp_path / "qgis-process.tif"
    completed = subprocess.run([str(QGIS_PROCESS), "run", "claro:predict", "--json", f"--MODEL={model['OUTPUT']}",
                                f"--IMAGE={image}", f"--OUTPUT={out}"],
                               capture_output=True, text=True, env=env, timeout=600)
    assert completed.returncode == 0, completed.stderr[-2000:] + completed.stdout[-2000:]
    answer = json.loads(completed.stdout[completed.stdout.index("{"):])
    assert Path(answer["results"]["OUTPUT"]) == out
    assert answer["results"]["PIXELS"] == 512 * 512

    reference = tmp_path / "backend.tif"
    subprocess.run([str(VENV_PYTHON), "-m", "claro.backend", "predict", "--model", model["OUTPUT"], "--image",
                    str(image), "--out", str(reference)], check=True, capture_output=True, timeout=600)
    ours, theirs = gdal.Open(str(out)), gdal.Open(str(reference))
    assert ours.GetGeoTransform() == gdal.Open(str(image)).GetGeoTransform()
    assert np.array_equal(ours.ReadAsArray(), theirs.ReadAsArray())
    assert set(np.unique(ours.ReadAsArray())) <= {0, 1}
    assert out.with_suffix(".qml").is_file()
