"""After a run: copy or export its report, open the backup's folder, restore the backup it made.

Everything here acts on the result panel's summary of the last run (never on an older look at the
file). The result panel hides when another file is opened.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtGui import QGuiApplication

import engine
from sqlmig_gui.about import face_versions
from sqlmig_gui.prompts import ErrorReport
from sqlmig_gui.views.flow import Flow


class AfterRun(Flow):
    LISTENS: ClassVar[dict[str, str]] = {
        "inspecting": "_hide_for_another_file",
        "stateChanged": "update",
        "restoreFinished": "_on_restored",
        "restoreFailed": "_on_restore_failed",
    }

    def _build(self) -> None:
        self.panel = self.window.result_panel
        actions = self.window.window_actions
        self.restore_action = actions.add("&Restore last backup…", "Ctrl+Shift+R",
                                          self.restore_backup, "restoreAction", menu="database")
        self.copy_action = actions.add("Copy &report", "Ctrl+Shift+C", self.copy_report,
                                       "copyReportAction", menu="database")
        self.export_action = actions.add("&Export report…", "Ctrl+Shift+E", self.export_report,
                                         "exportReportAction", menu="database")
        self.panel.exportRequested.connect(self.export_report)
        self.window.opener.reload_action.triggered.connect(self._forget_failed_run)
        self.panel.openFolderRequested.connect(self.open_backup_folder)
        self.panel.restoreRequested.connect(self.restore_backup)
        self.panel.copyRequested.connect(self.copy_report)
        self.panel.summaryShown.connect(self.update)

    def _last_backup(self) -> Path | None:
        summary = self.panel.summary
        return summary.backup if summary is not None else None

    def _hide_for_another_file(self, path: Path) -> None:
        summary = self.panel.summary
        if summary is not None and summary.file != path:
            self.panel.hide()

    def open_backup_folder(self) -> None:
        backup = self._last_backup()
        if backup is not None:
            self.window.prompts.open_folder(backup.parent)

    def _log(self) -> list[str]:
        return self.window.log_view.text().splitlines()

    def copy_report(self) -> None:
        summary = self.panel.summary
        if summary is None:
            return
        QGuiApplication.clipboard().setText(summary.report(face_versions(), self._log()))
        self.window.statusBar().showMessage("Report copied: paste it into the support ticket.")

    def export_report(self) -> None:
        """Write the report as `NAME.json` and `NAME.txt` (the same report, two forms)."""
        w, summary = self.window, self.panel.summary
        if summary is None:
            return
        suggested = summary.file.with_name(f"{summary.file.stem}.sqlmig-report.json")
        chosen = w.prompts.save_report(w, suggested)
        if chosen is None:
            return
        base = chosen.with_suffix("") if chosen.suffix in (".json", ".txt") else chosen
        as_json, as_text = base.with_name(base.name + ".json"), base.with_name(base.name + ".txt")
        versions, log = face_versions(), self._log()
        try:
            as_json.write_text(json.dumps(summary.report_json(versions, log), indent=2,
                                          ensure_ascii=False) + "\n", encoding="utf-8")
            as_text.write_text(summary.report(versions, log), encoding="utf-8")
        except OSError as exc:
            w.prompts.show_error(w, ErrorReport(
                "Export report", f"The report could not be written to {base.parent}: "
                f"{exc.strerror or exc}.", "Pick a folder you can write to."))
            return
        w.log_view.add(f"Report written: {as_json} and {as_text}")
        w.statusBar().showMessage(f"Report written: {as_json.name} and {as_text.name}")

    def _forget_failed_run(self) -> None:
        """A Reload the user asks for shows the file as it is: a failed or cancelled run's panel
        no longer describes it."""
        summary = self.panel.summary
        if summary is not None and not summary.outcome.ok:
            self.panel.clear()

    def restore_backup(self) -> None:
        w = self.window
        backup, path, look = self._last_backup(), w.path, w.controller.look
        if backup is None or path is None or w.controller.is_running():
            return
        current = engine.version_labels(look.inspection)[0] if look is not None else ""
        if not w.prompts.confirm_restore(w, path, backup, current):
            return
        w.log_view.add(f"--- Restore {path} from {backup}")
        w.controller.restore(path, backup)
        w.statusBar().showMessage("Restoring…")

    def _on_restored(self, result: Any) -> None:
        w = self.window
        message = " ".join(engine.restore_lines(result))  # the engine's words, as the CLI's
        w.log_view.add(message)
        w.statusBar().showMessage(message)
        w.prompts.show_info(w, "Backup restored", "\n".join(engine.restore_lines(result)))
        self.panel.clear()  # the last run's panel describes a file that is no longer there
        w.reload()

    def _on_restore_failed(self, report: ErrorReport) -> None:
        self.window.log_view.add(f"Restore failed: {report.message}")
        self.window.prompts.show_error(self.window, report)

    def update(self, *_args: Any) -> None:
        running = self.window.controller.is_running()
        self.restore_action.setEnabled(not running and self._last_backup() is not None)
        self.copy_action.setEnabled(self.panel.summary is not None)
        self.export_action.setEnabled(self.panel.summary is not None)
