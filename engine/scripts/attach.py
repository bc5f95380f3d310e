"""Keep migrations inside the one file being upgraded.

`ATTACH` (and `VACUUM INTO`, which SQLite authorizes as an attach) lets a statement write a file
other than the one sqlmig backed up and checks: the backup does not cover it, and "the file is
unchanged" after a rollback would not be the whole truth. So a migration may only do that when it
says `-- attach: allow` (the catalog checks the text; `guard_connection` is the authorizer that
enforces it on every connection that runs migration SQL), and the expected-schema replay and a
dry run's rehearsal never do it at all: they attach an in-memory database under the same name.
"""

from __future__ import annotations

import re
import sqlite3

from engine.scripts.sqltext import first_keywords, strip_leading_comments

__all__ = ["AttachGuard", "guard_connection", "in_memory", "reaches_another_file"]

# SQLite attaches "" (a private temporary file) for a plain VACUUM; ":memory:" is no file either.
_NO_FILE = frozenset({"", ":memory:"})
_NAME = r"""(?:"(?:[^"]|"")+"|\[[^\]]+\]|`(?:[^`]|``)+`|'(?:[^']|'')*'|[A-Za-z_][\w$]*)"""
_ATTACH = re.compile(rf"^ATTACH\b[\s\S]*\bAS\s+({_NAME})\s*;?\s*$", re.IGNORECASE)
_VACUUM_INTO = re.compile(rf"^(VACUUM(?:\s+{_NAME})?\s+INTO)\b[\s\S]*$", re.IGNORECASE)


def reaches_another_file(sql: str) -> str | None:
    """'ATTACH' or 'VACUUM INTO' when the statement can write another file, else None."""
    words = first_keywords(sql, 3)
    if words[:1] == ("ATTACH",):
        return "ATTACH"
    if words[:1] == ("VACUUM",) and "INTO" in words:
        return "VACUUM INTO"
    return None


def in_memory(sql: str) -> str | None:
    """The statement with its file replaced by an in-memory database, or None when it reaches
    no file. The schema name stays, so the statements after it work the same."""
    what = reaches_another_file(sql)
    if what is None:
        return None
    text = strip_leading_comments(sql).rstrip()
    if what == "ATTACH":
        found = _ATTACH.match(text)
        if found is None:
            raise sqlite3.OperationalError(f"cannot tell which schema name '{text}' attaches")
        return f"ATTACH ':memory:' AS {found.group(1)}"
    found = _VACUUM_INTO.match(text)
    if found is None:
        raise sqlite3.OperationalError(f"cannot tell where '{text}' writes")
    return f"{found.group(1)} ':memory:'"


class AttachGuard:
    """An authorizer that denies attaching a real file unless `allowed`; remembers the denial."""

    def __init__(self, *, allowed: bool) -> None:
        self.allowed = allowed
        self.denied: str | None = None  # the file (or "an expression") that was refused

    def __call__(
        self, action: int, arg1: str | None, _arg2: str | None, _db: str | None, _src: str | None
    ) -> int:
        if action != sqlite3.SQLITE_ATTACH or self.allowed or arg1 in _NO_FILE:
            return sqlite3.SQLITE_OK
        self.denied = arg1 if arg1 is not None else "a file named by an expression"
        return sqlite3.SQLITE_DENY

    def hint(self) -> str:
        return (
            f"The migration ATTACHes another database file ({self.denied}); sqlmig refuses that "
            "by default, because no backup covers that file. Add '-- attach: allow' to the "
            "comments at the top of the migration if that is intended."
        )


def guard_connection(conn: sqlite3.Connection, *, allowed: bool) -> AttachGuard:
    """Install the guard on `conn` and return it (DETACH only releases a name: always allowed)."""
    guard = AttachGuard(allowed=allowed)
    conn.set_authorizer(guard)
    return guard
