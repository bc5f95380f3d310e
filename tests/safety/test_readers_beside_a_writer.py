"""A read while another program has the file open in WAL mode sees what that program commits:
an empty `-wal` (after a TRUNCATE checkpoint) beside a `-shm` is not a file nobody is writing.
Four upgraders and an app writer once met "The database file is damaged" this way: the reader
had opened the file `immutable` and read pages the writer was changing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import engine
from engine.core.connect import open_readonly, read_facts


def test_a_reader_beside_a_writer_with_an_empty_wal_sees_its_commits(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("CREATE TABLE t (x)")
        writer.execute("INSERT INTO t VALUES (1)")
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the -wal is now empty
        facts = read_facts(path)
        assert facts.wal_mode and facts.wal_size == 0
        with closing(open_readonly(facts)) as reader:
            writer.execute("INSERT INTO t VALUES (2)")  # in the -wal only
            assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 2
    finally:
        writer.close()


def test_a_wal_file_nobody_has_open_is_still_read_without_creating_files(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (x)")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert before == ["app.db"]  # SQLite removed -wal and -shm on the last close
    assert engine.inspect_file(path).state == "foreign"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
