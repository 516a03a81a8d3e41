"""Backend sentences in the dock's words: a command-line option becomes the dock's field and where it is.

Why: the backend's sentences are written for the command line ("give --bands", "start over with
--overwrite"), and the CLI keeps them. A dock user never types a flag, so every sentence that
reaches the dock passes through `DockWords`: `--bands` in a predict job's error becomes "Bands
in Predict ▸ Advanced", "use --overwrite" becomes "tick Overwrite in Train". The labels are
params.py's (the same ones the forms show) and the places are the dock's own tab and section
names, given by the dock, so neither is spelled twice.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass, field
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication

from ..backend import params as P
from .forms import field_label


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


@dataclass(frozen=True)
class Place:
    """Where one job's fields are in the dock: its tab, the fields of the tab's form and of its
    Advanced section, and fields the dock shows with a widget of its own (field → that widget's
    label). A field the dock does not show keeps its flag."""

    tab: str
    main: tuple[str, ...] = ()
    advanced: tuple[str, ...] = ()
    own_labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Word:
    """What the dock calls one flag: the field's label, where it is, and whether it is a tick box
    (`inverted`: the flag turns the box off, as --no-augment does)."""

    label: str
    where: str
    tick: bool
    inverted: bool = False


class DockWords:
    """`words(message, command)`: the message with every known flag in the dock's words."""

    def __init__(self, places: dict[str, Place], advanced: str) -> None:
        """`places`: job command ('patches', 'train', 'predict') → Place; `advanced`: the Advanced
        section's title."""
        self.words: dict[str, dict[str, Word]] = {}
        for command, place in places.items():
            cls = P.COMMANDS[command][0]
            hints = typing.get_type_hints(cls)
            table: dict[str, Word] = {}
            for f in dataclasses.fields(cls):
                if f.name not in (*place.main, *place.advanced, *place.own_labels):
                    continue
                label = place.own_labels.get(f.name) or field_label(f)
                where = f"{place.tab} ▸ {advanced}" if f.name in place.advanced else place.tab
                flag = P.flag_of(f)
                tick = hints[f.name] is bool
                table[flag] = Word(label, where, tick, inverted=tick and flag.startswith("--no-"))
            self.words[command] = table

    def word(self, flag: str, command: str = "") -> Optional[Word]:
        """The dock's words for a flag of `command` (any job's when the command is not known)."""
        if command in self.words:
            return self.words[command].get(flag)
        return next((table[flag] for table in self.words.values() if flag in table), None)

    def __call__(self, message: str, command: str = "") -> str:
        return re.sub(r"(?:\b(use|give|with|without|in)\s+)?(--[a-z][a-z0-9-]*)",
                      lambda match: self._replace(match, command), message)

    def _replace(self, match: re.Match, command: str) -> str:
        verb, flag = match.group(1), match.group(2)
        word = self.word(flag, command)
        if word is None:
            return match.group(0)
        if word.tick:
            on = verb != "without"
            if word.inverted:
                on = not on
            if verb in ("use", "give"):
                return (tr("tick {} in {}") if on else tr("untick {} in {}")).format(word.label, word.where)
            if verb in ("with", "without"):
                return (tr("with {} ticked in {}") if on else tr("with {} unticked in {}")).format(word.label, word.where)
        elif verb in ("use", "give"):
            return tr("choose {} in {}").format(word.label, word.where)
        elif verb == "in":
            return tr("in {} ({})").format(word.label, word.where)
        lead = f"{verb} " if verb else ""
        return lead + tr("{} in {}").format(word.label, word.where)
