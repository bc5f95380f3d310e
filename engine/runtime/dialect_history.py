"""Writing other tools' history tables in their own shapes, inside the run's transaction
(SPEC §7.19): after a sqlmig run the other tool sees exactly the steps sqlmig applied. Nothing of
sqlmig's goes into these tables; its own facts about a step go to `sqlmig_log`
(engine/runtime/recording.py). The tables are created with each tool's documented DDL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from engine.core.identity import run_by
from engine.core.tables import FLYWAY_TABLE, GOOSE_TABLE, HISTORY_TABLE, SQLX_TABLE
from engine.runtime import recording
from engine.scripts.catalog import Catalog, Migration

# Each tool's own DDL for SQLite (the sources named in engine/scripts/conventions/*.py).
DDL = {
    "dbmate": (
        f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (version varchar(128) primary key)",
    ),
    "golang-migrate": (
        f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (version uint64,dirty bool)",
        f"CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON {HISTORY_TABLE} (version)",
    ),
    "goose": (
        f"CREATE TABLE IF NOT EXISTS {GOOSE_TABLE} (\n"
        "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "\t\tversion_id INTEGER NOT NULL,\n"
        "\t\tis_applied INTEGER NOT NULL,\n"
        "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n"
        "\t)",
    ),
    "sqlx": (
        f"CREATE TABLE IF NOT EXISTS {SQLX_TABLE} (\n"
        "    version BIGINT PRIMARY KEY,\n"
        "    description TEXT NOT NULL,\n"
        "    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
        "    success BOOLEAN NOT NULL,\n"
        "    checksum BLOB NOT NULL,\n"
        "    execution_time BIGINT NOT NULL\n"
        ")",
    ),
    "flyway": (
        f'CREATE TABLE IF NOT EXISTS "{FLYWAY_TABLE}" (\n'
        '    "installed_rank" INT NOT NULL PRIMARY KEY,\n'
        '    "version" VARCHAR(50),\n'
        '    "description" VARCHAR(200) NOT NULL,\n'
        '    "type" VARCHAR(20) NOT NULL,\n'
        '    "script" VARCHAR(1000) NOT NULL,\n'
        '    "checksum" INT,\n'
        '    "installed_by" VARCHAR(100) NOT NULL,\n'
        "    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n"
        '    "execution_time" INT NOT NULL,\n'
        '    "success" BOOLEAN NOT NULL\n'
        ")",
        f'CREATE INDEX IF NOT EXISTS "{FLYWAY_TABLE}_s_idx" ON "{FLYWAY_TABLE}" ("success")',
    ),
}


def ensure_history_table(conn: sqlite3.Connection, catalog: Catalog) -> None:
    """The convention's history table, created as its tool creates it when missing."""
    if catalog.convention == "sqlmig":
        recording.ensure_history_table(conn)
        return
    exists = _exists(conn, _TABLES[catalog.convention])
    for statement in DDL[catalog.convention]:
        conn.execute(statement)
    if catalog.convention == "goose" and not exists:
        # goose's first row when it creates the table: version 0, applied.
        conn.execute(f"INSERT INTO {GOOSE_TABLE} (version_id, is_applied) VALUES (0, 1)")


def record(
    conn: sqlite3.Connection,
    catalog: Catalog,
    *,
    version: int,
    name: str,
    checksum: str | None,
    duration_ms: int,
    method: str,
) -> None:
    """The step's row in the convention's history table, as its tool writes it."""
    if catalog.convention == "sqlmig":
        recording.record(conn, version=version, name=name, checksum=checksum,
                         duration_ms=duration_ms, method=method)
        return
    migration = catalog.get(version)
    assert migration is not None  # the plan's steps come from the catalog
    _WRITERS[catalog.convention](conn, migration, duration_ms)


def take_checksum(conn: sqlite3.Connection, catalog: Catalog, migration: Migration) -> None:
    """`sqlmig accept`: the history keeps the file's current checksum, in the column the
    convention's tool keeps one in (sqlmig's, sqlx's SHA-384, Flyway's CRC32). dbmate,
    golang-migrate and goose keep none: the accept's audit row carries it (SPEC §7.12)."""
    if catalog.convention == "sqlmig":
        conn.execute(f"UPDATE {HISTORY_TABLE} SET checksum = ? WHERE version = ?",
                     (migration.checksum, migration.version))
    elif catalog.convention == "sqlx":
        digest = bytes.fromhex((migration.tool_checksum or "").partition(":")[2])
        conn.execute(f"UPDATE {SQLX_TABLE} SET checksum = ? WHERE version = ?",
                     (digest, migration.version))
    elif catalog.convention == "flyway":
        crc = int((migration.tool_checksum or "crc32:0").partition(":")[2])
        conn.execute(f'UPDATE "{FLYWAY_TABLE}" SET "checksum" = ? WHERE "version" = ? '
                     "AND \"type\" = 'SQL'", (crc, migration.version_label))


def unrecord(conn: sqlite3.Connection, catalog: Catalog, version: int) -> None:
    """Take a step that was rolled back (its down part run) out of the convention's history, as
    that tool's own down command does: for `sqlmig down` (issue 11), in its transaction."""
    if catalog.convention == "sqlmig":
        conn.execute(f"DELETE FROM {HISTORY_TABLE} WHERE version = ?", (version,))
    elif catalog.convention == "dbmate":
        label = catalog.get(version)
        conn.execute(f"DELETE FROM {HISTORY_TABLE} WHERE version = ?",
                     (label.version_label if label else str(version),))
    elif catalog.convention == "golang-migrate":
        earlier = [m.version for m in catalog.migrations if m.version < version]
        conn.execute(f"DELETE FROM {HISTORY_TABLE}")
        if earlier:  # golang-migrate keeps no row once every migration is down
            conn.execute(f"INSERT INTO {HISTORY_TABLE} (version, dirty) VALUES (?, ?)",
                         (earlier[-1], False))
    elif catalog.convention == "goose":  # goose (v3) deletes the version's rows
        conn.execute(f"DELETE FROM {GOOSE_TABLE} WHERE version_id = ?", (version,))
    elif catalog.convention == "sqlx":
        conn.execute(f"DELETE FROM {SQLX_TABLE} WHERE version = ?", (version,))
    else:  # Flyway records an undo as a row of type UNDO_SQL
        migration = catalog.get(version)
        assert migration is not None
        rank = conn.execute(f'SELECT coalesce(max("installed_rank"), 0) + 1 FROM "{FLYWAY_TABLE}"')
        conn.execute(
            f'INSERT INTO "{FLYWAY_TABLE}" ("installed_rank", "version", "description", "type", '
            '"script", "checksum", "installed_by", "execution_time", "success") '
            "VALUES (?, ?, ?, 'UNDO_SQL', ?, NULL, ?, 0, 1)",
            (rank.fetchone()[0], migration.version_label, migration.name,
             "U" + migration.filename[1:], run_by()),
        )


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    return found.fetchone() is not None


def _dbmate(conn: sqlite3.Connection, migration: Migration, _duration_ms: int) -> None:
    conn.execute(f"INSERT INTO {HISTORY_TABLE} (version) VALUES (?)", (migration.version_label,))


def _golang_migrate(conn: sqlite3.Connection, migration: Migration, _duration_ms: int) -> None:
    # One row: the version the file is at, not dirty (sqlmig's run is atomic).
    conn.execute(f"DELETE FROM {HISTORY_TABLE}")
    conn.execute(f"INSERT INTO {HISTORY_TABLE} (version, dirty) VALUES (?, ?)",
                 (migration.version, False))


def _goose(conn: sqlite3.Connection, migration: Migration, _duration_ms: int) -> None:
    conn.execute(f"INSERT INTO {GOOSE_TABLE} (version_id, is_applied) VALUES (?, ?)",
                 (migration.version, True))


def _sqlx(conn: sqlite3.Connection, migration: Migration, duration_ms: int) -> None:
    digest = bytes.fromhex((migration.tool_checksum or "").partition(":")[2])
    conn.execute(
        f"INSERT INTO {SQLX_TABLE} (version, description, success, checksum, execution_time) "
        "VALUES (?, ?, TRUE, ?, ?)",
        (migration.version, migration.name, digest, duration_ms * 1_000_000),  # nanoseconds
    )


def _flyway(conn: sqlite3.Connection, migration: Migration, duration_ms: int) -> None:
    rank = conn.execute(f'SELECT coalesce(max("installed_rank"), 0) + 1 FROM "{FLYWAY_TABLE}"')
    crc = int((migration.tool_checksum or "crc32:0").partition(":")[2])
    conn.execute(
        f'INSERT INTO "{FLYWAY_TABLE}" ("installed_rank", "version", "description", "type", '
        '"script", "checksum", "installed_by", "execution_time", "success") '
        "VALUES (?, ?, ?, 'SQL', ?, ?, ?, ?, 1)",
        (rank.fetchone()[0], migration.version_label, migration.name, migration.filename, crc,
         run_by(), duration_ms),
    )


_WRITERS: dict[str, Callable[[sqlite3.Connection, Migration, int], None]] = {
    "dbmate": _dbmate, "golang-migrate": _golang_migrate, "goose": _goose, "sqlx": _sqlx,
    "flyway": _flyway,
}
_TABLES = {"dbmate": HISTORY_TABLE, "golang-migrate": HISTORY_TABLE, "goose": GOOSE_TABLE,
           "sqlx": SQLX_TABLE, "flyway": FLYWAY_TABLE}
