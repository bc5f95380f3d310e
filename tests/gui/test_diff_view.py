"""The Schema diff tab: the file against its version or another file, the SQL copyable, and
"Rehearse on a copy" leaving the file's bytes as they were."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import gui_files
from gui_files import open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_drifted_file_shows_its_differences_and_the_sql_to_copy(qtbot, window, tmp_path) -> None:
    path = gui_files.tracked(tmp_path, None)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP INDEX idx_events_type")
        conn.commit()
    open_and_wait(qtbot, window, path)
    view = window.diff_view
    assert view.compare_button.isEnabled() and not view.copy_button.isEnabled()
    with qtbot.waitSignal(view.diffShown, timeout=30_000):
        _click(qtbot, view.compare_button)
    assert "against version 18: schemas differ" in view.against_label.text()
    text = view.text.toPlainText()
    assert "Index idx_events_type is missing." in text
    assert "CREATE INDEX idx_events_type ON events (type);" in text
    assert view.copy_button.isEnabled()
    _click(qtbot, view.copy_button)
    assert QGuiApplication.clipboard().text() == view.report.reconciliation.script()


def test_compare_with_another_file_asks_which(qtbot, window, prompts, tmp_path) -> None:
    path = gui_files.tracked(tmp_path / "a", None)
    other = gui_files.tracked(tmp_path / "b", 9)
    open_and_wait(qtbot, window, path)
    prompts.open_answer = other
    with qtbot.waitSignal(window.diff_view.diffShown, timeout=30_000):
        _click(qtbot, window.diff_view.compare_file_button)
    assert prompts.asked("open_file")
    assert f"against {other}: schemas differ" in window.diff_view.against_label.text()
    assert 'DROP TABLE "message_queue";' in window.diff_view.text.toPlainText()


def test_rehearse_on_a_copy_reports_and_leaves_the_file(qtbot, window, prompts, tmp_path) -> None:
    path = gui_files.tracked(tmp_path, 9)
    open_and_wait(qtbot, window, path)
    digest = _digest(path)
    events: list[object] = []
    window.controller.runEvent.connect(events.append)
    with qtbot.waitSignal(window.runShown, timeout=60_000):
        _click(qtbot, window.diff_view.rehearse_button)
    assert _digest(path) == digest
    assert not prompts.asked("confirm_upgrade")  # nothing is written: no confirmation needed
    checks = {getattr(e, "check", None) for e in events}
    assert "schema_changes" in checks
    assert window.result_panel.isVisible()
    assert window.result_panel.headline.text().startswith("Dry run: v9 → v18 ran on a temporary copy")


def test_opening_another_file_clears_the_comparison_and_names_the_new_file(
    qtbot, window, tmp_path
) -> None:
    first = gui_files.tracked(tmp_path / "a", None)
    with closing(sqlite3.connect(first)) as conn:
        conn.execute("DROP INDEX idx_events_type")
        conn.commit()
    second = gui_files.tracked(tmp_path / "b", None)
    view = window.diff_view
    open_and_wait(qtbot, window, first)
    assert first.name in view.against_label.text()  # never "Open a file" with a file open
    with qtbot.waitSignal(view.diffShown, timeout=30_000):
        _click(qtbot, view.compare_button)
    assert "idx_events_type" in view.text.toPlainText()

    open_and_wait(qtbot, window, second)

    assert view.text.toPlainText() == "" and view.report is None
    assert not view.copy_button.isEnabled()
    assert view.against_label.text().startswith(f"Compare {second.name} with")
