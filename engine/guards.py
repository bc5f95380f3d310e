"""What a statement creates, and whether a file already has it.

SQLite has no `ADD COLUMN IF NOT EXISTS`, and `CREATE INDEX IF NOT EXISTS` is satisfied by an index
of that name on another table. When the legacy bridge runs a migration over a file that already
has part of its effect, the runner asks `present(conn, guard_of(sql))` for each statement and
skips the ones whose object is there. Statements that create nothing (INSERT, UPDATE, DROP,
RENAME, …) have no guard and always run.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

from engine.sqltext import strip_leading_comments

_IDENT = r'(?:"(?:[^"]|"")+"|\[[^\]]+\]|`(?:[^`]|``)+`|[A-Za-z_][\w$]*)'
_QUALIFIED = rf"(?:{_IDENT}\s*\.\s*)?({_IDENT})"
_IF_NOT_EXISTS = r"(?:IF\s+NOT\s+EXISTS\s+)?"


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled on first use: `status` imports this module but rarely needs it."""
    return (
        (
            "table",
            re.compile(
                rf"^CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+{_IF_NOT_EXISTS}{_QUALIFIED}", re.I
            ),
        ),
        (
            "view",
            re.compile(
                rf"^CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?VIEW\s+{_IF_NOT_EXISTS}{_QUALIFIED}", re.I
            ),
        ),
        (
            "index",
            re.compile(
                rf"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+{_IF_NOT_EXISTS}{_QUALIFIED}\s+ON\s+({_IDENT})",
                re.I,
            ),
        ),
        (
            "trigger",
            re.compile(
                rf"^CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TRIGGER\s+{_IF_NOT_EXISTS}{_QUALIFIED}"
                rf"[\s\S]*?\bON\s+({_IDENT})",
                re.I,
            ),
        ),
        (
            "column",
            re.compile(rf"^ALTER\s+TABLE\s+{_QUALIFIED}\s+ADD\s+(?:COLUMN\s+)?({_IDENT})", re.I),
        ),
        (
            "gone",
            re.compile(
                rf"^(?:DROP\s+(?:TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+EXISTS\s+)?{_QUALIFIED}"
                rf"|ALTER\s+TABLE\s+{_QUALIFIED}\s+RENAME\s+TO\b)",
                re.I,
            ),
        ),
    )


class Guard(NamedTuple):
    kind: str  # table / view / index / trigger / column
    name: str  # the object (for a column: the column)
    table: str | None = None  # the table an index, trigger or column belongs to

    def describe(self) -> str:
        if self.kind == "column":
            return f"column {self.table}.{self.name}"
        if self.table:
            return f"{self.kind} {self.name} on {self.table}"
        return f"{self.kind} {self.name}"


def unquote(identifier: str) -> str:
    if identifier[:1] == '"' and identifier[-1:] == '"':
        return identifier[1:-1].replace('""', '"')
    if identifier[:1] in "[`" and identifier[-1:] in "]`":
        return identifier[1:-1].replace("``", "`")
    return identifier


def guard_of(sql: str) -> Guard | None:
    """The object `sql` creates, or None when it creates nothing a file could already have."""
    text = strip_leading_comments(sql)
    for kind, pattern in _patterns():
        if kind == "gone":
            continue
        hit = pattern.match(text)
        if hit is None:
            continue
        if kind == "column":
            return Guard(kind, unquote(hit.group(2)), unquote(hit.group(1)))
        table = unquote(hit.group(2)) if kind in ("index", "trigger") else None
        return Guard(kind, unquote(hit.group(1)), table)
    return None


def lasting_guards(statements: Iterable[str]) -> list[Guard]:
    """The objects a migration leaves behind: what it creates minus what it drops or renames later.

    A table rebuild creates a table under a temporary name and renames it; that temporary name is
    not part of the migration's effect.
    """
    found: list[Guard] = []
    for sql in statements:
        text = strip_leading_comments(sql)
        gone = dict(_patterns())["gone"].match(text)
        if gone is not None:
            name = unquote(gone.group(1) or gone.group(2)).lower()
            found = [g for g in found if g.kind == "column" or g.name.lower() != name]
            continue
        guard = guard_of(text)
        if guard is not None:
            found.append(guard)
    return found


def present(conn: sqlite3.Connection, guard: Guard) -> bool:
    """Does the file (as seen by `conn`, inside the running transaction) have it?"""
    if guard.kind == "column":
        rows = conn.execute(
            "SELECT 1 FROM pragma_table_info(?) WHERE name = ? COLLATE NOCASE",
            (guard.table, guard.name),
        ).fetchall()
        return bool(rows)
    row = conn.execute(
        "SELECT tbl_name FROM sqlite_master WHERE type = ? AND name = ? COLLATE NOCASE",
        (guard.kind, guard.name),
    ).fetchone()
    if row is None:
        return False
    # An index or trigger of that name on another table does not count: it is a different object.
    return guard.table is None or str(row[0]).lower() == guard.table.lower()


def name_taken(conn: sqlite3.Connection, guard: Guard) -> bool:
    """An object of that name exists, on any table (so `IF NOT EXISTS` would silently skip)."""
    if guard.kind == "column":
        return present(conn, guard)
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = ? COLLATE NOCASE", (guard.name,)
    ).fetchone()
    return row is not None


def dropped_tables(statements: Iterable[str]) -> list[str]:
    """The tables these statements drop (a rebuild drops the old table)."""
    gone = dict(_patterns())["gone"]
    out = []
    for sql in statements:
        text = strip_leading_comments(sql)
        hit = gone.match(text)
        if hit is not None and hit.group(1) and re.match(r"DROP\s+TABLE", text, re.I):
            out.append(unquote(hit.group(1)))
    return out
