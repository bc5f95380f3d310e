"""The read-only table a tab shows for the open file: whole-row selection, no row numbers, fitted
columns, filled from each inspection the controller relays and emptied when one fails."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from sqlmig_gui.views.subscriptions import Subscriptions


class InspectionTable(QTableView):
    """Subclasses say what a row is (`rows_of`), or how the model is filled (`show_inspected`)."""

    def __init__(self, table_model: Any, name: str, accessible: str, controller: Any,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table_model = table_model
        table_model.setParent(self)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setModel(table_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.setTabKeyNavigation(False)  # one Tab stop: Tab leaves the table, arrows move in it
        self.setAlternatingRowColors(True)
        # One line a row: a long cell (a repair's reason) is elided, whole in its tooltip.
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.subscriptions = Subscriptions(
            self,
            (controller.inspected, self.show_inspected),
            (controller.inspectFailed, self.clear),
        )

    def show_inspected(self, inspected: Any) -> None:
        self.table_model.set_rows(self.rows_of(inspected))

    def rows_of(self, inspected: Any) -> Any:
        raise NotImplementedError

    def clear(self, *_args: Any) -> None:
        self.table_model.set_rows([])
