"""The base of every flow: one user action (or setting) from its menu entry to its result.

A flow lives as long as the window, adds its actions and buttons in `_build`, names the controller
signals it follows in `LISTENS` (signal name → method name; connected through `Subscriptions`,
so dropped with the flow), and refreshes what it enables in `update`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QObject

from sqlmig_gui.views.subscriptions import Subscriptions

if TYPE_CHECKING:
    from sqlmig_gui.main_window import MainWindow


class Flow(QObject):
    LISTENS: ClassVar[dict[str, str]] = {}

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._build()
        controller = window.controller
        self.subscriptions = Subscriptions(
            self, *((getattr(controller, signal), getattr(self, method))
                    for signal, method in self.LISTENS.items()))
        self.update()

    def _build(self) -> None:
        """Add this flow's actions and widgets to the window."""

    def update(self, *_args: Any) -> None:
        """Enable what can be done now."""
