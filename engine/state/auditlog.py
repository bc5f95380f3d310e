"""Reading the audit table `sqlmig_log` (read-only): every step run, repair, rollback,
acceptance and baseline, oldest first. Older tables without the step columns read as NULLs."""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from engine.core.tables import AUDIT_COLUMNS, AUDIT_STEP_COLUMNS, AUDIT_TABLE
from engine.state.history import table_columns

MAX_ROWS = 100_000  # a hostile file cannot make history unbounded


class AuditEntry(NamedTuple):
    id: int
    at: str | None
    kind: str
    name: str
    checksum: str | None
    detail: str | None
    version: str | None
    version_label: str | None
    method: str | None
    duration_ms: int | None
    tool_version: str | None
    run_by: str | None
    sql: str | None

    @property
    def version_number(self) -> int | None:
        try:
            return int(self.version) if self.version is not None else None
        except ValueError:
            return None

    def to_json(self) -> dict[str, Any]:
        return self._asdict()


_NAMES = tuple(name for name, _ in AUDIT_COLUMNS + AUDIT_STEP_COLUMNS)


def read_audit(conn: sqlite3.Connection) -> tuple[AuditEntry, ...]:
    """The audit rows in the order they were written (none without the table)."""
    present = set(table_columns(conn, AUDIT_TABLE))
    if not present:
        return ()
    select = ", ".join(name if name in present else "NULL" for name in _NAMES)
    rows = conn.execute(
        f"SELECT {select} FROM {AUDIT_TABLE} ORDER BY id LIMIT {MAX_ROWS}").fetchall()
    return tuple(AuditEntry(*(_clean(value) for value in row)) for row in rows)


def _clean(value: object) -> Any:
    """Hostile rows hold any type: keep text and integers, make the rest text."""
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
