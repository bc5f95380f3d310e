"""The window's actions: menus, the toolbar and keyboard shortcuts, filled by the views and flows.

Each flow adds its own actions (`WindowActions.add`), so a new view brings its menu entries with it.
Every action gets an explicit shortcut (the offscreen platform has no platform keys) and is added
to the window itself, so shortcuts work even with the menu bar hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

# Menu key → title, in menu-bar order.
MENUS = {"file": "&File", "database": "&Database", "settings": "&Settings", "view": "&View",
         "help": "&Help"}


class WindowActions:
    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.menus: dict[str, QMenu] = {
            key: window.menuBar().addMenu(title) for key, title in MENUS.items()
        }
        self.toolbar = window.addToolBar("Main")
        self.toolbar.setObjectName("mainToolBar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def add(
        self,
        text: str,
        shortcut: str,
        slot: Callable[..., Any],
        name: str,
        *,
        menu: str | QMenu | None = None,
        toolbar: bool = False,
        icon: QIcon | None = None,
    ) -> QAction:
        """A new action named `name` (its objectName) in `menu` (a key of MENUS, or a submenu)."""
        action = QAction(text, self._window)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(icon)
        action.triggered.connect(slot)
        self._window.addAction(action)
        if menu is not None:
            (self.menus[menu] if isinstance(menu, str) else menu).addAction(action)
        if toolbar:
            self.toolbar.addAction(action)
        return action

    def submenu(self, menu: str, title: str) -> QMenu:
        sub = QMenu(title, self._window)
        self.menus[menu].addMenu(sub)
        return sub

    def separator(self, menu: str) -> None:
        self.menus[menu].addSeparator()
