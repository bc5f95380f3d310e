"""Recovering an interrupted file (SPEC §7.22): offered only for the `interrupted` state.

The engine opens the file for writing on a worker, which makes SQLite roll back the write that was
cut off (every committed change stays); the window then inspects the file again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtWidgets import QPushButton

import engine
from sqlmig_gui.prompts import ErrorReport
from sqlmig_gui.views.flow import Flow


class RecoverFlow(Flow):
    LISTENS: ClassVar[dict[str, str]] = {
        "stateChanged": "update",
        "recoverFinished": "_on_recovered",
        "recoverFailed": "_on_recover_failed",
    }

    def _build(self) -> None:
        window = self.window
        self.recover_action = window.window_actions.add(
            "Re&cover interrupted write", "Ctrl+Shift+V", self.recover, "recoverAction",
            menu="database")
        self.recover_button = QPushButton("Recover", window)
        self.recover_button.setObjectName("recoverButton")
        self.recover_button.setAccessibleName("Recover the interrupted write")
        self.recover_button.setToolTip(
            "Open the file for writing so SQLite rolls back the write that was cut off "
            "(every committed change stays)"
        )
        self.recover_button.clicked.connect(self.recover)
        window.header.actions_row.addWidget(self.recover_button)

    def _state(self) -> str | None:
        look = self.window.controller.look
        return look.assessment.state if look is not None else None

    def can_recover(self) -> bool:
        return self._state() == engine.State.INTERRUPTED and not self.window.controller.is_running()

    def recover(self) -> None:
        """Roll back the cut-off write on a worker thread, then inspect the file again."""
        path = self.window.path
        if not self.can_recover() or path is None:
            return
        self.window.log_view.add(f"--- Recover {path}: roll back the write that was cut off")
        self.window.statusBar().showMessage("Recovering…")
        self.window.controller.recover(path)

    def _on_recovered(self, result: Any) -> None:
        w = self.window
        w.log_view.add(result.message)
        w.statusBar().showMessage(result.message)
        w.prompts.show_info(w, "File recovered", result.message)
        w.recoverShown.emit()
        w.reload()

    def _on_recover_failed(self, report: ErrorReport) -> None:
        w = self.window
        w.log_view.add(f"Recovery failed: {report.message}")
        w.statusBar().showMessage(report.message)
        w.prompts.show_error(w, report)
        w.recoverShown.emit()

    def update(self, *_args: Any) -> None:
        self.recover_action.setEnabled(self.can_recover())
        self.recover_button.setEnabled(self.can_recover())
        self.recover_button.setVisible(self._state() == engine.State.INTERRUPTED)
