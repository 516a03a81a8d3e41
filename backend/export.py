"""`claro export`: a trained Claro model as an ONNX file the QGIS plugin Deepness runs unchanged.

Many analysts already have Deepness (an inference-only QGIS plugin running ONNX models). It
reads a few keys from the ONNX file's metadata (`metadata_props`, every value JSON-encoded) to
fill its dock: model type, class names, tile size and overlap, resolution, standardisation,
threshold and small-segment filter (`processing/models/model_base.py` of Deepness 0.6.5, read for
this module, with its `preprocessing_utils.py` and `map_processor_segmentation.py`). We write
them all from the model card, so the analyst only picks the raster layer and the bands.

What Deepness feeds a segmentation model, and what we make the graph take:
  raw raster values of the mapped bands → ÷ 255 → (v − mean) / std with the metadata's
  `standardization_mean` / `standardization_std` → float32, NCHW [batch, bands, tile, tile].
  It expects probabilities back, NCHW [batch, classes, tile, tile], and takes the argmax
  (a one-channel output would be read as a sigmoid and thresholded, naming its classes
  'background' and the one name).

Normalisation happens exactly once, in Deepness: a Claro model normalises in its first layer,
(x − mean) / std on raw values. Deepness's arithmetic gives (x/255 − m') / s', which equals the
model's when m' = mean/255 and s' = std/255. So the export moves the layer's statistics into
the metadata (divided by 255) and turns the layer into the identity; the graph starts with the
normalised values, as the model's second layer sees them. A model whose first layer is not such
a normalisation (a plain Keras model, or one whose statistics are learnt weights) keeps its
graph whole and gets mean 0, std 1/255: Deepness then hands it the raw values, as Claro does.
Keeping the statistics in the metadata rather than in the graph also means another ONNX user
sees them, instead of a scale factor hidden in the graph.

A sigmoid model (two classes, one channel p) is exported with two channels (1 − p, p): with
Deepness's argmax that is Claro's rule (class 1 where p > 0.5) and both class names show,
whether or not the user turns on Deepness's probability threshold. `seg_thresh` and
`seg_small_segment` are 0 (off), so Deepness's classes are Claro's argmax per pixel.

Resolution is what Deepness resamples the raster to, in cm per pixel: the training rasters'
pixel size (the card's `sources`, else the patch dataset's dataset.json). For a projected CRS it
is the pixel size in metres × 100. For a geographic CRS Deepness turns centimetres into degrees
with QGIS's fixed factor (111 319.49 m per degree, whatever the latitude), so we use that same
factor: Deepness then reads the raster at the training pixel size in degrees. The log also
gives the pixel's size on the ground at the sources' latitude, which is smaller east–west.
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any, Optional

from . import card as model_card
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .params import ExportParams, PredictParams
from .progress import Progress

#: QGIS's metres → degrees factor (QgsUnitTypes, one degree of the equator), which Deepness uses
#: to turn its resolution in cm/px into the units of a geographic raster.
QGIS_METERS_PER_DEGREE = 111319.49079327358
#: ONNX opset 15: onnxruntime 1.10 (2022) and later run it, so older QGIS Python set-ups still load the file.
OPSET = 15
INPUT_NAME = "image"
_TILE_MINIMUM = next(int(f.metadata.get("minimum") or 1) for f in dataclasses.fields(ExportParams) if f.name == "tile_size")
OUTPUT_NAME = "probabilities"


# ---------------------------------------------------------------------------- the tile

def tile_size(requested: Optional[int], card: dict, model, factor: int) -> int:
    """The side of the square tiles the exported model takes: the model's own fixed size, the
    one asked for (a multiple of the down-sampling factor, else the skip connections do not line
    up), or the window `claro predict` would use on a large raster."""
    from .model_io import model_shape
    from .predict import round_up, window_size

    fixed_h, fixed_w, _, _ = model_shape(model)
    if fixed_h is not None or fixed_w is not None:
        if fixed_h != fixed_w or fixed_h is None:
            raise ClaroError(f"The model takes windows of {fixed_h} × {fixed_w} pixels, but Deepness works on square tiles; "
                             "export a fully convolutional model (Claro's U-Net takes any size).")
        if requested is not None and requested != fixed_h:
            raise ClaroError(f"The model only takes tiles of {fixed_h} pixels, so --tile-size {requested} cannot be used; "
                             f"leave it out or give {fixed_h}.")
        return int(fixed_h)
    if requested is not None:
        if requested < factor or requested % factor:
            smallest = round_up(max(factor, _TILE_MINIMUM), factor)  # what the command line also accepts
            lower, upper = requested // factor * factor, max(round_up(requested, factor), smallest)
            choices = f"{lower} or {upper}" if lower >= smallest else f"{upper}"
            raise ClaroError(f"--tile-size {requested} is not a multiple of the model's down-sampling factor {factor}; "
                             f"use {choices}.")
        return int(requested)
    huge = 1 << 30  # no raster to shrink the window to
    return int(window_size(None, card, (None, None), factor, (huge, huge))[0])


# ---------------------------------------------------------------------------- standardisation

def _reads_input(layer_config: dict, input_name: str) -> bool:
    """Whether a serialized layer takes the tensor of the layer `input_name` as an argument."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            history = (node.get("config") or {}).get("keras_history") if node.get("class_name") == "__keras_tensor__" else None
            if history and history[0] == input_name:
                found.append(True)
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(layer_config.get("inbound_nodes"))
    return bool(found)


def split_normalisation(model) -> tuple[Any, Optional[list[float]], Optional[list[float]]]:
    """(model without its input normalisation, mean, std) when the model's only reader of its
    input is a Normalization layer with fixed statistics over the band axis; else (model, None,
    None). The returned model has that layer as the identity, so the weights stay as trained."""
    import keras
    import numpy as np

    config = model.get_config()
    layers = config.get("layers") or []
    inputs = [layer for layer in layers if layer.get("class_name") == "InputLayer"]
    if len(inputs) != 1:
        return model, None, None
    readers = [layer for layer in layers if _reads_input(layer, inputs[0]["name"])]
    if len(readers) != 1 or readers[0].get("class_name") != "Normalization":
        return model, None, None
    settings = readers[0]["config"]
    layer = model.get_layer(readers[0]["name"])
    axis = settings.get("axis")
    axes = [axis] if isinstance(axis, int) else list(axis or [])
    if settings.get("mean") is None or settings.get("invert") or layer.weights or axes not in ([-1], [3]):
        return model, None, None
    bands = int(model.inputs[0].shape[-1])
    mean = np.asarray(layer.mean, dtype=np.float64).reshape(-1)
    variance = np.asarray(layer.variance, dtype=np.float64).reshape(-1)
    if mean.size != bands or variance.size != bands:
        return model, None, None
    # Keras divides by max(sqrt(variance), epsilon): the same number, so Deepness's division matches.
    std = np.maximum(np.sqrt(variance), keras.backend.epsilon())
    settings["mean"], settings["variance"] = [0.0] * bands, [1.0] * bands
    bare = keras.Model.from_config(config)
    bare.set_weights(model.get_weights())
    return bare, [float(v) for v in mean], [float(v) for v in std]


# ---------------------------------------------------------------------------- resolution

def _pixel_size(source: dict) -> Optional[tuple[float, float]]:
    transform = source.get("geotransform")
    if not transform or len(transform) != 6 or list(transform) == [0, 1, 0, 0, 0, 1]:
        return None
    width = math.hypot(transform[1], transform[4])
    height = math.hypot(transform[2], transform[5])
    return (width, height) if width > 0 and height > 0 else None


def _ground_size_cm(srs, source: dict, degrees: tuple[float, float]) -> tuple[float, float, float]:
    """(latitude of the source's centre, east–west and north–south size of a pixel in cm there),
    on the CRS's ellipsoid."""
    transform = source["geotransform"]
    cols, rows = (source.get("size") or [0, 0])[:2]
    latitude = transform[3] + transform[4] * cols / 2 + transform[5] * rows / 2
    a = srs.GetSemiMajor()
    inverse_flattening = srs.GetInvFlattening()
    e2 = 0.0 if not inverse_flattening else (2 - 1 / inverse_flattening) / inverse_flattening
    phi = math.radians(latitude)
    w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
    east = math.pi / 180 * a * math.cos(phi) / w  # metres per degree of longitude
    north = math.pi / 180 * a * (1 - e2) / w ** 3  # metres per degree of latitude
    return latitude, degrees[0] * east * 100, degrees[1] * north * 100


def _sources(card: dict) -> list[dict]:
    """The training rasters' grids: the card's, else those of the patch dataset it was trained on."""
    if card.get("sources"):
        return list(card["sources"])
    dataset = (card.get("training") or {}).get("dataset")
    if dataset:
        path = Path(dataset) / "dataset.json"
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return list(summary.get("sources") or []) if isinstance(summary, dict) else []
    return []


def resolution_cm(card: dict) -> tuple[Optional[float], str]:
    """(the resolution Deepness should process at, in cm per pixel, or None; a sentence saying
    where it comes from, for the log)."""
    from osgeo import osr

    grids = [(source, _pixel_size(source)) for source in _sources(card)]
    grids = [(source, size) for source, size in grids if size and source.get("wkt")]
    if not grids:
        return None, ("The model card records no georeferenced training raster, so the ONNX file has no resolution; "
                      "set Deepness's 'Resolution [cm/px]' to the pixel size of the rasters you run it on.")
    source, (width, height) = grids[0]
    srs = osr.SpatialReference()
    if srs.SetFromUserInput(source["wkt"]) != 0:
        return None, "The training raster's CRS could not be read, so the ONNX file has no resolution; set it in Deepness."
    name = source.get("crs") or srs.GetName()
    side = (width + height) / 2
    note = "" if abs(width - height) <= 1e-6 * side else f" (pixels of {width:.6g} × {height:.6g}: their mean side)"
    if len({tuple(size) for _source, size in grids}) > 1:
        note += f"; the {len(grids)} training rasters differ in pixel size, the first one's is used"
    if srs.IsGeographic():
        degrees = side * srs.GetAngularUnits() * 180 / math.pi
        cm = degrees * QGIS_METERS_PER_DEGREE * 100
        unit = (width * srs.GetAngularUnits() * 180 / math.pi, height * srs.GetAngularUnits() * 180 / math.pi)
        latitude, east, north = _ground_size_cm(srs, source, unit)
        return cm, (f"Resolution {cm:.5g} cm/px: the training rasters ({name}) have pixels of {degrees:.6g}°{note}; Deepness "
                    f"turns cm into degrees with QGIS's fixed {QGIS_METERS_PER_DEGREE:.2f} m per degree, so it reads the "
                    f"raster at that same pixel size. On the ground at latitude {latitude:.2f}° a pixel is about "
                    f"{east:.4g} cm east–west by {north:.4g} cm north–south.")
    if srs.IsProjected():
        cm = side * srs.GetLinearUnits() * 100
        return cm, f"Resolution {cm:.5g} cm/px: the pixel size of the training rasters ({name}){note}."
    return None, (f"The training rasters' CRS ({name}) is neither projected nor geographic, so the ONNX file has no "
                  "resolution; set it in Deepness.")


# ---------------------------------------------------------------------------- the graph

def _tf2onnx():
    try:
        import tf2onnx
    except ImportError:
        raise ClaroError("Exporting to ONNX needs the Python package tf2onnx (and onnx), which this environment lacks; "
                         "install them into Claro's Python with 'python -m pip install tf2onnx onnx', then export again.")
    return tf2onnx


def deepness_graph(core, bands: int, tile: int, channels: int):
    """A Keras model taking what Deepness feeds (NCHW, normalised) and giving what it reads
    (NCHW probabilities, two channels for a sigmoid model), around the trained `core`."""
    import keras
    from keras import layers

    image = keras.Input(shape=(bands, tile, tile), name=INPUT_NAME, dtype="float32")
    x = layers.Permute((2, 3, 1), name="nchw_to_nhwc")(image)
    p = core(x, training=False)
    if channels == 1:  # sigmoid: P(class 0) = 1 − p beside P(class 1) = p
        p = layers.Concatenate(axis=-1, name="both_classes")([layers.Rescaling(-1.0, offset=1.0, name="one_minus_p")(p), p])
    out = layers.Permute((3, 1, 2), name=OUTPUT_NAME)(p)
    return keras.Model(image, out, name="claro_for_deepness")


def to_onnx(graph, bands: int, tile: int):
    """The ONNX ModelProto of `graph`, batch size free, tile size fixed (Deepness reads it from the input)."""
    import tensorflow as tf

    tf2onnx = _tf2onnx()
    signature = [tf.TensorSpec([None, bands, tile, tile], tf.float32, name=INPUT_NAME)]
    proto, _ = tf2onnx.convert.from_keras(graph, input_signature=signature, opset=OPSET)
    return proto


# ---------------------------------------------------------------------------- metadata

def deepness_metadata(card: dict, tile: int, mean: list[float], std: list[float],
                      resolution: Optional[float]) -> dict[str, Any]:
    """Metadata key → value (JSON-encoded when written) as Deepness reads it. Deepness's
    documentation names the tile size 'tiles_size', its code reads 'tile_size': both are written."""
    classes = card.get("classes") or []
    overlap = next(f.default for f in dataclasses.fields(PredictParams) if f.name == "overlap")
    metadata: dict[str, Any] = {
        "model_type": "Segmentor",
        "class_names": {str(i): str(c.get("name") or f"class {c.get('value', i)}") for i, c in enumerate(classes)},
        "tile_size": tile,
        "tiles_size": tile,
        "tiles_overlap": int(round(overlap * 100)),  # Deepness: percent of the tile; Claro predict's default
        "standardization_mean": [m / 255.0 for m in mean],
        "standardization_std": [s / 255.0 for s in std],
        "seg_thresh": 0.0,  # off: argmax per pixel, as Claro
        "seg_small_segment": 0,  # off: no median filter, as Claro without --min-area
        # Not read by Deepness; for people and other tools reading the file.
        "claro_source_bands": card.get("source_bands"),
        "claro_bands": card.get("bands"),
        "claro_classes": classes,
    }
    if resolution is not None:
        metadata["resolution"] = round(float(resolution), 4)
    return metadata


def write_metadata(proto, metadata: dict[str, Any], doc: str) -> None:
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key = key
        entry.value = json.dumps(value)
    proto.doc_string = doc


# ---------------------------------------------------------------------------- the job

@job
def run(params: ExportParams, progress: Progress) -> dict[str, Any]:
    if params.format != "onnx":
        raise ClaroError(f"Unknown export format '{params.format}'; use onnx.")
    if not params.model:
        raise ClaroError("No model was given; pass --model MODEL.keras.")
    _tf2onnx()  # before any work: say how to install it
    import onnx

    out = check_can_write(params.out, params.overwrite, kind="onnx", inputs=[params.model])
    from . import model_io
    from .predict import downsampling_factor

    progress.update(0.05, "loading the model")
    model, card = model_io.load_model(params.model)
    _, _, bands, channels = model_io.model_shape(model)
    tile = tile_size(params.tile_size, card, model, downsampling_factor(model))
    core, mean, std = split_normalisation(model)
    if mean is None:
        mean, std = [0.0] * bands, [1.0] * bands
        progress.log("The model has no normalisation layer with fixed statistics in front, so Deepness is told to hand it "
                     "the raw band values (standardisation mean 0, std 1/255).")
    resolution, resolution_note = resolution_cm(card)
    progress.update(0.2, "converting to ONNX")
    proto = to_onnx(deepness_graph(core, bands, tile, channels), bands, tile)
    metadata = deepness_metadata(card, tile, mean, std, resolution)
    names = list(metadata["class_names"].values())
    write_metadata(proto, metadata, f"Claro U-Net from {Path(params.model).name}: {bands} bands in, "
                                    f"probabilities of {', '.join(names)} out; for the QGIS plugin Deepness.")
    progress.update(0.9, "writing")
    with atomic_file(out) as tmp:
        onnx.save(proto, str(tmp))
    source_bands = card.get("source_bands") or list(range(1, bands + 1))
    progress.log(f"Wrote {out}: tiles of {tile} × {tile} pixels ({metadata['tiles_overlap']} % overlap), {bands} band"
                 f"{'s' if bands != 1 else ''} in, classes {', '.join(f'{i} = {n}' for i, n in enumerate(names))}.")
    progress.log(resolution_note)
    progress.log(f"In QGIS: in Deepness's dock choose the model file {out.name} (it sets the model type Segmentor, the "
                 f"tile size, overlap{', resolution' if resolution is not None else ''} and class names from the file); "
                 f"under 'Input channels mapping' map the model's inputs 0…{bands - 1} to image band"
                 f"{'s' if bands != 1 else ''} {', '.join(str(b) for b in source_bands)} of the raster layer, "
                 f"then Run.")
    result = {"out": str(out), "tile_size": tile, "classes": names, "resolution_cm": metadata.get("resolution"),
              "bands": bands}
    progress.done(**result)
    return result
