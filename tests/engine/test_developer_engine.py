"""The engine behind the developer's views: schema inspection with differences from the expected
schema, row counts, keyset browsing with typed filters, and the read-only console."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

import engine
from engine.core.cancel import PROGRESS_OPS, CancelToken
from engine.state.rowfilter import parse_filter

LEGACY = "legacy-v5-2aafd789-fresh"
TRACKED = "tracked-458d539e-fresh"


class CountingToken(CancelToken):
    """Counts SQLite's progress-handler calls: one per PROGRESS_OPS virtual-machine steps."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def progress(self) -> int:
        self.calls += 1
        return super().progress()


@pytest.fixture
def vm_steps() -> Callable[[], CountingToken]:
    """Factory of tokens that count SQLite's VM steps (in PROGRESS_OPS) through the progress
    handler of the connection they watch."""
    return CountingToken


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pragma_columns(path: Path, table: str) -> list[tuple[str, str, bool, object, int, int]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(f"PRAGMA table_xinfo(\"{table}\")").fetchall()
    return [(r[1], r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]


def _master(path: Path, kind: str) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = ?",
                                           (kind,))}


@pytest.mark.parametrize("name", [LEGACY, TRACKED])
def test_the_inspector_lists_every_object_with_columns_as_pragma_says(
        fixture_copy: Callable[[str], Path], name: str) -> None:
    path = fixture_copy(name)
    before = sha256(path)
    catalog = engine.load_catalog()
    report = engine.inspect_schema(engine.inspect_file(path, catalog), catalog)
    for kind in ("table", "view", "index", "trigger"):
        assert {o.name for o in report.of_kind(kind)} == _master(path, kind)
    for table in report.of_kind("table"):
        shown = [(c.name, c.type, c.not_null, c.default, c.primary_key, c.hidden)
                 for c in table.columns]
        assert shown == _pragma_columns(path, table.name)
        assert table.sql.upper().startswith("CREATE TABLE")
    assert sha256(path) == before


def test_the_legacy_file_differs_from_its_expected_schema_and_the_tracked_one_does_not(
        fixture_copy: Callable[[str], Path]) -> None:
    catalog = engine.load_catalog()
    legacy = engine.inspect_schema(engine.inspect_file(fixture_copy(LEGACY), catalog), catalog)
    tracked = engine.inspect_schema(engine.inspect_file(fixture_copy(TRACKED), catalog), catalog)
    assert legacy.expected_version is not None
    differing = {o.name: o.differences for o in legacy.objects if o.differs}
    assert "archived_messages" in differing
    assert any("agent_id" in d for d in differing["archived_messages"])
    assert tracked.expected_version == catalog.head_version
    assert not any(o.differs for o in tracked.objects) and not tracked.missing


def test_foreign_keys_are_listed_in_both_directions(fixture_copy: Callable[[str], Path]) -> None:
    catalog = engine.load_catalog()
    report = engine.inspect_schema(engine.inspect_file(fixture_copy(TRACKED), catalog), catalog)
    agents, worlds = report.find("agents"), report.find("worlds")
    assert agents is not None and worlds is not None
    assert any(fk.parent == "worlds" for fk in agents.references)
    assert any(fk.table == "agents" for fk in worlds.referenced_by)


def test_row_counts_arrive_one_table_at_a_time_and_stop_on_cancel(
        million_rows: Path) -> None:
    arrived: list[tuple[str, int]] = []
    counts = engine.count_rows(million_rows, ["small", "big"],
                               lambda t, n: arrived.append((t, n)))
    assert arrived == [("small", 100), ("big", 1_000_000)] and counts["big"] == 1_000_000
    token = CancelToken()
    token.cancel()
    with pytest.raises(engine.Cancelled):
        engine.count_rows(million_rows, ["big"], lambda t, n: None, cancel=token)


def test_the_first_page_of_a_million_rows_reads_only_that_page(
        million_rows: Path, vm_steps: Callable[[], CountingToken]) -> None:
    pages = {}
    for table in ("big", "small"):
        token = vm_steps()
        browser = engine.open_browser(million_rows, engine.BrowseRequest(table))
        try:
            page = browser.next_page(200, cancel=token)
        finally:
            browser.close()
        assert len(page.rows) == 200 if table == "big" else 100
        pages[table] = token.calls
    # Reading every row of `big` takes hundreds of progress calls; its first page, none or one.
    assert pages["big"] <= 1, f"{pages['big'] * PROGRESS_OPS} VM steps for one page"
    scan = vm_steps()  # the counter does count: a sort no index serves reads every row first
    browser = engine.open_browser(million_rows, engine.BrowseRequest("big", sort="name"))
    try:
        browser.next_page(200, cancel=scan)
    finally:
        browser.close()
    assert scan.calls > 50


def test_keyset_pages_continue_where_the_last_ended_both_ways(million_rows: Path) -> None:
    for descending, first in ((False, 1), (True, 1_000_000)):
        browser = engine.open_browser(million_rows,
                                      engine.BrowseRequest("big", descending=descending))
        try:
            assert browser.keyset and not browser.scanning
            ids = [r[0] for _ in range(3) for r in browser.next_page(50).rows]
        finally:
            browser.close()
        step = -1 if descending else 1
        assert ids == list(range(first, first + 150 * step, step))


def test_sort_and_filter_by_any_column(million_rows: Path) -> None:
    request = engine.BrowseRequest("small", sort="name", descending=True,
                                   filters={"n": "> 500", "data": "is not null"})
    browser = engine.open_browser(million_rows, request)
    try:
        assert browser.scanning and not browser.keyset
        rows = browser.next_page(1000).rows
    finally:
        browser.close()
    expected = sorted((f"name {x}" for x in range(10, 101, 10) if (x * 7919) % 1000 > 500),
                      reverse=True)
    assert [r[1] for r in rows] == expected


def test_a_filter_never_reaches_sql_as_text(million_rows: Path) -> None:
    condition = parse_filter("name", "= 'x'' OR 1=1 --'")
    assert condition is not None
    assert condition.sql == '"name" = ?' and condition.params == ("x' OR 1=1 --",)
    assert parse_filter("n", "is null") == ('"n" IS NULL', ())
    assert parse_filter("n", ">= 2.5") == ('"n" >= ?', (2.5,))
    assert parse_filter("n", "like 'a%'") == ('"n" LIKE ?', ("a%",))
    with pytest.raises(engine.UsageError):
        parse_filter("n", ">")
    browser = engine.open_browser(million_rows, engine.BrowseRequest(
        "small", filters={"name": "'; DROP TABLE small; --"}))
    try:
        assert browser.next_page(10).rows == ()
    finally:
        browser.close()


def test_the_console_answers_a_count(fixture_copy: Callable[[str], Path]) -> None:
    path = fixture_copy(TRACKED)
    console = engine.open_console(path)
    try:
        result = console.run("select count(*) from agent_memory")
        plan = console.run("select * from agent_memory where id = 3", explain=True)
        tables = console.run("select * from pragma_table_info('agents')")
    finally:
        console.close()
    with closing(sqlite3.connect(path)) as conn:
        assert list(result.first.rows) == conn.execute("select count(*) from agent_memory").fetchall()
    assert result.columns == ("count(*)",)
    assert [r[1] for r in tables.first.rows][:2] == ["id", "world_id"]
    assert any("agent_memory" in str(row[-1]) for row in plan.first.rows)


@pytest.mark.parametrize("statement", [
    "delete from agent_memory", "update agents set name = 'x'", "drop table agents",
    "create table t (x)", "create temp table t (x)", "pragma user_version = 3",
    "pragma journal_mode = delete", "attach 'other.db' as other", "vacuum",
    "select load_extension('x')", "begin immediate", "insert into worlds default values",
    "pragma wal_checkpoint", "analyze", "update sqlite_master set sql = ''",
    "alter table agents rename to agents2", "create index i on agents (name)",
    "pragma writable_schema = on", "drop index idx_agent_memory_reply_to"])
def test_the_console_refuses_every_write_and_leaves_the_bytes(
        fixture_copy: Callable[[str], Path], statement: str) -> None:
    path = fixture_copy(TRACKED)
    before = sha256(path)
    console = engine.open_console(path)
    try:
        with pytest.raises(engine.Refused) as refused:
            console.run(statement)
    finally:
        console.close()
    assert refused.value.code == "would_write"
    assert refused.value.message.count(". ") == 0  # one sentence
    assert sha256(path) == before
    assert not (path.parent / "other.db").exists()


def test_a_long_statement_stops_on_cancel_from_another_thread(million_rows: Path) -> None:
    console = engine.open_console(million_rows)
    token = CancelToken()
    started = threading.Event()

    class Watching(CancelToken):
        def progress(self) -> int:
            started.set()
            return token.progress()

    watcher = Watching()
    timer = threading.Thread(target=lambda: (started.wait(30), token.cancel(), watcher.cancel()))
    timer.start()
    try:
        with pytest.raises(engine.Cancelled):
            console.run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                        "SELECT count(*) FROM c", cancel=watcher)
    finally:
        timer.join()
        console.close()
