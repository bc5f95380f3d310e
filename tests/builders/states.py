"""Builders for the states no fixture holds rows for, and for files the app's own runner left.

Each returns a `LegacyFile` (path + what was put in). All start from `build_legacy` or from the
bundled chain, then replay what the app did next (`app_runner.run_app_runner`).
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from builders import app_runner
from builders.data import DataSpec, columns, populate
from builders.legacy import (
    LegacyFile,
    add_extra_tables,
    add_fallbacks,
    build_legacy,
    connect,
    finish,
    history_versions,
    random_extra_tables,
    table_counts,
)


def _record(path: Path, *, kind: str, era: str | None, **extra: Any) -> LegacyFile:
    conn = sqlite3.connect(path)
    try:
        counts = table_counts(conn)
        uv = int(conn.execute("PRAGMA user_version").fetchone()[0])
        history = history_versions(conn)
    finally:
        conn.close()
    return LegacyFile(
        path=path,
        era=era,
        user_version=uv,
        counts={k: v for k, v in counts.items() if k != "sqlite_sequence"},
        tables=tuple(sorted(counts)),
        history=history,
        kind=kind,
        **extra,
    )


def _wal(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def build_app_opened(
    path: str | Path,
    *,
    era: str,
    attempts: int = 2,
    migrations_found: bool = True,
    stop_after: int | None = None,
    **legacy: Any,
) -> LegacyFile:
    """A legacy file (see `build_legacy`) then opened by the app's own SQL-file runner at HEAD.

    `attempts=1`: start-up only (MANIFEST suffix none); 2: start-up plus first reads ("-op").
    Examples: F11 + attempts=1 → uv 11, rows 8…11, `archived_messages_backup` with the legacy rows;
    F11 + attempts=2 → uv 18, rows 8…18, archived rows lost; F8 (uv 5) + attempts=1 → uv 11,
    rows 6…11, `agent_memory_backup` holding every memory row beside an empty rebuilt
    `agent_memory`; F3-born uv 1 → stuck at uv 1 with an empty history (0002 duplicate column).
    """
    base = build_legacy(path, era=era, **legacy)
    log = app_runner.run_app_runner(
        base.path, attempts=attempts, migrations_found=migrations_found, stop_after=stop_after
    )
    _wal(base.path)
    record = _record(
        base.path,
        kind="app-runner",
        era=era,
        upgraded_from=base.upgraded_from,
        failed=base.failed,
        extra_tables=base.extra_tables,
        fallback=base.fallback,
        app_errors=tuple(log.errors),
    )
    record.notes.append(f"legacy counts before the app's runner: {base.counts}")
    return record


def build_memory_backup_leftover(
    path: str | Path, *, era: str = "F8", rng: random.Random | int | None = None, **legacy: Any
) -> LegacyFile:
    """0012 v2 failed half-way on the agent_memory part: `agent_memory_backup` (legacy order, made
    by `CREATE TABLE … AS SELECT *`, missing `message_id`) holds every memory row, `agent_memory` is
    the EMPTY rebuilt head-style table, history rows 6…11 (era F8 = legacy uv 5), uv 11. The
    legacy `archived_messages` was not reached and still has its layout and rows."""
    record = build_app_opened(path, era=era, attempts=1, rng=rng, **legacy)
    record.kind = "agent_memory_backup"
    return record


def build_archived_backup_leftover(
    path: str | Path, *, era: str = "F11", attempts: int = 1, **legacy: Any
) -> LegacyFile:
    """0012 v2 failed on the archived part: `archived_messages_backup` (legacy layout) holds the
    archived rows beside an empty tracked-layout `archived_messages`; uv 11, history 8…11 (F11).
    With `era="F8", attempts=2` the app's retry also emptied agent_memory (the real
    2aafd789-then-head-op state): only the archived backup is left to salvage."""
    record = build_app_opened(path, era=era, attempts=attempts, **legacy)
    record.kind = "archived_messages_backup"
    return record


def build_camel_queue(
    path: str | Path, *, era: str = "F11", rows: int = 5, then_app: bool = False, **legacy: Any
) -> LegacyFile:
    """A v0.8.0-era file with the ws server's camelCase `message_queue` (and the events fallback),
    holding `rows` queue rows. `then_app=True`: then opened by the app's runner, whose 0015 keeps
    the old table and fails on its UNIQUE index → stuck at uv 14."""
    data = dict(legacy.pop("data", None) or {})
    data["message_queue"] = rows
    fallback = tuple(legacy.pop("fallback", ("events",)))
    if "message_queue" not in fallback:
        fallback += ("message_queue",)
    if then_app:
        record = build_app_opened(path, era=era, data=data, fallback=fallback, **legacy)
    else:
        record = build_legacy(path, era=era, data=data, fallback=fallback, **legacy)
    record.kind = "camel_message_queue"
    return record


def build_runner_leftover(
    path: str | Path,
    *,
    with_legacy: str | None = "F11",
    rng: random.Random | int | None = None,
    data: DataSpec | Mapping[str, Any] | None = None,
) -> LegacyFile:
    """The app's runner found no `migrations/` (npm ≤ 0.12.0, wrong cwd): an EMPTY
    `schema_migrations` (app layout) beside a legacy file, plus the fallback `events`. With
    `with_legacy=None`: a new file holding only that (c9ef441b-like, uv 0)."""
    path = Path(path)
    if with_legacy is None:
        conn = connect(path)
        add_fallbacks(conn, ("events", "event_sequences"))
        conn.execute(app_runner.APP_HISTORY_DDL)
        finish(conn, wal=True)
        return _record(path, kind="runner-leftover", era=None)
    return build_app_opened(path, era=with_legacy, migrations_found=False, rng=rng, data=data)


# --------------------------------------------------------------------------------------------
# tracked-era files


def _engine_fresh(path: Path, version: int) -> None:
    import engine

    sqlite3.connect(path).close()
    result = engine.upgrade(path, target=version, backup=False)
    if not result.ok:
        raise RuntimeError(f"bundled chain failed to build v{version}: {result.error}")


def drop_column(conn: sqlite3.Connection, table: str, column: str) -> None:
    """Remove a column's effect (a tracked file whose history claims more than its shape)."""
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall():
        cols = [str(r[2]) for r in conn.execute(f'PRAGMA index_info("{name}")')]
        if column in cols:
            conn.execute(f'DROP INDEX "{name}"')
    conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def build_tracked(
    path: str | Path,
    *,
    version: int = 18,
    runner: str = "sqlmig",
    drop_columns: Iterable[tuple[str, str]] = (),
    drop_tables: Iterable[str] = (),
    data: DataSpec | Mapping[str, Any] | None = None,
    rng: random.Random | int | None = None,
    extra_tables: int = 0,
) -> LegacyFile:
    """A tracked-era file at `version`: built by the bundled chain (`runner="sqlmig"`, history with
    checksums) or by the emulated app runner (`runner="app"`, the app's 3-column history), then
    damaged: `drop_columns=[("worlds", "mcp_config")]` mimics "tracked at 18, missing columns"."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(path)
    if runner == "sqlmig":
        _engine_fresh(path, version)
    elif runner == "app":
        sqlite3.connect(path).close()
        app_runner.run_app_runner(path, attempts=1, stop_after=version, events_fallback=False)
    else:
        raise ValueError(f"runner must be 'sqlmig' or 'app', not {runner!r}")
    generator = rng if isinstance(rng, random.Random) else random.Random(rng)
    spec = DataSpec.make(data)
    conn = connect(path)
    populate(conn, spec, generator)
    extras = add_extra_tables(conn, random_extra_tables(generator, extra_tables, spec.extra_rows))
    conn.execute("PRAGMA foreign_keys = OFF")
    dropped = []
    for table, column in drop_columns:
        drop_column(conn, table, column)
        dropped.append(f"{table}.{column}")
    for table in drop_tables:
        conn.execute(f'DROP TABLE "{table}"')
        dropped.append(table)
    finish(conn, wal=True)
    record = _record(path, kind=f"tracked-{runner}", era=None, extra_tables=tuple(extras))
    if dropped:
        record.notes.append(f"removed: {', '.join(dropped)}")
    return record


def build_pr82(
    path: str | Path,
    *,
    then_head: bool = False,
    data: DataSpec | Mapping[str, Any] | None = None,
    rng: random.Random | int | None = None,
) -> LegacyFile:
    """A file from PR #82's branch: the app's chain 0000…0012, then PR #82's own 0013
    `create_chat_messages` and 0014 `migrate_agent_memory_to_chat_messages` (table `chat_messages`
    filled from agent_memory, `world_chats.data_migrated`), uv 14. It lacks `worlds.variables`,
    `worlds.main_agent` and `agents.auto_reply`. `then_head=True`: then opened by HEAD, which
    skips its own 0013/0014 and runs 15…18 (uv 18, rows 0…18 with two foreign names)."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(path)
    sqlite3.connect(path).close()
    app_runner.run_app_runner(path, attempts=1, stop_after=12, events_fallback=False)
    generator = rng if isinstance(rng, random.Random) else random.Random(rng)
    conn = connect(path)
    populate(conn, DataSpec.make(data), generator)
    conn.close()
    log = app_runner.run_app_runner(path, chain=app_runner.PR82_CHAIN, attempts=1)
    if log.errors:
        raise RuntimeError(f"PR #82 chain failed: {log.errors}")
    if then_head:
        app_runner.run_app_runner(path, attempts=1)
    _wal(path)
    return _record(path, kind="pr82", era=None)


def pr82_chat_messages(path: str | Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [str(r[0]) for r in conn.execute("SELECT content FROM chat_messages ORDER BY id")]
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# helpers for tests


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder per hypothesis example (tmp_path is per test, not per example)."""
    return tempfile.TemporaryDirectory(prefix="sqlmig-builders-")


def columns_of(path: str | Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return columns(conn, table)
    finally:
        conn.close()
