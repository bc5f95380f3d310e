"""The header: which file, its SQLite facts, the state badge, current → target, the diagnosis
and the findings (all in the engine's words)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QWidget

import engine
from sqlmig_gui.prompts import ErrorReport
from sqlmig_gui.widgets.badge import StateBadge


def _label(parent: QWidget, name: str, *, wrap: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # text from a user's file is never markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    return label


class PathLabel(QLabel):
    """A file name or folder that never widens the window: cut in the middle to the room there
    is, whole in its tooltip and in `text()`, and copied whole by its Copy action."""

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._full = ""
        self._prefix = ""
        copy = QAction("&Copy path", self)
        copy.setObjectName(f"{name}CopyAction")
        copy.triggered.connect(self.copy)
        self.addAction(copy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def set_path_text(self, text: str, *, prefix: str = "", tooltip: str = "") -> None:
        self._full, self._prefix = text, prefix
        self.setToolTip(tooltip or text)
        self._fit()

    def text(self) -> str:  # type: ignore[override]
        return self._prefix + self._full

    def shown_text(self) -> str:
        return super().text()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.toolTip())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = max(self.width() - self.fontMetrics().horizontalAdvance(self._prefix), 40)
        elided = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, room)
        super().setText(self._prefix + elided)


class FileHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.name = PathLabel(self, "fileName")
        font = self.name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.name.setFont(font)
        self.folder = PathLabel(self, "fileFolder")
        self.facts = _label(self, "fileFacts", wrap=True)
        self.badge = StateBadge(self)
        self.versions = _label(self, "versionLabel")
        vfont = self.versions.font()
        vfont.setBold(True)
        self.versions.setFont(vfont)
        self.diagnosis = _label(self, "diagnosisLabel", wrap=True)
        self.diagnosis.setAccessibleName("Diagnosis")
        self.problems = _label(self, "problemsLabel", wrap=True)
        self.problems.setAccessibleName("Findings")
        badge_row = QHBoxLayout()
        badge_row.addWidget(self.badge)
        badge_row.addWidget(self.versions)
        badge_row.addStretch(1)
        self.actions_row = QHBoxLayout()  # the window puts its upgrade button here
        badge_row.addLayout(self.actions_row)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.folder, 1, 0)
        grid.addWidget(self.facts, 2, 0)
        grid.addLayout(badge_row, 3, 0)
        grid.addWidget(self.diagnosis, 4, 0)
        grid.addWidget(self.problems, 5, 0)
        self.clear()

    def clear(self) -> None:
        self.name.set_path_text("No file open")
        self.folder.set_path_text("")
        self.facts.setText("")
        self.versions.setText("")
        self.badge.set_state("none", "No file open")
        self.diagnosis.setText(
            "Open a database file with File > Open (Ctrl+O), drop one on this window, "
            "or pick a recent file."
        )
        self.problems.hide()

    def set_path(self, path: Path) -> None:
        self.name.set_path_text(path.name, tooltip=str(path))
        self.folder.set_path_text(str(path.parent), prefix="Folder: ")

    def set_inspecting(self, path: Path) -> None:
        self.set_path(path)
        self.badge.set_inspecting(path.name)
        self.diagnosis.setText("Reading the file (nothing is written)…")
        self.problems.hide()

    def set_assessment(self, assessment: Any) -> None:
        """Show the engine's assessment in the engine's words (those of `sqlmig status`)."""
        inspection = assessment.inspection
        self.set_path(Path(inspection.path))
        self.facts.setText(engine.file_facts(inspection))
        self.badge.set_assessment(assessment)
        current, target = engine.version_labels(inspection)
        self.versions.setText(f"{current} → {target}")
        self.versions.setAccessibleName(f"Version now {current}, after upgrade {target}")
        self.diagnosis.setText(inspection.diagnosis)
        lines = engine.finding_lines(inspection)
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))

    def set_failed(self, path: Path, report: ErrorReport) -> None:
        self.set_path(path)
        self.facts.setText("")
        self.versions.setText("")
        self.badge.set_state("damaged", "Cannot open")
        self.diagnosis.setText(report.message)
        self.problems.setText(report.hint)
        self.problems.setVisible(bool(report.hint))
