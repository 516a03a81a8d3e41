"""What every tab of the dock is, and the small widgets the tabs share.

Why a base class: the dock assembles its tabs without knowing them one by one. It asks each
for its title, where its fields are (for DockWords), and tells each when the settings are
restored, a job starts or ends, the environment is known, the tab is shown or the plugin
unloads. A tab overrides only the hooks it needs. Adding a tab: subclass `Tab` in a module
of this folder, set `title` and `tooltip`, build the widgets in `__init__`, and list the class
in `ClaroDock.TABS`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from qgis.gui import QgsCollapsibleGroupBox
from qgis.PyQt.QtWidgets import QPushButton, QVBoxLayout, QWidget

from ..words import Place

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock


class Tab(QWidget):
    """One page of the dock. `dock` holds what the tabs share: the settings, the log, DockWords,
    the running job (one at a time, for every tab) and the banner."""

    #: the tab's name and tooltip, translated (set in the subclass's __init__)
    title = ""
    tooltip = ""

    def __init__(self, dock: "ClaroDock") -> None:
        super().__init__()
        self.dock = dock

    def places(self) -> dict[str, Place]:
        """Job command → where its fields are in this tab (backend sentences name the tab's fields)."""
        return {}

    def restore(self) -> None:
        """Fill the widgets from the saved settings (once, when every tab is built)."""

    def set_running(self, running: bool) -> None:
        """A Claro job started or ended (in any tab): enable Run or Cancel buttons."""

    def shown(self) -> None:
        """The user opened this tab."""

    def environment_known(self, info: dict) -> None:
        """The probe of the TensorFlow Python is known (environment.probe's answer)."""

    def shutdown(self) -> None:
        """The plugin unloads: cancel this tab's own background work."""


def section(title: str) -> tuple[QgsCollapsibleGroupBox, QVBoxLayout]:
    box = QgsCollapsibleGroupBox(title)
    layout = QVBoxLayout(box)
    return box, layout


def button(text: str, tooltip: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setToolTip(tooltip)
    return widget
