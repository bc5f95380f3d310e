"""The Batch tab: many files at once. Add a folder (searched recursively) or drop files; each is
assessed in the background into the table (file, state, version, size, what it needs); "Upgrade
all that need it" runs them through the engine's pool of worker processes (`engine.batch`),
each with its own verified backup, with per-file progress and result and a summary line.

Everything here is an engine call on a worker thread (controller.inspect_batch, .batch); the
words are the engine's (`batch_row`, `batch_result_text`, `describe_event`, the summary).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import engine
from sqlmig_gui.batch_jobs import Assessed, Found, Unreadable
from sqlmig_gui.prompts import ErrorReport
from sqlmig_gui.views.batch_model import INSPECTING, BatchModel
from sqlmig_gui.views.subscriptions import Subscriptions

if TYPE_CHECKING:
    from sqlmig_gui.main_window import MainWindow

TITLE = "&Batch"
EMPTY = ("Add a folder (searched recursively for .db, .sqlite and .sqlite3 files and SQLite "
         "databases) or drop files on the window.")


class _SentenceDelegate(QStyledItemDelegate):
    """A sentence is cut at its end (a path, in the middle: the table's mode)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


class BatchView(QWidget):
    batchShown = Signal()  # a batch finished and its summary is shown
    filesShown = Signal()  # every file added so far has been assessed

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("batchView")
        self.running = False
        self._rereading = 0  # files still being read again after a batch (summary kept)
        self._build()
        c = window.controller
        self.subscriptions = Subscriptions(
            self, (c.batchInspected, self._on_inspected), (c.batchEvent, self._on_event),
            (c.batchFinished, self._on_finished), (c.batchFailed, self._on_failed),
            (c.stateChanged, self.update_buttons))
        self.update_buttons()

    def _build(self) -> None:
        self.add_folder_button = self._button("Add &folder…", "batchAddFolderButton",
                                              self.add_folder_dialog)
        self.add_folder_button.setToolTip("Add every database file in a folder and its "
                                          "sub-folders (.db, .sqlite, .sqlite3, or a SQLite "
                                          "header); never sqlmig's backups")
        self.clear_button = self._button("&Remove all", "batchClearButton", self.clear)
        self.upgrade_button = self._button("&Upgrade all that need it", "batchUpgradeAllButton",
                                           self.upgrade_all)
        self.cancel_button = self._button("Cancel", "batchCancelButton", self.cancel)
        self.cancel_button.setToolTip("Stop: the files being upgraded roll back, the others "
                                      "are left untouched")
        buttons = QHBoxLayout()
        for button in (self.add_folder_button, self.clear_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.upgrade_button)
        buttons.addWidget(self.cancel_button)
        self.table_model = BatchModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("batchTable")
        self.table.setAccessibleName("Files in the batch")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a path's both ends show
        self.table.setTabKeyNavigation(False)  # one Tab stop, not one per cell
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        m = self.table_model
        for column in (m.COL_STATE, m.COL_VERSION, m.COL_SIZE):  # short words: whole
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column, chars in ((m.COL_FILE, 30), (m.COL_NEEDS, 38)):  # long: elided, tooltip
            self.table.setColumnWidth(column, self.fontMetrics().averageCharWidth() * chars)
        self.table.setItemDelegateForColumn(m.COL_NEEDS, _SentenceDelegate(self.table))
        self.progress = QProgressBar(self)
        self.progress.setObjectName("batchProgress")
        self.progress.setFormat("%v of %m files")
        self.progress.hide()
        self.summary = QLabel(EMPTY, self)
        self.summary.setObjectName("batchSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- adding files ----------------------------------------------------------------------------

    def add_folder_dialog(self) -> None:
        w = self.window_
        start = w.path.parent if w.path is not None else None
        folder = w.prompts.choose_folder(w, "Add a folder to the batch", start)
        if folder is not None:
            self.add_paths([folder])

    def add_paths(self, paths: list[str | Path]) -> None:
        """Add files and folders (searched recursively); each file is assessed in the
        background (read-only)."""
        self.summary.setText("Looking for database files…")
        self.window_.controller.inspect_batch([Path(p).expanduser().absolute() for p in paths])

    def clear(self) -> None:
        self.table_model.clear()
        self.summary.setText(EMPTY)
        self.progress.hide()
        self.update_buttons()

    def _on_inspected(self, found: Any) -> None:
        model = self.table_model
        if isinstance(found, Found):
            model.add(list(found.paths))
        elif isinstance(found, Assessed):
            model.set_assessed(found.path, found.row)
        elif isinstance(found, Unreadable):
            model.set_unreadable(found.path, found.message)
        if self._rereading:  # after a batch: the rows show the files as they are now
            self._rereading -= not isinstance(found, Found)
            if not self._rereading:
                self.filesShown.emit()
            return
        entries = [model.entry(row) for row in range(model.rowCount())]
        self.summary.setText(engine.batch_inventory(
            [e.can_upgrade for e in entries if e.state != INSPECTING], reading=model.waiting()))
        if model.waiting() == 0:
            self.filesShown.emit()
        self.update_buttons()

    # -- upgrading -------------------------------------------------------------------------------

    def upgrade_all(self) -> None:
        w, model = self.window_, self.table_model
        paths = model.paths()
        needing = sum(model.entry(row).can_upgrade for row in range(model.rowCount()))
        if not paths or w.controller.is_running():
            return
        folder = w.backup_folder.folder()
        if not w.prompts.confirm_batch(w, len(paths), needing, folder):
            self.summary.setText("Batch not started: nothing was changed.")
            return
        for path in paths:
            model.set_progress(path, "waiting")
        self.running = True
        self.progress.setRange(0, len(paths))
        self.progress.setValue(0)
        self.progress.show()
        self.summary.setText(f"Upgrading {len(paths)} files…")
        w.log_view.add(f"--- Batch of {len(paths)} files")
        w.controller.batch(paths, folder)

    def cancel(self) -> None:
        if self.running:
            self.cancel_button.setEnabled(False)
            self.summary.setText("Cancelling: the files being upgraded roll back…")
            self.window_.controller.cancel()

    def _on_event(self, event: Any) -> None:
        model = self.table_model
        if isinstance(event, engine.FileStartEvent):
            model.set_progress(Path(event.path), "starting…")
        elif isinstance(event, engine.FileProgressEvent):
            inner = event.event
            if not isinstance(inner, engine.StatementEvent | engine.HeartbeatEvent):
                line = engine.describe_event(inner)
                if line:
                    model.set_progress(Path(event.path), line)
        elif isinstance(event, engine.FileDoneEvent):
            model.set_outcome(event.outcome)
            self.progress.setValue(self.progress.value() + 1)
            self.window_.log_view.add(engine.batch_file_line(event.outcome))

    def _on_finished(self, result: Any) -> None:
        self.running = False
        for outcome in result.outcomes:  # files never started get their row too
            self.table_model.set_outcome(outcome)
        paths = self.table_model.paths()
        self._rereading = len(paths)
        self.window_.controller.inspect_batch(paths)  # state, version, needs: as they are now
        self.progress.setValue(self.progress.maximum())
        self.summary.setText(result.message)
        self.window_.log_view.add(result.message)
        self.window_.statusBar().showMessage(result.message)
        self.update_buttons()
        self.batchShown.emit()

    def _on_failed(self, report: ErrorReport) -> None:
        self.running = False
        self.summary.setText(report.message)
        self.window_.prompts.show_error(self.window_, report)
        self.update_buttons()
        self.batchShown.emit()

    def update_buttons(self, *_args: Any) -> None:
        busy = self.window_.controller.is_running()
        has_files = self.table_model.rowCount() > 0
        self.add_folder_button.setEnabled(not self.running)
        self.clear_button.setEnabled(has_files and not busy)
        self.upgrade_button.setEnabled(has_files and not busy)
        self.cancel_button.setEnabled(self.running)
