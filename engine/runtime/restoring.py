"""Restore a database from a backup by writing the backup's pages into it through SQLite
(SPEC §4.5, §7.20); never by swapping files.

Why through SQLite: a program that has the database open keeps its file descriptors. Swapping a
new file in (and deleting `-wal`/`-shm`) leaves it committing into a deleted inode, and every row
it writes afterwards is lost. SQLite's backup API with the database as its *destination* is an
ordinary write transaction: other connections wait for its lock as for any writer, then see a
commit and re-read (the schema cookie changes, so they re-read the schema too).

1. Target: must exist (never created); a symbolic link is resolved and the real file is written
   (the link stays a link); the backup must not be that same file.
2. Source: not empty, a SQLite file, passes quick_check, has a table (two pages or more), and is a
   backup of this database (engine/origin.py) unless `force`, which never overrides damage.
   The paths SQLite will open (the file with its journal, the kept copy) fit SQLite's limit.
3. Staging, when needed: SQLite copies the backup's header as it is, so a backup in WAL format
   would turn a rollback-journal database into a WAL one, and a WAL database refuses pages of
   another size (SQLITE_READONLY). Then the backup is first copied next to the database as
   `<name>.sqlmig-restore.partial`, in rollback format and with the database's page size (VACUUM),
   and restored from there. The database keeps its journal mode either way.
4. Write: `source.backup(target)` in steps of a few hundred pages. The first step takes the
   target's write lock, waiting up to `wait` seconds (busy timeout); still busy after that: refused
   with `locked`, the file untouched. Right after the first step, holding the lock and having
   committed nothing, the copy of what is replaced is made (`create_backup`): in WAL mode through
   a reader, which SQLite shows the last commit; in rollback mode, where the lock is EXCLUSIVE and
   the main file is still exactly the last commit (the step's pages wait in a cache sized not to
   spill), as a file. Nobody can commit between that copy and the restore, so the copy is exactly
   what is replaced. A damaged database is copied page for page all the same (restoring it is
   the point), and its damage is reported. The other steps copy the rest; the last one
   commits. A failure anywhere rolls the write back and removes the copy again.
5. After: a WAL file is checkpointed when no reader holds an older snapshot, and the result must
   pass quick_check.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.core.connect import (
    FileFacts,
    check_path,
    open_copy,
    open_readonly,
    open_readwrite,
    read_facts,
    refuse_long_database_path,
)
from engine.core.errors import EngineError, Refused, RunFailed, from_os_error, from_sqlite
from engine.runtime import origin
from engine.runtime.backups import (
    BackupResult,
    backup_name,
    create_backup,
    partial_of,
    refuse_long_backup_path,
)
from engine.runtime.checks import quick_check

NOT_RESTORED = "Nothing was restored; the file is unchanged."
PAGES_PER_STEP = 256
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
FORCE_HINT = ("Pick a backup of this file. If you are sure (for example the database was copied "
              "from another place), run the restore again with --force.")


@dataclass(frozen=True)
class RestoreResult:
    restored: Path  # the path as given (a symbolic link stays a link)
    real_path: Path  # the file that was written
    from_backup: Path
    replaced_copy: Path  # the verified copy of what was replaced
    journal_mode: str  # the database's journal mode, kept ("wal", "delete", …)
    origin: str  # why the backup was taken for a backup of this database
    forced: bool = False
    replaced_damage: tuple[str, ...] = ()  # quick_check's findings in the file that was replaced
    replaced_version: int | None = None
    restored_version: int | None = None


class _StillBusy(Exception):
    """Another program kept the write lock past the deadline."""


def restore(
    db: Path,
    backup: Path,
    *,
    replaced_version: int | None = None,
    force: bool = False,
    wait: float = 10.0,
) -> RestoreResult:
    """Write `backup` into `db` through SQLite, after a verified copy of what it replaces."""
    real = _target(db, backup)
    facts = _source_facts(backup)
    refuse_long_database_path(real)
    refuse_long_backup_path(backup_name(real, replaced_version), NOT_RESTORED)
    source = open_readonly(facts)
    try:
        _check_source(source, backup)
        verdict = origin.relation(backup, origin.read_shape(source), real, _shape_of(real))
        if not verdict.ok and not force:
            raise Refused(f"{verdict.reason} {NOT_RESTORED}", hint=FORCE_HINT,
                          code="not_a_backup")
        target = open_readwrite(real, wait_seconds=wait)
        try:
            mode = str(target.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            page_size = int(target.execute("PRAGMA page_size").fetchone()[0])
            with _staged(source, facts, real, mode == "wal", page_size) as (pages_from, pages):
                kept = _write(pages_from, pages, target, real, replaced_version, wait, mode)
            _settle(target, real, kept, mode)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=NOT_RESTORED) from exc
    except OSError as exc:
        raise from_os_error(exc, path=str(real), state=NOT_RESTORED) from exc
    finally:
        source.close()
    reason = verdict.reason if verdict.ok else f"Forced: {verdict.reason}"
    return RestoreResult(db, real, backup, kept.path, mode, reason, force and not verdict.ok,
                         kept.damage)


def _target(db: Path, backup: Path) -> Path:
    """The real file to write: it must exist (a restore never creates one)."""
    check_path(db)
    check_path(backup)
    real = db.resolve()
    if os.path.samefile(real, backup):
        raise Refused(
            f"{backup} is the database itself. {NOT_RESTORED}",
            hint="Pick a backup file (sqlmig names them NAME.DATE.vN.sqlmig-backup.db).",
            code="same_file",
        )
    return real


def _source_facts(backup: Path) -> FileFacts:
    facts = read_facts(backup)  # not SQLite, truncated, damaged header: refused here
    if facts.empty:
        raise Refused(
            f"{backup.name} is empty (0 bytes): there is nothing in it to restore. {NOT_RESTORED}",
            hint="Pick a backup file (sqlmig names them NAME.DATE.vN.sqlmig-backup.db).",
            code="empty",
        )
    return facts


def _check_source(source: sqlite3.Connection, backup: Path) -> None:
    """The backup must pass quick_check and hold a table."""
    problems = quick_check(source)
    if problems:
        raise Refused(
            f"The backup {backup.name} is damaged ({problems[0]}). {NOT_RESTORED}",
            hint="Pick another backup.",
            detail="\n".join(problems),
            code="corrupt",
        )
    pages = int(source.execute("PRAGMA page_count").fetchone()[0])
    if pages < 2:
        raise Refused(
            f"{backup.name} is an empty database (no tables): there is nothing in it to restore. "
            + NOT_RESTORED,
            hint="Pick a backup file (sqlmig names them NAME.DATE.vN.sqlmig-backup.db).",
            code="empty",
        )


def _shape_of(real: Path) -> origin.Shape | None:
    try:
        conn = open_readonly(read_facts(real))
    except EngineError:
        return None
    try:
        return origin.read_shape(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


@contextlib.contextmanager
def _staged(
    source: sqlite3.Connection, facts: FileFacts, real: Path, target_wal: bool, page_size: int
) -> Iterator[tuple[sqlite3.Connection, int]]:
    """The connection to restore from and its page count: the backup itself, or a staging copy
    in rollback format with the target's page size when SQLite could not take it as it is."""
    pages = int(source.execute("PRAGMA page_count").fetchone()[0])
    resize = target_wal and facts.page_size != page_size
    if not (facts.wal_mode and not target_wal) and not resize:
        yield source, pages
        return
    staged = real.with_name(real.name + ".sqlmig-restore.partial")
    refuse_long_database_path(staged)
    _remove_with_sides(staged)  # a leftover of an interrupted restore is ours to replace
    try:
        copy = open_copy(staged)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            if resize:
                copy.execute(f"PRAGMA page_size = {page_size}")
                copy.execute("VACUUM")
        finally:
            copy.close()
        staged_source = open_readonly(read_facts(staged))
        try:
            yield staged_source, int(staged_source.execute("PRAGMA page_count").fetchone()[0])
        finally:
            staged_source.close()
    finally:
        _remove_with_sides(staged)


def _write(
    source: sqlite3.Connection,
    pages: int,
    target: sqlite3.Connection,
    real: Path,
    replaced_version: int | None,
    wait: float,
    mode: str,
) -> BackupResult:
    """Copy every page of `source` into `target` in one write transaction; returns the copy of
    what was replaced, made under that transaction's lock before anything was committed."""
    step = max(1, min(PAGES_PER_STEP, pages - 1))  # the first step must not be the last
    page_size = max(int(source.execute("PRAGMA page_size").fetchone()[0]),
                    int(target.execute("PRAGMA page_size").fetchone()[0]))
    # Room for two steps of pages: the first step must not spill into the main file.
    target.execute(f"PRAGMA cache_size = -{2 * step * page_size // 1024 + 2048}")
    deadline = time.monotonic() + wait
    kept: list[BackupResult] = []

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in (SQLITE_BUSY, SQLITE_LOCKED):
            if time.monotonic() >= deadline:
                raise _StillBusy
        elif not kept:  # the write lock is ours and nothing is committed yet
            kept.append(create_backup(real, version=replaced_version,
                                      caller_holds_lock=mode != "wal", accept_damage=True))

    try:
        source.backup(target, pages=step, progress=progress, sleep=0.05)
    except BaseException as exc:  # SQLite rolled the write back: the copy is not needed
        for made in kept:
            _remove_backup(made)
        if isinstance(exc, _StillBusy):
            raise Refused(
                f"{real.name} is in use by another program that holds its write lock (waited "
                f"{wait:g} s). {NOT_RESTORED}",
                hint="Close the application that uses this file (or wait for it to finish) and "
                "try again; --wait gives it longer.",
                code="locked",
            ) from None
        raise
    if not kept:  # cannot happen: the first step is never the last
        raise RunFailed("The restore finished without keeping a copy of what it replaced.",
                        code="internal")
    return kept[0]


def _settle(target: sqlite3.Connection, real: Path, kept: BackupResult, mode: str) -> None:
    """After the commit: shrink the `-wal` when nobody reads an older snapshot, then check."""
    try:
        if mode == "wal":
            target.execute("PRAGMA busy_timeout = 0")
            with contextlib.suppress(sqlite3.OperationalError):  # a reader is busy: SQLite
                target.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # checkpoints later
        problems = quick_check(target)
    except sqlite3.Error as exc:
        problems = [f"{getattr(exc, 'sqlite_errorname', 'SQLITE_ERROR')}: {exc}"]
    if problems:
        raise RunFailed(
            f"{real.name} was restored but fails quick_check ({problems[0]}).",
            hint=f"The file as it was before the restore is kept at {kept.path}.",
            detail="\n".join(problems),
            code="check_failed",
        )


def _remove_backup(made: BackupResult) -> None:
    for path in (made.path, made.sidecar, partial_of(made.path)):
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()


def _remove_with_sides(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
