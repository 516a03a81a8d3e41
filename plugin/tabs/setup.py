"""The Setup tab: the Python with TensorFlow and GDAL that runs the jobs — chosen, found, or
created in the QGIS profile (with Repair and Remove for a half-made one) — and what its probe
found. The dock's banner says the same in one sentence above every tab.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from qgis.core import QgsApplication
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtWidgets import (QCheckBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit,
                                 QProgressBar, QVBoxLayout)

from .. import environment
from ..child import log_tail
from .base import Tab, button

if TYPE_CHECKING:  # the dock imports the tabs
    from ..dock import ClaroDock


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


def no_python_sentence() -> str:
    """The banner's sentence when no Python is found at all."""
    return tr("No Python with TensorFlow and GDAL was found, so Claro cannot train or predict yet.")



class SetupTab(Tab):
    """The TensorFlow Python: the interpreter for every job (interpreter()), its check in the
    background, and creating, repairing or removing the environment in the QGIS profile."""

    def __init__(self, dock: "ClaroDock") -> None:
        super().__init__(dock)
        self.title = tr("Setup")
        self.tooltip = tr("The Python environment with TensorFlow that runs the jobs")
        self.env_task = None
        self.probe_task = None
        self._shut_down = False
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.interpreter_widget = QgsFileWidget()
        self.interpreter_widget.setObjectName("ClaroInterpreter")
        self.interpreter_widget.setStorageMode(QgsFileWidget.GetFile)
        self.interpreter_widget.setToolTip(tr("The Python that runs TensorFlow (any venv or conda environment with "
                                              "TensorFlow 2.21 and GDAL). Empty: found automatically."))
        form.addRow(tr("Python"), self.interpreter_widget)
        layout.addLayout(form)
        self.env_info = QLabel(tr("Not checked yet."))
        self.env_info.setWordWrap(True)
        self.env_info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.env_info)
        row = QHBoxLayout()
        self.check_button = button(tr("Check"), tr("Start this Python and report its TensorFlow version and devices."))
        self.check_button.clicked.connect(lambda: self.check_environment(refresh=True))
        self.create_button = button(tr("Create…"),  # short: it fits beside Check in a new dock
                                    tr("Make a Python environment in the QGIS profile and install TensorFlow "
                                       "into it (a download of several hundred MB)."))
        # clicked(bool) would arrive as confirm=False and skip the question
        self.create_button.clicked.connect(lambda: self.create_environment())
        row.addWidget(self.check_button)
        row.addWidget(self.create_button)
        layout.addLayout(row)
        # optional extras Create… installs too (into an environment Claro made, Create… adds them)
        extras_label = QLabel(tr("Also install (optional):"))
        extras_label.setToolTip(tr("Tick before Create…; for an environment Claro made already, Create… adds them."))
        layout.addWidget(extras_label)
        self.extra_checks: dict[str, QCheckBox] = {}
        for extra, (_requirements, _packages, label, tooltip) in environment.OPTIONAL_EXTRAS.items():
            check = QCheckBox(tr(label))
            check.setObjectName(f"ClaroExtra_{extra}")
            check.setToolTip(tr(tooltip))
            layout.addWidget(check)
            self.extra_checks[extra] = check
        self.env_state = QLabel()  # a half-made environment Claro left: Repair or Remove
        self.env_state.setObjectName("ClaroEnvironmentState")
        self.env_state.setWordWrap(True)
        layout.addWidget(self.env_state)
        row = QHBoxLayout()
        self.repair_button = button(tr("Repair"), tr("Install TensorFlow again into the incomplete environment "
                                                     "(asks before downloading)."))
        self.repair_button.clicked.connect(lambda: self.create_environment(repair=True))
        self.remove_button = button(tr("Remove"), tr("Delete the incomplete environment folder Claro made."))
        self.remove_button.clicked.connect(lambda: self.remove_environment())
        row.addWidget(self.repair_button)
        row.addWidget(self.remove_button)
        row.addStretch()
        layout.addLayout(row)
        note = QLabel(environment.WINDOWS_GPU_NOTE if os.name == "nt" else
                      tr("With an NVIDIA GPU and driver, the environment gets TensorFlow's GPU build."))
        note.setWordWrap(True)
        layout.addWidget(note)
        self.env_progress = QProgressBar()
        self.env_progress.setRange(0, 100)
        self.env_progress.setVisible(False)
        layout.addWidget(self.env_progress)
        self.env_cancel = button(tr("Cancel"), tr("Stop creating the environment; it is left incomplete, "
                                                  "to repair or remove."))
        self.env_cancel.clicked.connect(self.cancel_environment)
        self.env_cancel.setVisible(False)
        layout.addWidget(self.env_cancel)
        self.env_log = QPlainTextEdit()
        self.env_log.setReadOnly(True)
        self.env_log.setMaximumBlockCount(2000)
        self.env_log.setPlaceholderText(tr("Installation log"))
        layout.addWidget(self.env_log)
        self.interpreter_widget.fileChanged.connect(self._interpreter_changed)
        self._env_checked = False
        self._show_environment_state()

    def restore(self) -> None:
        self.interpreter_widget.blockSignals(True)
        self.interpreter_widget.setFilePath(self.dock.settings.interpreter)
        self.interpreter_widget.blockSignals(False)

    def shown(self) -> None:
        if not self._env_checked:
            self.check_environment()

    def shutdown(self) -> None:
        self._shut_down = True
        for task in (self.env_task, self.probe_task):
            try:
                if task is not None and task.status() not in (task.Complete, task.Terminated):
                    task.cancel()
            except RuntimeError:  # already deleted by the task manager
                pass

    def interpreter(self) -> str:
        """The TensorFlow Python for jobs ('' when none is known)."""
        chosen = self.interpreter_widget.filePath().strip() or self.dock.settings.interpreter
        found = environment.find_interpreter(chosen)
        return str(found) if found else ""

    def _interpreter_changed(self, path: str) -> None:
        self.dock.settings.interpreter = path.strip()
        self.check_environment()

    def choose_python(self) -> None:
        """The banner's *Choose a Python…*: pick a program, then check it (Setup tab)."""
        self.dock.show_tab(self)
        path, _filter = QFileDialog.getOpenFileName(self.dock, tr("Choose the Python with TensorFlow"),
                                                    self.interpreter_widget.filePath() or str(Path.home()))
        if path:
            self.interpreter_widget.setFilePath(path)  # fileChanged: remembered and checked

    def check_environment(self, refresh: bool = False) -> None:
        """Show what the interpreter has: the remembered probe, else a probe in the background
        (`refresh`, the Check button: always a new probe)."""
        python = self.interpreter()
        self._env_checked = True
        self._show_environment_state()
        if not python:
            self.env_info.setText(tr("No Python with TensorFlow was found. Click 'Create…' "
                                     "or choose an existing Python."))
            self.dock.banner.show_problem(no_python_sentence())
            return
        info = None if refresh else environment.cached(python)
        if info is not None:
            self.show_probe(python, info)
            return
        self.env_info.setText(tr("Checking {}…").format(python))
        task = environment.ProbeTask(python, refresh=refresh)
        task.probed.connect(lambda info: self._probed(python, info))
        self.probe_task = task
        QgsApplication.taskManager().addTask(task)

    def _probed(self, python: str, info: dict) -> None:
        if not self._shut_down and python == self.interpreter():  # not an answer about a Python no longer chosen
            self.show_probe(python, info)

    def show_probe(self, python: str, info: dict) -> None:
        """The probe in the Setup tab; the banner says why jobs cannot start, or hides."""
        self.env_info.setText(f"{python}\n{environment.describe(info)}")
        self.dock.environment_known(info)
        sentence = environment.summary(info)
        if sentence:
            self.dock.banner.show_problem(sentence)
        else:
            self.dock.banner.clear()

    def place(self) -> str:
        """Where the user fixes the environment, named by the tab's own title."""
        return tr("Claro's {} tab").format(self.title)

    def _show_environment_state(self) -> None:
        """A half-made environment in the profile: say so, and offer Repair (and Remove, if Claro made it)."""
        venv = environment.profile_venv()
        creating = self.env_task is not None
        incomplete = environment.environment_state(venv) == "incomplete" and not creating
        self.env_state.setText(tr("The environment in {} is incomplete (its installation did not finish), so it is not "
                                  "used: repair or remove it.").format(venv) if incomplete else "")
        self.env_state.setVisible(incomplete)
        self.repair_button.setVisible(incomplete)
        self.remove_button.setVisible(incomplete and environment.made_by_claro(venv))
        self.create_button.setEnabled(not creating and not incomplete)
        self.env_cancel.setVisible(creating)

    def create_environment(self, confirm: bool = True, repair: bool = False) -> None:
        """Create the venv under the QGIS profile and install TensorFlow (`repair`: again, into a
        half-made one): only on the user's click, after a Yes."""
        if self.env_task is not None:
            return
        venv = environment.profile_venv()
        repair = repair or environment.environment_state(venv) == "incomplete"  # never build over a half-made one
        gpu = environment.has_nvidia_gpu()
        extras = self.chosen_extras()
        requirement = ", ".join([environment.tensorflow_requirement(gpu), *environment.extra_requirements(extras)])
        if confirm:
            text = (tr("Install {} again into the environment in\n{}? This downloads several hundred MB and takes a few "
                       "minutes.") if repair else
                    tr("Create a Python environment in\n{1}\nand install {0} into it? This downloads several hundred MB "
                       "and takes a few minutes.")).format(requirement, venv)
            if os.name == "nt":
                text += "\n\n" + environment.WINDOWS_GPU_NOTE
            if QMessageBox.question(self.dock, tr("Claro"), text) != QMessageBox.Yes:
                return
        log_path = str(Path(tempfile.gettempdir()) / "claro-environment.log")
        self.env_log.clear()
        self.env_progress.setVisible(True)
        self.env_progress.setValue(0)
        task = environment.CreateEnvironmentTask(venv, gpu, log_path, repair=repair, extras=extras)
        task.logged.connect(self.env_log.appendPlainText)
        task.progressChanged.connect(lambda value: self.env_progress.setValue(int(value)))
        task.created.connect(self._environment_created)
        task.failed.connect(lambda message: self._environment_failed(task, message, log_path))
        self.env_task = task
        self._show_environment_state()
        QgsApplication.taskManager().addTask(task)

    def chosen_extras(self) -> list[str]:
        """The optional extras ticked (environment.OPTIONAL_EXTRAS ids), installed with TensorFlow."""
        return [extra for extra, check in self.extra_checks.items() if check.isChecked()]

    def cancel_environment(self) -> None:
        """Cancel while creating: the pip process is killed, the environment left incomplete."""
        if self.env_task is not None:
            self.env_task.cancel()

    def _environment_failed(self, task, message: str, log_path: str) -> None:
        self.env_task = None
        self.env_progress.setVisible(False)
        self._show_environment_state()
        if task.cancelled:
            self.dock.log.warning(message)
        else:
            self.dock.log.error(message, log_tail(log_path, 30))

    def _environment_created(self, python: str) -> None:
        self.env_task = None
        self.env_progress.setVisible(False)
        self.dock.settings.interpreter = ""  # the profile venv is found automatically
        self.interpreter_widget.blockSignals(True)
        self.interpreter_widget.setFilePath("")
        self.interpreter_widget.blockSignals(False)
        self.dock.log.success(tr("TensorFlow environment ready: {}").format(python))
        self.check_environment(refresh=True)

    def remove_environment(self) -> None:
        """Remove: delete the incomplete environment folder Claro made (asks first)."""
        venv = environment.profile_venv()
        question = tr("Delete the incomplete environment in\n{}?").format(venv)
        if QMessageBox.question(self.dock, tr("Claro"), question) != QMessageBox.Yes:
            return
        try:
            environment.remove_environment(venv)
        except (RuntimeError, OSError) as error:
            self.dock.log.error(str(error))
        environment.forget(environment.venv_python(venv))
        self.check_environment()

