"""Opening (drag and drop, recent files, dialog), settings, shortcuts, names, models, crashes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import gui_files
import pytest
from gui_files import open_and_wait
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

import engine
from sqlmig_gui.app import install_excepthook
from sqlmig_gui.main_window import MainWindow
from sqlmig_gui.models import HistoryModel, LedgerModel, PendingModel, TablesModel
from sqlmig_gui.prompts import Prompts, UpgradeSummary

OBJECT_NAMES = ("stateBadge", "pendingTable", "sqlPreview", "historyTable", "upgradeButton",
                "cancelButton", "progressBar", "logView", "resultPanel")


def _drop(window: MainWindow, paths: list[Path]) -> tuple[bool, bool]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(QPoint(10, 10), action, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(QPointF(10, 10), action, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    if enter.isAccepted():
        QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_stable_object_names(window) -> None:
    for name in OBJECT_NAMES:
        assert window.findChild(object, name) is not None, name


def test_drag_and_drop_opens_the_file(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.tracked(tmp_path, 9)
    with qtbot.waitSignal(window.inspectionShown, timeout=30_000):
        assert _drop(window, [path]) == (True, True)
    assert window.badge.text() == "Tracked v9 — 9 migrations pending"
    assert window.windowTitle() == "sqlmig — tracked.db"


def test_dropping_something_that_is_not_a_file_is_refused(window) -> None:
    mime = QMimeData()
    mime.setText("hello")
    enter = QDragEnterEvent(QPoint(1, 1), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_recent_files_persist_and_open_with_ctrl_digit(
    qtbot, make_window, settings: QSettings, tmp_path: Path
) -> None:
    first = gui_files.tracked(tmp_path / "a", 9)
    second = gui_files.foreign(tmp_path / "b")
    window = make_window()
    open_and_wait(qtbot, window, first)
    open_and_wait(qtbot, window, second)
    assert window.opener.recent_files() == [str(second), str(first)]
    settings.sync()
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert reread.value("recentFiles", [], type=list) == [str(second), str(first)]
    again = make_window()
    action = again.opener.recent_actions[1]
    assert action.isVisible() and action.shortcut().toString() == "Ctrl+2"
    with qtbot.waitSignal(again.inspectionShown, timeout=30_000):
        action.trigger()
    assert again.path == first
    assert again.opener.recent_files() == [str(first), str(second)]


def test_open_dialog_goes_through_prompts(qtbot, window, prompts, tmp_path: Path) -> None:
    prompts.open_answer = gui_files.foreign(tmp_path)
    with qtbot.waitSignal(window.inspectionShown, timeout=30_000):
        window.opener.open_action.trigger()
    assert window.badge.state == "foreign"


def test_backup_folder_setting_is_used(qtbot, window, prompts, settings, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    prompts.open_answer = folder
    window.backup_folder.choose_action.trigger()
    assert settings.value("backupFolder", "", type=str) == str(folder)
    path = gui_files.tracked(tmp_path / "db", 9)
    open_and_wait(qtbot, window, path)
    with qtbot.waitSignal(window.runShown, timeout=60_000):
        window.upgrade_flow.upgrade_action.trigger()
    (summary,) = prompts.asked("confirm_upgrade")
    assert summary.backup_folder == folder
    assert window.result_panel.summary.backup.parent == folder
    window.backup_folder.next_to_file_action.trigger()
    assert window.backup_folder.folder() is None


def test_geometry_is_saved_on_close(qtbot, make_window, settings) -> None:
    window = make_window()
    window.resize(812, 633)
    window.close()
    geometry = settings.value("window/geometry", type=bytes)
    assert geometry
    again = make_window()
    assert abs(again.size().width() - 812) < 40 and abs(again.size().height() - 633) < 40


def test_every_action_has_a_shortcut(window) -> None:
    expected = {
        "openAction": "Ctrl+O", "reloadAction": "F5", "upgradeAction": "Ctrl+U",
        "cancelAction": "Esc", "copyReportAction": "Ctrl+Shift+C",
        "restoreAction": "Ctrl+Shift+R", "backupFolderAction": "Ctrl+Shift+B",
        "logTabAction": "Ctrl+L", "quitAction": "Ctrl+Q", "recentAction9": "Ctrl+9",
    }
    for name, keys in expected.items():
        action = window.findChild(object, name)
        assert action.shortcut().toString() == keys, name


def test_widgets_have_accessible_names(window) -> None:
    for name in ("pendingTable", "historyTable", "sqlPreview", "logView", "upgradeButton",
                 "cancelButton", "progressBar", "stateBadge", "resultPanel"):
        assert window.findChild(object, name).accessibleName(), name


# -- models ----------------------------------------------------------------------------------


def test_models_pass_qtmodeltester(qtmodeltester, qtbot, window, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, gui_files.tracked(tmp_path, 9))
    for model in (window.pending_view.table_model, window.history_view.table_model, window.tables_view.table_model):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    ledger = LedgerModel()
    ledger.set_ledger({"worlds": [4, 4], "agents": [5, 6]})
    qtmodeltester.check(ledger)
    for empty in (PendingModel(), HistoryModel(), LedgerModel(), TablesModel()):
        qtmodeltester.check(empty)


def test_model_columns_and_headers() -> None:
    pending = PendingModel()
    reason = "The index idx_agent_memory_reply_to is missing and is created again."
    repair = engine.PlannedStep(
        version=None, name="35_add_missing_reply_to_index", kind="repair", method="repaired",
        statements=((19, "DROP INDEX IF EXISTS idx_agent_memory_reply_to;"),),
        transaction=True, foreign_keys_off=False, when=None, reason=reason)
    migration = engine.PlannedStep(
        version=9, name="add_event_sequences", kind="migrate", method="executed", statements=(),
        transaction=True, foreign_keys_off=False, when=None)
    pending.set_steps([repair, migration])
    assert pending.steps() == (repair, migration)
    assert pending.data(pending.index(1, PendingModel.COL_STEP)) == "0009_add_event_sequences"
    assert pending.data(pending.index(0, PendingModel.COL_STATUS)) == engine.step_status(repair)
    assert pending.data(pending.index(1, PendingModel.COL_STATUS)) == "will run"
    assert pending.data(pending.index(0, PendingModel.COL_REASON)) == reason
    assert pending.data(pending.index(0, PendingModel.COL_REASON),
                        Qt.ItemDataRole.ToolTipRole) == reason
    cell = pending.index(0, PendingModel.COL_STEP)
    assert pending.data(cell, Qt.ItemDataRole.DecorationRole) is None
    assert pending.headerData(1, Qt.Orientation.Horizontal) == "Status"
    history = HistoryModel()
    history.set_rows([(3, "x", "2025-01-01", None, 12, "changed")])
    assert history.data(history.index(0, HistoryModel.COL_CHECKSUM)) == (
        "file changed since applied")
    assert history.data(history.index(0, HistoryModel.COL_METHOD)) == "by the app"
    assert history.data(history.index(0, HistoryModel.COL_DURATION)) == "12 ms"
    ledger = LedgerModel()
    ledger.set_ledger({"agents": [5, 3]})
    assert ledger.data(ledger.index(0, LedgerModel.COL_CHANGE)) == "-2"
    assert ledger.data(ledger.index(5, 0)) is None


def test_history_shows_checksum_status(qtbot, window, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, gui_files.tracked(tmp_path, 9))
    column = HistoryModel.COL_CHECKSUM
    values = {window.history_view.table_model.index(r, column).data() for r in range(10)}
    assert values == {"matches"}


# -- crashes and dialogs ------------------------------------------------------------------------


def test_uncaught_exception_is_logged_and_shown(window, prompts, caplog) -> None:
    saved = sys.excepthook
    try:
        install_excepthook(offscreen=False, prompts=prompts)
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = saved
    (report,) = prompts.asked("show_error")
    assert "ValueError: boom" in report.message and "Traceback" in report.detail
    assert "unhandled exception" in caplog.text
    assert window.isVisible()


def test_real_confirmation_defaults_to_cancel(qtbot, tmp_path: Path) -> None:
    """The real dialog (driven by a timer, so nothing blocks): Cancel is the default button."""
    from PySide6.QtCore import QTimer

    seen = {}

    def inspect_and_reject() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["default"] = box.defaultButton().text()
        seen["confirm"] = box.findChild(QPushButton, "confirmButton").text()
        seen["text"] = box.informativeText()
        box.reject()

    QTimer.singleShot(0, inspect_and_reject)
    summary = UpgradeSummary(tmp_path / "database.db", "legacy v5", "v18", 19, tmp_path)
    assert Prompts().confirm_upgrade(None, summary) is False
    assert "Cancel" in seen["default"]
    assert seen["confirm"] == "Back up and upgrade"
    assert "legacy v5 → v18" in seen["text"] and str(tmp_path) in seen["text"]


@pytest.mark.slow
def test_screenshot_command_line(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "sqlmig_gui.app", "--demo", "--screenshot", str(out)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert run.returncode == 0, run.stderr
    assert out.stat().st_size > 10_000
