"""The History tab's lower half: the drift of the selected applied migration (its diff) and the
audit trail (`sqlmig_log`, oldest first), read by `engine.history` on a worker after each
inspection."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

import engine
from sqlmig_gui.models import AuditModel
from sqlmig_gui.views.history_view import HistoryView
from sqlmig_gui.views.subscriptions import Subscriptions
from sqlmig_gui.views.table_view import InspectionTable

NO_DRIFT = "Select a migration marked \"file changed since applied\" to see what changed."


class AuditTable(InspectionTable):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(AuditModel(), "auditTable", "Audit trail", controller, parent)

    def show_inspected(self, inspected: Any) -> None:
        """Filled when the history arrives (`show_report`), not from the inspection."""

    def show_report(self, report: Any) -> None:
        self.table_model.set_rows(
            (e.at, e.kind, e.version_number, e.name, e.duration_ms, e.tool_version, e.run_by,
             engine.log_line(e)) for e in report.log)


class HistoryTab(QWidget):
    """The applied history (with drift marked), the selected row's diff, the audit trail."""

    def __init__(self, history: HistoryView, controller: Any, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("historyTab")
        self.history = history
        self.controller = controller
        self.diffs: dict[int, str] = {}
        self.diff_view = QPlainTextEdit(self)
        self.diff_view.setObjectName("driftDiff")
        self.diff_view.setAccessibleName("What changed in the selected migration")
        self.diff_view.setReadOnly(True)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setPlainText(NO_DRIFT)
        self.audit = AuditTable(controller, self)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(history)
        split.addWidget(self.diff_view)
        split.addWidget(self.audit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        layout.addWidget(QLabel("Audit trail: every step sqlmig ran on this file, who ran it "
                                "and why (sqlmig_log).", self))
        history.selectionModel().selectionChanged.connect(self._show_selected)
        self.subscriptions = Subscriptions(
            self, (controller.inspected, self._load), (controller.historyLoaded, self._loaded))

    def _load(self, inspected: Any) -> None:
        self.diffs = {}
        self.diff_view.setPlainText(NO_DRIFT)
        self.controller.load_history(inspected.path)

    def _loaded(self, report: Any) -> None:
        self.diffs = {
            d.version: ("\n".join(d.diff) if d.diff else d.sentence()) for d in report.drift
        }
        self.history.table_model.set_drift(set(self.diffs))
        self.audit.show_report(report)
        self._show_selected()

    def _show_selected(self, *_args: Any) -> None:
        rows = self.history.selectionModel().selectedRows()
        if not rows:
            return
        version = self.history.table_model.row(rows[0].row())[0]
        self.diff_view.setPlainText(self.diffs.get(version, NO_DRIFT))
