"""Help: the About box (the versions a bug report needs) and the folder of the log file."""

from __future__ import annotations

from sqlmig_gui.about import about_text
from sqlmig_gui.logfile import log_folder
from sqlmig_gui.views.flow import Flow


class HelpFlow(Flow):
    def _build(self) -> None:
        actions = self.window.window_actions
        self.log_folder_action = actions.add("Open &log folder", "Ctrl+Shift+L",
                                             self.open_log_folder, "openLogFolderAction",
                                             menu="help")
        self.about_action = actions.add("&About sqlmig", "F1", self.about, "aboutAction",
                                        menu="help")

    def about(self) -> None:
        self.window.prompts.show_about(self.window, about_text())

    def open_log_folder(self) -> None:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        self.window.prompts.open_folder(folder)
