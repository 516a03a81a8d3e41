"""plugin/settings.py: typed values and parameter sets survive a round trip through QgsSettings,
under the 'claro/' prefix, and stale stored values fall back to the defaults."""
from __future__ import annotations

import json

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QSettings

from claro.backend import params as P
from claro.plugin.settings import PREFIX, Settings


def test_plain_values_round_trip(claro_settings):
    assert claro_settings.interpreter == "" and claro_settings.cancel_grace_seconds == 10.0
    claro_settings.interpreter = "/opt/conda/envs/tf/bin/python"
    claro_settings.classes = "0:forest:#1a9641,1:cleared:#d7191c"
    assert claro_settings.interpreter == "/opt/conda/envs/tf/bin/python"
    assert claro_settings.classes == "0:forest:#1a9641,1:cleared:#d7191c"


def test_parameter_sets_round_trip_with_their_types(claro_settings):
    stored = P.PatchParams(images=["a.tif"], labels=["b.gpkg"], out="p", stride=32, bands=[3, 2, 1],
                           split=(0.6, 0.3, 0.1), min_labelled=0.5, overwrite=True, progress="json")
    claro_settings.save_params(stored)
    back = claro_settings.params(P.PatchParams)
    assert back == P.PatchParams(**{**stored.__dict__, "progress": "bar"})  # progress mode is never kept
    assert isinstance(back.split, tuple) and isinstance(back.bands, list)
    claro_settings.save_params(P.TrainParams(learning_rate=0.0005, epochs=3))
    assert claro_settings.params(P.TrainParams) == P.TrainParams(learning_rate=0.0005, epochs=3)


def test_stale_or_broken_values_take_the_default(tmp_path):
    raw = QgsSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    raw.setValue(PREFIX + "params/train", json.dumps({"epochs": "many", "depth": 3, "gone_field": 1}))
    raw.setValue(PREFIX + "params/predict", "{not json")
    settings = Settings(raw)
    assert settings.params(P.TrainParams) == P.TrainParams(depth=3)
    assert settings.params(P.PredictParams) == P.PredictParams()


def test_keys_live_under_the_claro_prefix_and_can_be_removed(tmp_path):
    raw = QgsSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    settings = Settings(raw)
    settings.interpreter = "/x/python"
    settings.save_params(P.PredictParams(overlap=0.5))
    assert raw.value("claro/interpreter") == "/x/python"
    assert json.loads(raw.value("claro/params/predict"))["overlap"] == 0.5
    settings.remove_all()
    assert settings.interpreter == "" and settings.params(P.PredictParams) == P.PredictParams()
