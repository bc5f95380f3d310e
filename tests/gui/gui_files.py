"""Real SQLite files in each state the window shows, and migrations folders for long or failing runs.

Files are made with `sqlite3` (tests may) or with the engine's public API; the GUI itself never
runs SQL.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import engine
from sqlmig_migrations.demo import build_demo_database


def open_and_wait(qtbot: Any, window: Any, path: Path) -> None:
    """Open `path` in the window and wait until the header shows the result."""
    with qtbot.waitSignal(window.inspectionShown, timeout=30_000):
        window.open_file(path)


def fresh(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fresh.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("VACUUM")  # a valid header, no tables
    return path


def tracked(folder: Path, version: int | None = 9) -> Path:
    path = fresh(folder)
    path = path.rename(folder / ("tracked.db" if version is not None else "current.db"))
    result = engine.upgrade(path, target=version, backup=False)
    assert result.ok, result.error
    return path


def index_dropped(folder: Path) -> Path:
    """Tracked at head with a complete history, but one index is missing: it needs a repair."""
    path = tracked(folder, None)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP INDEX idx_agent_memory_reply_to")
        conn.commit()
    return path


def ahead(folder: Path) -> Path:
    path = tracked(folder, None)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 25")
    return path


def foreign(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "invoices.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
        conn.commit()
    return path


def damaged(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "notes.db"
    path.write_bytes(b"These are my notes, not a database.\n" * 200)
    return path


def legacy_demo(folder: Path) -> Path:
    return build_demo_database(folder / "demo")


# -- migrations folders --------------------------------------------------------------------------

SLOW_ROWS = 1_000_000  # per seed row: 1,000 seeds make a billion rows, far more than a test waits


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def slow_migrations(folder: Path, rows: int = SLOW_ROWS) -> Path:
    """0000 creates `numbers`; 0001 multiplies every row of it by 1…rows in one long statement.

    The engine replays the chain on an empty in-memory database to know the expected schema:
    there `numbers` is empty and the CROSS JOIN (outer loop: numbers) costs nothing. In a file
    whose `numbers` has rows (`slow_file`), the same statement runs for a long time.
    """
    return _write(folder, {
        "0000_create_numbers.sql": "-- Seeds.\nCREATE TABLE numbers (n INTEGER);\n",
        "0001_fill_products.sql": (
            "-- One long statement (a recursive CTE joined with every seed).\n"
            "CREATE TABLE products (n INTEGER);\n"
            "\n"
            "INSERT INTO products (n)\n"
            "  WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
            f"{rows})\n"
            "  SELECT numbers.n * c.x FROM numbers CROSS JOIN c;\n"
        ),
    })


def slow_file(folder: Path, migrations: Path, seeds: int = 1000) -> Path:
    """A file tracked at v0 of `slow_migrations` with `seeds` rows: upgrading it takes ages."""
    path = fresh(folder)
    result = engine.upgrade(path, engine.load_catalog(migrations), target=0, backup=False)
    assert result.ok, result.error
    with closing(sqlite3.connect(path)) as conn:
        conn.executemany("INSERT INTO numbers (n) VALUES (?)", [(i,) for i in range(seeds)])
        conn.commit()
    return path


def failing_migrations(folder: Path) -> Path:
    """0000 works, 0001 fails on its second statement (a table that does not exist)."""
    return _write(folder, {
        "0000_create_notes.sql": "-- Notes.\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n",
        "0001_broken.sql": (
            "-- Refers to a table nobody made.\n"
            "ALTER TABLE notes ADD COLUMN title TEXT;\n"
            "\n"
            "INSERT INTO no_such_table (x) VALUES (1);\n"
        ),
    })
