"""Reading the `schema_migrations` table (engine/runtime/recording.py writes it).

The app creates `schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at
TIMESTAMP DEFAULT CURRENT_TIMESTAMP)` and reads nothing else; sqlmig's nullable columns
(`checksum`, `duration_ms`, `method`) may be there or not, and any row may be hostile.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from engine.core.tables import HISTORY_TABLE
from engine.scripts.sqltext import quote_ident

TABLE = HISTORY_TABLE
# Reading history must stay cheap even on a hostile file with millions of rows.
MAX_ROWS = 10_000


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
    dirty: bool = False  # another tool's record of a run that stopped half-way (SPEC §7.22)
    table: str = HISTORY_TABLE  # where the rows are (the convention's history table)

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


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
