"""The Schema tab: the file's tables, views, indexes and triggers (`schemaTree`) with row counts
arriving in the background; the selected table's columns (`columnsView`), keys and triggers; the
CREATE statement (`createSqlView`); and how each object differs from the expected schema of the
file's version (marked in the tree, on hover, and in `schemaDiffPanel`).

Everything is an engine call on this view's own worker (`Session`): `engine.inspect_schema`, then
`engine.count_rows`, cancelled when another file is opened.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

import engine
from sqlmig_gui.controller import error_report
from sqlmig_gui.lazy_model import compact_rows
from sqlmig_gui.session import Session
from sqlmig_gui.views.subscriptions import Subscriptions
from sqlmig_gui.widgets.sql_view import SqlView

TITLE = "S&chema"
GROUPS = (("table", "Tables"), ("view", "Views"), ("index", "Indexes"), ("trigger", "Triggers"))
COLUMN_HEADERS = ("Column", "Type", "Not null", "Default", "Primary key", "Hidden / generated")
OBJECT_ROLE = Qt.ItemDataRole.UserRole
DIFFERS_COLOUR = "#c2410c"  # orange: readable on light and dark bases


MIN_PANE_HEIGHT = 36  # a header and a line of each details pane


class SchemaView(QSplitter):
    reportShown = Signal(object)  # engine.SchemaReport, when the tree shows it
    countsDone = Signal()  # every row count arrived (or counting ended)

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("schemaSplitter")
        self.controller = controller
        self.session = Session("schema", self)
        controller.adopt(self.session)
        self.report: Any = None
        self._generation = 0
        self._items: dict[str, QTreeWidgetItem] = {}
        self._build()
        self.subscriptions = Subscriptions(
            self, (controller.inspecting, self.clear), (controller.inspected, self.load),
            (controller.inspectFailed, self.clear))

    def _build(self) -> None:
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("schemaTree")
        self.tree.setAccessibleName("Tables, views, indexes and triggers of the file")
        self.tree.setHeaderLabels(["Object", "Rows"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.currentItemChanged.connect(self._show_selected)
        details = QSplitter(Qt.Orientation.Vertical, self)
        self.columns_view = QTableWidget(0, len(COLUMN_HEADERS), details)
        self.columns_view.setObjectName("columnsView")
        self.columns_view.setAccessibleName("Columns of the selected table")
        self.columns_view.setHorizontalHeaderLabels(COLUMN_HEADERS)
        self.columns_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.columns_view.verticalHeader().hide()
        compact_rows(self.columns_view)
        self.columns_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.columns_view.horizontalHeader().setStretchLastSection(True)
        self.details_view = self._text(details, "schemaDetails",
                                       "Indexes, foreign keys and triggers of the selection")
        self.create_sql_view = SqlView(details, name="createSqlView",
                                       accessible="CREATE statement of the selected object",
                                       placeholder="Select an object to see its CREATE statement.")
        self.diff_panel = self._text(details, "schemaDiffPanel",
                                     "Differences from the expected schema")
        for widget in (self.columns_view, self.details_view, self.create_sql_view,
                       self.diff_panel):
            widget.setMinimumHeight(MIN_PANE_HEIGHT)  # four panes must fit an 800x600 window
            details.addWidget(widget)
        details.setSizes([260, 120, 180, 140])
        self.addWidget(self.tree)
        self.addWidget(details)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)

    @staticmethod
    def _text(parent: QWidget, name: str, accessible: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(parent)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setReadOnly(True)
        return edit

    # -- reading ---------------------------------------------------------------------------------

    def clear(self, *_args: Any) -> None:
        self._generation += 1
        self.session.cancel_all()
        self.report = None
        self._items.clear()
        self.tree.clear()
        self.columns_view.setRowCount(0)
        for view in (self.details_view, self.create_sql_view, self.diff_panel):
            view.clear()

    def load(self, inspected: Any) -> None:
        """Read the schema of the file just inspected, on this view's worker."""
        self.clear()
        generation = self._generation
        cancel = engine.CancelToken()
        inspection, catalog = inspected.inspection, inspected.catalog
        self.diff_panel.setPlaceholderText("Reading the schema…")
        self.session.submit(
            lambda _emit: engine.inspect_schema(inspection, catalog, cancel=cancel),
            lambda report: self._show(generation, report),
            lambda failed: self._failed(generation, failed), cancel=cancel)

    def _failed(self, generation: int, failed: Any) -> None:
        if generation == self._generation and not isinstance(failed.error, engine.Cancelled):
            report = error_report("Cannot read the schema", failed.error, failed.traceback)
            self.diff_panel.setPlainText(f"{report.message}\n{report.hint}".strip())

    def _show(self, generation: int, report: Any) -> None:
        if generation != self._generation:
            return
        self.report = report
        style = self.style()
        warning = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for kind, title in GROUPS:
            objects = report.of_kind(kind)
            group = QTreeWidgetItem(self.tree, [f"{title} ({len(objects)})", ""])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for obj in objects:
                item = QTreeWidgetItem(group, [obj.name, ""])
                item.setData(0, OBJECT_ROLE, obj)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
                if obj.differs:
                    item.setIcon(0, warning)
                    item.setForeground(0, QBrush(QColor(DIFFERS_COLOUR)))
                    item.setToolTip(0, "\n".join(obj.differences))
                self._items[obj.name] = item
            group.setExpanded(kind in ("table", "view"))
        self.diff_panel.setPlainText(self.summary())
        self.reportShown.emit(report)
        self._count_rows(generation, [o.name for o in report.of_kind("table")])

    def summary(self) -> str:
        """Every difference from the expected schema, object by object."""
        report = self.report
        if report is None:
            return ""
        if report.expected_version is None:
            return report.note
        lines = [f"{o.kind} {o.name}: {d}" for o in report.objects for d in o.differences]
        lines += report.missing
        if not lines:
            return f"The schema matches the expected schema of version {report.expected_version}."
        head = (f"{len(lines)} difference(s) from the expected schema of version "
                f"{report.expected_version}:")
        return "\n".join([head, *(f"  - {line}" for line in lines)])

    def _count_rows(self, generation: int, tables: list[str]) -> None:
        cancel = engine.CancelToken()
        path = self.report.path
        self.session.submit(
            lambda emit: engine.count_rows(path, tables, lambda t, n: emit((t, n)),
                                           cancel=cancel),
            lambda _counts: self._counts_done(generation),
            lambda _failed: self._counts_done(generation),
            lambda item: self._show_count(generation, *item), cancel=cancel)

    def _show_count(self, generation: int, table: str, rows: int) -> None:
        item = self._items.get(table)
        if generation == self._generation and item is not None:
            item.setText(1, f"{rows:,}")

    def _counts_done(self, generation: int) -> None:
        if generation == self._generation:
            self.countsDone.emit()

    # -- the selection ---------------------------------------------------------------------------

    def select(self, name: str) -> None:
        item = self._items.get(name)
        if item is not None:
            self.tree.setCurrentItem(item)

    def _show_selected(self, current: QTreeWidgetItem | None, _previous: Any = None) -> None:
        obj = current.data(0, OBJECT_ROLE) if current is not None else None
        self.columns_view.setRowCount(0)
        if obj is None:
            self.details_view.clear()
            self.create_sql_view.clear()
            self.diff_panel.setPlainText(self.summary())
            return
        for row, column in enumerate(obj.columns):
            self.columns_view.insertRow(row)
            for col, text in enumerate(engine.column_facts(column)):
                self.columns_view.setItem(row, col, QTableWidgetItem(text))
        self.details_view.setPlainText("\n".join(self._detail_lines(obj)))
        self.create_sql_view.show_sql(obj.sql or f"-- {obj.name} is made by SQLite itself.")
        self.diff_panel.setPlainText(
            "\n".join(obj.differences) if obj.differs
            else f"{obj.kind.capitalize()} {obj.name} is as expected." if
            self.report.expected_version is not None else self.report.note)

    @staticmethod
    def _detail_lines(obj: Any) -> list[str]:
        lines = [f"{obj.kind.capitalize()} {obj.name}"
                 + (f" on {obj.table}" if obj.kind in ("index", "trigger") else "")]
        sections = (("Indexes", [engine.index_line(i) for i in obj.indexes]),
                    ("References", [engine.foreign_key_line(f, incoming=False)
                                    for f in obj.references]),
                    ("Referenced by", [engine.foreign_key_line(f, incoming=True)
                                       for f in obj.referenced_by]),
                    ("Triggers", list(obj.triggers)))
        for title, items in sections:
            if items:
                lines += [f"{title}:", *(f"  {item}" for item in items)]
        return lines
