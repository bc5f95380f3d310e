"""The state badge: colour + icon + words, e.g. "Legacy v5 — needs upgrade"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from sqlmig_gui.resources import icon

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


def badge_for(inspection: Any) -> tuple[str, str]:
    """(style key, text) for an `engine.Inspection`."""
    state = inspection.state
    pending = len(inspection.pending)
    if state == "legacy":
        legacy = inspection.legacy
        claimed = legacy.claimed_version if legacy is not None else inspection.user_version
        return "legacy", f"Legacy v{claimed or 0} — needs upgrade"
    if state == "tracked":
        if pending:
            return "pending", (
                f"Tracked v{inspection.current_version} — "
                f"{_plural(pending, 'migration')} pending"
            )
        return "ok", f"Up to date (v{inspection.current_version})"
    if state == "fresh":
        return "fresh", f"Empty file — {_plural(pending, 'migration')} to create the schema"
    if state == "ahead":
        versions = [a.version for a in inspection.applied]
        newest = max([*versions, inspection.user_version or 0])
        return "ahead", f"Newer than this tool (v{newest})"
    if state == "foreign":  # the diagnosis names the app (or says the folder has none)
        return "foreign", inspection.diagnosis.partition(":")[0]
    if state == "interrupted":
        return "interrupted", "Interrupted — needs recovery"
    if state == "damaged":
        code = inspection.problems[0].code if inspection.problems else ""
        return "damaged", f"Damaged: {DAMAGE_WORDS.get(code, 'the file cannot be read')}"
    return "none", state


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
        self.state = ""
        self.set_state("none", "No file open")

    def set_state(self, key: str, text: str) -> None:
        self.state = key
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

    def set_inspection(self, inspection: Any) -> None:
        self.set_state(*badge_for(inspection))
