"""Back up and upgrade from the window: progress in order, cancel, failure, close during a run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import gui_files
from gui_files import open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

import engine


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _start(qtbot, window) -> None:
    with qtbot.waitSignal(window.controller.runStarted, timeout=10_000):
        qtbot.mouseClick(window.upgrade_flow.upgrade_button, Qt.MouseButton.LeftButton)


def _wait_heartbeat(qtbot, window) -> None:
    """Wait until the long statement is running (the engine sent a heartbeat)."""
    with qtbot.waitSignal(
        window.controller.runEvent,
        timeout=30_000,
        check_params_cb=lambda event: isinstance(event, engine.HeartbeatEvent),
    ):
        pass


def test_full_upgrade_of_the_legacy_demo(qtbot, window, prompts, tmp_path: Path) -> None:
    path = gui_files.legacy_demo(tmp_path)
    open_and_wait(qtbot, window, path)
    events: list[object] = []
    values: list[tuple[str, int]] = []
    window.controller.runEvent.connect(events.append)
    window.run_panel.progressChanged.connect(lambda phase, v, m: values.append((phase, v)))
    _start(qtbot, window)
    (summary,) = prompts.asked("confirm_upgrade")
    assert summary.file == path and summary.from_label == "legacy v5" and summary.to_label == "v18"
    assert "All or nothing" in summary.text() and str(path.parent) in summary.text()
    assert window.run_panel.isVisible() and window.progress_bar.isVisible()
    assert not window.result_panel.isVisible()
    assert not window.upgrade_flow.upgrade_button.isEnabled() and window.cancel_button.isEnabled()
    with qtbot.waitSignal(window.runShown, timeout=60_000):
        pass
    # The events arrived in the engine's order: plan, backup, steps, checks, done.
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "PlanEvent" and kinds[-1] == "DoneEvent"
    first = {k: kinds.index(k) for k in set(kinds)}
    assert first["PlanEvent"] < first["BackupEvent"] < first["StepStartEvent"]
    assert first["StepStartEvent"] < first["StatementEvent"] < first["StepEndEvent"]
    last_step_end = len(kinds) - 1 - kinds[::-1].index("StepEndEvent")
    assert last_step_end < len(kinds) - 1 - kinds[::-1].index("VerifyEvent")
    statements = [v for phase, v in values if phase == "statements"]
    assert statements == sorted(statements)  # the statement count only goes up
    assert statements[-1] == window.run_panel.total > 0
    assert [p for p, _v in values].index("backup") < len(values) - 1
    # The result panel: from → to, checks, ledger, backup.
    panel = window.result_panel
    assert panel.isVisible() and not window.run_panel.isVisible()
    assert panel.headline.text() == "Upgraded database.db: legacy v5 → v18."
    assert panel.versions.text() == "Version: legacy v5 → v18"
    checks = panel.checks.text()
    assert "passed — quick_check" in checks and "passed — ledger" in checks
    assert "FAILED" not in checks
    assert "no table lost rows" in panel.ledger_line.text()
    assert panel.ledger_model.rowCount() > 5
    backup = panel.summary.backup
    assert backup is not None and backup.exists() and backup.parent == path.parent
    assert str(backup) in panel.backup.text()
    # Copy report puts a plain-text report on the clipboard.
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    report = QGuiApplication.clipboard().text()
    assert "Result: Upgraded database.db" in report and str(backup) in report
    qtbot.mouseClick(panel.open_folder_button, Qt.MouseButton.LeftButton)
    assert prompts.asked("open_folder") == [path.parent]
    # The header is refreshed from the file as it is now.
    qtbot.waitUntil(lambda: window.badge.text() == "Up to date (v18)", timeout=30_000)
    assert "migration(s) recorded" in window.log_view.text()


def test_declining_the_confirmation_changes_nothing(qtbot, window, prompts, tmp_path) -> None:
    path = gui_files.legacy_demo(tmp_path)
    open_and_wait(qtbot, window, path)
    before = _digest(path)
    prompts.confirm = False
    qtbot.mouseClick(window.upgrade_flow.upgrade_button, Qt.MouseButton.LeftButton)
    assert not window.controller.is_running()
    assert not window.run_panel.isVisible()
    assert _digest(path) == before
    assert list(path.parent.glob("*.sqlmig-backup*")) == []


def test_cancel_mid_run_leaves_the_file_unchanged(qtbot, make_window, tmp_path: Path) -> None:
    migrations = gui_files.slow_migrations(tmp_path / "migrations")
    window = make_window(migrations)
    path = gui_files.slow_file(tmp_path / "db", migrations)
    open_and_wait(qtbot, window, path)
    before = _digest(path)
    _start(qtbot, window)
    _wait_heartbeat(qtbot, window)
    qtbot.waitUntil(lambda: "running for" in window.run_panel.step.text(), timeout=5_000)
    assert window.progress_bar.format() == "%v of %m statements"
    with qtbot.waitSignal(window.runShown, timeout=30_000):
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    headline = window.result_panel.headline.text()
    backup = window.result_panel.summary.backup
    assert headline == f"Cancelled: the file is unchanged (still v0); backup kept at {backup}."
    assert backup is not None and backup.exists()
    assert _digest(path) == before
    assert not window.controller.is_running()


def test_cancel_from_the_keyboard(qtbot, make_window, tmp_path: Path) -> None:
    migrations = gui_files.slow_migrations(tmp_path / "migrations")
    window = make_window(migrations)
    path = gui_files.slow_file(tmp_path / "db", migrations)
    open_and_wait(qtbot, window, path)
    before = _digest(path)
    window.upgrade_flow.upgrade_action.trigger()  # Ctrl+U
    _wait_heartbeat(qtbot, window)
    assert window.upgrade_flow.cancel_action.shortcut().toString() == "Esc"
    with qtbot.waitSignal(window.runShown, timeout=30_000):
        window.upgrade_flow.cancel_action.trigger()
    assert window.result_panel.headline.text().startswith("Cancelled: the file is unchanged")
    assert _digest(path) == before


def test_failing_migration_is_an_error_and_the_file_is_unchanged(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window(gui_files.failing_migrations(tmp_path / "migrations"))
    path = gui_files.fresh(tmp_path / "db")
    open_and_wait(qtbot, window, path)
    before = _digest(path)
    _start(qtbot, window)
    with qtbot.waitSignal(window.runShown, timeout=30_000):
        pass
    panel = window.result_panel
    assert panel.property("ok") == "false"
    assert panel.headline.text().startswith("Upgrade failed: Migration 0001_broken.sql failed")
    assert "no such table: no_such_table" in panel.headline.text()
    assert "unchanged" in panel.headline.text()
    assert panel.hint.text()  # what to do, in words
    assert not panel.details.isVisible()
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    assert panel.details.isVisible()
    assert "migration_failed" in panel.details.toPlainText()
    assert "line 4" in panel.details.toPlainText()
    assert _digest(path) == before
    qtbot.waitUntil(lambda: window.badge.state == "fresh", timeout=30_000)


def test_close_during_a_run_asks_cancels_and_waits(qtbot, make_window, prompts, tmp_path) -> None:
    migrations = gui_files.slow_migrations(tmp_path / "migrations")
    window = make_window(migrations)
    path = gui_files.slow_file(tmp_path / "db", migrations)
    open_and_wait(qtbot, window, path)
    before = _digest(path)
    _start(qtbot, window)
    _wait_heartbeat(qtbot, window)
    prompts.close_during_run = False
    assert not window.close()  # "keep running"
    assert window.controller.is_running()
    prompts.close_during_run = True
    threads = [t for t, _w in window.controller._jobs.values()]
    assert window.close()
    assert prompts.asked("confirm_close_during_run") == [None, None]
    assert all(t.isFinished() for t in threads)  # waited for the worker: no running thread left
    assert _digest(path) == before


def test_restore_the_backup_after_an_upgrade(qtbot, window, prompts, tmp_path: Path) -> None:
    path = gui_files.tracked(tmp_path, 9)
    open_and_wait(qtbot, window, path)
    _start(qtbot, window)
    with qtbot.waitSignal(window.runShown, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: window.badge.text() == "Up to date (v18)", timeout=30_000)
    with qtbot.waitSignal(window.inspectionShown, timeout=60_000):
        qtbot.mouseClick(window.result_panel.restore_button, Qt.MouseButton.LeftButton)
    assert window.badge.text() == "Tracked v9 — 9 migrations pending"
    assert prompts.asked("confirm_restore_version") == ["v18"]  # the version it replaces
    (message,) = prompts.asked("show_info")
    assert "The file it replaced (v18) was kept as" in message
