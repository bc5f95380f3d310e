"""What the result panel and the copied report say comes from the run, never from an old look."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from builders.legacy import build_legacy
from gui_files import open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

import engine
from sqlmig_gui.widgets.result_panel import summarise


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _legacy(folder: Path, era: str, name: str = "database.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return build_legacy(folder / name, era=era).path


def _backups(folder: Path) -> list[Path]:
    # The backups themselves, not their origin sidecars (`<backup>.json`).
    return sorted(p for p in folder.glob("*.sqlmig-backup*") if p.suffix != ".json")


def _upgrade_and_wait(qtbot: Any, window: Any) -> Any:
    """Click "Back up and upgrade", wait for the result panel; returns the engine's result."""
    results: list[Any] = []
    window.controller.runFinished.connect(results.append)
    with qtbot.waitSignal(window.runShown, timeout=60_000):
        qtbot.mouseClick(window.upgrade_flow.upgrade_button, Qt.MouseButton.LeftButton)
    window.controller.runFinished.disconnect(results.append)
    (result,) = results
    return result


def _copied_report(qtbot: Any, window: Any) -> str:
    qtbot.mouseClick(window.result_panel.copy_button, Qt.MouseButton.LeftButton)
    return QGuiApplication.clipboard().text()


def _wait_header(qtbot: Any, window: Any, check: Any) -> None:
    def shown() -> bool:
        look = window.controller.look
        return look is not None and check(look.inspection)

    qtbot.waitUntil(shown, timeout=30_000)


def test_a_file_upgraded_behind_the_windows_back_is_not_claimed(qtbot, window, tmp_path) -> None:
    path = _legacy(tmp_path / "db", "F11")  # legacy user_version 7
    open_and_wait(qtbot, window, path)
    assert window.badge.state == "legacy"
    assert engine.upgrade(path, backup=False).ok  # the CLI (or a second window) upgrades it
    before = _digest(path)
    result = _upgrade_and_wait(qtbot, window)
    assert result.error is not None and result.error.code == "changed_since_inspection"
    panel = window.result_panel
    assert panel.property("ok") != "true"
    assert not panel.headline.text().startswith("Upgraded")
    assert "changed since it was opened" in panel.headline.text()
    assert "up to date (v18)" in panel.headline.text()
    assert panel.versions.text() == "Version: v18 → v18"
    assert panel.backup.text() == "No backup was made."
    assert not panel.restore_button.isEnabled()
    assert "changed since it was opened" in window.log_view.text()
    assert _digest(path) == before and _backups(path.parent) == []
    # The header is refreshed from the file as it is now.
    qtbot.waitUntil(lambda: window.badge.text() == "Up to date (v18)", timeout=30_000)
    assert not window.upgrade_flow.upgrade_button.isEnabled()
    report = _copied_report(qtbot, window)
    assert "Upgraded" not in report
    assert "Result: Not upgraded:" in report and "Version: v18 → v18" in report
    assert "Backup: none" in report


def test_a_file_replaced_by_another_database_is_refused_then_reported_truly(
    qtbot, window, tmp_path
) -> None:
    path = _legacy(tmp_path / "db", "F11")  # the window shows legacy v7
    open_and_wait(qtbot, window, path)
    other = _legacy(tmp_path / "elsewhere", "F4")  # legacy user_version 2
    os.replace(other, path)
    before = _digest(path)
    result = _upgrade_and_wait(qtbot, window)
    assert result.error is not None and result.error.code == "changed_since_inspection"
    assert "legacy v7" not in window.result_panel.versions.text()
    assert window.result_panel.versions.text() == "Version: legacy v2 → legacy v2"
    assert _digest(path) == before and _backups(path.parent) == []
    _wait_header(qtbot, window, lambda i: i.user_version == 2)
    # Now that the window shows the file as it is, the upgrade runs and says what it did.
    result = _upgrade_and_wait(qtbot, window)
    assert result.ok, result.error
    panel = window.result_panel
    assert panel.property("ok") == "true"
    assert panel.headline.text() == "Upgraded database.db: legacy v2 → v18."
    (backup,) = _backups(path.parent)
    assert ".v2.sqlmig-backup" in backup.name and panel.summary.backup == backup
    report = _copied_report(qtbot, window)
    assert "Version: legacy v2 → v18" in report and f"Backup: {backup}" in report


def test_the_report_lists_each_check_before_the_run_once_with_the_runs_date(
    qtbot, window, tmp_path
) -> None:
    path = _legacy(tmp_path / "db", "F11")
    open_and_wait(qtbot, window, path)
    result = _upgrade_and_wait(qtbot, window)
    assert result.ok, result.error
    report = _copied_report(qtbot, window)
    assert f"Date: {result.started_at:%Y-%m-%d %H:%M:%S %z}" in report
    lines = report.splitlines()
    before = lines[lines.index("  Before the run:") + 1: lines.index("  After the migrations:")]
    names = [line.split("]", 1)[1].split(":", 1)[0].strip() for line in before]
    assert names == [c.name for c in result.checks if c.phase == "before"]
    assert len(names) == len(set(names)) and "quick_check" in names
    after = lines[lines.index("  After the migrations:") + 1:]
    assert any("quick_check" in line for line in after)  # the result's own check
    panel_lines = window.result_panel.checks.text().splitlines()
    # Once in the collapsed line of the checks before the run, once as the result's own check.
    assert sum("quick_check" in line for line in panel_lines) == 2
    assert "Version: legacy v7 → v18" in report


def test_a_run_that_applied_nothing_is_not_called_an_upgrade(tmp_path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "app.db"
    path.touch()
    assert engine.upgrade(path, backup=False).ok
    result = engine.upgrade(path)  # nothing to do: ok, but nothing was upgraded
    assert result.ok and not result.applied
    summary = summarise(result)
    assert not summary.headline.startswith("Upgraded")
    assert "Nothing to do" in summary.headline
    assert (summary.outcome.from_label, summary.outcome.to_label) == ("v18", "v18")
    assert "Upgraded" not in summary.report()
