"""backend/atomic.py: only what Claro made is ever replaced, a failed replacement restores the old
output, two jobs never write the same output, and a GeoTIFF that cannot be closed fails the job."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

from claro.backend import atomic, raster
from claro.backend.atomic import atomic_file, atomic_folder, check_can_write, lock_path, output_locks
from claro.backend.errors import ClaroError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from georaster import write_raster  # noqa: E402
from ..conftest import mount_tiny_disk, unmount_tiny_disk  # noqa: E402


def claro_dataset(folder: Path) -> Path:
    """What `claro patches` leaves: dataset.json naming Claro, and shards."""
    folder.mkdir()
    (folder / "dataset.json").write_text(json.dumps({"format": 1, "software": {"claro": "1.0"}}))
    (folder / "train-00000.tfrecord.gz").write_bytes(b"shard")
    return folder


# ---------------------------------------------------------------------------- folders

def test_a_folder_holding_a_users_file_is_refused_even_with_overwrite(tmp_path):
    folder = tmp_path / "patches"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    for overwrite in (False, True):
        with pytest.raises(ClaroError, match=f"Output folder {folder} holds files Claro did not write"):
            check_can_write(folder, overwrite, folder=True)
    assert (folder / "notes.txt").read_text() == "keep me"


def test_a_claro_dataset_is_replaced_only_with_overwrite_and_only_while_it_holds_claros_files(tmp_path):
    folder = claro_dataset(tmp_path / "patches")
    with pytest.raises(ClaroError, match="already holds a patch dataset; choose another or use --overwrite"):
        check_can_write(folder, False, folder=True)
    (folder / ".DS_Store").write_bytes(b"Finder")  # what a file browser leaves is not the user's work
    assert check_can_write(folder, True, folder=True) == folder
    (folder / "my_map.qgz").write_text("a user's project saved into the dataset")
    with pytest.raises(ClaroError, match="holds files Claro did not write"):
        check_can_write(folder, True, folder=True)
    (folder / "my_map.qgz").unlink()
    (folder / "dataset.json").write_text(json.dumps({"format": 1, "classes": []}))  # e.g. an Earth Engine export
    with pytest.raises(ClaroError, match="holds files Claro did not write"):
        check_can_write(folder, True, folder=True)


def test_failed_folder_replacement_restores_the_old_output(tmp_path, monkeypatch):
    folder = claro_dataset(tmp_path / "patches")
    real_rename = Path.rename

    def rename(self, target):
        if self.name.startswith(".patches.tmp-") and Path(target) == folder:
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(ClaroError, match="could not be put in place .*the old one was kept"):
        with atomic_folder(folder) as tmp:
            (tmp / "dataset.json").write_text("new")
    assert (folder / "train-00000.tfrecord.gz").read_bytes() == b"shard"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["patches"]


def test_a_full_disk_while_writing_is_one_sentence_and_leaves_nothing(tmp_path):
    def fill(tmp):
        raise OSError(28, "No space left on device")

    with pytest.raises(ClaroError, match=r"Writing .*out.json failed: no space is left on its disk"):
        with atomic_file(tmp_path / "out.json") as tmp:
            tmp.write_text("half")
            fill(tmp)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- files

def test_files_are_replaced_only_with_overwrite_and_only_when_of_claros_kind(tmp_path):
    tif = write_raster(tmp_path / "classes.tif", np.zeros((4, 4), np.uint8), (0, 1, 0, 0, 0, -1))
    with pytest.raises(ClaroError, match="exists; choose another path or use --overwrite"):
        check_can_write(tif, False)
    assert check_can_write(tif, True, kind="geotiff") == tif

    model = tmp_path / "model.keras"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("config.json", "{}")
    assert check_can_write(model, True) == model

    report = tmp_path / "report.json"
    report.write_text(json.dumps({"overall_accuracy": 0.9, "software": {"claro": "1.0"}}))
    assert check_can_write(report, True, kind="report") == report

    # Same names, a user's content: never replaced, whatever --overwrite says.
    for path, kind, name in ((tmp_path / "thesis.tif", "geotiff", "a GeoTIFF"),
                             (tmp_path / "notes.keras", "keras", "a Keras model file"),
                             (tmp_path / "reference.json", "report", "a Claro report"),
                             (tmp_path / "map.png", "png", "a PNG image"),
                             (tmp_path / "classes", "geotiff", "a GeoTIFF")):
        path.write_text("a user's own file")
        with pytest.raises(ClaroError, match=f"exists and is not {name}, so Claro will not replace it"):
            check_can_write(path, True, kind=kind)
        assert path.read_text() == "a user's own file"


def test_an_output_that_is_an_input_is_refused(tmp_path):
    reference = tmp_path / "reference.json"
    reference.write_text(json.dumps({"type": "FeatureCollection", "features": [], "software": {"claro": "?"}}))
    with pytest.raises(ClaroError, match=f"would replace the input {reference}"):
        check_can_write(reference, True, kind="report", inputs=[tmp_path / "classes.tif", reference])
    images = tmp_path / "images"
    images.mkdir()
    with pytest.raises(ClaroError, match="would replace the input"):  # an output folder holding an input
        check_can_write(images, True, folder=True, inputs=[images / "scene.tif"])


# ---------------------------------------------------------------------------- locks

@pytest.fixture
def live_process():
    """Another process that runs while the test does (stands for another Claro job)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()
    process.wait()


def test_a_second_job_on_the_same_output_is_refused(tmp_path, live_process):
    out = tmp_path / "model.keras"
    lock_path(out).write_text(json.dumps({"pid": live_process, "host": socket.gethostname(), "token": "x"}))
    with output_locks():
        with pytest.raises(ClaroError, match=f"Another Claro job \\(process {live_process}\\) is writing {out}"):
            check_can_write(out, False)
    assert json.loads(lock_path(out).read_text())["pid"] == live_process  # the other job's lock stays


def test_a_stale_lock_is_taken_over_with_a_log_line(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "classes.tif"
    lock_path(out).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "token": "x"}))
    logged = []
    with output_locks(logged.append):
        check_can_write(out, False)
        holder = json.loads(lock_path(out).read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
    assert len(logged) == 1 and f"process {dead.pid}" in logged[0] and "no longer runs" in logged[0]
    assert not lock_path(out).exists()


@pytest.mark.parametrize("ending", [None, ClaroError("bad input"), KeyboardInterrupt()])
def test_locks_are_released_on_success_error_and_interrupt(tmp_path, ending):
    out = tmp_path / "classes.tif"

    @atomic.job
    def run(params, progress):
        check_can_write(out, False)
        assert lock_path(out).exists()
        if ending is not None:
            raise ending

    class Progress:
        def log(self, message):
            pass

    if ending is None:
        run(None, Progress())
    else:
        with pytest.raises(type(ending)):
            run(None, Progress())
    assert not lock_path(out).exists()


def test_two_trainings_to_one_model_never_share_its_checkpoint(tmp_path, live_process):
    """The first training's lock keeps a second one (with --overwrite) from deleting its checkpoint."""
    from claro.backend import train
    from claro.backend.params import TrainParams

    out = tmp_path / "model.keras"
    resume = train.resume_folder(out)
    resume.mkdir()
    (resume / "state.json").write_text("{}")
    lock_path(out).write_text(json.dumps({"pid": live_process, "host": socket.gethostname(), "token": "x"}))

    class Progress:
        def log(self, message):
            pass

    with pytest.raises(ClaroError, match="Another Claro job .* is writing"):
        train.run(TrainParams(data=str(tmp_path / "patches"), out=str(out), overwrite=True), Progress())
    assert (resume / "state.json").read_text() == "{}"


# ---------------------------------------------------------------------------- GeoTIFFs

@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB file system (tmpfs): writes beyond it fail as on a full disk."""
    yield mount_tiny_disk(tmp_path / "tiny", "64k")
    unmount_tiny_disk(tmp_path / "tiny")


def test_a_geotiff_that_cannot_be_written_at_close_fails_before_the_rename(tiny_disk):
    target = tiny_disk / "probabilities.tif"
    with pytest.raises(ClaroError, match=f"Writing {target} failed .*free some space"):
        with atomic_file(target) as tmp:
            datasets = {"out": gdal.GetDriverByName("GTiff").Create(str(tmp), 300, 300, 1, gdal.GDT_Float32)}
            datasets["out"].GetRasterBand(1).WriteArray(np.random.default_rng(0).random((300, 300), np.float32))
            raster.close_written(datasets, "out", target)
    assert list(tiny_disk.iterdir()) == []


def test_a_geotiff_that_fits_is_closed_whole(tmp_path):
    target = tmp_path / "classes.tif"
    data = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    with atomic_file(target) as tmp:
        datasets = {"out": gdal.GetDriverByName("GTiff").Create(str(tmp), 64, 64, 1, gdal.GDT_Float32)}
        datasets["out"].GetRasterBand(1).WriteArray(data)
        raster.close_written(datasets, "out", target)
        assert datasets == {}
    assert np.array_equal(gdal.Open(str(target)).ReadAsArray(), data)
