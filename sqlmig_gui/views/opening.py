"""Opening a file: the Open dialog, recent files (Ctrl+1…9, kept in QSettings), Reload, drops.

Opening never writes: it asks the controller to inspect the file on a worker thread. While an
upgrade or a restore runs, nothing else is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStyle

from sqlmig_gui.views.flow import Flow

MAX_RECENT = 9
RECENT_CHARS = 60  # how wide a recent file's entry may be, in average characters


class FileOpener(Flow):
    LISTENS: ClassVar[dict[str, str]] = {
        "inspected": "_remember_inspected",
        "stateChanged": "update",
    }
    path: Path | None = None  # the file shown (or being read)

    def _build(self) -> None:
        actions, style = self.window.window_actions, self.window.style()
        self.open_action = actions.add(
            "&Open…", "Ctrl+O", self.open_dialog, "openAction", menu="file", toolbar=True,
            icon=style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.recent_menu = actions.submenu("file", "Open &recent")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_actions: list[QAction] = [
            actions.add("", f"Ctrl+{n}", self._open_recent, f"recentAction{n}",
                        menu=self.recent_menu)
            for n in range(1, MAX_RECENT + 1)
        ]
        self.reload_action = actions.add(
            "&Reload", "F5", self.reload, "reloadAction", menu="file", toolbar=True,
            icon=style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self._refresh_recent()

    # -- opening ---------------------------------------------------------------------------------

    def open_file(self, path: str | Path) -> None:
        """Inspect `path` on a worker thread (read-only). Ignored while an upgrade runs."""
        if self.window.controller.is_running():
            self.window.statusBar().showMessage(
                "Wait for the upgrade to end before opening another file.")
            return
        self.path = Path(path).expanduser().absolute()
        self.window.setWindowTitle(f"sqlmig — {self.path.name}")
        self.window.setWindowFilePath(str(self.path))
        self.window.controller.inspect(self.path)

    def open_dialog(self) -> None:
        start = self.path.parent if self.path else None
        chosen = self.window.prompts.open_file(self.window, start)
        if chosen is not None:
            self.open_file(chosen)

    def reload(self) -> None:
        if self.path is not None:
            self.open_file(self.path)

    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and action.data():
            self.open_file(str(action.data()))

    # -- drag and drop ---------------------------------------------------------------------------

    def accepts(self, mime: QMimeData) -> bool:
        return (any(u.isLocalFile() for u in mime.urls())
                and not self.window.controller.is_running())

    def drop(self, mime: QMimeData) -> bool:
        """Open one dropped file; several files or a folder go to the batch. False when nothing
        dropped is a file."""
        files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if not files:
            return False
        if len(files) > 1 or Path(files[0]).is_dir():
            self.window.open_many([Path(f) for f in files])
            return True
        self.open_file(files[0])
        return True

    # -- recent files ----------------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """The recent files that still exist (a deleted one is dropped from the list)."""
        value = self.window.settings.value("recentFiles", [], type=list)
        items = value if isinstance(value, list) else []
        return [str(v) for v in items if v and Path(str(v)).exists()][:MAX_RECENT]

    def _remember_inspected(self, inspected: Any) -> None:
        text = str(inspected.path)
        recent = [text, *[p for p in self.recent_files() if p != text]][:MAX_RECENT]
        self.window.settings.setValue("recentFiles", recent)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        recent = self.recent_files()
        for n, action in enumerate(self.recent_actions):
            shown = n < len(recent)
            text = self._elided(recent[n]) if shown else ""
            action.setText(f"&{n + 1} {text}" if shown else "")
            action.setToolTip(recent[n] if shown else "")
            action.setData(recent[n] if shown else None)
            action.setVisible(shown)
        self.recent_menu.setEnabled(bool(recent))

    def _elided(self, path: str) -> str:
        """A long path cut in the middle (the menu stays narrow; the tooltip has it whole)."""
        metrics = self.window.fontMetrics()
        room = metrics.averageCharWidth() * RECENT_CHARS
        return metrics.elidedText(path.replace("&", "&&"), Qt.TextElideMode.ElideMiddle, room)

    def update(self, *_args: Any) -> None:
        running = self.window.controller.is_running()
        self.open_action.setEnabled(not running)
        self.reload_action.setEnabled(not running and self.path is not None)
        for action in self.recent_actions:
            action.setEnabled(not running)
