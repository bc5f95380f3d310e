"""The support day in the window (issue 13): the Backups tab (restore, delete), Export report,
Compact, the log file, the About box, and the polish items that can be tested offscreen."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import gui_files
from gui_files import open_and_wait
from PySide6.QtCore import QItemSelectionModel, QMimeData, QSize, Qt, QUrl
from PySide6.QtGui import QAction

import engine
from sqlmig_gui.about import about_text
from sqlmig_gui.logfile import start_log_file, stop_log_file


def _dump(path: Path) -> list[str]:
    """The file's whole content as SQL (schema and every row)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return list(conn.iterdump())


def _upgrade(qtbot, window) -> engine.UpgradeResult:
    with qtbot.waitSignal(window.controller.runFinished, timeout=60_000) as done:
        window.upgrade_flow.upgrade()
    with qtbot.waitSignal(window.inspectionShown, timeout=30_000):
        pass  # the window re-reads the file after the run
    return done.args[0]


def _listed(qtbot, window, count: int) -> list[engine.BackupInfo]:
    """The Backups tab once it lists `count` backups (lists asked for earlier may arrive first)."""
    qtbot.waitUntil(lambda: len(window.backups_view.model.backups) == count, timeout=10_000)
    return list(window.backups_view.model.backups)


def _select(window, rows: list[int]) -> None:
    table = window.backups_view.table
    table.clearSelection()
    flags = (QItemSelectionModel.SelectionFlag.Select
             | QItemSelectionModel.SelectionFlag.Rows)
    for row in rows:
        table.selectionModel().select(window.backups_view.model.index(row, 0), flags)


def test_restore_from_the_backups_tab_brings_back_the_backups_content(
    qtbot, window, prompts, tmp_path: Path
) -> None:
    path = gui_files.legacy_demo(tmp_path)
    legacy_content = _dump(path)
    open_and_wait(qtbot, window, path)
    result = _upgrade(qtbot, window)
    assert result.ok and _dump(path) != legacy_content
    (backup,) = _listed(qtbot, window, 1)
    assert backup.path == result.backup and backup.version == 5
    assert window.backups_view.table.objectName() == "backupsTable"
    assert "1 backup(s)" in window.backups_view.summary.text()
    # Cancelling the confirmation changes nothing.
    _select(window, [0])
    prompts.restore = False
    qtbot.mouseClick(window.backups_view.restore_button, Qt.MouseButton.LeftButton)
    assert not window.controller.is_running() and _dump(path) != legacy_content
    prompts.restore = True
    with qtbot.waitSignal(window.controller.restoreFinished, timeout=30_000) as restored:
        qtbot.mouseClick(window.backups_view.restore_button, Qt.MouseButton.LeftButton)
    assert prompts.asked("confirm_restore")[-1] == backup.path
    assert _dump(path) == legacy_content == _dump(backup.path)
    # What it replaced is kept, and listed once the window has re-read the file.
    kept = restored.args[0].replaced_copy
    qtbot.waitUntil(lambda: kept in [b.path for b in window.backups_view.model.backups],
                    timeout=30_000)
    assert {b.version for b in window.backups_view.model.backups} == {5, 18}
    # The old "Upgraded" panel does not stay beside the restored file, nor its report.
    assert window.result_panel.summary is None and not window.result_panel.isVisible()
    assert not window.after_run.copy_action.isEnabled()
    qtbot.waitUntil(lambda: window.badge.state == "legacy", timeout=30_000)


def test_deleting_old_backups_asks_first_and_deletes_only_the_chosen(
    qtbot, window, prompts, tmp_path: Path
) -> None:
    path = gui_files.legacy_demo(tmp_path)
    first, second = engine.backup(path), engine.backup(path)
    open_and_wait(qtbot, window, path)
    assert len(_listed(qtbot, window, 2)) == 2
    row = [b.path for b in window.backups_view.model.backups].index(first.path)
    _select(window, [row])
    prompts.delete = False
    qtbot.mouseClick(window.backups_view.delete_button, Qt.MouseButton.LeftButton)
    assert first.path.exists()
    prompts.delete = True
    with qtbot.waitSignal(window.controller.backupsDeleted, timeout=10_000):
        qtbot.mouseClick(window.backups_view.delete_button, Qt.MouseButton.LeftButton)
    assert prompts.asked("confirm_delete_backups") == [[first.path], [first.path]]
    assert not first.path.exists() and second.path.exists()
    qtbot.waitUntil(lambda: [b.path for b in window.backups_view.model.backups] == [second.path],
                    timeout=10_000)


def test_export_report_writes_json_and_text_that_read_back(
    qtbot, window, prompts, tmp_path: Path
) -> None:
    path = gui_files.legacy_demo(tmp_path)
    open_and_wait(qtbot, window, path)
    events: list[object] = []
    window.controller.runEvent.connect(events.append)
    result = _upgrade(qtbot, window)
    prompts.report_answer = tmp_path / "ticket.json"
    action = window.findChild(QAction, "exportReportAction")
    assert action is not None and action.isEnabled()
    action.trigger()
    assert prompts.asked("save_report") == [path.with_name("database.sqlmig-report.json")]
    data = json.loads((tmp_path / "ticket.json").read_text(encoding="utf-8"))
    done = events[-1].to_json()
    done.pop("t")
    assert data["done"] == done  # the run's final event, as `upgrade --json` prints it
    assert data["versions"]["Qt"] and data["versions"]["PySide6"] and data["versions"]["sqlmig"]
    assert any("Back up and upgrade" in line for line in data["log"])
    assert data["backup"] == str(result.backup) and data["to_version"] == 18
    text = (tmp_path / "ticket.txt").read_text(encoding="utf-8")
    assert text.startswith("sqlmig upgrade report\n") and f"Backup: {result.backup}" in text
    assert "Qt " in text and "PySide6 " in text and "\nLog:\n" in text


def test_compact_from_the_window(qtbot, window, prompts, tmp_path: Path) -> None:
    path = tmp_path / "spacious.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE old (body TEXT)")
        conn.executemany("INSERT INTO old VALUES (?)", [("x" * 900,)] * 2000)
        conn.commit()
        conn.execute("DROP TABLE old")
        conn.commit()
    before = path.stat().st_size
    open_and_wait(qtbot, window, path)
    prompts.compact = False
    window.compact_flow.compact_action.trigger()
    assert path.stat().st_size == before and not window.controller.is_running()
    prompts.compact = True
    with qtbot.waitSignal(window.controller.compactFinished, timeout=30_000) as done:
        window.compact_flow.compact_action.trigger()
    assert done.args[0].bytes_before == before and path.stat().st_size < before // 4
    assert done.args[0].backup.exists() and done.args[0].backup.stat().st_size == before
    assert "Compacted" in window.log_view.text()


def test_a_run_that_leaves_free_pages_offers_compact(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.legacy_demo(tmp_path)
    open_and_wait(qtbot, window, path)
    result = _upgrade(qtbot, window)
    panel = window.result_panel
    assert result.space is not None and panel.space.text().startswith("File now: ")
    assert panel.compact_button.isHidden() != engine.worth_compacting(result.space)


def test_the_log_goes_to_a_file(qtbot, window, tmp_path: Path) -> None:
    log_file = start_log_file(tmp_path / "logs")
    try:
        window.log_view.add("a line for the support ticket")
        window.log_view.flush()
    finally:
        stop_log_file(log_file)
    assert log_file == tmp_path / "logs" / "sqlmig.log"
    assert "a line for the support ticket" in log_file.read_text(encoding="utf-8")


def test_help_menu_about_and_log_folder(window, prompts) -> None:
    window.findChild(QAction, "aboutAction").trigger()
    (text,) = prompts.asked("show_about")
    assert text == about_text()
    for name in ("sqlmig", "Python", "SQLite", "Qt", "PySide6"):
        assert f"\n{name} " in text
    assert sqlite3.sqlite_version in text
    window.findChild(QAction, "openLogFolderAction").trigger()
    (folder,) = prompts.asked("open_folder")
    assert folder.name.lower() in ("log", "logs", "sqlmig")


# -- polish --------------------------------------------------------------------------------------


def test_a_long_path_never_widens_the_window(qtbot, window, tmp_path: Path) -> None:
    deep = tmp_path / ("a-very-long-folder-name-" * 8) / ("and-another-" * 8)
    path = gui_files.tracked(deep)
    long_name = path.with_name("x" * 180 + ".db")
    path.rename(long_name)
    window.resize(900, 650)
    open_and_wait(qtbot, window, long_name)
    qtbot.waitUntil(lambda: window.width() <= 900)
    header = window.header
    assert header.folder.text() == f"Folder: {long_name.parent}"  # whole, for tests and Copy
    assert "…" in header.folder.shown_text() and "…" in header.name.shown_text()
    assert header.name.toolTip() == str(long_name)
    assert header.folder.fontMetrics().horizontalAdvance(header.folder.shown_text()) <= (
        header.folder.width() + 2)


def test_a_long_file_name_widens_no_tab(qtbot, window, tmp_path: Path) -> None:
    """A readable file with a 180-character name: every tab shown, a comparison made, the
    window keeps its width (labels cut the name, they do not ask for room)."""
    path = gui_files.tracked(tmp_path)
    long_name = path.with_name("y" * 180 + ".db")
    path.rename(long_name)
    window.resize(900, 650)
    open_and_wait(qtbot, window, long_name)
    view = window.diff_view
    with qtbot.waitSignal(view.diffShown, timeout=30_000):
        view.compare(None)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda: window.width() <= 900)
        assert window.minimumSizeHint().width() <= 900, window.tabs.tabText(index)


def test_nothing_pending_after_an_upgrade(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.legacy_demo(tmp_path)
    open_and_wait(qtbot, window, path)
    assert window.pending_view.table.empty_text == ""
    _upgrade(qtbot, window)
    assert window.pending_view.table_model.rowCount() == 0
    assert window.pending_view.table.empty_text == "Nothing pending"


def test_tables_are_one_tab_stop(window) -> None:
    for table in (window.pending_view.table, window.history_view, window.tables_view,
                  window.backups_view.table, window.result_panel.ledger_view):
        assert not table.tabKeyNavigation(), table.objectName()


def test_open_recent_drops_deleted_files(qtbot, window, tmp_path: Path) -> None:
    kept, gone = gui_files.tracked(tmp_path / "a"), gui_files.tracked(tmp_path / "b")
    open_and_wait(qtbot, window, gone)
    open_and_wait(qtbot, window, kept)
    gone.unlink()
    window.opener._refresh_recent()
    assert window.opener.recent_files() == [str(kept)]
    shown = [a for a in window.opener.recent_actions if a.isVisible()]
    assert len(shown) == 1 and shown[0].toolTip() == str(kept)


def test_the_backup_folder_dialog_starts_in_the_files_folder(qtbot, window, prompts,
                                                             tmp_path: Path) -> None:
    path = gui_files.tracked(tmp_path / "data")
    open_and_wait(qtbot, window, path)
    window.backup_folder.choose()
    assert prompts.asked("choose_folder") == [path.parent]


def test_window_title_names_the_file(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.tracked(tmp_path)
    open_and_wait(qtbot, window, path)
    assert path.name in window.windowTitle() and window.windowFilePath() == str(path)


def test_several_dropped_files_go_to_open_many(qtbot, window, tmp_path: Path) -> None:
    first, second = gui_files.tracked(tmp_path / "a"), gui_files.tracked(tmp_path / "b")
    taken: list[list[Path]] = []
    window.open_many = taken.append  # the batch view's hook
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    assert window.opener.drop(mime)
    assert taken == [[first, second]]


def test_waiting_for_another_programs_lock_says_so_and_can_be_cancelled(
    qtbot, window, tmp_path: Path
) -> None:
    path = gui_files.legacy_demo(tmp_path)
    open_and_wait(qtbot, window, path)
    before = _dump(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is writing and keeps the lock
    try:
        with qtbot.waitSignal(window.controller.runStarted, timeout=10_000):
            window.upgrade_flow.upgrade()
        qtbot.waitUntil(lambda: "waiting for the file's write lock" in
                        window.run_panel.step.text(), timeout=9_000)
        assert " s. Cancel stops" in window.run_panel.step.text()
        with qtbot.waitSignal(window.controller.runFinished, timeout=30_000) as done:
            qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.args[0].error is not None and done.args[0].error.code == "cancelled"
    assert _dump(path) == before


def test_the_window_comes_back_at_its_logical_size(make_window, settings) -> None:
    """A geometry saved at 200 % holds device pixels; the logical size saved beside it wins."""
    first = make_window()
    first.resize(700, 500)
    first.close()
    assert settings.value("window/size") == QSize(700, 500)
    small = make_window()
    small.resize(350, 250)  # what the device-pixel geometry of a 200 % session comes back as
    settings.setValue("window/geometry", small.saveGeometry())
    again = make_window()
    assert again.size() == QSize(700, 500)


def test_the_result_panel_gives_way_at_800_by_600(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.legacy_demo(tmp_path)
    window.resize(800, 600)
    open_and_wait(qtbot, window, path)
    _upgrade(qtbot, window)
    qtbot.waitUntil(lambda: window.height() <= 600 and window.width() <= 800)
    assert window.splitter.indexOf(window.result_panel) == 0
    assert window.splitter.isCollapsible(0)
    window.splitter.setSizes([0, 10_000])  # collapsed by the user: the tabs get the room
    assert window.result_panel.visibleRegion().isEmpty()
    ledger = window.result_panel.ledger_view
    names = [ledger.model().index(r, 0).data() for r in range(ledger.model().rowCount())]
    widest = max(ledger.fontMetrics().horizontalAdvance(n) for n in names)
    assert ledger.columnWidth(0) >= widest  # "archive_statistics_legacy", never "agent_…"
    assert ledger.minimumHeight() >= ledger.verticalHeader().defaultSectionSize() * 8


def test_a_dialog_keeps_a_backup_path_on_one_line(qapp, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from sqlmig_gui.prompts import restore_question, room_for_paths

    backup = tmp_path / "database.20261207-063644.v5.sqlmig-backup.db"
    question, details = restore_question(tmp_path / "database.db", backup, "v18")
    box = QMessageBox(QMessageBox.Icon.Question, "Restore backup", question)
    box.setInformativeText(details)
    room_for_paths(box, details)
    box.show()
    try:
        line = box.fontMetrics().horizontalAdvance(f"Backup to restore: {backup}")
        most = box.screen().availableGeometry().width() * 3 // 4  # never wider than that
        assert box.width() >= min(line, most)
    finally:
        box.close()


def test_switching_to_a_dark_palette_reaches_every_widget(qtbot, qapp, window,
                                                          tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QWidget

    open_and_wait(qtbot, window, gui_files.legacy_demo(tmp_path))
    light = qapp.palette()
    dark = QPalette(light)
    for role, colour in ((QPalette.ColorRole.Window, "#2b2d31"),
                         (QPalette.ColorRole.WindowText, "#e8e8e8"),
                         (QPalette.ColorRole.Base, "#1e1f22"), (QPalette.ColorRole.Text, "#e8e8e8")):
        dark.setColor(role, QColor(colour))
    try:
        qapp.setPalette(dark)
        qtbot.waitUntil(lambda: window.header.name.palette().color(
            QPalette.ColorRole.WindowText).name() == "#e8e8e8", timeout=5_000)
        stale = [w.objectName() or type(w).__name__ for w in window.findChildren(QWidget)
                 if w.palette().color(QPalette.ColorRole.WindowText).name() != "#e8e8e8"]
        assert not stale
    finally:
        qapp.setPalette(light)
