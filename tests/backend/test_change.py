"""`claro change`: two class maps on different grids → transition codes, a from→to matrix counted by
hand (pixels and true hectares), nodata, --from/--to, dates, styles, and bad input refused whole.

The maps are small and made here: a before map on a WGS84 grid in the Amazon (3 classes, Claro's
colour table and category names) and an after map drawn on the same grid, cropped and then
reprojected to UTM 20S (gdal.Warp, nearest, 10 m pixels): aligning it back onto the before grid
by nearest neighbour must give the drawn values at every before pixel, so the expected matrix is
counted from the two arrays directly.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
from osgeo import gdal, osr

from claro.backend import change, cli, style

FOREST, CLEARED, WATER = 0, 1, 2
CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"},
           {"value": 2, "name": "water", "color": "#2b83ba"}]
#: the before grid: 0.001° pixels (≈111 m) near 3° S, 60° W
GEOTRANSFORM = (-60.0, 0.001, 0.0, -3.0, 0.0, -0.001)
ROWS, COLS = 6, 8
BEFORE = np.array([[0, 0, 0, 0, 0, 1, 1, 2],
                   [0, 0, 0, 0, 0, 1, 1, 2],
                   [0, 0, 255, 0, 0, 0, 1, 2],
                   [0, 0, 0, 0, 2, 2, 2, 2],
                   [1, 1, 0, 0, 0, 0, 0, 0],
                   [1, 1, 1, 0, 0, 0, 0, 0]], np.uint8)
AFTER = np.array([[0, 1, 1, 0, 0, 1, 0, 2],
                  [0, 1, 1, 0, 0, 1, 2, 2],
                  [0, 0, 0, 255, 0, 1, 1, 2],
                  [0, 0, 0, 1, 2, 2, 1, 1],
                  [1, 0, 0, 0, 0, 1, 1, 1],
                  [1, 1, 1, 0, 0, 1, 1, 0]], np.uint8)
#: the after map is cropped to its first 7 columns before reprojection: column 8 is outside it
AFTER_COLUMNS = 7
UTM_20S = 32720


def srs_wkt(epsg: int) -> str:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    return srs.ExportToWkt()


def write_map(path: Path, data: np.ndarray, classes=CLASSES, geotransform=GEOTRANSFORM, epsg: int = 4326,
              nodata=255, gdal_type=gdal.GDT_Byte, metadata: dict | None = None, driver: str = "GTiff") -> Path:
    """A class map as Claro writes it: colour table and category names (classes=None: values only)."""
    dataset = gdal.GetDriverByName(driver).Create(str(path), data.shape[1], data.shape[0], 1, gdal_type)
    dataset.SetGeoTransform(geotransform)
    dataset.SetProjection(srs_wkt(epsg))
    band = dataset.GetRasterBand(1)
    band.WriteArray(data)
    if classes:
        style.apply_classes(band, classes, nodata)
    elif nodata is not None:
        band.SetNoDataValue(nodata)
    for key, value in (metadata or {}).items():
        domain, _, name = key.rpartition("/")
        dataset.SetMetadataItem(name, value, domain)
    if driver == "MEM":
        return dataset
    dataset = None
    return path


def write_after_utm(path: Path, data: np.ndarray = AFTER, classes=CLASSES, columns: int = AFTER_COLUMNS,
                    metadata: dict | None = None) -> Path:
    """`data` drawn on the before grid, cropped to `columns`, reprojected to UTM 20S (nearest, 10 m)."""
    source = write_map(Path(""), data[:, :columns], classes=None, driver="MEM")
    warped = gdal.Warp(str(path), source, dstSRS=srs_wkt(UTM_20S), xRes=10, yRes=10, resampleAlg="near",
                       srcNodata=255, dstNodata=255, outputType=gdal.GDT_Byte)
    assert osr.SpatialReference(warped.GetProjection()).GetAuthorityCode(None) == str(UTM_20S)
    if classes:
        style.apply_classes(warped.GetRasterBand(1), classes, 255)
    for key, value in (metadata or {}).items():
        domain, _, name = key.rpartition("/")
        warped.SetMetadataItem(name, value, domain)
    warped = None
    return path


def expected_after() -> np.ndarray:
    """The after map as it lands on the before grid: nodata beyond its extent."""
    aligned = AFTER.copy()
    aligned[:, AFTER_COLUMNS:] = 255
    return aligned


def cell_hectares() -> np.ndarray:
    """True area of each before pixel (ha), each cell's own polygon on the WGS84 ellipsoid."""
    geod = pyproj.Geod(ellps="WGS84")
    x0, dx, _, y0, _, dy = GEOTRANSFORM
    areas = np.zeros((ROWS, COLS))
    for r in range(ROWS):
        for c in range(COLS):
            lons = [x0 + c * dx, x0 + (c + 1) * dx, x0 + (c + 1) * dx, x0 + c * dx]
            lats = [y0 + r * dy, y0 + r * dy, y0 + (r + 1) * dy, y0 + (r + 1) * dy]
            areas[r, c] = abs(geod.polygon_area_perimeter(lons, lats)[0]) / 10_000
    return areas


def by_hand(before: np.ndarray, after: np.ndarray, n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(pixels, hectares) from→to, counted pixel by pixel."""
    pixels, hectares = np.zeros((n, n), int), np.zeros((n, n))
    areas = cell_hectares()
    for r in range(ROWS):
        for c in range(COLS):
            if before[r, c] != 255 and after[r, c] != 255:
                pixels[before[r, c], after[r, c]] += 1
                hectares[before[r, c], after[r, c]] += areas[r, c]
    return pixels, hectares


@pytest.fixture
def maps(tmp_path):
    before = write_map(tmp_path / "before.tif", BEFORE)
    after = write_after_utm(tmp_path / "after.tif")
    return before, after


def run_change(capsys, *argv) -> tuple[int, dict | None, str]:
    """(exit code, the 'done' event or None, stderr)."""
    code = cli.main(["change", *map(str, argv), "--progress", "json"])
    out, err = capsys.readouterr()
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    done = [e for e in events if e["event"] == "done"]
    return code, (done[0] if done else None), err


def read(path: Path) -> np.ndarray:
    return gdal.Open(str(path)).ReadAsArray()


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --- the transition matrix ------------------------------------------------------------------------

def test_two_maps_on_different_grids_give_the_matrix_counted_by_hand(maps, tmp_path, capsys):
    before, after = maps
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out)
    assert code == 0, err
    aligned = expected_after()
    codes = read(out)
    valid = (BEFORE != 255) & (aligned != 255)
    np.testing.assert_array_equal(codes, np.where(valid, BEFORE.astype(int) * 3 + aligned, 255))
    pixels, hectares = by_hand(BEFORE, aligned)
    assert pixels.tolist() == [[17, 10, 0], [2, 7, 1], [0, 1, 2]]  # the drawing, counted by eye
    report = json.loads((tmp_path / "change_matrix.json").read_text())
    assert report["matrix"]["classes"] == ["forest", "cleared", "water"]
    assert report["matrix"]["pixels"] == pixels.tolist()
    np.testing.assert_allclose(report["matrix"]["hectares"], hectares, rtol=1e-9)
    assert report["total_hectares"] == pytest.approx(hectares.sum(), rel=1e-9)
    assert 1.2 < hectares.sum() / 40 < 1.25  # ≈ 1.23 ha per pixel at 3° S: true areas, not degrees²
    row = next(t for t in report["transitions"] if t["from"] == "forest" and t["to"] == "cleared")
    assert (row["code"], row["pixels"]) == (1, 10) and row["hectares"] == pytest.approx(hectares[0, 1], rel=1e-9)
    assert done["matrix"]["pixels"] == pixels.tolist() and done["matrix_csv"] == str(tmp_path / "change_matrix.csv")
    assert done["changed_hectares"] == pytest.approx(hectares.sum() - np.trace(hectares), rel=1e-9)
    # the CSV: rows from, columns to, hectares then pixels, totals
    with open(tmp_path / "change_matrix.csv", newline="", encoding="utf-8") as stream:
        table = list(csv.reader(stream))
    assert table[0] == ["from \\ to", "forest (ha)", "cleared (ha)", "water (ha)", "total (ha)",
                        "forest (pixels)", "cleared (pixels)", "water (pixels)", "total (pixels)"]
    assert [row[0] for row in table[1:]] == ["forest", "cleared", "water", "total"]
    for i in range(3):
        assert [float(v) for v in table[1 + i][1:4]] == pytest.approx(hectares[i], abs=1e-4)
        assert [int(v) for v in table[1 + i][5:8]] == pixels[i].tolist()
    assert int(table[4][8]) == 40


def test_the_output_is_on_the_before_grid_with_names_colours_and_a_style(maps, tmp_path, capsys):
    before, after = maps
    out = tmp_path / "change.tif"
    assert run_change(capsys, "--before", before, "--after", after, "--out", out)[0] == 0
    result = gdal.Open(str(out))
    assert result.GetGeoTransform() == GEOTRANSFORM
    assert osr.SpatialReference(result.GetProjection()).GetAuthorityCode(None) == "4326"
    band = result.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Byte and band.GetNoDataValue() == 255
    assert band.GetBlockSize() == [256, 256]
    assert result.GetMetadata("IMAGE_STRUCTURE").get("COMPRESSION") == "DEFLATE"
    names = band.GetCategoryNames()
    assert names[:9] == ["forest (unchanged)", "forest → cleared", "forest → water",
                         "cleared → forest", "cleared (unchanged)", "cleared → water",
                         "water → forest", "water → cleared", "water (unchanged)"]
    assert names[255] == "nodata"
    table = band.GetColorTable()
    assert table.GetColorEntry(1) == (215, 25, 28, 255)      # forest → cleared: the colour of cleared
    assert table.GetColorEntry(0) == (163, 213, 179, 255)    # forest (unchanged): forest's green, pale
    assert table.GetColorEntry(3) == (26, 150, 65, 255)      # cleared → forest: forest's green
    assert table.GetColorEntry(255)[3] == 0                   # nodata transparent
    qml = (tmp_path / "change.qml").read_text()
    assert 'value="1" color="#d7191c" alpha="255" label="forest → cleared"' in qml
    assert style.classes_from_band(band)[1] == {"value": 1, "name": "forest → cleared", "color": "#d7191c"}


def test_nodata_of_either_map_and_outside_the_after_map_is_nodata(maps, tmp_path, capsys):
    before, after = maps
    out = tmp_path / "change.tif"
    assert run_change(capsys, "--before", before, "--after", after, "--out", out)[0] == 0
    codes = read(out)
    assert codes[2, 2] == 255           # before nodata
    assert codes[2, 3] == 255           # after nodata
    assert (codes[:, 7] == 255).all()   # beyond the after map
    assert (codes != 255).sum() == 40


def test_a_sixteen_class_map_needs_uint16_codes(tmp_path, capsys):
    """n² + 1 codes do not fit a byte beside its nodata from 16 classes on."""
    rng = np.random.default_rng(1)
    before_data = rng.integers(0, 16, (ROWS, COLS)).astype(np.uint8)
    after_data = rng.integers(0, 16, (ROWS, COLS)).astype(np.uint8)
    before = write_map(tmp_path / "before.tif", before_data, classes=None)
    after = write_map(tmp_path / "after.tif", after_data, classes=None)
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out)
    assert code == 0, err
    result = gdal.Open(str(out))
    result.GetMetadata()  # GDAL 3.6 reads the .aux.xml (category names) on a dataset call
    band = result.GetRasterBand(1)
    assert band.DataType == gdal.GDT_UInt16 and band.GetNoDataValue() == 65535
    values = sorted(set(before_data.ravel()) | set(after_data.ravel()))
    index = {v: i for i, v in enumerate(values)}
    expected = np.vectorize(lambda b, a: index[b] * len(values) + index[a])(before_data, after_data)
    np.testing.assert_array_equal(read(out), expected)
    names = band.GetCategoryNames()
    assert names[17] == f"class {values[1]} (unchanged)"  # every unchanged class is in the legend …
    n = len(values)
    absent = [code for code in range(n * n) if code not in set(expected.ravel()) and code % (n + 1)]
    assert absent and all(names[code] == "" for code in absent)  # … but of 240 changes only those that occur
    assert all(names[code] for code in set(expected.ravel()))


# --- classes from other tools, and maps that cannot be compared ------------------------------------

def test_a_map_from_another_tool_takes_the_names_of_the_other(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE)
    after = write_after_utm(tmp_path / "after.tif", classes=None)  # values only
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out)
    assert code == 0, err
    assert [c["name"] for c in done["classes"]] == ["forest", "cleared", "water"]
    assert done["matrix"]["pixels"] == by_hand(BEFORE, expected_after())[0].tolist()


def test_two_maps_of_values_only_are_named_class_n(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE, classes=None)
    after = write_after_utm(tmp_path / "after.tif", classes=None)
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out)
    assert code == 0, err
    result = gdal.Open(str(out))
    result.GetMetadata()
    assert result.GetRasterBand(1).GetCategoryNames()[1] == "class 0 → class 1"


def test_classes_are_read_from_the_qml_beside_a_map(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE, classes=None)
    style.write_qml(tmp_path / "before.qml", CLASSES)
    after = write_after_utm(tmp_path / "after.tif")
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", tmp_path / "change.tif")
    assert code == 0, err
    assert [c["name"] for c in done["classes"]] == ["forest", "cleared", "water"]


def test_the_same_classes_under_other_values_are_matched_by_name(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE)
    renumbered = [{"value": 5, "name": "Forest", "color": "#1a9641"}, {"value": 6, "name": "cleared", "color": "#d7191c"},
                  {"value": 7, "name": "water", "color": "#2b83ba"}]
    after_values = np.where(AFTER == 255, 255, AFTER + 5).astype(np.uint8)
    after = write_after_utm(tmp_path / "after.tif", after_values, classes=renumbered)
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", tmp_path / "change.tif")
    assert code == 0, err
    assert done["matrix"]["pixels"] == by_hand(BEFORE, expected_after())[0].tolist()


def refused(capsys, folder: Path, *argv) -> str:
    """Run, expect exit 2, nothing new in `folder`; the one sentence on stderr."""
    existing = files(folder)
    code, done, err = run_change(capsys, *argv)
    assert code == 2 and done is None
    assert files(folder) == existing, "an output or a temporary was left behind"
    lines = [line for line in err.splitlines() if line.startswith("claro: error: ")]
    assert len(lines) == 1
    return lines[0].removeprefix("claro: error: ")


def test_maps_of_different_classes_are_refused_naming_the_values(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE)
    other = [CLASSES[0], CLASSES[1], {"value": 3, "name": "burnt", "color": "#000000"}]
    after = write_after_utm(tmp_path / "after.tif", np.where(AFTER == 2, 3, AFTER).astype(np.uint8), classes=other)
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", tmp_path / "change.tif")
    assert "value 2 only in the before map" in message and "value 3 only in the after map" in message
    assert message.endswith("compare maps of the same classes.")


def test_a_value_only_map_with_a_value_outside_the_classes_is_refused(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE)
    after = write_after_utm(tmp_path / "after.tif", np.where(AFTER == 2, 9, AFTER).astype(np.uint8), classes=None)
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", tmp_path / "change.tif")
    assert f"after map {after} holds value 9, not among the classes of the before map (0 forest, 1 cleared, 2 water)" in message


def test_the_same_value_under_two_names_is_refused(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE)
    other = [CLASSES[0], {"value": 1, "name": "burnt", "color": "#000000"}, CLASSES[2]]
    after = write_after_utm(tmp_path / "after.tif", classes=other)
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", tmp_path / "change.tif")
    assert message.startswith("Value 1 is 'cleared' in the before map but 'burnt' in the after map")


def test_maps_that_do_not_overlap_are_refused(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE)
    far = write_map(tmp_path / "after.tif", AFTER, geotransform=(-50.0, 0.001, 0.0, -3.0, 0.0, -0.001))
    message = refused(capsys, tmp_path, "--before", before, "--after", far, "--out", tmp_path / "change.tif")
    assert message == (f"The before map {before} and the after map {far} do not overlap; check that they cover the "
                       "same place (their CRS and extent).")


def test_a_missing_map_and_an_image_are_refused(maps, tmp_path, capsys):
    before, after = maps
    message = refused(capsys, tmp_path, "--before", tmp_path / "nope.tif", "--after", after, "--out", tmp_path / "c.tif")
    assert message == f"Before map {tmp_path / 'nope.tif'} does not exist; check the path."
    image = write_map(tmp_path / "image.tif", np.random.default_rng(0).random((ROWS, COLS)).astype(np.float32),
                      classes=None, nodata=None, gdal_type=gdal.GDT_Float32)
    message = refused(capsys, tmp_path, "--before", before, "--after", image, "--out", tmp_path / "c.tif")
    assert message.startswith(f"The after map {image} holds decimal numbers, not class values")


# --- transitions of interest ------------------------------------------------------------------------

def test_from_and_to_keep_the_transitions_of_interest(maps, tmp_path, capsys):
    before, after = maps
    out = tmp_path / "clearing.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out,
                                 "--from", "forest", "--to", "Cleared")
    assert code == 0, err
    aligned = expected_after()
    valid = (BEFORE != 255) & (aligned != 255)
    clearing = (BEFORE == FOREST) & (aligned == CLEARED)
    np.testing.assert_array_equal(read(out), np.where(clearing, 1, np.where(valid, 9, 255)))
    result = gdal.Open(str(out))
    result.GetMetadata()  # GDAL 3.6 reads the .aux.xml (category names) on a dataset call
    band = result.GetRasterBand(1)
    names = band.GetCategoryNames()
    assert (names[1], names[9], names[255]) == ("forest → cleared", "no change of interest", "nodata")
    assert [n for n in names if n] == ["forest → cleared", "no change of interest", "nodata"]
    assert [e["name"] for e in done["legend"]] == ["forest → cleared", "no change of interest"]
    report = json.loads((tmp_path / "clearing_matrix.json").read_text())
    pixels, _ = by_hand(BEFORE, aligned)
    assert report["matrix"]["pixels"] == pixels.tolist()  # the matrix stays whole: the context of the change
    assert [(t["from"], t["to"]) for t in report["transitions"] if t["kept"]] == [("forest", "cleared")]
    assert report["other_code"] == 9


def test_values_and_lists_in_from_and_to_and_a_class_in_both_keeps_its_unchanged_pixels(maps, tmp_path, capsys):
    before, after = maps
    out = tmp_path / "change.tif"
    code, _done, err = run_change(capsys, "--before", before, "--after", after, "--out", out,
                                  "--from", "0", "--to", "cleared,forest")
    assert code == 0, err
    aligned = expected_after()
    valid = (BEFORE != 255) & (aligned != 255)
    full = BEFORE.astype(int) * 3 + aligned
    kept = valid & (BEFORE == FOREST) & np.isin(aligned, [FOREST, CLEARED])  # forest → cleared, stable forest
    np.testing.assert_array_equal(read(out), np.where(kept, full, np.where(valid, 9, 255)))


def test_from_alone_keeps_only_changes(maps, tmp_path, capsys):
    before, after = maps
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out, "--from", "cleared")
    assert code == 0, err
    assert set(np.unique(read(out))) == {3, 5, 9, 255}  # cleared → forest, cleared → water; the rest
    assert [e["name"] for e in done["legend"]] == ["cleared → forest", "cleared → water", "no change of interest"]


def test_an_unknown_class_in_from_is_refused(maps, tmp_path, capsys):
    before, after = maps
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", tmp_path / "c.tif",
                      "--from", "forst")
    assert message == "--from 'forst' is not one of the classes (0 forest, 1 cleared, 2 water); give class names or values."


# --- dates ------------------------------------------------------------------------------------------

def test_dates_come_from_the_maps_metadata(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE, metadata={"IMAGERY/ACQUISITIONDATETIME": "2019-07-14T13:40:21Z"})
    after = write_after_utm(tmp_path / "after.tif", metadata={"TIFFTAG_DATETIME": "2023:08:02 10:00:00"})
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out)
    assert code == 0, err
    assert (done["before_date"], done["after_date"]) == ("2019-07-14", "2023-08-02")
    report = json.loads((tmp_path / "change_matrix.json").read_text())
    assert (report["before"]["date"], report["after"]["date"]) == ("2019-07-14", "2023-08-02")
    metadata = gdal.Open(str(out)).GetMetadata()
    assert (metadata["BEFORE_DATE"], metadata["AFTER_DATE"]) == ("2019-07-14", "2023-08-02")


def test_date_flags_win_over_the_metadata(tmp_path, capsys):
    before = write_map(tmp_path / "before.tif", BEFORE, metadata={"TIFFTAG_DATETIME": "2024:01:01 00:00:00"})
    after = write_after_utm(tmp_path / "after.tif")
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", tmp_path / "change.tif",
                                 "--before-date", "2020-02-29", "--after-date", "2021-03-01")
    assert code == 0, err
    assert (done["before_date"], done["after_date"]) == ("2020-02-29", "2021-03-01")


@pytest.mark.parametrize("date", ["2021-02-30", "31/07/2021", "yesterday"])
def test_a_date_that_is_not_a_date_is_refused(maps, tmp_path, capsys, date):
    before, after = maps
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", tmp_path / "c.tif",
                      "--after-date", date)
    assert message == f"--after-date '{date}' is not a date; write it as YYYY-MM-DD, e.g. 2021-07-31."


def test_a_before_date_later_than_the_after_date_is_refused(maps, tmp_path, capsys):
    before, after = maps
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", tmp_path / "c.tif",
                      "--before-date", "2022-01-01", "--after-date", "2021-01-01")
    assert message.startswith("The before map's date 2022-01-01 is later than the after map's 2021-01-01")


# --- pieces -----------------------------------------------------------------------------------------

def test_qml_classes_reads_a_paletted_style():
    text = style.qml_text(CLASSES)
    assert change.qml_classes(text) == CLASSES


def test_the_command_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "change" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["change", "--help"])
    text = capsys.readouterr().out
    assert "--before" in text and "--from" in text and "no change of interest" in text


@pytest.mark.parametrize("extra", [[], ["--min-area", "2"]], ids=["plain", "with-the-sieve-scratch"])
def test_a_value_its_colour_table_does_not_describe_fails_the_run_and_leaves_nothing(tmp_path, capsys, extra):
    """Found only while reading the pixels: the temporaries written so far are removed."""
    before = write_map(tmp_path / "before.tif", np.where(BEFORE == 2, 7, BEFORE).astype(np.uint8),
                       classes=CLASSES[:2] + [{"value": 3, "name": "water", "color": "#2b83ba"}])
    after = write_after_utm(tmp_path / "after.tif", np.where(AFTER == 2, 3, AFTER).astype(np.uint8),
                            classes=CLASSES[:2] + [{"value": 3, "name": "water", "color": "#2b83ba"}])
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", tmp_path / "change.tif", *extra)
    assert message.startswith(f"The before map {before} holds value 7, not among its classes (0 forest, 1 cleared, 3 water)")


def test_overwrite_replaces_claros_outputs_but_never_a_users_file(maps, tmp_path, capsys):
    before, after = maps
    out = tmp_path / "change.tif"
    assert run_change(capsys, "--before", before, "--after", after, "--out", out)[0] == 0
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", out)
    assert message == f"Output {out} exists; choose another path or use --overwrite."
    assert run_change(capsys, "--before", before, "--after", after, "--out", out, "--overwrite")[0] == 0
    (tmp_path / "change_matrix.csv").write_text("my own notes\n")
    message = refused(capsys, tmp_path, "--before", before, "--after", after, "--out", out, "--overwrite")
    assert message == (f"Output {tmp_path / 'change_matrix.csv'} exists and is not a Claro change matrix, so Claro will "
                       "not replace it; choose another path.")
    assert (tmp_path / "change_matrix.csv").read_text() == "my own notes\n"


# --- minimum mapping unit and polygons ----------------------------------------------------------------

def clearing_maps(tmp_path: Path, metadata: dict | None = None) -> tuple[Path, Path]:
    """Forest everywhere before; after: a 2×2 clearing, a lone cleared pixel, one regrown pixel of
    an old clearing, and a nodata pixel."""
    before = np.zeros((ROWS, COLS), np.uint8)
    before[4:6, 0:2] = CLEARED
    after = before.copy()
    after[1:3, 1:3] = CLEARED      # 4 pixels ≈ 4.9 ha
    after[1, 6] = CLEARED          # 1 pixel ≈ 1.2 ha, touching nothing cleared
    after[5, 0] = FOREST           # 1 regrown pixel inside the old clearing
    after[3, 4] = 255
    return (write_map(tmp_path / "before.tif", before, metadata=metadata),
            write_map(tmp_path / "after.tif", after, metadata={"TIFFTAG_DATETIME": "2024:06:30 12:00:00"}))


def test_the_minimum_mapping_unit_merges_small_changes_before_counting(tmp_path, capsys):
    before, after = clearing_maps(tmp_path)
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out, "--min-area", "2")
    assert code == 0, err
    assert done["min_area_pixels"] == 2  # 2 ha over pixels of ≈1.23 ha
    expected = np.zeros((ROWS, COLS), np.uint8)          # forest (unchanged)
    expected[1:3, 1:3] = 1                               # forest → cleared, kept
    expected[4:6, 0:2] = 4                               # cleared (unchanged): the regrown pixel merged back
    expected[3, 4] = 255                                 # nodata never changes
    np.testing.assert_array_equal(read(out), expected)
    areas = cell_hectares()
    report = json.loads((tmp_path / "change_matrix.json").read_text())
    assert report["matrix"]["pixels"] == [[47 - 8, 4, 0], [0, 4, 0], [0, 0, 0]]  # counted after the merge
    assert report["matrix"]["hectares"][0][1] == pytest.approx(areas[1:3, 1:3].sum(), rel=1e-9)
    assert report["min_area_ha"] == 2 and report["min_area_pixels"] == 2


def test_polygons_carry_from_to_true_area_and_the_dates(tmp_path, capsys):
    from osgeo import ogr

    before, after = clearing_maps(tmp_path, metadata={"IMAGERY/ACQUISITIONDATETIME": "2019-07-14T13:40:21Z"})
    out, polygons = tmp_path / "change.tif", tmp_path / "clearing.gpkg"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out, "--polygons", polygons,
                                 "--from", "forest", "--to", "cleared")
    assert code == 0, err
    source = ogr.Open(str(polygons))
    layer = source.GetLayer(0)
    rows = sorted((f["transition"], f["from"], f["to"], round(f["area_ha"], 6), f["before_date"], f["after_date"])
                  for f in layer)
    areas = cell_hectares()
    assert rows == [(1, "forest", "cleared", round(areas[1, 6], 6), "2019-07-14", "2024-06-30"),
                    (1, "forest", "cleared", round(areas[1:3, 1:3].sum(), 6), "2019-07-14", "2024-06-30")]
    assert done["polygon_counts"] == {"1": {"polygons": 2, "hectares": pytest.approx(areas[1:3, 1:3].sum() + areas[1, 6])}}
    report = json.loads((tmp_path / "change_matrix.json").read_text())
    assert sum(r[3] for r in rows) == pytest.approx(report["matrix"]["hectares"][0][1], rel=1e-6)


def test_polygons_without_dates_have_empty_date_fields(tmp_path, capsys):
    from osgeo import ogr

    before = write_map(tmp_path / "before.tif", BEFORE)
    after = write_after_utm(tmp_path / "after.tif")
    polygons = tmp_path / "change.gpkg"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", tmp_path / "change.tif",
                                 "--polygons", polygons)
    assert code == 0, err
    source = ogr.Open(str(polygons))
    features = list(source.GetLayer(0))
    assert {(f["from"], f["to"]) for f in features} == {("forest", "cleared"), ("cleared", "forest"),
                                                        ("cleared", "water"), ("water", "cleared")}
    assert all(f["before_date"] is None and f["after_date"] is None for f in features)
    pixels, hectares = by_hand(BEFORE, expected_after())
    for i, j in ((0, 1), (1, 0), (1, 2), (2, 1)):
        total = sum(f["area_ha"] for f in features if (f["from"], f["to"]) == (CLASSES[i]["name"], CLASSES[j]["name"]))
        assert total == pytest.approx(hectares[i, j], rel=1e-6)


def test_the_minimum_mapping_unit_keeps_uint16_codes(tmp_path, capsys):
    """17 classes: codes up to 288 survive the sieve."""
    before_data = np.tile(np.arange(17, dtype=np.uint8), (6, 1))   # column c is class c
    after_data = before_data.copy()
    after_data[0:3, 16] = 15    # 16 → 15 on 3 pixels: code 16·17 + 15 = 287
    after_data[5, 0] = 16       # a lone pixel 0 → 16: merged into its largest neighbour, column 1 (class 1 unchanged)
    before = write_map(tmp_path / "before.tif", before_data, classes=None)
    after = write_map(tmp_path / "after.tif", after_data, classes=None)
    out = tmp_path / "change.tif"
    code, done, err = run_change(capsys, "--before", before, "--after", after, "--out", out, "--min-area", "2")
    assert code == 0, err
    expected = before_data.astype(np.int64) * 17 + after_data
    expected[5, 0] = 1 * 17 + 1
    np.testing.assert_array_equal(read(out), expected)
    assert read(out).max() == 288
