"""Icons and the style sheet from the `sqlmig_resources` package (read with importlib.resources)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon


@cache
def icon(name: str) -> QIcon:
    """`icon("state-ok")`: an SVG from resources/icons (an empty icon if it is missing)."""
    path = resources.files("sqlmig_resources") / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def style_sheet() -> str:
    path = resources.files("sqlmig_resources") / "style.qss"
    return path.read_text(encoding="utf-8") if path.is_file() else ""
