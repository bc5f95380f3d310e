"""The batch table's model: one row per file (file, state, version, size, needs, result), in the
engine's words (`engine.batch_row`, `engine.batch_result_text`, `engine.describe_event`).

Rows are updated one cell at a time (`dataChanged`), never by a reset: the table keeps its
selection and scroll position while dozens of files report progress.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

import engine

Index = QModelIndex | QPersistentModelIndex
INSPECTING = "inspecting…"


@dataclass(frozen=True)
class BatchEntry:
    path: Path
    state: str = INSPECTING
    badge: str = "busy"  # the badge's key (engine.Badge.key)
    version: str = ""
    size: str = ""
    needs: str = ""
    result: str = ""
    can_upgrade: bool = False
    outcome: Any = None  # engine.FileOutcome once the batch ran it


class BatchModel(QAbstractTableModel):
    COL_FILE, COL_STATE, COL_VERSION, COL_SIZE, COL_NEEDS, COL_RESULT = range(6)
    _HEADERS = ("File", "State", "Version", "Size", "Needs", "Result")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[BatchEntry] = []
        self._rows: dict[Path, int] = {}
        self._root: Path | None = None  # the folder every file is in

    # -- filling -----------------------------------------------------------------------------

    def add(self, paths: list[Path]) -> list[Path]:
        """Add the files not listed yet; returns those added."""
        new = [p for p in dict.fromkeys(paths) if p not in self._rows]
        if new:
            first = len(self._entries)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for path in new:
                self._rows[path] = len(self._entries)
                self._entries.append(BatchEntry(path))
            self._root = Path(os.path.commonpath([e.path.parent for e in self._entries]))
            self.endInsertRows()
            if first:  # the names shown above may be longer now
                self.dataChanged.emit(self.index(0, 0), self.index(first - 1, 0))
        return new

    def clear(self) -> None:
        self.beginResetModel()
        self._entries, self._rows, self._root = [], {}, None
        self.endResetModel()

    def set_assessed(self, path: Path, row: Any) -> None:
        self._update(path, state=row.state, badge=row.badge, version=row.version, size=row.size,
                     needs=row.needs, can_upgrade=row.can_upgrade)

    def set_unreadable(self, path: Path, message: str) -> None:
        self._update(path, state="Cannot open", badge="damaged", needs=message)

    def set_progress(self, path: Path, text: str) -> None:
        self._update(path, result=text)

    def set_outcome(self, outcome: Any) -> None:
        self._update(Path(outcome.path), result=engine.batch_result_text(outcome),
                     outcome=outcome, can_upgrade=False)

    def _update(self, path: Path, **changes: Any) -> None:
        row = self._rows.get(path)
        if row is None:
            return
        self._entries[row] = replace(self._entries[row], **changes)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._HEADERS) - 1))

    # -- reading -----------------------------------------------------------------------------

    def paths(self) -> list[Path]:
        return [e.path for e in self._entries]

    def entry(self, row: int) -> BatchEntry:
        return self._entries[row]

    def entry_for(self, path: Path) -> BatchEntry | None:
        row = self._rows.get(path)
        return None if row is None else self._entries[row]

    def waiting(self) -> int:
        """Files still being inspected."""
        return sum(e.state == INSPECTING for e in self._entries)

    # -- Qt ----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry, column = self._entries[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.COL_FILE:
                return str(entry.path)
            if column == self.COL_RESULT and entry.outcome is not None:
                return entry.outcome.headline
            return self._text(entry, column) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, entry: BatchEntry, column: int) -> str:
        values = (self._shown_name(entry.path), entry.state, entry.version, entry.size,
                  entry.needs, entry.result)
        return values[column]

    def _shown_name(self, path: Path) -> str:
        """The path below the folder all files share ("ticket-4711/database.db"): many
        files of a support day have the same name."""
        if self._root is None or len(self._entries) < 2:
            return path.name
        return str(path.relative_to(self._root))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self._HEADERS)):
            return self._HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
