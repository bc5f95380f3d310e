"""Each check of the go/no-go list (engine/runtime/preflight.py runs them in order): a `Check`
that is a yes, a no (with what to do) or a warning. See that module for what each one means.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.core.cancel import CancelToken, wait_for_lock, watch
from engine.core.connect import (
    SQLITE_MAX_PATHNAME,
    FileFacts,
    open_readwrite,
    refuse_long_database_path,
)
from engine.core.errors import EngineError, Refused, from_sqlite, sqlite_error_name
from engine.core.verdicts import Outcome
from engine.planning.capabilities import Version, capabilities, version_text
from engine.runtime.backups import backup_folder_problem, backup_name, refuse_long_backup_path
from engine.runtime.checks import foreign_key_damage, quick_check
from engine.state.findings import listing

UNCHANGED = "Nothing was changed."
@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # True: yes; False: no (the run stops); None: a warning
    message: str
    hint: str = ""
    code: str = ""  # the problem code of a "no"
    detail: str = ""

    @property
    def outcome(self) -> Outcome:
        return Outcome.of(self.ok)

    def refusal(self) -> Refused:
        code = self.code or "refused"
        return Refused(self.message, hint=self.hint, detail=self.detail, code=code)



def paths_fit(path: Path, backup_dir: Path | None, backup: bool) -> Check:
    """SQLite cannot open a path that, with its journal's name, passes its limit; say so before
    SQLite's own "could not open the file" (and a permissions hint) can."""
    try:
        refuse_long_database_path(path)
        if backup:
            refuse_long_backup_path(backup_name(path, _user_version(path), folder=backup_dir))
    except EngineError as exc:
        return Check("paths", False, exc.message, exc.hint, exc.code, exc.detail)
    what = "the file, its journal and the backup" if backup else "the file and its journal"
    return Check("paths", True, f"The paths of {what} fit SQLite's limit of "
                 f"{SQLITE_MAX_PATHNAME} characters.")


def _user_version(path: Path) -> int | None:
    """`user_version` from the header (offset 60): the version the backup's name will carry."""
    try:
        with path.open("rb") as handle:
            header = handle.read(64)
    except OSError:
        return None
    value = int.from_bytes(header[60:64], "big", signed=True) if len(header) == 64 else 0
    return value or None


def quick_check_passes(conn: sqlite3.Connection, cancel: CancelToken | None) -> Check:
    try:
        with watch(conn, cancel):
            problems = quick_check(conn)
    except sqlite3.Error as exc:
        err = from_sqlite(exc, state=UNCHANGED)
        return Check("quick_check", False, err.message, err.hint, err.code, err.detail)
    if problems:
        return Check(
            "quick_check",
            False,
            f"The database is damaged ({problems[0]}). {UNCHANGED}",
            "Work on a backup copy; `sqlite3 FILE .recover` can often rescue the rows.",
            "corrupt",
            "\n".join(problems),
        )
    return Check("quick_check", True, "The file passed quick_check.")


def file_writable(path: Path) -> Check:
    if os.access(path, os.W_OK):
        return Check("writable", True, "The file can be written.")
    return Check(
        "writable",
        False,
        f"{path.name} cannot be written: the file is read-only. {UNCHANGED}",
        "Copy the file to a folder you can write to, or fix its permissions.",
        "read_only",
    )


def folders_writable(
    path: Path, backup_dir: Path | None, backup: bool, create: bool = False
) -> Check:
    folder = path.resolve().parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return Check(
            "folder",
            False,
            f"{path.name} cannot be written: its folder is read-only, so SQLite cannot create "
            f"the journal beside it. {UNCHANGED}",
            "Copy the file to a folder you can write to, or fix the folder's permissions.",
            "read_only",
        )
    if backup and backup_dir is not None:
        problem = backup_folder_problem(backup_dir, create=create)
        if problem is not None:
            return Check("folder", False, problem.message, problem.hint, problem.code)
        if not backup_dir.exists():
            return Check("folder", True, f"The database's folder is writable; the backup folder "
                         f"{backup_dir} will be created.")
        return Check("folder", True, "The database's folder and the backup folder are writable.")
    return Check("folder", True, "The folder is writable (journal" + (" and backup)." if backup
                                                                      else ")."))


def _free(folder: Path) -> tuple[int, int] | None:
    """(free bytes, device) of the file system holding `folder`."""
    try:
        return shutil.disk_usage(folder).free, os.stat(folder).st_dev
    except OSError:
        return None


def space_needed(size: int, *, backup: bool) -> tuple[int, int]:
    """(bytes the backup folder needs, bytes the database's folder needs)."""
    return (size if backup else 0, size)


def disk_space(path: Path, size: int, backup_dir: Path | None, backup: bool) -> Check:
    for_backup, for_run = space_needed(size, backup=backup)
    here = _free(path.resolve().parent)
    if backup_dir is not None and not backup_dir.exists():
        backup_dir = backup_dir.parent  # created by the backup: its space is its parent's
    there = _free(backup_dir or path.resolve().parent) if backup else None
    if here is None or (backup and there is None):
        return Check("disk_space", None, "Free disk space could not be measured.")
    needs: dict[int, int] = {here[1]: for_run}
    frees: dict[int, int] = {here[1]: here[0]}
    if there is not None:
        needs[there[1]] = needs.get(there[1], 0) + for_backup
        frees[there[1]] = there[0]
    short = [(dev, need) for dev, need in needs.items() if frees[dev] < need]
    total = for_backup + for_run
    what = "for the backup plus room for a table rebuild" if backup else "as room for a rebuild"
    if short:
        dev, need = short[0]
        return Check(
            "disk_space",
            False,
            f"Not enough free disk space: {_mb(need)} needed {what}, "
            f"{_mb(frees[dev])} free. {UNCHANGED}",
            "Free some disk space (twice the database's size) or choose a backup folder on "
            "another disk.",
            "no_space",
        )
    return Check("disk_space", True, f"{_mb(total)} needed {what}; enough is free.")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


def write_lock(path: Path, wait: float, cancel: CancelToken | None) -> tuple[Check, float]:
    """A rolled-back BEGIN IMMEDIATE: first without waiting, then waiting up to `wait` seconds."""
    started = time.monotonic()
    waited = 0.0
    try:
        probe = open_readwrite(path, wait_seconds=wait)
    except EngineError as exc:
        waited = time.monotonic() - started
        return Check("lock", False, _waited(exc.message, exc.code, waited), exc.hint, exc.code,
                     exc.detail), waited
    opened = time.monotonic() - started
    try:
        try:
            probe.execute("PRAGMA busy_timeout = 0")
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if sqlite_error_name(exc) != "SQLITE_BUSY":
                raise
            retry = time.monotonic()
            try:
                wait_for_lock(probe, "BEGIN IMMEDIATE", wait=wait, cancel=cancel)
            finally:
                waited = time.monotonic() - retry
        probe.execute("ROLLBACK")
    except sqlite3.Error as exc:
        err = from_sqlite(exc, state=UNCHANGED)
        return (
            Check("lock", False, _waited(err.message, err.code, waited), err.hint, err.code,
                  err.detail),
            waited,
        )
    finally:
        probe.close()
    if opened > 0.1:  # opening had to wait for a lock too (a commit in progress, a recovery)
        waited += opened
    if waited > 0.01:
        return (
            Check("lock", True, f"Waited {waited:.2f} s for another program's write lock; "
                  "it is free now."),
            waited,
        )
    return Check("lock", True, "No other program holds the write lock."), 0.0


def _waited(message: str, code: str, waited: float) -> str:
    if code != "locked" or waited < 0.01:
        return message
    head, _, tail = message.partition(". ")
    return f"{head} (waited {waited:.1f} s for its write lock). {tail}".strip()


def journal_state(facts: FileFacts) -> Check:
    if facts.journal_present:
        return Check(
            "journal",
            True,
            "A rollback journal from an interrupted write was found; SQLite rolled the "
            "unfinished change back (every committed row stays).",
        )
    if facts.wal_size:
        return Check(
            "journal",
            True,
            f"The file is in WAL mode with {facts.wal_size:,} bytes in its -wal file; "
            "those committed changes are read and kept.",
        )
    mode = "WAL" if facts.wal_mode else "rollback-journal"
    return Check("journal", True, f"No pending journal ({mode} mode).")


def existing_damage(conn: sqlite3.Connection, fk_off: bool, cancel: CancelToken | None) -> Check:
    try:
        damage = foreign_key_damage(conn)
    except sqlite3.Error as exc:
        if cancel is not None:
            cancel.check()
        return Check("foreign_keys", None, f"foreign_key_check could not run: {exc}.")
    if not damage:
        return Check("foreign_keys", True, "No rows point to missing rows.")
    total = sum(damage.values())
    where = listing([f"{child}→{parent}" for child, parent in sorted(damage)])
    extra = " The plan switches foreign keys off for a rebuild; " if fk_off else " "
    return Check(
        "foreign_keys",
        None,
        f"{total} existing row(s) point to missing rows ({where}).{extra}"
        "They are kept as they are, and the run must not add any.",
        "Not blocking: the app may not show those rows.",
    )


def sqlite_can_run(
    statements: Iterable[tuple[str, str] | str], library: Version | None = None
) -> list[Check]:
    """The capability gate, per statement (engine/planning/capabilities.py): a "no" naming each
    statement this library cannot run and the version it needs; a warning for what it runs only
    when compiled with it, and for a plan after which older libraries cannot read the file."""
    have = library or sqlite3.sqlite_version_info
    text = version_text(have)
    labelled = [s if isinstance(s, tuple) else (f"statement {n}", s)
                for n, s in enumerate(statements, 1)]  # fmt: skip
    found = capabilities(labelled, have)
    checks = []
    if found.missing:
        checks.append(Check(
            "sqlite_version",
            False,
            f"This SQLite library ({text}) cannot run the plan: "
            f"{listing([n.sentence() for n in found.missing])}. {UNCHANGED}",
            "Run sqlmig with a Python whose SQLite is newer.",
            "sqlite_too_old",
        ))
    else:
        checks.append(Check(
            "sqlite_version", True, f"SQLite {text} can run the plan (needs "
            f"{version_text(found.needed)} or newer)."
        ))
    if found.uncertain:
        checks.append(Check(
            "sqlite_features", None,
            f"{listing([n.sentence() for n in found.uncertain])}: SQLite {text} has it only "
            "when it was compiled with it.", "A failing statement rolls the whole run back.",
        ))
    oldest = found.oldest_reader
    if oldest is not None:
        checks.append(Check(
            "file_format", None,
            f"After this run, only SQLite {version_text(oldest)} or newer can read the file: "
            f"{listing([n.sentence() for n in found.readers])}.",
            "Programs that open the file with an older SQLite will fail to read it.",
        ))
    return checks
