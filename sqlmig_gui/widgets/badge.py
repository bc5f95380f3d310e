"""The state badge: colour + icon + the engine's words, e.g. "Legacy v5 — needs upgrade"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

import engine
from sqlmig_gui.resources import icon

MAX_NAME = 48  # characters of a file name the badge shows while inspecting


class StateBadge(QFrame):
    """A coloured pill; the colour comes from the style sheet's `state` property."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stateBadge")
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 10, 4)
        self._icon = QLabel(self)
        self._text = QLabel(self)
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self._icon)
        layout.addWidget(self._text)
        self.state = ""  # the style key
        self.file_state: str | None = None  # the engine's state of the file shown, if any
        self.set_state("none", "No file open")

    def set_state(self, key: str, text: str, file_state: str | None = None) -> None:
        self.state = key
        self.file_state = file_state
        self.setProperty("state", key)
        side = self.fontMetrics().height() + 4  # follows the font, so it scales with DPI
        self._icon.setPixmap(icon(f"state-{key}").pixmap(QSize(side, side)))
        self._text.setText(text)
        self.setAccessibleName(f"File state: {text}")
        self.setToolTip(text)
        self.style().unpolish(self)
        self.style().polish(self)

    def text(self) -> str:
        return self._text.text()

    def set_inspecting(self, name: str) -> None:
        # The header shows the whole name (cut to fit); a long one here would widen the window.
        shown = name if len(name) <= MAX_NAME else f"{name[:MAX_NAME - 16]}…{name[-15:]}"
        self.set_state("busy", f"Inspecting {shown}…")

    def set_assessment(self, assessment: Any) -> None:
        badge = engine.state_badge(assessment)  # the same words as `sqlmig status`
        self.set_state(badge.key, badge.text, file_state=str(assessment.state))
