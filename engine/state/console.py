"""The developer's read-only SQL console: one statement at a time on a `mode=ro` connection whose
authorizer allows reading only. A statement that would write (INSERT, UPDATE, DELETE, CREATE, DROP,
ALTER, a writing PRAGMA, VACUUM, ATTACH, a transaction, a function with side effects) is refused
when SQLite prepares it, before it runs: the file's bytes stay the same.

Results come in pages from one forward cursor (`CursorPages`); `cancel()` from another thread
interrupts a long statement. A `Console` and its connection belong to the thread that made it.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import open_readonly, read_facts
from engine.core.errors import Refused, UsageError, from_sqlite
from engine.state.browse import PAGE_ROWS, CursorPages, Page

UNCHANGED = "Nothing was changed."
_READS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})
# Functions that act on the world outside the query (none is registered on our connections; the
# list keeps it so if an extension ever is).
_ACTING_FUNCTIONS = frozenset({"load_extension", "writefile", "edit", "fts3_tokenizer",
                               "readfile", "sqlite_dbpage"})
# PRAGMAs that take an argument only to read (the authorizer cannot tell `x(arg)` from `x = arg`).
_READING_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"})
# PRAGMAs that act even without "= value": checkpoint, shrink, optimize (ANALYZE writes).
_ACTING_PRAGMAS = frozenset({"optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory",
                             "analysis_limit", "query_only", "writable_schema"})
_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_temp_master", "sqlite_schema",
                            "sqlite_temp_schema"})
_ACTION_WORDS = {
    sqlite3.SQLITE_INSERT: "insert rows into", sqlite3.SQLITE_UPDATE: "change rows of",
    sqlite3.SQLITE_DELETE: "delete rows from", sqlite3.SQLITE_ATTACH: "attach another file",
    sqlite3.SQLITE_DETACH: "detach a database", sqlite3.SQLITE_PRAGMA: "change a setting",
    sqlite3.SQLITE_TRANSACTION: "open a transaction", sqlite3.SQLITE_FUNCTION: "call",
    sqlite3.SQLITE_ANALYZE: "write statistics for", sqlite3.SQLITE_SAVEPOINT: "set a savepoint",
}


class ReadOnlyGuard:
    """An authorizer that allows reading only, and remembers what it denied first."""

    def __init__(self) -> None:
        self.denied: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, _db: str | None,
                 _src: str | None) -> int:
        if action in _READS:
            return sqlite3.SQLITE_OK
        # SQLite asks this while it sets up a table-valued PRAGMA (`pragma_table_info('t')`);
        # every statement that really changes the schema also asks its own action, denied below.
        if action == sqlite3.SQLITE_UPDATE and (arg1 or "").lower() in _SCHEMA_TABLES:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in _ACTING_FUNCTIONS:
            return sqlite3.SQLITE_OK
        pragma = (arg1 or "").lower()
        if action == sqlite3.SQLITE_PRAGMA and (pragma in _READING_PRAGMAS or (
                arg2 is None and pragma not in _ACTING_PRAGMAS)):
            return sqlite3.SQLITE_OK
        if self.denied is None:
            self.denied = _describe(action, arg1, arg2)
        return sqlite3.SQLITE_DENY


def _describe(action: int, arg1: str | None, arg2: str | None) -> str:
    words = _ACTION_WORDS.get(action)
    if action == sqlite3.SQLITE_FUNCTION:
        return f"call {arg2}()"
    if action == sqlite3.SQLITE_ATTACH and not arg1:
        return "rewrite the file (VACUUM)"
    if (arg1 or "").lower() in _SCHEMA_TABLES:
        return "change the schema"
    if action == sqlite3.SQLITE_PRAGMA:
        return f"change the setting {arg1}"
    if words is None:
        return "change the file's schema or contents"
    return f"{words} {arg1}" if arg1 and action in (
        sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE,
        sqlite3.SQLITE_ANALYZE) else words


@dataclass(frozen=True)
class ConsoleResult:
    """A statement's first page; `Console.next_page` brings the rest."""

    sql: str
    columns: tuple[str, ...]
    first: Page
    seconds: float  # preparing, running and reading the first page
    explain: bool


class Console:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.conn = open_readonly(read_facts(self.path))
        self.guard = ReadOnlyGuard()
        self.conn.set_authorizer(self.guard)
        self._pages: CursorPages | None = None

    def run(self, sql: str, *, explain: bool = False, limit: int = PAGE_ROWS,
            cancel: CancelToken | None = None) -> ConsoleResult:
        """Run one statement (or its EXPLAIN QUERY PLAN); refuses one that would write."""
        text = sql.strip().rstrip(";").strip()
        if not text:
            raise UsageError("There is no statement to run.",
                             hint="Type a SELECT (or another statement that only reads).")
        if self._pages is not None:
            self._pages.close()
            self._pages = None
        statement = f"EXPLAIN QUERY PLAN {text}" if explain else text
        self.guard.denied = None
        started = time.monotonic()
        try:
            with watch(self.conn, cancel, state=UNCHANGED):
                cursor = self.conn.execute(statement)
                columns = tuple(str(d[0]) for d in cursor.description or ())
                self._pages = CursorPages(cursor)
                first = self._pages.next_page(limit)
        except sqlite3.ProgrammingError as exc:
            raise UsageError("The console runs one statement at a time.",
                             hint="Select one statement, or remove the others.",
                             detail=str(exc)) from exc
        except sqlite3.Error as exc:
            raise self._refusal(exc) from exc
        return ConsoleResult(text, columns, first, time.monotonic() - started, explain)

    def next_page(self, limit: int = PAGE_ROWS, *, cancel: CancelToken | None = None) -> Page:
        if self._pages is None:
            return Page((), False)
        try:
            with watch(self.conn, cancel, state=UNCHANGED):
                return self._pages.next_page(limit)
        except sqlite3.Error as exc:
            raise self._refusal(exc) from exc

    def _refusal(self, exc: sqlite3.Error) -> Exception:
        message = str(exc)
        writes = ("readonly", "not authorized", "may not be modified")
        if self.guard.denied is not None or any(word in message for word in writes):
            what = self.guard.denied or "write to the file"
            return Refused(
                f"This console only reads, and the statement would {what}: it was not run, "
                "and the file is unchanged.",
                hint="Use the console for SELECT, EXPLAIN and reading PRAGMAs; changes go "
                     "through a migration.",
                detail=message, code="would_write")
        error = from_sqlite(exc, state=UNCHANGED)
        if error.code not in ("refused", "error"):  # locked, damaged, …: its own words
            return error
        return UsageError(f"SQLite could not run the statement: {message}.",
                          hint="Check the statement's spelling and the names it uses.",
                          detail=message)

    def close(self) -> None:
        """Close the cursor and the connection (in the thread that made them)."""
        if self._pages is not None:
            self._pages.close()
        self.conn.close()


def open_console(path: str | Path) -> Console:
    """A read-only console on `path` (close it when done)."""
    return Console(path)

