"""Class colours for any GIS: a QGIS .qml style and a GDAL colour table with category names.

Both are built from the same class list ([{"value", "name", "color"}, …], as in the model
card), so the legend in QGIS, the colour table other GIS read and the card never disagree.
`write_qml` and the colour helpers' inputs are pure Python, so the QGIS plugin can use them
too; only `color_table`/`apply_classes` touch GDAL (imported lazily).
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any, Optional

from .atomic import atomic_file
from .card import DEFAULT_COLORS

NODATA = 255


def hex_to_rgb(color: Optional[str], index: int = 0) -> tuple[int, int, int]:
    """'#1a9641' → (26, 150, 65); a missing or malformed colour gets the default palette's."""
    text = (color or "").strip()
    if len(text) in (7, 9) and text.startswith("#"):
        try:
            return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)
        except ValueError:
            pass
    return hex_to_rgb(DEFAULT_COLORS[index % len(DEFAULT_COLORS)])


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def class_name(cls: dict, index: int = 0) -> str:
    return str(cls.get("name") or f"class {cls.get('value', index)}")


#: an XML element for `_xml`: (tag, attributes, text or child elements)
Element = tuple[str, dict[str, str], "str | list[Element]"]


def _escape(value: str) -> str:
    """Text or attribute value as XML; line breaks kept as character references (as ElementTree writes them)."""
    return html.escape(value, quote=True).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#09;")


def _xml(element: Element, depth: int = 0) -> str:
    """ElementTree's indented layout, written directly: Claro only writes this XML, never parses it."""
    tag, attributes, content = element
    pad = "  " * depth
    head = tag + "".join(f' {key}="{_escape(value)}"' for key, value in attributes.items())
    if isinstance(content, str):
        return f"{pad}<{head}>{_escape(content)}</{tag}>" if content else f"{pad}<{head} />"
    if not content:
        return f"{pad}<{head} />"
    children = "\n".join(_xml(child, depth + 1) for child in content)
    return f"{pad}<{head}>\n{children}\n{pad}</{tag}>"


def qml_text(classes: list[dict[str, Any]], nodata: Optional[int] = NODATA, band: int = 1) -> str:
    """A QGIS 3 paletted-renderer style: one legend entry per class; nodata drawn transparent.

    Values not in the palette are not drawn by the paletted renderer; nodata is also listed
    as fully transparent so a raster whose nodata flag was lost still shows nothing there.
    """
    transparent: list[Element] = []
    if nodata is not None:
        transparent = [("singleValuePixelList", {}, [
            ("pixelListEntry", {"min": str(nodata), "max": str(nodata), "percentTransparent": "100"}, "")])]
    origin = _min_max_origin()
    palette: list[Element] = [("paletteEntry", {"value": str(int(cls["value"])),
                                                "color": rgb_to_hex(hex_to_rgb(cls.get("color"), i)),
                                                "alpha": "255", "label": class_name(cls, i)}, "")
                              for i, cls in enumerate(classes)]
    renderer: Element = ("rasterrenderer", {"type": "paletted", "band": str(band), "opacity": "1",
                                            "alphaBand": "-1", "nodataColor": ""},
                         [("rasterTransparency", {}, transparent), ("minMaxOrigin", {}, origin),
                          ("colorPalette", {}, palette)])
    pipe: list[Element] = [
        # Class rasters must never be interpolated: nearest neighbour in and out.
        ("provider", {}, [("resampling", {"enabled": "false", "maxOversampling": "2",
                                          "zoomedInResamplingMethod": "nearestNeighbour",
                                          "zoomedOutResamplingMethod": "nearestNeighbour"}, "")]),
        renderer,
    ]
    return _raster_style_document(pipe)


def ramp_qml_text(minimum: float = 0.0, maximum: float = 1.0, low: str = "#ffffff", high: str = "#54278f",
                  labels: tuple[str, str] = ("", ""), nodata: Optional[float] = None, band: int = 1) -> str:
    """A QGIS 3 single-band pseudocolour style: a linear ramp from `low` at `minimum` to `high` at
    `maximum` (e.g. an uncertainty raster, white where certain), so QGIS shows it styled at once."""
    transparent: list[Element] = []
    if nodata is not None:
        transparent = [("singleValuePixelList", {}, [
            ("pixelListEntry", {"min": repr(float(nodata)), "max": repr(float(nodata)), "percentTransparent": "100"}, "")])]
    origin = _min_max_origin()
    colors = [rgb_to_hex(hex_to_rgb(low)), rgb_to_hex(hex_to_rgb(high))]
    ends = [(f"{minimum:g}", colors[0], labels[0] or f"{minimum:g}"), (f"{maximum:g}", colors[1], labels[1] or f"{maximum:g}")]
    ramp: Element = ("colorramp", {"type": "gradient", "name": "[source]"}, [
        ("Option", {"type": "Map"}, [
            ("Option", {"name": "color1", "type": "QString", "value": "{},{},{},255".format(*hex_to_rgb(colors[0]))}, ""),
            ("Option", {"name": "color2", "type": "QString", "value": "{},{},{},255".format(*hex_to_rgb(colors[1]))}, ""),
            ("Option", {"name": "discrete", "type": "QString", "value": "0"}, ""),
            ("Option", {"name": "rampType", "type": "QString", "value": "gradient"}, "")])])
    shader: Element = ("rastershader", {}, [
        ("colorrampshader", {"colorRampType": "INTERPOLATED", "classificationMode": "1", "clip": "0",
                             "minimumValue": f"{minimum:g}", "maximumValue": f"{maximum:g}", "labelPrecision": "2"},
         [ramp] + [("item", {"value": value, "color": color, "alpha": "255", "label": label}, "")
                   for value, color, label in ends])])
    renderer: Element = ("rasterrenderer", {"type": "singlebandpseudocolor", "band": str(band), "opacity": "1",
                                            "alphaBand": "-1", "classificationMin": f"{minimum:g}",
                                            "classificationMax": f"{maximum:g}", "nodataColor": ""},
                         [("rasterTransparency", {}, transparent), ("minMaxOrigin", {}, origin), shader])
    pipe = [renderer]
    return _raster_style_document(pipe)


def _min_max_origin() -> list[Element]:
    return [(tag, {}, text) for tag, text in (
        ("limits", "None"), ("extent", "WholeRaster"), ("statAccuracy", "Estimated"),
        ("cumulativeCutLower", "0.02"), ("cumulativeCutUpper", "0.98"), ("stdDevFactor", "2"))]


def _raster_style_document(pipe: list[Element]) -> str:
    """A QGIS 3 raster .qml: the given pipe stages followed by QGIS's neutral filter stages."""
    stages: list[Element] = pipe + [
        ("brightnesscontrast", {"brightness": "0", "contrast": "0", "gamma": "1"}, ""),
        ("huesaturation", {"saturation": "0", "grayscaleMode": "0", "invertColors": "0", "colorizeOn": "0",
                           "colorizeRed": "255", "colorizeGreen": "128", "colorizeBlue": "128",
                           "colorizeStrength": "100"}, ""),
        ("rasterresampler", {"maxOversampling": "2"}, ""),
        ("resamplingStage", {}, "resamplingFilter"),
    ]
    qgis: Element = ("qgis", {"version": "3.22.0", "styleCategories": "AllStyleCategories",
                              "hasScaleBasedVisibilityFlag": "0", "minScale": "1e+08", "maxScale": "0"},
                     [("pipe", {}, stages), ("blendMode", {}, "0")])
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + _xml(qgis) + "\n"


def write_qml(path: str | os.PathLike, classes: list[dict[str, Any]], nodata: Optional[int] = NODATA) -> Path:
    """Write the paletted style for a class raster (atomically); QGIS picks up NAME.qml beside NAME.tif."""
    with atomic_file(path) as tmp:
        Path(tmp).write_text(qml_text(classes, nodata), encoding="utf-8")
    return Path(path)


def qml_path(raster: str | os.PathLike) -> Path:
    """Where QGIS looks for a raster's default style: the same name with .qml."""
    return Path(raster).with_suffix(".qml")


def category_names(classes: list[dict[str, Any]], nodata: Optional[int] = NODATA) -> list[str]:
    """GDAL category names are indexed by pixel value: names at the class values, '' elsewhere."""
    top = max([int(c["value"]) for c in classes] + ([nodata] if nodata is not None else []))
    names = [""] * (top + 1)
    for i, cls in enumerate(classes):
        names[int(cls["value"])] = class_name(cls, i)
    if nodata is not None and not names[nodata]:
        names[nodata] = "nodata"
    return names


def color_entries(classes: list[dict[str, Any]], nodata: Optional[int] = NODATA) -> dict[int, tuple[int, int, int, int]]:
    """Pixel value → RGBA; nodata fully transparent."""
    entries = {int(c["value"]): (*hex_to_rgb(c.get("color"), i), 255) for i, c in enumerate(classes)}
    if nodata is not None:
        entries.setdefault(int(nodata), (0, 0, 0, 0))
    return entries


def color_table(classes: list[dict[str, Any]], nodata: Optional[int] = NODATA):
    """A gdal.ColorTable with the class colours at the class values."""
    from osgeo import gdal

    table = gdal.ColorTable()
    for value, rgba in sorted(color_entries(classes, nodata).items()):
        table.SetColorEntry(value, rgba)
    return table


def apply_classes(band, classes: list[dict[str, Any]], nodata: Optional[int] = NODATA) -> None:
    """Give a uint8 GDAL band its colour table, category names and nodata value."""
    from osgeo import gdal

    band.SetColorTable(color_table(classes, nodata))
    band.SetColorInterpretation(gdal.GCI_PaletteIndex)
    band.SetCategoryNames(category_names(classes, nodata))
    if nodata is not None:
        band.SetNoDataValue(nodata)


def classes_from_band(band) -> Optional[list[dict[str, Any]]]:
    """Read back a class list from a band's category names and colour table (None if neither).

    Used by `claro evaluate` and the plugin to name the classes of a class raster.
    """
    dataset = band.GetDataset()
    if dataset is not None:
        dataset.GetMetadata()  # GDAL 3.6's GeoTIFF driver loads the .aux.xml (names) only on a dataset call
    names = band.GetCategoryNames() or []
    table = band.GetColorTable()
    nodata = band.GetNoDataValue()
    classes = []
    for value, name in enumerate(names):
        if not name or (nodata is not None and value == int(nodata)):
            continue
        color = None
        if table is not None and value < table.GetCount():
            color = rgb_to_hex(table.GetColorEntry(value)[:3])
        classes.append({"value": value, "name": name, "color": color})
    if classes:
        return classes
    if table is None:
        return None
    # A colour table without names: every entry that is not transparent and not nodata.
    for value in range(table.GetCount()):
        rgba = table.GetColorEntry(value)
        if (nodata is not None and value == int(nodata)) or rgba[3] == 0:
            continue
        if rgba[:3] == (0, 0, 0) and value > 0:  # unused entries GDAL pads with black
            continue
        classes.append({"value": value, "name": f"class {value}", "color": rgb_to_hex(rgba[:3])})
    return classes or None
