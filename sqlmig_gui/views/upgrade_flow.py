"""Back up and upgrade: the confirmation, the run on a worker (progress, log, Cancel), the result.

The preflight is the inspection the window shows; the engine refuses, before writing anything, a
file that is no longer what the window showed (`Inspected.expectation`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtWidgets import QPushButton, QStyle

import engine
from sqlmig_gui.prompts import ErrorReport, UpgradeSummary
from sqlmig_gui.resources import icon
from sqlmig_gui.views.flow import Flow
from sqlmig_gui.widgets.result_panel import summarise


class UpgradeFlow(Flow):
    LISTENS: ClassVar[dict[str, str]] = {
        "stateChanged": "update",
        "runEvent": "_on_run_event",
        "runFinished": "_on_run_finished",
        "runCrashed": "_on_run_crashed",
    }

    def _build(self) -> None:
        self._build_actions()
        self._build_button()
        self.window.run_panel.cancelRequested.connect(self.cancel)

    def _build_actions(self) -> None:
        actions = self.window.window_actions
        self.upgrade_action = actions.add(
            "Back up and &upgrade…", "Ctrl+U", self.upgrade, "upgradeAction", menu="database",
            toolbar=True, icon=icon("upgrade"))
        self.cancel_action = actions.add(
            "&Cancel upgrade", "Esc", self.cancel, "cancelAction", menu="database", toolbar=True,
            icon=self.window.style().standardIcon(QStyle.StandardPixmap.SP_BrowserStop))

    def _build_button(self) -> None:
        self.upgrade_button = QPushButton("Back up and upgrade…", self.window)
        self.upgrade_button.setObjectName("upgradeButton")
        self.upgrade_button.setIcon(icon("upgrade"))
        self.upgrade_button.setAccessibleName("Back up and upgrade")
        self.upgrade_button.setToolTip("Back up the file, then upgrade it (Ctrl+U)")
        self.upgrade_button.clicked.connect(self.upgrade)
        self.window.header.actions_row.addWidget(self.upgrade_button)

    def can_upgrade(self) -> bool:
        """The engine's answer for the file shown, while nothing else runs."""
        look = self.window.controller.look
        return (look is not None and look.assessment.can_upgrade
                and not self.window.controller.is_running())

    def upgrade(self) -> None:
        """Confirmation, then the run on a worker thread."""
        look = self.window.controller.look
        if not self.can_upgrade() or look is None:
            return
        w = self.window
        current, target = engine.version_labels(look.inspection)
        folder = w.backup_folder.folder()
        summary = UpgradeSummary(look.path, current, target, len(look.assessment.steps),
                                 folder or look.path.parent)
        if not w.prompts.confirm_upgrade(w, summary):
            w.statusBar().showMessage("Upgrade not started: nothing was changed.")
            return
        w.result_panel.hide()
        w.log_view.add(f"--- Back up and upgrade {look.path}: {current} → {target}")
        w.run_panel.start()
        w.controller.upgrade(look.path, folder, look.expectation)
        w.statusBar().showMessage("Upgrading…")

    def cancel(self) -> None:
        if self.window.controller.is_running():
            self.window.log_view.add("Cancel requested: stopping and rolling back…")
            self.window.run_panel.cancel_button.setEnabled(False)
            self.window.controller.cancel()

    def _on_run_event(self, event: Any) -> None:
        self.window.run_panel.on_event(event)
        line = engine.describe_event(event)
        if line:
            self.window.log_view.add(line)

    def _on_run_finished(self, result: Any) -> None:
        w = self.window
        w.run_panel.stop()
        w.log_view.flush()
        summary = summarise(result)  # from the run's result only: the file may have changed
        w.result_panel.show_summary(summary)
        w.statusBar().showMessage(summary.headline)
        w.log_view.add(summary.headline)
        w.runShown.emit()
        w.reload()  # the header shows the file as it is now (also after a refusal)

    def _on_run_crashed(self, report: ErrorReport) -> None:
        w = self.window
        w.run_panel.stop()
        w.log_view.add(f"{report.message}\n{report.detail}")
        w.prompts.show_error(w, report)
        w.runShown.emit()
        w.reload()

    def update(self, *_args: Any) -> None:
        self.upgrade_action.setEnabled(self.can_upgrade())
        self.upgrade_button.setEnabled(self.can_upgrade())
        self.cancel_action.setEnabled(self.window.controller.is_running())
