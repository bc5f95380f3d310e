"""Which sqlmig, Python and SQLite are running: for the About box and every report."""

from __future__ import annotations

import platform
import sqlite3

from engine.core.identity import tool_version


def versions() -> dict[str, str]:
    """The engine's side; a face adds its own (the window: Qt and PySide6)."""
    return {"sqlmig": tool_version(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version}
