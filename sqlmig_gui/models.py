"""Read-only table models over engine results (pending migrations, history, row ledger).

Models take engine values (never SQL); each has `COL_*` constants, `_HEADERS` and `set_rows()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

import engine

Index = QModelIndex | QPersistentModelIndex

# What a checksum status means, for a support person (SPEC §7.8).
CHECKSUM_WORDS = {
    "ok": "matches",
    "changed": "file changed since applied",
    "missing_file": "migration file missing",
    "unverified": "no checksum recorded",
    "renamed": "another migration with this number",
}


class _TableModel(QAbstractTableModel):
    _HEADERS: ClassVar[tuple[str, ...]] = ()
    _RIGHT: ClassVar[frozenset[int]] = frozenset()  # numeric columns

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Any, ...]] = []

    def set_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        self.beginResetModel()
        self._rows = [tuple(r) for r in rows]
        self.endResetModel()

    def row(self, row: int) -> tuple[Any, ...]:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        value = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.display(index.column(), value, self._rows[index.row()])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(index.column(), value, self._rows[index.row()])
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self._RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def display(self, column: int, value: Any, row: tuple[Any, ...]) -> str:
        return "" if value is None else str(value)

    def tooltip(self, column: int, value: Any, row: tuple[Any, ...]) -> str | None:
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._HEADERS)
        ):
            return self._HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class PendingModel(_TableModel):
    """The steps an upgrade would run, in the plan's order (`engine.PlannedStep`s of an
    assessment): rows (label, what it will do, why), in the engine's words."""

    COL_STEP, COL_STATUS, COL_REASON = range(3)
    _HEADERS = ("Step", "Status", "Why")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._steps: tuple[Any, ...] = ()

    def set_steps(self, steps: Sequence[Any]) -> None:
        self._steps = tuple(steps)
        self.set_rows((s.label, engine.step_status(s), s.reason) for s in self._steps)

    def steps(self) -> tuple[Any, ...]:
        return self._steps

    def step(self, row: int) -> Any:
        return self._steps[row]

    def tooltip(self, column: int, value: Any, row: tuple[Any, ...]) -> str | None:
        return value if column == self.COL_REASON else None


class HistoryModel(_TableModel):
    """Rows: (version, name, applied_at, method, duration_ms, checksum status)."""

    COL_VERSION, COL_NAME, COL_APPLIED_AT, COL_METHOD, COL_DURATION, COL_CHECKSUM = range(6)
    _HEADERS = ("Version", "Name", "Applied at", "How", "Duration", "Checksum")
    _RIGHT = frozenset({COL_VERSION, COL_DURATION})
    DRIFT_MARK = "⚠ drift: "

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._drift: set[int] = set()

    def set_drift(self, versions: set[int]) -> None:
        """Versions whose file changed since applied (engine.history's drift): marked."""
        self.beginResetModel()
        self._drift = set(versions)
        self.endResetModel()

    def display(self, column: int, value: Any, row: tuple[Any, ...]) -> str:
        if column == self.COL_VERSION:
            return f"{value:04d}"
        if column == self.COL_CHECKSUM and row[self.COL_VERSION] in self._drift:
            return self.DRIFT_MARK + CHECKSUM_WORDS.get(value, str(value))
        if column == self.COL_DURATION:
            return "" if value is None else f"{value} ms"
        if column == self.COL_CHECKSUM:
            return CHECKSUM_WORDS.get(value, str(value))
        if column == self.COL_METHOD and value is None:
            return "by the app"
        return super().display(column, value, row)

    def tooltip(self, column: int, value: Any, row: tuple[Any, ...]) -> str | None:
        if column == self.COL_CHECKSUM:
            return f"checksum status: {value}"
        return None


class AuditModel(_TableModel):
    """Rows of `sqlmig_log`: (at, kind, version, name, duration_ms, tool version, who, line)."""

    COL_AT, COL_KIND, COL_VERSION, COL_NAME, COL_DURATION, COL_TOOL, COL_WHO, COL_LINE = range(8)
    _HEADERS = ("When", "What", "Version", "Name", "Duration", "sqlmig", "Who")
    _RIGHT = frozenset({COL_VERSION, COL_DURATION})

    def display(self, column: int, value: Any, row: tuple[Any, ...]) -> str:
        if column == self.COL_VERSION and value is not None:
            return f"{value:04d}"
        if column == self.COL_DURATION:
            return "" if value is None else f"{value} ms"
        return super().display(column, value, row)

    def tooltip(self, column: int, value: Any, row: tuple[Any, ...]) -> str | None:
        return str(row[self.COL_LINE])  # the engine's whole line, with a reason when given


class LedgerModel(_TableModel):
    """Rows: (table, rows before, rows after) from an upgrade's row ledger."""

    COL_TABLE, COL_BEFORE, COL_AFTER, COL_CHANGE = range(4)
    _HEADERS = ("Table", "Rows before", "Rows after", "Change")
    _RIGHT = frozenset({COL_BEFORE, COL_AFTER, COL_CHANGE})

    def set_ledger(self, ledger: dict[str, list[int]]) -> None:
        self.set_rows(
            (table, before, after, after - before)
            for table, (before, after) in sorted(ledger.items())
        )

    def display(self, column: int, value: Any, row: tuple[Any, ...]) -> str:
        if column == self.COL_CHANGE:
            return "same" if value == 0 else f"{value:+d}"
        if column in (self.COL_BEFORE, self.COL_AFTER):
            return f"{value:,}"
        return super().display(column, value, row)


class TablesModel(_TableModel):
    """Rows: (table name, whose) — the app's own tables, or the user's extras (kept as they are)."""

    COL_NAME, COL_KIND = range(2)
    _HEADERS = ("Table", "Kind")

    @staticmethod
    def rows(tables: Iterable[str], extras: Iterable[str]) -> list[tuple[str, str]]:
        extra = set(extras)
        return [(t, "extra: not the app's, kept as it is" if t in extra else "app table")
                for t in tables]
