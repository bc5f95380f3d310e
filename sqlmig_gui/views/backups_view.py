"""The Backups tab: every backup of the open file (next to it and in the backup folder) with its
version, date, size and origin; Restore one (after a confirmation that says what is replaced, and
the engine keeps a copy of that); delete old ones (after a confirmation; the engine deletes only
this file's backups). The list is read on a worker thread (`Controller.list_backups`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import engine
from sqlmig_gui.models import _TableModel
from sqlmig_gui.views.subscriptions import Subscriptions

if TYPE_CHECKING:
    from sqlmig_gui.main_window import MainWindow

TITLE = "Bac&kups"


class BackupsModel(_TableModel):
    _HEADERS: ClassVar[tuple[str, ...]] = ("Backup", "Version", "Date", "Size", "Taken from")
    _RIGHT: ClassVar[frozenset[int]] = frozenset({3})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.backups: list[Any] = []  # engine.BackupInfo, in row order

    def set_backups(self, backups: list[Any]) -> None:
        self.backups = list(backups)
        self.set_rows(engine.backup_row(b) for b in self.backups)

    def tooltip(self, column: int, value: Any, row: tuple[Any, ...]) -> Any:
        return str(self.backups[self._rows.index(row)].path) if column == 0 else str(value)


class BackupsView(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.path: Path | None = None
        self.setObjectName("backupsView")
        layout = QVBoxLayout(self)
        self.summary = QLabel(engine.backups_line([]), self)
        self.summary.setObjectName("backupsSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.model = BackupsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("backupsTable")
        self.table.setAccessibleName("Backups of the open file")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setTabKeyNavigation(False)  # one Tab stop; arrows move inside
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.restore_button = QPushButton("&Restore selected backup…", self)
        self.restore_button.setObjectName("backupsRestoreButton")
        self.delete_button = QPushButton("&Delete selected backups…", self)
        self.delete_button.setObjectName("backupsDeleteButton")
        self.refresh_button = QPushButton("Re&fresh", self)
        self.refresh_button.setObjectName("backupsRefreshButton")
        for button in (self.restore_button, self.delete_button, self.refresh_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.restore_button.clicked.connect(self.restore_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self.refresh_buttons)
        c = window.controller
        self.subscriptions = Subscriptions(
            self,
            (c.inspected, self._on_inspected),
            (c.inspectFailed, self._on_inspect_failed),
            (c.backupsListed, self._on_listed),
            (c.backupsDeleted, self._on_deleted),
            (c.backupsFailed, self._on_failed),
            (c.stateChanged, self.refresh_buttons),
        )
        self.refresh_buttons()

    # -- what the list shows ---------------------------------------------------------------------

    def refresh(self) -> None:
        if self.path is not None:
            self.window_.controller.list_backups(self.path, self.window_.backup_folder.folder())

    def _on_inspected(self, inspected: Any) -> None:
        self.path = inspected.path
        self.refresh()

    def _on_inspect_failed(self, path: Path, _report: Any) -> None:
        self.path = path  # a damaged file's backups are what a support person needs most
        self.refresh()

    def _on_listed(self, path: Path, backups: list[Any]) -> None:
        if path != self.path:
            return  # a list for a file no longer shown
        self.model.set_backups(backups)
        self.summary.setText(engine.backups_line(backups))
        self.refresh_buttons()
        self.window_.backupsShown.emit()

    def _on_deleted(self, done: Any) -> None:
        line = engine.deleted_line(done)
        self.window_.log_view.add(line)
        self.window_.statusBar().showMessage(line)
        self.refresh()

    def _on_failed(self, report: Any) -> None:
        self.window_.log_view.add(f"Backups: {report.message}")
        self.window_.prompts.show_error(self.window_, report)
        self.refresh()

    def selected(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.backups[r] for r in rows]

    # -- actions ---------------------------------------------------------------------------------

    def restore_selected(self) -> None:
        w, chosen = self.window_, self.selected()
        if len(chosen) != 1 or self.path is None or w.controller.is_running():
            return
        backup = chosen[0].path
        look = w.controller.look
        current = engine.version_labels(look.inspection)[0] if look is not None else ""
        if not w.prompts.confirm_restore(w, self.path, backup, current):
            w.statusBar().showMessage("Restore not started: nothing was changed.")
            return
        w.log_view.add(f"--- Restore {self.path} from {backup}")
        w.controller.restore(self.path, backup)
        w.statusBar().showMessage("Restoring…")

    def delete_selected(self) -> None:
        w, chosen = self.window_, self.selected()
        if not chosen or self.path is None:
            return
        paths = [b.path for b in chosen]
        if not w.prompts.confirm_delete_backups(w, paths, engine.backups_line(chosen)):
            return
        w.log_view.add(f"--- Delete {len(paths)} backup(s) of {self.path}")
        w.controller.delete_backups(self.path, paths, w.backup_folder.folder())

    def refresh_buttons(self, *_args: Any) -> None:
        running = self.window_.controller.is_running()
        count = len(self.table.selectionModel().selectedRows())
        self.restore_button.setEnabled(count == 1 and not running)
        self.delete_button.setEnabled(count >= 1 and not running)
        self.refresh_button.setEnabled(self.path is not None)
