"""The Claro dock: training data, training, prediction, change, assessment and the TensorFlow environment.

Why it looks like this: an analyst works top to bottom — pick the image and the labels, name
the classes, train, predict — and never leaves QGIS. Every hyperparameter widget is generated
from the params dataclasses (forms.py), so labels, defaults and help match the command line.
Work runs as ClaroTasks (runner.py) in a child Python; the dock only collects parameters,
shows progress and turns results into styled layers (layers.py).

Each tab is a module of plugin/tabs/ (the Predict tab is plugin/tabs/predict.py); this module
assembles them and holds what they share: the settings, the log, DockWords, the banner, the
folder of exported layers, and the one running job with its Cancel, progress and failure.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Optional

from qgis.core import Qgis, QgsApplication
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QCoreApplication, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QFormLayout, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from . import environment
from .banner import EnvironmentBanner
from .child import log_tail
from .log import ClaroLog
from .runner import ClaroTask
from .settings import Settings
from .tabs.assess import AssessTab
from .tabs.base import Tab
from .tabs.change import ChangeTab
from .tabs.data import DataTab
from .tabs.predict import PredictTab
from .tabs.setup import SetupTab, no_python_sentence
from .tabs.train import PATCHES_WEIGHT, TrainTab
from .words import DockWords

__all__ = ["ClaroDock", "PATCHES_WEIGHT"]


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


class ClaroDock(QgsDockWidget):
    """The dock. Public for tests and the desktop smoke test: the tabs (data_tab, train_tab,
    predict_tab, change_tab, assess_tab, setup_tab), cancel(), the finished signals, and — by their names from before
    the tabs had modules — every tab's widgets and methods (dock.predict_form, dock.start_training())."""

    trainingFinished = pyqtSignal(bool, dict)  # noqa: N815  ok, the train job's 'done' fields
    predictionFinished = pyqtSignal(bool, object)  # noqa: N815  ok, the class layer (or None)

    #: the tabs, in their order in the dock
    TABS: tuple[type[Tab], ...] = (DataTab, TrainTab, PredictTab, ChangeTab, AssessTab, SetupTab)

    def __init__(self, iface: Any = None, parent: Optional[QWidget] = None, settings: Optional[Settings] = None) -> None:
        super().__init__(tr("Claro"), parent)
        self.setObjectName("ClaroDock")
        self.iface = iface
        self.settings = settings or Settings()
        self.log = ClaroLog(iface)
        self.task: Optional[ClaroTask] = None
        self._export_dir: Optional[str] = None
        self.tabs = QTabWidget()
        # Short tab names, so all the tabs show in a new dock (~300 px) without scroll arrows; the
        # tooltips say more. In a narrower dock the names are elided rather than scrolled away.
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.ElideRight)
        self.pages: list[Tab] = []
        for kind in self.TABS:
            tab = kind(self)
            self.pages.append(tab)
            index = self.tabs.addTab(self._scroll(tab), tab.title)
            self.tabs.setTabToolTip(index, tab.tooltip)
        self.data_tab = self._tab(DataTab)
        self.train_tab = self._tab(TrainTab)
        self.predict_tab = self._tab(PredictTab)
        self.change_tab = self._tab(ChangeTab)
        self.assess_tab = self._tab(AssessTab)
        self.setup_tab = self._tab(SetupTab)
        #: backend sentences name command-line options; the dock says where that option is instead
        self.words = DockWords({command: place for tab in self.pages for command, place in tab.places().items()},
                               tr("Advanced"))
        self.tabs.currentChanged.connect(lambda index: self.pages[index].shown())
        self.banner = EnvironmentBanner()  # above every tab while no working Python is selected
        self.banner.createClicked.connect(lambda: (self.show_tab(self.setup_tab), self.setup_tab.create_environment()))
        self.banner.chooseClicked.connect(self.setup_tab.choose_python)
        self.banner.detailsClicked.connect(lambda: self.show_tab(self.setup_tab))
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.banner)
        body_layout.addWidget(self.tabs)
        self.setWidget(body)
        for tab in self.pages:
            tab.restore()
        self._update_running(False)
        self.setup_tab.check_environment()  # in the background; the answer is remembered for the jobs' start

    def __getattr__(self, name: str) -> Any:
        """A tab's widget or method by its name on the dock (dock.predict_form is
        dock.predict_tab.predict_form): the names tests and scripts used before the tabs had
        modules. Only reading: set a tab's attribute on the tab."""
        if not name.startswith("__"):
            for tab in self.__dict__.get("pages", ()):
                try:
                    return getattr(tab, name)
                except AttributeError:
                    continue
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        """Setting a tab's attribute on the dock would leave the tab's own unchanged, silently: refused."""
        pages = self.__dict__.get("pages", ())
        if name not in self.__dict__ and any(hasattr(tab, name) for tab in pages):
            raise AttributeError(f"'{name}' belongs to a tab of the dock: set it there (e.g. dock.train_tab.{name})")
        super().__setattr__(name, value)

    # ================================================================== building
    def _tab(self, kind: type[Tab]) -> Any:
        return next(tab for tab in self.pages if isinstance(tab, kind))

    @staticmethod
    def _scroll(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # forms follow the dock's width
        area.setWidget(widget)
        for form in widget.findChildren(QFormLayout):  # the dock's own forms wrap as ParamsForm's do
            form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        return area

    def show_tab(self, tab: Tab) -> None:
        self.tabs.setCurrentIndex(self.pages.index(tab))

    # ================================================================== shared by the tabs
    def export_folder(self) -> str:
        """Where layers the backend cannot read directly are exported (one folder per dock)."""
        if self._export_dir is None or not Path(self._export_dir).is_dir():
            self._export_dir = tempfile.mkdtemp(prefix="claro-layers-")
        return self._export_dir

    def environment_known(self, info: dict) -> None:
        """The Setup tab's probe of the TensorFlow Python, for every tab."""
        for tab in self.pages:
            tab.environment_known(info)

    def interpreter(self) -> str:
        """The TensorFlow Python for jobs ('' when none is known)."""
        return self.setup_tab.interpreter()

    # ================================================================== the running job
    def check_ready(self) -> Optional[str]:
        """The Python to run a job with, or None (said in the message bar and the banner, whose
        Details button opens the Setup tab) when it lacks TensorFlow or GDAL. The probe is
        remembered: only the first job with an interpreter waits for it."""
        if self.task is not None:
            self.log.warning(tr("A Claro job is already running; wait for it or cancel it."))
            return None
        python = self.interpreter()
        if not python:
            sentence = tr("No Python with TensorFlow was found: create a TensorFlow environment or choose a Python in "
                          "{}.").format(self.setup_tab.place())
            self.banner.show_problem(no_python_sentence())
            self.log.error(sentence)
            return None
        info = environment.checked(python)
        self.setup_tab.show_probe(python, info)
        sentence = environment.problem(info, self.setup_tab.place())
        if sentence:
            self.log.error(sentence)
            return None
        return python

    def start(self, task: ClaroTask) -> None:
        """Run a tab's job (one at a time: every tab's Run button is disabled meanwhile)."""
        self.task = task
        self._update_running(True)
        self.log.log(tr("Started: {}").format(task.description()))
        QgsApplication.taskManager().addTask(task)

    def job_ended(self) -> None:
        self.task = None
        self._update_running(False)

    def _update_running(self, running: bool) -> None:
        for tab in self.pages:
            tab.set_running(running)

    def job_logged(self, message: str) -> None:
        """A job's log line ('train: …'), in the dock's words."""
        command = message.split(":", 1)[0]
        self.log.log(self.words(message, command))

    def job_failed(self, message: str, log_path: str, status: QLabel, signal, payload) -> None:
        """A job failed or was cancelled: say so in the tab's status and the message bar, then `signal`."""
        cancelled = bool(self.task is not None and self.task.was_cancelled)
        message = self.words(message, self.task.command if self.task is not None else "")
        self.job_ended()
        status.setText(message)
        details = tr("Log: {}").format(log_path) + ("\n" + log_tail(log_path, 30) if log_path else "")
        level = Qgis.Warning if cancelled else Qgis.Critical
        self.log.notify(message, level, details)
        signal.emit(False, payload)

    def cancel(self) -> None:
        """Cancel the running job (the child gets SIGTERM, then is killed)."""
        if self.task is not None:
            self.task.cancel()

    # ================================================================== teardown
    def shutdown(self) -> None:
        """Cancel running work (called by the plugin's unload)."""
        for tab in self.pages:
            tab.shutdown()
        try:
            if self.task is not None and self.task.status() not in (self.task.Complete, self.task.Terminated):
                self.task.cancel()
        except RuntimeError:  # already deleted by the task manager
            pass
