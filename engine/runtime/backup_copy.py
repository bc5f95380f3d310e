"""How a backup is copied and checked: the kernel copying the file (and a WAL file's `-wal`)
under SQLite's read lock, or SQLite's backup API where that is not possible; a copy made
self-contained, then verified (opens, `quick_check`, same `user_version` and row counts)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import FileFacts, open_copy, open_readonly, read_facts
from engine.core.errors import Refused
from engine.runtime import origin
from engine.runtime.checks import quick_check, row_counts

PAGES_PER_STEP = 4096
COPY_CHUNK = 8 * 1024 * 1024  # bytes per step of a file copy: a cancel is seen between steps
UNCHANGED = "The database was not changed."
CANCELLED = "no backup was made; nothing was changed."

Progress = Callable[[int, int], None]  # (pages done, pages total)


def copy_database(
    source: sqlite3.Connection,
    partial: Path,
    on_progress: Progress | None,
    facts: FileFacts | None = None,
    cancel: CancelToken | None = None,
) -> None:
    if (
        facts is not None
        and not facts.empty
        and _copy_under_read_lock(source, facts.path, partial, on_progress, cancel)
    ):
        return
    dest = open_copy(partial)
    try:

        def progress(_status: int, remaining: int, total: int) -> None:
            if cancel is not None:
                cancel.check(CANCELLED)  # raised here, it ends the backup API's loop
            if on_progress is not None:
                on_progress(total - remaining, total)

        source.backup(dest, pages=PAGES_PER_STEP, progress=progress)
    finally:
        dest.close()
    fsync(partial)


def copy_file(
    db: Path, partial: Path, pages: int, on_progress: Progress | None, cancel: CancelToken | None
) -> None:
    """The kernel copies the file in chunks (only under a lock that keeps writers out);
    progress in pages, and a cancel between chunks."""
    with db.open("rb") as src, partial.open("wb") as dst:
        size = os.fstat(src.fileno()).st_size
        done = 0
        while done < size:
            if cancel is not None:
                cancel.check(CANCELLED)
            sent = os.sendfile(dst.fileno(), src.fileno(), done, min(COPY_CHUNK, size - done))
            if sent == 0:
                break
            done += sent
            if on_progress is not None and done < size:
                on_progress(pages * done // size, pages)
    if on_progress is not None:
        on_progress(pages, pages)


def _copy_under_read_lock(
    source: sqlite3.Connection,
    db: Path,
    partial: Path,
    on_progress: Progress | None,
    cancel: CancelToken | None = None,
) -> bool:
    """Copy the main file (and a WAL file's `-wal`) as files while a read transaction holds
    SQLite's lock; returns False (nothing copied) when that would not be a committed state.

    Rollback-journal file: the SHARED lock keeps any writer from committing until the copy is
    done, so the main file is exactly the last commit. WAL file: the read transaction's snapshot
    is the main file plus the `-wal` frames up to its mark. While it is held no checkpoint
    writes a frame past that mark into the main file and the `-wal` cannot be restarted over
    frames the snapshot uses, so the main file copied, then the `-wal` copied after it, hold
    every frame of the snapshot (pages a checkpoint wrote meanwhile are the same pages in those
    frames). Frames a writer appends meanwhile are a later commit, or, when cut off, are
    dropped by the copy's WAL recovery (frame checksums). The copy is then opened alone: SQLite
    recovers its `-wal` and `make_self_contained` folds it in, and the verification compares it
    with the database. The kernel copies the files, several times faster than the backup API's
    page loop, and the database's own files are only read (no checkpoint is run on them).
    """
    source.execute("BEGIN")
    wal_copy = wal_of(partial)
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # takes the read lock
        wal = wal_of(db)
        if wal.exists() and not _in_wal_mode(source):
            return False  # a -wal beside a rollback-journal file: SQLite's own business
        pages = int(source.execute("PRAGMA page_count").fetchone()[0])
        copy_file(db, partial, pages, on_progress, cancel)
        if wal.exists() and wal.stat().st_size > 0:
            copy_file(wal, wal_copy, pages, None, cancel)
            fsync(wal_copy)
    except BaseException:
        remove_files(wal_copy)
        raise
    finally:
        source.execute("ROLLBACK")
    fsync(partial)
    return True


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def make_self_contained(partial: Path) -> bool:
    """A copy of a WAL file carries the WAL flag in its header: make it a rollback-journal file,
    which needs nothing beside it. True when the file was changed."""
    with partial.open("rb") as handle:
        header = handle.read(20)
    if header[18:20] != b"\x02\x02":
        return False
    try:
        dest = open_copy(partial)
        try:
            dest.execute("PRAGMA journal_mode = DELETE")  # folds in a copied -wal first
        finally:
            dest.close()
    finally:  # gone once folded in; left over only when the conversion failed
        remove_files(wal_of(partial), partial.with_name(partial.name + "-shm"))
    fsync(partial)
    return True


def fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def counts_of(copy: Path, accept_damage: bool) -> tuple[dict[str, int], int]:
    conn = open_readonly(read_facts(copy))
    try:
        return count_rows(conn, accept_damage)
    finally:
        conn.close()


def count_rows(conn: sqlite3.Connection, accept_damage: bool) -> tuple[dict[str, int], int]:
    """Rows per table and user_version; with `accept_damage`, no counts where damage stops
    the counting (quick_check then reports that damage)."""
    user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    try:
        return row_counts(conn), user_version
    except sqlite3.DatabaseError:
        if not accept_damage:
            raise
        return {}, user_version


def _in_wal_mode(conn: sqlite3.Connection) -> bool:
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"


def verify_backup(path: Path, user_version: int, counts: dict[str, int]) -> None:
    """Opens, passes quick_check, same user_version, same row count per table (SPEC §7.11)."""
    verify_copy(path, user_version, counts)


def verify_copy(
    path: Path,
    user_version: int,
    counts: dict[str, int],
    *,
    accept_damage: bool = False,
    cancel: CancelToken | None = None,
) -> tuple[origin.Shape, int, int, tuple[str, ...]]:
    """Verify the copy; returns its shape, page size, page count (for the origin record) and,
    with `accept_damage`, quick_check's findings instead of refusing a damaged copy."""
    conn = open_readonly(read_facts(path))
    with contextlib.closing(conn), watch(conn, cancel, state=CANCELLED):
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
        try:
            problems = quick_check(conn)
        except sqlite3.DatabaseError as exc:  # damage so bad that quick_check stops on it
            if not accept_damage:
                raise
            problems = [str(exc)]
        if problems and accept_damage:
            return origin.Shape(frozenset(), frozenset()), page_size, page_count, tuple(problems)
        if problems:
            raise Refused(
                f"The backup failed its check ({problems[0]}). {UNCHANGED}",
                hint="Check the disk the backup is written to, then try again.",
                code="check_failed",
            )
        copied_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        copied_counts = row_counts(conn)
        shape = origin.read_shape(conn)
    if copied_version != user_version or copied_counts != counts:
        raise Refused(
            "The backup does not match the database (user_version or row counts differ). "
            + UNCHANGED,
            hint="Another program may be writing to the file; close it and try again.",
            detail=f"expected {user_version} {counts}, got {copied_version} {copied_counts}",
            code="check_failed",
        )
    return shape, page_size, page_count, ()


def keep_permissions(original: Path, copy: Path) -> None:
    mode = stat.S_IMODE(original.stat().st_mode)
    os.chmod(copy, mode)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def pages_in(path: Path) -> int:
    facts = read_facts(path)
    return facts.header_page_count or 0


def remove_files(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            with contextlib.suppress(OSError):  # already gone: nothing more to do
                path.unlink()
