"""`claro` / `python -m claro.backend`: one sub-command per job, built from params.py.

Exit codes: 0 success, 2 bad input (one sentence on stderr and, with --progress json, an
"error" event), 130 interrupted (Ctrl-C or SIGTERM from the plugin's Cancel), 1 a bug.

Interrupts (interrupts.py): the first Ctrl-C / SIGTERM unwinds the job, which removes its
temporaries and says what it kept (a training keeps its best model so far and its resume
state); later ones are ignored, so the exit code is 130 whatever arrives during clean-up.
TensorFlow's start-up chatter is hidden (quiet.py) unless `claro --verbose` asks for it.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
import traceback
import typing
from typing import Any, Optional, Sequence

from . import interrupts, quiet
from . import params as P
from .errors import ClaroError
from .progress import Progress
from .version import __version__

DESCRIPTIONS = {
    "patches": "Cut image rasters and labels into a TFRecord patch dataset (Earth Engine / ACCA schema).",
    "train": "Train a U-Net on a patch dataset and save a self-describing .keras model.",
    "predict": "Classify a whole raster with a trained model, blending overlapping windows.",
    "evaluate": "Compare a class raster with reference labels: confusion matrix, IoU, F1.",
    "change": "Compare two class maps of the same classes: transition raster and from→to hectares.",
    "sample": "Draw a stratified random sample of points from a class map, to label for an accuracy assessment.",
    "assess": "Accuracies and class areas with 95 % confidence intervals from a labelled sample (Olofsson et al. 2014).",
    "describe": "Describe a folder of TFRecords from another tool (Earth Engine) and write its dataset.json, so Claro trains on it.",
    "export": "Export a trained model for another runtime: ONNX with the metadata Deepness reads.",
    "info": "Print a patch dataset's summary or a model's card.",
}


def _parser_for(kind: Any):
    """A function turning one command-line string into a value of type `kind`."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is typing.Union:  # Optional[X]
        inner = [a for a in args if a is not type(None)][0]
        return _parser_for(inner)
    if origin in (list, tuple):
        item = _parser_for(args[0])

        def parse_list(text: str):
            try:
                values = [item(part) for part in text.split(",") if part.strip()]
            except (ValueError, argparse.ArgumentTypeError):
                raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of {args[0].__name__} values")
            if origin is tuple and args[-1] is not Ellipsis and len(values) != len(args):
                raise argparse.ArgumentTypeError(f"'{text}' needs exactly {len(args)} comma-separated values")
            return tuple(values) if origin is tuple else values

        return parse_list
    if kind is int:
        def parse_int(text: str) -> int:
            try:
                return int(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"'{text}' is not a whole number")
        return parse_int
    if kind is float:
        def parse_float(text: str) -> float:
            try:
                return float(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"'{text}' is not a number")
        return parse_float
    return str


def add_arguments(parser: argparse.ArgumentParser, cls: type) -> None:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        meta = f.metadata
        kind = hints[f.name]
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        help_text = meta["help"].replace("%", "%%")  # argparse %-formats help texts ("95 %" is no format)
        if meta.get("positional"):
            parser.add_argument(f.name, type=_parser_for(kind), help=help_text)
        elif kind is bool:
            action = "store_false" if default else "store_true"
            parser.add_argument(P.flag_of(f), dest=f.name, action=action, default=default, help=help_text)
        elif meta.get("repeat"):
            item_kind = typing.get_args(kind)[0]
            parser.add_argument(P.flag_of(f), dest=f.name, action="append", type=_parser_for(item_kind),
                                default=None, required=True, help=help_text)
        else:
            shown = P._format(default) if default is not None else None
            notes = [f"default: {shown}"] if shown not in (None, "") else []
            low, high = P.bounds(f)
            if low is not None and high is not None:
                notes.append(f"{P.bound_text(low)} to {P.bound_text(high)}")
            parser.add_argument(P.flag_of(f), dest=f.name, type=_parser_for(kind), default=default,
                                choices=meta.get("choices") or None, required=default == "",
                                help=help_text + (f" ({'; '.join(notes)})" if notes else ""))


VERBOSE_HELP = ("Also show TensorFlow's own log messages (start-up notices, warnings), which Claro hides by "
                "default; useful when reporting a problem.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claro", description="Claro: U-Net segmentation of rasters for forest monitoring.")
    parser.add_argument("--version", action="version", version=f"claro {__version__}")
    parser.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (cls, _module) in P.COMMANDS.items():
        p = sub.add_parser(name, help=DESCRIPTIONS[name].replace("%", "%%"), description=DESCRIPTIONS[name])
        add_arguments(p, cls)
        # also after the command (`claro train … --verbose`); SUPPRESS keeps a flag given before it
        p.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """The parser of one sub-command, so its errors name it ('claro predict: error: …')."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]
    return parser


def params_from_args(cls: type, namespace: argparse.Namespace) -> Any:
    values = {f.name: getattr(namespace, f.name) for f in dataclasses.fields(cls)}
    for f in dataclasses.fields(cls):
        if f.metadata.get("repeat") and values[f.name] is None:
            values[f.name] = []
    return cls(**values)


def _parse_all(argv: Sequence[str]) -> tuple[str, Any, bool]:
    """Command line → (sub-command, parameter dataclass, --verbose)."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    cls, _module = P.COMMANDS[args.command]
    params = params_from_args(cls, args)
    # Out-of-range numbers (params.py's bounds): one sentence and exit 2, before any work; as
    # an "error" event too with --progress json, so the dock and Processing show the sentence.
    for f, _kind in P.numeric_fields(cls):
        sentence = P.bound_error(f, getattr(params, f.name))
        if sentence:
            if getattr(params, "progress", "") == "json":
                Progress("json").error(sentence)
                raise SystemExit(2)
            _subparser(parser, args.command).error(sentence)
    return args.command, params, bool(getattr(args, "verbose", False))


def parse(argv: Sequence[str]) -> tuple[str, Any]:
    """Command line → (sub-command, parameter dataclass)."""
    command, params, _verbose = _parse_all(argv)
    return command, params


def main(argv: Optional[Sequence[str]] = None) -> int:
    # First, so that a Cancel at any moment unwinds the job (and a second one cannot cut its clean-up short).
    previous = interrupts.install()
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # landed outside the job (parsing, or while reporting its end): still 130
        return 130
    finally:
        if not interrupts.interrupted():  # after an interrupt the process is exiting: keep ignoring them
            interrupts.restore(previous)


def _run(argv: Sequence[str]) -> int:
    command, params, verbose = _parse_all(argv)
    progress = Progress(getattr(params, "progress", "bar"))
    try:
        with quiet.tensorflow_logging(verbose):  # around the import too: a job module may import TensorFlow
            module = importlib.import_module(f"{__package__}.{P.COMMANDS[command][1]}")
            module.run(params, progress)
        return 0
    except ClaroError as error:
        progress.error(str(error))
        return 2
    except KeyboardInterrupt as interrupt:
        # A job may say what it kept (training keeps its best model so far and its resume state).
        progress.error(str(interrupt) or "Interrupted; nothing was written.", **getattr(interrupt, "fields", {}))
        return 130
    except Exception as error:  # a bug: say so, with the details for a report
        traceback.print_exc()
        progress.error(f"Unexpected error ({type(error).__name__}: {error}); please report it with the details above.")
        return 1
