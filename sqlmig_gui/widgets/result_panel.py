"""The result panel: shown when a run ends, hidden while one runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import engine
from sqlmig_gui.models import LedgerModel

# The panel's `ok` property (style.qss) for each kind of ending (`engine.RunKind`).
TONES = {"upgraded": "true", "failed": "false", "cancelled": "cancelled", "unchanged": "neutral"}


@dataclass(frozen=True)
class RunSummary:
    """One finished run as the panel shows it: the engine's result and its words for it
    (`engine.run_outcome`), never what the window showed before (the file may have changed)."""

    result: Any  # engine.UpgradeResult
    outcome: Any  # engine.RunOutcome

    @property
    def headline(self) -> str:
        return str(self.outcome.headline)

    @property
    def file(self) -> Path:
        return Path(self.result.path)

    @property
    def backup(self) -> Path | None:
        return Path(self.result.backup) if self.result.backup else None

    def report(self, versions: dict[str, str] | None = None, log: list[str] | None = None) -> str:
        """The plain-text report for a support ticket (`engine.run_report`)."""
        return str(engine.run_report(self.result, versions=versions, log=log or []))

    def report_json(
        self, versions: dict[str, str] | None = None, log: list[str] | None = None
    ) -> dict[str, Any]:
        """The same report as JSON (`engine.run_report_json`)."""
        return dict(engine.run_report_json(self.result, versions=versions, log=log or []))


def summarise(result: Any) -> RunSummary:
    return RunSummary(result, engine.run_outcome(result))


class ResultPanel(QFrame):
    openFolderRequested = Signal()
    restoreRequested = Signal()
    copyRequested = Signal()
    exportRequested = Signal()
    compactRequested = Signal()
    summaryShown = Signal()  # a new run's summary is on the panel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.setAccessibleName("Result of the last run")
        self.summary: RunSummary | None = None
        # The content scrolls inside the frame: in a small window (800 x 600) the panel shrinks
        # (the splitter above the tabs) without squeezing its lines over each other.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        self.scroller = QScrollArea(self)
        self.scroller.setObjectName("resultScroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(self.scroller)
        content.setObjectName("resultContent")
        self.scroller.setWidget(content)
        self.scroller.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)
        outer.addWidget(self.scroller)
        self._layout = QVBoxLayout(content)
        self._build_headline()
        row = QHBoxLayout()
        self._left = QVBoxLayout()
        row.addLayout(self._left, 3)
        self._layout.addLayout(row)
        self._build_checks()
        self._build_ledger()
        row.addWidget(self.ledger_view, 2, Qt.AlignmentFlag.AlignTop)
        self._build_buttons()
        self._build_details()
        self.hide()

    def _build_headline(self) -> None:
        self.headline = QLabel(self)
        self.headline.setObjectName("resultHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.headline.setFont(font)
        self.versions = QLabel(self)
        self.versions.setTextFormat(Qt.TextFormat.PlainText)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        for w in (self.headline, self.versions, self.hint):
            self._layout.addWidget(w)

    def _build_checks(self) -> None:
        self.checks = QLabel(self)
        self.checks.setObjectName("resultChecks")
        self.checks.setTextFormat(Qt.TextFormat.PlainText)
        self.checks.setWordWrap(True)
        self._left.addWidget(self.checks)

    def _build_ledger(self) -> None:
        self.ledger_line = QLabel(self)
        self.ledger_line.setTextFormat(Qt.TextFormat.PlainText)
        self.ledger_model = LedgerModel(self)
        self.ledger_view = QTableView(self)
        self.ledger_view.setObjectName("ledgerTable")
        self.ledger_view.setAccessibleName("Rows per table before and after")
        self.ledger_view.setModel(self.ledger_model)
        self.ledger_view.verticalHeader().hide()
        self.ledger_view.setTabKeyNavigation(False)
        self.ledger_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ledger_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.ledger_line.setWordWrap(True)
        # Compact rows, about eight of them in sight (it scrolls beyond), whatever the DPI.
        row_height = self.fontMetrics().height() + 8
        self.ledger_view.verticalHeader().setDefaultSectionSize(row_height)
        self.ledger_view.setMinimumHeight(row_height * 9)
        self.ledger_view.setMaximumHeight(row_height * 13)
        self._left.addWidget(self.ledger_line)
        self.backup = QLabel(self)
        self.backup.setObjectName("resultBackup")
        self.backup.setWordWrap(True)
        self.backup.setTextFormat(Qt.TextFormat.PlainText)
        self.backup.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._left.addWidget(self.backup)
        self.space = QLabel(self)
        self.space.setObjectName("resultSpace")
        self.space.setWordWrap(True)
        self.space.setTextFormat(Qt.TextFormat.PlainText)
        self._left.addWidget(self.space)
        self._left.addStretch(1)

    def _build_buttons(self) -> None:
        row = QHBoxLayout()
        self.open_folder_button = QPushButton("&Open folder", self)
        self.open_folder_button.setObjectName("openFolderButton")
        self.restore_button = QPushButton("&Restore this backup…", self)
        self.restore_button.setObjectName("restoreButton")
        self.copy_button = QPushButton("&Copy report", self)
        self.copy_button.setObjectName("copyReportButton")
        self.export_button = QPushButton("&Export report…", self)
        self.export_button.setObjectName("exportReportButton")
        self.compact_button = QPushButton("Co&mpact…", self)
        self.compact_button.setObjectName("compactButton")
        self.export_button.clicked.connect(self.exportRequested)
        self.compact_button.clicked.connect(self.compactRequested)
        self.details_button = QPushButton("&Details", self)
        self.details_button.setObjectName("detailsButton")
        self.details_button.setCheckable(True)
        self.open_folder_button.clicked.connect(self.openFolderRequested)
        self.restore_button.clicked.connect(self.restoreRequested)
        self.copy_button.clicked.connect(self.copyRequested)
        self.details_button.toggled.connect(self._toggle_details)
        for b in (self.open_folder_button, self.restore_button, self.copy_button,
                  self.export_button, self.compact_button, self.details_button):
            row.addWidget(b)
        row.addStretch(1)
        self._layout.addLayout(row)  # full width: the buttons never push the ledger out

    def _build_details(self) -> None:
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("resultDetails")
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Technical details")
        self.details.hide()
        self._layout.addWidget(self.details)

    def _toggle_details(self, on: bool) -> None:
        self.details.setVisible(on)

    def show_summary(self, summary: RunSummary) -> None:
        self.summary = summary
        outcome, result = summary.outcome, summary.result
        self.setProperty("ok", TONES[str(outcome.kind)])
        self.style().unpolish(self)
        self.style().polish(self)
        self.headline.setText(outcome.headline)
        self.versions.setText(f"Version: {outcome.from_label} → {outcome.to_label}")
        self.hint.setText(outcome.hint)
        self.hint.setVisible(bool(outcome.hint))
        self.checks.setText("\n".join(outcome.check_lines)
                            or "No checks ran: nothing was written.")
        self.ledger_line.setText(f"Rows: {outcome.ledger_line}")
        self.ledger_model.set_ledger(result.ledger)
        self._fit_ledger_width()
        self.ledger_view.setVisible(bool(result.ledger))
        has_backup = summary.backup is not None
        self.backup.setText(f"Backup: {summary.backup}" if has_backup else "No backup was made.")
        self.open_folder_button.setEnabled(has_backup)
        self.restore_button.setEnabled(has_backup)
        space = result.space
        self.space.setText("" if space is None else f"File now: {engine.space_line(space)}")
        self.space.setVisible(space is not None)
        self.compact_button.setVisible(space is not None and engine.worth_compacting(space))
        text = "\n\n".join(x for x in (outcome.detail, "\n".join(result.notes)) if x)
        self.details.setPlainText(text)
        self.details_button.setEnabled(bool(text))
        self.details_button.setChecked(False)
        self.show()
        self.summaryShown.emit()

    def _fit_ledger_width(self) -> None:
        """Wide enough for the longest table name and the numbers (never "agent_…")."""
        view = self.ledger_view
        view.resizeColumnsToContents()
        width = view.horizontalHeader().length() + 2 * view.frameWidth()
        view.setMinimumWidth(width + view.verticalScrollBar().sizeHint().width() + 2)

    def compact_done(self) -> None:
        """The file was compacted: its free space is no longer what this run left."""
        self.compact_button.hide()
        self.space.hide()

    def clear(self) -> None:
        """Forget the run shown (the file changed since: a restore, another file): hidden, and
        Copy report has nothing stale to copy."""
        self.summary = None
        self.hide()
        self.summaryShown.emit()
