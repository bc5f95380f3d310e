"""A read-only table model that fetches its rows page by page from the engine, never blocking.

The view asks `canFetchMore`/`fetchMore` as the user scrolls; `fetchMore` only calls `request_page`
(which queues an engine call on a worker) and returns. The page arrives later through `append`.
Clicking a header does not sort here: `sortRequested` asks the owner to browse again in that order
(the engine sorts, with its paging).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QTableView

import engine

Index = QModelIndex | QPersistentModelIndex
RAW_ROLE = Qt.ItemDataRole.UserRole  # the value as SQLite returned it
DISPLAY, TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
FOREGROUND, ALIGNMENT = int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.TextAlignmentRole)
_ROLES = frozenset({DISPLAY, TOOLTIP, FOREGROUND, ALIGNMENT, int(RAW_ROLE)})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class LazyRowsModel(QAbstractTableModel):
    sortRequested = Signal(int, object)  # column (-1: the table's own order), Qt.SortOrder
    pageRequested = Signal()

    def __init__(self, request_page: Callable[[], None] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._request_page = request_page
        self._columns: tuple[str, ...] = ()
        self._rows: list[tuple[Any, ...]] = []
        self._more = False
        self._waiting = False
        self._dim = QPalette().color(QPalette.ColorRole.PlaceholderText)  # NULL and BLOB cells

    # -- filled by the owner ---------------------------------------------------------------------

    def reset(self, columns: Sequence[str], rows: Sequence[tuple[Any, ...]] = (),
              more: bool = False) -> None:
        self.beginResetModel()
        self._columns = tuple(columns)
        self._rows = list(rows)
        self._more = more
        self._waiting = False
        self.endResetModel()

    def append(self, rows: Sequence[tuple[Any, ...]], more: bool) -> None:
        self._waiting = False
        self._more = more
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def stop_fetching(self) -> None:
        """No more pages (the read failed or was stopped)."""
        self._waiting = False
        self._more = False

    def set_request_page(self, request_page: Callable[[], None]) -> None:
        self._request_page = request_page

    @property
    def waiting(self) -> bool:
        return self._waiting

    @property
    def more(self) -> bool:
        return self._more

    def columns(self) -> tuple[str, ...]:
        return self._columns

    def value(self, row: int, column: int) -> Any:
        return self._rows[row][column]

    # -- Qt's side -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every painted cell and role: plain int comparisons, the value read once.
        role = int(role)
        if role not in _ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if row >= len(self._rows) or column >= len(self._rows[row]):
            return None
        value = self._rows[row][column]
        if role == DISPLAY:
            return engine.cell_text(value)
        if role == TOOLTIP:
            text = engine.cell_text(value, 2000)
            return text if text != engine.cell_text(value) else None
        if role == FOREGROUND:
            return self._dim if value is None or isinstance(value, bytes) else None
        if role == ALIGNMENT:
            return _RIGHT if isinstance(value, int | float) else None
        return value  # RAW_ROLE

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY) -> Any:
        if int(role) != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section] if 0 <= section < len(self._columns) else None
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _READ_ONLY if index.isValid() else Qt.ItemFlag.NoItemFlags  # never editable

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more and not self._waiting

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent) or self._request_page is None:
            return
        self._waiting = True
        self._request_page()  # queues the engine call; the page comes back through append()
        self.pageRequested.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sortRequested.emit(column, order)


MAX_COLUMN_CHARS = 48  # a fitted column is at most this wide; the rest is elided


def compact_rows(view: QAbstractItemView | QTableView) -> None:
    """One text line a row (the style sheet's padding made rows twice as tall as their text)."""
    if isinstance(view, QTableView):
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        # Row numbers cost a header query per row on every page: the rows say where they are.
        view.verticalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)


def fit_columns(view: QTableView, sample: int = 30) -> None:
    """Columns as wide as their header and the first `sample` rows need, never wider than
    MAX_COLUMN_CHARS. (`resizeColumnsToContents` measured every row through the style: 100 ms
    and more on the GUI thread for one page.)"""
    model, metrics = view.model(), view.fontMetrics()
    widest = metrics.averageCharWidth() * MAX_COLUMN_CHARS
    header = view.horizontalHeader()
    padding = metrics.averageCharWidth() * 2
    rows = min(model.rowCount(), sample)
    for column in range(model.columnCount()):
        texts = [str(model.headerData(column, Qt.Orientation.Horizontal) or "")]
        texts += [str(model.data(model.index(row, column)) or "") for row in range(rows)]
        needed = max(metrics.horizontalAdvance(text) for text in texts) + padding
        header.resizeSection(column, min(needed + padding, widest))
