"""The Data tab: any table or view of the file, page by page (`dataView`), read-only.

Rows come from `engine.open_browser` on this view's own worker (`Session`): the Browser and its
connection are made, paged and closed there. The lazy model asks for the next page as the user
scrolls; a header click sorts and the filter row (`dataFilterRow`, one typed filter per column)
filters, both by browsing again in the engine. While a browse streams from a forward cursor
(a view, or an order or filter no index serves) `dataStatus` says it is scanning. A long value
is elided in the table and shown whole in `dataValueView`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import engine
from sqlmig_gui.controller import error_report
from sqlmig_gui.lazy_model import RAW_ROLE, LazyRowsModel, compact_rows, fit_columns
from sqlmig_gui.session import Session
from sqlmig_gui.views.subscriptions import Subscriptions

TITLE = "Dat&a"
HELD = "browser"


class FilterRow(QWidget):
    """One line edit per column, placed over its column (following resizes and scrolling);
    Enter applies every filter."""

    applied = Signal()

    def __init__(self, table: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataFilterRow")
        self._table = table
        self.edits: dict[str, QLineEdit] = {}
        self.setFixedHeight(QLineEdit().sizeHint().height())
        header = table.horizontalHeader()
        header.sectionResized.connect(self._fit)
        header.geometriesChanged.connect(self._fit)
        table.horizontalScrollBar().valueChanged.connect(self._fit)

    def set_columns(self, columns: tuple[str, ...]) -> None:
        if tuple(self.edits) != columns:
            for edit in self.edits.values():
                edit.deleteLater()
            self.edits = {}
            for column in columns:
                edit = QLineEdit(self)
                edit.setObjectName(f"dataFilter_{column}")
                edit.setPlaceholderText("filter…")
                edit.setToolTip(f"Filter {column}: = 5, > 3, like 'a%', is null, or text it "
                                "contains; Enter applies")
                edit.setAccessibleName(f"Filter for {column}")
                edit.returnPressed.connect(self.applied)
                edit.show()
                self.edits[column] = edit
        self._fit()

    def filters(self) -> dict[str, str]:
        return {c: e.text() for c, e in self.edits.items() if e.text().strip()}

    def clear_filters(self) -> None:
        for edit in self.edits.values():
            edit.clear()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self, *_args: Any) -> None:
        table, header = self._table, self._table.horizontalHeader()
        left = table.frameWidth() + (table.verticalHeader().width()
                                     if table.verticalHeader().isVisible() else 0)
        for section, edit in enumerate(self.edits.values()):
            x = left + header.sectionViewportPosition(section)
            edit.setGeometry(x, 0, header.sectionSize(section), self.height())
            edit.setVisible(x + header.sectionSize(section) > left and x < self.width())


class DataView(QWidget):
    pageShown = Signal()  # a page (or a refusal) was shown

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataTab")
        self.controller = controller
        self.session = Session("data", self)
        controller.adopt(self.session)
        self.path: Any = None
        self.request: Any = None
        self.scanning = False
        self._generation = 0
        self._cancel: engine.CancelToken | None = None
        self._build()
        self.subscriptions = Subscriptions(self, (controller.inspecting, self.clear),
                                           (controller.inspectFailed, self.clear),
                                           (controller.stateChanged, self._yield_to_run))

    def _build(self) -> None:
        self.chooser = QComboBox(self)
        self.chooser.setObjectName("dataTableChooser")
        self.chooser.setAccessibleName("Table or view to browse")
        self.chooser.setMinimumContentsLength(24)
        self.chooser.activated.connect(lambda _i: self.browse(self.chooser.currentText()))
        self.status = QLabel("Open a file, then pick a table.", self)
        self.status.setObjectName("dataStatus")
        # One line, elided by its tooltip: a wrapping label re-laid the whole tab on every page.
        self.status.setMinimumWidth(1)
        self.model = LazyRowsModel(self._request_page, self)
        self.model.sortRequested.connect(self._sort)
        self.table = QTableView(self)
        self.table.setObjectName("dataView")
        self.table.setAccessibleName("Rows of the table (read-only)")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        compact_rows(self.table)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentChanged.connect(self._show_value)
        self.filter_row = FilterRow(self.table, self)
        self.filter_row.applied.connect(lambda: self.browse())
        self.value_view = QPlainTextEdit(self)
        self.value_view.setObjectName("dataValueView")
        self.value_view.setAccessibleName("The selected value, whole")
        self.value_view.setReadOnly(True)
        self.value_view.setPlaceholderText("Select a cell to see its whole value.")
        top = QHBoxLayout()
        top.addWidget(QLabel("Ta&ble:", self, buddy=self.chooser))
        top.addWidget(self.chooser)
        top.addWidget(self.status, 1)
        rows = QWidget(self)
        rows_layout = QVBoxLayout(rows)
        rows_layout.setContentsMargins(0, 0, 0, 0)
        rows_layout.addWidget(self.filter_row)
        rows_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(rows)
        splitter.addWidget(self.value_view)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    # -- what the window and tests drive ---------------------------------------------------------

    def set_objects(self, report: Any) -> None:
        """The tables and views of the file the Schema tab read (`engine.SchemaReport`)."""
        self.path = report.path
        self.chooser.clear()
        self.chooser.addItems(list(report.tables))
        self.status.setText("Pick a table to browse its rows.")

    def browse(self, table: str | None = None, *, sort: str | None = None,
               descending: bool = False, keep_order: bool = True) -> None:
        """Browse `table` (default: the one shown) from its first row, with the filter row."""
        if self.path is None:
            return
        previous = self.request
        if table is None and previous is None:
            return
        same_table = table is None or (previous is not None and previous.table == table)
        if not same_table:
            self.filter_row.clear_filters()
        if keep_order and same_table and previous is not None and sort is None:
            sort, descending = previous.sort, previous.descending
        request = engine.BrowseRequest(table or previous.table, sort, descending,
                                       self.filter_row.filters() if same_table else {})
        self._start(request)

    def _start(self, request: Any) -> None:
        self._generation += 1
        generation, path = self._generation, self.path
        self.session.cancel_all()
        self.request = request
        self.chooser.setCurrentText(request.table)
        self._cancel = cancel = engine.CancelToken()
        self.status.setText(f"Reading {request.table}…")
        self.model.stop_fetching()

        def open_and_read(emit: Any) -> Any:
            held = self.session.held.pop(HELD, None)
            if held is not None:
                held[1].close()
            browser = engine.open_browser(path, request)
            self.session.held[HELD] = (generation, browser)
            emit(browser.scanning)  # before the first page: a scan may take a while
            return browser.columns, browser.scanning, browser.next_page(cancel=cancel)

        self.session.submit(open_and_read, lambda value: self._opened(generation, *value),
                            lambda failed: self._failed(generation, failed),
                            lambda scanning: self._scanning(generation, scanning), cancel=cancel)

    def _scanning(self, generation: int, scanning: bool) -> None:
        if generation == self._generation and scanning:
            self.scanning = True
            self.status.setText(engine.scanning_note(self.request.table))

    def _opened(self, generation: int, columns: tuple[str, ...], scanning: bool,
                page: Any) -> None:
        if generation != self._generation:
            return
        self.scanning = scanning
        self.model.reset(columns, page.rows, page.more)
        fit_columns(self.table)
        self.filter_row.set_columns(columns)
        self._say()

    def _request_page(self) -> None:
        generation, cancel = self._generation, self._cancel
        if self.scanning:
            self.status.setText(engine.scanning_note(self.request.table))

        def next_page(_emit: Any) -> Any:
            held = self.session.held.get(HELD)
            if held is None or held[0] != generation:
                return None
            return held[1].next_page(cancel=cancel)

        self.session.submit(next_page, lambda page: self._appended(generation, page),
                            lambda failed: self._failed(generation, failed), cancel=cancel)

    def _appended(self, generation: int, page: Any) -> None:
        if generation != self._generation or page is None:
            return
        self.model.append(page.rows, page.more)
        self._say()

    def _failed(self, generation: int, failed: Any) -> None:
        if generation != self._generation:
            return
        self.model.reset(self.model.columns())  # rows of an earlier filter would mislead
        report = error_report("Cannot read the table", failed.error, failed.traceback)
        self.status.setText(f"{report.message} {report.hint}".strip())
        self.pageShown.emit()

    def _say(self) -> None:
        text = engine.rows_message(self.model.rowCount(), self.model.more)
        if self.scanning:
            text += " · scanning (no index serves this order or filter)"
        self.status.setText(text)
        self.pageShown.emit()

    def _sort(self, column: int, order: Any) -> None:
        columns = self.model.columns()
        if self.request is None or not 0 <= column < len(columns):
            return
        self.browse(sort=columns[column], keep_order=False,
                    descending=order == Qt.SortOrder.DescendingOrder)

    def _show_value(self, current: Any, _previous: Any = None) -> None:
        value = self.model.data(current, RAW_ROLE) if current.isValid() else None
        self.value_view.setPlainText(engine.full_text(value) if current.isValid() else "")

    def _yield_to_run(self) -> None:
        """An upgrade, restore or recovery started: a cursor held open would keep its writer
        waiting for this reader, so the browse stops and its connection closes."""
        if self.controller.is_running() and self.request is not None:
            self.session.cancel_all()
            self.session.release(HELD)
            self.model.stop_fetching()
            self.request = None
            self.status.setText("Closed while the file is being changed; pick the table again "
                                "afterwards.")

    def clear(self, *_args: Any) -> None:
        self._generation += 1
        self.session.cancel_all()
        self.session.release(HELD)
        self.path = None
        self.request = None
        self.chooser.clear()
        self.model.reset(())
        self.value_view.clear()
        self.status.setText("Open a file, then pick a table.")
