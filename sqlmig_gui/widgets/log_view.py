"""The live log: one line per engine event, bounded so a long run cannot eat memory."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

MAX_LINES = 5000
log = logging.getLogger("sqlmig_gui.log")  # the log file (sqlmig_gui/logfile.py) gets each line


class LogView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logView")
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setAccessibleName("Log")
        self.setPlaceholderText("What sqlmig does is written here.")
        # Lines are buffered and written in one go at most every 100 ms: a burst of hundreds of
        # statement events then costs one append, not hundreds (the GUI thread stays free).
        self._pending: list[str] = []
        self._flusher = QTimer(self)
        self._flusher.setSingleShot(True)
        self._flusher.setInterval(100)
        self._flusher.timeout.connect(self.flush)
        # Follow the newest line unless the user scrolled up to read (then stay where they are).
        self.following = True
        self.verticalScrollBar().actionTriggered.connect(self._user_scrolled)

    def _user_scrolled(self, _action: int) -> None:
        bar = self.verticalScrollBar()
        self.following = bar.sliderPosition() >= bar.maximum()

    def add(self, line: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        self._pending.append(f"{stamp}  {line}")
        log.info("%s", line)
        if not self._flusher.isActive():
            self._flusher.start()

    def flush(self) -> None:
        if self._pending:
            text, self._pending = "\n".join(self._pending), []
            self.appendPlainText(text)
            if self.following:
                bar = self.verticalScrollBar()
                bar.setValue(bar.maximum())

    def text(self) -> str:
        """Everything logged so far (including lines not yet on screen)."""
        self.flush()
        return self.toPlainText()
