"""What the window runs on: the engine's versions (sqlmig, Python, SQLite) and the face's own
(Qt, PySide6), for the About box and every exported report."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion

import engine


def face_versions() -> dict[str, str]:
    return {"Qt": qVersion(), "PySide6": PySide6.__version__}


def all_versions() -> dict[str, str]:
    return {**engine.versions(), **face_versions()}


def about_text() -> str:
    names = {"python": "Python", "sqlite": "SQLite"}
    lines = [f"{names.get(k, k)} {v}" for k, v in all_versions().items()]
    return ("sqlmig: inspect and safely upgrade SQLite database files.\n\n"
            + "\n".join(lines))
