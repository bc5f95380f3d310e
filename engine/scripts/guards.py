"""What a statement creates, whether a file has it, and whether a migration's effect is there.

SQLite has no `ADD COLUMN IF NOT EXISTS`, and `CREATE INDEX IF NOT EXISTS` is satisfied by an index
of that name on another table. When the legacy bridge runs a migration over a file that already
has part of its effect, the runner asks `present(conn, guard_of(sql))` for each statement and
skips the ones whose object is there. Statements that create nothing (INSERT, UPDATE, DROP,
RENAME, …) have no guard and always run.

`effect_present` is the one answer to "is this migration's effect already in the file?", used by
the diagnosis (`status`) and by the runner alike.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from engine.scripts.sqltext import strip_leading_comments

if TYPE_CHECKING:
    from engine.schema import Snapshot

_T = TypeVar("_T")

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


_REMOVES = re.compile(
    r"^(?:DROP\s|ALTER\s+TABLE\s[\s\S]*?\b(?:RENAME|DROP)\b)", re.I
)


class Effect(NamedTuple):
    """One numbered migration, as the presence test sees it."""

    version: int
    statements: tuple[str, ...]
    present: str | None  # its `-- present:` query, if it has one
    recorded: bool  # the file's history has its row


Ask = Callable[[str], bool]  # evaluates a condition query on the file
ExpectedAt = Callable[[int], "Snapshot | None"]  # the chain's schema after a version, if known


def effect_present(
    conn: sqlite3.Connection,
    chain: Sequence[Effect],
    at: int,
    *,
    ask: Ask,
    expected_at: ExpectedAt,
) -> bool:
    """Is `chain[at]`'s effect in the file? Its `present:` query decides when it has one;
    otherwise every object it leaves behind must exist, except those the chain itself removes
    later (see `missing_effect`). Without objects to look at, the history is trusted."""
    return _Presence(conn, chain, ask, expected_at).present(at)


def missing_effect(
    conn: sqlite3.Connection,
    chain: Sequence[Effect],
    at: int,
    *,
    ask: Ask,
    expected_at: ExpectedAt,
) -> list[Guard]:
    """The objects `chain[at]` creates that the file should have and lacks."""
    return _Presence(conn, chain, ask, expected_at).missing(at)


class _Presence:
    """Presence judged against the schema the chain expects after each step, not statement by
    statement: an object that a later migration drops or renames (or a rebuild leaves out) is
    not required once the file is past that migration (recorded, or its effect present)."""

    def __init__(
        self, conn: sqlite3.Connection, chain: Sequence[Effect], ask: Ask, expected: ExpectedAt
    ) -> None:
        self.conn, self.chain, self.ask, self.expected = conn, chain, ask, expected
        self.known: dict[int, bool] = {}

    def present(self, at: int) -> bool:
        if at not in self.known:
            effect = self.chain[at]
            if effect.present is not None:
                self.known[at] = self.ask(effect.present)
            elif not lasting_guards(effect.statements):
                self.known[at] = effect.recorded  # nothing to look at: trust the history
            else:
                self.known[at] = not self.missing(at)
        return self.known[at]

    def missing(self, at: int) -> list[Guard]:
        guards = lasting_guards(self.chain[at].statements)
        return [
            g for g in guards if not present(self.conn, g) and not self._removed_later(at, g)
        ]

    def _removed_later(self, at: int, guard: Guard) -> bool:
        for later in range(at, len(self.chain)):
            effect = self.chain[later]
            if later > at and not (effect.recorded or self.present(later)):
                return False  # the file is not past this step, so the object is still due
            if not any(_REMOVES.match(strip_leading_comments(s)) for s in effect.statements):
                continue
            expected = self.expected(effect.version)
            if expected is not None and not in_schema(expected, guard):
                return True
        return False


def in_schema(expected: Snapshot, guard: Guard) -> bool:
    """Does the (expected) schema have the object `guard` names, on the same table?"""
    table = (guard.table or "").lower()
    if guard.kind == "column":
        found = _named(expected.tables, table)
        return found is not None and found.column(guard.name) is not None
    if guard.kind in ("table", "view"):
        named = expected.tables if guard.kind == "table" else expected.views
        return _named(named, guard.name) is not None
    if guard.kind == "index":
        index = _named(expected.indexes, guard.name)
        return index is not None and index.table.lower() == table
    trigger = _named(expected.triggers, guard.name)
    return trigger is not None and trigger.table.lower() == table


def _named(objects: Mapping[str, _T], name: str) -> _T | None:
    """SQLite names are case-insensitive."""
    wanted = name.lower()
    return next((v for k, v in objects.items() if k.lower() == wanted), None)
