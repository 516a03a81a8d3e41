"""Which label values are classes: one rule for `claro patches` and the dock's class table.

Why one place: the dock lists the classes a model will learn and `claro patches` decides which
pixels are labelled. When the two disagreed (the dock offered -1 from a signed Sen1Floods11
label raster, the backend took -1 as no data) the model got an empty class that predict then
refused. Both sides now ask this module:

- label nodata (`label_nodata`): the raster's declared nodata; without one, -1 in a signed or
  floating-point raster (the Sen1Floods11 convention); an unsigned raster without one has none;
- class values (`check_class_values`): whole numbers 0–254, because the class raster predict
  writes is one byte per pixel with 255 as its nodata (255 is also the default ignore value).
  Other codes (CORINE's 111–523, -9999…) are refused with a sentence that says how to remap,
  before any patch is cut rather than hours later at predict.

The dock must not read a whole large raster on QGIS's GUI thread, so `sample_raster_values`
reads at most `MAX_SAMPLE_PIXELS` pixels, in whole blocks spread evenly over the raster.

Pure Python at import time (numpy and GDAL are imported inside functions): the QGIS plugin
imports this module.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from .errors import ClaroError

#: label value meaning "not labelled" by default, and the class raster's nodata
IGNORE_VALUE = 255
#: class values must lie in [LOWEST_CLASS, HIGHEST_CLASS] to fit a byte beside the nodata 255
LOWEST_CLASS, HIGHEST_CLASS = 0, 254
#: nodata of a signed or floating-point label raster that declares none (Sen1Floods11)
UNDECLARED_SIGNED_NODATA = -1
#: the dock reads at most this many label pixels to list the classes
MAX_SAMPLE_PIXELS = 4_000_000
#: smallest read when sampling: blocks are grouped up to this many pixels (strips are 1 row)
SAMPLE_UNIT_PIXELS = 1 << 16
#: more distinct values than this means the raster is not a class raster
MAX_VALUES = 256


def is_signed(data_type: str) -> bool:
    """True for GDAL type names that can hold negative values ('Int16', 'Float32', 'CInt16'…)."""
    return data_type.startswith(("Int", "Float", "CInt", "CFloat"))


def label_nodata(declared: Optional[float], data_type: str) -> Optional[float]:
    """The value meaning 'no label' in a label raster band: its declared nodata; else -1 when
    the type is signed or floating point; else none."""
    if declared is not None:
        return declared
    return UNDECLARED_SIGNED_NODATA if is_signed(data_type) else None


def band_nodata(band) -> Optional[float]:
    """`label_nodata` of a GDAL band."""
    from osgeo import gdal

    return label_nodata(band.GetNoDataValue(), gdal.GetDataTypeName(band.DataType))


def outside_range(values: Iterable[int]) -> list[int]:
    """The values that cannot be class values (sorted)."""
    return sorted({int(v) for v in values if not LOWEST_CLASS <= int(v) <= HIGHEST_CLASS})


def _listing(values: list[int], most: int = 6) -> str:
    shown = ", ".join(map(str, values[:most]))
    return shown + (f" … ({len(values)} values)" if len(values) > most else "")


def check_class_values(values: Iterable[int], where: str, listed: bool = False) -> None:
    """Refuse class values outside 0–254 with one sentence that says how to remap them.

    `where` names what holds them ('labels.tif', 'the label layer'); `listed` says the values
    came from --classes rather than from the labels."""
    bad = outside_range(values)
    if not bad:
        return
    plural = len(bad) > 1
    if listed:
        raise ClaroError(f"Class value{'s' if plural else ''} {_listing(bad)} in --classes {'are' if plural else 'is'} "
                         f"outside {LOWEST_CLASS}–{HIGHEST_CLASS} ({IGNORE_VALUE} marks unlabelled and nodata pixels); "
                         "reclassify the labels to 0…N−1 first (e.g. with QGIS's \"Reclassify by table\") and list "
                         "the new values in --classes.")
    raise ClaroError(f"The label value{'s' if plural else ''} {_listing(bad)} in {where} {'are' if plural else 'is'} "
                     f"outside the class values {LOWEST_CLASS}–{HIGHEST_CLASS} ({IGNORE_VALUE} marks unlabelled pixels); "
                     "reclassify them to 0…N−1 first (e.g. CORINE codes 111–523 with QGIS's \"Reclassify by table\") "
                     "and name the classes with --classes, or declare the raster's nodata value if one of them "
                     "means no label.")


def listed_classes(text: str, ignore_value: Optional[int]) -> list[dict]:
    """The classes a --classes option lists, checked before any data is read, one sentence
    each: well formed (params.parse_classes), at least one, none equal to the ignore value (its
    pixels would never be learned), values 0–254 (`check_class_values`). A class given without a
    colour gets the default colour of its place. `claro patches` and `claro describe` (both
    layouts) ask here, so the three cannot drift apart."""
    from .card import DEFAULT_COLORS
    from .params import parse_classes

    try:
        classes = parse_classes(text)
    except ValueError as error:
        raise ClaroError(str(error))
    if not classes:
        raise ClaroError("--classes lists no class; write classes as VALUE:NAME:#RRGGBB, comma separated.")
    if ignore_value is not None and any(c["value"] == ignore_value for c in classes):
        raise ClaroError(f"Class value {ignore_value} is also the ignore value; choose another --ignore-value or "
                         "renumber the class.")
    check_class_values([c["value"] for c in classes], "--classes", listed=True)
    for i, c in enumerate(classes):
        c["color"] = c["color"] or DEFAULT_COLORS[i % len(DEFAULT_COLORS)]
    return classes


def class_values(found: Iterable[float], nodata: Optional[float], ignore_value: int = IGNORE_VALUE) -> list[int]:
    """The class values among raw label values: label nodata, the ignore value, NaN and
    fractional values left out (sorted whole numbers; range not checked)."""
    result = set()
    for value in found:
        number = float(value)
        if math.isnan(number) or not number.is_integer():
            continue
        if nodata is not None and (number == nodata or (math.isnan(nodata) and math.isnan(number))):
            continue
        if int(number) == ignore_value:
            continue
        result.add(int(number))
    return sorted(result)


# --------------------------------------------------------------------------- bounded sample

def sample_windows(width: int, height: int, block_x: int, block_y: int,
                   max_pixels: int = MAX_SAMPLE_PIXELS) -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) of the windows to read: the whole raster in block-aligned windows
    when it has at most `max_pixels`, else as many windows as fit in `max_pixels`, spread evenly
    over the raster. Windows are whole blocks (grouped up to SAMPLE_UNIT_PIXELS), so no block is
    decompressed for a few of its pixels."""
    block_x, block_y = max(1, min(block_x, width)), max(1, min(block_y, height))
    if block_x * block_y > max(SAMPLE_UNIT_PIXELS, max_pixels // 4):  # one huge strip or tile
        block_x, block_y = min(width, 256), min(height, 256)
    unit_x, unit_y = block_x, block_y
    while unit_x * unit_y < SAMPLE_UNIT_PIXELS and (unit_y < height or unit_x < width):
        if unit_y < height and (unit_y <= unit_x or unit_x >= width):
            unit_y = min(height, unit_y * 2)
        else:
            unit_x = min(width, unit_x * 2)
    cols, rows = math.ceil(width / unit_x), math.ceil(height / unit_y)
    units = [(c * unit_x, r * unit_y) for r in range(rows) for c in range(cols)]
    if width * height > max_pixels:
        count = max(1, max_pixels // (unit_x * unit_y))
        if count < len(units):
            step = len(units) / count
            units = [units[int((i + 0.5) * step)] for i in range(count)]
    return [(x, y, min(unit_x, width - x), min(unit_y, height - y)) for x, y in units]


@dataclass
class LabelSample:
    """What a read of a label raster found."""

    values: list[int]                    # class values (label nodata and the ignore value left out)
    pixels_read: int                     # pixels actually read
    pixels: int                          # pixels in the raster
    nodata: Optional[float] = None       # the label nodata the rule gave
    windows: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.pixels_read >= self.pixels


def raster_size(path: str | os.PathLike) -> int:
    """Pixels in a raster's first band (0 when it cannot be opened)."""
    from osgeo import gdal

    try:
        dataset = gdal.Open(str(path))
    except RuntimeError:
        return 0
    return 0 if dataset is None else dataset.RasterXSize * dataset.RasterYSize


def sample_raster_values(path: str | os.PathLike, band: int = 1, *, max_pixels: Optional[int] = MAX_SAMPLE_PIXELS,
                         ignore_value: int = IGNORE_VALUE, max_values: int = MAX_VALUES,
                         cancelled: Callable[[], bool] = lambda: False) -> LabelSample:
    """The class values of a label raster band, read from at most `max_pixels` pixels (all of
    them when the raster is that small, or when `max_pixels` is None). Safe to call from a worker
    thread; `cancelled` is asked between windows and an early stop returns what was found so far."""
    import numpy as np
    from osgeo import gdal

    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY)
    except RuntimeError:
        dataset = None
    if dataset is None or dataset.RasterCount < band:
        raise ClaroError(f"Labels {path} could not be read as a raster; check that it is a GeoTIFF or another format GDAL reads.")
    source = dataset.GetRasterBand(band)
    nodata = band_nodata(source)
    pixels = dataset.RasterXSize * dataset.RasterYSize
    windows = sample_windows(dataset.RasterXSize, dataset.RasterYSize, *source.GetBlockSize(),
                             max_pixels=pixels if max_pixels is None else max_pixels)
    found: set = set()
    read = 0
    for x, y, w, h in windows:
        if cancelled():
            break
        found.update(np.unique(source.ReadAsArray(x, y, w, h)).tolist())
        read += w * h
        if len(found) > max_values + 2:  # + nodata and ignore value
            break
    values = class_values(found, nodata, ignore_value)
    if len(values) > max_values:
        raise ClaroError(f"Labels {path} hold more than {max_values} different values; a label raster holds class "
                         "numbers (0, 1, 2…), not measurements.")
    return LabelSample(values, read, pixels, nodata, windows)
