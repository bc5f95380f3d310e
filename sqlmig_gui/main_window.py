"""The main window: header, tabs, run panel, result panel, actions.

It shows what the controller relays and asks `self.prompts` for every dialog. It never touches a
database itself: every read and write is an engine call on a worker thread (see controller.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import engine
from sqlmig_gui.controller import Controller
from sqlmig_gui.models import HistoryModel, PendingModel, TablesModel
from sqlmig_gui.prompts import ErrorReport, Prompts, UpgradeSummary
from sqlmig_gui.resources import icon
from sqlmig_gui.widgets.header import FileHeader, version_labels
from sqlmig_gui.widgets.log_view import LogView
from sqlmig_gui.widgets.result_panel import ResultPanel, summarise
from sqlmig_gui.widgets.run_panel import RunPanel
from sqlmig_gui.widgets.sql_view import SqlView

log = logging.getLogger("sqlmig_gui")

MAX_RECENT = 9
UPGRADABLE = ("fresh", "legacy", "tracked")


class MainWindow(QMainWindow):
    inspectionShown = Signal()  # the header shows a finished inspection (or why there is none)
    runShown = Signal()  # the result panel shows a finished run
    recoverShown = Signal()  # a recovery finished (or failed) and was reported

    def __init__(
        self,
        *,
        migrations: Path | None = None,
        prompts: Any = None,
        settings: QSettings | None = None,
        controller: Controller | None = None,
    ) -> None:
        super().__init__()
        self.prompts = prompts or Prompts()
        self.settings = settings or QSettings()
        self.controller = controller or Controller(migrations, self)
        self.path: Path | None = None
        self.inspection: Any = None
        self.expectation: Any = None  # what an upgrade started now expects the file to be
        self.setObjectName("mainWindow")
        self.setWindowTitle("sqlmig")
        self.setWindowIcon(icon("sqlmig"))
        self.setAcceptDrops(True)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_header()
        self._build_tabs()
        self._build_run_panel()
        self._build_result_panel()
        self._build_central()
        self._connect_controller()
        self._build_recover()
        self._restore_settings()
        self._update_actions()

    # -- building ----------------------------------------------------------------------------

    def _action(self, text: str, shortcut: str | QKeySequence, slot: Any, name: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))  # explicit: offscreen has no platform keys
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        style = self.style()
        self.open_action = self._action("&Open…", "Ctrl+O", self.open_dialog, "openAction")
        self.open_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.reload_action = self._action("&Reload", "F5", self.reload, "reloadAction")
        self.reload_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.upgrade_action = self._action("Back up and &upgrade…", "Ctrl+U",
                                           self.upgrade, "upgradeAction")
        self.upgrade_action.setIcon(icon("upgrade"))
        self.cancel_action = self._action("&Cancel upgrade", "Esc", self.cancel, "cancelAction")
        self.cancel_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_BrowserStop))
        self.copy_action = self._action("Copy &report", "Ctrl+Shift+C",
                                        self.copy_report, "copyReportAction")
        self.restore_action = self._action("&Restore last backup…", "Ctrl+Shift+R",
                                           self.restore_backup, "restoreAction")
        self.backup_folder_action = self._action("Choose &backup folder…", "Ctrl+Shift+B",
                                                 self.choose_backup_folder, "backupFolderAction")
        self.backup_next_action = self._action("Back up &next to the file", "Ctrl+Shift+N",
                                               self.backup_next_to_file, "backupNextAction")
        self.log_tab_action = self._action("Show &log", "Ctrl+L", self.show_log, "logTabAction")
        self.quit_action = self._action("&Quit", "Ctrl+Q", self.close, "quitAction")
        self.recent_actions: list[QAction] = []
        for n in range(1, MAX_RECENT + 1):
            action = self._action("", f"Ctrl+{n}", self._open_recent, f"recentAction{n}")
            action.setVisible(False)
            self.recent_actions.append(action)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.addActions(self.recent_actions)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.reload_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        database = self.menuBar().addMenu("&Database")
        for a in (self.upgrade_action, self.cancel_action, self.restore_action, self.copy_action):
            database.addAction(a)
        settings = self.menuBar().addMenu("&Settings")
        settings.addAction(self.backup_folder_action)
        settings.addAction(self.backup_next_action)
        view = self.menuBar().addMenu("&View")
        view.addAction(self.log_tab_action)

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.open_action, self.reload_action, self.upgrade_action, self.cancel_action):
            bar.addAction(a)

    def _build_header(self) -> None:
        self.header = FileHeader(self)
        self.badge = self.header.badge
        self.upgrade_button = QPushButton("Back up and upgrade…", self)
        self.upgrade_button.setObjectName("upgradeButton")
        self.upgrade_button.setIcon(icon("upgrade"))
        self.upgrade_button.setAccessibleName("Back up and upgrade")
        self.upgrade_button.setToolTip("Back up the file, then upgrade it (Ctrl+U)")
        self.upgrade_button.clicked.connect(self.upgrade)
        self.header.actions_row.addWidget(self.upgrade_button)

    def _table(self, model: Any, name: str, accessible: str) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setAccessibleName(accessible)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.setAlternatingRowColors(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        return view

    def _build_tabs(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.pending_model = PendingModel(self)
        self.pending_table = self._table(self.pending_model, "pendingTable", "Pending migrations")
        self.pending_table.selectionModel().currentRowChanged.connect(self._show_selected_sql)
        self.sql_preview = SqlView(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("pendingSplitter")
        split.addWidget(self.pending_table)
        split.addWidget(self.sql_preview)
        # The list needs room for "adopt: already there"; the SQL view scrolls sideways anyway.
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.history_model = HistoryModel(self)
        self.history_table = self._table(self.history_model, "historyTable", "Applied history")
        self.tables_model = TablesModel(self)
        self.tables_table = self._table(self.tables_model, "tablesTable", "Tables in the file")
        self.log_view = LogView(self)
        self.tabs.addTab(split, "&Pending")
        self.tabs.addTab(self.history_table, "&History")
        self.tabs.addTab(self.tables_table, "&Tables")
        self.tabs.addTab(self.log_view, "Lo&g")

    def _build_run_panel(self) -> None:
        self.run_panel = RunPanel(self)
        self.progress_bar = self.run_panel.progress
        self.cancel_button = self.run_panel.cancel_button
        self.run_panel.cancelRequested.connect(self.cancel)

    def _build_result_panel(self) -> None:
        self.result_panel = ResultPanel(self)
        self.result_panel.openFolderRequested.connect(self.open_backup_folder)
        self.result_panel.restoreRequested.connect(self.restore_backup)
        self.result_panel.copyRequested.connect(self.copy_report)

    def _build_central(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.header)
        layout.addWidget(self.run_panel)
        layout.addWidget(self.result_panel)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready")

    def _connect_controller(self) -> None:
        c = self.controller
        c.inspecting.connect(self._on_inspecting)
        c.inspected.connect(self._on_inspected)
        c.inspectFailed.connect(self._on_inspect_failed)
        c.runEvent.connect(self._on_run_event)
        c.runFinished.connect(self._on_run_finished)
        c.runCrashed.connect(self._on_run_crashed)
        c.restoreFinished.connect(self._on_restored)
        c.restoreFailed.connect(self._on_restore_failed)
        c.runningChanged.connect(self._update_actions)

    # -- settings ----------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry", QByteArray(), type=QByteArray)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1000, 720)
        self._refresh_recent()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recentFiles", [], type=list)
        items = value if isinstance(value, list) else []
        return [str(v) for v in items if v][:MAX_RECENT]

    def backup_folder(self) -> Path | None:
        folder = self.settings.value("backupFolder", "", type=str)
        return Path(str(folder)) if folder else None

    def _remember(self, path: Path) -> None:
        text = str(path)
        recent = [text, *[p for p in self.recent_files() if p != text]][:MAX_RECENT]
        self.settings.setValue("recentFiles", recent)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        recent = self.recent_files()
        for n, action in enumerate(self.recent_actions):
            if n < len(recent):
                action.setText(f"&{n + 1} {recent[n]}")
                action.setData(recent[n])
                action.setVisible(True)
            else:
                action.setVisible(False)
                action.setData(None)
        self.recent_menu.setEnabled(bool(recent))

    # -- opening -----------------------------------------------------------------------------

    def open_file(self, path: str | Path) -> None:
        """Inspect `path` on a worker thread (read-only). Ignored while an upgrade runs."""
        if self.controller.is_running():
            self.statusBar().showMessage("Wait for the upgrade to end before opening another file.")
            return
        path = Path(path).expanduser().absolute()
        if path != self.path:
            self.result_panel.hide()
        self.path = path
        self.setWindowTitle(f"sqlmig — {path.name}")
        self.controller.inspect(path)

    def open_dialog(self) -> None:
        start = self.path.parent if self.path else None
        chosen = self.prompts.open_file(self, start)
        if chosen is not None:
            self.open_file(chosen)

    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and action.data():
            self.open_file(str(action.data()))

    def reload(self) -> None:
        if self.path is not None:
            self.open_file(self.path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if any(u.isLocalFile() for u in urls) and not self.controller.is_running():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        if len(files) > 1:
            self.statusBar().showMessage(f"Opened the first of {len(files)} dropped files.")
        self.open_file(files[0])

    # -- inspection results --------------------------------------------------------------------

    def _on_inspecting(self, path: Path) -> None:
        self.inspection = None
        self.expectation = None
        self.header.set_inspecting(path)
        self.statusBar().showMessage(f"Inspecting {path.name}…")
        self._update_actions()

    def _on_inspected(self, inspected: Any) -> None:
        inspection = inspected.inspection
        self.inspection = inspection
        self.expectation = inspected.expectation
        self.header.set_inspection(inspection)
        self._fill_pending(inspection)
        self.history_model.set_rows(
            (a.version, a.name, a.applied_at, a.method, a.duration_ms, a.status)
            for a in inspection.applied
        )
        self.tables_model.set_tables(inspection.tables, inspection.extras)
        self._remember(Path(inspection.path))
        self.statusBar().showMessage(inspection.diagnosis)
        self.log_view.add(f"Opened {inspection.path}: {inspection.diagnosis}")
        self._update_actions()
        self.inspectionShown.emit()

    def _fill_pending(self, inspection: Any) -> None:
        missing = set(inspection.legacy.missing) if inspection.legacy is not None else None
        rows = []
        for p in inspection.pending:
            if inspection.state == "legacy" and missing is not None and p.version not in missing:
                status = "adopt: already there"
            elif inspection.state in UPGRADABLE:
                status = "will run"
            else:
                status = "pending"
            rows.append((p.version, p.name, status))
        self.pending_model.set_rows(rows)
        self.sql_preview.clear()
        if rows:
            self.pending_table.selectRow(0)

    def _show_selected_sql(self, current: Any, _previous: Any = None) -> None:
        catalog = self.controller.catalog
        if catalog is None or not current.isValid():
            self.sql_preview.clear()
            return
        migration = catalog.get(self.pending_model.version(current.row()))
        if migration is None:
            self.sql_preview.clear()
            return
        parts = [f"-- {migration.path.name} (up)"]
        parts += [f"\n-- line {s.line}\n{s.sql.strip().rstrip(';')};" for s in migration.up]
        self.sql_preview.show_sql("\n".join(parts))

    def _on_inspect_failed(self, path: Path, report: ErrorReport) -> None:
        self.inspection = None
        self.expectation = None
        self.header.set_failed(path, report)
        for model in (self.pending_model, self.history_model, self.tables_model):
            model.set_rows([])
        self.sql_preview.clear()
        self.log_view.add(f"Could not open {path}: {report.message}")
        self.statusBar().showMessage(report.message)
        self.prompts.show_error(self, report)
        self._update_actions()
        self.inspectionShown.emit()

    # -- upgrading -----------------------------------------------------------------------------

    def can_upgrade(self) -> bool:
        i = self.inspection
        return (
            i is not None
            and not self.controller.is_running()
            and i.state in UPGRADABLE
            and bool(i.pending)
            and i.head_version is not None
        )

    def upgrade(self) -> None:
        """Preflight (the inspection), confirmation, then the run on a worker thread."""
        if not self.can_upgrade() or self.path is None:
            return
        current, target = version_labels(self.inspection)
        folder = self.backup_folder() or self.path.parent
        summary = UpgradeSummary(self.path, current, target, len(self.inspection.pending), folder)
        if not self.prompts.confirm_upgrade(self, summary):
            self.statusBar().showMessage("Upgrade not started: nothing was changed.")
            return
        self.result_panel.hide()
        self.log_view.add(f"--- Back up and upgrade {self.path}: {current} → {target}")
        self.run_panel.start()
        # The engine refuses, before writing, a file that is no longer what the window shows.
        self.controller.upgrade(self.path, self.backup_folder(), self.expectation)
        self.statusBar().showMessage("Upgrading…")

    def cancel(self) -> None:
        if self.controller.is_running():
            self.log_view.add("Cancel requested: stopping and rolling back…")
            self.run_panel.cancel_button.setEnabled(False)
            self.controller.cancel()

    def _on_run_event(self, event: Any) -> None:
        self.run_panel.on_event(event)
        line = engine.describe_event(event)
        if line:
            self.log_view.add(line)

    def _on_run_finished(self, result: Any) -> None:
        self.run_panel.stop()
        self.log_view.flush()
        summary = summarise(result)  # from the run's result only: the file may have changed
        self.result_panel.show_summary(summary)
        self.statusBar().showMessage(summary.headline)
        self.log_view.add(summary.headline)
        self.runShown.emit()
        self.reload()  # the header shows the file as it is now (also after a refusal)

    def _on_run_crashed(self, report: ErrorReport) -> None:
        self.run_panel.stop()
        self.log_view.add(f"{report.message}\n{report.detail}")
        self.prompts.show_error(self, report)
        self.runShown.emit()
        self.reload()

    # -- after a run -----------------------------------------------------------------------------

    def _last_backup(self) -> Path | None:
        summary = self.result_panel.summary
        return summary.backup if summary is not None else None

    def open_backup_folder(self) -> None:
        backup = self._last_backup()
        if backup is not None:
            self.prompts.open_folder(backup.parent)

    def copy_report(self) -> None:
        summary = self.result_panel.summary
        if summary is None:
            return
        QGuiApplication.clipboard().setText(summary.report())
        self.statusBar().showMessage("Report copied: paste it into the support ticket.")

    def restore_backup(self) -> None:
        backup = self._last_backup()
        if backup is None or self.path is None or self.controller.is_running():
            return
        current = version_labels(self.inspection)[0] if self.inspection is not None else ""
        if not self.prompts.confirm_restore(self, self.path, backup, current):
            return
        self.log_view.add(f"--- Restore {self.path} from {backup}")
        self.controller.restore(self.path, backup)
        self.statusBar().showMessage("Restoring…")

    def _on_restored(self, result: Any) -> None:
        message = (f"Restored {result.restored.name} from {result.from_backup.name}. "
                   f"The replaced file was kept at {result.replaced_copy}.")
        self.log_view.add(message)
        self.statusBar().showMessage(message)
        self.prompts.show_info(self, "Backup restored", message)
        self.reload()

    def _on_restore_failed(self, report: ErrorReport) -> None:
        self.log_view.add(f"Restore failed: {report.message}")
        self.prompts.show_error(self, report)
        self._update_actions()

    # -- settings actions ------------------------------------------------------------------------

    def choose_backup_folder(self) -> None:
        folder = self.prompts.choose_folder(self, "Folder for backups", self.backup_folder())
        if folder is not None:
            self.settings.setValue("backupFolder", str(folder))
            self.statusBar().showMessage(f"Backups go to {folder}")

    def backup_next_to_file(self) -> None:
        self.settings.setValue("backupFolder", "")
        self.statusBar().showMessage("Backups go next to the database file.")

    def show_log(self) -> None:
        self.tabs.setCurrentWidget(self.log_view)

    def _update_actions(self, *_args: Any) -> None:
        running = self.controller.is_running()
        self.upgrade_action.setEnabled(self.can_upgrade())
        self.upgrade_button.setEnabled(self.can_upgrade())
        self.cancel_action.setEnabled(running)
        self.open_action.setEnabled(not running)
        self.reload_action.setEnabled(not running and self.path is not None)
        self.restore_action.setEnabled(not running and self._last_backup() is not None)
        self.copy_action.setEnabled(self.result_panel.summary is not None)
        for action in self.recent_actions:
            action.setEnabled(not running)

    # -- recovering an interrupted file (SPEC §7.22) --------------------------------------------

    def _build_recover(self) -> None:
        self.recover_action = self._action("Re&cover interrupted write", "Ctrl+Shift+V",
                                           self.recover, "recoverAction")
        for menu_action in self.menuBar().actions():
            if menu_action.text() == "&Database" and menu_action.menu() is not None:
                menu_action.menu().addAction(self.recover_action)
        self.recover_button = QPushButton("Recover", self)
        self.recover_button.setObjectName("recoverButton")
        self.recover_button.setAccessibleName("Recover the interrupted write")
        self.recover_button.setToolTip(
            "Open the file for writing so SQLite rolls back the write that was cut off "
            "(every committed change stays)"
        )
        self.recover_button.clicked.connect(self.recover)
        self.header.actions_row.addWidget(self.recover_button)
        c = self.controller
        c.recoverFinished.connect(self._on_recovered)
        c.recoverFailed.connect(self._on_recover_failed)
        c.runningChanged.connect(self._update_recover)
        c.inspecting.connect(self._update_recover)
        self.inspectionShown.connect(self._update_recover)
        self._update_recover()

    def can_recover(self) -> bool:
        i = self.inspection
        return i is not None and i.state == "interrupted" and not self.controller.is_running()

    def recover(self) -> None:
        """Roll back the cut-off write on a worker thread, then inspect the file again."""
        if not self.can_recover() or self.path is None:
            return
        self.log_view.add(f"--- Recover {self.path}: roll back the write that was cut off")
        self.statusBar().showMessage("Recovering…")
        self.controller.recover(self.path)

    def _on_recovered(self, result: Any) -> None:
        self.log_view.add(result.message)
        self.statusBar().showMessage(result.message)
        self.prompts.show_info(self, "File recovered", result.message)
        self.recoverShown.emit()
        self.reload()

    def _on_recover_failed(self, report: ErrorReport) -> None:
        self.log_view.add(f"Recovery failed: {report.message}")
        self.statusBar().showMessage(report.message)
        self.prompts.show_error(self, report)
        self.recoverShown.emit()
        self._update_recover()

    def _update_recover(self, *_args: Any) -> None:
        state = self.inspection.state if self.inspection is not None else None
        self.recover_action.setEnabled(self.can_recover())
        self.recover_button.setEnabled(self.can_recover())
        self.recover_button.setVisible(state == "interrupted")

    # -- closing ---------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.is_running():
            if not self.prompts.confirm_close_during_run(self):
                event.ignore()
                return
            self.log_view.add("Closing: cancelling the upgrade and waiting for it to roll back…")
        self.controller.shutdown()  # cancel, quit(), wait(): never terminate()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        event.accept()
