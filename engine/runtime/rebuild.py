"""Table rebuilds, the one helper: SQLite's 12-step order and what must survive it.

SQLite cannot change a table's constraints in place; the documented procedure
(https://sqlite.org/lang_altertable.html#otheralter) rebuilds it:

   1. foreign keys off, OUTSIDE the transaction (`PRAGMA foreign_keys` is a no-op inside one,
      and dropping a parent with them on deletes its children through ON DELETE CASCADE)
   2. BEGIN
   3. remember the table's indexes, triggers and views
   4. create the new table under a temporary name of our own
   5. copy the rows (the shared columns, by name)
   6. carry the AUTOINCREMENT counter (`sqlite_sequence`) over
   7. drop the old table (which drops its indexes and triggers)
   8. rename the new table, with `legacy_alter_table` on around the rename, so a view or
      trigger that names the table is not re-checked half-way
   9. recreate the indexes, triggers and views
  10. `PRAGMA foreign_key_check`: no row may point nowhere
  11. COMMIT
  12. foreign keys back on

Two callers: the runner, for migrations and repairs that rebuild tables themselves
(`Dependents` keeps the user's indexes and triggers through them, waiting in `sqlmig_log` when
their table comes back only in a later transaction), and `rebuild_sql`, which writes the whole
procedure for "table T from its current definition to a new CREATE TABLE".
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import NamedTuple

from engine.core.events import StatementEvent, VerifyEvent, shorten
from engine.planning.planner import Step
from engine.runtime.context import RunContext
from engine.scripts.sqlnorm import parse_create_table
from engine.scripts.sqltext import quote_ident
from engine.scripts.sqlwrites import tokens
from engine.scripts.statements import dropped_tables, rename_created


@contextlib.contextmanager
def foreign_keys_off(conn: sqlite3.Connection, off: bool) -> Iterator[None]:
    """Step 1 and 12: foreign keys off around a transaction (call it before BEGIN)."""
    if not off:
        yield
        return
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


@contextlib.contextmanager
def legacy_alter_table(conn: sqlite3.Connection) -> Iterator[None]:
    """Step 8: renames that do not re-check the views and triggers naming the table."""
    old = int(conn.execute("PRAGMA legacy_alter_table").fetchone()[0])
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA legacy_alter_table = {old}")


class Dependents:
    """The user's indexes, triggers and views through the steps that rebuild tables."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._told = 0  # kept.notes already sent as `user_objects` checks

    @contextlib.contextmanager
    def keeping(self, step: Step) -> Iterator[None]:
        """A step that drops tables (a rebuild) keeps the other objects that hung on them: the
        indexes and triggers a DROP TABLE removes are recreated from their stored SQL when the
        step did not recreate them itself, as soon as their table exists again (after this or
        a later step); views survive the drop-and-rename through `legacy_alter_table`."""
        dropped = dropped_tables(s.sql for s in step.statements)
        if not dropped:
            yield
            return
        conn = self.ctx.conn
        self.ctx.kept.keep(conn, dropped, step.label)
        with legacy_alter_table(conn):
            yield
        self.put_back(step, final=False)

    def put_back(self, step: Step, *, final: bool, closing: bool = False) -> None:
        """Kept indexes and triggers whose table exists again are recreated. When the
        transaction is `closing` (before its checks): what still waits is saved in the audit
        table, in this transaction; at the end of the plan (`final`) the user's views and
        triggers must compile (re-pointed where a column was renamed, reported otherwise)."""
        ctx, kept = self.ctx, self.ctx.kept
        kept.restore(ctx.conn, final=final)
        if final:
            kept.repoint_broken(ctx.conn, ctx.broken_before)
        for sql in kept.recreated:
            text = shorten(f"(kept) {sql}")
            ctx.sink(StatementEvent(ctx.clock(), step.version, step.label, 0, 0, 0, text))
        kept.recreated.clear()
        if closing:
            kept.save(ctx.conn)
            for note in kept.notes[self._told :]:  # each one a line of the output
                details = ("warning",) if note in kept.lost else ()
                ctx.sink(VerifyEvent(ctx.clock(), "user_objects", True, note, details))
            self._told = len(kept.notes)


# -- the procedure as SQL -------------------------------------------------------------------------

TEMPORARY_SUFFIX = "_sqlmig_rebuild"  # a name sqlmig reserves (SPEC §7.12): never the user's


class TableDefinition(NamedTuple):
    """A table as it is now, and what hangs on it (read with `read_table`)."""

    name: str
    columns: tuple[str, ...]  # stored columns, in order (generated ones are not copied)
    autoincrement: bool
    indexes: tuple[tuple[str, tuple[str, ...], str], ...]  # (name, columns it uses, its SQL)
    triggers: tuple[str, ...]  # their SQL
    views: tuple[tuple[str, str], ...]  # (name, SQL) of the views that name the table


class RebuildScript(NamedTuple):
    table: str
    inside: tuple[str, ...]  # steps 3-9: the statements inside the transaction
    notes: tuple[str, ...]  # what cannot be kept (an index on a column the new table lacks)

    def migration(self) -> str:
        """The statements as a migration file (or a down part): the runner switches foreign
        keys off before its transaction and checks them before COMMIT."""
        head = [f"-- foreign-keys: off\n-- Rebuilds {self.table} in SQLite's 12-step order."]
        return "\n\n".join([*head, *(f"-- {note}" for note in self.notes), *self.inside]) + "\n"

    def script(self) -> str:
        """The whole procedure, to run as it is (in the sqlite3 shell, for example)."""
        lines = ["PRAGMA foreign_keys = OFF;", "BEGIN IMMEDIATE;", *self.inside,
                 "PRAGMA foreign_key_check;  -- must return no rows, else ROLLBACK",
                 "COMMIT;", "PRAGMA foreign_keys = ON;"]
        return "\n".join([*(f"-- {note}" for note in self.notes), *lines]) + "\n"


def read_table(conn: sqlite3.Connection, table: str) -> TableDefinition:
    """The table's stored columns, whether it counts with AUTOINCREMENT, its indexes and
    triggers, and the views that name it (read-only)."""
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE", (table,)
    ).fetchone()
    if sql is None:
        raise ValueError(f"no table {table}")
    info = conn.execute(f"PRAGMA table_xinfo({quote_ident(table)})").fetchall()
    indexes = tuple(
        (str(name), tuple(str(r[2]) for r in conn.execute(
            f"PRAGMA index_info({quote_ident(str(name))})") if r[2] is not None), str(index_sql))
        for name, index_sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name = ? COLLATE NOCASE ORDER BY rowid", (table,))
    )
    triggers = tuple(str(r[0]) for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL "
        "AND tbl_name = ? COLLATE NOCASE ORDER BY rowid", (table,)))
    views = tuple(
        (str(name), str(view_sql))
        for name, view_sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY rowid")
        if table.lower() in {t.name for t in tokens(str(view_sql))}
    )
    return TableDefinition(
        name=table,
        columns=tuple(str(r[1]) for r in info if int(r[6]) == 0),
        autoincrement=parse_create_table(str(sql[0])).autoincrement,
        indexes=indexes,
        triggers=triggers,
        views=views,
    )


def rebuild_sql(current: TableDefinition, new_create: str) -> RebuildScript:
    """The statements that take `current` to `new_create` (a CREATE TABLE of the same name):
    rows copied by the columns both have, the AUTOINCREMENT counter carried over, indexes,
    triggers and views recreated. Opens no file (the new definition is read in memory)."""
    table, temporary = current.name, current.name + TEMPORARY_SUFFIX
    new_columns = _stored_columns(new_create)
    kept = {c.lower() for c in current.columns}
    shared = ", ".join(quote_ident(c) for c in new_columns if c.lower() in kept)
    t, tmp = quote_ident(table), quote_ident(temporary)
    inside = ["PRAGMA legacy_alter_table = ON;"]
    inside += [f"DROP VIEW {quote_ident(name)};" for name, _sql in current.views]
    inside += [
        _statement(rename_created(new_create, temporary)),
        f"INSERT INTO {tmp} ({shared})\nSELECT {shared}\nFROM {t};",
    ]
    if current.autoincrement and parse_create_table(new_create).autoincrement:
        inside += _carry_sequence(table, temporary)
    inside += [f"DROP TABLE {t};", f"ALTER TABLE {tmp} RENAME TO {t};",
               "PRAGMA legacy_alter_table = OFF;"]
    present = {c.lower() for c in new_columns}
    notes = []
    for name, columns, sql in current.indexes:
        lost = [c for c in columns if c.lower() not in present]
        if lost:
            notes.append(f"The index {name} used {table}.{lost[0]}, which the new table lacks: "
                         "it is not recreated.")
        else:
            inside.append(_statement(sql))
    inside += [_statement(sql) for sql in current.triggers]
    inside += [_statement(sql) for _name, sql in current.views]
    return RebuildScript(table, tuple(inside), tuple(notes))


def _stored_columns(create: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(":memory:")) as memory:
        memory.execute(rename_created(create, "new_table"))
        return [str(r[1]) for r in memory.execute("PRAGMA table_xinfo(new_table)") if r[6] == 0]


def _carry_sequence(table: str, temporary: str) -> list[str]:
    """Step 6: the new table counts on from the larger of the two counters (MAX ignores a
    missing row's NULL); it gets a counter row even when there was nothing to copy."""
    t, tmp = _literal(table), _literal(temporary)
    return [
        f"UPDATE sqlite_sequence\nSET seq = (SELECT MAX(seq) FROM sqlite_sequence "
        f"WHERE name IN ({t}, {tmp}))\nWHERE name = {tmp};",
        f"INSERT INTO sqlite_sequence (name, seq)\nSELECT {tmp}, old_seq\n"
        f"FROM (SELECT MAX(seq) AS old_seq FROM sqlite_sequence WHERE name = {t})\n"
        f"WHERE old_seq IS NOT NULL\n"
        f"  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {tmp});",
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _statement(sql: str) -> str:
    return sql.strip().rstrip(";") + ";"
