"""The state badge: colour + icon + words, e.g. "Legacy v5 — needs upgrade"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from sqlmig_gui.resources import icon
from sqlmig_gui.widgets.versions import ahead_version, legacy_claim

# Short words for why a file is damaged (problem codes of SPEC §7.7).
DAMAGE_WORDS = {
    "not_sqlite": "not a SQLite database",
    "corrupt": "the file is corrupt",
    "read_only": "the file cannot be read",
    "locked": "the file is locked",
    "missing": "the file is missing",
    "is_directory": "this is a folder",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def badge_for(assessment: Any) -> tuple[str, str]:
    """(style key, text) for an engine assessment: its state, and whether it can be upgraded."""
    inspection, state = assessment.inspection, assessment.state
    pending = len(inspection.pending)
    if state == "legacy":
        return "legacy", f"Legacy v{legacy_claim(inspection)} — needs upgrade"
    if state == "tracked":
        current = inspection.current_version
        if assessment.can_upgrade and pending:
            return "pending", f"Tracked v{current} — {_plural(pending, 'migration')} pending"
        if assessment.can_upgrade:
            return "pending", f"Tracked v{current} — needs repair"
        if assessment.refusal is not None:
            return "damaged", f"Tracked v{current} — cannot be upgraded"
        return "ok", f"Up to date (v{current})"
    if state == "fresh":
        return "fresh", f"Empty file — {_plural(pending, 'migration')} to create the schema"
    if state == "ahead":
        return "ahead", f"Newer than this tool (v{ahead_version(inspection)})"
    if state == "foreign":
        return "foreign", f"Not made by {assessment.app_name or 'these migrations'}"
    if state == "interrupted":
        return "interrupted", "Interrupted — needs recovery"
    if state == "damaged":
        code = inspection.problems[0].code if inspection.problems else ""
        return "damaged", f"Damaged: {DAMAGE_WORDS.get(code, 'the file cannot be read')}"
    return "none", str(state)


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
        self.set_state("busy", f"Inspecting {name}…")

    def set_assessment(self, assessment: Any) -> None:
        self.set_state(*badge_for(assessment), file_state=str(assessment.state))
