"""Every step run writes its facts to `sqlmig_log` in its own transaction (SPEC §7.12, §7.19):
history, drift diffs and down parts are answered from the file alone."""

from __future__ import annotations

import getpass
import sqlite3
from pathlib import Path

import engine

NOTES = {
    "0000_create_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n",
    "0001_add_title.sql": "ALTER TABLE notes ADD COLUMN title TEXT;\n",
    "0002_no_transaction.sql": "-- transaction: no\nCREATE INDEX idx_title ON notes(title);\n",
}


def catalog(folder: Path) -> engine.Catalog:
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    loaded = engine.load_catalog(folder)
    assert loaded.ok, loaded.problems
    return loaded


def audit_rows(path: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM sqlmig_log ORDER BY id").fetchall()
    finally:
        conn.close()


def test_every_applied_step_has_its_audit_row(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    db.touch()
    assert engine.upgrade(db, catalog(tmp_path / "m"), backup=False).ok

    rows = audit_rows(db)
    assert [(r["kind"], r["version"], r["name"], r["method"]) for r in rows] == [
        ("applied", "0", "create_notes", "executed"),
        ("applied", "1", "add_title", "executed"),
        ("applied", "2", "no_transaction", "executed"),
    ]
    assert rows[1]["sql"].strip().startswith("ALTER TABLE notes ADD COLUMN title TEXT")
    assert all(r["run_by"] == getpass.getuser() and r["tool_version"] for r in rows)
    assert all(r["checksum"] and r["duration_ms"] is not None for r in rows)


def test_an_older_audit_table_gains_the_step_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE sqlmig_log (id INTEGER PRIMARY KEY, at TIMESTAMP DEFAULT "
                 "CURRENT_TIMESTAMP, kind TEXT NOT NULL, name TEXT NOT NULL, checksum TEXT, "
                 "detail TEXT)")
    conn.execute("INSERT INTO sqlmig_log (kind, name, detail) VALUES ('repair', 'old', 'kept')")
    conn.commit()
    conn.close()

    assert engine.upgrade(db, catalog(tmp_path / "m"), backup=False).ok

    rows = audit_rows(db)
    assert (rows[0]["kind"], rows[0]["name"], rows[0]["detail"]) == ("repair", "old", "kept")
    assert [r["kind"] for r in rows[1:]] == ["applied", "applied", "applied"]


def test_a_rolled_back_run_leaves_no_audit_row(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0000_ok.sql").write_text("CREATE TABLE t (a);\n", encoding="utf-8")
    (folder / "0001_bad.sql").write_text("INSERT INTO missing VALUES (1);\n", encoding="utf-8")
    db = tmp_path / "app.db"
    db.touch()

    assert not engine.upgrade(db, engine.load_catalog(folder), backup=False).ok

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlmig_log'"
                            ).fetchone()[0] == 0
    finally:
        conn.close()
