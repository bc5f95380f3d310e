"""Where a backup came from, and whether a file is a backup of a database (SPEC §7.20).

`create_backup` writes a sidecar `<backup>.json` next to every backup (atomically):

  format          "sqlmig-backup-origin/1"
  source_path     the database's real path (symlinks resolved) at backup time
  source_name     its file name
  source_size     bytes of its main file (`source_wal_size`: of its `-wal`, or null)
  source_sha256   SHA-256 of the database image that was copied (for a rollback-journal file
                  the main file's bytes, taken under SQLite's read lock)
  backup_sha256   SHA-256 of the backup file as written (ties the sidecar to that file)
  version         the version the backup's name carries; `user_version`
  page_size, page_count, journal_mode (the source's)
  tables          the backup's table names
  history         up to 1,000 `schema_migrations` rows as [version, name, applied_at]
  tool, tool_version, created_at

`relation(...)` decides whether a backup belongs to a database. A database with no tables is
never refused (there is nothing the wrong file could replace). With a sidecar whose
`backup_sha256` matches the backup file:
  - yes when the sidecar names the database's real path;
  - yes when the database is the very image the backup was taken from (same SHA-256: the file
    was moved or renamed and not changed since);
  - yes when the two share a history row (same version, name and applied_at: the same file,
    moved or renamed, and upgraded or rolled back since; two files that were never copies of
    each other do not share the second a migration was applied);
  - otherwise no: "<backup> is a backup of <other path>".
Without a sidecar (or with one that does not describe this backup file), the schema decides:
  - no when they have no table in common (another application's database);
  - no when both have history rows for the same versions but not one identical row (the same
    application, another user's file);
  - otherwise yes.
The caller lets `--force` override a "no"; nothing here judges damage.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.core.about import tool_version
from engine.core.tables import BOOKKEEPING_TABLES, HISTORY_TABLE
from engine.runtime.checks import table_names

FORMAT = "sqlmig-backup-origin/1"
HISTORY_ROWS = 1000

HistoryRow = tuple[int, str, str]


@dataclass(frozen=True)
class Shape:
    """What a database's schema says about which file it is."""

    tables: frozenset[str]
    history: frozenset[HistoryRow]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # why it is (or is not) a backup of the database, one sentence


def sidecar_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_shape(conn: sqlite3.Connection) -> Shape:
    tables = frozenset(table_names(conn))
    history: set[HistoryRow] = set()
    if HISTORY_TABLE in tables:
        try:
            rows = conn.execute(
                f"SELECT version, name, applied_at FROM {HISTORY_TABLE} LIMIT {HISTORY_ROWS}"
            ).fetchall()
        except sqlite3.Error:  # another tool's table of that name: no lineage to read
            rows = []
        history = {(v, n, a) for v, n, a in rows
                   if isinstance(v, int) and isinstance(n, str) and isinstance(a, str)}
    return Shape(tables, frozenset(history))


def describe(
    *,
    source: Path,
    source_size: int,
    source_wal_size: int | None,
    source_sha256: str,
    backup_sha256: str,
    version: int | None,
    user_version: int,
    page_size: int,
    page_count: int,
    journal_mode: str,
    shape: Shape,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "source_path": str(source.resolve()),
        "source_name": source.name,
        "source_size": source_size,
        "source_wal_size": source_wal_size,
        "source_sha256": source_sha256,
        "backup_sha256": backup_sha256,
        "version": version,
        "user_version": user_version,
        "page_size": page_size,
        "page_count": page_count,
        "journal_mode": journal_mode,
        "tables": sorted(shape.tables),
        "history": sorted([list(row) for row in shape.history]),
        "tool": "sqlmig",
        "tool_version": tool_version(),
        "created_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
    }


def write_sidecar(backup: Path, origin: dict[str, Any]) -> Path:
    """Write `<backup>.json` atomically (a temporary file in the same folder, then a rename)."""
    target = sidecar_path(backup)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".sqlmig-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(origin, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def is_record(path: Path) -> bool:
    """Is `path` an origin record written by sqlmig (and not somebody's own file)?"""
    if path.is_symlink():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def read_sidecar(backup: Path) -> dict[str, Any] | None:
    """The sidecar, when there is one that describes this very backup file."""
    try:
        data = json.loads(sidecar_path(backup).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if data.get("backup_sha256") != sha256_of(backup):
        return None  # the file was replaced or changed since: the sidecar is about another
    return data


def relation(
    backup: Path, backup_shape: Shape, db: Path, db_shape: Shape | None
) -> Verdict:
    """Is `backup` a backup of `db`? (rules in the module docstring). `db_shape` is None when
    the database's schema cannot be read."""
    if db_shape is not None and not (db_shape.tables - BOOKKEEPING_TABLES):
        return Verdict(True, f"{db.name} has no tables to lose.")
    origin = read_sidecar(backup)
    if origin is not None:
        return _by_origin(origin, backup, backup_shape, db, db_shape)
    if db_shape is None:
        return Verdict(False, f"{backup.name} has no record of its origin and the tables of "
                       f"{db.name} cannot be read to compare.")
    return _by_schema(backup, backup_shape, db, db_shape)


def _by_origin(
    origin: dict[str, Any], backup: Path, backup_shape: Shape, db: Path, db_shape: Shape | None
) -> Verdict:
    source = str(origin.get("source_path"))
    if source == str(db.resolve()):
        return Verdict(True, f"{backup.name} is a backup of this file.")
    if origin.get("source_sha256") == sha256_of(db):
        return Verdict(True, f"{backup.name} is a backup of this file (moved from {source}).")
    if db_shape is not None and backup_shape.history & db_shape.history:
        return Verdict(True, f"{backup.name} is a backup of this file (moved from {source}; "
                       "they share their migration history).")
    return Verdict(False, f"{backup.name} is a backup of {source}, not of {db}.")


def _by_schema(backup: Path, backup_shape: Shape, db: Path, db_shape: Shape) -> Verdict:
    theirs = backup_shape.tables - BOOKKEEPING_TABLES
    ours = db_shape.tables - BOOKKEEPING_TABLES
    if not theirs & ours:
        return Verdict(False, f"{backup.name} does not look like a backup of {db.name}: they "
                       f"have no table in common ({_few(theirs)} in the backup; {_few(ours)} in "
                       "the database).")
    shared = {row[0] for row in backup_shape.history} & {row[0] for row in db_shape.history}
    if shared and not backup_shape.history & db_shape.history:
        return Verdict(False, f"{backup.name} looks like a backup of another database of the same "
                       f"application: its migrations were applied at other times than those of "
                       f"{db.name}.")
    return Verdict(True, f"{backup.name} has no record of its origin; its tables match "
                   f"{db.name}'s.")


def _few(names: frozenset[str]) -> str:
    if not names:
        return "no tables"
    shown = sorted(names)[:4]
    more = f" and {len(names) - 4} more" if len(names) > 4 else ""
    return ", ".join(shown) + more
