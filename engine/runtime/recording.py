"""Writing the history and the audit table, always inside the run's own transaction.

`schema_migrations` keeps the app's columns and gains sqlmig's nullable ones (`checksum`,
`duration_ms`, `method`) through ALTER TABLE, which keeps every existing row; `sqlmig_log` records
every step run (its method, duration, checksum, text, tool version and who ran it), repairs,
moved history rows and the user's objects a rebuild keeps (SPEC §7.12, §7.19).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from engine.core.identity import run_by, tool_version
from engine.core.tables import (
    AUDIT_COLUMNS,
    AUDIT_STEP_COLUMNS,
    AUDIT_TABLE,
    EXTRA_COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_TABLE,
)
from engine.scripts.sqltext import statements_text
from engine.state.history import table_columns


def _create(table: str, columns: tuple[tuple[str, str], ...]) -> str:
    body = ",\n".join(f"  {name} {declaration}" for name, declaration in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n{body}\n)"


CREATE_SQL = _create(HISTORY_TABLE, HISTORY_COLUMNS)
AUDIT_SQL = _create(AUDIT_TABLE, AUDIT_COLUMNS + AUDIT_STEP_COLUMNS)
TABLE = HISTORY_TABLE


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


def ensure_audit_table(conn: sqlite3.Connection) -> None:
    """Create `sqlmig_log`, or add the step columns to an older one (rows are kept)."""
    conn.execute(AUDIT_SQL)
    present = set(table_columns(conn, AUDIT_TABLE))
    for column, sql_type in AUDIT_STEP_COLUMNS:
        if column not in present:
            conn.execute(f"ALTER TABLE {AUDIT_TABLE} ADD COLUMN {column} {sql_type}")


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


def audit_step(
    conn: sqlite3.Connection,
    kind: str,
    *,
    version: int | str,
    version_label: str | None,
    name: str,
    method: str,
    checksum: str | None,
    duration_ms: int,
    statements: Iterable[str],
    detail: str | None = None,
) -> None:
    """The audit row of one step (`applied`, `adopted`, `repaired`, `reverted`, `accepted`, …),
    in the step's own transaction; the caller has run `ensure_audit_table` in that transaction.
    `detail`: JSON of what else the row records (an acceptance's reason and checksums)."""
    conn.execute(
        f"INSERT INTO {AUDIT_TABLE} (kind, name, checksum, version, version_label, method, "
        "duration_ms, tool_version, run_by, sql, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, name, checksum, str(version), version_label, method, duration_ms,
         tool_version(), run_by(), statements_text(statements), detail),
    )


def set_user_version(conn: sqlite3.Connection, version: int) -> None:
    # PRAGMA takes no parameters; the value is an int we computed ourselves.
    conn.execute(f"PRAGMA user_version = {int(version)}")
