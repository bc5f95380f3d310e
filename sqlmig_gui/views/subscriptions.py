"""The connections a view or flow makes to longer-lived objects (the controller, the window).

Every connection made through `Subscriptions.connect` is dropped when its owner is destroyed, so a
signal that arrives late (a worker finishing after a view was closed) never reaches a deleted view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaObject, QObject

Slot = Callable[..., Any]


class Subscriptions:
    """`Subscriptions(view, (controller.inspected, view.show), ...)`: connected now, dropped when
    `view` is destroyed."""

    def __init__(self, owner: QObject, *pairs: tuple[Any, Slot]) -> None:
        self._connections: list[QMetaObject.Connection] = []
        owner.destroyed.connect(self.drop)
        for signal, slot in pairs:
            self.connect(signal, slot)

    def connect(self, signal: Any, slot: Slot) -> None:
        self._connections.append(signal.connect(slot))

    def drop(self, *_args: Any) -> None:
        for connection in self._connections:
            QObject.disconnect(connection)
        self._connections.clear()

    def __len__(self) -> int:
        return len(self._connections)
