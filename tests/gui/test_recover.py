"""The window calls a file with a hot journal "Interrupted" and offers Recover (hardening item
14, SPEC §7.22): the engine rolls the cut-off write back on a worker, the window says so and
inspects the file again."""

from __future__ import annotations

from pathlib import Path

from gui_files import open_and_wait
from helpers import journals


def test_an_interrupted_file_is_not_called_damaged(qtbot, window, tmp_path: Path) -> None:
    path = journals.hot_journal(tmp_path)
    before = path.read_bytes()
    open_and_wait(qtbot, window, path)
    assert window.badge.state == "interrupted"
    assert window.badge.text() == "Interrupted — needs recovery"
    assert "Damaged" not in window.header.diagnosis.text()
    assert "run the upgrade" not in window.header.problems.text().lower()
    assert "Recover" in window.header.problems.text()
    assert window.recover_flow.recover_button.isVisible() and window.recover_flow.recover_button.isEnabled()
    assert window.recover_flow.recover_action.isEnabled()
    assert not window.upgrade_flow.upgrade_button.isEnabled()
    assert path.read_bytes() == before  # opening never writes


def test_recover_rolls_back_reports_and_reinspects(qtbot, window, prompts, tmp_path: Path) -> None:
    path = journals.hot_journal(tmp_path)
    open_and_wait(qtbot, window, path)
    with qtbot.waitSignal(window.recoverShown, timeout=30_000):
        window.recover_flow.recover()
    (message,) = prompts.asked("show_info")
    assert message.startswith("Rolled back the write that was cut off")
    qtbot.waitUntil(lambda: window.badge.state == "pending", timeout=30_000)
    assert window.badge.text() == "Tracked v9 — 9 migrations pending"
    assert not window.recover_flow.recover_button.isVisible()
    assert "Rolled back the write that was cut off" in window.log_view.text()
    assert journals.worlds(path) == journals.ROWS_BEFORE


def test_recover_is_only_offered_for_an_interrupted_file(qtbot, window, tmp_path: Path) -> None:
    from gui_files import tracked

    open_and_wait(qtbot, window, tracked(tmp_path, 9))
    assert not window.recover_flow.recover_action.isEnabled()
    assert not window.recover_flow.recover_button.isVisible()
