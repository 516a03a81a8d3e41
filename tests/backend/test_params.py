"""The parameter dataclasses are the one definition the CLI, dock and Processing share."""
import dataclasses
import json
import math
import re
import typing

import pytest

from claro.backend import params as P
from claro.backend.cli import build_parser, parse
from claro.backend.errors import ClaroError


@pytest.mark.parametrize("cls", [P.PatchParams, P.TrainParams, P.PredictParams, P.EvaluateParams, P.ChangeParams,
                                 P.SampleParams, P.AssessParams])
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


# --- bounds: one definition in params.py, read by the CLI, the dock, Processing and the jobs ----------

#: a valid command line per sub-command (required fields only): the bound under test is the only change
REQUIRED = {"patches": ["--image", "a.tif", "--labels", "a.gpkg", "--out", "ds"],
            "train": ["--data", "ds", "--out", "m.keras"],
            "predict": ["--model", "m.keras", "--image", "a.tif", "--out", "c.tif"],
            "evaluate": ["--prediction", "c.tif", "--reference", "r.gpkg", "--out", "r.json"],
            "change": ["--before", "a.tif", "--after", "b.tif", "--out", "c.tif"],
            "sample": ["--map", "c.tif", "--out", "s.gpkg"],
            "assess": ["--map", "c.tif", "--sample", "s.gpkg", "--out", "r.json"],
            "describe": ["exports"],
            "export": ["--model", "m.keras", "--out", "m.onnx"]}
NUMERIC = [(command, f, kind) for command, (cls, _module) in P.COMMANDS.items() for f, kind in P.numeric_fields(cls)]


def test_every_numeric_field_has_both_bounds_and_a_default_inside_them():
    assert len(NUMERIC) >= 20  # patch size … ignore value: the walk below is not empty
    for command, f, _kind in NUMERIC:
        low, high = P.bounds(f)
        assert low is not None and high is not None and low < high, (command, f.name)
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        assert P.bound_error(f, default) is None, (command, f.name)


def _outside(value, kind, direction: int):
    return value + direction if kind is int else math.nextafter(value, direction * math.inf)


def _argv(command: str, f: dataclasses.Field, value) -> list[str]:
    text = P._format(value)
    if typing.get_origin(typing.get_type_hints(P.COMMANDS[command][0])[f.name]) is tuple:
        text = ",".join([text] * 3)  # a fixed-length list (split): every item at the value
    return [command, *REQUIRED[command], f"{P.flag_of(f)}={text}"]  # "=": a value may start with "-"


@pytest.mark.parametrize("command, f, kind", NUMERIC, ids=[f"{c}-{f.name}" for c, f, _ in NUMERIC])
def test_the_command_line_accepts_each_bound_and_refuses_just_outside(command, f, kind, capsys):
    low, high = P.bounds(f)
    for value in (low, high):
        _, params = parse(_argv(command, f, value))
        got = getattr(params, f.name)
        assert (got[0] if isinstance(got, (list, tuple)) else got) == value
    for value in (_outside(low, kind, -1), _outside(high, kind, +1)):
        with pytest.raises(SystemExit) as exit_info:
            parse(_argv(command, f, value))
        assert exit_info.value.code == 2
        error = capsys.readouterr().err.strip().splitlines()[-1]  # one sentence after the usage lines
        assert error.startswith(f"claro {command}: error: ") and P.flag_of(f) in error
        assert error.endswith(f" must be at least {P.bound_text(low)} and at most {P.bound_text(high)}; "
                              f"it was {P._format(value)}.")


@pytest.mark.parametrize("command, f, kind", NUMERIC, ids=[f"{c}-{f.name}" for c, f, _ in NUMERIC])
def test_the_jobs_refuse_the_same_values_from_python(command, f, kind):
    """check_bounds, which every job calls first, applies the same ranges to a params object."""
    cls = P.COMMANDS[command][0]
    low, high = P.bounds(f)
    hint = typing.get_type_hints(cls)[f.name]
    inner = [a for a in typing.get_args(hint) if a is not type(None)][0] if typing.get_origin(hint) is typing.Union else hint

    def wrap(v):
        return {tuple: lambda: (v, v, v), list: lambda: [v]}.get(typing.get_origin(inner), lambda: v)()

    P.check_bounds(cls(**{f.name: wrap(low)}))
    P.check_bounds(cls(**{f.name: wrap(high)}))
    with pytest.raises(ClaroError, match=f"must be at least {re.escape(P.bound_text(low))} and at most"):
        P.check_bounds(cls(**{f.name: wrap(_outside(high, kind, +1))}))


def test_an_out_of_range_number_is_a_json_error_event_for_the_plugin(capsys):
    """The dock and Processing read --progress json: the sentence arrives as an "error" event."""
    with pytest.raises(SystemExit) as exit_info:
        parse(["predict", *REQUIRED["predict"], "--overlap", "0.95", "--progress", "json"])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    sentence = "--overlap must be at least 0 and at most 0.9; it was 0.95."
    assert [json.loads(line) for line in out.splitlines()] == [{"event": "error", "message": sentence}]
    assert err.strip() == f"claro: error: {sentence}"


@pytest.mark.parametrize("command", list(P.COMMANDS))
def test_every_command_prints_its_help(command, capsys):
    """argparse %-formats help texts: a literal '%' (e.g. '95 %') must not break --help."""
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for f in dataclasses.fields(P.COMMANDS[command][0]):
        if not f.metadata.get("positional"):
            assert P.flag_of(f) in out, f.name
    from claro.backend.cli import DESCRIPTIONS

    assert " ".join(out.split()).count(DESCRIPTIONS[command]) == 1  # the description, '%' and all
