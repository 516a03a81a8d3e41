"""`claro patches`: content of the records, the spatial split, nodata, bad input, real data."""
from __future__ import annotations

import glob
import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

tf = pytest.importorskip("tensorflow")

from claro.backend import cli, patches, records  # noqa: E402
import georaster  # noqa: E402
from georaster import ORIGIN, UTM, srs_of  # noqa: E402

SIZE = 64


def write_raster(path: Path, data: np.ndarray, geotransform, nodata=None, gdal_type=gdal.GDT_Float32) -> str:
    """Patches tests use float32 rasters in UTM by default."""
    return str(georaster.write_raster(path, data, geotransform, nodata=nodata, gdal_type=gdal_type))


def scene_image(size: int = SIZE, bands: int = 4, seed: int = 0) -> np.ndarray:
    """Band 1 numbers the pixels (row * size + col), so a record tells where it came from."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 3000, (bands, size, size)).astype(np.float32)
    image[0] = np.arange(size * size).reshape(size, size)
    return image


def truth(size: int = SIZE) -> np.ndarray:
    """Class values 3 and 7 in 4-pixel squares, on the image grid."""
    r, c = np.mgrid[0:size, 0:size]
    return np.where((r // 4 + c // 4) % 2 == 0, 3, 7).astype(np.int32)


def write_scene(folder: Path, name: str = "scene", size: int = SIZE, bands: int = 4, seed: int = 0,
                image: np.ndarray | None = None, nodata=None) -> tuple[str, str]:
    """Image on a UTM grid; labels on another grid (2 columns left, 3 rows up, 6 pixels larger)."""
    image = scene_image(size, bands, seed) if image is None else image
    image_path = write_raster(folder / f"{name}.tif", image, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10), nodata=nodata)
    labels = np.full((size + 6, size + 6), 3, np.uint8)
    labels[3:3 + size, 2:2 + size] = truth(size)
    labels_path = write_raster(folder / f"{name}_labels.tif", labels, (ORIGIN[0] - 20, 10, 0, ORIGIN[1] + 30, 0, -10),
                               gdal_type=gdal.GDT_Byte)
    return image_path, labels_path


def notebook_records(folder: Path, prefix: str, k: int, bands=("b1", "b2", "b3", "b4")) -> list[dict]:
    """The ACCA notebook's own reading code (section 'Definition of variables' / 'Create a TFRecordDataset')."""
    features = list(bands) + ["class"]
    columns = [tf.io.FixedLenFeature(shape=[k, k], dtype=tf.float32) for _ in features]
    features_dict = dict(zip(features, columns))

    def parse_tfrecord(example_proto):
        return tf.io.parse_single_example(example_proto, features_dict)

    files = tf.io.gfile.glob(f"{folder}/{prefix}*")
    if not files:
        return []
    dataset = tf.data.TFRecordDataset(files, compression_type="GZIP").map(parse_tfrecord)
    return [{key: value.numpy() for key, value in example.items()} for example in dataset]


def build(tmp_path: Path, pairs, *extra: str, out: str = "patches") -> tuple[int, Path]:
    argv = ["patches"]
    for image, labels in pairs:
        argv += ["--image", image, "--labels", labels]
    target = tmp_path / out
    code = cli.main([*argv, "--out", str(target), *extra])
    return code, target


def origin_of(record: dict, size: int = SIZE) -> tuple[int, int]:
    return divmod(int(record["b1"][0, 0]), size)


# --- content ---------------------------------------------------------------------------------

def test_patches_hold_raw_bands_and_labels_aligned_by_georeferencing(tmp_path):
    pair = write_scene(tmp_path)
    code, out = build(tmp_path, [pair], "--patch-size", "16", "--min-labelled", "0")
    assert code == 0
    image, labels = scene_image(), truth()
    summary = json.loads((out / "dataset.json").read_text())
    seen = []
    class_pixels = {}
    for split in ("train", "validation", "test"):
        got = notebook_records(out, split, 16)
        assert len(got) == summary["counts"][split]
        pixels = np.zeros(2, int)
        for record in got:
            r, c = origin_of(record)
            seen.append((r, c))
            for b in range(4):
                assert np.array_equal(record[f"b{b + 1}"], image[b, r:r + 16, c:c + 16])
            assert np.array_equal(record["class"], labels[r:r + 16, c:c + 16])
            pixels += [(record["class"] == 3).sum(), (record["class"] == 7).sum()]
        class_pixels[split] = pixels.tolist()
    assert sorted(seen) == [(r, c) for r in range(0, 64, 16) for c in range(0, 64, 16)]
    assert summary["class_pixels"] == class_pixels
    assert summary["bands"] == ["b1", "b2", "b3", "b4"] and summary["source_bands"] == [1, 2, 3, 4]
    assert summary["patch_size"] == 16 and summary["ignore_value"] == 255
    assert summary["classes"] == [{"value": 3, "name": "class 3", "color": "#1a9641"},
                                  {"value": 7, "name": "class 7", "color": "#d7191c"}]
    assert summary["sources"][0]["crs"] == "EPSG:32721"
    assert summary["sources"][0]["geotransform"] == [ORIGIN[0], 10.0, 0.0, ORIGIN[1], 0.0, -10.0]
    assert summary["sources"][0]["image"] == str(Path(pair[0]).resolve())
    assert summary["parameters"]["patch_size"] == 16 and summary["parameters"]["command"][0] == "patches"
    assert set(summary["software"]) >= {"claro", "gdal", "tensorflow"}
    for split, names in summary["shards"].items():
        assert sorted(p.name for p in out.glob(f"{split}-*")) == names
    # statistics of the training split, from its records
    train = np.stack([np.stack([r[f"b{b + 1}"] for b in range(4)]) for r in notebook_records(out, "train", 16)])
    assert np.allclose(summary["statistics"]["mean"], train.mean(axis=(0, 2, 3)), rtol=1e-6)
    assert np.allclose(summary["statistics"]["std"], train.astype(np.float64).std(axis=(0, 2, 3)), rtol=1e-5)
    assert np.allclose(summary["statistics"]["p98"], np.percentile(train.transpose(1, 0, 2, 3).reshape(4, -1), 98, axis=1))


def test_reader_gives_class_indices_and_normalised_bands(tmp_path):
    code, out = build(tmp_path, [write_scene(tmp_path)], "--patch-size", "16", "--min-labelled", "0")
    assert code == 0
    summary = json.loads((out / "dataset.json").read_text())
    for x, y in records.read_split(out, "train", 4, normalise=False):
        for xi, yi in zip(x.numpy(), y.numpy()):
            r, c = divmod(int(xi[0, 0, 0]), SIZE)
            assert np.array_equal(yi, np.where(truth()[r:r + 16, c:c + 16] == 3, 0, 1))
    x = np.concatenate([b[0].numpy() for b in records.read_split(out, "train", 64)])
    assert np.allclose(x.mean(axis=(0, 1, 2)), 0, atol=1e-4) and np.allclose(x.std(axis=(0, 1, 2)), 1, atol=1e-3)
    assert x.shape[0] == summary["counts"]["train"]


def covered(records_list, k):
    pixels = set()
    for record in records_list:
        r, c = divmod(int(record["b1"][0, 0]), 128)
        pixels.update((r + i, c + j) for i in range(k) for j in range(k))
    return pixels


def test_overlapping_patches_never_fall_on_both_sides_of_the_split(tmp_path):
    pair = write_scene(tmp_path, size=128, bands=2)
    code, out = build(tmp_path, [pair], "--patch-size", "16", "--stride", "8", "--min-labelled", "0", "--seed", "5")
    assert code == 0
    summary = json.loads((out / "dataset.json").read_text())
    split = {s: notebook_records(out, s, 16, ("b1", "b2")) for s in ("train", "validation", "test")}
    assert all(split.values()), "every split gets patches"
    assert sum(len(v) for v in split.values()) > 150  # most of the 225 overlapping windows survive
    pixels = {s: covered(v, 16) for s, v in split.items()}
    assert not pixels["train"] & pixels["validation"]
    assert not pixels["train"] & pixels["test"]
    assert not pixels["validation"] & pixels["test"]
    assert 0.5 < summary["counts"]["train"] / sum(summary["counts"].values()) < 0.85
    assert summary["split"]["block_size"] > 16  # blocks are larger than a patch

    # the same seed gives the same split; another seed another
    code, again = build(tmp_path, [pair], "--patch-size", "16", "--stride", "8", "--min-labelled", "0", "--seed", "5",
                        out="again")
    assert covered(notebook_records(again, "test", 16, ("b1", "b2")), 16) == pixels["test"]
    code, other = build(tmp_path, [pair], "--patch-size", "16", "--stride", "8", "--min-labelled", "0", "--seed", "6",
                        out="other")
    assert covered(notebook_records(other, "test", 16, ("b1", "b2")), 16) != pixels["test"]


def test_image_nodata_and_nan_pixels_become_ignored_labels(tmp_path):
    image = scene_image(bands=2)
    image[1, 5, 6] = -9999  # nodata in band 2 only
    image[0, 20, 21] = np.nan
    image[1, 40:, :] = -9999  # a bottom strip without data
    pair = write_scene(tmp_path, image=image, nodata=-9999)
    code, out = build(tmp_path, [pair], "--patch-size", "16", "--min-labelled", "0.5", "--split", "1,0,0")
    assert code == 0
    got = notebook_records(out, "train", 16, ("b1", "b2"))
    assert len(got) == 12  # rows 48 and 32 have <50 % data: dropped; 32-47 has 8/16 rows = 50 %
    by_origin = {origin_of(r): r for r in got}
    assert by_origin[(0, 0)]["class"][5, 6] == 255
    assert by_origin[(16, 16)]["class"][4, 5] == 255
    assert by_origin[(32, 0)]["class"][8:].tolist() == [[255] * 16] * 8
    for record in got:
        assert record["b2"].min() > -9999 and np.isfinite(record["b1"]).all()
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["statistics"]["min"][1] >= 0  # -9999 never reaches the statistics
    assert summary["ignored_pixels"]["train"] == 1 + 1 + 4 * 8 * 16


def write_squares(path: Path, squares: list[tuple], epsg: int) -> str:
    """Squares (minx, miny, maxx, maxy, landcover) given in UTM metres, stored in `epsg`."""
    to_target = osr.CoordinateTransformation(srs_of(UTM), srs_of(epsg))
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("labels", srs_of(epsg), ogr.wkbPolygon, options=["SPATIAL_INDEX=NO"])
    layer.CreateField(ogr.FieldDefn("landcover", ogr.OFTInteger))
    for minx, miny, maxx, maxy, value in squares:
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in [(minx, maxy), (maxx, maxy), (maxx, miny), (minx, miny), (minx, maxy)]:
            ring.AddPoint_2D(*to_target.TransformPoint(x, y)[:2])
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(polygon)
        feature.SetField("landcover", value)
        layer.CreateFeature(feature)
    source = None
    return str(path)


def write_square_polygon(path: Path, minx, miny, maxx, maxy, value: int) -> str:
    """One square given in UTM metres, stored in lon/lat."""
    return write_squares(path, [(minx, miny, maxx, maxy, value)], 4326)


def test_sparse_polygons_and_min_labelled(tmp_path):
    image_path, _ = write_scene(tmp_path)
    # 20 × 20 pixels at rows/cols 10-29: touches 4 patches, with 36, 84, 84 and 196 labelled pixels of 256
    polygons = write_square_polygon(tmp_path / "sparse.gpkg", ORIGIN[0] + 100, ORIGIN[1] - 300,
                                    ORIGIN[0] + 300, ORIGIN[1] - 100, 2)
    common = ["--patch-size", "16", "--class-field", "landcover", "--background", "ignore", "--split", "1,0,0"]
    code, out = build(tmp_path, [(image_path, polygons)], *common, "--min-labelled", "0.1")
    assert code == 0
    got = notebook_records(out, "train", 16)
    assert sorted(origin_of(r) for r in got) == [(0, 0), (0, 16), (16, 0), (16, 16)]
    for record in got:
        r, c = origin_of(record)
        expected = np.full((16, 16), 255)
        rows, cols = np.mgrid[r:r + 16, c:c + 16]
        expected[(rows >= 10) & (rows < 30) & (cols >= 10) & (cols < 30)] = 2
        assert np.array_equal(record["class"], expected)
    summary = json.loads((out / "dataset.json").read_text())
    assert [c["value"] for c in summary["classes"]] == [2]
    code, out = build(tmp_path, [(image_path, polygons)], *common, "--min-labelled", "0.4", out="dense")
    assert code == 0
    assert sorted(origin_of(r) for r in notebook_records(out, "train", 16)) == [(16, 16)]


def test_several_scenes_a_band_subset_and_named_classes(tmp_path, capsys):
    first = write_scene(tmp_path, "a", seed=1)
    second = write_scene(tmp_path, "b", size=32, seed=2)
    code, out = build(tmp_path, [first, second], "--patch-size", "16", "--bands", "4,2", "--min-labelled", "0",
                      "--classes", "3:forest:#00ff00,9:water", "--split", "1,0,0")
    assert code == 0
    assert "Label value 7 not in --classes: those pixels are ignored." in capsys.readouterr().err
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["bands"] == ["b1", "b2"] and summary["source_bands"] == [4, 2]
    assert summary["classes"] == [{"value": 3, "name": "forest", "color": "#00ff00"},
                                  {"value": 9, "name": "water", "color": "#d7191c"}]
    assert [s["patches"] for s in summary["sources"]] == [16, 4] and summary["counts"]["train"] == 20
    got = notebook_records(out, "train", 16, ("b1", "b2"))
    images = [scene_image(64, 4, 1), scene_image(32, 4, 2)]
    matched = 0
    for record in got:
        for image in images:
            hits = np.argwhere((image[3] == record["b1"][0, 0]) & (image[1] == record["b2"][0, 0]))
            for r, c in hits:
                if r + 16 <= image.shape[1] and c + 16 <= image.shape[2] and np.array_equal(image[3, r:r + 16, c:c + 16], record["b1"]):
                    assert np.array_equal(image[1, r:r + 16, c:c + 16], record["b2"])
                    assert set(np.unique(record["class"])) <= {3, 255}
                    matched += 1
    assert matched == 20


def test_json_progress_and_claro_info(tmp_path, capsys):
    code, out = build(tmp_path, [write_scene(tmp_path)], "--patch-size", "16", "--progress", "json")
    assert code == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    fractions = [e["fraction"] for e in events if e["event"] == "progress"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    done = events[-1]
    assert done["event"] == "done" and done["out"] == str(out) and sum(done["counts"].values()) == 16
    assert cli.main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "16 × 16 pixels, 4 bands (b1, b2, b3, b4 = image bands 1, 2, 3, 4)" in text
    assert "class 7" in text and "EPSG:32721" in text


def test_overwrite_replaces_a_dataset_claro_made_and_nothing_else(tmp_path, capsys):
    scene = write_scene(tmp_path)
    assert build(tmp_path, [scene], "--patch-size", "32")[0] == 0
    first = json.loads((tmp_path / "patches" / "dataset.json").read_text())
    code, out = build(tmp_path, [scene], "--patch-size", "16", "--overwrite")
    assert code == 0 and json.loads((out / "dataset.json").read_text())["patch_size"] == 16 != first["patch_size"]
    assert not list(tmp_path.glob(".patches*"))  # no temporary, no old copy, no lock left
    # A folder holding a user's file is never emptied, even with --overwrite.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "old.txt").write_text("old")
    capsys.readouterr()
    assert build(tmp_path, [scene], "--patch-size", "32", "--overwrite", out="mine")[0] == 2
    assert f"Output folder {mine} holds files Claro did not write" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["old.txt"] and (mine / "old.txt").read_text() == "old"


def test_interrupt_leaves_nothing_behind(tmp_path, monkeypatch):
    calls = []

    def interrupted(self, split, planes):
        calls.append(split)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(records.ShardWriter, "write_planes", interrupted)
    code, out = build(tmp_path, [write_scene(tmp_path)], "--patch-size", "16")
    assert code == 130 and len(calls) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene.tif", "scene_labels.tif"]


# --- bad input -------------------------------------------------------------------------------

def bad_cases(tmp_path: Path) -> dict:
    image, labels = write_scene(tmp_path)
    three = write_raster(tmp_path / "three.tif", scene_image(bands=3), (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    far = write_raster(tmp_path / "far.tif", np.ones((8, 8)), (ORIGIN[0] + 50000, 10, 0, ORIGIN[1], 0, -10),
                       gdal_type=gdal.GDT_Byte)
    junk = tmp_path / "junk.tif"
    junk.write_text("not a raster")
    points = tmp_path / "points.geojson"
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"cls": 1}, "geometry": {"type": "Point", "coordinates": [-57.0, -9.0]}}]}))
    polygons = write_square_polygon(tmp_path / "poly.gpkg", ORIGIN[0], ORIGIN[1] - 100, ORIGIN[0] + 100, ORIGIN[1], 1)
    empty_labels = write_raster(tmp_path / "empty_labels.tif", np.full((64, 64), 255), (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10),
                                gdal_type=gdal.GDT_Byte)
    corine = np.array([111, 211, 311, 512], np.uint16)[(np.arange(64 * 64) // 7 % 4)].reshape(64, 64)
    corine_labels = write_raster(tmp_path / "corine.tif", corine, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10),
                                 gdal_type=gdal.GDT_UInt16)
    signed = np.where(truth() == 3, 0, 1).astype(np.int16)
    signed[:8] = -1   # Sen1Floods11's nodata: fine
    signed[8:10] = -5  # not the nodata rule's: refused
    signed_labels = write_raster(tmp_path / "signed.tif", signed, (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10),
                                 gdal_type=gdal.GDT_Int16)
    full = tmp_path / "full"
    full.mkdir()
    (full / "something.txt").write_text("keep me")
    ok = ["--image", image, "--labels", labels]
    return {
        "missing image": (["--image", str(tmp_path / "nope.tif"), "--labels", labels], "nope.tif does not exist"),
        "unreadable image": (["--image", str(junk), "--labels", labels], "could not be read as a raster"),
        "missing labels": (["--image", image, "--labels", str(tmp_path / "nope.gpkg")], "nope.gpkg do not exist"),
        "not overlapping": (["--image", image, "--labels", far], "do not overlap"),
        "no polygons": (["--image", image, "--labels", str(points)], "hold no polygons"),
        "no such field": (["--image", image, "--labels", polygons, "--class-field", "kind"], "have no field 'kind'"),
        "band out of range": (ok + ["--bands", "1,5"], "Band 5 is out of range"),
        "patch too large": (ok + ["--patch-size", "65"], "Patch size 65 is larger than image"),
        "nothing labelled": (["--image", image, "--labels", empty_labels], "No 16 × 16 patch has at least 5% labelled pixels"),
        "different band counts": (ok + ["--image", three, "--labels", labels], "different band counts"),
        "unpaired": (ok + ["--image", three], "give one --labels for each --image"),
        "bad split": (ok + ["--split", "0.5,0.2,0.1"], "add up to 1"),
        "bad classes": (ok + ["--classes", "forest:0"], "does not start with a whole number"),
        "ignore value is a class": (ok + ["--classes", "0:a,255:b"], "also the ignore value"),
        "output not empty": (ok + ["--out", str(full)], "holds files Claro did not write"),
        "corine codes": (["--image", image, "--labels", corine_labels],
                         r"The label values 311, 512 in \S*corine.tif are outside the class values 0–254 .*"
                         r"reclassify them to 0…N−1 first \(e.g. CORINE codes 111–523 with QGIS's \"Reclassify by table\"\) "
                         r"and name the classes with --classes"),
        "negative class value": (["--image", image, "--labels", signed_labels], r"The label value -5 in \S*signed.tif is outside"),
        "classes out of range": (ok + ["--classes", "0:forest,311:pasture"], r"Class value 311 in --classes is outside 0–254"),
        "negative class listed": (ok + ["--classes=-1:nodata,0:a,1:b"], r"Class value -1 in --classes is outside 0–254"),
    }


@pytest.mark.parametrize("case", ["missing image", "unreadable image", "missing labels", "not overlapping",
                                  "no polygons", "no such field", "band out of range", "patch too large",
                                  "nothing labelled", "different band counts", "unpaired", "bad split",
                                  "bad classes", "ignore value is a class", "output not empty", "corine codes",
                                  "negative class value", "classes out of range", "negative class listed"])
def test_bad_input_is_one_sentence_exit_2_and_no_output(tmp_path, capsys, case):
    argv, message = bad_cases(tmp_path)[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    extra = [] if "--out" in argv else ["--out", str(tmp_path / "out")]
    assert cli.main(["patches", "--patch-size", "16", *argv, *extra]) == 2  # a later --patch-size wins
    err = capsys.readouterr().err
    assert err.startswith("claro: error: ") and err.count("\n") == 1
    import re

    assert re.search(message, err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no output, no temporary folder
    if case == "output not empty":
        assert (tmp_path / "full" / "something.txt").read_text() == "keep me"


# --- real data -------------------------------------------------------------------------------

def test_real_amazon_tile(tmp_path, amazon_tile):
    image, mask = amazon_tile
    code, out = build(tmp_path, [(str(image), str(mask))], "--patch-size", "128",
                      "--classes", "0:forest:#1a9641,1:cleared:#d7191c")
    assert code == 0
    summary = json.loads((out / "dataset.json").read_text())
    assert sum(summary["counts"].values()) == 16 and summary["sources"][0]["crs"] == "EPSG:4326"
    truth_image = gdal.Open(str(image)).ReadAsArray()
    truth_mask = gdal.Open(str(mask)).ReadAsArray()
    windows = {(r, c): truth_image[:, r:r + 128, c:c + 128] for r in range(0, 512, 128) for c in range(0, 512, 128)}
    found = 0
    for split in ("train", "validation", "test"):
        for record in notebook_records(out, split, 128, ("b1", "b2", "b3")):
            planes = np.stack([record["b1"], record["b2"], record["b3"]])
            (r, c), = [key for key, window in windows.items() if np.array_equal(window, planes)]
            assert np.array_equal(record["class"], truth_mask[r:r + 128, c:c + 128])
            found += 1
    assert found == 16
    assert sum(sum(v) for v in summary["class_pixels"].values()) == 512 * 512
    assert 10 < summary["statistics"]["mean"][0] < 200


def test_real_sen1floods11_chip_with_minus_one_nodata(tmp_path, sen1floods11):
    image, labels = sen1floods11
    code, out = build(tmp_path, [(str(image), str(labels))], "--patch-size", "128", "--min-labelled", "0")
    assert code == 0
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["bands"] == [f"b{i}" for i in range(1, 14)]
    assert summary["band_descriptions"][0] == "B1"
    assert [c["value"] for c in summary["classes"]] == [0, 1]  # -1 is no data, not a class
    truth_labels = gdal.Open(str(labels)).ReadAsArray()
    assert sum(summary["ignored_pixels"].values()) == int((truth_labels == -1).sum()) == 99
    band1 = gdal.Open(str(image)).ReadAsArray()[0]
    keys = tuple(f"b{i}" for i in range(1, 14))
    got = [r for s in ("train", "validation", "test") for r in notebook_records(out, s, 128, keys)]
    assert len(got) == 16
    for record in got:
        (r, c), = [(r, c) for r in range(0, 512, 128) for c in range(0, 512, 128)
                   if np.array_equal(band1[r:r + 128, c:c + 128], record["b1"])]
        expected = truth_labels[r:r + 128, c:c + 128].astype(np.float32)
        expected[expected == -1] = 255
        assert np.array_equal(record["class"], expected)


# --- the split on a few hand-drawn labels over a large scene -------------------------------------

BIG = 4000
#: the only labelled area: rows 1810-2209, cols 2330-2729 (not aligned with any block)
AREA = (1810, 2330, 400)


def write_big_scene(folder: Path) -> str:
    """A 4000² tiled DEFLATE GeoTIFF whose bands are each pixel's row and column (cheap to compress)."""
    path = folder / "big.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), BIG, BIG, 2, gdal.GDT_UInt16,
                                                   ["TILED=YES", "COMPRESS=DEFLATE"])
    dataset.SetGeoTransform((ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    dataset.SetProjection(srs_of(UTM).ExportToWkt())
    rows, cols = np.mgrid[0:BIG, 0:BIG].astype(np.uint16)
    dataset.GetRasterBand(1).WriteArray(rows)
    dataset.GetRasterBand(2).WriteArray(cols)
    dataset = None
    return str(path)


def write_big_labels(folder: Path) -> str:
    """Label raster: 255 (declared nodata) everywhere but the 400² area, there classes 1 and 2."""
    r0, c0, n = AREA
    path = folder / "big_labels.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), BIG, BIG, 1, gdal.GDT_Byte, ["TILED=YES", "COMPRESS=DEFLATE"])
    dataset.SetGeoTransform((ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    dataset.SetProjection(srs_of(UTM).ExportToWkt())
    labels = np.full((BIG, BIG), 255, np.uint8)
    labels[r0:r0 + n, c0:c0 + n] = 1
    labels[r0:r0 + n, c0 + n // 2:c0 + n] = 2
    band = dataset.GetRasterBand(1)
    band.SetNoDataValue(255)
    band.WriteArray(labels)
    dataset = None
    return str(path)


def write_big_polygons(folder: Path) -> str:
    """The same 400² area drawn as two polygons (classes 1 and 2), as a user would in QGIS."""
    r0, c0, n = AREA
    maxy, miny = ORIGIN[1] - 10 * r0, ORIGIN[1] - 10 * (r0 + n)
    squares = [(ORIGIN[0] + 10 * left, miny, ORIGIN[0] + 10 * right, maxy, value)
               for value, (left, right) in ((1, (c0, c0 + n // 2)), (2, (c0 + n // 2, c0 + n)))]
    return write_squares(folder / "drawn.gpkg", squares, UTM)


@pytest.fixture(scope="module")
def big_scene(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    return write_big_scene(folder), write_big_labels(folder), write_big_polygons(folder)


@pytest.mark.parametrize("kind", ["raster labels", "polygons"])
def test_a_small_labelled_area_in_a_large_scene_gives_every_split_patches(tmp_path, big_scene, kind):
    image, raster_labels, polygons = big_scene
    labels, extra = (raster_labels, []) if kind == "raster labels" else \
        (polygons, ["--class-field", "landcover", "--background", "ignore"])
    r0, c0, n = AREA
    for seed in (1, 2, 3):
        code, out = build(tmp_path, [(image, labels)], "--patch-size", "64", "--seed", str(seed), *extra,
                          out=f"seed{seed}")
        assert code == 0
        summary = json.loads((out / "dataset.json").read_text())
        owner = np.zeros((n + 128, n + 128), np.int8)  # which split holds each pixel near the area
        for index, split in enumerate(("train", "validation", "test"), 1):
            got = notebook_records(out, split, 64, ("b1", "b2"))
            assert len(got) == summary["counts"][split] > 0, (seed, split, summary["counts"])
            for record in got:
                r, c = int(record["b1"][0, 0]), int(record["b2"][0, 0])
                assert np.array_equal(record["b1"], np.arange(r, r + 64)[:, None].repeat(64, 1))
                window = owner[r - r0 + 64:r - r0 + 128, c - c0 + 64:c - c0 + 128]
                assert ((window == 0) | (window == index)).all(), f"seed {seed}: {split} shares pixels"
                window[...] = index
        split = summary["split"]
        assert split["block_size"] < n and split["seed"] == seed
        assert all(split["blocks"][s] >= 1 for s in ("train", "validation", "test"))
        assert sum(summary["counts"].values()) + split["left_out_at_boundaries"] >= 36  # 6 × 6 whole windows at least


def test_too_few_blocks_for_validation_stops_with_what_to_do(tmp_path):
    pair = write_scene(tmp_path)  # 64²: two 32² patches wide, four blocks of one patch
    code, out = build(tmp_path, [pair], "--patch-size", "32", "--split", "0.5,0.3,0.2")
    assert code == 0  # four blocks: one each for validation and test
    counts = json.loads((out / "dataset.json").read_text())["counts"]
    assert counts["validation"] >= 1 and counts["test"] >= 1
    one = write_raster(tmp_path / "one.tif", scene_image(size=32), (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    labels = write_raster(tmp_path / "one_labels.tif", truth(32), (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    with pytest.raises(patches.ClaroError, match=r"only 1 block of 32 × 32 pixels, too few to give validation and "
                                                  r"test patches.*smaller --patch-size.*--split 1,0,0"):
        patches.run(patches.PatchParams(images=[one], labels=[labels], out=str(tmp_path / "x"), patch_size=32),
                    patches.Progress("json", stream=__import__("io").StringIO()))
    code, out = build(tmp_path, [(one, labels)], "--patch-size", "32", "--split", "1,0,0", out="trainonly")
    assert code == 0 and json.loads((out / "dataset.json").read_text())["counts"] == {"train": 1, "validation": 0, "test": 0}


def test_patches_are_shuffled_into_shards_the_same_way_with_or_without_isal(tmp_path, monkeypatch):
    """Two scenes: each shard mixes both, and the seed alone fixes which patch goes where."""
    import gzip

    pairs = [write_scene(tmp_path, "a", seed=1), write_scene(tmp_path, "b", image=scene_image(seed=2) + 100000)]
    streams = {}
    for fast in ([True, False] if records.fast_compressor_available() else [False]):
        monkeypatch.setattr(records, "fast_compressor_available", lambda: fast)
        code, out = build(tmp_path, pairs, "--patch-size", "8", "--split", "1,0,0", "--seed", "4", out=f"fast{fast}")
        assert code == 0
        summary = json.loads((out / "dataset.json").read_text())
        assert summary["compression"]["compressor"] == ("isal" if fast else "zlib")
        assert summary["order"] == {"shuffled": True, "seed": 4, "target_shard_bytes": records.TARGET_SHARD_BYTES}
        streams[fast] = [gzip.decompress((out / name).read_bytes()) for name in summary["shards"]["train"]]
        assert sorted(p.name for p in out.iterdir()) == sorted(summary["shards"]["train"] + ["dataset.json"])
    assert len(set(map(tuple, streams.values()))) == 1  # the same records in the same shards
    shards = summary["shards"]["train"]
    assert len(shards) == records.MIN_SHARDS
    for name in shards:
        scenes = [int(r["b1"][0, 0] >= 100000) for r in notebook_records(out, name.split(".")[0], 8)]
        assert set(scenes) == {0, 1} and scenes != sorted(scenes)  # both scenes, interleaved
