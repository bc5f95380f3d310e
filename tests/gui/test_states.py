"""The header names each state in words, with a colour and an icon, on real files."""

from __future__ import annotations

from pathlib import Path

import gui_files
import pytest
from gui_files import open_and_wait


def _texts(window):
    return window.badge.state, window.badge.text()


def test_badge_says_inspecting_while_the_file_is_read(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.legacy_demo(tmp_path)
    with qtbot.waitSignal(window.inspectionShown, timeout=30_000):
        window.open_file(path)
        assert window.badge.state == "busy"
        assert window.badge.text() == f"Inspecting {path.name}…"
        assert not window.upgrade_flow.upgrade_button.isEnabled()
    assert window.badge.state == "legacy"


def test_legacy_demo_file(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.legacy_demo(tmp_path)
    before = path.read_bytes()
    open_and_wait(qtbot, window, path)
    assert _texts(window) == ("legacy", "Legacy v5 — needs upgrade")
    assert window.header.versions.text() == "legacy v5 → v18"
    assert "user_version 5" in window.header.diagnosis.text()
    assert "journal mode wal" in window.header.facts.text()
    assert window.header.name.text() == "database.db"
    steps = window.pending_view.steps()
    assert window.pending_view.table_model.rowCount() == len(steps)
    assert [s.version for s in steps if s.kind == "migrate"] == list(range(19))
    assert {s.kind for s in steps} == {"migrate", "repair"}  # the bridge's repair scripts too
    assert window.upgrade_flow.upgrade_button.isEnabled()
    assert path.read_bytes() == before  # opening never writes


def test_tracked_file_with_pending_migrations(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.tracked(tmp_path, 9)
    open_and_wait(qtbot, window, path)
    assert _texts(window) == ("pending", "Tracked v9 — 9 migrations pending")
    assert window.header.versions.text() == "v9 → v18"
    assert window.pending_view.table_model.rowCount() == 9
    assert window.history_view.table_model.rowCount() == 10
    assert window.upgrade_flow.upgrade_button.isEnabled()


def test_up_to_date_file(qtbot, window, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, gui_files.tracked(tmp_path, None))
    assert _texts(window) == ("ok", "Up to date (v18)")
    assert window.pending_view.table_model.rowCount() == 0
    assert window.pending_view.sql_preview.placeholderText().startswith("Nothing to run.")
    assert not window.upgrade_flow.upgrade_button.isEnabled()


def test_fresh_file(qtbot, window, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, gui_files.fresh(tmp_path))
    assert _texts(window) == ("fresh", "Empty file — 19 migrations to create the schema")
    assert window.upgrade_flow.upgrade_button.isEnabled()


def test_ahead_file_is_refused(qtbot, window, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, gui_files.ahead(tmp_path))
    assert _texts(window) == ("ahead", "Newer than this tool (v25)")
    refusal = window.controller.look.assessment.refusal
    assert refusal.code == "ahead"
    assert refusal.message in window.pending_view.sql_preview.placeholderText()
    assert not window.upgrade_flow.upgrade_button.isEnabled()
    assert not window.upgrade_flow.upgrade_action.isEnabled()


def test_foreign_file_is_refused(qtbot, window, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, gui_files.foreign(tmp_path))
    assert _texts(window) == ("foreign", "Not an agent-world database")
    assert not window.upgrade_flow.upgrade_button.isEnabled()


def test_damaged_file(qtbot, window, tmp_path: Path) -> None:
    path = gui_files.damaged(tmp_path)
    before = path.read_bytes()
    open_and_wait(qtbot, window, path)
    # Not SQLite at all (a plain text file): nothing is broken, so no red "Damaged" (issue 13).
    assert _texts(window) == ("foreign", "Not a database")
    assert "not a SQLite database" in window.header.diagnosis.text()
    assert not window.upgrade_flow.upgrade_button.isEnabled()
    assert path.read_bytes() == before


def test_missing_file_is_a_sentence_not_a_crash(qtbot, window, prompts, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, tmp_path / "nowhere.db")
    (report,) = prompts.asked("show_error")
    assert "nowhere.db" in report.message
    assert window.badge.text() == "Cannot open"
    assert not window.upgrade_flow.upgrade_button.isEnabled()


@pytest.mark.fixtures
@pytest.mark.parametrize(
    ("fixture", "badge"),
    [
        ("legacy-v5-2aafd789-fresh", ("legacy", "Legacy v5 — needs upgrade")),
        ("legacy-v1-2e385254-fresh", ("legacy", "Legacy v1 — needs upgrade")),
        ("tracked-8d121597-fresh", ("pending", "Tracked v9 — 9 migrations pending")),
        ("tracked-458d539e-fresh", ("ok", "Up to date (v18)")),
    ],
)
def test_real_fixture_badges(qtbot, window, fixture_copy, fixture, badge) -> None:
    path = fixture_copy(fixture)
    before = path.read_bytes()
    open_and_wait(qtbot, window, path)
    assert _texts(window) == badge
    assert path.read_bytes() == before


def test_selected_migration_shows_its_sql(qtbot, window, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, gui_files.tracked(tmp_path, 9))
    window.pending_view.table.selectRow(1)
    text = window.pending_view.sql_preview.toPlainText()
    assert text.startswith("-- 0011_")
    assert "CREATE INDEX" in text.upper()
    assert window.pending_view.sql_preview.objectName() == "sqlPreview"


def test_a_repair_script_is_previewed_with_its_reason_and_sql(qtbot, window, tmp_path) -> None:
    open_and_wait(qtbot, window, gui_files.index_dropped(tmp_path))
    assert window.badge.state == "pending"
    assert window.badge.text().startswith("Tracked v18 — ") and "repair" in window.badge.text()
    assert window.header.versions.text() == "v18 → v18"
    labels = [s.label for s in window.pending_view.steps()]
    window.pending_view.table.selectRow(labels.index("35_add_missing_reply_to_index"))
    text = window.pending_view.sql_preview.toPlainText()
    assert text.startswith("-- 35_add_missing_reply_to_index (repair")
    assert "idx_agent_memory_reply_to is missing" in text
    assert "CREATE INDEX IF NOT EXISTS idx_agent_memory_reply_to" in text
