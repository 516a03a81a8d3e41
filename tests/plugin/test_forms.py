"""The dock's widgets are generated from the params dataclasses and give back the exact backend
command line: labels, tooltips and defaults come from one definition."""
from __future__ import annotations

import dataclasses

import pytest
from qgis.PyQt.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from claro.backend import cli
from claro.backend import params as P
from claro.plugin.forms import ParamsForm


def test_widgets_carry_the_dataclass_label_help_and_default(qgis_app):
    form = ParamsForm(P.TrainParams)
    fields = {f.name: f for f in dataclasses.fields(P.TrainParams)}
    assert "progress" not in form.widgets
    epochs = form.widget("epochs")
    assert isinstance(epochs, QSpinBox) and epochs.value() == fields["epochs"].default
    assert epochs.toolTip() == fields["epochs"].metadata["help"]
    assert form.layout_.labelForField(epochs).text() == fields["epochs"].metadata["label"]
    assert isinstance(form.widget("learning_rate"), QDoubleSpinBox)
    assert form.widget("learning_rate").value() == pytest.approx(1e-3)
    assert isinstance(form.widget("augment"), QCheckBox) and form.widget("augment").isChecked()
    assert isinstance(form.widget("class_weights"), QLineEdit) and form.widget("class_weights").text() == "auto"
    assert form.params() == P.TrainParams()


def test_optional_and_list_fields(qgis_app):
    form = ParamsForm(P.PatchParams, ["stride", "bands", "split", "classes", "background"])
    assert form.value("stride") is None and form.value("bands") is None
    assert form.value("split") == (0.7, 0.2, 0.1) and form.value("classes") is None
    form.set_value("stride", 32)
    form.widget("bands").setText("3, 2,1")
    form.widget("split").setText("0.6,0.3,0.1")
    assert form.values() == {"stride": 32, "bands": [3, 2, 1], "split": (0.6, 0.3, 0.1), "classes": None, "background": "0"}
    form.widget("split").setText("0.6,0.4")
    with pytest.raises(ValueError, match="exactly 3"):
        form.value("split")
    form.widget("bands").setText("red")
    with pytest.raises(ValueError, match="comma-separated"):
        form.value("bands")


def test_tensorboard_folder_is_a_folder_chooser_and_empty_means_none(qgis_app):
    from qgis.gui import QgsFileWidget

    form = ParamsForm(P.TrainParams, ["tensorboard"])
    widget = form.widget("tensorboard")
    assert isinstance(widget, QgsFileWidget) and widget.storageMode() == QgsFileWidget.GetDirectory
    assert form.value("tensorboard") is None and "--tensorboard" not in P.command_line(form.params())
    widget.setFilePath("/d/runs/a")
    assert form.value("tensorboard") == "/d/runs/a"
    assert P.command_line(form.params())[-2:] == ["--tensorboard", "/d/runs/a"]


def test_choices_become_a_combo(qgis_app):
    form = ParamsForm(P.PredictParams, ["progress"])
    combo = form.widget("progress")
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["bar", "json"]


@pytest.mark.parametrize("params", [
    P.PatchParams(images=["/d/a.tif"], labels=["/d/l.gpkg"], out="/d/p", class_field="cls", background="ignore",
                  patch_size=64, stride=32, bands=[3, 2, 1], ignore_value=254, split=(0.6, 0.3, 0.1), seed=7,
                  min_labelled=0.2, classes="0:forest:#1a9641,1:cleared:#d7191c", overwrite=True),
    P.TrainParams(data="/d/p", out="/d/m.keras", epochs=3, batch_size=4, learning_rate=0.0005, depth=2,
                  base_filters=4, dropout=0.1, augment=False, class_weights="none", patience=2, resume=True, seed=1,
                  beta=0.5, tensorboard="/d/runs/a", overwrite=True),
    P.PredictParams(model="/d/m.keras", image="/d/a.tif", out="/d/c.tif", probabilities="/d/c_p.tif", overlap=0.5,
                    window=256, batch_size=2, bands=[1, 2, 3], classes="0:a,1:b", overwrite=True),
])
def test_values_round_trip_through_the_form_into_the_exact_command_line(qgis_app, params):
    """dataclass → widgets → dataclass → argv → the CLI's own parser → the same dataclass."""
    form = ParamsForm(type(params))
    form.set_values(params)
    rebuilt = form.params(images=getattr(params, "images", None), labels=getattr(params, "labels", None)) \
        if isinstance(params, P.PatchParams) else form.params()
    assert rebuilt == dataclasses.replace(params, progress=rebuilt.progress)
    argv = P.command_line(rebuilt)
    command, parsed = cli.parse(argv)
    assert command == argv[0]
    assert parsed == rebuilt
