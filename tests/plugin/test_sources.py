"""plugin/sources.py: the class values the dock lists follow the backend's rule, so the class table
and `claro patches` agree on real data; a background read delivers them on the GUI thread."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsApplication, QgsRasterLayer

from claro.backend import labels
from claro.backend import params as P
from claro.plugin import child as C
from claro.plugin.sources import LabelValuesTask, SourceError, label_values, raster_values
from georaster import ORIGIN, write_large_labels, write_raster

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def test_the_real_sen1floods11_label_gives_the_classes_claro_patches_finds(dock, clean_project, sen1floods11, tmp_path):
    """int16 labels, -1 = no data but no nodata declared: not a class in the dock's class table,
    as in `claro patches` (before, the table offered -1 and the model got an empty class)."""
    image, label_path = sen1floods11
    layer = QgsRasterLayer(str(label_path), "LabelHand")
    assert layer.isValid()
    clean_project.addMapLayer(layer)
    dock.label_combo.setLayer(layer)
    table = [c["value"] for c in dock.class_table.classes()]
    assert table == label_values(layer) == [0, 1] and dock.data_message.text() == ""
    params = P.PatchParams(images=[str(image)], labels=[str(label_path)], out=str(tmp_path / "patches"),
                           patch_size=128, min_labelled=0.0)
    done = subprocess.run(C.build_command(params, str(VENV_PYTHON)), env=C.child_environment(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "patches" / "dataset.json").read_text())
    assert [c["value"] for c in summary["classes"]] == table


def test_raster_values_refuse_what_is_not_a_class_raster_with_a_sentence(qgis_app, tmp_path):
    write_raster(tmp_path / "dem.tif", np.arange(900, dtype=np.int32).reshape(30, 30),
                 (ORIGIN[0], 10, 0, ORIGIN[1], 0, -10), gdal_type=gdal.GDT_Int32)
    with pytest.raises(SourceError, match="more than 256 different values"):
        raster_values(tmp_path / "dem.tif")


def test_the_task_reads_a_bounded_sample_off_the_gui_thread(qgis_app, tmp_path, wait_until):
    windows = labels.sample_windows(8000, 8000, 256, 256)
    x, y, _, _ = windows[3]
    path = write_large_labels(tmp_path / "large.tif", 8000, {(x + 5, y + 5, 2, 2): 9})
    task = LabelValuesTask(str(path), labels.MAX_SAMPLE_PIXELS, generation=7)
    got = []
    task.valuesRead.connect(got.append)
    QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: got, 120)
    assert got[0] is task and task.generation == 7 and task.error == ""
    assert task.sample.values == [0, 9] and task.sample.pixels_read <= labels.MAX_SAMPLE_PIXELS


def test_a_cancelled_read_reports_no_values(qgis_app, tmp_path, wait_until):
    path = write_large_labels(tmp_path / "large.tif", 8000, {(0, 0, 8000, 8000): 3})
    task = LabelValuesTask(str(path), None)
    got = []
    task.valuesRead.connect(got.append)
    QgsApplication.taskManager().addTask(task)
    task.cancel()
    assert wait_until(lambda: got, 120)
    assert task.sample is None and task.error == ""
