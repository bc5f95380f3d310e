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
  sqlite_version  the SQLite library can run every statement of the plan (each one it cannot
                  is named with the version it needs; engine/planning/capabilities.py)
  sqlite_features statements this library runs only when compiled with them (a warning)
  file_format     the plan makes the file unreadable by older SQLite versions (a warning)
  location        network or cloud-synced folders (a warning)

Disk-space rule: the backup needs the database's size (main file plus `-wal`) in the backup folder,
and the run needs the same again beside the database (a table rebuild can double the file before
the old copy is dropped). On one file system that is twice the size.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import open_readonly, read_facts
from engine.core.errors import EngineError
from engine.core.events import Clock, Event, PreflightEvent, VerifyEvent
from engine.planning.capabilities import Version
from engine.runtime.location import local_disk
from engine.runtime.preflight_checks import (
    Check,
    disk_space,
    existing_damage,
    file_writable,
    folders_writable,
    journal_state,
    paths_fit,
    quick_check_passes,
    sqlite_can_run,
    write_lock,
)


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


def preflight(
    path: str | Path,
    *,
    plan_needs_fk_off: bool = False,
    backup_dir: Path | None = None,
    backup: bool = True,
    wait: float = 10.0,
    write: bool = True,
    statements: Iterable[tuple[str, str] | str] = (),
    cancel: CancelToken | None = None,
    create_backup_dir: bool = False,
    library: Version | None = None,
) -> Preflight:
    """Run every check (read-only, plus a rolled-back `BEGIN IMMEDIATE` when `write`).

    `write=False` (a dry run) leaves out the lock probe, which would open the file for writing.
    `create_backup_dir`: a missing backup folder whose parent exists is fine (the backup makes
    it, like `rsync --backup-dir`).
    `statements`: the plan's, each as (where, sql) so the capability gate can name it;
    `library`: the SQLite version to check them against (default: this process's).
    Never raises EngineError but `Cancelled`: a problem is a "no" in the list.
    """
    path = Path(path)
    result = Preflight(path)
    add = result.checks.append
    add(paths_fit(path, backup_dir, backup))
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
            add(quick_check_passes(conn, cancel))
        size = facts.size + (facts.wal_size or 0)
        add(file_writable(path))
        add(folders_writable(path, backup_dir if backup else None, backup, create_backup_dir))
        add(disk_space(path, size, backup_dir, backup))
        if write and all(c.ok is not False for c in result.checks):
            check, waited = write_lock(path, wait, cancel)
            result.lock_wait = waited
            add(check)
            if conn is None and check.ok:  # recovered by the probe: now check it
                try:
                    conn = open_readonly(read_facts(path))
                except EngineError as exc:
                    add(Check("quick_check", False, exc.message, exc.hint, exc.code))
                    return result
                add(quick_check_passes(conn, cancel))
        elif not write:
            add(Check("lock", None, "Not probed in a dry run (the probe opens the file for "
                      "writing).", "A real run waits for another program's write lock."))
        add(journal_state(facts))
        if conn is not None and all(c.ok is not False for c in result.checks):
            with watch(conn, cancel):
                add(existing_damage(conn, plan_needs_fk_off, cancel))
        for check in sqlite_can_run(statements, library):
            add(check)
        add(local_disk(path, backup_dir if backup else None))
    finally:
        if conn is not None:
            conn.close()
    return result


def events(checks: Preflight, clock: Clock) -> list[Event]:
    """The go/no-go list as events; a lock probe that had to wait is also its own `lock_wait`
    event with the seconds."""
    out: list[Event] = [
        PreflightEvent(clock(), check.name, check.outcome, check.message, check.hint)
        for check in checks.checks
    ]
    if checks.lock_wait:
        waited = checks.lock_wait
        message = f"Waited {waited:.2f} s for another program's write lock."
        out.append(VerifyEvent(clock(), "lock_wait", True, message, (f"{waited:.3f}",)))
    return out
