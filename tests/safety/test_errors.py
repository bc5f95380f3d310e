"""Error taxonomy: SQLite error names and OS errors become one exception family with a sentence,
a hint and the technical detail (the CLI shows the message first, then the hint)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from engine.core.errors import (
    EXIT_FAILED,
    EXIT_REFUSED,
    Cancelled,
    EngineError,
    Refused,
    RunFailed,
    from_os_error,
    from_sqlite,
)


def sqlite_error(name: str, text: str = "boom") -> sqlite3.Error:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname = name  # type: ignore[attr-defined]
    return exc


SQLITE_CASES = {
    "SQLITE_BUSY": "locked",
    "SQLITE_BUSY_SNAPSHOT": "locked",
    "SQLITE_BUSY_RECOVERY": "locked",
    "SQLITE_LOCKED": "locked",
    "SQLITE_READONLY": "read_only",
    "SQLITE_READONLY_ROLLBACK": "read_only",
    "SQLITE_READONLY_DBMOVED": "read_only",
    "SQLITE_CANTOPEN": "read_only",
    "SQLITE_CANTOPEN_ISDIR": "is_directory",
    "SQLITE_NOTADB": "not_sqlite",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_CORRUPT_INDEX": "corrupt",
    "SQLITE_FULL": "no_space",
    "SQLITE_IOERR": "io_error",
    "SQLITE_IOERR_WRITE": "io_error",
    "SQLITE_IOERR_SHORT_READ": "corrupt",
    "SQLITE_PERM": "read_only",
    "SQLITE_NOMEM": "no_memory",
    "SQLITE_INTERRUPT": "cancelled",
}


@pytest.mark.parametrize("name", sorted(SQLITE_CASES))
def test_sqlite_errors_become_sentences(name: str) -> None:
    error = from_sqlite(sqlite_error(name), state="Nothing was changed.")
    assert isinstance(error, EngineError)
    assert error.code == SQLITE_CASES[name]
    assert error.message.endswith("Nothing was changed.")
    assert "\n" not in error.message and "sqlite3" not in error.message
    assert error.hint.endswith(".")
    assert error.detail.startswith(name + ":")
    problem = error.problem().to_json()
    assert problem["code"] == error.code and problem["message"] == error.message
    expected_kind = Cancelled if SQLITE_CASES[name] == "cancelled" else Refused
    assert isinstance(error, expected_kind)


def test_kind_decides_the_exit_code() -> None:
    refused = from_sqlite(sqlite_error("SQLITE_FULL"), state="Nothing was changed.")
    failed = from_sqlite(sqlite_error("SQLITE_FULL"), state="Rolled back.", kind=RunFailed)
    assert refused.exit_code == EXIT_REFUSED and failed.exit_code == EXIT_FAILED


def test_unknown_sqlite_error_keeps_its_text() -> None:
    error = from_sqlite(sqlite_error("SQLITE_ERROR", "no such table: x"), state="Rolled back.")
    assert "no such table: x" in error.message and error.message.endswith("Rolled back.")


OS_CASES = {
    errno.ENOSPC: "no_space",
    errno.EDQUOT: "no_space",
    errno.EFBIG: "no_space",
    errno.EACCES: "read_only",
    errno.EPERM: "read_only",
    errno.EROFS: "read_only",
    errno.ENOENT: "missing",
    errno.ELOOP: "missing",
    errno.ENOTDIR: "missing",
    errno.EISDIR: "is_directory",
    errno.EIO: "io_error",
    errno.ENXIO: "io_error",
}


@pytest.mark.parametrize("number", sorted(OS_CASES), ids=lambda n: errno.errorcode[n])
def test_os_errors_become_sentences(number: int) -> None:
    exc = OSError(number, "strerror text")
    error = from_os_error(exc, path="/x/app.db", state="Nothing was changed.")
    assert error.code == OS_CASES[number]
    assert error.message.endswith("Nothing was changed.") and error.hint
    assert "strerror text" in error.detail and "Error" in error.detail


def test_real_errors_map_through_the_engine(tmp_path: Path) -> None:
    """Errors raised by SQLite itself (not hand-made) carry the names the table expects."""
    text = tmp_path / "notes.db"
    text.write_text("not a database" * 100)
    conn = sqlite3.connect(text)
    with pytest.raises(sqlite3.DatabaseError) as info:
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()
    assert from_sqlite(info.value, state="Nothing was changed.").code == "not_sqlite"
    db = tmp_path / "app.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as busy:
        other.execute("BEGIN IMMEDIATE")
    holder.execute("ROLLBACK")
    holder.close()
    other.close()
    assert from_sqlite(busy.value, state="Nothing was changed.").code == "locked"
