"""Stepwise mode snapshots the file after every step with one memo: it must read what a step
changed, exactly as a snapshot without the memo does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.schema import SnapshotMemo, snapshot


def test_a_memo_snapshot_sees_every_change_a_fresh_snapshot_sees(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "memo.db")
    memo = SnapshotMemo()
    changes = [
        "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT UNIQUE)",
        "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id))",
        "CREATE INDEX b_a ON b(a_id)",
        "ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX a_y ON a(y DESC)",
        "DROP INDEX b_a",
        "CREATE INDEX b_a ON b(a_id, id)",  # same name, other keys
        "ALTER TABLE a RENAME COLUMN x TO z",  # rewrites a's text (and b's reference is by id)
        "ALTER TABLE a RENAME TO a2",  # rewrites b's foreign key and a's indexes
        "CREATE VIEW v AS SELECT z FROM a2",
        "CREATE TRIGGER t AFTER INSERT ON b BEGIN UPDATE a2 SET y = 1; END",
        "DROP TRIGGER t",
        "CREATE TRIGGER t AFTER INSERT ON b BEGIN UPDATE a2 SET y = 2; END",
        "DROP VIEW v",
        "CREATE VIEW v AS SELECT y FROM a2",
        "DROP TABLE b",
    ]
    for sql in changes:
        conn.execute(sql)
        assert snapshot(conn, memo=memo) == snapshot(conn), sql
        assert snapshot(conn, memo=memo).indexes.keys() == snapshot(conn).indexes.keys(), sql
    assert memo.tables  # the memo was used
