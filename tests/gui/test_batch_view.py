"""The Batch tab: add a folder or drop files, each assessed in the background; "Upgrade all that
need it" through the engine's worker processes, per-file results and the summary; Cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gui_files
import pytest
from helpers.batchfolder import fresh, mixed_folder, sha256, tracked
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QLabel, QPushButton, QTableView

import engine
from sqlmig_gui.main_window import MainWindow
from sqlmig_gui.views.batch_model import BatchModel

RUN_TIMEOUT = 180_000  # generous: worker processes start on a loaded machine


def widgets(window: MainWindow) -> dict[str, Any]:
    found = {name: window.findChild(QPushButton, name) for name in (
        "batchAddFolderButton", "batchUpgradeAllButton", "batchCancelButton")}
    found["batchTable"] = window.findChild(QTableView, "batchTable")
    found["batchSummary"] = window.findChild(QLabel, "batchSummary")
    assert all(found.values()), found
    return found


def add_folder(qtbot: Any, window: MainWindow, prompts: Any, folder: Path, files: int) -> None:
    prompts.open_answer = folder
    qtbot.mouseClick(widgets(window)["batchAddFolderButton"], Qt.MouseButton.LeftButton)
    model = window.batch_view.table_model
    qtbot.waitUntil(lambda: model.rowCount() == files and model.waiting() == 0, timeout=60_000)


def upgrade_all(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.batch_view.batchShown, timeout=RUN_TIMEOUT):
        qtbot.mouseClick(widgets(window)["batchUpgradeAllButton"], Qt.MouseButton.LeftButton)


def result_of(window: MainWindow, path: Path) -> str:
    entry = window.batch_view.table_model.entry_for(path)
    assert entry is not None, path
    return entry.result


def test_a_mixed_folder_is_assessed_then_upgraded_with_a_summary(
    qtbot: Any, window: MainWindow, prompts: Any, tmp_path: Path
) -> None:
    files = mixed_folder(tmp_path / "support")
    untouched = {name: sha256(files[name]) for name in ("ahead", "damaged")}
    add_folder(qtbot, window, prompts, tmp_path / "support", len(files))

    model = window.batch_view.table_model
    legacy = model.entry_for(files["legacy"])
    assert legacy is not None and legacy.state.startswith("Legacy v") and legacy.can_upgrade
    assert legacy.needs.startswith(legacy.version)  # "legacy v5 → v18: … steps"
    damaged = model.entry_for(files["damaged"])
    assert damaged is not None and not damaged.can_upgrade
    assert damaged.state == "Not a database"  # the badge of a file without SQLite's header
    upgradable = 5 if "real" in files else 4
    assert widgets(window)["batchSummary"].text() == (
        f"{len(files)} files: {upgradable} need an upgrade, 3 up to date or not upgradable.")

    with qtbot.waitSignal(window.batch_view.filesShown, timeout=60_000):  # read again after
        upgrade_all(qtbot, window)

    assert prompts.asked("confirm_batch") == [(len(files), upgradable, None)]
    legacy = model.entry_for(files["legacy"])
    assert legacy is not None and legacy.state == "Up to date (v18)"  # not the stale row
    summary = widgets(window)["batchSummary"].text()
    assert summary == f"{upgradable} upgraded, 1 already current, 2 refused: 1 ahead, 1 damaged"
    assert result_of(window, files["legacy"]).startswith("upgraded: legacy v")
    assert result_of(window, files["damaged"]) == "refused: damaged"
    assert result_of(window, files["ahead"]) == "refused: ahead"
    assert result_of(window, files["current"]) == "already current"
    for name, digest in untouched.items():
        assert sha256(files[name]) == digest, f"{name} was changed"
    assert engine.inspect_file(files["legacy"]).current_version == 18
    assert widgets(window)["batchUpgradeAllButton"].isEnabled()
    assert not widgets(window)["batchCancelButton"].isEnabled()


def test_a_worker_process_killed_mid_file_costs_only_that_file(
    qtbot: Any, window: MainWindow, prompts: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "day"
    victim = tracked(folder / "victim.db", 5)
    others = [fresh(folder / f"other{n}.db") for n in range(3)]
    before = sha256(victim)
    monkeypatch.setenv("SQLMIG_BATCH_FAULT", "kill:victim.db")
    add_folder(qtbot, window, prompts, folder, 4)

    upgrade_all(qtbot, window)

    assert widgets(window)["batchSummary"].text() == "3 upgraded, 1 failed: worker crashed"
    assert result_of(window, victim) == "failed: worker crashed"
    assert sha256(victim) == before
    assert engine.inspect_file(victim).current_version == 5
    assert all(engine.inspect_file(p).current_version == 18 for p in others)
    assert window.isVisible()


def test_cancel_rolls_back_the_files_in_flight_and_leaves_the_rest(
    qtbot: Any, make_window: Callable[..., MainWindow], prompts: Any, tmp_path: Path
) -> None:
    migrations = gui_files.slow_migrations(tmp_path / "migrations")
    slow = [gui_files.slow_file(tmp_path / "day" / name, migrations) for name in "abc"]
    before = {p: sha256(p) for p in slow}
    window = make_window(migrations)
    add_folder(qtbot, window, prompts, tmp_path / "day", 3)
    cancel = widgets(window)["batchCancelButton"]

    def on_event(event: Any) -> None:
        running = isinstance(event, engine.FileProgressEvent) and event.event.name == "statement"
        if running and cancel.isEnabled():
            qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)

    window.controller.batchEvent.connect(on_event)
    upgrade_all(qtbot, window)

    results = [result_of(window, p) for p in slow]
    assert set(results) <= {"cancelled (rolled back)", "not started"}, results
    cancelled = results.count("cancelled (rolled back)")
    assert cancelled >= 1
    expected = f"{cancelled} cancelled (rolled back)"
    if cancelled < 3:
        expected += f", {3 - cancelled} not started"
    assert widgets(window)["batchSummary"].text() == expected
    assert all(sha256(p) == digest for p, digest in before.items())


def test_dropping_several_files_adds_them_to_the_batch(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    dropped = [fresh(tmp_path / "a.db"), fresh(tmp_path / "b.db")]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in dropped])

    assert window.opener.drop(mime)

    model = window.batch_view.table_model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and model.waiting() == 0, timeout=60_000)
    assert window.tabs.currentWidget() is window.batch_view
    assert model.paths() == dropped
    assert window.path is None  # nothing was opened as the window's file


def test_the_batch_model_passes_qt_model_checks(qtmodeltester: Any, tmp_path: Path) -> None:
    model = BatchModel()
    path = fresh(tmp_path / "one.db")
    model.add([path, path])
    model.set_assessed(path, engine.batch_row(engine.assess(path)))
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    assert [model.data(model.index(0, c)) for c in range(3)] == [
        "one.db", "Empty file — 19 migrations to create the schema", "empty"]
    assert model.headerData(5, Qt.Orientation.Horizontal) == "Result"
