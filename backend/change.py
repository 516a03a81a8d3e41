"""`claro change`: two class maps of the same classes → a transition raster and from→to hectares.

Why this shape:
- Grids: the after map is aligned onto the before map's grid through georeferencing, nearest
  neighbour (raster.labels_on_grid: a warped VRT computed strip by strip when read), so maps
  from different tools, grids and CRSs compare pixel for pixel and memory never grows with the
  raster. The output uses the before grid, and so do the hectares.
- Codes: with n classes (sorted by value, index i), the pixel going from class i to class j
  gets code i·n + j: every pair that occurs or may occur has a code known before any pixel is
  read, unchanged pixels one code per class (the diagonal), and two change maps of the same
  classes share one legend. With --from/--to the other classified pixels get one more code,
  n², "no change of interest", so an observed pixel is never confused with missing data
  (nodata: 255, or 65535 when n² + 1 codes do not fit a byte).
- Classes: read from each map's colour table and category names, else the .qml QGIS (or
  Claro) keeps beside it; a map from another tool gives bare values ("class N"). Classes are
  matched by value, or by name when both maps name the same classes with other values; maps
  whose classes cannot be matched are refused before any pixel is written.
- Areas: every hectare is a true area on the WGS84 ellipsoid (areas.PixelAreas over the
  before grid), counted from the written codes, so the matrix, the raster and the polygons
  agree (after the minimum mapping unit, which vectorize.sieve applies to the full
  transition map before --from/--to: no kept region is smaller than it).
"""
from __future__ import annotations

import contextlib
import csv
import datetime
import glob
import html
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np

from . import style
from .atomic import atomic_file, check_can_write, job
from .errors import ClaroError
from .params import ChangeParams, check_bounds
from .progress import Progress
from .version import __version__

BYTE_NODATA = 255
UINT16_NODATA = 65535
#: at most this many classes: n² + 1 codes must fit below UInt16's nodata
MAX_CLASSES = 255
#: what the aligned after map holds where it says nothing (its nodata, outside its extent)
OUTSIDE = int(np.iinfo(np.int32).min)
#: pixels read per strip (bounded memory whatever the raster's size)
STRIP_PIXELS = 1 << 20
#: up to this many classes the legend lists every pair; beyond, the pairs that occur (and every
#: unchanged class): 70 MapBiomas classes would otherwise give QGIS a 4,900-entry legend
LEGEND_EVERY_PAIR = 8
OTHER_NAME = "no change of interest"
OTHER_COLOR = "#d9d9d9"
_DATE = re.compile(r"(\d{4})[-:](\d{2})[-:](\d{2})")
_PALETTE_ENTRY = re.compile(r"<paletteEntry\b([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


# --------------------------------------------------------------------------- outputs

def matrix_paths(out: str | Path) -> tuple[Path, Path]:
    """<stem>_matrix.json and <stem>_matrix.csv beside the change raster."""
    out = Path(out)
    return out.with_name(f"{out.stem}_matrix.json"), out.with_name(f"{out.stem}_matrix.csv")


@dataclass(frozen=True)
class Targets:
    out: Path
    qml: Path
    matrix_json: Path
    matrix_csv: Path
    polygons: Optional[Path]


def _check_outputs(params: ChangeParams) -> Targets:
    from . import raster

    inputs = raster.source_files([params.before, params.after])  # a VRT's sources are inputs too
    out = check_can_write(params.out, params.overwrite, kind="geotiff", inputs=inputs)
    qml = check_can_write(style.qml_path(out), params.overwrite, kind="qml", inputs=inputs)
    matrix_json, matrix_csv = matrix_paths(out)
    check_can_write(matrix_json, params.overwrite, kind="report", inputs=inputs)
    check_can_write(matrix_csv, params.overwrite, kind="change-matrix", inputs=inputs)
    polygons = (check_can_write(params.polygons, params.overwrite, kind="gpkg", inputs=inputs)
                if params.polygons else None)
    targets = Targets(out, qml, matrix_json, matrix_csv, polygons)
    paths = [p.resolve() for p in (out, qml, matrix_json, matrix_csv, polygons) if p is not None]
    if len(set(paths)) != len(paths):
        raise ClaroError("The change raster, its .qml, its matrix files and the polygons must be different files; "
                         "choose other output names.")
    return targets


# --------------------------------------------------------------------------- dates

def parse_date(text: str, flag: str) -> str:
    """A date given by the user as YYYY-MM-DD, checked to be a real day."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", text or "")
    try:
        if not match:
            raise ValueError(text)
        return datetime.date(*map(int, match.groups())).isoformat()
    except ValueError:
        raise ClaroError(f"{flag} '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2021-07-31.") from None


def date_of(dataset) -> Optional[str]:
    """The map's date from its GDAL metadata (ACQUISITIONDATETIME, in the IMAGERY domain or the
    default one, before TIFFTAG_DATETIME), as YYYY-MM-DD; None when it carries none."""
    from .raster import DATE_ITEMS

    for domain, key in DATE_ITEMS:
        match = _DATE.match((dataset.GetMetadataItem(key, domain) or "").strip())
        if match:
            with contextlib.suppress(ValueError):
                return datetime.date(*map(int, match.groups())).isoformat()
    return None


def map_date(flag_value: Optional[str], dataset, flag: str) -> tuple[Optional[str], str]:
    """(date, where it came from): the flag wins over the file's metadata."""
    if flag_value:
        return parse_date(flag_value, flag), flag
    found = date_of(dataset)
    return found, "metadata" if found else ""


# --------------------------------------------------------------------------- classes

def qml_classes(text: str) -> Optional[list[dict]]:
    """The classes of a paletted QGIS style (.qml): value, label, colour of each palette entry."""
    classes = []
    for entry in _PALETTE_ENTRY.finditer(text):
        attributes = {k: html.unescape(v) for k, v in _ATTRIBUTE.findall(entry.group(1))}
        try:
            value = int(float(attributes.get("value", "")))
        except ValueError:
            continue
        color = attributes.get("color") or None
        classes.append({"value": value, "name": attributes.get("label") or f"class {value}",
                        "color": color[:7] if color else None})
    return classes or None


def declared_classes(dataset, path: str) -> Optional[list[dict]]:
    """A map's classes from its colour table and category names, else from the .qml beside it;
    None for a map that only holds values (from a tool that does not describe its classes)."""
    classes = style.classes_from_band(dataset.GetRasterBand(1))
    if classes:
        return classes
    qml = style.qml_path(path)
    if qml.is_file():
        return qml_classes(qml.read_text(encoding="utf-8", errors="replace"))
    return None


def is_named(cls: dict) -> bool:
    return str(cls.get("name") or "") not in ("", f"class {cls['value']}")


@dataclass
class ClassMap:
    """What one input says about its classes."""

    what: str                        # "before map" / "after map"
    path: str
    classes: list[dict]              # declared, or one per value found
    declared: bool

    @property
    def values(self) -> set[int]:
        return {int(c["value"]) for c in self.classes}

    def names(self) -> dict[int, str]:
        return {int(c["value"]): str(c["name"]) for c in self.classes if is_named(c)}

    def listing(self) -> str:
        return ", ".join(f"{c['value']} {c['name']}" if is_named(c) else str(c["value"])
                         for c in sorted(self.classes, key=lambda c: c["value"]))


def _values_text(values) -> str:
    return ", ".join(map(str, sorted(values)))


def match_classes(before: ClassMap, after: ClassMap) -> tuple[list[dict], dict[int, int]]:
    """(the classes of the change map, after value → class value) or a ClaroError saying which
    values cannot be matched.

    Rules: both maps declared → the same values with the same names (case aside), or the same
    names under other values (the after map is renumbered by name); one declared → the other's
    values must be among its classes; neither → values found in both maps, at least one shared.
    """
    b_names, a_names = before.names(), after.names()
    fold = str.casefold
    remap = {v: v for v in after.values}
    if (before.declared and after.declared and b_names and a_names and len(b_names) == len(before.values)
            and len(a_names) == len(after.values) and before.values != after.values
            and sorted(map(fold, b_names.values())) == sorted(map(fold, a_names.values()))
            and len(set(map(fold, b_names.values()))) == len(b_names)):
        by_name = {fold(name): value for value, name in b_names.items()}
        remap = {value: by_name[fold(name)] for value, name in a_names.items()}
        a_names = {remap[v]: name for v, name in a_names.items()}
    after_values = set(remap.values())
    if before.declared and after.declared:
        only_before, only_after = before.values - after_values, after_values - before.values
        if only_before or only_after:
            parts = []
            if only_before:
                parts.append(f"value{'s' if len(only_before) > 1 else ''} {_values_text(only_before)} only in the before map")
            if only_after:
                parts.append(f"value{'s' if len(only_after) > 1 else ''} {_values_text(only_after)} only in the after map")
            raise ClaroError(f"The two maps do not have the same classes ({' and '.join(parts)}: before "
                             f"{before.listing()}; after {after.listing()}); compare maps of the same classes.")
    elif before.declared or after.declared:
        declared, other = (before, after) if before.declared else (after, before)
        extra = (after_values if other is after else other.values) - declared.values
        if extra:
            raise ClaroError(f"The {other.what} {other.path} holds value{'s' if len(extra) > 1 else ''} "
                             f"{_values_text(extra)}, not among the classes of the {declared.what} "
                             f"({declared.listing()}); compare maps of the same classes.")
    elif not before.values & after_values:
        raise ClaroError(f"The two maps share no class value (before: {_values_text(before.values)}; after: "
                         f"{_values_text(after_values)}); compare maps of the same classes.")
    different = [v for v in set(b_names) & set(a_names) if fold(b_names[v]) != fold(a_names[v])]
    if different:
        v = sorted(different)[0]
        raise ClaroError(f"Value {v} is '{b_names[v]}' in the before map but '{a_names[v]}' in the after map; "
                         "compare maps of the same classes.")
    colors = {int(c["value"]): c.get("color") for c in after.classes if c.get("color")}
    colors = {remap[v]: c for v, c in colors.items()}
    colors.update({int(c["value"]): c.get("color") for c in before.classes if c.get("color")})
    classes = []
    for value in sorted(before.values | after_values):
        name = b_names.get(value) or a_names.get(value) or f"class {value}"
        classes.append({"value": value, "name": name, "color": colors.get(value)})
    if len(classes) > MAX_CLASSES:
        raise ClaroError(f"The maps have {len(classes)} classes; a change map holds at most {MAX_CLASSES}. "
                         "Are these class maps (not images or probabilities)?")
    return classes, remap


def _holds_integers(band) -> bool:
    from osgeo import gdal

    return gdal.GetDataTypeName(band.DataType).startswith(("Byte", "UInt", "Int"))


def _strips(height: int, width: int) -> Iterator[tuple[int, int]]:
    rows = max(1, STRIP_PIXELS // max(1, width))
    if rows >= 256:
        rows -= rows % 256  # whole blocks of Claro's 256-pixel tiles
    for top in range(0, height, rows):
        yield top, min(rows, height - top)


def _nodata_of(band) -> Optional[float]:
    from .labels import band_nodata

    return band_nodata(band)


def present_values(dataset, what: str, path: str) -> list[int]:
    """Every value a map holds (nodata aside), read strip by strip; refuses non-class maps."""
    band = dataset.GetRasterBand(1)
    nodata = _nodata_of(band)
    found: set[int] = set()
    for top, rows in _strips(dataset.RasterYSize, dataset.RasterXSize):
        values = np.unique(band.ReadAsArray(0, top, dataset.RasterXSize, rows))
        found.update(int(v) for v in values if nodata is None or v != nodata)
        if len(found) > MAX_CLASSES:
            raise ClaroError(f"The {what} {path} holds more than {MAX_CLASSES} different values; give a class map "
                             "(one value per class), not an image.")
    return sorted(found)


def open_class_map(path: str, what: str, flag: str) -> tuple[Any, ClassMap]:
    from . import raster

    if not path:
        raise ClaroError(f"No {what} was given; pass {flag}.")
    dataset = raster.open_raster(path, what[0].upper() + what[1:])
    band = dataset.GetRasterBand(1)
    if not _holds_integers(band):
        raise ClaroError(f"The {what} {path} holds decimal numbers, not class values; give a class map such as "
                         "'claro predict' writes, not probabilities or an image.")
    declared = declared_classes(dataset, path)
    if declared is not None:
        return dataset, ClassMap(what, path, declared, True)
    values = present_values(dataset, what, path)
    if not values:
        raise ClaroError(f"The {what} {path} holds only nodata; give a class map with classified pixels.")
    return dataset, ClassMap(what, path, [{"value": v, "name": f"class {v}", "color": None} for v in values], False)


# --------------------------------------------------------------------------- transitions

def _resolve(text: Optional[str], classes: list[dict], flag: str) -> Optional[set[int]]:
    """'forest,2' → class indices; None when not given."""
    if text is None or not text.strip():
        return None
    chosen = set()
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        for i, cls in enumerate(classes):
            if token.casefold() == str(cls["name"]).casefold() or token == str(cls["value"]):
                chosen.add(i)
                break
        else:
            listing = ", ".join(f"{c['value']} {c['name']}" for c in classes)
            raise ClaroError(f"{flag} '{token}' is not one of the classes ({listing}); give class names or values.")
    return chosen


def _mix(rgb: tuple[int, int, int], toward: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    return tuple(int(round(c + (t - c) * amount)) for c, t in zip(rgb, toward))  # type: ignore[return-value]


@dataclass(frozen=True)
class Transitions:
    """The codes of a change map: pair (i, j) of class indices → i·n + j; `kept` the pairs
    --from/--to keep (None: every pair), the others then coded `other`."""

    classes: tuple[dict, ...]
    kept: Optional[frozenset[tuple[int, int]]] = None

    @property
    def n(self) -> int:
        return len(self.classes)

    @property
    def other(self) -> int:
        return self.n * self.n

    @property
    def nodata(self) -> int:
        return BYTE_NODATA if self.n * self.n + 1 <= BYTE_NODATA else UINT16_NODATA

    @property
    def dtype(self) -> type:
        return np.uint8 if self.nodata == BYTE_NODATA else np.uint16

    def code(self, i: int, j: int) -> int:
        return i * self.n + j

    def name(self, i: int, j: int) -> str:
        a, b = style.class_name(self.classes[i], i), style.class_name(self.classes[j], j)
        return f"{a} (unchanged)" if i == j else f"{a} → {b}"

    def pairs(self) -> list[tuple[int, int]]:
        """The pairs with a code in the output (every pair, or the kept ones), in code order."""
        every = [(i, j) for i in range(self.n) for j in range(self.n)]
        return every if self.kept is None else [p for p in every if p in self.kept]

    def shown(self, occurring: Optional[np.ndarray] = None) -> list[tuple[int, int]]:
        """The pairs of the legend: every pair of the output for a few classes, else the ones
        `occurring` (pixel counts per full code) holds, and the unchanged classes."""
        if occurring is None or self.n <= LEGEND_EVERY_PAIR:
            return self.pairs()
        return [(i, j) for i, j in self.pairs() if occurring[self.code(i, j)] or (i == j and self.kept is None)]

    def changes(self, occurring: Optional[np.ndarray] = None) -> list[tuple[int, int]]:
        """The pairs drawn as polygons: every change, and unchanged classes --from/--to kept."""
        return [(i, j) for i, j in self.shown(occurring) if i != j or self.kept is not None]

    def color(self, i: int, j: int) -> str:
        """Unchanged: the class colour, pale; a change: the colour of the class it became, darker
        for each further class it came from, so changes stand out and stay distinguishable."""
        rgb = style.hex_to_rgb(self.classes[j].get("color"), j)
        if i == j:
            return style.rgb_to_hex(_mix(rgb, (255, 255, 255), 0.6))
        rank = sorted(k for k in range(self.n) if k != j).index(i)
        return style.rgb_to_hex(_mix(rgb, (0, 0, 0), 0.45 * rank / max(1, self.n - 2)))

    def legend(self, occurring: Optional[np.ndarray] = None) -> list[dict]:
        """[{'value': code, 'name', 'color'}] of the output's codes, for the colour table and the .qml."""
        entries = [{"value": self.code(i, j), "name": self.name(i, j), "color": self.color(i, j)}
                   for i, j in self.shown(occurring)]
        if self.kept is not None:
            entries.append({"value": self.other, "name": OTHER_NAME, "color": OTHER_COLOR})
        return entries

    def lookup(self) -> np.ndarray:
        """Full code → output code (a kept pair keeps its code, others become `other`)."""
        table = np.full(self.nodata + 1, self.nodata, self.dtype)
        full = np.arange(self.n * self.n)
        if self.kept is None:
            table[full] = full
        else:
            table[full] = self.other
            for i, j in self.kept:
                table[self.code(i, j)] = self.code(i, j)
        return table


def transitions_for(classes: list[dict], from_text: Optional[str], to_text: Optional[str]) -> Transitions:
    """--from/--to → the kept pairs. One side given: the changes from (or to) those classes; both:
    the pairs between them, a class in both lists keeping its unchanged pixels (stable forest)."""
    sources = _resolve(from_text, classes, "--from")
    targets = _resolve(to_text, classes, "--to")
    if sources is None and targets is None:
        return Transitions(tuple(classes))
    both = sources is not None and targets is not None
    everyone = set(range(len(classes)))
    kept = frozenset((i, j) for i in (sources if sources is not None else everyone)
                     for j in (targets if targets is not None else everyone) if i != j or both)
    if not kept:
        raise ClaroError("--from and --to select no transition (a change needs two different classes); "
                         "check the class names.")
    return Transitions(tuple(classes), kept)


class ValueIndex:
    """A map's class values → class index of the change map, for whole arrays at once."""

    def __init__(self, to_class: dict[int, int], classes: list[dict]):
        index = {int(c["value"]): i for i, c in enumerate(classes)}
        self.values = np.array(sorted(to_class), np.int64)
        self.indices = np.array([index[to_class[v]] for v in sorted(to_class)], np.int64)

    def __call__(self, values: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(class indices, values of valid pixels that are not classes)."""
        position = np.clip(np.searchsorted(self.values, values), 0, len(self.values) - 1)
        unknown = valid & (self.values[position] != values)
        return self.indices[position], (np.unique(values[unknown]) if unknown.any() else np.empty(0, np.int64))


# --------------------------------------------------------------------------- alignment

def align_after(after, after_path: str, before, before_path: str):
    """The after map on the before map's grid (nearest neighbour, computed when read), with
    OUTSIDE where it has no class; one sentence when the two cannot be placed together."""
    from . import raster

    for dataset, what, path in ((before, "before map", before_path), (after, "after map", after_path)):
        if raster.crs_of(dataset) is None or dataset.GetGeoTransform(can_return_null=True) is None:
            raise ClaroError(f"The {what} {path} has no coordinate reference system or georeferencing, so the maps "
                             "cannot be placed on each other; assign one (QGIS: Layer Properties → Source).")
    if before.GetGeoTransform()[2] or before.GetGeoTransform()[4]:
        raise ClaroError(f"The before map {before_path} is rotated; warp it to a north-up grid first (gdalwarp).")
    if not raster.footprints_overlap(after, before):
        raise ClaroError(f"The before map {before_path} and the after map {after_path} do not overlap; check that "
                         "they cover the same place (their CRS and extent).")
    return raster.labels_on_grid(after_path, before, ignore_value=OUTSIDE)


# --------------------------------------------------------------------------- the job

class Tally:
    """From→to pixels and true hectares, counted from the full codes (before --from/--to)."""

    def __init__(self, transitions: Transitions, pixel_areas):
        self.transitions = transitions
        self.pixel_areas = pixel_areas
        size = transitions.n * transitions.n
        self.pixels = np.zeros(size, np.int64)
        self.m2 = np.zeros(size, np.float64)

    def add(self, codes: np.ndarray, top: int) -> None:
        valid = codes != self.transitions.nodata
        if not valid.any():
            return
        area = self.pixel_areas.block(0, top, codes.shape[1], codes.shape[0])
        size = self.pixels.size
        chosen = codes[valid].astype(np.intp)
        self.pixels += np.bincount(chosen, minlength=size)[:size]
        self.m2 += np.bincount(chosen, weights=area[valid], minlength=size)[:size]

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(pixels, hectares), rows from, columns to."""
        from .areas import M2_PER_HA

        n = self.transitions.n
        return self.pixels.reshape(n, n), self.m2.reshape(n, n) / M2_PER_HA


def _create_like(path: Path, before, transitions: Transitions, dates: dict[str, Optional[str]]):
    from osgeo import gdal

    from .predict import _create

    gdal_type = gdal.GDT_Byte if transitions.dtype is np.uint8 else gdal.GDT_UInt16
    dataset = _create(path, before, 1, gdal_type, transitions.nodata, ["transition"])
    metadata = {f"{key.upper()}": value for key, value in dates.items() if value}
    if metadata:
        dataset.SetMetadata(metadata)
    return dataset


def _style(dataset, legend: list[dict], transitions: Transitions) -> None:
    band = dataset.GetRasterBand(1)
    if transitions.nodata == BYTE_NODATA:
        style.apply_classes(band, legend, transitions.nodata)
    else:  # a UInt16 colour table and names need no 65536th entry for nodata
        style.apply_classes(band, legend, None)
        band.SetNoDataValue(transitions.nodata)


def _scratch_path(out: Path) -> Path:
    return out.with_name(f".{out.stem}.sieve-{uuid.uuid4().hex[:8]}.tif")


def _remove_scratch(path: Path) -> None:
    for side in path.parent.glob(glob.escape(path.name) + "*"):
        with contextlib.suppress(OSError):
            side.unlink()


@job
def run(params: ChangeParams, progress: Progress) -> None:
    from osgeo import gdal

    from . import areas, raster
    from .predict import GDAL_CACHE_BYTES, _build_overviews

    targets = _check_outputs(params)
    check_bounds(params)  # --min-area: params.py's range
    before, before_map = open_class_map(params.before, "before map", "--before")
    after, after_map = open_class_map(params.after, "after map", "--after")
    before_date, before_source = map_date(params.before_date, before, "--before-date")
    after_date, after_source = map_date(params.after_date, after, "--after-date")
    if before_date and after_date and before_date > after_date:
        raise ClaroError(f"The before map's date {before_date} is later than the after map's {after_date}; "
                         "swap --before and --after (or fix the dates).")
    classes, remap = match_classes(before_map, after_map)
    transitions = transitions_for(classes, params.from_classes, params.to_classes)
    before_index = ValueIndex({v: v for v in before_map.values}, classes)
    after_index = ValueIndex(remap, classes)
    if any(k != v for k, v in remap.items()):
        progress.log("The after map numbers the classes differently; matched by name: "
                     + ", ".join(f"{k} → {v}" for k, v in sorted(remap.items()) if k != v) + ".")
    pixel_areas = areas.PixelAreas.of(before)
    aligned = align_after(after, params.after, before, params.before)
    width, height = before.RasterXSize, before.RasterYSize
    before_band = before.GetRasterBand(1)
    before_nodata = _nodata_of(before_band)
    before_mask = not before_band.GetMaskFlags() & gdal.GMF_ALL_VALID
    n = transitions.n
    lookup = transitions.lookup()
    tally = Tally(transitions, pixel_areas)
    dates = {"before_date": before_date, "after_date": after_date}
    sieve = params.min_area > 0
    progress.log(f"Comparing {params.before} ({before_date or 'no date'}) with {params.after} "
                 f"({after_date or 'no date'}) on the before map's {width}×{height} grid; "
                 f"{n} classes: {', '.join(c['name'] for c in classes)}.")

    def full_codes(top: int, rows: int) -> np.ndarray:
        """The full transition codes of rows [top, top + rows): i·n + j, nodata where either map has none."""
        b = before_band.ReadAsArray(0, top, width, rows).astype(np.int64)
        a = raster.read_labels(aligned, 0, top, width, rows).astype(np.int64)
        valid = a != OUTSIDE
        if before_nodata is not None:
            valid &= b != before_nodata
        if before_mask:
            valid &= before_band.GetMaskBand().ReadAsArray(0, top, width, rows) != 0
        i, unknown_b = before_index(b, valid)
        j, unknown_a = after_index(a, valid)
        for unknown, what, path, known in ((unknown_b, "before map", params.before, before_map),
                                           (unknown_a, "after map", params.after, after_map)):
            if unknown.size:
                raise ClaroError(f"The {what} {path} holds value{'s' if unknown.size > 1 else ''} "
                                 f"{_values_text(unknown.tolist()[:6])}, not among its classes ({known.listing()}); "
                                 "fix its colour table or style, or give a map whose classes are all described.")
        codes = np.where(valid, i * n + j, transitions.nodata).astype(transitions.dtype)
        return codes

    previous_cache = gdal.GetCacheMax()
    gdal.SetCacheMax(GDAL_CACHE_BYTES)
    scratch = _scratch_path(targets.out) if sieve else None
    strips = list(_strips(height, width))
    threshold = 0
    try:
        with contextlib.ExitStack() as stack:
            out_tmp = stack.enter_context(atomic_file(targets.out))
            qml_tmp = stack.enter_context(atomic_file(targets.qml))
            json_tmp = stack.enter_context(atomic_file(targets.matrix_json))
            csv_tmp = stack.enter_context(atomic_file(targets.matrix_csv))
            if scratch is not None:  # removed last, after its dataset is closed (below)
                stack.callback(_remove_scratch, scratch)
            outputs: dict[str, Any] = {}
            stack.callback(raster.discard_written, outputs)
            outputs["out"] = _create_like(out_tmp, before, transitions, dates)

            def finish(codes: np.ndarray, top: int) -> None:
                tally.add(codes, top)
                with raster.writing_into(targets.out.parent):
                    outputs["out"].GetRasterBand(1).WriteArray(lookup[codes], 0, top)

            share = 0.45 if sieve else 0.9
            if scratch is not None:
                outputs["scratch"] = _create_like(scratch, before, transitions, dates)
            for k, (top, rows) in enumerate(strips):
                codes = full_codes(top, rows)
                if scratch is not None:
                    with raster.writing_into(scratch.parent):
                        outputs["scratch"].GetRasterBand(1).WriteArray(codes, 0, top)
                else:
                    finish(codes, top)
                progress.update(share * (k + 1) / len(strips), f"rows {top + rows}/{height}")
            if scratch is not None:
                from . import vectorize

                raster.close_written(outputs, "scratch", scratch)
                progress.update(0.5, "minimum mapping unit")
                threshold = vectorize.sieve(scratch, params.min_area, nodata=transitions.nodata,
                                            progress=vectorize.ScaledProgress(progress, 0.45, 0.55))
                progress.log(f"Minimum mapping unit {params.min_area:g} ha: regions under {threshold} pixels merged "
                             "into their surroundings.")
                sieved = raster.open_raster(scratch, "Sieved change map")  # kept open while its band is read
                for k, (top, rows) in enumerate(strips):
                    finish(sieved.GetRasterBand(1).ReadAsArray(0, top, width, rows), top)
                    progress.update(0.55 + 0.35 * (k + 1) / len(strips), f"rows {top + rows}/{height}")
                sieved = None
            if not tally.pixels.any():
                raise ClaroError(f"No pixel has a class in both {params.before} and {params.after}; check that the maps "
                                 "cover the same place and are not all nodata there.")
            legend = transitions.legend(tally.pixels)
            _style(outputs["out"], legend, transitions)
            progress.update(0.92, "overviews")
            raster.close_written(outputs, "out", targets.out, lambda dataset: _build_overviews(dataset, "NEAREST"))
            Path(qml_tmp).write_text(style.qml_text(legend, transitions.nodata), encoding="utf-8")
            report = matrix_report(params, targets, transitions, tally, dates, threshold)
            Path(json_tmp).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
            write_matrix_csv(csv_tmp, transitions, tally)
            polygons = None
            if targets.polygons is not None:
                from . import vectorize

                # its own temporary, renamed with the other outputs: all of them appear, or none
                polygons_tmp = stack.enter_context(atomic_file(targets.polygons))
                polygons = vectorize.write_polygons(
                    out_tmp, polygons_tmp, value_field="transition", layer=vectorize.layer_name(targets.polygons),
                    progress=vectorize.ScaledProgress(progress, 0.94, 0.99),
                    attributes={transitions.code(i, j): {"from": style.class_name(classes[i], i),
                                                         "to": style.class_name(classes[j], j)}
                                for i, j in transitions.changes(tally.pixels)},
                    constants=dates, colors={e["value"]: e["color"] for e in legend},
                    nodata=transitions.nodata)
    finally:
        gdal.SetCacheMax(previous_cache)
    progress.update(1.0, "done")
    changed = sum(t["hectares"] for t in report["transitions"] if t["from"] != t["to"])
    progress.log(f"Wrote {targets.out} ({changed:,.2f} ha changed of {report['total_hectares']:,.2f} ha compared), its "
                 f"style, the from→to matrix {targets.matrix_json} and {targets.matrix_csv}"
                 + (f", polygons {targets.polygons}" if targets.polygons else "") + ".")
    progress.done(out=str(targets.out), qml=str(targets.qml), matrix_json=str(targets.matrix_json),
                  matrix_csv=str(targets.matrix_csv), polygons=str(targets.polygons) if targets.polygons else None,
                  polygon_counts=polygons, classes=classes, legend=legend,
                  before_date=before_date, after_date=after_date, date_sources=[before_source, after_source],
                  matrix=report["matrix"], transitions=report["transitions"], pixels=report["total_pixels"],
                  hectares=report["total_hectares"], changed_hectares=changed, min_area_pixels=threshold)


def matrix_report(params: ChangeParams, targets: Targets, transitions: Transitions, tally: Tally,
                  dates: dict[str, Optional[str]], threshold: int) -> dict:
    """The from→to matrix as JSON: rows from, columns to, in pixels and true hectares."""
    pixels, hectares = tally.matrix()
    names = [style.class_name(c, i) for i, c in enumerate(transitions.classes)]
    rows = []
    for i, j in ((i, j) for i in range(transitions.n) for j in range(transitions.n)):
        rows.append({"code": transitions.code(i, j), "from": names[i], "to": names[j],
                     "from_value": int(transitions.classes[i]["value"]), "to_value": int(transitions.classes[j]["value"]),
                     "kept": transitions.kept is None or (i, j) in transitions.kept,
                     "pixels": int(pixels[i, j]), "hectares": float(hectares[i, j])})
    return {
        "raster": str(targets.out.resolve()),
        "before": {"path": str(Path(params.before).resolve()), "date": dates["before_date"]},
        "after": {"path": str(Path(params.after).resolve()), "date": dates["after_date"]},
        "classes": list(transitions.classes),
        "matrix": {"rows": "from", "columns": "to", "classes": names, "pixels": pixels.tolist(),
                   "hectares": hectares.tolist()},
        "transitions": rows,
        "other_code": transitions.other if transitions.kept is not None else None,
        "nodata": transitions.nodata,
        "total_pixels": int(pixels.sum()),
        "total_hectares": float(hectares.sum()),
        "min_area_ha": params.min_area,
        "min_area_pixels": threshold,
        "areas": "true areas on the WGS84 ellipsoid over the before map's grid",
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "software": {"claro": __version__},
    }


#: the first cell of a matrix CSV: what tells one Claro wrote (so --overwrite may replace it)
MATRIX_CORNER = "from \\ to"


def is_matrix_csv(path: Path) -> bool:
    """A file write_matrix_csv wrote (its first cell)."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            return next(csv.reader(stream), [""])[0] == MATRIX_CORNER
    except (OSError, UnicodeDecodeError, csv.Error):
        return False


def write_matrix_csv(path: str | Path, transitions: Transitions, tally: Tally) -> None:
    """Rows from, columns to: hectares, then pixels, each with its total; a last row of totals."""
    pixels, hectares = tally.matrix()
    names = [style.class_name(c, i) for i, c in enumerate(transitions.classes)]
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([MATRIX_CORNER, *(f"{name} (ha)" for name in names), "total (ha)",
                         *(f"{name} (pixels)" for name in names), "total (pixels)"])
        for i, name in enumerate([*names, "total"]):
            ha = hectares[i] if i < len(names) else hectares.sum(axis=0)
            px = pixels[i] if i < len(names) else pixels.sum(axis=0)
            writer.writerow([name, *(f"{v:.4f}" for v in ha), f"{ha.sum():.4f}", *(str(int(v)) for v in px),
                             str(int(px.sum()))])
