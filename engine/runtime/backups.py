"""Backup and verify (SPEC §4.5, §7.11, §7.20); restore is engine/restoring.py.

Backups use SQLite's online backup API, which copies a consistent snapshot including committed
rows still in a `-wal` file (a bare file copy of a WAL database would lose them). The copy is
written under a `.partial` name, verified, then renamed, so a backup that exists is complete.
Name: `<stem>.<YYYYmmdd-HHMMSS>.v<version>.sqlmig-backup<suffix>`. Next to it, `<backup>.json`
records where it came from (engine/origin.py), written before the rename. Every path SQLite will
open (the `.partial` copy) is checked against SQLite's path limit before anything is written.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import (
    FileFacts,
    open_readonly,
    read_facts,
    refuse_long_path,
)
from engine.core.errors import Refused, from_os_error, from_sqlite
from engine.core.verdicts import ProblemCode
from engine.runtime import origin
from engine.runtime.backup_copy import (
    CANCELLED,
    copy_database,
    copy_file,
    count_rows,
    counts_of,
    fsync,
    fsync_dir,
    keep_permissions,
    make_self_contained,
    pages_in,
    remove_files,
    verify_copy,
)

# The version part is a number, Flyway's dotted version (v1.10), or "none".
BACKUP_PATTERN = re.compile(
    r"^(?P<stem>.+)\.(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.v(?P<version>\d+(?:\.\d+)*|none)"
    r"\.sqlmig-backup(?P<suffix>.*)$"
)
PAGES_PER_STEP = 4096
COPY_CHUNK = 8 * 1024 * 1024  # bytes per step of a file copy: a cancel is seen between steps
UNCHANGED = "The database was not changed."
NOTHING_CHANGED = "Nothing was changed."
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
            copy_file(db, partial, pages_in(db), on_progress, cancel)
            fsync(partial)
        else:
            copy_database(source, partial, on_progress, facts, cancel)
        copied = time.monotonic()
        image_sha256 = origin.sha256_of(partial)
        converted = make_self_contained(partial)
        if source is None:
            counts, user_version = counts_of(partial, accept_damage)
        else:
            with watch(source, cancel, state=CANCELLED):
                counts, user_version = count_rows(source, accept_damage)
        shape, page_size, page_count, damage = verify_copy(
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
        keep_permissions(db, partial)
        sidecar = origin.write_sidecar(target, described)
        os.replace(partial, target)
        fsync_dir(target.parent)
    except sqlite3.Error as exc:
        remove_files(partial, sidecar)
        raise from_sqlite(exc, state=f"No backup was made. {UNCHANGED}") from exc
    except OSError as exc:
        remove_files(partial, sidecar)
        raise from_os_error(
            exc, path=str(target), state=f"No backup was made. {UNCHANGED}"
        ) from exc
    except BaseException:
        remove_files(partial, sidecar)
        raise
    finally:
        if source is not None:
            source.close()
    return BackupResult(
        path=target,
        source=db,
        pages=pages_in(target),
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
        if exc.code == ProblemCode.PATH_TOO_LONG:
            raise
        return open_readonly(facts)


def backup_folder_problem(folder: Path, *, create: bool) -> Refused | None:
    """Why backups cannot go into `folder` (a file, missing, not creatable, read-only), or None.
    With `create`, a missing last level is fine when its parent can take it."""
    if folder.is_dir():
        if not os.access(folder, os.W_OK | os.X_OK):
            return Refused(f"The backup folder {folder} is read-only. {NOTHING_CHANGED}",
                           hint="Pick a backup folder you can write to.", code="read_only")
        return None
    if folder.exists() or folder.is_symlink():
        return Refused(
            f"The backup folder {folder} is a file, not a folder. {NOTHING_CHANGED}",
            hint="Pick a folder for the backups (it is created when only its last part is "
            "missing).",
            code="not_a_folder",
        )
    parent = folder.parent
    if not create:
        return Refused(f"The backup folder {folder} does not exist. {NOTHING_CHANGED}",
                       hint="Create it or pick another folder.", code="missing")
    if not parent.is_dir():
        return Refused(
            f"The backup folder {folder} does not exist, and neither does {parent}. "
            + NOTHING_CHANGED,
            hint="Create the folders first, or pick a folder that exists.",
            code="missing",
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        return Refused(
            f"The backup folder {folder} does not exist and cannot be created: {parent} is "
            f"read-only. {NOTHING_CHANGED}",
            hint="Pick a backup folder you can write to.",
            code="read_only",
        )
    return None


def prepare_folder(folder: Path, *, create: bool) -> None:
    """Refuse a backup folder that cannot take the backup; with `create`, make a missing last
    level."""
    problem = backup_folder_problem(folder, create=create)
    if problem is not None:
        raise problem
    try:
        folder.mkdir()
    except FileExistsError:
        pass
    except OSError as exc:
        state = f"No backup was made. {UNCHANGED}"
        raise from_os_error(exc, path=str(folder), state=state) from exc


