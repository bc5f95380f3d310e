"""What a statement does to the schema, read from its text: the object it creates (its guard),
the objects a migration leaves behind, the tables it drops, and whether it removes anything.

SQLite has no `ADD COLUMN IF NOT EXISTS`, and `CREATE INDEX IF NOT EXISTS` is satisfied by an index
of that name on another table, so the legacy bridge asks, statement by statement, whether the file
already has the object (engine/state/presence.py). Statements that create nothing (INSERT,
UPDATE, DROP, RENAME, …) have no guard.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

from engine.core.lazyre import LazyPattern
from engine.scripts.sqltext import quote_ident, strip_leading_comments

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




_REMOVES = LazyPattern(
    r"^(?:DROP\s|ALTER\s+TABLE\s[\s\S]*?\b(?:RENAME|DROP)\b)", re.I
)


def removes(sql: str) -> bool:
    """Does the statement drop or rename something (a table, a column, an index, …)?"""
    return _REMOVES.match(strip_leading_comments(sql)) is not None


def created_names(statements: Iterable[str], *, kind: str | None = None) -> frozenset[str]:
    """Names (lower-case) of the objects `statements` create, of `kind` only when given."""
    guards = (guard_of(sql) for sql in statements)
    return frozenset(
        g.name.lower() for g in guards if g is not None and (kind is None or g.kind == kind)
    )


def rename_created(sql: str, new_name: str) -> str:
    """A CREATE TABLE (or VIEW, INDEX, TRIGGER) statement that creates `new_name` instead; the
    statement unchanged when it creates nothing."""
    text = strip_leading_comments(sql)
    for kind, pattern in _patterns():
        hit = pattern.match(text) if kind in ("table", "view", "index", "trigger") else None
        if hit is not None:
            start, end = hit.span(1)
            return f"{text[:start]}{quote_ident(new_name)}{text[end:]}"
    return sql
