"""Files an interrupted write left behind: a database with a hot `-journal` beside it.

`hot_journal` copies a file and its journal while a writer is in the middle of a transaction
whose changes already spilled into the database file: exactly what a crash or a power cut at that
moment leaves on disk. SQLite rolls such a journal back the next time the file is opened for
writing; a read-only connection cannot (SQLITE_READONLY_ROLLBACK).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from helpers import badfiles

ROWS_BEFORE = 1  # worlds rows of the committed file
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def hot_journal(folder: Path, name: str = "database.db", *, version: int = 9) -> Path:
    """A v`version` agent-world file (one world) whose uncommitted second transaction inserted
    400 big worlds rows and spilled them into the file; its -journal is hot."""
    with tempfile.TemporaryDirectory() as tmp:
        source = badfiles.at_version(Path(tmp), version, "source.db")
        with closing(sqlite3.connect(source, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("INSERT INTO worlds (id, name) VALUES ('w0', 'World')")
            conn.execute("PRAGMA cache_size = 2")  # the change spills into the file at once
            conn.execute("BEGIN IMMEDIATE")
            for i in range(400):
                conn.execute("INSERT INTO worlds (id, name) VALUES (?, ?)", (f"x{i}", "x" * 2000))
            journal = source.with_name("source.db-journal")
            assert journal.read_bytes()[:8] == JOURNAL_MAGIC, "the journal is not live"
            target = folder / name
            shutil.copyfile(source, target)
            shutil.copyfile(journal, target.with_name(target.name + "-journal"))
            conn.execute("ROLLBACK")
    return target


def worlds(path: Path) -> int:
    """Rows in worlds, read the way the app would (a writable connection rolls back first)."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM worlds").fetchone()[0])
