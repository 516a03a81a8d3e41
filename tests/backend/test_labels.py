"""labels.py: one rule for label nodata and class values, and a bounded read of a label raster."""
from __future__ import annotations

import sys
import subprocess

import numpy as np
import pytest
from osgeo import gdal

from claro.backend import labels
from claro.backend.errors import ClaroError
from georaster import ORIGIN, write_large_labels, write_raster

GT = (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10)


def test_label_nodata_is_the_declared_one_else_minus_one_when_signed():
    assert labels.label_nodata(9.0, "Byte") == 9.0
    assert labels.label_nodata(-9999.0, "Int16") == -9999.0
    assert labels.label_nodata(None, "Int16") == -1
    assert labels.label_nodata(None, "Float32") == -1
    assert labels.label_nodata(None, "Byte") is None
    assert labels.label_nodata(None, "UInt16") is None


def test_class_values_leave_out_nodata_the_ignore_value_nan_and_fractions():
    assert labels.class_values([-1, 0, 1, 255, 1.0], nodata=-1) == [0, 1]
    assert labels.class_values([0, 3, 9, 2.5, float("nan")], nodata=9, ignore_value=3) == [0]
    assert labels.class_values([float("nan"), 4], nodata=float("nan")) == [4]
    assert labels.class_values([-2, 300], nodata=None) == [-2, 300]  # the range is check_class_values' job


def test_class_values_outside_0_254_are_refused_with_how_to_remap():
    labels.check_class_values([0, 1, 254], "x.tif")
    with pytest.raises(ClaroError) as error:
        labels.check_class_values([111, 112, 211, 311, 312, 0], "corine.tif")
    message = str(error.value)
    assert message.startswith("The label values 311, 312 in corine.tif are outside the class values 0–254")
    assert "Reclassify by table" in message and "--classes" in message and message.endswith("means no label.")
    with pytest.raises(ClaroError, match="The label value -5 in x.tif is outside"):
        labels.check_class_values([-5, 0], "x.tif")
    with pytest.raises(ClaroError, match=r"Class value 311 in --classes is outside 0–254.*Reclassify by table"):
        labels.check_class_values([0, 311], "--classes", listed=True)


def test_listed_classes_is_the_one_check_of_classes_for_patches_and_both_describe_layouts(tmp_path):
    from claro.backend.card import DEFAULT_COLORS

    assert labels.listed_classes("0:forest:#00ff00, 2:water", 255) == [
        {"value": 0, "name": "forest", "color": "#00ff00"}, {"value": 2, "name": "water", "color": DEFAULT_COLORS[1]}]
    assert labels.listed_classes("3", None) == [{"value": 3, "name": "class 3", "color": DEFAULT_COLORS[0]}]
    sentences = {
        "x:forest": "Class 'x:forest' does not start with a whole number",
        " , ": "--classes lists no class",
        "0:a:#12345": "Colour '#12345' of class 0 is not of the form #RRGGBB",
        "0:a,0:b": "A class value is listed twice",
        "0:a,7:b": "Class value 7 is also the ignore value; choose another --ignore-value or renumber the class.",
        "0:a,311:b": "Class value 311 in --classes is outside 0–254",
    }
    for text, sentence in sentences.items():
        with pytest.raises(ClaroError) as error:
            labels.listed_classes(text, 7)
        assert str(error.value).startswith(sentence)
    # the three jobs that take --classes say the same
    from claro.backend import describe, encoded, patches
    from claro.backend.params import DescribeParams, PatchParams

    for text, sentence in sentences.items():
        for check in (lambda: describe._classes(DescribeParams(classes=text, ignore_value=7), np.zeros((3, 256)), print),
                      lambda: encoded._check_params(DescribeParams(folder="f", out="o", image_feature="image",
                                                                   mask_feature="mask", classes=text, ignore_value=7)),
                      lambda: patches._check_params(PatchParams(images=["i.tif"], labels=["l.tif"], out="o",
                                                                classes=text, ignore_value=7))):
            with pytest.raises(ClaroError) as error:
                check()
            assert str(error.value).startswith(sentence)


def test_the_real_sen1floods11_label_has_classes_0_and_1(sen1floods11):
    _image, label_path = sen1floods11
    sample = labels.sample_raster_values(label_path)
    assert sample.values == [0, 1] and sample.nodata == -1
    assert sample.complete and sample.pixels_read == 512 * 512


def test_sample_windows_cover_a_small_raster_and_stay_under_the_bound_on_a_large_one():
    small = labels.sample_windows(700, 500, 256, 256, max_pixels=1_000_000)
    covered = np.zeros((500, 700), int)
    for x, y, w, h in small:
        covered[y:y + h, x:x + w] += 1
    assert (covered == 1).all()
    large = labels.sample_windows(8000, 8000, 256, 256, max_pixels=4_000_000)
    assert sum(w * h for _, _, w, h in large) <= 4_000_000
    assert len(large) == 4_000_000 // (256 * 256)
    assert all(x % 256 == 0 and y % 256 == 0 for x, y, _, _ in large)  # whole tiles
    rows, cols = {y for _, y, _, _ in large}, {x for x, _, _, _ in large}
    assert len(rows) >= 25 and len(cols) >= 25  # spread over the raster, not its first rows
    strips = labels.sample_windows(8000, 8000, 8000, 1, max_pixels=4_000_000)
    assert all(w == 8000 and h >= 8 for _, _, w, h in strips)  # whole strips, grouped
    assert sum(w * h for _, _, w, h in strips) <= 4_000_000 and len({y for _, y, _, _ in strips}) == len(strips)


def test_a_large_label_raster_is_sampled_within_the_bound_and_finds_values_in_the_sampled_blocks(tmp_path):
    windows = labels.sample_windows(8000, 8000, 256, 256)
    rare_x, rare_y, _, _ = windows[len(windows) // 2]
    spots = {(0, 0, 8000, 300): 1, (rare_x + 100, rare_y + 100, 3, 3): 7, (7990, 7990, 10, 10): 254}
    path = write_large_labels(tmp_path / "large.tif", 8000, spots)
    assert path.stat().st_size < 2_000_000
    sample = labels.sample_raster_values(path)
    assert sample.pixels == 64_000_000 and sample.pixels_read <= labels.MAX_SAMPLE_PIXELS and not sample.complete
    assert sample.values[:3] == [0, 1, 7]  # 9 rare pixels in a sampled tile are found


def test_too_many_values_and_an_unreadable_file_are_one_sentence(tmp_path):
    write_raster(tmp_path / "dem.tif", np.arange(400, dtype=np.int32).reshape(20, 20), GT, gdal_type=gdal.GDT_Int32)
    with pytest.raises(ClaroError, match="more than 256 different values"):
        labels.sample_raster_values(tmp_path / "dem.tif")
    (tmp_path / "junk.tif").write_text("no raster")
    with pytest.raises(ClaroError, match="could not be read as a raster"):
        labels.sample_raster_values(tmp_path / "junk.tif")


def test_cancelled_sampling_stops_between_windows(tmp_path):
    path = write_large_labels(tmp_path / "large.tif", 2048, {(0, 0, 10, 10): 3})
    asked = []
    sample = labels.sample_raster_values(path, cancelled=lambda: asked.append(1) or len(asked) > 2)
    assert sample.pixels_read == 2 * 256 * 256 and not sample.complete


def test_the_module_imports_without_numpy_or_gdal():
    """The dock imports it; numpy and GDAL only load when a raster is read."""
    code = ("import sys; import claro.backend.labels; "
            "print('numpy' in sys.modules, 'osgeo' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
