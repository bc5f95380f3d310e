"""The go/no-go list checked before an upgrade writes anything.

Each `Check` is a yes (`ok=True`), a no (`ok=False`: the run stops, with a sentence saying what to
do) or a warning (`ok=None`: shown, not blocking). In order:

  paths           every path SQLite will open (the file with its journal's name, the backup's
                  `.partial` copy) fits SQLite's 512-character limit (SQLITE_MAX_PATHNAME); a
                  "no" stops the list here, since nothing else could open the file
  readable        the header reads and SQLite opens the file
  quick_check     `PRAGMA quick_check` passes
  writable        this process may write the file
  folder          it may create the journal (and the backup) in the folder(s)
  disk_space      free space for the backup plus rebuild headroom (see `space_needed`)
  lock            no other process holds the write lock: a short `BEGIN IMMEDIATE` probe,
                  waiting up to `wait` seconds (`lock_wait` says how long it waited)
  journal         the `-wal` / hot-journal state (informational: SQLite recovers both on open)
  foreign_keys    existing `foreign_key_check` violations (reported, never blocking)
  sqlite_version  the SQLite library can run every statement of the plan
  location        network or cloud-synced folders (a warning)

Disk-space rule: the backup needs the database's size (main file plus `-wal`) in the backup folder,
and the run needs the same again beside the database (a table rebuild can double the file before
the old copy is dropped). On one file system that is twice the size.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.cancel import CancelToken, wait_for_lock, watch
from engine.core.connect import (
    SQLITE_MAX_PATHNAME,
    FileFacts,
    open_readonly,
    open_readwrite,
    read_facts,
    refuse_long_database_path,
)
from engine.core.errors import EngineError, Refused, from_sqlite, sqlite_error_name
from engine.runtime.backups import backup_name, refuse_long_backup_path
from engine.runtime.checks import foreign_key_damage, quick_check
from engine.state.findings import listing

UNCHANGED = "Nothing was changed."
NETWORK_FS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb3", "sshfs", "fuse.sshfs", "9p", "afs", "ncpfs",
     "davfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs2", "glusterfs", "ceph"}
)
CLOUD_FOLDERS = ("dropbox", "onedrive", "google drive", "googledrive", "icloud", "icloud drive",
                 "mobile documents", "box sync", "pcloud", "mega")
# Statement features and the first SQLite version that runs them.
FEATURES: tuple[tuple[re.Pattern[str], tuple[int, int, int], str], ...] = (
    (re.compile(r"\bALTER\s+TABLE\b.*\bDROP\s+(COLUMN\s+)?\w", re.I | re.S), (3, 35, 0),
     "ALTER TABLE … DROP COLUMN"),
    (re.compile(r"\bALTER\s+TABLE\b.*\bRENAME\s+COLUMN\b", re.I | re.S), (3, 25, 0),
     "ALTER TABLE … RENAME COLUMN"),
    (re.compile(r"\bRETURNING\b", re.I), (3, 35, 0), "RETURNING"),
    (re.compile(r"\)\s*STRICT\b", re.I), (3, 37, 0), "STRICT tables"),
    (re.compile(r"\bGENERATED\s+ALWAYS\b", re.I), (3, 31, 0), "generated columns"),
    (re.compile(r"\bON\s+CONFLICT\b[^;]*\bDO\s+(UPDATE|NOTHING)\b", re.I | re.S), (3, 24, 0),
     "UPSERT"),
    (re.compile(r"\bunixepoch\s*\(", re.I), (3, 38, 0), "unixepoch()"),
    (re.compile(r"->>"), (3, 38, 0), "the ->> operator"),
    (re.compile(r"\bOVER\s*\(", re.I), (3, 25, 0), "window functions"),
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # True: yes; False: no (the run stops); None: a warning
    message: str
    hint: str = ""
    code: str = ""  # the problem code of a "no"
    detail: str = ""

    @property
    def mark(self) -> str:
        return {True: "yes", False: "NO", None: "warning"}[self.ok]

    def refusal(self) -> Refused:
        code = self.code or "refused"
        return Refused(self.message, hint=self.hint, detail=self.detail, code=code)


@dataclass
class Preflight:
    path: Path
    checks: list[Check] = field(default_factory=list)
    lock_wait: float = 0.0  # seconds the lock probe waited for another connection

    @property
    def go(self) -> bool:
        return all(check.ok is not False for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.ok is False]

    @property
    def warnings(self) -> list[Check]:
        return [check for check in self.checks if check.ok is None]

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def lines(self, *, stopped_by: Check | None = None) -> list[str]:
        """The go/no-go list for a human reader. `stopped_by` (the refusal already shown) is
        listed by name only, so its sentence is not printed twice."""
        out = [f"Preflight for {self.path.name}: {'go' if self.go else 'NO-GO'}"]
        for check in self.checks:
            if check is stopped_by:
                out.append(f"  [{check.mark:>7}] {check.name}: stopped here (see above)")
                continue
            out.append(f"  [{check.mark:>7}] {check.name}: {check.message}")
            if check.ok is not True and check.hint:
                out.append(f"            hint: {check.hint}")
        return out


def space_needed(size: int, *, backup: bool) -> tuple[int, int]:
    """(bytes the backup folder needs, bytes the database's folder needs)."""
    return (size if backup else 0, size)


def preflight(
    path: str | Path,
    *,
    plan_needs_fk_off: bool = False,
    backup_dir: Path | None = None,
    backup: bool = True,
    wait: float = 10.0,
    write: bool = True,
    statements: Iterable[str] = (),
    cancel: CancelToken | None = None,
    create_backup_dir: bool = False,
) -> Preflight:
    """Run every check (read-only, plus a rolled-back `BEGIN IMMEDIATE` when `write`).

    `write=False` (a dry run) leaves out the lock probe, which would open the file for writing.
    `create_backup_dir`: a missing backup folder whose parent exists is fine (the backup makes
    it, like `rsync --backup-dir`).
    Never raises EngineError but `Cancelled`: a problem is a "no" in the list.
    """
    path = Path(path)
    result = Preflight(path)
    add = result.checks.append
    add(_paths(path, backup_dir, backup))
    if not result.go:
        return result
    try:
        facts = read_facts(path)
    except EngineError as exc:
        add(Check("readable", False, exc.message, exc.hint, exc.code, exc.detail))
        return result
    conn: sqlite3.Connection | None = None
    try:
        conn = open_readonly(facts)
    except EngineError as exc:
        if not (facts.journal_present and write):
            add(Check("readable", False, exc.message, exc.hint, exc.code, exc.detail))
            return result
        # A hot journal: a read-only connection may not roll it back; the write probe will.
    if conn is None:
        add(Check("readable", True, "The file is a SQLite database (recovery pending)."))
    else:
        add(Check("readable", True, f"The file is a SQLite database ({facts.size:,} bytes)."))
    try:
        if conn is not None:
            add(_quick_check(conn, cancel))
        size = facts.size + (facts.wal_size or 0)
        add(_writable(path))
        add(_folders(path, backup_dir if backup else None, backup, create_backup_dir))
        add(_disk_space(path, size, backup_dir, backup))
        if write and all(c.ok is not False for c in result.checks):
            check, waited = _lock(path, wait, cancel)
            result.lock_wait = waited
            add(check)
            if conn is None and check.ok:  # recovered by the probe: now check it
                try:
                    conn = open_readonly(read_facts(path))
                except EngineError as exc:
                    add(Check("quick_check", False, exc.message, exc.hint, exc.code))
                    return result
                add(_quick_check(conn, cancel))
        elif not write:
            add(Check("lock", None, "Not probed in a dry run (the probe opens the file for "
                      "writing).", "A real run waits for another program's write lock."))
        add(_journal(facts))
        if conn is not None and all(c.ok is not False for c in result.checks):
            with watch(conn, cancel):
                add(_foreign_keys(conn, plan_needs_fk_off, cancel))
        add(_sqlite_version(statements))
        add(_location(path, backup_dir if backup else None))
    finally:
        if conn is not None:
            conn.close()
    return result


def _paths(path: Path, backup_dir: Path | None, backup: bool) -> Check:
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


def _quick_check(conn: sqlite3.Connection, cancel: CancelToken | None) -> Check:
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


def _writable(path: Path) -> Check:
    if os.access(path, os.W_OK):
        return Check("writable", True, "The file can be written.")
    return Check(
        "writable",
        False,
        f"{path.name} cannot be written: the file is read-only. {UNCHANGED}",
        "Copy the file to a folder you can write to, or fix its permissions.",
        "read_only",
    )


def _folders(path: Path, backup_dir: Path | None, backup: bool, create: bool = False) -> Check:
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
        if backup_dir.exists() and not backup_dir.is_dir():
            return Check(
                "folder",
                False,
                f"The backup folder {backup_dir} is a file, not a folder. {UNCHANGED}",
                "Pick a folder for the backups (it is created when only its last part is "
                "missing).",
                "not_a_folder",
            )
        if not backup_dir.exists():
            parent = backup_dir.parent
            if not create:
                return Check(
                    "folder",
                    False,
                    f"The backup folder {backup_dir} does not exist. {UNCHANGED}",
                    "Create it or pick another folder.",
                    "missing",
                )
            if not parent.is_dir():
                return Check(
                    "folder",
                    False,
                    f"The backup folder {backup_dir} does not exist, and neither does {parent}. "
                    + UNCHANGED,
                    "Create the folders first, or pick a folder that exists.",
                    "missing",
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                return Check(
                    "folder",
                    False,
                    f"The backup folder {backup_dir} does not exist and cannot be created: "
                    f"{parent} is read-only. {UNCHANGED}",
                    "Pick a backup folder you can write to.",
                    "read_only",
                )
            return Check("folder", True, f"The database's folder is writable; the backup folder "
                         f"{backup_dir} will be created.")
        if not os.access(backup_dir, os.W_OK | os.X_OK):
            return Check(
                "folder",
                False,
                f"The backup folder {backup_dir} is read-only. {UNCHANGED}",
                "Pick a backup folder you can write to.",
                "read_only",
            )
        return Check("folder", True, "The database's folder and the backup folder are writable.")
    return Check("folder", True, "The folder is writable (journal" + (" and backup)." if backup
                                                                      else ")."))


def _free(folder: Path) -> tuple[int, int] | None:
    """(free bytes, device) of the file system holding `folder`."""
    try:
        return shutil.disk_usage(folder).free, os.stat(folder).st_dev
    except OSError:
        return None


def _disk_space(path: Path, size: int, backup_dir: Path | None, backup: bool) -> Check:
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


def _lock(path: Path, wait: float, cancel: CancelToken | None) -> tuple[Check, float]:
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


def _journal(facts: FileFacts) -> Check:
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


def _foreign_keys(conn: sqlite3.Connection, fk_off: bool, cancel: CancelToken | None) -> Check:
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


def _sqlite_version(statements: Iterable[str]) -> Check:
    have = sqlite3.sqlite_version_info
    missing: list[str] = []
    needed = (3, 0, 0)
    for sql in statements:
        for pattern, version, what in FEATURES:
            if version > needed and pattern.search(sql):
                needed = version
            if version > have and pattern.search(sql) and what not in missing:
                missing.append(what)
    if missing:
        return Check(
            "sqlite_version",
            False,
            f"This SQLite library ({sqlite3.sqlite_version}) cannot run the plan: it needs "
            f"{', '.join(missing)}. {UNCHANGED}",
            "Run sqlmig with a Python whose SQLite is newer.",
            "sqlite_too_old",
        )
    return Check(
        "sqlite_version", True, f"SQLite {sqlite3.sqlite_version} can run the plan (needs "
        f"{'.'.join(map(str, needed))} or newer)."
    )


def _mounts() -> list[tuple[str, str]]:
    try:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            out.append((parts[1].replace("\\040", " "), parts[2]))
    return out


def location_kind(path: Path, mounts: list[tuple[str, str]] | None = None) -> str | None:
    """'network file system (nfs)', 'cloud-synced folder (Dropbox)' or None."""
    real = path.resolve()
    best: tuple[str, str] | None = None
    for point, fstype in _mounts() if mounts is None else mounts:
        inside = str(real) == point or str(real).startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > len(best[0])):
            best = (point, fstype)
    if best is not None and best[1].lower() in NETWORK_FS:
        return f"network file system ({best[1]})"
    for part in real.parts:
        lowered = part.lower()
        for name in CLOUD_FOLDERS:
            if lowered == name or lowered.startswith(name + " ") or lowered.startswith(name + "-"):
                return f"cloud-synced folder ({part})"
    return None


def _location(path: Path, backup_dir: Path | None) -> Check:
    for where in (path, backup_dir):
        if where is None:
            continue
        kind = location_kind(where)
        if kind:
            return Check(
                "location",
                None,
                f"{where} is on a {kind}; SQLite's locking is unreliable there and a sync can "
                "copy a half-written file.",
                "Copy the file to a local folder, upgrade it there, and copy it back with the "
                "app closed.",
            )
    return Check("location", True, "The file is on a local disk.")
