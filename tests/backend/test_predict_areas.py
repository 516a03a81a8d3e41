"""`claro predict`'s per-class area table: true hectares of the written class raster, in the
result and in a CSV beside it."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from osgeo import gdal

keras = pytest.importorskip("keras")

from claro.backend import areas, cli  # noqa: E402
from claro.backend import card as model_card  # noqa: E402
from ..conftest import sample_tile  # noqa: E402
from .test_predict import identity_model, random_image, write_image  # noqa: E402

CLASSES = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]


def red_model(path):
    """Binary model: 'cleared' where the red band is above 100 (a 1×1 convolution), so both
    classes cover a fair part of the Amazon tile."""
    inputs = keras.Input((None, None, 3))
    layer = keras.layers.Conv2D(1, 1)
    outputs = layer(inputs)
    layer.set_weights([np.array([0.01, 0.0, 0.0], "float32").reshape(1, 1, 3, 1), np.array([-0.5], "float32")])
    keras.Model(inputs, outputs).save(path)
    model_card.write_card(path, {"bands": ["red", "green", "blue"], "source_bands": [1, 2, 3], "classes": CLASSES,
                                 "activation": "sigmoid", "patch_size": 64})
    return path


def predict_json(capsys, *argv) -> dict:
    assert cli.main(["predict", *map(str, argv), "--progress", "json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["event"] == "done"
    logs = "\n".join(e["message"] for e in events if e["event"] == "log")
    return {**events[-1], "logs": logs}


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == ["value", "name", "pixels", "hectares", "share"]
        return list(reader)


def test_area_table_of_the_amazon_tile(tmp_path, capsys):
    image, _ = sample_tile()
    out = tmp_path / "classes.tif"
    done = predict_json(capsys, "--model", red_model(tmp_path / "red.keras"), "--image", image, "--out", out,
                        "--window", 256)
    classes = gdal.Open(str(out))
    values = classes.ReadAsArray()
    pixel = areas.PixelAreas.of(classes).block(0, 0, classes.RasterXSize, classes.RasterYSize)
    assert done["area_csv"] == str(tmp_path / "classes_areas.csv")
    rows = done["areas"]
    assert [r["name"] for r in rows] == ["forest", "cleared"]
    for row in rows:
        inside = values == row["value"]
        assert 0.1 < inside.mean() < 0.9  # both classes are there
        assert row["pixels"] == int(inside.sum()) == done["class_pixels"][row["name"]]
        assert row["hectares"] == pytest.approx(pixel[inside].sum() / 1e4, rel=1e-9)
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    written = read_csv(done["area_csv"])
    assert [(int(r["value"]), r["name"], int(r["pixels"])) for r in written] == [
        (r["value"], r["name"], r["pixels"]) for r in rows]
    assert [float(r["hectares"]) for r in written] == pytest.approx([r["hectares"] for r in rows], abs=1e-4)
    assert sum(float(r["share"]) for r in written) == pytest.approx(1.0, abs=1e-5)
    assert "forest" in done["logs"] and "cleared" in done["logs"] and "hectares" in done["logs"]


def test_area_table_follows_overwrite_rules_and_skips_nodata(tmp_path, capsys):
    data = random_image(40, 50)
    data[:, :10, :] = -9999  # nodata: no class, no hectares
    image = write_image(tmp_path / "image.tif", data, nodata=-9999)
    model = identity_model(tmp_path / "identity.keras")
    out = tmp_path / "classes.tif"
    table = tmp_path / "classes_areas.csv"
    table.write_text("my notes")  # a user's file under the table's name is never replaced
    assert cli.main(["predict", "--model", str(model), "--image", str(image), "--out", str(out), "--window", "32",
                     "--overwrite"]) == 2
    assert "so Claro will not replace it" in capsys.readouterr().err and table.read_text() == "my notes"
    assert not out.exists()
    table.unlink()
    done = predict_json(capsys, "--model", model, "--image", image, "--out", out, "--window", 32)
    # 30 valid rows of 50 UTM pixels of 10 m on zone 19S's central meridian (test_predict.GEOTRANSFORM):
    # 1.5 ha on the map, a true area larger by 1/k0²
    assert sum(r["pixels"] for r in done["areas"]) == 30 * 50
    assert sum(r["hectares"] for r in done["areas"]) == pytest.approx(30 * 50 * 100 / 0.9996 ** 2 / 1e4, rel=1e-5)
    assert cli.main(["predict", "--model", str(model), "--image", str(image), "--out", str(out), "--window", "32"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert cli.main(["predict", "--model", str(model), "--image", str(image), "--out", str(out), "--window", "32",
                     "--overwrite"]) == 0
    assert [int(r["pixels"]) for r in read_csv(table)] == [r["pixels"] for r in done["areas"]]


def test_an_image_without_a_crs_is_predicted_without_an_area_table(tmp_path, capsys):
    path = tmp_path / "plain.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), 30, 20, 3, gdal.GDT_Float32)
    dataset.WriteRaster(0, 0, 30, 20, random_image(20, 30).tobytes())
    dataset = None
    out = tmp_path / "classes.tif"
    done = predict_json(capsys, "--model", identity_model(tmp_path / "identity.keras"), "--image", path, "--out", out,
                        "--window", 32)
    assert done["areas"] is None and done["area_csv"] is None
    assert "no coordinate reference system" in done["logs"]
    assert out.exists() and not (tmp_path / "classes_areas.csv").exists()
