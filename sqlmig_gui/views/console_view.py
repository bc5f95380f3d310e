"""The Console tab: one read-only SQL statement at a time on the open file.

`consoleEdit` holds the statement (highlighted); `consoleRunButton` (Ctrl+Return) runs it and
`consoleExplainButton` shows its EXPLAIN QUERY PLAN; `consoleStopButton` interrupts it. The engine's
`Console` (a `mode=ro` connection whose authorizer allows reading only) lives on this view's
worker (`Session`); results page into `consoleResultView` through the same lazy model as the Data
tab, and `consoleMessage` says the row count and time, or the engine's sentence for a refusal.
Statements run on a file are remembered per file in QSettings (`consoleHistory`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import engine
from sqlmig_gui.controller import error_report
from sqlmig_gui.lazy_model import LazyRowsModel, compact_rows, fit_columns
from sqlmig_gui.session import Session
from sqlmig_gui.views.subscriptions import Subscriptions
from sqlmig_gui.widgets.sql_view import SqlView

TITLE = "C&onsole"
HELD = "console"
MAX_HISTORY = 50
REFUSED_COLOUR = "#b91c1c"


def history_key(path: Any) -> str:
    digest = hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"console/history/{digest}"


class ConsoleView(QWidget):
    finished = Signal()  # a statement ended: rows, a refusal, an error or a stop

    def __init__(self, controller: Any, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consoleTab")
        self.controller = controller
        self.settings = settings
        self.session = Session("console", self)
        controller.adopt(self.session)
        self.path: Any = None
        self._generation = 0
        self._cancel: engine.CancelToken | None = None
        self._seconds = 0.0
        self._explained = False
        self._build()
        self.subscriptions = Subscriptions(
            self, (controller.inspecting, self._file_changed),
            (controller.inspected, self._file_shown), (controller.inspectFailed, self._closed),
            (controller.stateChanged, self._yield_to_run))
        self._update()

    def _build(self) -> None:
        self.edit = SqlView(self, name="consoleEdit", accessible="SQL statement to run",
                            placeholder="SELECT … (read-only: statements that write are refused)",
                            read_only=False)
        self.run_button = self._button("&Run", "consoleRunButton", lambda: self.run())
        self.run_button.setToolTip("Run the statement (Ctrl+Return)")
        self.explain_button = self._button("E&xplain", "consoleExplainButton",
                                           lambda: self.run(explain=True))
        self.explain_button.setToolTip("Show the statement's EXPLAIN QUERY PLAN")
        self.stop_button = self._button("Stop", "consoleStopButton", self.stop)
        self.stop_button.setToolTip("Stop the running statement (SQLite's interrupt)")
        self.history = QComboBox(self)
        self.history.setObjectName("consoleHistory")
        self.history.setAccessibleName("Statements run on this file")
        self.history.setPlaceholderText("History")
        self.history.activated.connect(self._recall)
        QShortcut(QKeySequence("Ctrl+Return"), self.edit, activated=lambda: self.run())
        self.message = QLabel("", self)
        self.message.setObjectName("consoleMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = LazyRowsModel(self._request_page, self)
        self.results = QTableView(self)
        self.results.setObjectName("consoleResultView")
        self.results.setAccessibleName("Rows the statement returned")
        self.results.setModel(self.model)
        self.results.setWordWrap(False)
        compact_rows(self.results)
        buttons = QHBoxLayout()
        for widget in (self.run_button, self.explain_button, self.stop_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.history, 1)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.edit, 1)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(self.results)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", ""))
        button.clicked.connect(slot)
        return button

    # -- running ---------------------------------------------------------------------------------

    def running(self) -> bool:
        return self._cancel is not None

    def run(self, sql: str | None = None, *, explain: bool = False) -> None:
        """Run `sql` (default: the editor's text) read-only on the worker."""
        if self.path is None or self.running() or self.controller.is_running():
            return
        text = self.edit.toPlainText() if sql is None else sql
        if sql is not None:
            self.edit.setPlainText(sql)
        self._generation += 1
        generation, path = self._generation, self.path
        self._cancel = cancel = engine.CancelToken()
        self.message.setStyleSheet("")
        self.message.setText("Running…")
        self.model.reset(())
        self._update()

        def run_statement(_emit: Any) -> Any:
            held = self.session.held.get(HELD)
            if held is None:
                self.session.held[HELD] = held = (0, engine.open_console(path))
            return held[1].run(text, explain=explain, cancel=cancel)

        self.session.submit(run_statement, lambda result: self._shown(generation, result),
                            lambda failed: self._failed(generation, failed), cancel=cancel)

    def stop(self) -> None:
        """Interrupt the running statement or page (SQLite's interrupt(), from this thread)."""
        if self._cancel is not None:
            self.message.setText("Stopping…")
        self.session.cancel_all()

    def _yield_to_run(self) -> None:
        """An upgrade, restore or recovery started: close the console's connection, whose open
        cursor would keep the writer waiting; Run waits for the run's end."""
        if self.controller.is_running():
            self.stop()
            self.session.release(HELD)
            self.model.stop_fetching()
        self._update()

    def _shown(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return
        self._cancel = None
        self.model.reset(result.columns, result.first.rows, result.first.more)
        fit_columns(self.results)
        self._remember(result.sql)
        self._seconds = result.seconds
        self._explained = result.explain
        self._say()
        self._update()
        self.finished.emit()

    def _failed(self, generation: int, failed: Any) -> None:
        if generation != self._generation:
            return
        self._cancel = None
        self.model.stop_fetching()
        report = error_report("The statement did not run", failed.error, failed.traceback)
        refused = isinstance(failed.error, engine.Refused | engine.UsageError)
        self.message.setStyleSheet(f"color: {REFUSED_COLOUR};" if refused else "")
        self.message.setText(report.message)
        self.message.setToolTip(report.hint)
        self._update()
        self.finished.emit()

    def _request_page(self) -> None:
        generation, cancel = self._generation, engine.CancelToken()

        def next_page(_emit: Any) -> Any:
            held = self.session.held.get(HELD)
            return held[1].next_page(cancel=cancel) if held is not None else None

        self.session.submit(next_page, lambda page: self._appended(generation, page),
                            lambda failed: self._failed(generation, failed), cancel=cancel)

    def _appended(self, generation: int, page: Any) -> None:
        if generation == self._generation and page is not None:
            self.model.append(page.rows, page.more)
            self._say()

    def _say(self) -> None:
        if self._explained:
            self.message.setText(engine.plan_message(self.model.rowCount(), self._seconds))
            return
        self.message.setText(engine.rows_message(self.model.rowCount(), self.model.more,
                                                 self._seconds))

    # -- the file and its history ----------------------------------------------------------------

    def _file_changed(self, *_args: Any) -> None:
        self._closed()

    def _closed(self, *_args: Any) -> None:
        self.stop()
        self._generation += 1
        self._cancel = None
        self.session.release(HELD)
        self.path = None
        self.model.reset(())
        self.message.setText("")
        self._update()

    def _file_shown(self, inspected: Any) -> None:
        self.path = inspected.path
        self._load_history()
        self._update()

    def _history(self) -> list[str]:
        value = self.settings.value(history_key(self.path), [], type=list)
        return [str(v) for v in value if v] if isinstance(value, list) else []

    def _load_history(self) -> None:
        self.history.clear()
        self.history.addItems([" ".join(s.split())[:120] for s in self._history()])
        self.history.setCurrentIndex(-1)

    def _remember(self, sql: str) -> None:
        entries = [sql, *[s for s in self._history() if s != sql]][:MAX_HISTORY]
        self.settings.setValue(history_key(self.path), entries)
        self._load_history()

    def _recall(self, index: int) -> None:
        entries = self._history()
        if 0 <= index < len(entries):
            self.edit.setPlainText(entries[index])

    def _update(self) -> None:
        running = self.running()
        ready = self.path is not None and not running and not self.controller.is_running()
        self.run_button.setEnabled(ready)
        self.explain_button.setEnabled(ready)
        self.stop_button.setEnabled(running)
