"""The parameter dataclasses are the one definition the CLI, dock and Processing share."""
import dataclasses

import pytest

from claro.backend import params as P
from claro.backend.cli import build_parser, parse


@pytest.mark.parametrize("cls", [P.PatchParams, P.TrainParams, P.PredictParams, P.EvaluateParams])
def test_every_field_has_help_and_a_label(cls):
    for f in dataclasses.fields(cls):
        assert f.metadata["help"].endswith("."), f.name
        assert f.metadata["label"], f.name


def test_command_line_round_trips_through_the_parser():
    original = P.PatchParams(images=["a.tif", "b.tif"], labels=["a.gpkg", "b.tif"], out="ds",
                             class_field="cls", background="ignore", patch_size=64, stride=32,
                             bands=[3, 2, 1], split=(0.6, 0.3, 0.1), classes="0:forest:#1a9641,1:cleared:#d7191c",
                             overwrite=True, progress="json")
    argv = P.command_line(original)
    assert argv[:5] == ["patches", "--image", "a.tif", "--image", "b.tif"]
    assert "--stride" in argv and argv[argv.index("--bands") + 1] == "3,2,1"
    assert parse(argv) == ("patches", original)


def test_defaults_are_left_out_and_switches_flip():
    train = P.TrainParams(data="ds", out="m.keras", augment=False)
    assert P.command_line(train) == ["train", "--data", "ds", "--out", "m.keras", "--no-augment"]
    assert parse(P.command_line(train))[1].augment is False
    assert parse(["train", "--data", "ds", "--out", "m.keras"])[1] == P.TrainParams(data="ds", out="m.keras")


def test_bad_numbers_are_refused_with_a_sentence(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["patches", "--image", "a", "--labels", "b", "--out", "o", "--split", "0.5,0.5"])
    assert exit_info.value.code == 2
    assert "needs exactly 3 comma-separated values" in capsys.readouterr().err


def test_classes_parse_and_format():
    classes = P.parse_classes("0:forest:#1a9641, 1:cleared:#d7191c,2")
    assert classes == [{"value": 0, "name": "forest", "color": "#1a9641"},
                       {"value": 1, "name": "cleared", "color": "#d7191c"},
                       {"value": 2, "name": "class 2", "color": None}]
    assert P.format_classes(classes[:2]) == "0:forest:#1a9641,1:cleared:#d7191c"
    with pytest.raises(ValueError, match="#RRGGBB"):
        P.parse_classes("0:forest:green")
    with pytest.raises(ValueError, match="twice"):
        P.parse_classes("0:a,0:b")
