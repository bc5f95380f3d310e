"""Reading other tools' history tables in their own shapes (SPEC §7.19); sqlmig's own is read by
engine/state/history.py, and engine/runtime/dialect_history.py writes them all.

Each reader turns the tool's rows into the same `History` of `HistoryRow`s, named as the catalog
names the versions (dbmate, golang-migrate and goose record no names), so that states, pending
steps and checksums are decided the same way for every dialect.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from engine.core.connect import open_readonly, read_facts
from engine.core.errors import Refused
from engine.core.tables import AUDIT_TABLE, FLYWAY_TABLE, GOOSE_TABLE, HISTORY_TABLE, SQLX_TABLE
from engine.scripts.catalog import Catalog
from engine.scripts.conventions.flyway import version_key
from engine.state.history import MAX_ROWS, NO_HISTORY, History, HistoryRow, read_history
from engine.state.history import table_columns as columns_of

_MAX_VERSION = 2**63 - 1


def history_convention(conn: sqlite3.Connection, names: frozenset[str]) -> str | None:
    """The convention whose history table the file holds, when exactly one does."""
    found = []
    if GOOSE_TABLE in names:
        found.append("goose")
    if SQLX_TABLE in names:
        found.append("sqlx")
    if FLYWAY_TABLE in names:
        found.append("flyway")
    if HISTORY_TABLE in names:
        columns = set(columns_of(conn, HISTORY_TABLE))
        if "dirty" in columns:
            found.append("golang-migrate")
        elif "name" in columns:
            found.append("sqlmig")
        elif columns == {"version"}:
            found.append("dbmate")
    return found[0] if len(found) == 1 else None


def read_any(
    conn: sqlite3.Connection, names: frozenset[str] | set[str], catalog: Catalog
) -> History:
    """The history in the catalog's convention."""
    reader = _READERS.get(catalog.convention)
    if reader is None:
        return read_history(conn, names)
    table = _TABLES[catalog.convention]
    if table not in names:
        return NO_HISTORY._replace(table=table)
    found = reader(conn, catalog)._replace(table=table)
    if catalog.convention in _NO_CHECKSUM and AUDIT_TABLE in names:
        # The tool records no checksum; the steps sqlmig ran have theirs in sqlmig_log.
        ours = _audited_checksums(conn)
        rows = tuple(r._replace(checksum=ours.get(str(r.version))) for r in found.rows)
        found = found._replace(rows=rows)
    return found


def _audited_checksums(conn: sqlite3.Connection) -> dict[str, str]:
    """version -> the checksum of the last step sqlmig_log recorded for it."""
    if not {"version", "checksum"} <= set(columns_of(conn, AUDIT_TABLE)):
        return {}
    rows = conn.execute(
        f"SELECT version, checksum FROM {AUDIT_TABLE} WHERE version IS NOT NULL "
        f"AND checksum IS NOT NULL ORDER BY id LIMIT {MAX_ROWS}"
    )
    return {str(version): str(checksum) for version, checksum in rows}


def _row(catalog: Catalog, version: int, *, name: object = None, checksum: str | None = None,
         applied_at: object = None) -> HistoryRow:
    """A row named as the catalog names its version (the tools' own names are descriptions)."""
    migration = catalog.get(version)
    known = migration.name if migration is not None else (name if isinstance(name, str) else "")
    return HistoryRow(version, known, _text(applied_at), checksum, None, None)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _version(value: object) -> int | None:
    """A version as the tools write it: an integer, or its digits as text (dbmate)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_VERSION:
        return value
    return None


def _history(rows: list[HistoryRow], garbage: int, columns: tuple[str, ...], *,
             dirty: bool = False, truncated: bool = False) -> History:
    rows.sort(key=lambda r: r.version)
    return History(True, True, columns, tuple(rows), garbage, truncated, dirty)


def _dbmate(conn: sqlite3.Connection, catalog: Catalog) -> History:
    columns = columns_of(conn, HISTORY_TABLE)
    if "version" not in columns:
        return History(True, False, columns, (), 0, False)
    raw = conn.execute(f"SELECT version FROM {HISTORY_TABLE} LIMIT {MAX_ROWS + 1}").fetchall()
    versions = [_version(v) for (v,) in raw[:MAX_ROWS]]
    rows = [_row(catalog, v) for v in versions if v is not None]
    return _history(rows, versions.count(None), columns, truncated=len(raw) > MAX_ROWS)


def _golang_migrate(conn: sqlite3.Connection, catalog: Catalog) -> History:
    """One row: every catalog version up to it is applied."""
    columns = columns_of(conn, HISTORY_TABLE)
    if not {"version", "dirty"} <= set(columns):
        return History(True, False, columns, (), 0, False)
    found = conn.execute(f"SELECT version, dirty FROM {HISTORY_TABLE} LIMIT 2").fetchall()
    if not found:
        return _history([], 0, columns)
    version, dirty = _version(found[0][0]), bool(found[0][1])
    if version is None or len(found) > 1:
        return _history([], 1, columns)
    rows = [_row(catalog, m.version) for m in catalog.migrations if m.version <= version]
    if catalog.get(version) is None:
        rows.append(_row(catalog, version))
    return _history(rows, 0, columns, dirty=dirty)


def _goose(conn: sqlite3.Connection, catalog: Catalog) -> History:
    """A row per up (is_applied 1) or down (0) run: the last one of each version counts."""
    columns = columns_of(conn, GOOSE_TABLE)
    if not {"version_id", "is_applied"} <= set(columns):
        return History(True, False, columns, (), 0, False)
    select = "tstamp" if "tstamp" in columns else "NULL"
    applied: dict[int, object] = {}
    garbage = 0
    for version_id, is_applied, tstamp in conn.execute(
        f"SELECT version_id, is_applied, {select} FROM {GOOSE_TABLE} ORDER BY id"
    ):
        version = _version(version_id)
        if version is None:
            garbage += 1
        elif version == 0:
            continue  # the row goose writes when it creates the table
        elif is_applied:
            applied[version] = tstamp
        else:
            applied.pop(version, None)
    rows = [_row(catalog, v, applied_at=t) for v, t in applied.items()]
    return _history(rows, garbage, columns)


def _sqlx(conn: sqlite3.Connection, catalog: Catalog) -> History:
    columns = columns_of(conn, SQLX_TABLE)
    if not {"version", "success", "checksum"} <= set(columns):
        return History(True, False, columns, (), 0, False)
    rows, garbage, dirty = [], 0, False
    for version, description, success, checksum, installed_on in conn.execute(
        f"SELECT version, description, success, checksum, installed_on FROM {SQLX_TABLE} "
        f"ORDER BY version LIMIT {MAX_ROWS}"
    ):
        key = _version(version)
        if key is None:
            garbage += 1
            continue
        if not success:
            dirty = True  # sqlx: "migration … is partially applied"
        digest = f"sha384:{bytes(checksum).hex()}" if isinstance(checksum, bytes) else None
        rows.append(_row(catalog, key, name=description, checksum=digest, applied_at=installed_on))
    return _history(rows, garbage, columns, dirty=dirty)


def _flyway(conn: sqlite3.Connection, catalog: Catalog) -> History:
    columns = columns_of(conn, FLYWAY_TABLE)
    if not {"version", "type", "checksum", "success"} <= set(columns):
        return History(True, False, columns, (), 0, False)
    applied: dict[int, HistoryRow] = {}
    garbage, dirty = 0, False
    for version, description, kind, checksum, success, installed_on in conn.execute(
        f"SELECT version, description, type, checksum, success, installed_on FROM "
        f"{FLYWAY_TABLE} ORDER BY installed_rank LIMIT {MAX_ROWS}"
    ):
        if version is None:
            continue  # a repeatable script or the schema marker: no version
        key = version_key(str(version)) if str(version).replace(".", "").isdigit() else None
        if key is None:
            garbage += 1
            continue
        if not success:
            dirty = True
        elif kind == "UNDO_SQL":
            applied.pop(key, None)
        elif kind == "BASELINE":  # Flyway skips every version up to its baseline
            for m in catalog.migrations:
                if m.version <= key:
                    applied.setdefault(m.version, _row(catalog, m.version))
        else:
            crc = f"crc32:{checksum}" if isinstance(checksum, int) else None
            applied[key] = _row(catalog, key, name=description, checksum=crc,
                                applied_at=installed_on)
    return _history(list(applied.values()), garbage, columns, dirty=dirty)


_READERS: dict[str, Callable[[sqlite3.Connection, Catalog], History]] = {
    "dbmate": _dbmate, "golang-migrate": _golang_migrate, "goose": _goose, "sqlx": _sqlx,
    "flyway": _flyway,
}
_NO_CHECKSUM = frozenset({"dbmate", "golang-migrate", "goose"})
_TABLES = {"dbmate": HISTORY_TABLE, "golang-migrate": HISTORY_TABLE, "goose": GOOSE_TABLE,
           "sqlx": SQLX_TABLE, "flyway": FLYWAY_TABLE}


def convention_in_file(path: Path) -> str | None:
    """The convention of the history table in the file at `path` (None when there is none, when
    it cannot be told, or when the file cannot be read: inspection then says why)."""
    try:
        conn = open_readonly(read_facts(path))
    except Refused:
        return None
    try:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = frozenset(str(row[0]) for row in tables)
        return history_convention(conn, names)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
