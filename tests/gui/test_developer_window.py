"""The window for developers: the Schema tab, the Data tab and the read-only console, on real
files (the agent-world fixtures and a 1,000,000-row table built once per session)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from gui_files import open_and_wait
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLineEdit

from sqlmig_gui.lazy_model import LazyRowsModel
from sqlmig_gui.views.console_view import history_key

LEGACY = "legacy-v5-2aafd789-fresh"
TRACKED = "tracked-458d539e-fresh"
WAIT = 30_000


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _names(path: Path, kind: str) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = ?",
                                           (kind,))}


def open_schema(qtbot: Any, window: Any, path: Path) -> Any:
    with qtbot.waitSignal(window.schema_view.reportShown, timeout=WAIT):
        open_and_wait(qtbot, window, path)
    return window.schema_view


def tree_items(view: Any) -> dict[str, Any]:
    items = {}
    tree = view.tree
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        for c in range(group.childCount()):
            items[group.child(c).text(0)] = group.child(c)
    return items


def test_the_schema_tab_on_a_legacy_file_marks_what_differs(
        qtbot: Any, window: Any, fixture_copy: Callable[[str], Path]) -> None:
    path = fixture_copy(LEGACY)
    before = sha256(path)
    view = open_schema(qtbot, window, path)
    items = tree_items(view)
    for kind in ("table", "view", "index", "trigger"):
        assert _names(path, kind) <= set(items), kind
    differing = {name for name, item in items.items() if item.toolTip(0)}
    assert "archived_messages" in differing
    assert "agent_id" in items["archived_messages"].toolTip(0)
    assert "difference(s) from the expected schema" in view.diff_panel.toPlainText()
    view.select("archived_messages")
    assert "agent_id" in view.diff_panel.toPlainText()
    assert view.create_sql_view.toPlainText().upper().startswith("CREATE TABLE")
    assert sha256(path) == before


def test_the_schema_tab_on_a_tracked_head_file_lists_every_table_with_its_columns(
        qtbot: Any, window: Any, fixture_copy: Callable[[str], Path]) -> None:
    path = fixture_copy(TRACKED)
    with qtbot.waitSignal(window.schema_view.countsDone, timeout=WAIT):
        view = open_schema(qtbot, window, path)
    items = tree_items(view)
    assert _names(path, "table") <= set(items)
    assert not any(item.toolTip(0) for item in items.values())
    assert "matches the expected schema" in view.diff_panel.toPlainText()
    with closing(sqlite3.connect(path)) as conn:
        pragma = conn.execute("PRAGMA table_xinfo(agents)").fetchall()
        count = conn.execute("SELECT count(*) FROM agent_memory").fetchone()[0]
    assert items["agent_memory"].text(1) == f"{count:,}"
    view.select("agents")
    columns = view.columns_view
    shown = [(columns.item(r, 0).text(), columns.item(r, 1).text(), columns.item(r, 2).text())
             for r in range(columns.rowCount())]
    assert shown == [(r[1], r[2] or "(none)", "NOT NULL" if r[3] else "") for r in pragma]
    assert "→ worlds" in view.details_view.toPlainText()
    assert "CREATE TABLE" in view.create_sql_view.toPlainText()


def browse(qtbot: Any, window: Any, table: str, **options: Any) -> Any:
    data = window.data_view
    with qtbot.waitSignal(data.pageShown, timeout=WAIT):
        data.browse(table, **options)
    return data


def test_the_data_tab_shows_a_million_rows_page_by_page(
        qtbot: Any, qtmodeltester: Any, window: Any, million_rows: Path) -> None:
    open_schema(qtbot, window, million_rows)
    data = browse(qtbot, window, "big")
    model = data.model
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    assert not data.scanning
    assert model.data(model.index(0, 0)) == "1"
    assert model.data(model.index(9, 3)).startswith("BLOB 40 bytes: ")
    with qtbot.waitSignal(data.pageShown, timeout=WAIT):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    assert [model.data(model.index(r, 0)) for r in (199, 200, 399)] == ["200", "201", "400"]
    data.table.setCurrentIndex(model.index(9, 3))
    assert data.value_view.toPlainText().startswith("BLOB 40 bytes")
    qtmodeltester.check(model)


def test_the_data_tab_sorts_by_a_header_and_filters_per_column(
        qtbot: Any, window: Any, million_rows: Path) -> None:
    open_schema(qtbot, window, million_rows)
    data = browse(qtbot, window, "big")
    with qtbot.waitSignal(data.pageShown, timeout=WAIT):
        data.model.sort(2, Qt.SortOrder.DescendingOrder)  # what a header click calls
    assert data.request.sort == "n" and not data.scanning
    assert data.model.data(data.model.index(0, 2)) == "999"
    data = browse(qtbot, window, "small")
    edit = data.findChild(QLineEdit, "dataFilter_n")
    edit.setText("> 900")
    with qtbot.waitSignal(data.pageShown, timeout=WAIT):
        edit.returnPressed.emit()
    values = [int(data.model.data(data.model.index(r, 2))) for r in range(data.model.rowCount())]
    assert values and all(v > 900 for v in values)
    with qtbot.waitSignal(data.pageShown, timeout=WAIT):
        data.model.sort(1, Qt.SortOrder.AscendingOrder)
    assert data.scanning and "scanning" in data.status.text()
    edit.setText(">")
    with qtbot.waitSignal(data.pageShown, timeout=WAIT):
        edit.returnPressed.emit()
    assert "gives no value" in data.status.text() and data.model.rowCount() == 0


def console_run(qtbot: Any, window: Any, sql: str, **options: Any) -> Any:
    console = window.console_view
    with qtbot.waitSignal(console.finished, timeout=WAIT):
        console.run(sql, **options)
    return console


def test_the_console_answers_refuses_and_remembers(
        qtbot: Any, window: Any, settings: Any, fixture_copy: Callable[[str], Path]) -> None:
    path = fixture_copy(TRACKED)
    open_and_wait(qtbot, window, path)
    before = sha256(path)
    console = console_run(qtbot, window, "select count(*) from agent_memory")
    with closing(sqlite3.connect(path)) as conn:
        count = conn.execute("select count(*) from agent_memory").fetchone()[0]
    assert console.model.data(console.model.index(0, 0)) == str(count)
    assert console.message.text().startswith("1 row in ")
    console = console_run(qtbot, window, "delete from agent_memory")
    assert console.message.text() == (
        "This console only reads, and the statement would delete rows from agent_memory: "
        "it was not run, and the file is unchanged.")
    assert console.model.rowCount() == 0
    assert sha256(path) == before
    console = console_run(qtbot, window, "select * from agents", explain=True)
    assert "agents" in console.model.data(console.model.index(0, 3))
    assert console.message.text().startswith("Query plan: 1 step, prepared in ")
    history = settings.value(history_key(path), [], type=list)
    assert history[0] == "select * from agents" and "select count(*) from agent_memory" in history


def test_stop_ends_a_long_statement(qtbot: Any, window: Any, million_rows: Path) -> None:
    open_and_wait(qtbot, window, million_rows)
    console = window.console_view
    assert not console.stop_button.isEnabled()
    console.run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                "SELECT count(*) FROM c")
    assert console.stop_button.isEnabled() and not console.run_button.isEnabled()
    with qtbot.waitSignal(console.finished, timeout=WAIT):
        console.stop_button.click()
    assert console.message.text().startswith("Cancelled")
    assert console.run_button.isEnabled() and not console.stop_button.isEnabled()


def test_the_lazy_model_asks_for_pages_and_never_edits(qtmodeltester: Any) -> None:
    asked: list[int] = []
    model = LazyRowsModel(lambda: asked.append(1))
    model.reset(("a", "b"), [(1, None), (2, b"\x00\x01")], more=True)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert asked == [1] and not model.canFetchMore(QModelIndex())  # one request at a time
    model.append([(3, "x" * 500)], more=False)
    assert model.rowCount() == 3 and not model.canFetchMore(QModelIndex())
    assert model.data(model.index(1, 1)) == "BLOB 2 bytes: 00 01"
    assert model.data(model.index(2, 1)).endswith("…")
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    qtmodeltester.check(model)


@pytest.mark.parametrize("name", ["schemaTree", "columnsView", "createSqlView", "dataView",
                                  "consoleEdit", "consoleRunButton", "consoleStopButton",
                                  "consoleResultView", "consoleMessage"])
def test_the_developer_widgets_have_their_names(window: Any, name: str) -> None:
    assert window.findChild(object, name) is not None


def test_an_open_console_cursor_does_not_hold_up_an_upgrade(
        qtbot: Any, window: Any, tmp_path: Path) -> None:
    """A statement with more pages to read holds SQLite's shared lock; the upgrade's COMMIT
    would wait for it (and fail as `locked`). The views close their cursors when a run starts."""
    import gui_files

    path = gui_files.tracked(tmp_path, 9)
    open_and_wait(qtbot, window, path)
    console = console_run(qtbot, window, (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) "
        "SELECT m.name, c.x FROM sqlite_master AS m, c"))
    assert console.model.more  # the statement is still open, its lock held
    with qtbot.waitSignal(window.runShown, timeout=120_000):
        window.upgrade_flow.upgrade()
    summary = window.result_panel.summary
    assert summary is not None and summary.result.ok, summary.headline
