"""The GUI's shape: small modules with one job, views that stop listening when they go, and no
knowledge of the bundled app (its name and tables come from the profile, through the engine)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from sqlmig_gui.controller import Controller
from sqlmig_gui.views.subscriptions import Subscriptions

MAX_LINES = 400


def _sources(repo_root: Path) -> list[Path]:
    return sorted(p for p in (repo_root / "sqlmig_gui").rglob("*.py")
                  if "__pycache__" not in p.parts)


def test_every_gui_module_is_small(repo_root: Path) -> None:
    long = {p.name: n for p in _sources(repo_root)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_gui_knows_nothing_of_the_bundled_app(repo_root: Path) -> None:
    profile = tomllib.loads((repo_root / "migrations" / "profile.toml").read_text("utf-8"))
    # The identifiers (not English words such as "events"): the app's name, its compound tables.
    words = [w for w in (profile["app"]["name"], *profile["app"]["tables"]) if re.search("[-_]", w)]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b")
    found = [f"{p.name}: {m.group(0)}" for p in _sources(repo_root)
             for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


def _destroy(obj: QObject) -> None:
    obj.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_destroyed_view_stops_listening(qapp) -> None:
    controller = Controller()
    view = QObject()
    heard: list[object] = []
    subscriptions = Subscriptions(view, (controller.inspected, heard.append))
    controller.inspected.emit("first")
    _destroy(view)
    controller.inspected.emit("late")  # e.g. a worker that finished after the view was closed
    assert heard == ["first"]
    assert len(subscriptions) == 0


def _mnemonic(text: str) -> str | None:
    """The letter after a single '&' (Alt+letter), or None."""
    cleaned = text.replace("&&", "")
    at = cleaned.find("&")
    return cleaned[at + 1].lower() if 0 <= at < len(cleaned) - 1 else None


def test_alt_letters_of_tabs_and_menus_are_unique(window) -> None:
    """Alt+letter reaches exactly one tab or menu: with two, Qt only cycles between them."""
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    titles += [action.text() for action in window.menuBar().actions()]
    letters = [m for m in map(_mnemonic, titles) if m is not None]
    doubled = sorted({m for m in letters if letters.count(m) > 1})
    assert not doubled, f"Alt+{doubled} is used more than once in {titles}"
