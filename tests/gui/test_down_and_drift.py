"""The window's developer tools: "Roll back to…" (the engine's confirmation and refusal rules,
on a worker), drift marked in the History tab with the diff on selection, the audit trail."""

from __future__ import annotations

import shutil
import sqlite3
from itertools import pairwise
from pathlib import Path
from typing import Any

import gui_files
from gui_files import open_and_wait

import engine


def _roll_back(qtbot: Any, window: Any) -> None:
    with qtbot.waitSignal(window.runShown, timeout=60_000):
        window.down_flow.down_action.trigger()


def test_roll_back_to_a_version_after_confirming(qtbot, window, prompts, tmp_path: Path) -> None:
    path = gui_files.tracked(tmp_path, version=18)
    open_and_wait(qtbot, window, path)
    assert window.down_flow.down_action.isEnabled()
    prompts.down_target = 12

    _roll_back(qtbot, window)

    assert prompts.asked("choose_down_target") == [18]
    [(question, details)] = prompts.asked("confirm_down")
    assert "from v18 to v12" in question and "0018, 0017" in details
    assert engine.inspect_file(path).current_version == 12
    [message] = prompts.asked("show_info")
    assert message.startswith("Rolled back from v18 to v12: 6 migration(s) reverted")
    assert list(tmp_path.glob("*.sqlmig-backup*"))  # a verified backup came first


def test_data_loss_is_named_and_runs_only_after_a_second_yes(
    qtbot, window, prompts, tmp_path: Path
) -> None:
    path = gui_files.tracked(tmp_path, version=18)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO worlds (id, name, variables) VALUES ('w', 'W', 'a=1')")
    conn.close()
    open_and_wait(qtbot, window, path)
    prompts.down_target = 12
    prompts.down_confirm = [True, False]
    before = path.read_bytes()

    _roll_back(qtbot, window)

    questions = [q for q, _ in prompts.asked("confirm_down")]
    assert len(questions) == 2
    assert "column worlds.variables holds 1 non-NULL value(s)" in questions[1]
    assert path.read_bytes() == before

    prompts.down_confirm = [True, True]
    qtbot.waitUntil(window.down_flow.down_action.isEnabled, timeout=30_000)  # file read again
    _roll_back(qtbot, window)  # refused, asked again, yes: run with the data dropped
    assert len(prompts.asked("confirm_down")) == 4
    assert engine.inspect_file(path).current_version == 12


def test_history_tab_marks_drift_shows_the_diff_and_the_audit_trail(
    qtbot, make_window, tmp_path: Path
) -> None:
    folder = tmp_path / "m"
    shutil.copytree(engine.bundled_migrations(), folder,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = tmp_path / "app.db"
    path.touch()
    assert engine.upgrade(path, engine.load_catalog(folder), backup=False).ok
    edited = folder / "0016_add_world_heartbeat.sql"
    edited.write_text(edited.read_text().replace("heartbeat_prompt TEXT", "heartbeat_prompt BLOB"))
    window = make_window(folder)

    with qtbot.waitSignal(window.controller.historyLoaded, timeout=30_000):
        window.open_file(path)

    model = window.history_view.table_model
    column = model.COL_CHECKSUM
    marked = [model.index(r, column).data() for r in range(model.rowCount())]
    assert marked[16].startswith(model.DRIFT_MARK) and not marked[15].startswith(model.DRIFT_MARK)
    window.history_view.selectRow(16)
    diff = window.history_tab.diff_view.toPlainText()
    assert "-ALTER TABLE worlds ADD COLUMN heartbeat_prompt TEXT;" in diff
    assert "+ALTER TABLE worlds ADD COLUMN heartbeat_prompt BLOB;" in diff
    audit = window.history_tab.audit.table_model
    assert audit.rowCount() == 19
    assert audit.index(0, audit.COL_KIND).data() == "applied"


def test_a_run_s_last_sentence_is_logged_once(qtbot, window, prompts, tmp_path: Path) -> None:
    """The done event's sentence reaches the Log tab once, for an upgrade and for a roll back."""
    path = gui_files.tracked(tmp_path, version=12)
    open_and_wait(qtbot, window, path)
    with qtbot.waitSignal(window.runShown, timeout=60_000):
        window.upgrade_flow.upgrade()
    open_and_wait(qtbot, window, path)
    prompts.down_target = 12
    _roll_back(qtbot, window)
    sentences = [line.split("  ", 1)[-1] for line in window.log_view.text().splitlines()]
    repeated = [a for a, b in pairwise(sentences) if a == b]
    assert not repeated, repeated
    assert sum(s.startswith("Rolled back from v18 to v12") for s in sentences) == 1
