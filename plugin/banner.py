"""One line above the dock's tabs while Claro has no working Python, with the two ways out.

Why a banner: a new user opens the dock on *Training data*, not on *Environment*; without a
Python that has TensorFlow and GDAL nothing can run, so every tab says so at the top, with
*Create…* (a TensorFlow environment) and *Choose a Python…* next to the sentence, and a
*Details* button that opens the Setup tab. Hidden once a working Python is selected.
"""
from __future__ import annotations

from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal
from qgis.PyQt.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def tr(text: str) -> str:
    return QCoreApplication.translate("Claro", text)


class EnvironmentBanner(QFrame):
    """The sentence and the buttons; the dock decides when it shows (show_problem / clear)."""

    createClicked = pyqtSignal()  # noqa: N815
    chooseClicked = pyqtSignal()  # noqa: N815
    detailsClicked = pyqtSignal()  # noqa: N815

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("ClaroEnvironmentBanner")
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("#ClaroEnvironmentBanner { background: #fff3cd; border: 1px solid #e0c060; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.label = QLabel()
        self.label.setObjectName("ClaroEnvironmentBannerText")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        self.create_button = QPushButton(tr("Create…"))
        self.create_button.setToolTip(tr("Create a TensorFlow environment for Claro (asks before downloading)."))
        self.choose_button = QPushButton(tr("Choose a Python…"))
        self.choose_button.setToolTip(tr("Use a Python you already have with TensorFlow and GDAL."))
        self.details_button = QPushButton(tr("Details"))
        self.details_button.setToolTip(tr("Open the Setup tab."))
        self.create_button.clicked.connect(lambda: self.createClicked.emit())
        self.choose_button.clicked.connect(lambda: self.chooseClicked.emit())
        self.details_button.clicked.connect(lambda: self.detailsClicked.emit())
        for button in (self.create_button, self.choose_button, self.details_button):
            row.addWidget(button)
        row.addStretch()
        layout.addLayout(row)
        self.setVisible(False)

    def show_problem(self, sentence: str) -> None:
        self.label.setText(sentence)
        self.setVisible(True)

    def clear(self) -> None:
        self.label.clear()
        self.setVisible(False)

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""
