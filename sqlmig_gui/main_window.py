"""The main window: the frame (header, run panel, result panel, tabs) and the views in it.

Each tab and each user action is its own module under `sqlmig_gui/views/`; the window builds the
shared frame, registers the views and flows (`_build_views`), and shows each inspection in the
header. It never touches a database: every read and write is an engine call on a worker thread
(see controller.py), and every dialog comes from `self.prompts`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from sqlmig_gui.controller import Controller
from sqlmig_gui.prompts import ErrorReport, Prompts
from sqlmig_gui.resources import icon
from sqlmig_gui.views import (
    backups_view,
    batch_view,
    console_view,
    data_view,
    diff_view,
    history_view,
    pending_view,
    schema_view,
    tables_view,
)
from sqlmig_gui.views.actions import WindowActions
from sqlmig_gui.views.after_run import AfterRun
from sqlmig_gui.views.audit_view import HistoryTab
from sqlmig_gui.views.backup_folder import BackupFolder
from sqlmig_gui.views.compact_flow import CompactFlow
from sqlmig_gui.views.down_flow import DownFlow
from sqlmig_gui.views.help_flow import HelpFlow
from sqlmig_gui.views.opening import FileOpener
from sqlmig_gui.views.recover_flow import RecoverFlow
from sqlmig_gui.views.upgrade_flow import UpgradeFlow
from sqlmig_gui.widgets.header import FileHeader
from sqlmig_gui.widgets.log_view import LogView
from sqlmig_gui.widgets.result_panel import ResultPanel
from sqlmig_gui.widgets.run_panel import RunPanel


class MainWindow(QMainWindow):
    inspectionShown = Signal()  # the header shows a finished inspection (or why there is none)
    runShown = Signal()  # the result panel shows a finished run
    recoverShown = Signal()  # a recovery finished (or failed) and was reported
    backupsShown = Signal()  # the Backups tab shows a fresh list of the open file's backups

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
        self.setObjectName("mainWindow")
        self.setWindowTitle("sqlmig")
        self.setWindowIcon(icon("sqlmig"))
        self.setAcceptDrops(True)
        self.window_actions = WindowActions(self)
        self._build_frame()
        self._build_views()
        self._connect_header()  # last: the header is shown after every view took its part
        self._restore_geometry()

    # -- building ----------------------------------------------------------------------------

    def _build_frame(self) -> None:
        self.header = FileHeader(self)
        self.badge = self.header.badge
        self.run_panel = RunPanel(self)
        self.progress_bar = self.run_panel.progress
        self.cancel_button = self.run_panel.cancel_button
        self.result_panel = ResultPanel(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.log_view = LogView(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        for widget in (self.header, self.run_panel):
            layout.addWidget(widget)
        # The result panel and the tabs share the height the user gives them (at 800 x 600 the
        # panel can be dragged down to nothing, or collapsed, and the tables get the room).
        self.splitter = QSplitter(Qt.Orientation.Vertical, central)
        self.splitter.setObjectName("resultSplitter")
        self.splitter.addWidget(self.result_panel)
        self.splitter.addWidget(self.tabs)
        self.splitter.setCollapsible(0, True)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready")

    def _build_views(self) -> None:
        """The tabs, then the flows (each adds its own menu entries, in menu order)."""
        c = self.controller
        self.pending_view = pending_view.PendingView(c, self)
        self.history_view = history_view.HistoryView(c, self)
        self.tables_view = tables_view.TablesView(c, self)
        self.tabs.addTab(self.pending_view, pending_view.TITLE)
        self.history_tab = HistoryTab(self.history_view, c, self)
        self.tabs.addTab(self.history_tab, history_view.TITLE)
        self.tabs.addTab(self.tables_view, tables_view.TITLE)
        self.backups_view = backups_view.BackupsView(self)
        self.tabs.addTab(self.backups_view, backups_view.TITLE)
        self._build_developer_views()
        self.diff_view = diff_view.DiffView(self, self)
        self.tabs.addTab(self.diff_view, diff_view.TITLE)
        self.batch_view = batch_view.BatchView(self)
        self.tabs.addTab(self.batch_view, batch_view.TITLE)
        self.tabs.addTab(self.log_view, "Lo&g")
        self.opener = FileOpener(self)
        self.window_actions.separator("file")
        self.window_actions.add("&Quit", "Ctrl+Q", self.close, "quitAction", menu="file")
        self.backup_folder = BackupFolder(self)
        self.upgrade_flow = UpgradeFlow(self)
        self.after_run = AfterRun(self)
        self.recover_flow = RecoverFlow(self)
        self.down_flow = DownFlow(self)
        self.compact_flow = CompactFlow(self)
        self.help_flow = HelpFlow(self)
        self.window_actions.add("Show &log", "Ctrl+L", self.show_log, "logTabAction", menu="view")

    def _build_developer_views(self) -> None:
        """Schema, Data and Console: each reads the file on its own worker (read-only)."""
        c = self.controller
        self.schema_view = schema_view.SchemaView(c, self)
        self.data_view = data_view.DataView(c, self)
        self.console_view = console_view.ConsoleView(c, self.settings, self)
        self.tabs.addTab(self.schema_view, schema_view.TITLE)
        self.tabs.addTab(self.data_view, data_view.TITLE)
        self.tabs.addTab(self.console_view, console_view.TITLE)
        self.schema_view.reportShown.connect(self.data_view.set_objects)
        self.schema_view.tree.itemDoubleClicked.connect(self._browse_item)

    def _browse_item(self, item: Any, _column: int = 0) -> None:
        obj = item.data(0, schema_view.OBJECT_ROLE)
        if obj is not None and obj.kind in ("table", "view"):
            self.data_view.browse(obj.name)
            self.tabs.setCurrentWidget(self.data_view)

    def _connect_header(self) -> None:
        c = self.controller
        c.inspecting.connect(self._on_inspecting)
        c.inspected.connect(self._on_inspected)
        c.inspectFailed.connect(self._on_inspect_failed)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry", QByteArray(), type=QByteArray)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1000, 720)
        # saveGeometry() keeps device pixels: a size saved at 200 % came back halved at 100 %.
        # The size in logical pixels is kept on its own and wins (within the screen).
        size = self.settings.value("window/size", QSize(), type=QSize)
        if isinstance(size, QSize) and size.isValid():
            screen = self.screen().availableGeometry().size()
            self.resize(size.boundedTo(screen))

    # -- what tests, scripts and the command line drive ----------------------------------------

    @property
    def path(self) -> Path | None:
        """The file the window shows (or is reading)."""
        return self.opener.path

    def open_file(self, path: str | Path) -> None:
        self.opener.open_file(path)

    def open_many(self, paths: list[Path]) -> None:
        """Several files (or a folder) dropped or chosen at once: the Batch tab takes them."""
        self.batch_view.add_paths([str(p) for p in paths])
        self.tabs.setCurrentWidget(self.batch_view)
        self.statusBar().showMessage(f"Added what was dropped to the batch ({len(paths)} item(s)).")

    def reload(self) -> None:
        self.opener.reload()

    def show_log(self) -> None:
        self.tabs.setCurrentWidget(self.log_view)

    # -- the header ------------------------------------------------------------------------------

    def _on_inspecting(self, path: Path) -> None:
        self.header.set_inspecting(path)
        self.statusBar().showMessage(f"Inspecting {path.name}…")

    def _on_inspected(self, inspected: Any) -> None:
        inspection = inspected.inspection
        self.header.set_assessment(inspected.assessment)
        self.statusBar().showMessage(inspection.diagnosis)
        self.log_view.add(f"Opened {inspection.path}: {inspection.diagnosis}")
        self.inspectionShown.emit()

    def _on_inspect_failed(self, path: Path, report: ErrorReport) -> None:
        self.header.set_failed(path, report)
        self.log_view.add(f"Could not open {path}: {report.message}")
        self.statusBar().showMessage(report.message)
        self.prompts.show_error(self, report)
        self.inspectionShown.emit()

    # -- dropping files, closing -------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.opener.accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.opener.drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def event(self, event: QEvent) -> bool:
        """The desktop switched palettes (dark mode) while the window is open, maybe mid-run.
        With the application's style sheet set, Qt no longer hands a new palette to widgets it
        already polished (dark header text stayed on a dark background): hand it over here."""
        handled = super().event(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            palette = QGuiApplication.palette()
            for widget in (self, *self.findChildren(QWidget)):
                widget.setPalette(palette)
        return handled

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.is_running():
            if not self.prompts.confirm_close_during_run(self):
                event.ignore()
                return
            self.log_view.add("Closing: cancelling the upgrade and waiting for it to roll back…")
        self.controller.shutdown()  # cancel, quit(), wait(): never terminate()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/size", self.size())
        self.settings.sync()
        event.accept()
