"""Rolling back (`Roll back to…`): the same confirmation and refusal rules as `sqlmig down`.

The user picks a version, confirms what will run (a verified backup first), and the engine rolls
back on a worker. When the engine refuses because data would be dropped, the window names that
data and asks once more; only a second yes runs it with `allow_data_loss`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import engine
from sqlmig_gui.controller import error_report
from sqlmig_gui.views.flow import Flow

DATA_LOSS = "data_loss"


class DownFlow(Flow):
    LISTENS: ClassVar[dict[str, str]] = {
        "stateChanged": "update",
        "downFinished": "_on_down_finished",
    }

    def _build(self) -> None:
        self.down_action = self.window.window_actions.add(
            "Roll &back to…", "Ctrl+Shift+B", self.roll_back, "downAction", menu="database")
        self._asked: tuple[Any, int] | None = None  # (path, target) of the run in progress

    def _current(self) -> int | None:
        look = self.window.controller.look
        if look is None or look.inspection.state != engine.State.TRACKED:
            return None
        version: int | None = look.inspection.current_version
        return version

    def can_roll_back(self) -> bool:
        return self._current() is not None and not self.window.controller.is_running()

    def roll_back(self) -> None:
        w = self.window
        current = self._current()
        look = w.controller.look
        if not self.can_roll_back() or current is None or look is None:
            return
        target = w.prompts.choose_down_target(w, current)
        if target is None or target >= current:
            return
        reverted = ", ".join(f"{v:04d}" for v in range(current, target, -1))
        question = f"Back up {look.path.name} and roll it back from v{current} to " + (
            f"v{target}?" if target >= 0 else "before the first migration?")
        details = (f"The down parts of {reverted} run in one transaction after a verified "
                   "backup; a table or column that holds data is not dropped unless you allow "
                   "it next.")
        if not w.prompts.confirm_down(w, question, details):
            w.statusBar().showMessage("Roll back not started: nothing was changed.")
            return
        self._start(look.path, target, allow_data_loss=False)

    def _start(self, path: Any, target: int, *, allow_data_loss: bool) -> None:
        w = self.window
        self._asked = (path, target)
        w.result_panel.hide()
        w.log_view.add(f"--- Back up and roll back {path} to v{target}")
        w.run_panel.start()
        w.controller.down(path, target, allow_data_loss=allow_data_loss)
        w.statusBar().showMessage("Rolling back…")

    def _on_down_finished(self, result: Any) -> None:
        w = self.window
        w.run_panel.stop()
        w.log_view.flush()
        message = engine.down_outcome(result)  # the Log has it already, from the done event
        w.statusBar().showMessage(message)
        error = result.error
        asked, self._asked = self._asked, None
        if error is not None and error.code == DATA_LOSS and asked is not None:
            question = f"{error.message} Drop it anyway?"
            details = ("The backup made before the roll back keeps everything; rows that cannot "
                       "stay move to <table>_unplaced.")
            if w.prompts.confirm_down(w, question, details):
                self._start(*asked, allow_data_loss=True)
                return
        elif error is not None:
            w.prompts.show_error(w, error_report("Roll back failed", error))
        else:
            w.prompts.show_info(w, "Rolled back", message)
        w.runShown.emit()
        w.reload()

    def update(self, *_args: Any) -> None:
        self.down_action.setEnabled(self.can_roll_back())
