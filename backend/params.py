"""Every hyperparameter's one definition: its type, default and help text.

The command line (cli.py), the QGIS dock and the Processing algorithms are all built from
these dataclasses, so a default or a help text changes in one place only. This module is
pure Python (no numpy, no TensorFlow) so the QGIS process can import it.

Conventions for a field's metadata (see `option`):
- `help`: one sentence for a user, shown in --help, the dock's tooltips and Processing.
- `flag`: the command-line flag (default: `--` + name with dashes).
- `repeat`: the flag may be given several times (list fields).
- `positional`: given without a flag.
- `choices`: allowed values.
- `label`: short label for a form (dock / Processing).
- `minimum`, `maximum`: the inclusive range of a number (of every item, for a list of numbers).
  The one definition of each bound: the command line refuses a value outside it (exit 2),
  the dock's spin boxes and Processing's number parameters take it as their range, and the
  jobs check it again (`check_bounds`) when called from Python. Every int and float field has
  both bounds (a test walks them); a rule between fields (the split adds up to 1, the patch
  size passes through the U-Net's halvings) stays with the job that knows it.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, Optional


#: the largest seed: fits a 32-bit spin box (Qt) and every random generator Claro seeds
MAX_SEED = 2**31 - 1


def option(default: Any = dataclasses.MISSING, *, help: str, label: str = "", flag: str = "",
           repeat: bool = False, positional: bool = False, choices: tuple = (),
           minimum: Optional[float] = None, maximum: Optional[float] = None,
           default_factory: Any = dataclasses.MISSING) -> Any:
    """A dataclass field carrying its help text, command-line spelling and, for numbers, its
    inclusive range."""
    meta = {"help": help, "label": label, "flag": flag, "repeat": repeat,
            "positional": positional, "choices": choices, "minimum": minimum, "maximum": maximum}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


#: F-beta's β: 2 weighs recall twice precision (missing a clearing costs more than a false alarm).
DEFAULT_BETA = 2.0
BETA_HELP = ("β of the F-beta score reported beside F1: above 1 favours recall (2: missing the class costs more "
             "than a false alarm), below 1 precision.")

PROGRESS_HELP = "How to report progress: a bar on a terminal, or one JSON object per line for programs."

AOI_HELP = ("Area of interest: polygons in any vector file and CRS (GeoPackage, Shapefile, GeoJSON…; its first polygon "
            "layer, or FILE|layername=NAME); pixels outside them are nodata and windows entirely outside are never computed.")
MIN_AREA_HELP = ("Minimum mapping unit in hectares: regions smaller than this (true area on the ellipsoid) are merged into "
                 "their surroundings; 0 keeps every pixel.")


@dataclass
class PatchParams:
    """`claro patches`: rasters + labels → TFRecord patch dataset."""

    images: list[str] = option(default_factory=list, flag="--image", repeat=True, label="Image rasters",
                               help="Image raster; repeat the flag for several scenes (paired in order with --labels).")
    labels: list[str] = option(default_factory=list, flag="--labels", repeat=True, label="Labels",
                               help="Label raster (class values) or polygon file (GeoPackage, GeoJSON, Shapefile), one per --image.")
    out: str = option("", label="Output folder", help="Folder to write the patch dataset into (TFRecord shards and dataset.json).")
    class_field: Optional[str] = option(None, label="Class field",
                                        help="Attribute holding the class value when labels are polygons; without it every polygon is class 1.")
    background: str = option("0", label="Background",
                             help="Class of pixels outside every polygon: a class value, or 'ignore' when polygons of every class were drawn.")
    patch_size: int = option(128, label="Patch size", minimum=8, maximum=2048, help="Width and height of a patch in pixels.")
    stride: Optional[int] = option(None, label="Stride", minimum=1, maximum=2048, help="Step between patches in pixels (default: the patch size, so no overlap).")
    bands: Optional[list[int]] = option(None, label="Bands", minimum=1, maximum=65535,
                                        help="1-based band numbers to use, comma separated (default: all bands).")
    ignore_value: int = option(255, label="Ignore value", minimum=0, maximum=255,
                               help="Label value meaning 'not labelled'; label nodata and image nodata pixels become it too.")
    split: tuple[float, float, float] = option((0.7, 0.2, 0.1), label="Split", minimum=0.0, maximum=1.0,
                                               help="Fractions for train, validation and test, comma separated; made by spatial blocks.")
    seed: int = option(42, label="Seed", minimum=0, maximum=MAX_SEED, help="Random seed for the split.")
    min_labelled: float = option(0.05, label="Minimum labelled fraction", minimum=0.0, maximum=1.0,
                                 help="Drop patches whose labelled (non-ignored) fraction of pixels is below this.")
    classes: Optional[str] = option(None, label="Classes",
                                    help="Class names and colours, e.g. '0:forest:#1a9641,1:cleared:#d7191c' (default: from the label values).")
    overwrite: bool = option(False, label="Overwrite", help="Replace the output folder if it holds a patch dataset Claro made (a folder with other files is never replaced).")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class TrainParams:
    """`claro train`: patch dataset → U-Net model file."""

    data: str = option("", label="Patch dataset",
                       help="Patch dataset folder made by 'claro patches' or 'claro describe', or a folder of Earth Engine "
                            "TFRecord shards (described first when it has no dataset.json).")
    label: Optional[str] = option(None, label="Label feature",
                                  help="For a folder of Earth Engine shards without dataset.json: the feature holding the class "
                                       "(default: class, label or landcover, whichever the records have).")
    out: str = option("", label="Model file", help="Where to save the trained model (.keras).")
    epochs: int = option(50, label="Epochs", minimum=1, maximum=10000, help="Maximum number of passes over the training patches.")
    batch_size: int = option(16, label="Batch size", minimum=1, maximum=1024, help="Patches per training step; lower it if memory runs out.")
    learning_rate: float = option(1e-3, label="Learning rate", minimum=1e-6, maximum=1.0, help="Adam learning rate.")
    depth: int = option(5, label="Depth", minimum=1, maximum=8, help="Number of U-Net levels (5 gives the notebook's 32→1024 U-Net).")
    base_filters: int = option(32, label="Base filters", minimum=1, maximum=512, help="Filters of the first U-Net level; doubled at each level down.")
    dropout: float = option(0.0, label="Dropout", minimum=0.0, maximum=0.9, help="Dropout rate in the U-Net's deepest blocks (0 = none).")
    augment: bool = option(True, flag="--no-augment", label="Augmentation",
                           help="Augment training patches with flips, 90° rotations and small brightness changes per band (--no-augment turns it off).")
    class_weights: str = option("auto", label="Class weights",
                                help="'auto' (inverse class frequency), 'none', or one weight per class, comma separated.")
    patience: int = option(10, label="Patience", minimum=1, maximum=10000, help="Stop after this many epochs without a better validation loss; the best weights are kept.")
    reduce_lr_after: int = option(3, label="Halve learning rate after", minimum=0, maximum=10000,
                                  help="Halve the learning rate after this many epochs without a better validation loss (0 = never).")
    resume: bool = option(False, label="Resume", help="Continue an interrupted training from its checkpoint.")
    seed: int = option(42, label="Seed", minimum=0, maximum=MAX_SEED, help="Random seed for weights and shuffling.")
    beta: float = option(DEFAULT_BETA, label="F-beta β", minimum=0.1, maximum=10.0, help=BETA_HELP)
    tensorboard: Optional[str] = option(None, label="TensorBoard folder",
                                        help="Also write TensorBoard logs (losses, learning rate, per-class scores per epoch) into this folder.")
    workers: Optional[list[str]] = option(None, label="Training workers",
                                          help="Train on several machines: every worker's host:port, comma separated, the same list "
                                               "on each (default: the TF_CONFIG environment variable, else this machine alone).")
    worker_index: Optional[int] = option(None, label="Worker index", minimum=0, maximum=4096,
                                         help="This machine's position in --workers, from 0; worker 0 is the chief, the only "
                                              "one that writes the model, its card, history and plots.")
    overwrite: bool = option(False, label="Overwrite", help="Replace the model file (and its checkpoint, history and plots) if Claro made them.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class PredictParams:
    """`claro predict`: model + raster → class GeoTIFF (+ probabilities)."""

    model: str = option("", label="Model file", help="Trained model file (.keras).")
    image: str = option("", label="Image raster", help="Raster to classify; must have the bands the model was trained on. "
                                                       "Or the JSON mixer of an Earth Engine image export (TFRecord), its "
                                                       ".tfrecord.gz files beside it.")
    out: str = option("", label="Class raster", help="Output class GeoTIFF; a .qml style is written beside it.")
    probabilities: Optional[str] = option(None, label="Probability raster",
                                          help="Also write per-class probabilities (float32 GeoTIFF) to this path.")
    overlap: float = option(0.25, label="Overlap", minimum=0.0, maximum=0.9, help="Overlap between prediction windows as a fraction of the window; blended so no seams show.")
    window: Optional[int] = option(None, label="Window size", minimum=16, maximum=8192, help="Prediction window in pixels (default: from the model, at least 256).")
    batch_size: int = option(8, label="Batch size", minimum=1, maximum=1024, help="Windows per prediction step.")
    bands: Optional[list[int]] = option(None, label="Bands", minimum=1, maximum=65535,
                                        help="1-based band numbers to feed the model (default: the model's, else all).")
    classes: Optional[str] = option(None, label="Classes",
                                    help="For a model without a Claro card: class names and colours, e.g. '0:forest:#1a9641,1:cleared:#d7191c'.")
    aoi: Optional[str] = option(None, label="Area of interest",
                                help=AOI_HELP)
    tta: bool = option(False, label="Test-time augmentation",
                       help="Average the model's probabilities over the eight flips and 90° rotations of every window: "
                            "smoother, often slightly more accurate maps for about 8× the time.")
    uncertainty: Optional[str] = option(None, label="Uncertainty raster",
                                        help="Also write a per-pixel uncertainty (float32 GeoTIFF, 0 = certain, 1 = as unsure as can be) to this path.")
    uncertainty_measure: str = option("entropy", choices=("entropy", "top", "disagreement"), label="Uncertainty measure",
                                      help="entropy: the class probabilities' entropy divided by its maximum; top: 1 − the highest class "
                                           "probability; disagreement (needs test-time augmentation): the share of the eight views "
                                           "whose class differs from the averaged class.")
    min_area: float = option(0.0, label="Minimum mapping unit (ha)", minimum=0.0, maximum=1_000_000.0, help=MIN_AREA_HELP)
    polygons: Optional[str] = option(None, label="Polygons",
                                     help="Also write one polygon per region (after the minimum mapping unit) to this GeoPackage, "
                                          "with its class, class name, true area in hectares and mean class probability.")
    precision: str = option("float32", choices=("float32", "bf16"), label="Precision",
                            help="Arithmetic of the model while predicting: bf16 (bfloat16) is faster on CPUs with bfloat16 "
                                 "instructions and on GPUs, with normalisation and the output layer kept in float32.")
    band_names: Optional[list[str]] = option(None, label="Band names",
                                             help="For an Earth Engine image export (--image EXPORT.json): the features to feed the "
                                                  "model, by name, comma separated (default: the model's band names).")
    format: str = option("geotiff", choices=("geotiff", "tfrecord"), label="Output format",
                         help="geotiff: a class GeoTIFF; tfrecord (Earth Engine image exports only): the classes as TFRecord "
                              "patches beside a copy of the export's JSON, ready for 'earthengine upload image': --out "
                              "names OUT.tfrecord.gz (or OUT.tfrecord) and the copy is OUT.json.")
    dask: Optional[str] = option(None, label="Dask scheduler",
                                 help="Predict on a Dask cluster: the scheduler's address (tcp://host:8786), or local:N for N worker "
                                      "processes on this machine; the output folder must be reachable by every worker.")
    merge: bool = option(True, flag="--no-merge", label="Merge blocks",
                         help="With --dask, merge the workers' blocks into one GeoTIFF (--no-merge keeps the blocks and a VRT "
                              "over them at the output path's name with .vrt).")
    dask_block: int = option(32, label="Dask block (windows)", minimum=1, maximum=4096,
                             help="With --dask, the windows per side of one task's block: a block recomputes one window per "
                                  "side of its neighbours' (the blend needs it), so larger blocks waste less (1/N per side) "
                                  "and smaller ones spread over more workers.")
    overwrite: bool = option(False, label="Overwrite", help="Replace the class raster, its style, area table and the other outputs if they exist and are of their kind.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class ChangeParams:
    """`claro change`: two class maps of the same classes → transition raster + from→to areas."""

    before: str = option("", label="Before (class map)", help="Class raster of the earlier date; the output uses its grid and CRS.")
    after: str = option("", label="After (class map)",
                        help="Class raster of the later date, with the same classes; aligned onto the before map's grid (nearest neighbour).")
    out: str = option("", label="Change raster",
                      help="Output transition GeoTIFF (one code per from→to pair); its .qml style and the from→to area matrix "
                           "(NAME_matrix.json and NAME_matrix.csv, in hectares and pixels) are written beside it.")
    from_classes: Optional[str] = option(None, flag="--from", label="From classes",
                                         help="Keep only the changes from these classes (names or values, comma separated), e.g. forest; "
                                              "the other classified pixels get the code 'no change of interest' (not nodata, "
                                              "so observed land is told from missing data).")
    to_classes: Optional[str] = option(None, flag="--to", label="To classes",
                                       help="Keep only the changes to these classes (names or values, comma separated), e.g. cleared; a class "
                                            "given in both --from and --to also keeps its unchanged pixels (stable forest).")
    min_area: float = option(0.0, label="Minimum mapping unit (ha)", minimum=0.0, maximum=1_000_000.0, help=MIN_AREA_HELP)
    polygons: Optional[str] = option(None, label="Change polygons",
                                     help="Also write the change regions as polygons (GeoPackage) with from, to, true area in hectares and the two dates.")
    before_date: Optional[str] = option(None, label="Before date",
                                        help="Date of the before map (YYYY-MM-DD); default: the date its file carries "
                                             "(ACQUISITIONDATETIME or TIFFTAG_DATETIME metadata).")
    after_date: Optional[str] = option(None, label="After date",
                                       help="Date of the after map (YYYY-MM-DD); default: the date its file carries "
                                            "(ACQUISITIONDATETIME or TIFFTAG_DATETIME metadata).")
    overwrite: bool = option(False, label="Overwrite", help="Replace the change raster, its style, matrix files and polygons if they exist and Claro made them.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class EvaluateParams:
    """`claro evaluate`: class GeoTIFF + reference labels → accuracy report."""

    prediction: str = option("", label="Class raster", help="Class GeoTIFF made by 'claro predict'.")
    reference: str = option("", label="Reference labels", help="Reference raster or polygon file, in any CRS.")
    out: str = option("", label="Report", help="Report to write (.json); a confusion-matrix PNG is written beside it.")
    class_field: Optional[str] = option(None, label="Class field", help="Attribute holding the class value when the reference is polygons.")
    background: str = option("ignore", label="Background",
                             help="Class of pixels outside every reference polygon, or 'ignore' to score only pixels inside the polygons.")
    ignore_value: int = option(255, label="Ignore value", minimum=0, maximum=255, help="Reference value meaning 'not labelled'.")
    beta: float = option(DEFAULT_BETA, label="F-beta β", minimum=0.1, maximum=10.0, help=BETA_HELP)
    overwrite: bool = option(False, label="Overwrite", help="Replace the report and its figure if Claro made them.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


#: Expected user's accuracies when --expected-accuracy does not name a class: Olofsson et al. (2014, §5.1.1)
#: conjecture 0.6-0.7 for change classes (rare, hard to map) and 0.9-0.95 for stable ones.
EXPECTED_CHANGE_ACCURACY = 0.7
EXPECTED_STABLE_ACCURACY = 0.9


@dataclass
class SampleParams:
    """`claro sample`: class map → stratified random sample of points to label (Olofsson et al. 2014)."""

    map: str = option("", label="Class map",
                      help="Class raster to assess (from 'claro predict' or 'claro change'); its classes are the strata.")
    out: str = option("", label="Sample points",
                      help="Output GeoPackage of points, one at the centre of each sampled pixel, with an empty "
                           "'reference' field to label; a .qml style is written beside it.")
    aoi: Optional[str] = option(None, label="Area of interest",
                                help="Area of interest: polygons in any vector file and CRS; pixels outside them are never "
                                     "sampled (give the same file to 'claro assess').")
    n: Optional[int] = option(None, label="Sample size", minimum=2, maximum=1_000_000,
                              help="Total number of points; without it the size follows from --target-se.")
    target_se: float = option(0.01, label="Target standard error", minimum=0.001, maximum=0.2,
                              help="Standard error of overall accuracy the sample should reach (0.01 gives a 95 % interval "
                                   "of about ±0.02), with the expected user's accuracies, by Cochran's formula "
                                   "n = (Σ Wᵢ·√(Uᵢ(1−Uᵢ)) / SE)²; ignored when --n is given.")
    expected_accuracy: Optional[str] = option(None, label="Expected user's accuracies",
                                              help="Expected user's accuracy of classes, e.g. 'cleared:0.6,forest:0.95' "
                                                   "(names or values); a class not listed gets "
                                                   f"{EXPECTED_CHANGE_ACCURACY:g} when it is a change (from→to with "
                                                   f"two different classes) and {EXPECTED_STABLE_ACCURACY:g} otherwise, "
                                                   "as Olofsson et al. (2014) suggest.")
    min_per_class: int = option(50, label="Minimum points per class", minimum=2, maximum=100_000,
                                help="Every class gets at least this many points and the rest of the sample is shared in "
                                     "proportion to area: a rare class (often the change of interest) would otherwise "
                                     "get a handful of points, too few to estimate its user's accuracy, and its area "
                                     "estimate would rest on them.")
    seed: int = option(42, label="Seed", minimum=0, maximum=MAX_SEED,
                       help="Random seed: the same map, options and seed give the same points.")
    overwrite: bool = option(False, label="Overwrite",
                             help="Replace the sample and its style if Claro made them and no point of it has been labelled yet.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class AssessParams:
    """`claro assess`: class map + labelled sample → accuracies and areas with 95 % confidence intervals."""

    map: str = option("", label="Class map", help="The class raster the sample was drawn from; its classes are the strata.")
    sample: str = option("", label="Labelled sample",
                         help="Point layer (any vector file and CRS) with the reference class of each point, e.g. the "
                              "GeoPackage from 'claro sample' after labelling.")
    reference_field: str = option("reference", label="Reference field",
                                  help="Field holding each point's reference class value; empty (NULL) means skipped.")
    out: str = option("", label="Report",
                      help="Report to write (.json); a CSV table and a PNG summary are written beside it.")
    aoi: Optional[str] = option(None, label="Area of interest",
                                help="The area of interest the sample was drawn within (as given to 'claro sample'): class "
                                     "areas are counted inside it and points outside it are excluded.")
    overwrite: bool = option(False, label="Overwrite", help="Replace the report, its table and figure if Claro made them.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class DescribeParams:
    """`claro describe`: a folder of TFRecords made by another tool (Earth Engine) → dataset.json."""

    folder: str = option("", positional=True, label="TFRecord folder",
                         help="Folder of TFRecord files (.tfrecord, .tfrecord.gz, .gz; GZIP or not), e.g. an Earth Engine "
                              "table export of patches.")
    label: Optional[str] = option(None, label="Label feature",
                                  help="Feature holding the class of each pixel (default: class, label or landcover, "
                                       "whichever the records have).")
    bands: Optional[list[str]] = option(None, label="Bands",
                                        help="Features to use as bands, by name, comma separated, in this order (default: every "
                                             "float or int64 feature of k×k values except the label, in natural order: B2, B3, …, B11).")
    classes: Optional[str] = option(None, label="Classes",
                                    help="Class names and colours, e.g. '0:forest:#1a9641,1:cleared:#d7191c' (default: from the "
                                         "label values found).")
    ignore_value: Optional[int] = option(None, label="Ignore value", minimum=0, maximum=255,
                                         help="Label value meaning 'not labelled' (default: none for band records, 255 for "
                                              "encoded-image masks; values not listed in --classes are ignored too).")
    split: str = option("auto", choices=("auto", "names", "shards", "records"), label="Split",
                        help="How to tell training from validation and test data: names (train*/training*, val*/validation*/"
                             "eval*, test*/testing* files), shards (whole files dealt out by --fractions) or records (each "
                             "record by a seeded draw); auto uses names when they say, else shards when there are enough "
                             "files, else records.")
    fractions: tuple[float, float, float] = option((0.7, 0.2, 0.1), label="Fractions", minimum=0.0, maximum=1.0,
                                                   help="Fractions for train, validation and test, comma separated, when "
                                                        "the split is by shards or records.")
    seed: int = option(42, label="Seed", minimum=0, maximum=MAX_SEED, help="Random seed for a split by shards or records.")
    image_feature: Optional[str] = option(None, label="Image feature",
                                          help="For records holding each sample as encoded images: the bytes feature with the "
                                               "image (PNG, JPEG or raw float32); needs --mask-feature and --out.")
    mask_feature: Optional[str] = option(None, label="Mask feature",
                                         help="For records holding encoded images: the bytes feature with the mask (class values, "
                                              "or a one-hot / probability mask whose argmax is the class).")
    out: Optional[str] = option(None, label="Output folder",
                                help="Where to write dataset.json (default: beside the shards); for encoded images, the folder "
                                     "of the Claro patch dataset to write.")
    overwrite: bool = option(False, label="Overwrite", help="Replace a dataset.json (or an output dataset) Claro made.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class ExportParams:
    """`claro export`: a Claro model → another runtime's format (ONNX, with the metadata Deepness reads)."""

    model: str = option("", label="Model file", help="Trained model file (.keras).")
    out: str = option("", label="Exported model", help="File to write, e.g. model.onnx.")
    format: str = option("onnx", choices=("onnx",), label="Format",
                         help="onnx: an ONNX model with the metadata the QGIS plugin Deepness reads (classes, tile size, "
                              "resolution, standardisation).")
    tile_size: Optional[int] = option(None, label="Tile size", minimum=16, maximum=8192,
                                      help="Width and height of the tiles the exported model takes (default: the window "
                                           "'claro predict' would use); a multiple of the U-Net's down-sampling factor.")
    overwrite: bool = option(False, label="Overwrite", help="Replace the exported file if it exists.")
    progress: str = option("bar", choices=("bar", "json"), label="Progress", help=PROGRESS_HELP)


@dataclass
class InfoParams:
    """`claro info`: print a patch dataset's summary or a model's card."""

    path: str = option("", positional=True, help="A patch dataset folder or a model file (.keras).")
    json: bool = option(False, label="JSON", help="Print the summary as JSON.")


#: sub-command name → (parameter class, module in claro.backend whose `run(params, progress)` does it)
COMMANDS: dict[str, tuple[type, str]] = {
    "patches": (PatchParams, "patches"),
    "train": (TrainParams, "train"),
    "predict": (PredictParams, "predict"),
    "evaluate": (EvaluateParams, "evaluate"),
    "change": (ChangeParams, "change"),
    "sample": (SampleParams, "sample"),
    "assess": (AssessParams, "assess"),
    "describe": (DescribeParams, "describe"),
    "export": (ExportParams, "export"),
    "info": (InfoParams, "info"),
}


def flag_of(f: dataclasses.Field) -> str:
    return f.metadata.get("flag") or "--" + f.name.replace("_", "-")


def number_type(hint: Any) -> Optional[type]:
    """int or float for a numeric field (also Optional[...] and lists/tuples of numbers), else None."""
    if typing.get_origin(hint) is typing.Union:  # Optional[X]
        hint = [a for a in typing.get_args(hint) if a is not type(None)][0]
    if typing.get_origin(hint) in (list, tuple):
        hint = typing.get_args(hint)[0]
    return hint if hint in (int, float) else None


def numeric_fields(cls: type) -> list[tuple[dataclasses.Field, type]]:
    """(field, int or float) for every numeric field of a params dataclass, in order."""
    hints = typing.get_type_hints(cls)
    return [(f, kind) for f in dataclasses.fields(cls) if (kind := number_type(hints[f.name])) is not None]


def bounds(f: dataclasses.Field) -> tuple[Optional[float], Optional[float]]:
    """(minimum, maximum) of a field, inclusive; None where it has none."""
    return f.metadata.get("minimum"), f.metadata.get("maximum")


def bound_text(value: float) -> str:
    """A bound as people write it: 0, 0.9, 1e-06, 2048."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def bound_error(f: dataclasses.Field, value: Any) -> Optional[str]:
    """The sentence refusing `value` for field `f` (every item of a list), or None when it is in range."""
    low, high = bounds(f)
    items = value if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if item is None or isinstance(item, bool) or not isinstance(item, (int, float)):
            continue
        if (low is not None and not item >= low) or (high is not None and not item <= high):
            allowed = " and ".join(part for part in (f"at least {bound_text(low)}" if low is not None else "",
                                                     f"at most {bound_text(high)}" if high is not None else "") if part)
            what = "Each value of " + flag_of(f) if len(items) > 1 or isinstance(value, (list, tuple)) else flag_of(f)
            return f"{what} must be {allowed}; it was {_format(item)}."
    return None


def check_bounds(params: Any) -> None:
    """Refuse (ClaroError) the first numeric field of `params` outside its range: the jobs'
    own check, for callers that do not come through the command line."""
    from .errors import ClaroError  # here, not at the top: scripts/i18n_sources.py loads this file alone

    for f, _kind in numeric_fields(type(params)):
        sentence = bound_error(f, getattr(params, f.name))
        if sentence:
            raise ClaroError(sentence)


def _format(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(_format(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_argv(params: Any) -> list[str]:
    """The exact command line (after the sub-command) that reproduces `params`.

    Only values that differ from the default are written, so command lines stay short and a
    changed default reaches old settings.
    """
    argv: list[str] = []
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if f.metadata.get("positional"):
            argv.append(_format(value))
            continue
        if f.metadata.get("repeat"):
            for item in value:
                argv += [flag_of(f), _format(item)]
            continue
        if value == default or (isinstance(default, tuple) and tuple(value or ()) == default):
            continue
        if isinstance(default, bool):
            # A True default is switched off by its --no-… flag; a False default switched on.
            argv.append(flag_of(f))
            continue
        if value is None:
            continue
        argv += [flag_of(f), _format(value)]
    return argv


def command_line(params: Any) -> list[str]:
    """Sub-command + arguments, e.g. ['predict', '--model', 'm.keras', …]."""
    for name, (cls, _module) in COMMANDS.items():
        if type(params) is cls:
            return [name, *to_argv(params)]
    raise TypeError(f"not a Claro parameter class: {type(params).__name__}")


def parse_classes(text: str) -> list[dict]:
    """'0:forest:#1a9641,1:cleared:#d7191c' → [{'value': 0, 'name': 'forest', 'color': '#1a9641'}, …].

    Raises ValueError with a sentence for the user when the text is malformed.
    """
    classes = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        bits = item.split(":")
        try:
            value = int(bits[0])
        except ValueError:
            raise ValueError(f"Class '{item}' does not start with a whole number: write classes as VALUE:NAME:#RRGGBB, comma separated.")
        name = bits[1] if len(bits) > 1 and bits[1] else f"class {value}"
        color = bits[2] if len(bits) > 2 and bits[2] else None
        if color is not None and not (len(color) == 7 and color.startswith("#")
                                      and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
            raise ValueError(f"Colour '{color}' of class {value} is not of the form #RRGGBB.")
        classes.append({"value": value, "name": name, "color": color})
    if len({c["value"] for c in classes}) != len(classes):
        raise ValueError("A class value is listed twice in --classes; give each value once.")
    return classes


def format_classes(classes: list[dict]) -> str:
    """Inverse of parse_classes."""
    return ",".join(f"{c['value']}:{c['name']}:{c.get('color') or ''}".rstrip(":") for c in classes)
