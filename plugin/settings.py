"""Claro's remembered choices, as one typed object over QgsSettings (keys under 'claro/').

Why one object: the dock, the environment helper and the Processing algorithms read the same
interpreter and folders, and a typo in a key string should be impossible.
Parameter sets (PatchParams, TrainParams, …) are stored as JSON per sub-command, so a new
field in params.py simply takes its default and a removed field is ignored.
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

    # -- parameter sets -----------------------------------------------------------------------
    def params(self, cls: type[T]) -> T:
        """The remembered values of `cls` (a params dataclass) over its defaults."""
        stored = self._get(f"params/{_command_of(cls)}", "", str)
        try:
            values = json.loads(stored) if stored else {}
        except ValueError:
            values = {}
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):
            if f.name in values:
                try:
                    kwargs[f.name] = _coerce(hints[f.name], values[f.name])
                except (TypeError, ValueError, IndexError):
                    pass  # a value of an older type: fall back to the default
        return cls(**kwargs)

    def save_params(self, params: Any) -> None:
        """Remember `params` (only for the next session's defaults; progress mode is not kept)."""
        values = {f.name: getattr(params, f.name) for f in dataclasses.fields(params) if f.name != "progress"}
        self._set(f"params/{_command_of(type(params))}", json.dumps(values))

    def remove_all(self) -> None:
        """Forget everything Claro stored (used by tests)."""
        self._s.remove(PREFIX.rstrip("/"))
