"""Claro's jobs as QGIS Processing algorithms, generated from the parameter dataclasses.

Why generated: backend/params.py is the one definition of every hyperparameter (type, default,
label, help); the command line, the dock and these algorithms are all built from it, so a new
field or a changed default reaches the toolbox, the Graphical Modeler, batch mode and
`qgis_process` without touching this file. What params.py cannot say — which text field is an
input raster, a polygon layer or an output folder — is the small FIELD_KINDS table below.

Each algorithm runs the same child process as the dock (plugin/child.py), maps its JSON events
to feedback (progress, log lines), cancels it when the user cancels, and turns a failure into a
QgsProcessingException carrying the backend's one sentence. Outputs (the patch folder, the
model file, the class raster, the report) are Processing outputs, so models chain them.

Processing outputs replace an existing output (QGIS's convention: the file dialog has asked
already), so the backend's --overwrite is passed and not shown. The backend still replaces only
what Claro made (backend/atomic.py): a destination folder holding a user's files, or a file of
another kind, is refused with a sentence and left as it was. Progress is always JSON lines.
"""
from __future__ import annotations

import dataclasses
import json
import shlex
import threading
import typing
from pathlib import Path
from typing import Any, Callable, Optional

from qgis.core import (QgsMapLayer, QgsProcessing, QgsProcessingAlgorithm, QgsProcessingContext,
                       QgsProcessingException, QgsProcessingFeedback, QgsProcessingLayerPostProcessorInterface,
                       QgsProcessingOutputNumber, QgsProcessingParameterBand, QgsProcessingParameterBoolean,
                       QgsProcessingParameterDefinition, QgsProcessingParameterEnum, QgsProcessingParameterFile,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterFolderDestination,
                       QgsProcessingParameterMapLayer, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterString,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterVectorLayer, QgsProcessingUtils,
                       QgsRasterLayer, QgsVectorLayer)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..backend import params as P
from .child import ChildError, ChildProcess, log_tail
from .i18n import tr_param

ICON = Path(__file__).resolve().parents[1] / "resources" / "icon.svg"
#: fields Processing handles itself: Claro's own outputs are replaced, progress is always JSON
HIDDEN = {"overwrite", "progress"}
#: the conventional name of an algorithm's main output, so models and scripts find it
OUTPUT = "OUTPUT"
#: vector formats the backend reads directly; other vector layers are exported to a GeoPackage first
VECTOR_FORMATS = ["gpkg", "shp", "geojson", "json"]

# What a text field of params.py is, when it is not just text:
#   raster            one raster layer (a file GDAL reads)
#   rasters           several raster layers, in order
#   layers            several raster or polygon layers, in order
#   layer             one raster or polygon layer
#   polygons          polygon features (an area of interest; "selected features only" honoured): the
#                     layer's file, or the features exported to a GeoPackage
#   points            one point layer (e.g. a labelled sample)
#   folder            an existing folder
#   file:EXT          an existing file with that extension
#   folder-out        an output folder
#   file-out:EXT      an output file with that extension (FILE_FILTERS)
#   raster-out        an output raster (optional ones are not created unless asked)
#   vector-out:EXT    an output vector file the backend writes in that format (FILE_FILTERS); loaded on completion
#   bands:PARENT      band numbers of the raster parameter PARENT (a list of ints)
FIELD_KINDS: dict[str, dict[str, str]] = {
    "patches": {"images": "rasters", "labels": "layers", "out": "folder-out"},
    "train": {"data": "folder", "out": "file-out:keras"},
    "predict": {"model": "file:keras", "image": "raster", "out": "raster-out", "probabilities": "raster-out",
                "bands": "bands:IMAGE", "aoi": "polygons", "uncertainty": "raster-out", "polygons": "vector-out:gpkg"},
    "evaluate": {"prediction": "raster", "reference": "layer", "out": "file-out:json"},
    "change": {"before": "raster", "after": "raster", "out": "raster-out", "polygons": "vector-out:gpkg"},
    "sample": {"map": "raster", "out": "file-out:gpkg", "aoi": "polygons"},
    "assess": {"map": "raster", "sample": "points", "out": "file-out:json", "aoi": "polygons"},
    "describe": {"folder": "folder", "out": "folder-out"},
    "export": {"model": "file:keras", "out": "file-out:onnx"},
}

#: file dialog filters of output files, by extension (QT_TRANSLATE_NOOP: pylupdate5 lists them)
FILE_FILTERS = {"keras": QT_TRANSLATE_NOOP("Claro", "Keras model (*.keras)"),
                "json": QT_TRANSLATE_NOOP("Claro", "JSON report (*.json)"),
                "gpkg": QT_TRANSLATE_NOOP("Claro", "GeoPackage (*.gpkg)"),
                "onnx": QT_TRANSLATE_NOOP("Claro", "ONNX model (*.onnx)")}

#: fields shown under "Advanced parameters": the defaults suit most analysts. Distribution (dask,
#: merge, workers, worker_index), Earth Engine specifics (band_names, format, image_feature,
#: mask_feature) and the describe split's fractions are for the engineer who needs them.
ADVANCED = {"stride", "ignore_value", "split", "seed", "min_labelled", "learning_rate", "dropout",
            "class_weights", "patience", "reduce_lr_after", "resume", "window", "batch_size", "bands", "beta",
            "tensorboard", "expected_accuracy", "uncertainty_measure", "precision", "dask", "merge", "dask_block", "band_names",
            "format", "workers", "worker_index", "fractions", "image_feature", "mask_feature", "tile_size"}

#: algorithm id → (sub-command of the backend, display name)
ALGORITHMS: dict[str, tuple[str, str]] = {
    "buildpatches": ("patches", QT_TRANSLATE_NOOP("Claro", "Build patch dataset")),
    "train": ("train", QT_TRANSLATE_NOOP("Claro", "Train U-Net")),
    "predict": ("predict", QT_TRANSLATE_NOOP("Claro", "Classify raster (predict)")),
    "evaluate": ("evaluate", QT_TRANSLATE_NOOP("Claro", "Evaluate class raster")),
    "change": ("change", QT_TRANSLATE_NOOP("Claro", "Change between two class maps")),
    "sample": ("sample", QT_TRANSLATE_NOOP("Claro", "Draw an accuracy sample (stratified random points)")),
    "assess": ("assess", QT_TRANSLATE_NOOP("Claro", "Assess accuracy and areas from a labelled sample")),
    "describe": ("describe", QT_TRANSLATE_NOOP("Claro", "Describe TFRecords (Earth Engine export)")),
    "export": ("export", QT_TRANSLATE_NOOP("Claro", "Export model for Deepness (ONNX)")),
}

#: numbers a job reports in its 'done' event worth a Processing output: (output, key path, description)
NUMBER_OUTPUTS: dict[str, list[tuple[str, str, str]]] = {
    "patches": [("TRAIN_PATCHES", "counts.train", QT_TRANSLATE_NOOP("Claro", "Training patches")),
                ("VALIDATION_PATCHES", "counts.validation", QT_TRANSLATE_NOOP("Claro", "Validation patches")),
                ("TEST_PATCHES", "counts.test", QT_TRANSLATE_NOOP("Claro", "Test patches"))],
    "train": [("EPOCHS_RUN", "epochs_run", QT_TRANSLATE_NOOP("Claro", "Epochs run")),
              ("BEST_EPOCH", "best_epoch", QT_TRANSLATE_NOOP("Claro", "Best epoch")),
              ("VALIDATION_MEAN_IOU", "metrics.validation.mean_iou",
               QT_TRANSLATE_NOOP("Claro", "Mean IoU on the validation patches")),
              ("TEST_MEAN_IOU", "metrics.test.mean_iou", QT_TRANSLATE_NOOP("Claro", "Mean IoU on the test patches"))],
    "predict": [("PIXELS", "pixels", QT_TRANSLATE_NOOP("Claro", "Pixels classified"))],
    "describe": [("TRAIN_PATCHES", "counts.train", QT_TRANSLATE_NOOP("Claro", "Training patches")),
                 ("VALIDATION_PATCHES", "counts.validation", QT_TRANSLATE_NOOP("Claro", "Validation patches")),
                 ("TEST_PATCHES", "counts.test", QT_TRANSLATE_NOOP("Claro", "Test patches"))],
    "evaluate": [("OVERALL_ACCURACY", "overall_accuracy", QT_TRANSLATE_NOOP("Claro", "Overall accuracy")),
                 ("MEAN_IOU", "mean_iou", QT_TRANSLATE_NOOP("Claro", "Mean IoU")),
                 ("PIXELS", "pixels", QT_TRANSLATE_NOOP("Claro", "Pixels compared"))],
    "change": [("CHANGED_HECTARES", "changed_hectares", QT_TRANSLATE_NOOP("Claro", "Hectares changed")),
               ("HECTARES", "hectares", QT_TRANSLATE_NOOP("Claro", "Hectares compared")),
               ("PIXELS", "pixels", QT_TRANSLATE_NOOP("Claro", "Pixels compared"))],
    "sample": [("POINTS", "points", QT_TRANSLATE_NOOP("Claro", "Points drawn"))],
    "assess": [("OVERALL_ACCURACY", "overall_accuracy", QT_TRANSLATE_NOOP("Claro", "Overall accuracy")),
               ("OVERALL_ACCURACY_CI95", "overall_accuracy_ci95",
                QT_TRANSLATE_NOOP("Claro", "Overall accuracy: half-width of the 95 % confidence interval")),
               ("LABELLED_POINTS", "labelled", QT_TRANSLATE_NOOP("Claro", "Labelled points used"))],
}


def _lookup(result: dict, path: str) -> Any:
    """result['a']['b'] for 'a.b'; None when any part is missing."""
    value: Any = result
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def parameter_name(field_name: str) -> str:
    """Processing's name for a field: OUTPUT for `out`, else the field name in capitals."""
    return OUTPUT if field_name == "out" else field_name.upper()


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(inner type, optional?) of a type hint like Optional[int]."""
    if typing.get_origin(hint) is typing.Union:
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return inner[0], True
    return hint, False


def _default(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _text(value: Any) -> str:
    """A default as Processing shows it in a text box (lists comma separated)."""
    if value is None:
        return ""
    return P._format(value)


def _number(f: dataclasses.Field, name: str, label: str, hint: Any, default: Any,
            optional: bool) -> QgsProcessingParameterNumber:
    """A number parameter with the field's range from params.py (the one definition of its bounds)."""
    kind = QgsProcessingParameterNumber.Integer if hint is int else QgsProcessingParameterNumber.Double
    low, high = P.bounds(f)
    parameter = QgsProcessingParameterNumber(name, label, kind, default, optional)
    if low is not None:
        parameter.setMinimum(low)
    if high is not None:
        parameter.setMaximum(high)
    return parameter


def make_parameter(command: str, f: dataclasses.Field, hint: Any) -> QgsProcessingParameterDefinition:
    """One field of a params dataclass → the Processing parameter that edits it."""
    name = parameter_name(f.name)
    label = tr_param(f.metadata.get("label") or f.name.replace("_", " ").capitalize())
    inner, optional = _unwrap(hint)
    default = _default(f)
    kind = FIELD_KINDS.get(command, {}).get(f.name, "")
    if kind:  # a path: required when its default is empty ('' or []), else optional
        optional = optional or not (default == "" or default == [])
    if kind == "raster":
        parameter = QgsProcessingParameterRasterLayer(name, label, optional=optional)
    elif kind == "rasters":
        parameter = QgsProcessingParameterMultipleLayers(name, label, QgsProcessing.TypeRaster, optional=optional)
    elif kind == "layers":
        parameter = QgsProcessingParameterMultipleLayers(name, label, QgsProcessing.TypeMapLayer, optional=optional)
    elif kind == "layer":
        parameter = QgsProcessingParameterMapLayer(name, label, optional=optional,
                                                   types=[QgsProcessing.TypeRaster, QgsProcessing.TypeVectorPolygon])
    elif kind == "polygons":
        # features, not a layer: "selected features only" is offered and honoured
        parameter = QgsProcessingParameterFeatureSource(name, label, [QgsProcessing.TypeVectorPolygon], optional=optional)
    elif kind == "points":
        parameter = QgsProcessingParameterVectorLayer(name, label, [QgsProcessing.TypeVectorPoint], None, optional)
    elif kind == "folder":
        parameter = QgsProcessingParameterFile(name, label, QgsProcessingParameterFile.Folder, optional=optional)
    elif kind.startswith("file:"):
        parameter = QgsProcessingParameterFile(name, label, QgsProcessingParameterFile.File,
                                               extension=kind.split(":", 1)[1], optional=optional)
    elif kind == "folder-out":
        # an optional one (describe's --out: default beside the shards) is not created unless asked for
        parameter = QgsProcessingParameterFolderDestination(name, label, optional=optional,
                                                            createByDefault=not optional)
    elif kind.startswith("file-out:"):
        parameter = QgsProcessingParameterFileDestination(name, label, tr(FILE_FILTERS[kind.split(":", 1)[1]]),
                                                          optional=optional)
    elif kind.startswith("vector-out:"):
        # A file destination, not a vector one: the backend writes this one format (no memory
        # layer, no other driver), and an optional one is only written when asked for.
        parameter = QgsProcessingParameterFileDestination(name, label, tr(FILE_FILTERS[kind.split(":", 1)[1]]),
                                                          optional=optional, createByDefault=not optional)
    elif kind == "raster-out":
        parameter = QgsProcessingParameterRasterDestination(name, label, optional=optional,
                                                            createByDefault=not optional)
    elif kind.startswith("bands:"):
        parameter = QgsProcessingParameterBand(name, label, None, kind.split(":", 1)[1], optional=True,
                                               allowMultiple=True)
    elif inner is bool:
        parameter = QgsProcessingParameterBoolean(name, label, bool(default), optional)
    elif inner in (int, float):
        parameter = _number(f, name, label, inner, default, optional)
    elif f.metadata.get("choices"):
        choices = list(f.metadata["choices"])
        parameter = QgsProcessingParameterEnum(name, label, choices, False, choices.index(default) if default in choices else None,
                                               optional)
    else:  # text, and lists/tuples written comma separated
        parameter = QgsProcessingParameterString(name, label, _text(default) or None, False, optional)
    parameter.setHelp(tr_param(f.metadata.get("help", "")))
    if f.name in ADVANCED:
        parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return parameter


# -- values -------------------------------------------------------------------------------------
def _parse_list(text: str, hint: Any, label: str) -> Any:
    """'0.7,0.2,0.1' → the field's list or tuple, or a QgsProcessingException with a sentence."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    item = args[0]
    try:
        values = [item(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise QgsProcessingException(tr("{} must be {} values separated by commas, not '{}'.").format(
            label, tr("whole-number") if item is int else tr("numeric"), text))
    if origin is tuple and args[-1] is not Ellipsis and len(values) != len(args):
        raise QgsProcessingException(tr("{} needs exactly {} values separated by commas, not '{}'.").format(
            label, len(args), text))
    return tuple(values) if origin is tuple else values


def raster_path(layer: Optional[QgsRasterLayer], label: str) -> str:
    """The file behind a raster layer; a sentence when it is not one GDAL can read."""
    if layer is None:
        raise QgsProcessingException(tr("{}: the raster could not be opened.").format(label))
    if layer.providerType() != "gdal":
        raise QgsProcessingException(tr("{}: '{}' is not a raster file (it comes from '{}'); save it as a GeoTIFF "
                                        "first (Raster ▸ Conversion ▸ Translate) and use that.").format(
            label, layer.name(), layer.providerType()))
    return layer.source()


def layer_path(layer: Optional[QgsMapLayer], label: str, context: QgsProcessingContext,
               feedback: QgsProcessingFeedback) -> str:
    """A file the backend reads for a raster or polygon layer; vector layers that are not plain
    files (memory layers, databases, filtered layers) are exported to a GeoPackage first."""
    if layer is None:
        raise QgsProcessingException(tr("{}: the layer could not be opened.").format(label))
    if layer.type() == QgsMapLayer.RasterLayer:
        return raster_path(layer, label)
    if isinstance(layer, QgsVectorLayer):
        return QgsProcessingUtils.convertToCompatibleFormat(layer, False, label.replace(" ", "_"), VECTOR_FORMATS,
                                                            "gpkg", context, feedback)
    raise QgsProcessingException(tr("{}: '{}' is neither a raster nor a vector layer.").format(label, layer.name()))


class ClaroAlgorithm(QgsProcessingAlgorithm):
    """One backend job (patches, train, predict, evaluate, change, sample, assess, describe, export) as a
    Processing algorithm."""

    def __init__(self, algorithm_id: str) -> None:
        super().__init__()
        self.algorithm_id = algorithm_id
        self.command, self._display = ALGORITHMS[algorithm_id]
        self.params_class = P.COMMANDS[self.command][0]
        self.hints = typing.get_type_hints(self.params_class)

    # -- identity ---------------------------------------------------------------------------
    def createInstance(self) -> "ClaroAlgorithm":  # noqa: N802 (QGIS API names)
        return ClaroAlgorithm(self.algorithm_id)

    def name(self) -> str:
        return self.algorithm_id

    def displayName(self) -> str:  # noqa: N802
        return tr(self._display)

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def tags(self) -> list[str]:
        return [tr("deep learning"), "U-Net", "TensorFlow", tr("segmentation"), tr("classification"),
                tr("forest"), tr("deforestation")]

    def shortDescription(self) -> str:  # noqa: N802
        from ..backend.cli import DESCRIPTIONS  # argparse only: no TensorFlow

        return tr_param(DESCRIPTIONS[self.command])

    def shortHelpString(self) -> str:  # noqa: N802
        lines = [f"<p>{self.shortDescription()}</p>", "<dl>"]
        for f in self.fields():
            label = tr_param(f.metadata.get("label") or f.name)
            lines.append(f"<dt><b>{label}</b></dt><dd>{tr_param(f.metadata.get('help', ''))}</dd>")
        lines.append("</dl>")
        lines.append("<p>" + tr("Runs in the Python with TensorFlow chosen in Claro's dock (Environment); "
                                "existing outputs are replaced.") + "</p>")
        return "\n".join(lines)

    def helpUrl(self) -> str:  # noqa: N802
        return "https://github.com/claro-gis/claro/blob/main/docs/processing-and-packaging.md"

    def flags(self):
        # The child process owns the heavy work; the algorithm itself only waits and reports.
        return super().flags() | QgsProcessingAlgorithm.FlagCanCancel

    # -- parameters --------------------------------------------------------------------------
    def fields(self) -> list[dataclasses.Field]:
        return [f for f in dataclasses.fields(self.params_class) if f.name not in HIDDEN]

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        for f in self.fields():
            self.addParameter(make_parameter(self.command, f, self.hints[f.name]))
        for name, _path, description in NUMBER_OUTPUTS.get(self.command, []):
            self.addOutput(QgsProcessingOutputNumber(name, tr(description)))

    def params_from(self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback) -> Any:
        """Processing's values → the job's params dataclass (what the dock and the CLI build too)."""
        values: dict[str, Any] = {"overwrite": True}
        kinds = FIELD_KINDS.get(self.command, {})
        for f in self.fields():
            name = parameter_name(f.name)
            label = tr_param(f.metadata.get("label") or f.name)
            inner, optional = _unwrap(self.hints[f.name])
            kind = kinds.get(f.name, "")
            given = parameters.get(name) is not None and parameters.get(name) != ""
            if kind == "raster":
                values[f.name] = raster_path(self.parameterAsRasterLayer(parameters, name, context), label) if given else ""
            elif kind in ("rasters", "layers"):
                layers = self.parameterAsLayerList(parameters, name, context) if given else []
                values[f.name] = [layer_path(layer, label, context, feedback) for layer in layers]
            elif kind == "layer":
                values[f.name] = layer_path(self.parameterAsLayer(parameters, name, context), label, context, feedback)
            elif kind == "polygons":
                values[f.name] = self.parameterAsCompatibleSourceLayerPath(
                    parameters, name, context, VECTOR_FORMATS, "gpkg", feedback) if given else (None if optional else "")
            elif kind == "points":
                layer = self.parameterAsVectorLayer(parameters, name, context) if given else None
                values[f.name] = layer_path(layer, label, context, feedback) if given else (None if optional else "")
            elif kind in ("folder",) or kind.startswith("file:"):
                values[f.name] = self.parameterAsFile(parameters, name, context)
            elif kind == "raster-out":
                path = self.parameterAsOutputLayer(parameters, name, context) if given else ""
                values[f.name] = path or (None if optional else "")
            elif kind == "folder-out" or kind.startswith("file-out:"):
                path = self.parameterAsFileOutput(parameters, name, context) if given or not optional else ""
                values[f.name] = path or (None if optional else "")
            elif kind.startswith("vector-out:"):
                path = self.parameterAsFileOutput(parameters, name, context) if given else ""
                values[f.name] = path or (None if optional else "")
            elif kind.startswith("bands:"):
                bands = self.parameterAsInts(parameters, name, context) if given else []
                values[f.name] = [int(b) for b in bands] or None
            elif inner is bool:
                values[f.name] = self.parameterAsBoolean(parameters, name, context)
            elif inner is int:
                values[f.name] = self.parameterAsInt(parameters, name, context) if given else (None if optional else _default(f))
            elif inner is float:
                values[f.name] = self.parameterAsDouble(parameters, name, context) if given else (None if optional else _default(f))
            elif f.metadata.get("choices"):
                values[f.name] = list(f.metadata["choices"])[self.parameterAsEnum(parameters, name, context)]
            elif typing.get_origin(inner) in (list, tuple):
                text = self.parameterAsString(parameters, name, context).strip() if given else ""
                values[f.name] = _parse_list(text, inner, label) if text else (None if optional else _default(f))
            else:
                text = self.parameterAsString(parameters, name, context) if given else ""
                values[f.name] = text if text else (None if optional else _default(f))
        return self.params_class(**values)

    # -- running -----------------------------------------------------------------------------
    def processAlgorithm(self, parameters: dict, context: QgsProcessingContext,  # noqa: N802
                         feedback: QgsProcessingFeedback) -> dict:
        params = self.params_from(parameters, context, feedback)
        result = run_job(params, feedback)
        outputs: dict[str, Any] = {}
        for f in self.fields():
            kind = FIELD_KINDS.get(self.command, {}).get(f.name, "")
            if kind in ("folder-out", "raster-out") or kind.startswith(("file-out:", "vector-out:")):
                outputs[parameter_name(f.name)] = getattr(params, f.name)
            if kind.startswith("vector-out:") and getattr(params, f.name):
                load_on_completion(getattr(params, f.name), context)
        if self.command == "describe":  # the folder holding dataset.json, which 'train' takes as its data
            outputs[OUTPUT] = params.out or params.folder
        for name, path, _description in NUMBER_OUTPUTS.get(self.command, []):
            value = _lookup(result, path)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                outputs[name] = value
        if self.command in ("predict", "change"):
            style_on_load(params, context)
        return outputs


def _interpreter() -> str:
    """The Python with TensorFlow the dock uses (its Setup tab), found the same way."""
    from .environment import find_interpreter
    from .settings import Settings

    found = find_interpreter(Settings().interpreter)
    if found is None:
        raise QgsProcessingException(tr("No Python with TensorFlow was found; create one or choose one in Claro's "
                                        "dock (Setup tab), then run the algorithm again."))
    return str(found)


def _ready(interpreter: str) -> str:
    """`interpreter` when it has TensorFlow and GDAL (the dock's remembered probe), else the
    dock's sentence as a QgsProcessingException: no job starts to fail on a missing module."""
    from .environment import checked, problem

    sentence = problem(checked(interpreter))
    if sentence:
        raise QgsProcessingException(sentence)
    return interpreter


def _describe_event(event: dict) -> Optional[str]:
    """A log line for an event that is not progress ('epoch', 'done', job-specific ones)."""
    kind = event.get("event")
    fields = {k: v for k, v in event.items() if k != "event"}
    if kind == "epoch":
        metrics = fields.get("metrics") or {}
        numbers = ", ".join(f"{k} {v:.4g}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in metrics.items())
        return tr("Epoch {} of {}: {}").format(fields.get("epoch"), fields.get("epochs"), numbers)
    if kind == "done":
        return tr("Finished: {}").format(json.dumps(fields, ensure_ascii=False))
    return f"{kind}: {json.dumps(fields, ensure_ascii=False)}"


def run_job(params: Any, feedback: QgsProcessingFeedback, interpreter: Optional[str] = None,
            poll_seconds: float = 0.2) -> dict:
    """Run one backend job in the child process, reporting through `feedback`; the 'done' event's
    fields on success, else QgsProcessingException with the backend's sentence.

    Cancel: a watcher thread polls feedback.isCanceled() (the reading thread is blocked on the
    child's output) and cancels the child, which deletes its temporaries before it exits.
    """
    from .settings import Settings

    child = ChildProcess(params, _ready(interpreter or _interpreter()), grace_seconds=Settings().cancel_grace_seconds)
    feedback.pushCommandInfo(" ".join(shlex.quote(part) for part in child.command))
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(poll_seconds):
            if feedback.isCanceled():
                child.cancel()
                return

    last_message = [""]

    def on_event(event: dict) -> None:
        kind = event.get("event")
        if kind == "progress":
            feedback.setProgress(100.0 * float(event.get("fraction") or 0.0))
            message = str(event.get("message") or "")
            if message and message != last_message[0]:
                last_message[0] = message
                feedback.setProgressText(message)
        elif kind == "log":
            feedback.pushInfo(str(event.get("message", "")))
        elif kind == "error":
            pass  # reported once, below, as the exception's sentence
        else:
            line = _describe_event(event)
            if line:
                feedback.pushInfo(line)

    watcher = threading.Thread(target=watch, name="claro-cancel-watch", daemon=True)
    watcher.start()
    try:
        if feedback.isCanceled():
            child.cancel()
        result = child.run(on_event)
    except ChildError as error:
        raise QgsProcessingException(str(error)) from error
    finally:
        finished.set()
        watcher.join()
    if result.cancelled or feedback.isCanceled():  # the backend says what it kept (training: its best model so far)
        message = (result.error or {}).get("message")
        raise QgsProcessingException(tr("Cancelled: {}").format(message) if message else tr("Cancelled; nothing was written."))
    if not result.ok:
        tail = log_tail(result.log_path, 30).strip()
        if tail:
            feedback.pushDebugInfo(tail)
        feedback.pushInfo(tr("Details: {}").format(result.log_path))
        raise QgsProcessingException(result.message())
    return result.done or {}


# -- styling the rasters Processing loads ------------------------------------------------------
class RasterStyler(QgsProcessingLayerPostProcessorInterface):
    """Styles a raster when Processing loads it: `style(layer)` runs on the loaded layer.

    Processing keeps only a pointer to a post-processor: Python must hold the object until the
    layer is loaded, hence the class-level set.
    """

    _alive: set = set()

    def __init__(self, style: Callable[[QgsRasterLayer], None]) -> None:
        super().__init__()
        self.style = style

    @classmethod
    def create(cls, style: Callable[[QgsRasterLayer], None]) -> "RasterStyler":
        styler = cls(style)
        cls._alive.add(styler)
        return styler

    def postProcessLayer(self, layer: QgsMapLayer, context: QgsProcessingContext,  # noqa: N802
                         feedback: QgsProcessingFeedback) -> None:
        try:
            if isinstance(layer, QgsRasterLayer):
                self.style(layer)
        finally:
            RasterStyler._alive.discard(self)


def style_class_layer(layer: QgsRasterLayer, raster: str, model: Optional[str] = None) -> None:
    """Paletted renderer with the model's classes (or the .qml beside the raster), nodata 255 clear."""
    from . import layers

    classes = layers.classes_for(raster, model)
    if classes:
        layers.style_class_layer(layer, classes)


def style_uncertainty_layer(layer: QgsRasterLayer) -> None:
    """The uncertainty ramp (the .qml beside the raster, else Claro's)."""
    from . import layers

    layers.style_uncertainty_layer(layer)


def style_on_load(params: Any, context: QgsProcessingContext) -> None:
    """When Processing will load the class raster (run from the toolbox), style it on loading:
    with the model's classes (predict), or the .qml written beside it (change); and the
    uncertainty raster with its ramp."""
    if params.out and context.willLoadLayerOnCompletion(params.out):
        details = context.layerToLoadOnCompletionDetails(params.out)
        model, raster = getattr(params, "model", None), params.out
        details.setPostProcessor(RasterStyler.create(lambda layer: style_class_layer(layer, raster, model)))
    uncertainty = getattr(params, "uncertainty", None)
    if uncertainty and context.willLoadLayerOnCompletion(uncertainty):
        context.layerToLoadOnCompletionDetails(uncertainty).setPostProcessor(RasterStyler.create(style_uncertainty_layer))


def load_on_completion(path: str, context: QgsProcessingContext) -> None:
    """A vector output written as a plain file (polygons) is loaded like the raster outputs, when
    Processing loads results (run from the toolbox), with the style the backend gave it."""
    if context.layersToLoadOnCompletion() and context.project() and not context.willLoadLayerOnCompletion(path):
        name = Path(path).stem
        context.addLayerToLoadOnCompletion(path, QgsProcessingContext.LayerDetails(name, context.project(), name))


def algorithms() -> list[ClaroAlgorithm]:
    return [ClaroAlgorithm(algorithm_id) for algorithm_id in ALGORITHMS]


__all__ = ["ClaroAlgorithm", "algorithms", "run_job", "make_parameter", "parameter_name", "style_class_layer",
           "FIELD_KINDS", "ALGORITHMS", "OUTPUT"]
