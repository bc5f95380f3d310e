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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if index.column() >= len(row):
            return None
        value = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return engine.cell_text(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = engine.cell_text(value, 2000)
            return text if text != engine.cell_text(value) else None
        if role == Qt.ItemDataRole.ForegroundRole and (value is None or isinstance(value, bytes)):
            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RAW_ROLE:
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section] if 0 <= section < len(self._columns) else None
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # never editable

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
        view.horizontalHeader().setStretchLastSection(True)


def fit_columns(view: QTableView) -> None:
    """Columns as wide as the rows shown need, never wider than MAX_COLUMN_CHARS."""
    view.resizeColumnsToContents()
    widest = view.fontMetrics().averageCharWidth() * MAX_COLUMN_CHARS
    header = view.horizontalHeader()
    for section in range(header.count()):
        header.resizeSection(section, min(header.sectionSize(section), widest))
