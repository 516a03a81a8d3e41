"""plugin/settings.py: typed values and parameter sets survive a round trip through QgsSettings,
under the 'claro/' prefix, and stale stored values fall back to the defaults."""
from __future__ import annotations

import dataclasses
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


def test_parameter_sets_round_trip_with_their_types_but_never_overwrite_or_resume(claro_settings):
    stored = P.PatchParams(images=["a.tif"], labels=["b.gpkg"], out="p", stride=32, bands=[3, 2, 1],
                           split=(0.6, 0.3, 0.1), min_labelled=0.5, overwrite=True, progress="json")
    claro_settings.save_params(stored)
    back = claro_settings.params(P.PatchParams)
    # One run's decisions (overwrite) and the progress mode are never kept.
    assert back == P.PatchParams(**{**stored.__dict__, "progress": "bar", "overwrite": False})
    assert isinstance(back.split, tuple) and isinstance(back.bands, list)
    claro_settings.save_params(P.TrainParams(learning_rate=0.0005, epochs=3, resume=True, overwrite=True))
    assert claro_settings.params(P.TrainParams) == P.TrainParams(learning_rate=0.0005, epochs=3)


def test_only_changed_fields_are_stored_and_a_changed_default_reaches_returning_users(tmp_path):
    raw = QgsSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    settings = Settings(raw)
    settings.save_params(P.TrainParams(out="/maps/m.keras", epochs=7, overwrite=True, resume=True))
    stored = json.loads(raw.value(PREFIX + "params/train"))
    assert stored == {"out": {"value": "/maps/m.keras", "default": ""}, "epochs": {"value": 7, "default": 50}}
    # Stored when epochs defaulted to 30 and batch size to 16: today epochs defaults to 50, so the
    # user gets the new default; batch size's default did not change, so their 4 stays.
    raw.setValue(PREFIX + "params/train", json.dumps({"epochs": {"value": 7, "default": 30},
                                                      "batch_size": {"value": 4, "default": 16}}))
    assert settings.params(P.TrainParams) == P.TrainParams(batch_size=4)


def test_values_stored_by_an_older_version_keep_only_their_paths(tmp_path):
    """The old format stored every field, Overwrite included, as plain values."""
    raw = QgsSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    raw.setValue(PREFIX + "params/train", json.dumps({**dataclasses.asdict(P.TrainParams()), "out": "/maps/m.keras",
                                                      "data": "/maps/patches", "epochs": 50, "overwrite": True,
                                                      "resume": True}))
    assert Settings(raw).params(P.TrainParams) == P.TrainParams(out="/maps/m.keras", data="/maps/patches")


def test_stale_or_broken_values_take_the_default(tmp_path):
    raw = QgsSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    raw.setValue(PREFIX + "params/train", json.dumps({"epochs": {"value": "many", "default": 50},
                                                      "depth": {"value": 3, "default": 5},
                                                      "gone_field": {"value": 1, "default": 0}}))
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
    assert json.loads(raw.value("claro/params/predict"))["overlap"] == {"value": 0.5, "default": 0.25}
    settings.remove_all()
    assert settings.interpreter == "" and settings.params(P.PredictParams) == P.PredictParams()


def test_class_names_are_kept_per_label_source_and_only_the_newest_sources(claro_settings, monkeypatch):
    from claro.plugin import settings as S

    forest = [{"value": 0, "name": "forest", "color": "#1a9641"}, {"value": 1, "name": "cleared", "color": "#d7191c"}]
    water = [{"value": 0, "name": "dry", "color": "#ffffbf"}, {"value": 1, "name": "water", "color": "#2b83ba"}]
    claro_settings.remember_class_names("/data/amazon/mask.tif", forest)
    claro_settings.remember_class_names("/data/sen1floods11/LabelHand.tif", water)
    assert claro_settings.class_names("/data/amazon/mask.tif") == forest
    assert claro_settings.class_names("/data/sen1floods11/LabelHand.tif") == water
    assert claro_settings.class_names("/data/other.tif") == []
    monkeypatch.setattr(S, "MAX_NAMED_SOURCES", 2)
    claro_settings.remember_class_names("/data/amazon/mask.tif", forest)  # named again: now the newest
    claro_settings.remember_class_names("/data/third.tif", forest)
    assert claro_settings.class_names("/data/sen1floods11/LabelHand.tif") == []
    assert claro_settings.class_names("/data/amazon/mask.tif") == forest == claro_settings.class_names("/data/third.tif")
