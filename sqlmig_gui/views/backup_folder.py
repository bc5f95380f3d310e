"""Where backups go: a folder the user chose (kept in QSettings), or next to the database file."""

from __future__ import annotations

from pathlib import Path

from sqlmig_gui.views.flow import Flow

KEY = "backupFolder"


class BackupFolder(Flow):
    def _build(self) -> None:
        window = self.window
        self.choose_action = window.window_actions.add(
            "Choose &backup folder…", "Ctrl+Shift+B", self.choose, "backupFolderAction",
            menu="settings")
        self.next_to_file_action = window.window_actions.add(
            "Back up &next to the file", "Ctrl+Shift+N", self.next_to_file, "backupNextAction",
            menu="settings")

    def folder(self) -> Path | None:
        """The chosen folder, or None for "next to the database file"."""
        folder = self.window.settings.value(KEY, "", type=str)
        return Path(str(folder)) if folder else None

    def choose(self) -> None:
        shown = self.window.path
        start = self.folder() or (shown.parent if shown is not None else None)
        folder = self.window.prompts.choose_folder(self.window, "Folder for backups", start)
        if folder is not None:
            self.window.settings.setValue(KEY, str(folder))
            self.window.statusBar().showMessage(f"Backups go to {folder}")

    def next_to_file(self) -> None:
        self.window.settings.setValue(KEY, "")
        self.window.statusBar().showMessage("Backups go next to the database file.")
