"""plugin/words.py: the backend's sentences reach the dock in the dock's words: a command-line
option becomes its field's label and where that field is (tab, Advanced section)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from claro.backend import params as P
from claro.backend.atomic import check_can_write
from claro.backend.errors import ClaroError
from claro.backend.card import select_bands
from claro.backend.train import check_output

BACKEND = Path(__file__).resolve().parents[2] / "backend"


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(ClaroError) as error:
        call(*args, **kwargs)
    return str(error.value)


def test_backend_refusals_name_the_dock_field_and_where_it_is(dock, tmp_path):
    model = tmp_path / "model.keras"
    model.write_bytes(b"")
    (tmp_path / "model.keras.resume").mkdir()
    resume = refusal(check_output, P.TrainParams(data="d", out=str(model)))
    assert "--resume" in resume and "--overwrite" in resume  # the command line keeps its flags
    assert dock.words(resume, "train").endswith(
        "continue it with Resume ticked in Train ▸ Advanced or start over with Overwrite ticked in Train.")
    nothing = refusal(check_output, P.TrainParams(data="d", out=str(tmp_path / "other.keras"), resume=True))
    assert dock.words(nothing, "train").endswith("train with Resume unticked in Train ▸ Advanced.")
    (tmp_path / "classes.tif").write_bytes(b"II*\x00")
    exists = refusal(check_can_write, tmp_path / "classes.tif", False, kind="")
    assert dock.words(exists, "predict").endswith("choose another path or tick Overwrite in Predict.")
    card = {"bands": ["b1", "b2", "b3"], "source_bands": [1, 2, 3], "image_band_count": 3}
    bands = refusal(select_bands, P.PredictParams().bands, card, 4, 3, "scene.tif")
    assert "or choose Bands in Predict ▸ Advanced to say which 3 image bands" in dock.words(bands, "predict")


def test_an_inverted_tick_box_and_a_flag_the_dock_does_not_show():
    from claro.plugin.words import DockWords, Place

    words = DockWords({"train": Place("Train", ("augment",), ("resume",))}, "Advanced")
    assert words("train again with --no-augment", "train") == "train again with Augmentation unticked in Train"
    assert words("use --no-augment", "train") == "untick Augmentation in Train"
    assert words("Band numbers in --bands start at 1", "") == "Band numbers in --bands start at 1"  # not a train field
    assert words("run with --verbose or --beta 2", "train") == "run with --verbose or --beta 2"  # not in the dock


def test_every_option_a_backend_sentence_names_has_dock_words(dock):
    """A new backend sentence naming an option the dock does not translate fails here."""
    # not in the dock: evaluate
    source = "\n".join(p.read_text() for p in BACKEND.glob("*.py") if p.name != "evaluate.py")
    sentences = re.findall(r'ClaroError\(\s*((?:f?"[^"]*"\s*)+)', source)
    flags = {flag for text in sentences for flag in re.findall(r"--[a-z][a-z0-9-]*[a-z0-9]", text)}
    assert {"--bands", "--overwrite", "--resume", "--min-per-class", "--reference-field", "--aoi"} <= flags
    command_line_only = {"--verbose", "--progress", "--beta", "--out",  # not dock fields, or the CLI's example
                         # command-line jobs the dock does not run: predicting an Earth Engine image export
                         # (QGIS cannot open its JSON as a layer) and converting encoded-image records
                         "--band-names", "--format", "--image-feature", "--mask-feature",
                         # distribution the dock leaves to a terminal: kept Dask blocks, training workers
                         "--no-merge", "--dask-block", "--workers", "--worker-index",
                         # the ONNX export is in Processing, not in the dock
                         "--tile-size"}
    missing = sorted(f for f in flags - command_line_only if dock.words.word(f) is None)
    assert not missing, missing
