"""The header: which file, its SQLite facts, the state badge, current → target, the diagnosis
and the findings (all in the engine's words)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

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


class FileHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.name = _label(self, "fileName")
        font = self.name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.name.setFont(font)
        self.folder = _label(self, "fileFolder")
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
        self.name.setText("No file open")
        self.folder.setText("")
        self.facts.setText("")
        self.versions.setText("")
        self.badge.set_state("none", "No file open")
        self.diagnosis.setText(
            "Open a database file with File > Open (Ctrl+O), drop one on this window, "
            "or pick a recent file."
        )
        self.problems.hide()

    def set_path(self, path: Path) -> None:
        self.name.setText(path.name)
        self.folder.setText(f"Folder: {path.parent}")

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
