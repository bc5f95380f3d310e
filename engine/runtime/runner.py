"""Execute a plan: its transactions, and the compare-and-set that keeps two runners apart.

Each segment (the whole plan in atomic mode, one step in stepwise mode, a `transaction: no`
step alone) is one `BEGIN IMMEDIATE` transaction holding the SQL, the history rows,
`user_version` and the checks; COMMIT comes last. Inside the transaction the runner re-reads the
applied set: when another runner got there first, it rolls back and asks its caller to re-plan,
so two runners never apply a step twice and no lock row can go stale.

The parts: engine/runtime/steps.py runs each step, rebuild.py keeps the user's objects through
table rebuilds, precommit.py checks before COMMIT, pulse.py sends heartbeats and honours a cancel,
failures.py turns what went wrong into the error the user reads.
"""

from __future__ import annotations

import sqlite3
import time

from engine.core.cancel import CancelToken, wait_for_lock
from engine.core.errors import from_sqlite
from engine.core.events import Clock, EventSink, VerifyEvent
from engine.core.tables import AUDIT_TABLE
from engine.planning.planner import Plan, Step
from engine.runtime import dialect_history, recording
from engine.runtime.compiles import Renames
from engine.runtime.context import RunContext, RunOutcome
from engine.runtime.failures import position, translate
from engine.runtime.kept import KeptObjects
from engine.runtime.precommit import PreCommit
from engine.runtime.pulse import Pulse
from engine.runtime.rebuild import Dependents, foreign_keys_off
from engine.runtime.steps import StepRunner
from engine.state import dialects
from engine.state import history as hist
from engine.state.expected import ExpectedSchemas

LOCK_WAIT_REPORTED = 0.1  # seconds; a shorter wait is not worth a line


class Runner:
    def __init__(
        self,
        conn: sqlite3.Connection,
        plan: Plan,
        *,
        expected: ExpectedSchemas,
        sink: EventSink,
        clock: Clock,
        cancel: CancelToken,
    ) -> None:
        self.ctx = RunContext(
            conn=conn,
            plan=plan,
            expected=expected,
            sink=sink,
            clock=clock,
            pulse=Pulse(cancel, sink, clock),
            kept=KeptObjects(expected.owned_names(), _column_renames(plan)),
            applied=set(plan.expected_applied),
        )
        self.dependents = Dependents(self.ctx)
        self.steps = StepRunner(self.ctx, self.dependents)
        self.checks = PreCommit(self.ctx)
        self.committed_version = plan.from_version
        self._repaired: list[int] = []  # recorded steps whose missing effect was committed
        self._audit_mark: int | None = None  # the audit table's last row after our last commit

    def run(self) -> RunOutcome:
        ctx = self.ctx
        outcome = RunOutcome()
        with ctx.pulse.attached(ctx.conn):
            for segment in ctx.plan.segments():
                if not self._run_segment(segment, outcome):
                    outcome.replan = True
                    break
        if self._repaired:  # first: with nothing new applied, the run's summary is its first note
            shown = ", ".join(f"{v:04d}" for v in self._repaired)
            outcome.notes.append(
                f"Repaired {len(self._repaired)} migration(s) the history already recorded "
                f"({shown}): what their effect lacked was added."
            )
        outcome.notes.extend(ctx.kept.notes)
        return outcome

    # -- segments -----------------------------------------------------------------------------

    def _run_segment(self, steps: tuple[Step, ...], outcome: RunOutcome) -> bool:
        ctx, conn = self.ctx, self.ctx.conn
        plan = ctx.plan
        done: list[int] = []
        target = max((s.version for s in steps if s.version is not None), default=None)
        with foreign_keys_off(conn, any(step.foreign_keys_off for step in steps)):
            try:
                if not steps[0].transaction:
                    return self._run_outside_transaction(steps[0], outcome)
                if not self._begin_as_expected():
                    return False
                self.checks.baseline()
                last = steps[-1] is plan.steps[-1]
                # A bridge passes through shapes no single version has: check its schema last.
                check_version = target if not plan.bridge or last else None
                dialect_history.ensure_history_table(conn, ctx.expected.catalog)
                recording.ensure_audit_table(conn)
                ctx.kept.load(conn)
                self.steps.repairing = []
                for step in steps:
                    self.steps.run(step, done)
                self.dependents.put_back(steps[-1], final=last, closing=True)
                self.checks.check(check_version, outcome)
                ctx.pulse.check()
                self._audit_mark = _audit_mark(conn)
                conn.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                raise translate(exc, self._position()) from exc
        self._committed(done, outcome, new_version=target is not None)
        self._repaired.extend(self.steps.repairing)
        return True

    def _run_outside_transaction(self, step: Step, outcome: RunOutcome) -> bool:
        """A `transaction: no` step runs alone; its history row is written right after it, in a
        transaction of its own (after the compare-and-set)."""
        if not self._state_is_expected():
            return False
        done: list[int] = []
        method = self.steps.run(step, done, record=False)
        if not self._begin_as_expected():
            return False
        dialect_history.ensure_history_table(self.ctx.conn, self.ctx.expected.catalog)
        recording.ensure_audit_table(self.ctx.conn)
        self.steps.record(step, done, duration_ms=self.steps.last_duration_ms, method=method)
        self._audit_mark = _audit_mark(self.ctx.conn)
        self.ctx.conn.execute("COMMIT")
        self._committed(done, outcome, new_version=True)
        return True

    def _committed(self, done: list[int], outcome: RunOutcome, *, new_version: bool) -> None:
        self.ctx.applied.update(done)
        outcome.applied.extend(done)
        if new_version:
            self.committed_version = self.ctx.expected.catalog.current_version(self.ctx.applied)

    # -- transactions and compare-and-set -------------------------------------------------------

    def _begin_as_expected(self) -> bool:
        """BEGIN IMMEDIATE, then the compare-and-set: False (rolled back) when another runner
        changed the applied set since the plan was made."""
        self._begin()
        if self._state_is_expected():
            return True
        self._rollback()
        return False

    def _begin(self) -> None:
        ctx, conn = self.ctx, self.ctx.conn
        started = time.monotonic()
        wait = int(conn.execute("PRAGMA busy_timeout").fetchone()[0]) / 1000
        try:
            wait_for_lock(conn, "BEGIN IMMEDIATE", wait=wait, cancel=ctx.pulse.cancel,
                          state=f"{self._position()}.")
        except sqlite3.OperationalError as exc:
            raise from_sqlite(exc, state="Nothing was changed.") from exc
        waited = time.monotonic() - started
        if waited >= LOCK_WAIT_REPORTED:
            message = f"Waited {waited:.1f} s for another program's write lock on the file."
            ctx.sink(VerifyEvent(ctx.clock(), "lock_wait", True, message, (f"{waited:.3f}",)))

    def _rollback(self) -> None:
        # After an interrupt SQLite may already have rolled back; ROLLBACK then would raise.
        if self.ctx.conn.in_transaction:
            self.ctx.conn.execute("ROLLBACK")

    def _state_is_expected(self) -> bool:
        """The compare-and-set: the applied set is the plan's (plus what this runner committed),
        and no other runner repaired anything since this runner's last commit (a repair writes
        no history row, only an audit row; the row ledger counted the file before it)."""
        ctx, conn = self.ctx, self.ctx.conn
        if self._audit_mark is not None and _audit_mark(conn) != self._audit_mark:
            return False
        master = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = {str(row[0]) for row in master}
        history = dialects.read_any(conn, names, ctx.expected.catalog)
        wanted = {s.version: s.name for s in ctx.plan.steps if s.version is not None}
        catalog_names = ctx.expected.catalog.names()
        applied = {
            row.version
            for row in history.rows
            if catalog_names.get(row.version) == row.name or wanted.get(row.version) == row.name
        }
        return applied == ctx.applied

    def _position(self) -> str:
        plan = self.ctx.plan
        return position(self.committed_version, plan.from_version, plan.path_state)


def _audit_mark(conn: sqlite3.Connection) -> int:
    """The last row of the audit table (0 without one)."""
    if hist.table_columns(conn, AUDIT_TABLE) == ():
        return 0
    return int(conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {AUDIT_TABLE}").fetchone()[0])


def _column_renames(plan: Plan) -> Renames:
    """The plan's declared column moves (`moves: t.old -> t.new`): table -> old -> new."""
    out: dict[str, dict[str, str]] = {}
    for step in plan.steps:
        for source, targets in step.moves:
            table, _, old = source.lower().partition(".")
            for target in targets if old else ():
                new_table, _, new = target.lower().partition(".")
                if new_table == table and new:
                    out.setdefault(table, {})[old] = new
    return out
