"""One exception family for everything the engine can refuse or fail at.

    EngineError                 message (one sentence), hint (what to do), detail (technical)
     ├── UsageError             exit 2: the command line asked for something impossible
     ├── Refused                exit 3: nothing was written (missing, damaged, locked, ahead, …)
     ├── RunFailed              exit 1: a migration or check failed; file at its last good state
     │    └── Cancelled         exit 1: the user cancelled; the file is at its last good state
     └── InternalError          exit 1: a bug in sqlmig (never a problem with the user's file)

Every error carries a stable problem `code` (SPEC §7.7). The CLI and the GUI show the message first,
then the hint; the detail is one click (or `--debug`) away.
"""

from __future__ import annotations

import errno
import sqlite3
from typing import Any, NamedTuple

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3


class Problem(NamedTuple):
    """A finding worth showing: `{code, message, hint, file?, line?, kind?}` in JSON.

    `kind` refines a broad code: every catalog problem has the code `bad_catalog` and a kind
    such as `bad_name` or `empty`."""

    code: str
    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.file is not None:
            out["file"] = self.file
        if self.line is not None:
            out["line"] = self.line
        if self.kind is not None:
            out["kind"] = self.kind
        return out

    def where(self) -> str:
        """" [file:line]" (or " [file]") for a text line; empty without a file."""
        if self.file is None:
            return ""
        return f" [{self.file}:{self.line}]" if self.line is not None else f" [{self.file}]"


class EngineError(Exception):
    exit_code = EXIT_FAILED
    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        detail: str = "",
        code: str | None = None,
        file: str | None = None,
        line: int | None = None,
        kind: str | None = None,
        more: tuple[Problem, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.detail = detail
        self.code = code or self.default_code
        self.file = file
        self.line = line
        self.kind = kind
        self.more = more  # further problems of the same refusal (every catalog problem)

    def problem(self) -> Problem:
        return Problem(self.code, self.message, self.hint, self.file, self.line, self.kind)

    def problems(self) -> tuple[Problem, ...]:
        """This error's problem, then the others that come with it."""
        return (self.problem(), *self.more)

    def __str__(self) -> str:
        return self.message


class UsageError(EngineError):
    exit_code = EXIT_USAGE
    default_code = "usage"


class Refused(EngineError):
    exit_code = EXIT_REFUSED
    default_code = "refused"


class RunFailed(EngineError):
    exit_code = EXIT_FAILED
    default_code = "migration_failed"


class Cancelled(RunFailed):
    default_code = "cancelled"


class InternalError(EngineError):
    exit_code = EXIT_FAILED
    default_code = "internal"


# SQLite primary result codes (sqlite_errorcode & 0xff) that describe the file or its environment.
_SQLITE_KNOWN: dict[str, tuple[str, str, str]] = {
    # name: (problem code, sentence, hint)
    "SQLITE_BUSY": (
        "locked",
        "The database is in use by another program that is writing to it.",
        "Close the application that uses this file (or wait for it to finish) and try again.",
    ),
    "SQLITE_LOCKED": (
        "locked",
        "The database is locked by another connection.",
        "Close other programs that use this file and try again.",
    ),
    "SQLITE_READONLY": (
        "read_only",
        "The database cannot be written: the file or its folder is read-only.",
        "Copy the file to a folder you can write to, or fix its permissions, and try again.",
    ),
    "SQLITE_CANTOPEN": (
        "read_only",
        "SQLite could not open the file or create its journal next to it.",
        "Check that the file and its folder exist and are readable and writable.",
    ),
    "SQLITE_NOTADB": (
        "not_sqlite",
        "The file is not a SQLite database (or it is encrypted).",
        "Check that you picked the right file; an encrypted database must be decrypted first.",
    ),
    "SQLITE_CORRUPT": (
        "corrupt",
        "The database file is damaged.",
        "Work on a backup copy; `sqlite3 FILE .recover` can often rescue the rows.",
    ),
    "SQLITE_FULL": (
        "no_space",
        "The disk is full.",
        "Free some disk space (at least twice the database's size) and try again.",
    ),
    "SQLITE_IOERR": (
        "io_error",
        "The operating system reported a read or write error on the file.",
        "Copy the file to a local disk and try again.",
    ),
    "SQLITE_PERM": (
        "read_only",
        "Access to the database was denied.",
        "Check the file's permissions.",
    ),
    "SQLITE_NOMEM": (
        "no_memory",
        "SQLite ran out of memory.",
        "Close other programs and try again.",
    ),
    "SQLITE_INTERRUPT": (
        "cancelled",
        "The operation was interrupted.",
        "Run it again when you are ready.",
    ),
}


# Extended result codes whose meaning is more precise than their primary's.
_SQLITE_EXTENDED: dict[str, tuple[str, str, str]] = {
    "SQLITE_READONLY_ROLLBACK": (  # a hot journal: inspection calls the file `interrupted`
        "read_only",
        "An earlier write to the file was cut off (a crash or power loss left its -journal "
        "beside it); it must be rolled back before the file can be read.",
        "Run `sqlmig recover FILE` as a user who can write the file and its folder: SQLite "
        "rolls the unfinished write back and keeps every committed row.",
    ),
    "SQLITE_READONLY_DBMOVED": (
        "read_only",
        "The database file was moved or deleted while it was open.",
        "Put the file back where it was, or open it again from its new place.",
    ),
    "SQLITE_READONLY_DIRECTORY": (
        "read_only",
        "The database's folder is read-only, so SQLite cannot create its journal.",
        "Copy the file to a folder you can write to, or fix the folder's permissions.",
    ),
    "SQLITE_CANTOPEN_ISDIR": (
        "is_directory",
        "The path is a folder, not a database file.",
        "Pick the database file inside it.",
    ),
    "SQLITE_IOERR_SHORT_READ": (
        "corrupt",
        "The database file is shorter than its own header says: it was cut off.",
        "Get a complete copy of the file (an interrupted copy or download cuts files short).",
    ),
    "SQLITE_BUSY_RECOVERY": (
        "locked",
        "Another program is recovering the database after a crash.",
        "Wait a moment and try again.",
    ),
}


def is_hot_journal(exc: EngineError) -> bool:
    """The error says a read-only connection met a hot journal (SPEC §7.22 `interrupted`)."""
    return exc.detail.startswith("SQLITE_READONLY_ROLLBACK")


def sqlite_error_name(exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", None)
    if not isinstance(name, str):
        return "SQLITE_ERROR"
    # Extended names (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, …) share their primary's meaning.
    for primary in _SQLITE_KNOWN:
        if name == primary or name.startswith(primary + "_"):
            return primary
    return name


def is_known_sqlite_error(exc: sqlite3.Error) -> bool:
    return sqlite_error_name(exc) in _SQLITE_KNOWN


def from_sqlite(
    exc: sqlite3.Error, *, state: str, kind: type[EngineError] = Refused
) -> EngineError:
    """Translate a SQLite error about the file or its environment into a sentence.

    `state` says what the file looks like now, e.g. "Nothing was changed."
    """
    name = sqlite_error_name(exc)
    full_name = getattr(exc, "sqlite_errorname", name)
    detail = f"{full_name}: {exc}"
    known = _SQLITE_EXTENDED.get(str(full_name)) or _SQLITE_KNOWN.get(name)
    if known is not None:
        code, sentence, hint = known
        error_kind: type[EngineError] = Cancelled if code == "cancelled" else kind
        return error_kind(f"{sentence} {state}".strip(), hint=hint, detail=detail, code=code)
    return kind(f"SQLite reported an error: {exc}. {state}".strip(), detail=detail)


# errno: (sentence with {path}, hint, problem code)
_OS_KNOWN: dict[int, tuple[str, str, str]] = {
    errno.ENOSPC: (
        "The disk is full while writing {path}.",
        "Free some disk space and try again.",
        "no_space",
    ),
    errno.EDQUOT: (
        "The disk is full while writing {path}.",
        "Free some disk space and try again.",
        "no_space",
    ),
    errno.EFBIG: (
        "{path} would grow past the largest file size allowed here.",
        "Raise the file-size limit (ulimit -f) or use a disk that allows larger files.",
        "no_space",
    ),
    errno.EISDIR: ("{path} is a folder, not a file.", "Pick a file inside it.", "is_directory"),
    errno.ENOTDIR: (
        "Part of the path {path} is a file, not a folder.",
        "Check the path.",
        "missing",
    ),
    errno.EIO: (
        "The operating system reported a read or write error on {path}.",
        "Copy the file to a local disk and try again; the disk may be failing.",
        "io_error",
    ),
    errno.EACCES: (
        "Permission denied for {path}.",
        "Check the permissions of the file and its folder.",
        "read_only",
    ),
    errno.ENOENT: ("{path} does not exist.", "Check the path.", "missing"),
    errno.ELOOP: (
        "{path} is a symbolic link that points to itself.",
        "Open the real file instead of the link.",
        "missing",
    ),
}
_OS_KNOWN[errno.EPERM] = _OS_KNOWN[errno.EROFS] = _OS_KNOWN[errno.EACCES]


def from_os_error(exc: OSError, *, path: str, state: str) -> EngineError:
    """Translate an operating-system error about `path` into a sentence."""
    detail = f"{type(exc).__name__}: {exc}"
    known = _OS_KNOWN.get(exc.errno) if exc.errno is not None else None
    if known is not None:
        sentence, hint, code = known
        return Refused(f"{sentence.format(path=path)} {state}", hint=hint, detail=detail, code=code)
    return Refused(
        f"Could not access {path}: {exc.strerror}. {state}",
        hint="Check the path, the disk and the permissions.",
        detail=detail,
        code="io_error",
    )
