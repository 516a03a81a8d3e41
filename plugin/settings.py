"""Claro's remembered choices, as one typed object over QgsSettings (keys under 'claro/').

Why one object: the dock, the environment helper and the Processing algorithms read the same
interpreter and folders, and a typo in a key string should be impossible.
Parameter sets (PatchParams, TrainParams, …) are stored as JSON per sub-command, and only what
the user changed: a field is kept only when its value differs from its default in params.py,
together with the default it was changed from. Why: a returning user must get a default that
changed since (a better learning rate, a safer bound) instead of the old value frozen in their
profile; so a kept value whose recorded default is no longer the default is dropped, and a new
field simply takes its default. Paths and layer choices are remembered this way too (their
default is empty).

Never remembered: *Overwrite* and *Resume* (NEVER_KEPT). Each is a decision about one run; kept
between sessions, one ticked run would make every later run replace the user's dataset and
model without asking. Values stored by older versions (plain values, without their default)
are read only for the paths (LEGACY_KEPT), since nothing tells a choice from an old default.
"""
from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any, TypeVar

from qgis.core import QgsSettings

from ..backend import params as P

PREFIX = "claro/"
T = TypeVar("T")
#: fields never stored: one run's decisions (see the module docstring), and the progress mode
NEVER_KEPT = frozenset({"overwrite", "resume", "progress"})
#: fields read from the old format (plain values): paths only
LEGACY_KEPT = frozenset({"out", "data", "model"})
#: label sources whose class names are remembered (the most recently named ones)
MAX_NAMED_SOURCES = 100


def _command_of(cls: type) -> str:
    for name, (klass, _module) in P.COMMANDS.items():
        if klass is cls:
            return name
    raise TypeError(f"not a Claro parameter class: {cls.__name__}")


def _coerce(kind: Any, value: Any) -> Any:
    """A JSON value back to the field's type (tuples come back as lists)."""
    origin = typing.get_origin(kind)
    if origin is typing.Union:
        if value is None:
            return None
        kind = [a for a in typing.get_args(kind) if a is not type(None)][0]
        origin = typing.get_origin(kind)
    if origin is tuple:
        return tuple(value)
    if origin is list:
        return list(value)
    if kind is float and isinstance(value, int):
        return float(value)
    if kind in (int, float, str, bool) and not isinstance(value, kind):
        raise TypeError(f"{value!r} is not {kind.__name__}")
    return value


def _default(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _json_of(value: Any) -> str:
    """Values compared as stored (a tuple and its list are the same value)."""
    return json.dumps(value, sort_keys=True)


class Settings:
    """Typed access to Claro's QgsSettings. Cheap to create; reads and writes go straight through."""

    def __init__(self, settings: QgsSettings | None = None) -> None:
        self._s = settings or QgsSettings()

    # -- plain values -------------------------------------------------------------------------
    def _get(self, key: str, default: T, kind: type) -> T:
        value = self._s.value(PREFIX + key, default)
        if kind is bool:
            return value in (True, "true", "True", "1", 1)  # type: ignore[return-value]
        try:
            return kind(value) if value is not None else default
        except (TypeError, ValueError):
            return default

    def _set(self, key: str, value: Any) -> None:
        self._s.setValue(PREFIX + key, value)

    @property
    def interpreter(self) -> str:
        """The Python (with TensorFlow) the user chose; '' = find one automatically."""
        return self._get("interpreter", "", str)

    @interpreter.setter
    def interpreter(self, path: str) -> None:
        self._set("interpreter", str(path or ""))

    @property
    def last_folder(self) -> str:
        """The folder of the last file the user picked, where file dialogs open."""
        return self._get("last_folder", "", str)

    @last_folder.setter
    def last_folder(self, path: str) -> None:
        self._set("last_folder", str(path or ""))

    @property
    def cancel_grace_seconds(self) -> float:
        """Seconds a cancelled job gets to delete its temporaries before it is killed."""
        return self._get("cancel_grace_seconds", 10.0, float)

    @property
    def classes(self) -> str:
        """The class table last edited in the dock, as 'VALUE:NAME:#RRGGBB,…'."""
        return self._get("classes", "", str)

    @classes.setter
    def classes(self, text: str) -> None:
        self._set("classes", text or "")

    def class_names(self, source: str) -> list[dict]:
        """The class table last edited for the label source `source` ([] when none was).

        Why per source: names remembered by value alone came back for any layer with the same
        values (Sen1Floods11's water 0/1 offered as "forest/cleared")."""
        text = self._class_names().get(source, "")
        try:
            return P.parse_classes(text) if isinstance(text, str) else []
        except ValueError:
            return []

    def remember_class_names(self, source: str, classes: list[dict]) -> None:
        """Remember the class table for the label source `source` (the newest MAX_NAMED_SOURCES kept)."""
        stored = self._class_names()
        stored.pop(source, None)
        if classes:
            stored[source] = P.format_classes(classes)
        kept = dict(list(stored.items())[-MAX_NAMED_SOURCES:])
        self._set("class_names", json.dumps(kept))

    def _class_names(self) -> dict:
        try:
            stored = json.loads(self._get("class_names", "", str) or "{}")
        except ValueError:
            return {}
        return stored if isinstance(stored, dict) else {}

    # -- parameter sets -----------------------------------------------------------------------
    def params(self, cls: type[T]) -> T:
        """The remembered values of `cls` (a params dataclass) over its defaults."""
        stored = self._get(f"params/{_command_of(cls)}", "", str)
        try:
            values = json.loads(stored) if stored else {}
        except ValueError:
            values = {}
        if not isinstance(values, dict):
            values = {}
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):
            entry = values.get(f.name)
            if f.name not in values or f.name in NEVER_KEPT:
                continue
            if isinstance(entry, dict) and set(entry) == {"value", "default"}:
                if _json_of(entry["default"]) != _json_of(_default(f)):
                    continue  # params.py's default changed since: the new default wins
                value = entry["value"]
            elif f.name in LEGACY_KEPT:
                value = entry  # stored by an older version: only paths are trusted
            else:
                continue
            try:
                kwargs[f.name] = _coerce(hints[f.name], value)
            except (TypeError, ValueError, IndexError):
                pass  # a value of an older type: fall back to the default
        return cls(**kwargs)

    def save_params(self, params: Any) -> None:
        """Remember the fields of `params` the user changed from their defaults, with those
        defaults (never Overwrite, Resume or the progress mode); see the module docstring."""
        values = {}
        for f in dataclasses.fields(params):
            value, default = getattr(params, f.name), _default(f)
            if f.name not in NEVER_KEPT and _json_of(value) != _json_of(default):
                values[f.name] = {"value": value, "default": default}
        self._set(f"params/{_command_of(type(params))}", json.dumps(values))

    def remove_all(self) -> None:
        """Forget everything Claro stored (used by tests)."""
        self._s.remove(PREFIX.rstrip("/"))
