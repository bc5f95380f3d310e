"""Which values a run may change: fingerprinted just before it first may change them.

The row ledger counts rows and values of every table. A fingerprint of the values themselves
costs a Python call per row, so it is taken only where a change could hide: for the tables a
running statement can change in place (its INSERT/UPDATE/DELETE targets, what the triggers on
them write, the children of their foreign keys when those are enforced), the tables a step moves
rows between (`moves:`), and a table dropped without a verbatim copy of it. A table that is only
read, renamed or copied verbatim (a rebuild's `INSERT … SELECT` of the same columns) keeps its
values by construction and costs nothing. Before COMMIT each fingerprinted table (or group of
tables linked by moves) must show the same values in every column that no step writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from engine.runtime.ledger import Fingerprints, fingerprint_changes, fingerprints
from engine.scripts.sqltext import quote_ident
from engine.scripts.sqlwrites import Write, performed_writes, renamed_column, renamed_table, writes
from engine.scripts.statements import dropped_tables

Moves = Mapping[str, tuple[str, ...]]


class ValueWatch:
    def __init__(self, tables: Iterable[str], owned: frozenset[str]) -> None:
        self.owned = owned
        self.baseline = {t.lower() for t in tables}
        self.original = set(self.baseline)  # baseline tables whose object is still the same
        self.before: dict[str, Fingerprints] = {}
        self.written: set[tuple[str, str]] = set()  # (table, column or "*"), lower-case
        self.dirty: set[str] = set()  # tables changed since the last comparison
        self._copies: dict[str, str] = {}  # verbatim copy -> its source, in the current step
        self._due_before: dict[str, Fingerprints] = {}  # what `due` will compare, before
        self._due: dict[str, set[str]] = {}  # and the columns of each table it asked for

    # -- during the run -----------------------------------------------------------------------

    def before_step(
        self, conn: sqlite3.Connection, moves: Iterable[tuple[str, tuple[str, ...]]]
    ) -> None:
        self._copies.clear()
        for source, targets in moves:
            if "." in source:  # a declared column move: both columns are the plan's to write
                for ref in (source, *targets):
                    table, _, column = ref.lower().partition(".")
                    self.written.add((table, column))
                continue
            for table in (source, *targets):
                self._watch(conn, table.lower())

    def before_statement(self, conn: sqlite3.Connection, sql: str, moves: Moves) -> None:
        group = _linked(moves)
        exposed: set[str] = set()
        for write in performed_writes(sql):
            exposed.add(write.table)
            self._mark(conn, write, group)
        for table in dropped_tables([sql]):
            if table.lower() not in self._copies.values():
                exposed.add(table.lower())
        for table in self._reached(conn, exposed):
            self._watch(conn, table)

    def after_statement(self, sql: str) -> list[tuple[str, str]]:
        """Follow copies, drops and renames; returns the moves a rename makes (old, new)."""
        for write in performed_writes(sql):
            if write.kind == "insert" and write.source and _verbatim(write):
                self._copies[write.table] = write.source
        for table in dropped_tables([sql]):
            self.original.discard(table.lower())
        table_renamed = renamed_table(sql)
        if table_renamed is not None:
            old, new = table_renamed
            self.written |= {(new, c) for t, c in set(self.written) if t == old}
            was_original = old in self.original
            self.original.discard(old)
            if self._copies.get(old) == new and new in self.baseline:
                self.original.add(new)  # a verbatim rebuild: the same values under the same name
            return [(old, new)] if was_original else []
        column_renamed = renamed_column(sql)
        if column_renamed is not None:
            table, old, new = column_renamed
            self.written |= {(table, old), (table, new)}
            return [(f"{table}.{old}", f"{table}.{new}")]
        return []

    # -- before COMMIT -------------------------------------------------------------------------

    def due(self, moves: Moves) -> dict[str, set[str]]:
        """The tables (lower-case) to fingerprint before COMMIT, each with the columns to
        compare. The caller reads them in its own scan of each table (the ledger's) and passes
        what it found to `changes`."""
        self._due_before, self._due = {}, {}
        if not self.dirty:
            return {}
        group = _linked(_lowered(moves))
        for table in self.before:
            members = group.get(table, {table})
            complete = all(m in self.before for m in members if m in self.baseline)
            if complete and members & self.dirty:
                self._due_before.update({m: self.before[m] for m in members if m in self.before})
        for table in self._due_before:
            members = group.get(table, {table})
            columns = {c.lower() for m in members for c in self._due_before.get(m, {})}
            columns -= {c for t, c in self.written if t in members}
            for member in members:
                self._due.setdefault(member, columns)
        return dict(self._due)

    def changes(
        self, conn: sqlite3.Connection, moves: Moves, after: Mapping[str, Fingerprints]
    ) -> list[str]:
        """Sentences for columns whose values changed although no step writes them. `after`:
        the fingerprints `due` asked for, as the caller's scan found them (a table the scan did
        not cover is fingerprinted here)."""
        if not self.dirty:
            return []
        found = dict(after)
        for member, columns in self._due.items():
            if member not in found and _exists(conn, member):
                found[member] = fingerprints(conn, member, only=columns)
        before = self._due_before
        self._due_before, self._due = {}, {}
        self.dirty.clear()
        return fingerprint_changes(before, found, _lowered(moves), self.written)

    # -- helpers --------------------------------------------------------------------------------

    def _watch(self, conn: sqlite3.Connection, table: str) -> None:
        self.dirty.add(table)
        if table in self.original and table not in self.before:
            written = {c for t, c in self.written if t == table}
            if "*" not in written:  # else its values are the plan's to change: nothing to compare
                self.before[table] = fingerprints(conn, table, skip=written)

    def _mark(self, conn: sqlite3.Connection, write: Write, group: dict[str, set[str]]) -> None:
        """Columns a write changes on purpose. Rows copied within a group of moved tables, and
        plain column references copied into a new table, keep their values: compared."""
        table = write.table
        if write.kind == "update":
            self.written |= {(table, c) for c in write.columns or ()}
            return
        if write.kind != "insert":
            return
        moved = write.source is not None and write.source in group.get(table, {table})
        if table in self.original and not moved:
            self.written.add((table, "*"))  # rows added from elsewhere
            return
        if write.selected is None:
            return  # `SELECT *`: a copy by position
        columns = write.columns or tuple(_columns(conn, table))
        if len(columns) != len(write.selected):
            self.written.add((table, "*"))
            return
        self.written |= {
            (table, c) for c, picked in zip(columns, write.selected, strict=True) if not picked
        }

    def _reached(self, conn: sqlite3.Connection, tables: set[str]) -> set[str]:
        """The tables themselves, those their triggers write, and (with foreign keys enforced)
        the tables whose foreign keys point at them: an action can change or delete those."""
        enforced = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        seen: set[str] = set()
        todo = list(tables)
        while todo:
            table = todo.pop()
            if table in seen:
                continue
            seen.add(table)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND lower(tbl_name) = ? AND sql IS NOT NULL",
                (table,),
            ):
                for write in writes(str(sql)):
                    todo.append(write.table)
                    if str(name).lower() in self.owned:  # the chain's own trigger: on purpose
                        columns = write.columns if write.kind == "update" else ("*",)
                        self.written |= {(write.table, c) for c in columns or ()}
            if enforced:
                todo.extend(
                    str(r[0]).lower()
                    for r in conn.execute(
                        "SELECT m.name FROM sqlite_master AS m, pragma_foreign_key_list(m.name) "
                        "AS f WHERE m.type = 'table' AND lower(f.\"table\") = ?",
                        (table,),
                    )
                )
        return seen


def _verbatim(write: Write) -> bool:
    if write.selected is None:
        return True
    return write.columns is not None and write.columns == write.selected


def _lowered(moves: Moves) -> dict[str, tuple[str, ...]]:
    return {s.lower(): tuple(t.lower() for t in ts) for s, ts in moves.items()}


def _linked(moves: Moves) -> dict[str, set[str]]:
    group: dict[str, set[str]] = {}
    for source, targets in moves.items():
        if "." in source:
            continue
        members = {source.lower(), *(t.lower() for t in targets)}
        for table in list(members):
            members |= group.get(table, set())
        for table in members:
            group[table] = members
    return group


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]).lower() for r in conn.execute(f"PRAGMA table_info({quote_ident(table)})")]


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND lower(name) = ?", (table,)
        ).fetchone()
    )
