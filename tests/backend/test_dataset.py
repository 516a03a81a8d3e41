"""dataset.py: dataset.json reading, the printed summary, and the training statistics."""
from __future__ import annotations

import json

import numpy as np
import pytest

from claro.backend import cli, dataset
from claro.backend.errors import ClaroError

SUMMARY = {
    "bands": ["b1", "b2"], "source_bands": [3, 1], "patch_size": 64, "ignore_value": 255,
    "classes": [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}],
    "statistics": {"mean": [30.5, 47.25], "std": [5.5, 3.75], "p2": [25.0, 42.0], "p98": [49.0, 59.0]},
    "counts": {"train": 88, "validation": 28, "test": 12},
    "class_pixels": {"train": [336330, 24118], "validation": [105002, 9686], "test": [39445, 9707]},
    "split": {"method": "spatial blocks", "block_size": 256, "seed": 42},
    "sources": [{"image": "/data/a.tif", "labels": "/data/a_mask.tif", "crs": "EPSG:4326", "patches": 128}],
    "software": {"claro": "0.1.0"},
}


def test_summary_round_trip_and_description(tmp_path):
    path = dataset.write_summary(tmp_path, SUMMARY)
    assert path == tmp_path / "dataset.json"
    read = dataset.read_summary(tmp_path)
    assert read["format"] == dataset.SUMMARY_FORMAT and read["classes"] == SUMMARY["classes"]
    text = dataset.describe(read, str(tmp_path))
    assert "64 × 64 pixels, 2 bands (b1, b2 = image bands 3, 1)" in text
    assert "train 88, validation 28, test 12 (total 128)" in text
    assert "spatial blocks of 256 × 256 pixels, seed 42" in text
    assert any("cleared" in line and "#d7191c" in line and "24118" in line and "9707" in line for line in text.splitlines())
    assert any(line.split()[:3] == ["b2", "47.25", "3.75"] for line in text.splitlines())
    assert "EPSG:4326, 128 patches" in text


def test_claro_info_prints_the_summary(tmp_path, capsys):
    dataset.write_summary(tmp_path, SUMMARY)
    assert cli.main(["info", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Patch dataset {tmp_path}") and "forest" in out
    assert cli.main(["info", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == SUMMARY["counts"]


def test_read_summary_says_what_is_wrong(tmp_path, capsys):
    with pytest.raises(ClaroError, match="does not exist"):
        dataset.read_summary(tmp_path / "nope")
    with pytest.raises(ClaroError, match="is not a patch dataset: it has no dataset.json"):
        dataset.read_summary(tmp_path)
    (tmp_path / "dataset.json").write_text("{ not json")
    with pytest.raises(ClaroError, match="is not valid JSON"):
        dataset.read_summary(tmp_path)
    (tmp_path / "dataset.json").write_text(json.dumps({"bands": ["b1"]}))
    with pytest.raises(ClaroError, match="lacks patch_size, classes"):
        dataset.read_summary(tmp_path)
    assert cli.main(["info", str(tmp_path)]) == 2
    assert "lacks patch_size, classes" in capsys.readouterr().err


def test_band_statistics_match_numpy_over_valid_pixels():
    rng = np.random.default_rng(0)
    patches = [rng.normal([[[100.0]], [[-5.0]]], [[[20.0]], [[2.0]]], (2, 16, 16)) for _ in range(6)]
    masks = [rng.random((16, 16)) > 0.3 for _ in patches]
    stats = dataset.BandStatistics(2)
    for values, valid in zip(patches, masks):
        stats.add(values.astype(np.float32), valid)
    stats.add(np.zeros((2, 16, 16), np.float32), np.zeros((16, 16), bool))  # nothing valid: no effect
    result = stats.result()
    pixels = np.concatenate([p.astype(np.float32).reshape(2, -1)[:, m.ravel()] for p, m in zip(patches, masks)], axis=1)
    pixels = pixels.astype(np.float64)
    assert result["pixels"] == pixels.shape[1]
    assert np.allclose(result["mean"], pixels.mean(axis=1), rtol=1e-6)
    assert np.allclose(result["std"], pixels.std(axis=1), rtol=1e-5)
    # few pixels: every one is in the sample, so the percentiles are exact
    assert np.allclose(result["p2"], np.percentile(pixels, 2, axis=1))
    assert np.allclose(result["p98"], np.percentile(pixels, 98, axis=1))
    assert result["min"] == pixels.min(axis=1).tolist()


def test_band_statistics_sample_stays_bounded_and_representative():
    rng = np.random.default_rng(1)
    stats = dataset.BandStatistics(1, sample_limit=5000)
    everything = []
    for i in range(60):
        values = rng.uniform(0, 1000, (1, 32, 32)).astype(np.float32)
        everything.append(values.ravel())
        stats.add(values)
    result = stats.result()
    assert stats.sampled <= 5000 + 4096
    allpixels = np.concatenate(everything)
    assert abs(result["p2"][0] - np.percentile(allpixels, 2)) < 10
    assert abs(result["p98"][0] - np.percentile(allpixels, 98)) < 10
    assert result["pixels"] == allpixels.size
