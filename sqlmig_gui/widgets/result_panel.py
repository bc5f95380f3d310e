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

BEFORE = "before the run: "  # prefix of the checks made before anything was written


def check_lines(checks: list[tuple[str, bool, str]]) -> list[str]:
    """One line per check; the checks before the run collapse into one line when all passed."""
    before = [c for c in checks if c[0].startswith(BEFORE)]
    lines = []
    if before and all(ok for _n, ok, _m in before):
        names = ", ".join(dict.fromkeys(n.removeprefix(BEFORE) for n, _ok, _m in before))
        lines.append(f"✔ passed — before the run, {len(before)} checks: {names}")
        checks = [c for c in checks if not c[0].startswith(BEFORE)]
    for name, ok, message in checks:
        lines.append(f"{'✔ passed' if ok else '✘ FAILED'} — {name}: {message}")
    return lines


@dataclass
class RunSummary:
    """Everything the panel and the copied report say about one run (built by the window)."""

    file: Path
    ok: bool
    headline: str
    from_label: str
    to_label: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (check, ok, message)
    ledger: dict[str, list[int]] = field(default_factory=dict)
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)
    hint: str = ""
    detail: str = ""
    cancelled: bool = False

    def ledger_line(self) -> str:
        if not self.ledger:
            return "No rows were counted."
        fewer = sorted(t for t, (before, after) in self.ledger.items() if after < before)
        before = sum(b for b, _a in self.ledger.values())
        after = sum(a for _b, a in self.ledger.values())
        line = f"{len(self.ledger)} tables, {before:,} rows before and {after:,} after"
        verdict = [ok for name, ok, _m in self.checks if name == "ledger"]
        if verdict and verdict[-1]:
            moved = f" Rows moved to a new table from: {', '.join(fewer)}." if fewer else ""
            return f"{line}; no table lost rows (ledger check passed).{moved}"
        if fewer:
            return f"{line}; fewer rows in: {', '.join(fewer)} (see the table)."
        return f"{line}."

    def report(self) -> str:
        lines = [
            "sqlmig upgrade report",
            f"Date: {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}",
            f"File: {self.file}",
            f"Result: {self.headline}",
            f"Version: {self.from_label} → {self.to_label}",
            f"Backup: {self.backup or 'none'}",
            "",
            "Checks:",
        ]
        lines += [f"  [{'ok' if ok else 'FAILED'}] {name}: {msg}" for name, ok, msg in self.checks]
        if not self.checks:
            lines.append("  (none ran)")
        lines += ["", f"Rows: {self.ledger_line()}"]
        lines += [f"  {t}: {b} → {a}" for t, (b, a) in sorted(self.ledger.items())]
        if self.notes:
            lines += ["", "Notes:", *(f"  {n}" for n in self.notes)]
        if self.hint:
            lines += ["", f"What to do: {self.hint}"]
        if self.detail:
            lines += ["", "Details:", self.detail]
        return "\n".join(lines) + "\n"


def summarise(
    result: Any, path: Path, from_label: str, checks: list[tuple[str, bool, str]]
) -> RunSummary:
    """What the panel says about an `engine.UpgradeResult` (a sentence first, details after)."""
    target = "—" if result.to_version is None else f"v{result.to_version}"
    backup = Path(result.backup) if result.backup else None
    kept = f"; backup kept at {backup}" if backup else ""
    error = result.error
    if error is None:
        headline = f"Upgraded {path.name}: {from_label} → {target}."
        to_label, hint, detail = target, "", ""
    else:
        unchanged = "unchanged" in error.message
        to_label = from_label if unchanged else target
        if error.code == "cancelled":
            state = (f"the file is unchanged (still {from_label})" if unchanged
                     else error.message.removeprefix("Cancelled: ").rstrip("."))
            headline = f"Cancelled: {state}{kept}."
        else:
            headline = f"Upgrade failed: {error.message}"
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
        ok=error is None,
        headline=headline,
        from_label=from_label,
        to_label=to_label,
        checks=list(checks),
        ledger={k: list(v) for k, v in result.ledger.items()},
        backup=backup,
        notes=list(result.notes),
        hint=hint,
        detail=detail,
        cancelled=error is not None and error.code == "cancelled",
    )


class ResultPanel(QFrame):
    openFolderRequested = Signal()
    restoreRequested = Signal()
    copyRequested = Signal()

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
        self.open_folder_button.clicked.connect(self._open_folder)
        self.restore_button.clicked.connect(self._restore)
        self.copy_button.clicked.connect(self._copy)
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

    def _open_folder(self) -> None:
        self.openFolderRequested.emit()

    def _restore(self) -> None:
        self.restoreRequested.emit()

    def _copy(self) -> None:
        self.copyRequested.emit()

    def _toggle_details(self, on: bool) -> None:
        self.details.setVisible(on)

    def show_summary(self, summary: RunSummary) -> None:
        self.summary = summary
        self.setProperty("ok", "true" if summary.ok else
                         "cancelled" if summary.cancelled else "false")
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
