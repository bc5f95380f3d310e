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

from engine.core.events import StatementEvent, VerifyEvent, shorten
from engine.planning.planner import Step
from engine.runtime.context import RunContext
from engine.scripts.statements import dropped_tables


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
