"""Running a rollback's down parts in one `BEGIN IMMEDIATE` transaction, with the upgrade's
discipline: foreign keys off outside the transaction when a down part asks, a compare-and-set
on the applied set, each statement with its event, each step's history row removed and its
`reverted` audit row written, and the checks before COMMIT (the ledger allows only what the
down parts drop, no new foreign-key damage, the schema of the target version).

Rows a down part cannot keep go to a side table `<table>_unplaced` (SPEC §7.12): allowed only
with `--allow-data-loss`; a side table this run made and left empty is dropped again.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.authorizer import guard_connection
from engine.core.cancel import CancelToken, wait_for_lock, watch
from engine.core.connect import open_readonly, open_readwrite, read_facts
from engine.core.errors import Cancelled, Refused, RunFailed
from engine.core.events import (
    Clock,
    EventSink,
    HeartbeatEvent,
    StatementEvent,
    StepEndEvent,
    StepStartEvent,
    VerifyEvent,
    shorten,
)
from engine.core.tables import is_bookkeeping
from engine.core.verdicts import Method, ProblemCode, StepKind
from engine.planning.downplan import DownPlan, DownStep
from engine.runtime import dialect_history, recording
from engine.runtime.checks import foreign_key_damage, new_damage, quick_check, table_names
from engine.runtime.failures import check_failed
from engine.runtime.ledger import compare_ledger, value_counts
from engine.runtime.rebuild import foreign_keys_off
from engine.schema import compare, snapshot
from engine.scripts.catalog import Catalog
from engine.scripts.sqltext import quote_ident
from engine.scripts.sqlwrites import tables_made
from engine.scripts.statements import dropped_tables
from engine.state import dialects
from engine.state.expected import ExpectedSchemas, ReplayFailed

UNPLACED = "_unplaced"


@dataclass
class DownOutcome:
    reverted: list[int] = field(default_factory=list)
    ledger: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class DownRun:
    path: Path
    catalog: Catalog
    plan: DownPlan
    sink: EventSink
    clock: Clock
    cancel: CancelToken
    wait: float
    allow_data_loss: bool
    # The statement running (step, its number, since when), named by heartbeats.
    _running: tuple[DownStep, int, float] | None = field(default=None, init=False)

    def run(self) -> DownOutcome:
        path = self.path
        outcome = DownOutcome()
        conn = open_readwrite(path, wait_seconds=self.wait)
        guard_connection(conn, allowed=False)
        try:
            with foreign_keys_off(conn, self.plan.foreign_keys_off):
                wait_for_lock(conn, "BEGIN IMMEDIATE", wait=self.wait, cancel=self.cancel,
                              state="Nothing was changed.")
                try:
                    with watch(conn, self.cancel, state="Rolled back; the file is unchanged.",
                               beat=self._beat):
                        self._transaction(conn, outcome)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        finally:
            conn.close()
        self._final_quick_check(path)
        return outcome

    # -- the transaction ------------------------------------------------------------------------

    def _transaction(self, conn: sqlite3.Connection, outcome: DownOutcome) -> None:
        if self._applied(conn) != set(self.plan.applied):
            raise Refused(
                "The file's history changed since it was read (another program wrote to it).",
                hint="Run the command again.",
                code=ProblemCode.CHANGED_SINCE_INSPECTION,
            )
        counts, values = value_counts(conn)
        tables_before = {t.lower() for t in counts}
        damage = foreign_key_damage(conn)
        recording.ensure_audit_table(conn)
        remaining = set(self.plan.applied)
        for index, step in enumerate(self.plan.steps, start=1):
            self._step(conn, index, step)
            remaining.discard(step.version)
            lowered = max(remaining, default=0)
            if self.catalog.user_version and lowered < 2**31:
                recording.set_user_version(conn, lowered)
            outcome.reverted.append(step.version)
        moves = self._unplaced(conn, tables_before, outcome)
        self.cancel.check("Rolled back; the file is unchanged.")
        self._check_ledger(conn, (counts, values), moves, outcome)
        fresh = new_damage(damage, foreign_key_damage(conn))
        self._verdict("foreign_keys", not fresh, "No new foreign-key damage.", fresh)
        self._check_schema(conn)

    def _applied(self, conn: sqlite3.Connection) -> set[int]:
        names = {str(r[0]) for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        catalog_names = self.catalog.names()
        rows = dialects.read_any(conn, names, self.catalog).rows
        return {r.version for r in rows if catalog_names.get(r.version) == r.name}

    def _step(self, conn: sqlite3.Connection, index: int, step: DownStep) -> None:
        kept = self._users_objects(conn, step)
        self._run_step(conn, index, step)
        self._put_back(conn, kept, step)

    def _users_objects(self, conn: sqlite3.Connection, step: DownStep) -> list[tuple[str, str]]:
        """The user's indexes and triggers on the tables a down part rebuilds (drops and makes
        again): DROP TABLE removes them, the rebuild does not know them."""
        statements = [s.sql for s in step.statements]
        rebuilt = {t.lower() for t in dropped_tables(statements)} & tables_made(statements)
        if not rebuilt:
            return []
        owned = ExpectedSchemas(self.catalog).owned_names()
        rows = conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL").fetchall()
        return [(str(name), str(sql)) for name, table, sql in rows
                if str(table).lower() in rebuilt and str(name).lower() not in owned]

    def _put_back(self, conn: sqlite3.Connection, kept: list[tuple[str, str]], step: DownStep
                  ) -> None:
        for name, sql in kept:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
                continue
            try:
                conn.execute(sql)
            except sqlite3.Error as exc:  # it names a column the older table lacks
                raise RunFailed(
                    f"Your own {name} could not be kept through the down part of {step.source} "
                    f"({exc}). Everything was rolled back; the file is unchanged.",
                    hint="Drop or change it first if it is no longer needed, then roll back.",
                    detail=sql, code=ProblemCode.MIGRATION_FAILED) from exc

    def _run_step(self, conn: sqlite3.Connection, index: int, step: DownStep) -> None:
        total = len(self.plan.steps)
        self.sink(StepStartEvent(self.clock(), index, total, step.version, step.label,
                                 StepKind.REVERT, len(step.statements)))
        started = time.monotonic()
        for number, statement in enumerate(step.statements, start=1):
            self.cancel.check("Rolled back; the file is unchanged.")
            self.sink(StatementEvent(self.clock(), step.version, step.label, number,
                                     len(step.statements), statement.line,
                                     shorten(statement.sql)))
            self._running = (step, number, time.monotonic())
            try:
                conn.execute(statement.sql)
            except sqlite3.Error as exc:
                if self.cancel.cancelled:
                    raise Cancelled("Cancelled. Rolled back; the file is unchanged.") from exc
                raise RunFailed(
                    f"The down part of {step.source} failed at line {statement.line}: {exc}. "
                    "Everything was rolled back; the file is unchanged.",
                    hint="Fix the down part (or the data it trips on) and run it again.",
                    detail=statement.sql,
                    code=ProblemCode.MIGRATION_FAILED,
                ) from exc
        self._running = None
        dialect_history.unrecord(conn, self.catalog, step.version)
        duration_ms = int((time.monotonic() - started) * 1000)
        recording.audit_step(
            conn, Method.REVERTED, version=step.version, version_label=None, name=step.name,
            method=Method.REVERTED, checksum=step.checksum, duration_ms=duration_ms,
            statements=(s.sql for s in step.statements))
        self.sink(StepEndEvent(self.clock(), index, step.version, step.label, Method.REVERTED,
                               duration_ms))

    def _beat(self, _seconds: float) -> None:
        """A heartbeat while one statement runs long (a face's progress stays alive)."""
        running = self._running
        if running is not None:
            step, number, started = running
            self.sink(HeartbeatEvent(self.clock(), step.version, step.label, number,
                                     time.monotonic() - started))

    def _unplaced(self, conn: sqlite3.Connection, before: set[str], outcome: DownOutcome
                  ) -> dict[str, tuple[str, ...]]:
        """Side tables this run made: dropped when empty; with rows, allowed only with
        --allow-data-loss (their rows are then counted with the table they came from)."""
        moves: dict[str, tuple[str, ...]] = {}
        held = []
        for table in table_names(conn):
            low = table.lower()
            if not low.endswith(UNPLACED) or low in before:
                continue
            rows = int(conn.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0])
            if rows == 0:
                conn.execute(f"DROP TABLE {quote_ident(table)}")
                continue
            source = table[: -len(UNPLACED)]
            held.append(f"{rows} row(s) of {source} cannot be kept and would move to {table}")
            moves[source] = (table,)
        if held and not self.allow_data_loss:
            raise Refused(
                f"Rolling back would set rows aside: {'; '.join(held)}. Nothing was changed.",
                hint="Run again with --allow-data-loss to move them (the backup keeps them too).",
                detail="\n".join(held),
                code=ProblemCode.DATA_LOSS,
            )
        outcome.notes.extend(f"Set aside: {h}." for h in held)
        return moves

    def _check_ledger(self, conn: sqlite3.Connection, before: tuple[dict[str, int], dict[
            str, dict[str, int]]], moves: dict[str, tuple[str, ...]], outcome: DownOutcome
                      ) -> None:
        """No row or value lost but in what the plan drops (checked, or allowed, beforehand)."""
        counts, values = before
        dropped = {t for step in self.plan.steps for t in step.tables}
        columns = {c for step in self.plan.steps for c in step.columns}
        kept_counts = {t: n for t, n in counts.items()
                       if t.lower() not in dropped and not is_bookkeeping(t)}
        kept_values = {
            t: {c: n for c, n in cols.items() if (t.lower(), c.lower()) not in columns}
            for t, cols in values.items() if t in kept_counts
        }
        counts_after, values_after = value_counts(conn)
        counts_after = {t: n for t, n in counts_after.items() if not is_bookkeeping(t)}
        result = compare_ledger(kept_counts, counts_after, moves, (kept_values, values_after))
        outcome.ledger.update(result.ledger)
        self._verdict("ledger", result.ok, "No table lost rows or values but what the down "
                      "parts drop.", result.losses)

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        target = self.plan.to_version
        if target is None:
            left = [t for t in table_names(conn)
                    if not is_bookkeeping(t) and t.lower() != "sqlite_sequence"]
            self._verdict("schema", True, f"Every migration is rolled back ({len(left)} other "
                          "table(s) kept).", tuple(left))
            return
        try:
            expected = ExpectedSchemas(self.catalog, cancel=self.cancel).at(target)
        except ReplayFailed as exc:
            self._verdict("schema", False, "", (f"No expected schema: {exc}",))
            return
        diff = compare(snapshot(conn, ignore=is_bookkeeping), expected)
        kept = f" ({len(diff.extras)} extra object(s) kept)." if diff.extras else "."
        self._verdict("schema", diff.ok, f"Schema equals the expected schema of v{target}{kept}",
                      tuple(d.message for d in diff.differences) if not diff.ok
                      else tuple(diff.extras))

    def _verdict(self, check: str, ok: bool, message: str, details: tuple[str, ...] | list[str]
                 ) -> None:
        details = tuple(details)
        shown = message if ok else (details[0] if details else "check failed")
        self.sink(VerifyEvent(self.clock(), check, ok, shown, details))
        if not ok:
            raise check_failed(check, details)

    def _final_quick_check(self, path: Path) -> None:
        reader = open_readonly(read_facts(path))
        with contextlib.closing(reader):
            problems = quick_check(reader)
        message = "The rolled-back file passed quick_check." if not problems else problems[0]
        self.sink(VerifyEvent(self.clock(), "quick_check", not problems, message,
                              tuple(problems)))
        if problems:
            raise RunFailed(f"The rolled-back file failed quick_check ({problems[0]}).",
                            hint="Restore the backup and send the file to a developer.",
                            code=ProblemCode.CHECK_FAILED)

