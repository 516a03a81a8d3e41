"""Class styles: the QGIS .qml and the GDAL colour table say the same thing as the class list."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
from osgeo import gdal

from claro.backend import style

CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"},
           {"value": 3, "name": "cleared", "color": "#d7191c"},
           {"value": 7, "name": "water", "color": None}]


def test_qml_is_a_paletted_style_with_the_class_colours_and_names(tmp_path):
    path = style.write_qml(tmp_path / "classes.qml", CLASSES)
    root = ET.parse(path).getroot()
    assert root.tag == "qgis"
    renderer = root.find("pipe/rasterrenderer")
    assert renderer.get("type") == "paletted" and renderer.get("band") == "1"
    entries = [(e.get("value"), e.get("color"), e.get("label"), e.get("alpha")) for e in renderer.iter("paletteEntry")]
    assert entries == [("0", "#1a9641", "forest", "255"), ("3", "#d7191c", "cleared", "255"),
                       ("7", "#fdae61", "water", "255")]  # missing colour → the default palette's third
    transparent = renderer.find("rasterTransparency/singleValuePixelList/pixelListEntry")
    assert (transparent.get("min"), transparent.get("max"), transparent.get("percentTransparent")) == ("255", "255", "100")
    resampling = root.find("pipe/provider/resampling")
    assert resampling.get("zoomedOutResamplingMethod") == "nearestNeighbour"
    assert not list(tmp_path.glob(".*"))  # no temporary left beside it


def test_qml_without_nodata_has_no_transparent_value():
    root = ET.fromstring(style.qml_text(CLASSES, nodata=None).split("\n", 1)[1])
    assert root.find("pipe/rasterrenderer/rasterTransparency/singleValuePixelList") is None


def test_category_names_sit_at_the_class_values():
    names = style.category_names(CLASSES)
    assert len(names) == 256
    assert names[0] == "forest" and names[3] == "cleared" and names[7] == "water"
    assert names[1] == "" and names[255] == "nodata"


def test_colour_table_and_names_round_trip_through_a_geotiff(tmp_path):
    path = str(tmp_path / "classes.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(path, 8, 8, 1, gdal.GDT_Byte)
    band = dataset.GetRasterBand(1)
    style.apply_classes(band, CLASSES)
    band.WriteArray(np.full((8, 8), 3, np.uint8))
    band = None
    dataset = None

    dataset = gdal.Open(path)
    band = dataset.GetRasterBand(1)
    table = band.GetColorTable()
    assert table.GetColorEntry(0) == (26, 150, 65, 255)
    assert table.GetColorEntry(3) == (215, 25, 28, 255)
    assert table.GetColorEntry(255)[3] == 0  # nodata transparent
    assert band.GetNoDataValue() == 255
    assert band.GetColorInterpretation() == gdal.GCI_PaletteIndex
    assert style.classes_from_band(band) == [
        {"value": 0, "name": "forest", "color": "#1a9641"},
        {"value": 3, "name": "cleared", "color": "#d7191c"},
        {"value": 7, "name": "water", "color": "#fdae61"},
    ]


def test_hex_colours_parse_and_fall_back():
    assert style.hex_to_rgb("#1A9641") == (26, 150, 65)
    assert style.hex_to_rgb("green", 1) == style.hex_to_rgb("#d7191c")
    assert style.rgb_to_hex((26, 150, 65)) == "#1a9641"


def test_class_names_with_xml_characters_and_line_breaks_survive_the_qml():
    """The .qml is written as text (no xml.etree in shipped code): markup in a name stays a name."""
    names = ['forest & "secondary" <regrowth>', "it's\ncleared", "\tagua"]
    classes = [{"value": i, "name": name, "color": "#000000"} for i, name in enumerate(names)]
    root = ET.fromstring(style.qml_text(classes).split("\n", 1)[1])
    assert [e.get("label") for e in root.iter("paletteEntry")] == names
    assert len(list(root.iter("paletteEntry"))) == 3 and root.find("blendMode").text == "0"
