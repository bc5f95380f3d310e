"""Compact: give the open file's free pages back to the disk (a table rebuild leaves them).

From the Database menu, or the result panel's Compact button when the run left a good share of
the file free. `engine.compact` keeps a verified backup first and writes the compacted copy back
the way a restore does (safe with the app open)."""

from __future__ import annotations

from typing import Any, ClassVar

import engine
from sqlmig_gui.prompts import ErrorReport
from sqlmig_gui.views.flow import Flow


class CompactFlow(Flow):
    LISTENS: ClassVar[dict[str, str]] = {
        "stateChanged": "update",
        "compactFinished": "_on_compacted",
        "compactFailed": "_on_failed",
    }

    def _build(self) -> None:
        self.compact_action = self.window.window_actions.add(
            "&Compact…", "Ctrl+Shift+K", self.compact, "compactAction", menu="database")
        self.window.result_panel.compactRequested.connect(self.compact)

    def compact(self) -> None:
        w = self.window
        look = w.controller.look
        if look is None or w.controller.is_running():
            return
        summary = w.result_panel.summary
        space = summary.result.space if summary is not None and summary.file == look.path else None
        said = engine.space_line(space) if space is not None else look.path.name
        if not w.prompts.confirm_compact(w, look.path, said):
            w.statusBar().showMessage("Compact not started: nothing was changed.")
            return
        w.log_view.add(f"--- Compact {look.path}")
        w.controller.compact(look.path)
        w.statusBar().showMessage("Compacting…")

    def _on_compacted(self, done: Any) -> None:
        w = self.window
        for line in engine.compact_lines(done):
            w.log_view.add(line)
        w.statusBar().showMessage(engine.compact_lines(done)[0])
        w.result_panel.compact_done()
        w.prompts.show_info(w, "Compacted", "\n".join(engine.compact_lines(done)))
        w.reload()

    def _on_failed(self, report: ErrorReport) -> None:
        self.window.log_view.add(f"Compact failed: {report.message}")
        self.window.prompts.show_error(self.window, report)

    def update(self, *_args: Any) -> None:
        c = self.window.controller
        self.compact_action.setEnabled(c.look is not None and not c.is_running())
