"""Every number's range is defined once, in backend/params.py: the dock's spin boxes and
Processing's number parameters hold exactly that range (the command line's side is
tests/backend/test_params.py). Walks every numeric field of every job, so a new field or a
changed bound cannot drift apart between the three."""
from __future__ import annotations

import dataclasses
import typing

import pytest
from qgis.core import QgsProcessingParameterNumber
from qgis.PyQt.QtWidgets import QDoubleSpinBox, QSpinBox

from claro.backend import params as P
from claro.plugin.algorithms import ALGORITHMS, ClaroAlgorithm, parameter_name
from claro.plugin.forms import ParamsForm



def _is_scalar(hint) -> bool:
    """int, float or Optional of them (lists such as --bands or --split are text fields)."""
    inner = [a for a in typing.get_args(hint) if a is not type(None)] if typing.get_origin(hint) is typing.Union else [hint]
    return inner[0] in (int, float)


#: (sub-command, field, int or float) for every number a form shows as a spin box
SCALARS = [(command, f, kind) for command, (cls, _module) in P.COMMANDS.items()
           for f, kind in P.numeric_fields(cls) if _is_scalar(typing.get_type_hints(cls)[f.name])]
IDS = [f"{command}-{f.name}" for command, f, _ in SCALARS]
ALGORITHM_OF = {command: algorithm_id for algorithm_id, (command, _name) in ALGORITHMS.items()}


def _optional(command: str, f: dataclasses.Field) -> bool:
    return type(None) in typing.get_args(typing.get_type_hints(P.COMMANDS[command][0])[f.name])


def test_the_walk_covers_the_numbers_users_set():
    names = {(command, f.name) for command, f, _ in SCALARS}
    assert {("patches", "patch_size"), ("patches", "seed"), ("patches", "ignore_value"), ("train", "dropout"),
            ("train", "learning_rate"), ("predict", "overlap"), ("predict", "window"),
            ("evaluate", "ignore_value")} <= names
    assert len(SCALARS) >= 18


@pytest.mark.parametrize("command, f, kind", SCALARS, ids=IDS)
def test_the_docks_spin_box_holds_exactly_the_fields_range(qgis_app, command, f, kind):
    form = ParamsForm(P.COMMANDS[command][0], [f.name])
    widget = form.widget(f.name)
    low, high = P.bounds(f)
    assert isinstance(widget, QSpinBox if kind is int else QDoubleSpinBox)
    if _optional(command, f):  # one step below the minimum reads "default" (None: the backend decides)
        assert (widget.minimum(), widget.maximum()) == (low - 1, high)
        assert widget.specialValueText() and form.value(f.name) is None
        widget.setValue(low)
        assert form.value(f.name) == low
    else:
        assert (widget.minimum(), widget.maximum()) == (low, high)
        for value in (low, high):  # both ends are values the form gives back, 0 included (seed, ignore value)
            form.set_value(f.name, value)
            assert form.value(f.name) == value


@pytest.mark.parametrize("command, f, kind", SCALARS, ids=IDS)
def test_processing_parameter_has_exactly_the_fields_range(qgis_app, command, f, kind):
    algorithm = ClaroAlgorithm(ALGORITHM_OF[command])
    algorithm.initAlgorithm()
    parameter = algorithm.parameterDefinition(parameter_name(f.name))
    assert isinstance(parameter, QgsProcessingParameterNumber)
    assert parameter.dataType() == (QgsProcessingParameterNumber.Integer if kind is int
                                    else QgsProcessingParameterNumber.Double)
    assert (parameter.minimum(), parameter.maximum()) == P.bounds(f)
    low, high = P.bounds(f)
    assert parameter.checkValueIsAcceptable(low) and parameter.checkValueIsAcceptable(high)
    assert not parameter.checkValueIsAcceptable(high + (1 if kind is int else 1e-6))


def test_seed_and_ignore_value_zero_reach_the_command_line(qgis_app):
    """The old spin boxes started at 1 for these (their defaults are positive), so 0 was unreachable."""
    form = ParamsForm(P.PatchParams, ["seed", "ignore_value"])
    form.set_value("seed", 0)
    form.set_value("ignore_value", 0)
    params = form.params(images=["a.tif"], labels=["a.gpkg"], out="ds")
    assert (params.seed, params.ignore_value) == (0, 0)
    argv = P.command_line(params)
    assert argv[argv.index("--seed") + 1] == "0" and argv[argv.index("--ignore-value") + 1] == "0"
