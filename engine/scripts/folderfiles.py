"""The files of a migrations folder: which are read, and their text for deciding a convention."""

from __future__ import annotations

import os
from pathlib import Path


def peek_text(path: Path) -> str:
    """A file's text for deciding the convention (an unreadable file is reported later)."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def sql_files(folder: Path) -> list[Path]:
    """``*.sql`` files directly in ``folder``, by name; hidden files and folders are skipped."""
    with os.scandir(folder) as entries:
        return sorted(
            Path(e.path)
            for e in entries
            if not e.name.startswith(".") and e.name.lower().endswith(".sql") and e.is_file()
        )
