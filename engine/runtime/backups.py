"""Backup and verify (SPEC §4.5, §7.11, §7.20); restore is engine/restoring.py.

Backups use SQLite's online backup API, which copies a consistent snapshot including committed
rows still in a `-wal` file (a bare file copy of a WAL database would lose them). The copy is
written under a `.partial` name, verified, then renamed, so a backup that exists is complete.
Name: `<stem>.<YYYYmmdd-HHMMSS>.v<version>.sqlmig-backup<suffix>`. Next to it, `<backup>.json`
records where it came from (engine/origin.py), written before the rename. Every path SQLite will
open (the `.partial` copy) is checked against SQLite's path limit before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import (
    FileFacts,
    open_copy,
    open_readonly,
    read_facts,
    refuse_long_path,
)
from engine.core.errors import Refused, from_os_error, from_sqlite
from engine.runtime import origin
from engine.runtime.checks import quick_check, row_counts

BACKUP_PATTERN = re.compile(
    r"^(?P<stem>.+)\.(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.v(?P<version>\d+|none)"
    r"\.sqlmig-backup(?P<suffix>.*)$"
)
PAGES_PER_STEP = 4096
COPY_CHUNK = 8 * 1024 * 1024  # bytes per step of a file copy: a cancel is seen between steps
UNCHANGED = "The database was not changed."
CANCELLED = "no backup was made; nothing was changed."
LONG_BACKUP_PATH_HINT = (
    "Choose a backup folder with a shorter path (--backup-dir), or move the database to a "
    "folder with a shorter path."
)

Progress = Callable[[int, int], None]  # (pages done, pages total)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    source: Path
    pages: int
    seconds: float
    verify_seconds: float
    user_version: int
    row_counts: dict[str, int]
    sidecar: Path | None = None
    damage: tuple[str, ...] = ()  # quick_check's findings in a copy kept with `accept_damage`


def backup_name(
    db: Path, version: int | None, *, folder: Path | None = None, when: datetime | None = None
) -> Path:
    """A new, unused backup path for `db` (a counter is added within the same second)."""
    when = when or datetime.now(UTC).astimezone()
    stamp = when.strftime("%Y%m%d-%H%M%S")
    label = "none" if version is None else str(version)
    base = folder or db.parent
    suffix = db.suffix
    stem = db.name[: -len(suffix)] if suffix else db.name
    candidate = base / f"{stem}.{stamp}.v{label}.sqlmig-backup{suffix}"
    n = 1
    while _taken(candidate):
        n += 1
        candidate = base / f"{stem}.{stamp}-{n}.v{label}.sqlmig-backup{suffix}"
    return candidate


def _taken(candidate: Path) -> bool:
    """Something is at the backup's name, its `.partial` or its sidecar (an origin record of
    ours whose backup is gone does not count: it is replaced)."""
    if any(p.exists() or p.is_symlink() for p in (candidate, partial_of(candidate))):
        return True
    sidecar = origin.sidecar_path(candidate)
    return (sidecar.exists() or sidecar.is_symlink()) and not origin.is_record(sidecar)


def partial_of(backup: Path) -> Path:
    return backup.with_name(backup.name + ".partial")


def refuse_long_backup_path(backup: Path, state: str = UNCHANGED) -> None:
    """The backup's `.partial` copy is the longest path SQLite opens for a backup."""
    refuse_long_path(partial_of(backup), what="The backup", hint=LONG_BACKUP_PATH_HINT,
                     state=state)


def find_backups(db: Path, folder: Path | None = None) -> list[Path]:
    """Backups of `db`, newest first."""
    base = folder or db.parent
    suffix = db.suffix
    stem = db.name[: -len(suffix)] if suffix else db.name
    found = []
    for entry in base.glob(f"{glob_escape(stem)}.*.sqlmig-backup*"):
        match = BACKUP_PATTERN.match(entry.name)
        if match and match["stem"] == stem and match["suffix"] == suffix:
            found.append(entry)
    return sorted(found, key=lambda p: p.name, reverse=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def create_backup(
    db: Path,
    *,
    version: int | None,
    folder: Path | None = None,
    destination: Path | None = None,
    on_progress: Progress | None = None,
    caller_holds_lock: bool = False,
    accept_damage: bool = False,
    cancel: CancelToken | None = None,
    create_folder: bool = False,
) -> BackupResult:
    """Copy `db` with the backup API, verify the copy, record its origin, return where it is.

    `caller_holds_lock`: the caller's connection holds the EXCLUSIVE lock of a rollback-journal
    `db` and has written nothing to its main file yet (a restore, before its first commit): no
    reader can get in, and the main file is exactly the last commit, so it is copied as a file
    and verified on its own (quick_check; its counts are its own).

    `accept_damage` (a restore keeping what it replaces): a database that fails quick_check is
    still copied page for page, and the copy is kept with the findings in `damage`.

    `create_folder`: a missing `folder` whose parent exists is created (`rsync --backup-dir`)."""
    facts = read_facts(db)
    if folder is not None:
        prepare_folder(folder, create=create_folder)
    if destination is not None and not destination.parent.is_dir():
        raise Refused(
            f"The folder {destination.parent} does not exist, so the backup "
            f"{destination.name} cannot be written there. {UNCHANGED}",
            hint="Create the folder first, or give a file name in a folder that exists.",
            code="missing",
        )
    if destination is not None and _taken(destination):
        raise Refused(
            f"{destination} (or its {origin.sidecar_path(destination).name}) already exists; "
            f"a backup never overwrites a file. {UNCHANGED}",
            hint="Pick a new file name, or leave out --to for an automatic name.",
            code="exists",
        )
    target = destination or backup_name(db, version, folder=folder)
    refuse_long_backup_path(target)
    partial = partial_of(target)
    sidecar: Path | None = None
    started = time.monotonic()
    source = None if caller_holds_lock else _open_source(facts)
    try:
        if source is None:
            _copy_file(db, partial, _page_count(db), on_progress, cancel)
            _fsync(partial)
        else:
            _copy(source, partial, on_progress, facts, cancel)
        copied = time.monotonic()
        image_sha256 = origin.sha256_of(partial)
        converted = _make_self_contained(partial)
        if source is None:
            counts, user_version = _counts(partial, accept_damage)
        else:
            with watch(source, cancel, state=CANCELLED):
                counts, user_version = _count_rows(source, accept_damage)
        shape, page_size, page_count, damage = _verify(
            partial, user_version, counts, accept_damage=accept_damage, cancel=cancel
        )
        described = origin.describe(
            source=db,
            source_size=facts.size,
            source_wal_size=facts.wal_size,
            source_sha256=image_sha256,
            backup_sha256=origin.sha256_of(partial) if converted else image_sha256,
            version=version,
            user_version=user_version,
            page_size=page_size,
            page_count=page_count,
            journal_mode="wal" if facts.wal_mode else "rollback",
            shape=shape,
        )
        if damage:
            described["damage"] = list(damage)
        _keep_permissions(db, partial)
        sidecar = origin.write_sidecar(target, described)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        _remove(partial, sidecar)
        raise from_sqlite(exc, state=f"No backup was made. {UNCHANGED}") from exc
    except OSError as exc:
        _remove(partial, sidecar)
        raise from_os_error(
            exc, path=str(target), state=f"No backup was made. {UNCHANGED}"
        ) from exc
    except BaseException:
        _remove(partial, sidecar)
        raise
    finally:
        if source is not None:
            source.close()
    return BackupResult(
        path=target,
        source=db,
        pages=_page_count(target),
        seconds=copied - started,
        verify_seconds=time.monotonic() - copied,
        user_version=user_version,
        row_counts=counts,
        sidecar=sidecar,
        damage=damage,
    )


def _open_source(facts: FileFacts) -> sqlite3.Connection:
    """A locking read-only connection (falls back to an unlocked one in a read-only folder,
    where a WAL file's `-shm` cannot be created)."""
    try:
        return open_readonly(facts, locking=True)
    except Refused as exc:
        if exc.code == "path_too_long":
            raise
        return open_readonly(facts)


def prepare_folder(folder: Path, *, create: bool) -> None:
    """Refuse a backup folder that is a file or is missing; with `create`, make a missing last
    level."""
    if folder.is_dir():
        return
    if folder.exists() or folder.is_symlink():
        raise Refused(
            f"The backup folder {folder} is a file, not a folder. {UNCHANGED}",
            hint="Pick a folder for the backups (it is created when only its last part is "
            "missing).",
            code="not_a_folder",
        )
    if not create:
        raise Refused(
            f"The backup folder {folder} does not exist.",
            hint="Create it or pick another folder. " + UNCHANGED,
            code="missing",
        )
    if not folder.parent.is_dir():
        raise Refused(
            f"The backup folder {folder} does not exist, and neither does {folder.parent}. "
            + UNCHANGED,
            hint="Create the folders first, or pick a folder that exists.",
            code="missing",
        )
    try:
        folder.mkdir()
    except FileExistsError:
        pass
    except OSError as exc:
        state = f"No backup was made. {UNCHANGED}"
        raise from_os_error(exc, path=str(folder), state=state) from exc


def _copy(
    source: sqlite3.Connection,
    partial: Path,
    on_progress: Progress | None,
    facts: FileFacts | None = None,
    cancel: CancelToken | None = None,
) -> None:
    if (
        facts is not None
        and not facts.empty
        and not facts.wal_size
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
    _fsync(partial)


def _copy_file(
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
    """Copy the main file as a file while a read transaction holds SQLite's lock, when that is
    exactly the committed state; returns False (nothing copied) otherwise.

    Rollback-journal file: the SHARED lock keeps any writer from committing until the copy is
    done. WAL file whose `-wal` is empty or absent once the read transaction has started: the
    snapshot is the main file alone, and no checkpoint may write into the main file while a
    reader holds that snapshot, so the main file cannot change under the copy. A WAL file with
    frames in its `-wal` always goes through the backup API (a bare copy would lose them).
    The kernel copies the file, several times faster than the backup API's page loop.
    """
    source.execute("BEGIN")
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # takes the read lock
        wal = db.with_name(db.name + "-wal")
        wal_mode = _in_wal_mode(source)
        if (wal.exists() and wal.stat().st_size > 0) or (wal.exists() and not wal_mode):
            return False
        pages = int(source.execute("PRAGMA page_count").fetchone()[0])
        _copy_file(db, partial, pages, on_progress, cancel)
    finally:
        source.execute("ROLLBACK")
    _fsync(partial)
    return True


def _make_self_contained(partial: Path) -> bool:
    """A copy of a WAL file carries the WAL flag in its header: make it a rollback-journal file,
    which needs nothing beside it. True when the file was changed."""
    with partial.open("rb") as handle:
        header = handle.read(20)
    if header[18:20] != b"\x02\x02":
        return False
    dest = open_copy(partial)
    try:
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    _fsync(partial)
    return True


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _counts(copy: Path, accept_damage: bool) -> tuple[dict[str, int], int]:
    conn = open_readonly(read_facts(copy))
    try:
        return _count_rows(conn, accept_damage)
    finally:
        conn.close()


def _count_rows(conn: sqlite3.Connection, accept_damage: bool) -> tuple[dict[str, int], int]:
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
    _verify(path, user_version, counts)


def _verify(
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


def _keep_permissions(original: Path, copy: Path) -> None:
    mode = stat.S_IMODE(original.stat().st_mode)
    os.chmod(copy, mode)


def _fsync_dir(folder: Path) -> None:
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


def _page_count(path: Path) -> int:
    facts = read_facts(path)
    return facts.header_page_count or 0


def _remove(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            with contextlib.suppress(OSError):  # already gone: nothing more to do
                path.unlink()
