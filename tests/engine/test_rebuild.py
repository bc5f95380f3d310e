"""The table-rebuild helper: SQLite's 12-step order as SQL (`rebuild_sql`), run on real files.

No child row is lost under ON DELETE CASCADE, the AUTOINCREMENT counter is kept, indexes,
triggers and views come back, and the same statements run as a migration through the runner.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import engine
from engine.runtime.rebuild import TEMPORARY_SUFFIX, read_table, rebuild_sql
from engine.scripts.sqltext import split_statements

PARENT = """CREATE TABLE parent (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) < 8),
    note TEXT
)"""
KEEPING = """CREATE TABLE parent (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) < 80),
    note TEXT,
    added TEXT DEFAULT 'new'
)"""
RELAXED = """CREATE TABLE parent (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) < 80),
    added TEXT DEFAULT 'new'
)"""


def build(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for sql in (
            PARENT,
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
            "REFERENCES parent (id) ON DELETE CASCADE)",
            "CREATE INDEX parent_by_name ON parent (name)",
            "CREATE INDEX parent_by_note ON parent (note)",
            "CREATE TABLE log (what TEXT)",
            "CREATE TRIGGER parent_added AFTER INSERT ON parent "
            "BEGIN INSERT INTO log VALUES ('added ' || new.name); END",
            "CREATE VIEW parent_names AS SELECT id, name FROM parent",
        ):
            conn.execute(sql)
        conn.execute("PRAGMA foreign_keys = ON")
        for n in range(1, 7):
            conn.execute("INSERT INTO parent (name, note) VALUES (?, 'x')", (f"p{n}",))
            conn.execute("INSERT INTO child (parent_id) VALUES (?)", (n,))
            conn.execute("INSERT INTO child (parent_id) VALUES (?)", (n,))
        conn.execute("DELETE FROM parent WHERE id >= 5")  # cascades; the counter stays at 6


def run_script(path: Path, script: str) -> None:
    statements, rest = split_statements(script)
    assert rest is None
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")  # as an application leaves it
        for statement in statements:
            rows = conn.execute(statement.sql).fetchall()
            if statement.sql.startswith("PRAGMA foreign_key_check"):
                assert rows == [], rows


def facts(path: Path) -> dict[str, object]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            "children": conn.execute("SELECT count(*) FROM child").fetchone()[0],
            "parents": conn.execute("SELECT id, name FROM parent ORDER BY id").fetchall(),
            "sequence": conn.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'parent'"
            ).fetchone(),
            "objects": sorted(
                conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite%'")
            ),
        }


def test_the_script_keeps_children_counter_indexes_triggers_and_views(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    build(path)
    before = facts(path)
    assert before["children"] == 8 and before["sequence"] == (6,)
    with closing(sqlite3.connect(path)) as conn:
        script = rebuild_sql(read_table(conn, "parent"), RELAXED)
    assert script.notes == (
        "The index parent_by_note used parent.note, which the new table lacks: it is not "
        "recreated.",
    )
    run_script(path, script.script())
    after = facts(path)
    assert after["children"] == 8, "a child row was lost (ON DELETE CASCADE fired)"
    assert after["parents"] == before["parents"] and after["sequence"] == (6,)
    objects = set(before["objects"]) - {("index", "parent_by_note")}  # type: ignore[arg-type]
    assert set(after["objects"]) == objects
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("INSERT INTO parent (name) VALUES ('a much longer name')")  # the new CHECK
        assert conn.execute("SELECT max(id) FROM parent").fetchone()[0] == 7  # counts on from 6
        assert conn.execute("SELECT count(*) FROM parent_names").fetchone()[0] == 5
        last = conn.execute("SELECT what FROM log ORDER BY rowid DESC LIMIT 1").fetchone()
        assert last == ("added a much longer name",)  # the trigger is back
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_order_is_sqlites(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    build(path)
    with closing(sqlite3.connect(path)) as conn:
        script = rebuild_sql(read_table(conn, "parent"), RELAXED)
    lines = script.script().splitlines()
    first = [line for line in lines if line and not line.startswith(("--", " ", "SELECT", "FROM",
                                                                       "SET", "WHERE"))]
    temporary = f'"parent{TEMPORARY_SUFFIX}"'
    assert first[:4] == ["PRAGMA foreign_keys = OFF;", "BEGIN IMMEDIATE;",
                         "PRAGMA legacy_alter_table = ON;", 'DROP VIEW "parent_names";']
    order = [
        f"CREATE TABLE {temporary}",
        f"INSERT INTO {temporary}",
        "UPDATE sqlite_sequence",
        'DROP TABLE "parent";',
        f'ALTER TABLE {temporary} RENAME TO "parent";',
        "PRAGMA legacy_alter_table = OFF;",
        "CREATE INDEX parent_by_name",
        "CREATE TRIGGER parent_added",
        "CREATE VIEW parent_names",
        "PRAGMA foreign_key_check;",
        "COMMIT;",
        "PRAGMA foreign_keys = ON;",
    ]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(o)) for o in order]
    assert positions == sorted(positions), order


def test_the_same_statements_run_as_a_migration(tmp_path: Path) -> None:
    """The runner switches foreign keys off around its transaction, checks them, the ledger
    and the expected schema before COMMIT: the generated migration passes all of them (a
    definition that drops a column with values is stopped by the ledger instead)."""
    path = tmp_path / "app.db"
    build(path)
    with closing(sqlite3.connect(path)) as conn:
        script = rebuild_sql(read_table(conn, "parent"), KEEPING)
    folder = tmp_path / "migrations"
    folder.mkdir()
    with closing(sqlite3.connect(path)) as conn:
        schema = [r[0] for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite%' "
            "ORDER BY rowid")]
    (folder / "0000_base.sql").write_text(";\n".join(schema) + ";\n")
    (folder / "0001_relax_names.sql").write_text(script.migration())
    catalog = engine.load_catalog(folder)
    assert catalog.ok, catalog.problems
    with closing(sqlite3.connect(path)) as conn:  # the file is at v0 of that chain
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (0, 'base')")
        conn.commit()
    result = engine.upgrade(path, catalog, backup=False)
    assert result.ok, result.error
    assert result.applied == [1] and result.ledger["child"] == [8, 8]
    assert facts(path)["sequence"] == (6,)
    assert {c.name: c.outcome for c in result.checks if c.phase == "after"} == {
        "ledger": "ok", "foreign_keys": "ok", "schema": "ok", "quick_check": "ok"}


def test_a_new_definition_of_another_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    build(path)
    with closing(sqlite3.connect(path)) as conn, pytest.raises(ValueError, match="no table"):
        read_table(conn, "missing")
