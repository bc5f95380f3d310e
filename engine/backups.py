"""Backup, verify and restore (SPEC §4.5, §7.11).

Backups use SQLite's online backup API, which copies a consistent snapshot including committed
rows still in a `-wal` file (a bare file copy of a WAL database would lose them). The copy is
written under a `.partial` name, verified, then renamed, so a backup that exists is complete.
Name: `<stem>.<YYYYmmdd-HHMMSS>.v<version>.sqlmig-backup<suffix>`.
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

from engine.cancel import CancelToken, watch
from engine.checks import quick_check, row_counts
from engine.connect import FileFacts, check_path, open_readonly, read_facts
from engine.errors import Refused, from_os_error, from_sqlite

BACKUP_PATTERN = re.compile(
    r"^(?P<stem>.+)\.(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.v(?P<version>\d+|none)"
    r"\.sqlmig-backup(?P<suffix>.*)$"
)
PAGES_PER_STEP = 4096
COPY_CHUNK = 8 * 1024 * 1024  # bytes per step of a file copy: a cancel is seen between steps
UNCHANGED = "The database was not changed."
CANCELLED = "no backup was made; nothing was changed."

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
    while candidate.exists() or candidate.with_name(candidate.name + ".partial").exists():
        n += 1
        candidate = base / f"{stem}.{stamp}-{n}.v{label}.sqlmig-backup{suffix}"
    return candidate


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
    cancel: CancelToken | None = None,
    create_folder: bool = False,
) -> BackupResult:
    """Copy `db` with the backup API, verify the copy, and return where it is.

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
    if destination is not None and (destination.exists() or destination.is_symlink()):
        raise Refused(
            f"{destination} already exists; a backup never overwrites a file. {UNCHANGED}",
            hint="Pick a new file name, or leave out --to for an automatic name.",
            code="exists",
        )
    target = destination or backup_name(db, version, folder=folder)
    partial = target.with_name(target.name + ".partial")
    started = time.monotonic()
    source = _open_source(facts)
    try:
        _copy(source, partial, on_progress, facts, cancel)
        copied = time.monotonic()
        with watch(source, cancel, state=CANCELLED):
            counts = row_counts(source)
        user_version = int(source.execute("PRAGMA user_version").fetchone()[0])
        _verify(partial, user_version, counts, cancel)
        _keep_permissions(db, partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        _remove(partial)
        raise from_sqlite(exc, state=f"No backup was made. {UNCHANGED}") from exc
    except OSError as exc:
        _remove(partial)
        raise from_os_error(
            exc, path=str(target), state=f"No backup was made. {UNCHANGED}"
        ) from exc
    except BaseException:
        _remove(partial)
        raise
    finally:
        source.close()
    return BackupResult(
        path=target,
        source=db,
        pages=_page_count(target),
        seconds=copied - started,
        verify_seconds=time.monotonic() - copied,
        user_version=user_version,
        row_counts=counts,
    )


def _open_source(facts: FileFacts) -> sqlite3.Connection:
    """A locking read-only connection (falls back to an unlocked one in a read-only folder,
    where a WAL file's `-shm` cannot be created)."""
    try:
        return open_readonly(facts, locking=True)
    except Refused:
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
    dest = sqlite3.connect(partial, isolation_level=None)
    try:

        def progress(_status: int, remaining: int, total: int) -> None:
            if cancel is not None:
                cancel.check(CANCELLED)  # raised here, it ends the backup API's loop
            if on_progress is not None:
                on_progress(total - remaining, total)

        source.backup(dest, pages=PAGES_PER_STEP, progress=progress)
        # The copy is a plain rollback-journal file: it must not depend on a -wal beside it.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())


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
    if wal_mode:  # the copy is a self-contained rollback-journal file, like every backup
        dest = sqlite3.connect(partial, isolation_level=None)
        try:
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    return True


def _copy_file(
    db: Path, partial: Path, pages: int, on_progress: Progress | None, cancel: CancelToken | None
) -> None:
    """The kernel copies the file in chunks; progress (in pages) and a cancel between chunks."""
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


def _in_wal_mode(conn: sqlite3.Connection) -> bool:
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"


def verify_backup(path: Path, user_version: int, counts: dict[str, int]) -> None:
    """Opens, passes quick_check, same user_version, same row count per table (SPEC §7.11)."""
    _verify(path, user_version, counts)


def _verify(
    path: Path, user_version: int, counts: dict[str, int], cancel: CancelToken | None = None
) -> None:
    conn = open_readonly(read_facts(path))
    with contextlib.closing(conn), watch(conn, cancel, state=CANCELLED):
        problems = quick_check(conn)
        if problems:
            raise Refused(
                f"The backup failed its check ({problems[0]}). {UNCHANGED}",
                hint="Check the disk the backup is written to, then try again.",
                code="check_failed",
            )
        copied_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        copied_counts = row_counts(conn)
    if copied_version != user_version or copied_counts != counts:
        raise Refused(
            "The backup does not match the database (user_version or row counts differ). "
            + UNCHANGED,
            hint="Another program may be writing to the file; close it and try again.",
            detail=f"expected {user_version} {counts}, got {copied_version} {copied_counts}",
            code="check_failed",
        )


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


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass


@dataclass(frozen=True)
class RestoreResult:
    restored: Path
    from_backup: Path
    replaced_copy: Path


def restore(db: Path, backup: Path, *, replaced_version: int | None = None) -> RestoreResult:
    """Replace `db` atomically with `backup`, keeping a backup of what it replaces."""
    check_path(backup)
    facts = read_facts(backup)
    conn = open_readonly(facts)
    try:
        problems = quick_check(conn)
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state="Nothing was restored.") from exc
    finally:
        conn.close()
    if problems:
        raise Refused(
            f"The backup {backup.name} is damaged ({problems[0]}); nothing was restored.",
            hint="Pick another backup.",
            code="corrupt",
        )
    replaced = create_backup(db, version=replaced_version).path if db.exists() else db
    staged = db.with_name(db.name + ".sqlmig-restore.partial")
    try:
        source = open_readonly(facts)
        try:
            _copy(source, staged, None)
        finally:
            source.close()
        if db.exists():
            _keep_permissions(db, staged)
        for side in ("-wal", "-shm", "-journal"):
            _remove(db.with_name(db.name + side))
        os.replace(staged, db)
        _fsync_dir(db.parent)
    except OSError as exc:
        _remove(staged)
        raise from_os_error(exc, path=str(db), state="The database was not replaced.") from exc
    return RestoreResult(db, backup, replaced)
