"""One way to tell the user something: a sentence in the message bar, details in the log panel.

Why one helper: every part of the plugin (dock, tasks, environment) reports the same way, the
details always land under the "Claro" tab of the Log Messages panel, and code that runs
without a main window (Processing, tests) still logs.
"""
from __future__ import annotations

from typing import Any, Optional

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt.QtCore import QCoreApplication

TAG = "Claro"
#: seconds a message stays in the bar (errors stay until closed)
DURATION = {Qgis.Info: 6, Qgis.Success: 8, Qgis.Warning: 12, Qgis.Critical: 0}


def tr(text: str) -> str:
    """Translate a user-facing string in Claro's one translation context."""
    return QCoreApplication.translate("Claro", text)


class ClaroLog:
    """Message bar + log panel. `iface` may be None (Processing, headless): then log panel only."""

    def __init__(self, iface: Optional[Any] = None) -> None:
        self.iface = iface

    def log(self, message: str, level: int = Qgis.Info) -> None:
        """Only the log panel's "Claro" tab (progress details, child process output)."""
        QgsMessageLog.logMessage(message, TAG, level)

    def notify(self, message: str, level: int = Qgis.Info, details: str = "") -> None:
        """A sentence in the message bar; the sentence and any details in the log panel."""
        self.log(message + (f"\n{details}" if details else ""), level)
        bar = self.iface.messageBar() if self.iface is not None else None
        if bar is not None:
            bar.pushMessage(TAG, message, level, DURATION.get(level, 8))

    def info(self, message: str, details: str = "") -> None:
        self.notify(message, Qgis.Info, details)

    def success(self, message: str, details: str = "") -> None:
        self.notify(message, Qgis.Success, details)

    def warning(self, message: str, details: str = "") -> None:
        self.notify(message, Qgis.Warning, details)

    def error(self, message: str, details: str = "") -> None:
        self.notify(message, Qgis.Critical, details)
