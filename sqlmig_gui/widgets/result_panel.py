"""The result panel: shown when a run ends, hidden while one runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sqlmig_gui.models import LedgerModel
from sqlmig_gui.widgets.versions import current_label

CHANGED_SINCE_INSPECTION = "changed_since_inspection"  # the engine's refusal of a stale look
MARKS = {"ok": "✔ passed", "warning": "⚠ warning", "failed": "✘ FAILED"}
# The panel's `ok` property (style.qss) for each kind of ending.
TONES = {"upgraded": "true", "failed": "false", "cancelled": "cancelled", "unchanged": "neutral"}


def check_lines(checks: list[Any]) -> list[str]:
    """One line per check (`engine.RunCheck`); the passed checks before the run share one line."""
    before = [c for c in checks if c.phase == "before"]
    passed = [c.name for c in before if c.outcome == "ok"]
    lines = []
    if passed:
        lines.append(f"✔ passed — before the run, {len(passed)} checks: {', '.join(passed)}")
    lines += [f"{MARKS[c.outcome]} — before the run, {c.name}: {c.message}"
              for c in before if c.outcome != "ok"]
    lines += [f"{MARKS[c.outcome]} — {c.name}: {c.message}" for c in checks if c.phase != "before"]
    return lines


def report_check_lines(checks: list[Any]) -> list[str]:
    before = [c for c in checks if c.phase == "before"]
    after = [c for c in checks if c.phase != "before"]
    lines = []
    for title, group in (("Before the run:", before), ("After the migrations:", after)):
        if group:
            lines.append(f"  {title}")
            lines += [f"    [{c.outcome}] {c.name}: {c.message}" for c in group]
    return lines or ["  (none ran)"]


@dataclass
class RunSummary:
    """Everything the panel and the copied report say about one run: all of it from the run's
    own result (`summarise`), never from what the window showed before."""

    file: Path
    kind: str  # upgraded / unchanged (nothing to do, or refused as changed) / cancelled / failed
    headline: str
    from_label: str
    to_label: str
    started_at: datetime
    duration: float = 0.0
    checks: list[Any] = field(default_factory=list)  # engine.RunCheck
    ledger: dict[str, list[int]] = field(default_factory=dict)
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)
    hint: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "upgraded"

    def ledger_line(self) -> str:
        if not self.ledger:
            return "No rows were counted."
        fewer = sorted(t for t, (before, after) in self.ledger.items() if after < before)
        before = sum(b for b, _a in self.ledger.values())
        after = sum(a for _b, a in self.ledger.values())
        line = f"{len(self.ledger)} tables, {before:,} rows before and {after:,} after"
        verdict = [c.outcome == "ok" for c in self.checks if c.name == "ledger"]
        if verdict and verdict[-1]:
            moved = f" Rows moved to a new table from: {', '.join(fewer)}." if fewer else ""
            return f"{line}; no table lost rows (ledger check passed).{moved}"
        if fewer:
            return f"{line}; fewer rows in: {', '.join(fewer)} (see the table)."
        return f"{line}."

    def report(self) -> str:
        lines = [
            "sqlmig upgrade report",
            f"Date: {self.started_at:%Y-%m-%d %H:%M:%S %z} (took {self.duration:.1f} s)",
            f"File: {self.file}",
            f"Result: {self.headline}",
            f"Version: {self.from_label} → {self.to_label}",
            f"Backup: {self.backup or 'none'}",
            "",
            "Checks:",
            *report_check_lines(self.checks),
        ]
        lines += ["", f"Rows: {self.ledger_line()}"]
        lines += [f"  {t}: {b} → {a}" for t, (b, a) in sorted(self.ledger.items())]
        if self.notes:
            lines += ["", "Notes:", *(f"  {n}" for n in self.notes)]
        if self.hint:
            lines += ["", f"What to do: {self.hint}"]
        if self.detail:
            lines += ["", "Details:", self.detail]
        return "\n".join(lines) + "\n"


def summarise(result: Any) -> RunSummary:
    """What the panel says about an `engine.UpgradeResult` (a sentence first, details after).

    Versions, backup, checks and time are the run's own: the file may have changed since the
    window looked at it."""
    path = Path(result.path)
    start = current_label(result.inspection) if result.inspection is not None else "unknown"
    reached = None if result.to_version is None else f"v{result.to_version}"
    backup = Path(result.backup) if result.backup else None
    kept = f"; backup kept at {backup}" if backup else ""
    error = result.error
    hint = detail = ""
    if error is None:
        to_label = reached or start
        if result.applied:
            kind, headline = "upgraded", f"Upgraded {path.name}: {start} → {to_label}."
        else:  # nothing to do, or another program did it while this run waited
            kind = "unchanged"
            headline = result.notes[0] if result.notes else "Nothing to do: no migration ran."
    else:
        # Nothing this run did stayed in the file unless it committed a new version.
        unchanged = reached is None or result.to_version == result.from_version
        to_label = start if unchanged else str(reached)
        if error.code == CHANGED_SINCE_INSPECTION:
            kind, headline = "unchanged", f"Not upgraded: {error.message}"
        elif error.code == "cancelled":
            state = (f"the file is unchanged (still {start})" if unchanged
                     else error.message.removeprefix("Cancelled: ").rstrip("."))
            kind, headline = "cancelled", f"Cancelled: {state}{kept}."
        else:
            kind, headline = "failed", f"Upgrade failed: {error.message}"
            if backup:
                headline += f" The backup is kept at {backup}."
        hint = error.hint
        detail = "\n".join(x for x in (
            f"problem code: {error.code}",
            f"migration file: {error.file}, line {error.line}" if error.file else "",
            error.detail,
        ) if x)
    return RunSummary(
        file=path,
        kind=kind,
        headline=headline,
        from_label=start,
        to_label=to_label,
        started_at=result.started_at,
        duration=result.duration,
        checks=list(result.checks),
        ledger={k: list(v) for k, v in result.ledger.items()},
        backup=backup,
        notes=list(result.notes),
        hint=hint,
        detail=detail,
    )


class ResultPanel(QFrame):
    openFolderRequested = Signal()
    restoreRequested = Signal()
    copyRequested = Signal()
    summaryShown = Signal()  # a new run's summary is on the panel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.setAccessibleName("Result of the last run")
        self.summary: RunSummary | None = None
        self._layout = QVBoxLayout(self)
        self._build_headline()
        row = QHBoxLayout()
        self._left = QVBoxLayout()
        row.addLayout(self._left, 3)
        self._layout.addLayout(row)
        self._build_checks()
        self._build_ledger()
        row.addWidget(self.ledger_view, 2)
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
        self.ledger_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ledger_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.ledger_view.horizontalHeader().setSectionResizeMode(
            LedgerModel.COL_TABLE, QHeaderView.ResizeMode.Stretch
        )
        self.ledger_line.setWordWrap(True)
        rows = self.fontMetrics().height() * 9  # about eight rows; it scrolls beyond
        self.ledger_view.setMaximumHeight(rows)
        self._left.addWidget(self.ledger_line)
        self.backup = QLabel(self)
        self.backup.setObjectName("resultBackup")
        self.backup.setWordWrap(True)
        self.backup.setTextFormat(Qt.TextFormat.PlainText)
        self.backup.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._left.addWidget(self.backup)
        self._left.addStretch(1)

    def _build_buttons(self) -> None:
        row = QHBoxLayout()
        self.open_folder_button = QPushButton("&Open folder", self)
        self.open_folder_button.setObjectName("openFolderButton")
        self.restore_button = QPushButton("&Restore this backup…", self)
        self.restore_button.setObjectName("restoreButton")
        self.copy_button = QPushButton("&Copy report", self)
        self.copy_button.setObjectName("copyReportButton")
        self.details_button = QPushButton("&Details", self)
        self.details_button.setObjectName("detailsButton")
        self.details_button.setCheckable(True)
        self.open_folder_button.clicked.connect(self.openFolderRequested)
        self.restore_button.clicked.connect(self.restoreRequested)
        self.copy_button.clicked.connect(self.copyRequested)
        self.details_button.toggled.connect(self._toggle_details)
        for b in (self.open_folder_button, self.restore_button, self.copy_button,
                  self.details_button):
            row.addWidget(b)
        row.addStretch(1)
        self._left.addLayout(row)

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
        self.setProperty("ok", TONES[summary.kind])
        self.style().unpolish(self)
        self.style().polish(self)
        self.headline.setText(summary.headline)
        self.versions.setText(f"Version: {summary.from_label} → {summary.to_label}")
        self.hint.setText(summary.hint)
        self.hint.setVisible(bool(summary.hint))
        if summary.checks:
            self.checks.setText("\n".join(check_lines(summary.checks)))
        else:
            self.checks.setText("No checks ran: nothing was written.")
        self.ledger_line.setText(f"Rows: {summary.ledger_line()}")
        self.ledger_model.set_ledger(summary.ledger)
        self.ledger_view.setVisible(bool(summary.ledger))
        has_backup = summary.backup is not None
        self.backup.setText(f"Backup: {summary.backup}" if has_backup else "No backup was made.")
        self.open_folder_button.setEnabled(has_backup)
        self.restore_button.setEnabled(has_backup)
        text = "\n\n".join(x for x in (summary.detail, "\n".join(summary.notes)) if x)
        self.details.setPlainText(text)
        self.details_button.setEnabled(bool(text))
        self.details_button.setChecked(False)
        self.show()
        self.summaryShown.emit()
