"""Is a migration's effect already in the file? The one answer, used by the diagnosis (`status`)
and by the runner alike; and whether one object a statement creates is there.

Presence is judged against the schema the chain expects after each step, not statement by
statement: an object that a later migration drops or renames (or a rebuild leaves out) is not
required once the file is past that migration (recorded, or its effect present).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from engine.scripts.statements import Guard, lasting_guards, removes

if TYPE_CHECKING:
    from engine.schema import Snapshot

_T = TypeVar("_T")


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
            if not any(removes(s) for s in effect.statements):
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
