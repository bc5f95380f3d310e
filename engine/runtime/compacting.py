"""Compact a database: give its free pages back to the disk (after a table rebuild a file can be
half free pages), safely.

1. `VACUUM INTO` a copy next to the file (`<name>.sqlmig-compact.partial`): a read transaction on
   the database, so a program using it is not disturbed; the copy is a consistent snapshot.
2. Verify the copy: quick_check, same `user_version`, same rows per table as the database.
3. Write the copy into the database the way a restore does (engine/restoring.py: through SQLite,
   under the write lock, never swapping the file), which first keeps a verified backup of what
   it replaces. Another program holding the write lock longer than `wait`: refused, untouched.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from engine.core.connect import open_readonly, read_facts, refuse_long_database_path
from engine.core.errors import Refused, from_os_error, from_sqlite
from engine.runtime.backup_copy import count_rows, remove_files, verify_copy
from engine.runtime.restoring import restore
from engine.state.space import free_space

NOT_COMPACTED = "Nothing was compacted; the file is unchanged."


@dataclass(frozen=True)
class CompactResult:
    path: Path
    bytes_before: int
    bytes_after: int
    free_before: int  # free pages, in bytes, before compacting
    backup: Path | None  # the verified copy of the file as it was (None: nothing to compact)
    seconds: float

    @property
    def saved(self) -> int:
        return self.bytes_before - self.bytes_after


def compact(db: Path, *, version: int | None, wait: float = 10.0) -> CompactResult:
    started = time.monotonic()
    real = db.resolve()
    before = free_space(real)
    if not before.free_bytes:  # nothing to give back: no copy, no backup, no write
        return CompactResult(db, before.file_bytes, before.file_bytes, 0, None,
                             time.monotonic() - started)
    copy = real.with_name(real.name + ".sqlmig-compact.partial")
    refuse_long_database_path(copy)
    remove_files(copy, *_sides(copy))  # a leftover of an interrupted compact is ours
    try:
        _vacuum_into(real, copy)
        done = restore(db, copy, replaced_version=version, wait=wait)
    except Refused as exc:
        exc.message = exc.message.replace("Nothing was restored; the file is unchanged.",
                                          NOT_COMPACTED)
        raise
    except OSError as exc:
        raise from_os_error(exc, path=str(real), state=NOT_COMPACTED) from exc
    finally:
        remove_files(copy, *_sides(copy))
    return CompactResult(db, before.file_bytes, real.stat().st_size, before.free_bytes,
                         done.replaced_copy, time.monotonic() - started)


def _vacuum_into(real: Path, copy: Path) -> None:
    """The compacted copy, verified against the database it was made from (VACUUM cannot run
    inside a transaction, so the rows are counted before and after it: a program that wrote
    meanwhile makes the two differ, and the compact is refused)."""
    source = open_readonly(read_facts(real), locking=True)
    try:
        counts, user_version = count_rows(source, False)
        # The connection opened the database read-only (mode=ro); `query_only` would also
        # stop VACUUM from writing the copy, which is a new file of the engine's own.
        source.execute("PRAGMA query_only = OFF")
        source.execute("VACUUM INTO ?", (str(copy),))
        if count_rows(source, False) != (counts, user_version):
            raise Refused(f"{real.name} changed while it was being compacted. {NOT_COMPACTED}",
                          hint="Try again when the program that uses it is idle.",
                          code="changed_since_inspection")
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=NOT_COMPACTED) from exc
    finally:
        source.close()
    verify_copy(copy, user_version, counts)


def _sides(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm")]

