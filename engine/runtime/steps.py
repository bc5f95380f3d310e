"""One step of a plan, inside the runner's transaction: a migration (for a bridge, only what the
file lacks), a repair script, or history rows moved aside; its statements one at a time with
their progress events; its history row.

Whether a migration's effect is already there is `effect_present`'s answer (one answer for the
diagnosis and the run). Rows a step moves are followed (`moves`), and the user's triggers are
set aside while a step moves rows, so the app's data is moved, never rewritten by a trigger.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time

from engine.core.errors import Cancelled
from engine.core.events import StatementEvent, StepEndEvent, StepStartEvent, shorten
from engine.core.tables import AUDIT_TABLE, HISTORY_TABLE
from engine.core.verdicts import Method, StepKind
from engine.planning.planner import Step
from engine.runtime import dialect_history, recording
from engine.runtime.context import RunContext
from engine.runtime.failures import StatementFailed
from engine.runtime.kept import is_data_statement, triggers_set_aside
from engine.runtime.rebuild import Dependents
from engine.schema import Snapshot
from engine.scripts import templates
from engine.scripts.sqltext import Statement
from engine.scripts.statements import dropped_tables, guard_of
from engine.state import history as hist
from engine.state.expected import ReplayFailed
from engine.state.presence import Effect, effect_present, present

# The audit row's kind for a step's method: history reads "applied", "adopted", "repaired".
_AUDIT_KINDS = {Method.EXECUTED: "applied"}


class StepRunner:
    def __init__(self, ctx: RunContext, dependents: Dependents) -> None:
        self.ctx = ctx
        self.dependents = dependents
        self.repairing: list[int] = []  # recorded steps completed in the open transaction
        self._step_no = 0
        self._started: Step | None = None  # the step whose first statement has run
        self._moves_rows = False
        self.last_duration_ms = 0  # of the step run last (its row may be written later)

    def run(self, step: Step, done: list[int], *, record: bool = True) -> Method:
        """Run `step`; a new history row goes in `done` (written now unless `record` is off:
        a step outside a transaction is recorded in the transaction after it)."""
        ctx = self.ctx
        self._step_no += 1
        ctx.sink(StepStartEvent(ctx.clock(), self._step_no, len(ctx.plan.steps), step.version,
                                step.label, step.kind, len(step.statements)))
        started = time.monotonic()
        with self.dependents.keeping(step):
            if step.kind == StepKind.UNRECORD:
                method = self._unrecord(step)
            elif step.kind == StepKind.REPAIR:
                method = self._repair(step)
            else:
                method = self._migrate(step)
        duration_ms = int((time.monotonic() - started) * 1000)
        self.last_duration_ms = duration_ms
        if step.kind != StepKind.MIGRATE or step.version is None:
            pass
        elif step.recorded:
            # The app recorded this step; we only completed what its shape lacked.
            if method in (Method.EXECUTED, Method.REPAIRED):
                method = Method.REPAIRED
                if ctx.expected.catalog.convention == "sqlmig":  # others: sqlmig_log only
                    recording.set_method(ctx.conn, step.version, method)
                self._audit(step, method, duration_ms)
                self.repairing.append(step.version)
            else:
                method = Method.KEPT
        elif record:
            self.record(step, done, duration_ms=duration_ms, method=method)
        else:
            done.append(step.version)
        ctx.sink(StepEndEvent(ctx.clock(), self._step_no, step.version, step.label, method,
                              duration_ms))
        return method

    def record(self, step: Step, done: list[int], *, duration_ms: int, method: Method) -> None:
        """The step's history row and, where the folder asks for it and the number fits,
        `user_version` = the highest applied version (SPEC §7.19)."""
        if step.version is None:
            return
        catalog = self.ctx.expected.catalog
        dialect_history.record(self.ctx.conn, catalog, version=step.version, name=step.name,
                               checksum=step.checksum, duration_ms=duration_ms, method=method)
        self._audit(step, method, duration_ms)
        if step.version not in done:
            done.append(step.version)
        highest = max(self.ctx.applied | set(done))
        if catalog.user_version and highest < 2**31:
            recording.set_user_version(self.ctx.conn, highest)

    def _audit(self, step: Step, method: Method, duration_ms: int) -> None:
        assert step.version is not None
        migration = self.ctx.expected.catalog.get(step.version)
        label = migration.label if migration is not None else None
        # Flyway's dotted versions are recorded as written (1.10); integers as themselves.
        version: int | str = label if label is not None and not label.isdigit() else step.version
        recording.audit_step(
            self.ctx.conn, _AUDIT_KINDS.get(method, method.value), version=version,
            version_label=label, name=step.name, method=method.value, checksum=step.checksum,
            duration_ms=duration_ms, statements=(s.sql for s in step.statements))

    # -- the kinds of step ----------------------------------------------------------------------

    def _migrate(self, step: Step) -> Method:
        if not step.bridge:
            if step.when is not None and not self._query(step, step.when, "when"):
                return Method.ADOPTED
            for index, statement in enumerate(step.statements, start=1):
                self._execute(step, index, statement)
            return step.method
        if self._effect_present(step):
            for index, statement in enumerate(step.statements, start=1):
                self._announce(step, index, statement, skipped=True)
            return Method.ADOPTED
        ran = skipped = 0
        for index, statement in enumerate(step.statements, start=1):
            guard = guard_of(statement.sql)
            # Objects the file has stay; a recorded step's data statements never run twice.
            if (guard is not None and present(self.ctx.conn, guard)) or (
                guard is None and step.recorded and step.present is None
            ):
                self._announce(step, index, statement, skipped=True)
                skipped += 1
                continue
            self._execute(step, index, statement)
            ran += 1
        if ran == 0:
            return Method.ADOPTED
        return Method.EXECUTED if skipped == 0 else Method.REPAIRED

    def _effect_present(self, step: Step) -> bool:
        steps = self.ctx.plan.steps
        chain = [s for s in steps if s.kind == StepKind.MIGRATE and s.version is not None]
        effects = [
            Effect(s.version or 0, tuple(x.sql for x in s.statements), s.present, s.recorded)
            for s in chain
        ]
        owners = {s.present: s for s in chain if s.present is not None}
        return effect_present(
            self.ctx.conn,
            effects,
            chain.index(step),
            ask=lambda query: self._query(owners.get(query, step), query, "present"),
            expected_at=self._expected_at,
        )

    def _expected_at(self, version: int) -> Snapshot | None:
        try:
            return self.ctx.expected.at(version)
        except ReplayFailed:
            return None

    def _repair(self, step: Step) -> Method:
        if step.when is not None and not self._query(step, step.when, "when"):
            return Method.SKIPPED
        for index, statement in enumerate(step.statements, start=1):
            guard = guard_of(statement.sql)
            if guard is not None and present(self.ctx.conn, guard):
                self._announce(step, index, statement, skipped=True)
                continue
            self._execute(step, index, statement)
        self.ctx.add_moves(step.moves)
        recording.audit(self.ctx.conn, "repair", step.name, checksum=step.checksum,
                        detail=step.reason)
        return Method.REPAIRED

    def _unrecord(self, step: Step) -> Method:
        conn = self.ctx.conn
        self.ctx.add_moves([(HISTORY_TABLE, (HISTORY_TABLE, AUDIT_TABLE))])
        for version, name in step.forget:
            row = recording.forget(conn, version, name)
            if row is not None:
                recording.audit(conn, "history_moved", f"{version} {name}", detail=row)
        return Method.REPAIRED

    # -- statements -----------------------------------------------------------------------------

    def _query(self, step: Step, query: str, what: str) -> bool:
        try:
            row = self.ctx.conn.execute(query).fetchone()
        except sqlite3.Error as exc:
            if self.ctx.pulse.cancel.cancelled:
                raise Cancelled("Cancelled.") from exc
            if isinstance(exc, sqlite3.OperationalError) and _names_missing_object(exc):
                # SQLite compiles the whole query first, so a condition that mentions a table
                # the file does not have (yet) errors instead of being false: it is false.
                return False
            raise StatementFailed(step, Statement(f"-- {what}: {query}", 1), exc) from exc
        return bool(row and row[0])

    def _announce(self, step: Step, index: int, statement: Statement, *, skipped: bool) -> None:
        ctx = self.ctx
        ctx.sink(StatementEvent(ctx.clock(), step.version, step.label, index,
                                len(step.statements), statement.line, shorten(statement.sql),
                                skipped))

    def _execute(self, step: Step, index: int, statement: Statement) -> None:
        pulse = self.ctx.pulse
        pulse.check()
        self._announce(step, index, statement, skipped=False)
        with pulse.statement(step, index):
            try:
                sql = statement.sql
                if step.kind == StepKind.REPAIR and templates.has_templates(sql):
                    sql = self._expand(sql)
                self._run_statement(step, sql)
            except sqlite3.Error as exc:
                if pulse.cancel.cancelled:
                    raise Cancelled("Cancelled.") from exc
                raise StatementFailed(step, statement, exc) from exc

    def _expand(self, sql: str) -> str:
        conn = self.ctx.conn
        try:
            return templates.expand(sql, lambda table: list(hist.table_columns(conn, table)))
        except templates.TemplateError as exc:  # fails as the statement itself would
            raise sqlite3.OperationalError(str(exc)) from exc

    def _run_statement(self, step: Step, sql: str) -> None:
        ctx = self.ctx
        if self._started is not step:  # the step runs: its declared moves apply from now on
            self._started = step
            ctx.add_moves(step.moves)
            if ctx.watch is not None:
                ctx.watch.before_step(ctx.conn, step.moves)
            # No user trigger fires while a step moves rows (a bridge step, declared moves, a
            # rebuild): they are set aside around each data statement.
            self._moves_rows = (
                step.bridge
                or bool(step.moves)
                or bool(dropped_tables(s.sql for s in step.statements))
            )
        aside = self._moves_rows and is_data_statement(sql)
        owned = ctx.kept.owned
        with triggers_set_aside(ctx.conn, owned) if aside else contextlib.nullcontext():
            if ctx.watch is not None:
                ctx.watch.before_statement(ctx.conn, sql, ctx.moves)
            ctx.conn.execute(sql)
        if ctx.watch is not None:
            ctx.add_moves((old, (new,)) for old, new in ctx.watch.after_statement(sql))


def _names_missing_object(exc: sqlite3.OperationalError) -> bool:
    return str(exc).startswith(("no such table:", "no such column:"))
