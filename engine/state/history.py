"""The `schema_migrations` table, compatible with the app's own runner.

The app creates `schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at
TIMESTAMP DEFAULT CURRENT_TIMESTAMP)` and reads nothing else. We add nullable columns of our own
(`checksum`, `duration_ms`, `method`) with ALTER TABLE, which keeps every existing row.
"""

from __future__ import annotations

import json
import sqlite3
from typing import NamedTuple

from engine.core.connect import quote_ident

TABLE = "schema_migrations"
AUDIT_TABLE = "sqlmig_log"
EXTRA_COLUMNS = (("checksum", "TEXT"), ("duration_ms", "INTEGER"), ("method", "TEXT"))
# Reading history must stay cheap even on a hostile file with millions of rows.
MAX_ROWS = 10_000

CREATE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (\n"
    "  version INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
    "  checksum TEXT,\n"
    "  duration_ms INTEGER,\n"
    "  method TEXT\n"
    ")"
)


class HistoryRow(NamedTuple):
    version: int
    name: str
    applied_at: str | None
    checksum: str | None
    duration_ms: int | None
    method: str | None


class History(NamedTuple):
    exists: bool
    compatible: bool  # has at least `version` and `name`
    columns: tuple[str, ...]
    rows: tuple[HistoryRow, ...]
    garbage: int  # rows whose version or name cannot be used
    truncated: bool

    @property
    def versions(self) -> frozenset[int]:
        return frozenset(row.version for row in self.rows)

    def names(self) -> dict[int, str]:
        return {row.version: row.name for row in self.rows}


NO_HISTORY = History(False, False, (), (), 0, False)


def table_columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    rows = conn.execute(f"PRAGMA table_info({quote_ident(table)})").fetchall()
    return tuple(str(row[1]) for row in rows)


def read_history(conn: sqlite3.Connection, table_names: set[str] | frozenset[str]) -> History:
    if TABLE not in table_names:
        return NO_HISTORY
    columns = table_columns(conn, TABLE)
    if "version" not in columns or "name" not in columns:
        return History(True, False, columns, (), 0, False)
    # The app's table keys rows by `version INTEGER PRIMARY KEY`; without that key a row could be
    # recorded twice, so such a table is treated like one with unusable rows.
    keyed = conn.execute(
        f"SELECT 1 FROM pragma_table_info('{TABLE}') WHERE name = 'version' AND pk = 1 "
        "AND upper(type) = 'INTEGER'"
    ).fetchone()
    select = ", ".join(
        col if col in columns else "NULL"
        for col in ("version", "name", "applied_at", "checksum", "duration_ms", "method")
    )
    raw = conn.execute(
        f"SELECT {select} FROM {TABLE} ORDER BY version LIMIT {MAX_ROWS + 1}"
    ).fetchall()
    truncated = len(raw) > MAX_ROWS
    rows: list[HistoryRow] = []
    garbage = 0
    for version, name, applied_at, checksum, duration_ms, method in raw[:MAX_ROWS]:
        # The app only ever writes small non-negative integers and text names.
        if not isinstance(version, int) or not 0 <= version < 2**31 or not isinstance(name, str):
            garbage += 1
            continue
        rows.append(
            HistoryRow(
                version,
                name,
                applied_at if isinstance(applied_at, str) else None,
                checksum if isinstance(checksum, str) else None,
                duration_ms if isinstance(duration_ms, int) else None,
                method if isinstance(method, str) else None,
            )
        )
    if keyed is None:
        garbage = max(garbage, 1)
    return History(True, True, columns, tuple(rows), garbage, truncated)


def ensure_history_table(conn: sqlite3.Connection) -> None:
    """Create the table, or add our nullable columns to an app-made one (rows are kept)."""
    conn.execute(CREATE_SQL)
    present = set(table_columns(conn, TABLE))
    for column, sql_type in EXTRA_COLUMNS:
        if column not in present:
            conn.execute(f"ALTER TABLE {TABLE} ADD COLUMN {column} {sql_type}")


def record(
    conn: sqlite3.Connection,
    *,
    version: int,
    name: str,
    checksum: str | None,
    duration_ms: int,
    method: str,
) -> None:
    conn.execute(
        f"INSERT INTO {TABLE} (version, name, checksum, duration_ms, method) "
        "VALUES (?, ?, ?, ?, ?)",
        (version, name, checksum, duration_ms, method),
    )


def set_method(conn: sqlite3.Connection, version: int, method: str) -> None:
    conn.execute(f"UPDATE {TABLE} SET method = ? WHERE version = ?", (method, version))


def forget(conn: sqlite3.Connection, version: int, name: str) -> str | None:
    """Remove a history row (a diverged branch's); return it as JSON for the audit table."""
    columns = table_columns(conn, TABLE)
    row = conn.execute(
        f"SELECT * FROM {TABLE} WHERE version = ? AND name = ?", (version, name)
    ).fetchone()
    if row is None:
        return None
    conn.execute(f"DELETE FROM {TABLE} WHERE version = ? AND name = ?", (version, name))
    return json.dumps(dict(zip(columns, row, strict=False)), default=str)


AUDIT_SQL = (
    f"CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
    "  kind TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  checksum TEXT,\n"
    "  detail TEXT\n"
    ")"
)


def audit(
    conn: sqlite3.Connection,
    kind: str,
    name: str,
    *,
    checksum: str | None = None,
    detail: str | None = None,
) -> None:
    """One row in the audit table `sqlmig_log` (repairs run, history rows moved)."""
    conn.execute(AUDIT_SQL)
    conn.execute(
        f"INSERT INTO {AUDIT_TABLE} (kind, name, checksum, detail) VALUES (?, ?, ?, ?)",
        (kind, name, checksum, detail),
    )


def set_user_version(conn: sqlite3.Connection, version: int) -> None:
    # PRAGMA takes no parameters; the value is an int we computed ourselves.
    conn.execute(f"PRAGMA user_version = {int(version)}")


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
