"""A user's own indexes, triggers and views through steps that move rows.

* While a bridge step (or one that moves rows or drops tables) runs a data statement, the user's
  triggers (those the catalog does not create) are set aside and put back right after it, in the
  same transaction: the app's data is moved, never rewritten by a trigger.
* A DROP TABLE removes the indexes and triggers on that table. Those the chain does not own are
  kept and recreated once their table exists again. One that must wait past a transaction (a
  stepwise step that set its table aside) waits in the audit table `sqlmig_log`, in the same
  transaction, so a run stopped there loses nothing: the next run reads it back.
* What names a legacy column the plan renames (`moves: t.old -> t.new`) is re-pointed; what
  cannot be kept is reported by name, and an index or trigger that is lost keeps its SQL in
  `sqlmig_log` (kind `lost`).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from engine.core.connect import quote_ident
from engine.runtime.compiles import (
    Broken,
    Renames,
    broken_objects,
    compiles,
    keep_view_columns,
    repoint,
)
from engine.scripts.sqltext import strip_leading_comments
from engine.state import history as hist

WAITING, RESTORED, LOST = "set_aside", "restored", "lost"  # sqlmig_log kinds
_DATA_STATEMENTS = ("INSERT", "REPLACE", "UPDATE", "DELETE", "WITH")


@contextlib.contextmanager
def triggers_set_aside(conn: sqlite3.Connection, owned: frozenset[str]) -> Iterator[None]:
    """The user's triggers are dropped for the statement and recreated after it (in their
    original order). On an error the transaction rolls back, which brings them back too."""
    aside = [
        (str(name), str(sql))
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL "
            "ORDER BY rowid"
        )
        if str(name).lower() not in owned
    ]
    for name, _sql in aside:
        conn.execute(f"DROP TRIGGER {quote_ident(name)}")
    yield
    for _name, sql in aside:
        conn.execute(sql)


def is_data_statement(sql: str) -> bool:
    return strip_leading_comments(sql).lstrip().upper().startswith(_DATA_STATEMENTS)


@dataclass
class Kept:
    kind: str  # index / trigger
    name: str
    table: str
    sql: str
    by: str  # the step that removed its table
    row: int | None = None  # its sqlmig_log row, once it waits there

    def detail(self) -> str:
        fields = {"type": self.kind, "table": self.table, "sql": self.sql, "by": self.by}
        return json.dumps(fields, sort_keys=True)


class KeptObjects:
    """Indexes and triggers waiting for their table, and what became of them."""

    def __init__(self, owned: frozenset[str], renames: Renames) -> None:
        self.owned = owned
        self.renames = renames
        self.waiting: list[Kept] = []
        self.notes: list[str] = []  # for the run's result and its `user_objects` checks
        self.lost: set[str] = set()  # the notes that say something could not be kept
        self.recreated: list[str] = []  # SQL run to put objects back, for the progress events

    def load(self, conn: sqlite3.Connection) -> None:
        """What an earlier transaction (of this run or a stopped one) left waiting."""
        if not _exists(conn, hist.AUDIT_TABLE):
            return
        known = {k.name.lower() for k in self.waiting}
        for row, name, detail in conn.execute(
            f"SELECT id, name, detail FROM {hist.AUDIT_TABLE} WHERE kind = ? ORDER BY id",
            (WAITING,),
        ):
            if str(name).lower() in known:
                continue
            try:
                fields = json.loads(str(detail))
                kept = Kept(fields["type"], str(name), fields["table"], fields["sql"], fields["by"])
            except (ValueError, KeyError, TypeError):
                continue  # not a row this tool wrote: leave it alone
            kept.row = int(row)
            self.waiting.append(kept)

    def keep(self, conn: sqlite3.Connection, tables: Iterable[str], by: str) -> None:
        """Before a step drops `tables`: remember the indexes and triggers on them."""
        wanted = [t.lower() for t in tables]
        if not wanted:
            return
        marks = ",".join("?" * len(wanted))
        known = {k.name.lower() for k in self.waiting}
        for kind, name, table, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
            f" AND sql IS NOT NULL AND lower(tbl_name) IN ({marks})",
            wanted,
        ):
            if str(name).lower() not in self.owned | known:  # the chain's own: it decides
                self.waiting.append(Kept(str(kind), str(name), str(table), str(sql), by))

    def restore(self, conn: sqlite3.Connection, *, final: bool) -> None:
        """Recreate what waits whose table exists (again), re-pointed if need be. At the end of
        the plan, what is still waiting is lost: reported, and its SQL kept in the audit table."""
        still = []
        for kept in self.waiting:
            if _exists(conn, kept.name, kind=kept.kind):
                self._settle(conn, kept, RESTORED)
            elif not _exists(conn, kept.table):
                still.append(kept)
            elif (error := self._recreate(conn, kept)) is None:
                self._settle(conn, kept, RESTORED)
            elif final:
                self._tell(
                    f"The {kept.kind} {kept.name} on {kept.table} could not be kept ({error}); "
                    f"its SQL is in {hist.AUDIT_TABLE}.",
                    lost=True,
                )
                self._settle(conn, kept, LOST)
            else:
                still.append(kept)  # a later step may bring its column back
        if final:
            for kept in still:
                self._tell(
                    f"The {kept.kind} {kept.name} was on table {kept.table}, which {kept.by} "
                    f"removed; its SQL is in {hist.AUDIT_TABLE}.",
                    lost=True,
                )
                self._settle(conn, kept, LOST)
            still = []
        self.waiting = still

    def save(self, conn: sqlite3.Connection) -> None:
        """Before COMMIT: what still waits is written to the audit table (same transaction)."""
        for kept in self.waiting:
            if kept.row is None:
                hist.audit(conn, WAITING, kept.name, detail=kept.detail())
                kept.row = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])

    def repoint_broken(self, conn: sqlite3.Connection, before: set[str]) -> None:
        """At the end of the plan: the user's views and triggers must compile. Re-point what
        names a renamed column; report the rest (`before`: those already broken at the start)."""
        for broken in broken_objects(conn, wanted=lambda n: n.lower() not in self.owned):
            if self._repoint_object(conn, broken):
                continue
            if broken.name.lower() in before:
                self._tell(f"{broken.sentence()[:-1]} (already before the upgrade).", lost=True)
            else:
                self._tell(
                    f"The {broken.kind} {broken.name} no longer compiles after the upgrade "
                    f"({broken.error}); recreate it by hand.",
                    lost=True,
                )

    # -- helpers --------------------------------------------------------------------------------

    def _recreate(self, conn: sqlite3.Connection, kept: Kept) -> str | None:
        """None when recreated (as it was, or re-pointed); else SQLite's reason."""
        error = "unknown reason"
        for sql in (kept.sql, repoint(kept.sql, self.renames)):
            if sql is None:
                continue
            try:
                conn.execute(sql)
            except sqlite3.Error as exc:
                error = error if sql != kept.sql else str(exc)
                continue
            self.recreated.append(sql)
            if sql != kept.sql:
                self._tell(
                    f"The {kept.kind} {kept.name} used a column the upgrade renamed; it was "
                    f"re-pointed: {sql}"
                )
            return None
        return error

    def _repoint_object(self, conn: sqlite3.Connection, broken: Broken) -> bool:
        sql = str(
            conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = ? AND name = ?",
                (broken.kind, broken.name),
            ).fetchone()[0]
        )
        new = repoint(sql, self.renames)
        if new is None:
            return False
        drop = f"DROP {broken.kind.upper()} {quote_ident(broken.name)}"
        conn.execute(drop)
        conn.execute(new)
        if compiles(conn, broken.kind, broken.name) is not None:
            conn.execute(drop)
            conn.execute(sql)  # as it was: reported as broken
            return False
        if broken.kind == "view":  # its users keep the column names they know
            names = _view_columns(conn, broken.name)
            named = keep_view_columns(new, [_old_name(n, self.renames) for n in names], names)
            if named != new:
                conn.execute(drop)
                conn.execute(named)
                new = named
        self._tell(
            f"The {broken.kind} {broken.name} used a column the upgrade renamed; it was "
            f"re-pointed: {new}"
        )
        return True

    def _tell(self, sentence: str, *, lost: bool = False) -> None:
        self.notes.append(sentence)
        if lost:
            self.lost.add(sentence)

    def _settle(self, conn: sqlite3.Connection, kept: Kept, outcome: str) -> None:
        if kept.row is not None:
            conn.execute(
                f"UPDATE {hist.AUDIT_TABLE} SET kind = ? WHERE id = ?", (outcome, kept.row)
            )
        elif outcome == LOST:
            hist.audit(conn, LOST, kept.name, detail=kept.detail())


def _old_name(name: str, renames: Renames) -> str:
    for mapping in renames.values():
        for old, new in mapping.items():
            if new == name.lower():
                return old
    return name


def _view_columns(conn: sqlite3.Connection, view: str) -> list[str]:
    try:
        return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({quote_ident(view)})")]
    except sqlite3.Error:
        return []


def _exists(conn: sqlite3.Connection, name: str, *, kind: str = "table") -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = ? AND name = ? COLLATE NOCASE", (kind, name)
        ).fetchone()
    )
