"""Execute a plan: transactions, compare-and-set on the version, history rows, progress, cancel.

Each segment (the whole plan in atomic mode, one step in stepwise mode) is one `BEGIN IMMEDIATE`
transaction holding the SQL, the history rows, `user_version` and the checks; COMMIT comes last.
Inside the transaction the runner re-reads the applied set: when another runner got there first,
it rolls back and asks its caller to re-plan, so two runners never apply a step twice and no lock
row can go stale.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from engine.core.cancel import CancelToken, interrupted, wait_for_lock
from engine.core.errors import (
    Cancelled,
    EngineError,
    Refused,
    RunFailed,
    from_sqlite,
    sqlite_error_name,
)
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
from engine.planning.planner import Plan, Step
from engine.runtime.checks import (
    ExpectedSchemas,
    FkKey,
    ReplayFailed,
    ValueCounts,
    compare_ledger,
    foreign_key_damage,
    new_damage,
    orphans_under,
    value_counts,
)
from engine.runtime.compiles import Renames, broken_objects
from engine.runtime.setaside import KeptObjects, is_data_statement, triggers_set_aside
from engine.runtime.valuewatch import ValueWatch
from engine.schema import Snapshot, compare, snapshot
from engine.scripts import templates
from engine.scripts.guards import Effect, dropped_tables, effect_present, guard_of, present
from engine.scripts.sqltext import Statement
from engine.state import history as hist

ENVIRONMENT_ERRORS = frozenset(
    {
        "SQLITE_FULL",
        "SQLITE_IOERR",
        "SQLITE_READONLY",
        "SQLITE_CANTOPEN",
        "SQLITE_NOMEM",
        "SQLITE_CORRUPT",
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_PERM",
    }
)
PROGRESS_OPS = 20_000  # SQLite VM instructions between progress-handler calls
LOCK_WAIT_REPORTED = 0.1  # seconds; a shorter wait is not worth a line
HEARTBEAT_SECONDS = 0.25
IGNORED_IN_SCHEMA_CHECK = frozenset({hist.TABLE, hist.AUDIT_TABLE})


@dataclass
class RunOutcome:
    replan: bool = False
    applied: list[int] = field(default_factory=list)
    last_version: int | None = None
    ledger: dict[str, list[int]] = field(default_factory=dict)
    existing_damage: Counter[FkKey] = field(default_factory=Counter)
    extras: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


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
        moves: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.conn = conn
        self.plan = plan
        self.expected = expected
        self.sink = sink
        self.clock = clock
        self.cancel = cancel
        self.moves = dict(moves or {})
        self.applied = set(plan.expected_applied)
        self.notes: list[str] = []
        self._initial: tuple[dict[str, int], Counter[FkKey]] | None = None
        self._values: ValueCounts = {}
        self.kept = KeptObjects(expected.owned_names(), _column_renames(plan))
        self.watch: ValueWatch | None = None
        self._broken_before: set[str] = set()
        self._started: Step | None = None  # the step whose first statement has run
        self._moves_rows = False
        self._told = 0  # kept.notes already sent as `user_objects` checks
        self._repairing: list[int] = []  # recorded steps completed in the open transaction
        self._repaired: list[int] = []  # … and committed
        self.committed_version = plan.from_version
        self._step_no = 0
        self._beat: tuple[Step, int, float] | None = None
        self._last_beat = 0.0

    # -- public -------------------------------------------------------------------------------

    def run(self) -> RunOutcome:
        outcome = RunOutcome(last_version=self.plan.from_version)
        self.conn.set_progress_handler(self._progress, PROGRESS_OPS)
        self.cancel.attach(self.conn)
        try:
            for segment in self.plan.segments():
                if not self._run_segment(segment, outcome):
                    outcome.replan = True
                    break
        finally:
            self.cancel.attach(None)
            self.conn.set_progress_handler(None, 0)
        if self._repaired:  # first: with nothing new applied, the run's summary is its first note
            shown = ", ".join(f"{v:04d}" for v in self._repaired)
            outcome.notes.append(
                f"Repaired {len(self._repaired)} migration(s) the history already recorded "
                f"({shown}): what their effect lacked was added."
            )
        outcome.notes.extend(self.notes)
        outcome.notes.extend(self.kept.notes)
        return outcome

    # -- segments -----------------------------------------------------------------------------

    def _run_segment(self, steps: tuple[Step, ...], outcome: RunOutcome) -> bool:
        fk_off = any(step.foreign_keys_off for step in steps)
        if fk_off:
            self.conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction
        try:
            if not steps[0].transaction:
                return self._run_outside_transaction(steps[0], outcome)
            self._begin()
            if not self._state_is_expected():
                self._rollback()
                return False
            target = max((s.version for s in steps if s.version is not None), default=None)
            if self._initial is None:
                # Counted once, before the first change: every segment is checked against the
                # file as it was, so a multi-transaction plan cannot lose rows step by step.
                self._initial = self._baseline(self.plan.to_version)
            baseline = self._initial
            last = steps[-1] is self.plan.steps[-1]
            # A bridge passes through shapes no single version has; check its schema at the end.
            check_version = target if not self.plan.bridge or last else None
            hist.ensure_history_table(self.conn)
            self.kept.load(self.conn)
            self._repairing = []
            done: list[int] = []
            for step in steps:
                self._run_step(step, done)
            self._put_back(steps[-1], final=last, closing=True)
            self._checks_before_commit(baseline, check_version, outcome)
            self._check_cancel()
            self.conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            raise self._translate(exc) from exc
        finally:
            if fk_off:
                self.conn.execute("PRAGMA foreign_keys = ON")
        self.applied.update(done)
        outcome.applied.extend(done)
        self._repaired.extend(self._repairing)
        if target is not None:
            self.committed_version = self._current_version()
            outcome.last_version = self.committed_version
        return True

    def _run_outside_transaction(self, step: Step, outcome: RunOutcome) -> bool:
        if not self._state_is_expected():
            return False
        done: list[int] = []
        method = self._run_step(step, done, record=False)
        self._begin()
        if not self._state_is_expected():
            self._rollback()
            return False
        hist.ensure_history_table(self.conn)
        self._record(step, done, duration_ms=0, method=method)
        self.conn.execute("COMMIT")
        self.applied.update(done)
        outcome.applied.extend(done)
        self.committed_version = self._current_version()
        outcome.last_version = self.committed_version
        return True

    # -- steps and statements -----------------------------------------------------------------

    def _run_step(self, step: Step, done: list[int], *, record: bool = True) -> str:
        self._step_no += 1
        total = len(self.plan.steps)
        self.sink(
            StepStartEvent(
                self.clock(),
                self._step_no,
                total,
                step.version,
                step.label,
                step.kind,
                len(step.statements),
            )
        )
        started = time.monotonic()
        with self._rebuild_keeps_dependents(step):
            if step.kind == "unrecord":
                method = self._unrecord(step)
            elif step.kind == "repair":
                method = self._repair(step)
            else:
                method = self._migrate(step)
        duration_ms = int((time.monotonic() - started) * 1000)
        if step.kind != "migrate" or step.version is None:
            pass
        elif step.recorded:
            # The app recorded this step; we only completed what its shape lacked.
            if method in ("executed", "repaired"):
                method = "repaired"
                hist.set_method(self.conn, step.version, method)
                self._repairing.append(step.version)
            else:
                method = "kept"
        elif record:
            self._record(step, done, duration_ms=duration_ms, method=method)
        else:
            done.append(step.version)
        self.sink(
            StepEndEvent(self.clock(), self._step_no, step.version, step.label, method, duration_ms)
        )
        return method

    @contextlib.contextmanager
    def _rebuild_keeps_dependents(self, step: Step) -> Iterator[None]:
        """A step that drops tables (a rebuild) keeps the other objects that hung on them.

        SQLite's rebuild procedure: views must survive the drop-and-rename (renames run with
        `legacy_alter_table` on, so a view on the table is not re-checked half-way), and the
        indexes and triggers a DROP TABLE removes are recreated from their stored SQL when the
        step did not recreate them itself, as soon as their table exists again (after this or a
        later step; see `KeptObjects`).
        """
        dropped = dropped_tables(s.sql for s in step.statements)
        if not dropped:
            yield
            return
        self.kept.keep(self.conn, dropped, step.label)
        old = int(self.conn.execute("PRAGMA legacy_alter_table").fetchone()[0])
        self.conn.execute("PRAGMA legacy_alter_table = ON")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA legacy_alter_table = {old}")
        self._put_back(step, final=False)

    def _put_back(self, step: Step, *, final: bool, closing: bool = False) -> None:
        """Kept indexes and triggers whose table exists again are recreated. When the
        transaction is `closing` (before its checks): what still waits is saved in the audit
        table, in this transaction; at the end of the plan (`final`) the user's views and
        triggers must compile (re-pointed where a column was renamed, reported otherwise)."""
        self.kept.restore(self.conn, final=final)
        if final:
            self.kept.repoint_broken(self.conn, self._broken_before)
        for sql in self.kept.recreated:
            self.sink(
                StatementEvent(
                    self.clock(), step.version, step.label, 0, 0, 0, shorten(f"(kept) {sql}")
                )
            )
        self.kept.recreated.clear()
        if closing:
            self.kept.save(self.conn)
            for note in self.kept.notes[self._told :]:  # each one a line of the output
                lost = note in self.kept.lost
                details = ("warning",) if lost else ()
                self.sink(VerifyEvent(self.clock(), "user_objects", True, note, details))
            self._told = len(self.kept.notes)

    def _migrate(self, step: Step) -> str:
        if not step.bridge:
            if step.when is not None and not self._query(step, step.when, "when"):
                return "adopted"
            for index, statement in enumerate(step.statements, start=1):
                self._execute(step, index, statement)
            return step.method
        if self._effect_present(step):
            for index, statement in enumerate(step.statements, start=1):
                self._announce(step, index, statement, skipped=True)
            return "adopted"
        ran = skipped = 0
        for index, statement in enumerate(step.statements, start=1):
            guard = guard_of(statement.sql)
            # Objects the file has stay; a recorded step's data statements never run twice.
            if (guard is not None and present(self.conn, guard)) or (
                guard is None and step.recorded and step.present is None
            ):
                self._announce(step, index, statement, skipped=True)
                skipped += 1
                continue
            self._execute(step, index, statement)
            ran += 1
        if ran == 0:
            return "adopted"
        return "executed" if skipped == 0 else "repaired"

    def _effect_present(self, step: Step) -> bool:
        chain = [s for s in self.plan.steps if s.kind == "migrate" and s.version is not None]
        effects = [
            Effect(s.version or 0, tuple(x.sql for x in s.statements), s.present, s.recorded)
            for s in chain
        ]
        owners = {s.present: s for s in chain if s.present is not None}
        return effect_present(
            self.conn,
            effects,
            chain.index(step),
            ask=lambda query: self._query(owners.get(query, step), query, "present"),
            expected_at=self._expected_at,
        )

    def _expected_at(self, version: int) -> Snapshot | None:
        try:
            return self.expected.at(version)
        except ReplayFailed:
            return None

    def _repair(self, step: Step) -> str:
        if step.when is not None and not self._query(step, step.when, "when"):
            return "skipped"
        for index, statement in enumerate(step.statements, start=1):
            guard = guard_of(statement.sql)
            if guard is not None and present(self.conn, guard):
                self._announce(step, index, statement, skipped=True)
                continue
            self._execute(step, index, statement)
        self._add_moves(step.moves)
        hist.audit(self.conn, "repair", step.name, checksum=step.checksum, detail=step.reason)
        return "repaired"

    def _add_moves(self, moves: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        for source, targets in moves:
            self.moves[source] = tuple(dict.fromkeys((*self.moves.get(source, ()), *targets)))

    def _unrecord(self, step: Step) -> str:
        self._add_moves([(hist.TABLE, (hist.TABLE, hist.AUDIT_TABLE))])
        for version, name in step.forget:
            row = hist.forget(self.conn, version, name)
            if row is not None:
                hist.audit(self.conn, "history_moved", f"{version} {name}", detail=row)
        return "repaired"

    def _record(self, step: Step, done: list[int], *, duration_ms: int, method: str = "") -> None:
        if step.version is None:
            return
        hist.record(
            self.conn,
            version=step.version,
            name=step.name,
            checksum=step.checksum,
            duration_ms=duration_ms,
            method=method or step.method,
        )
        if step.version not in done:
            done.append(step.version)
        top = max(self.applied | set(done))
        hist.set_user_version(self.conn, top)

    def _query(self, step: Step, query: str, what: str) -> bool:
        try:
            row = self.conn.execute(query).fetchone()
        except sqlite3.Error as exc:
            if self.cancel.cancelled:
                raise Cancelled("Cancelled.") from exc
            if isinstance(exc, sqlite3.OperationalError) and _names_missing_object(exc):
                # SQLite compiles the whole query first, so a condition that mentions a table
                # the file does not have (yet) errors instead of being false: it is false.
                return False
            raise StatementFailed(step, Statement(f"-- {what}: {query}", 1), exc) from exc
        return bool(row and row[0])

    def _announce(self, step: Step, index: int, statement: Statement, *, skipped: bool) -> None:
        self.sink(
            StatementEvent(
                self.clock(),
                step.version,
                step.label,
                index,
                len(step.statements),
                statement.line,
                shorten(statement.sql),
                skipped,
            )
        )

    def _execute(self, step: Step, index: int, statement: Statement) -> None:
        self._check_cancel()
        self._announce(step, index, statement, skipped=False)
        self._beat = (step, index, time.monotonic())
        try:
            sql = statement.sql
            if step.kind == "repair" and templates.has_templates(sql):
                sql = templates.expand(self.conn, sql)
            self._run_statement(step, sql)
        except sqlite3.Error as exc:
            if self.cancel.cancelled:
                raise Cancelled("Cancelled.") from exc
            raise StatementFailed(step, statement, exc) from exc
        finally:
            self._beat = None

    def _run_statement(self, step: Step, sql: str) -> None:
        if self._started is not step:  # the step runs: its declared moves apply from now on
            self._started = step
            self._add_moves(step.moves)
            if self.watch is not None:
                self.watch.before_step(self.conn, step.moves)
            # No user trigger fires while a step moves rows (a bridge step, declared moves, a
            # rebuild): they are set aside around each data statement.
            self._moves_rows = (
                step.bridge
                or bool(step.moves)
                or bool(dropped_tables(s.sql for s in step.statements))
            )
        aside = self._moves_rows and is_data_statement(sql)
        with triggers_set_aside(self.conn, self.kept.owned) if aside else contextlib.nullcontext():
            if self.watch is not None:
                self.watch.before_statement(self.conn, sql, self.moves)
            self.conn.execute(sql)
        if self.watch is not None:
            self._add_moves((old, (new,)) for old, new in self.watch.after_statement(sql))

    def _progress(self) -> int:
        if self.cancel.cancelled:
            return 1  # makes SQLite abort the running statement with SQLITE_INTERRUPT
        beat = self._beat
        now = time.monotonic()
        if beat is not None and now - self._last_beat >= HEARTBEAT_SECONDS:
            self._last_beat = now
            step, index, started = beat
            self.sink(HeartbeatEvent(self.clock(), step.version, step.label, index, now - started))
        return 0

    def _check_cancel(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled("Cancelled.")

    # -- transaction helpers ------------------------------------------------------------------

    def _begin(self) -> None:
        started = time.monotonic()
        wait = int(self.conn.execute("PRAGMA busy_timeout").fetchone()[0]) / 1000
        try:
            wait_for_lock(self.conn, "BEGIN IMMEDIATE", wait=wait, cancel=self.cancel,
                          state=f"{self._position()}.")
        except sqlite3.OperationalError as exc:
            raise from_sqlite(exc, state="Nothing was changed.") from exc
        waited = time.monotonic() - started
        if waited >= LOCK_WAIT_REPORTED:
            message = f"Waited {waited:.1f} s for another program's write lock on the file."
            self.sink(VerifyEvent(self.clock(), "lock_wait", True, message, (f"{waited:.3f}",)))

    def _rollback(self) -> None:
        # After an interrupt SQLite may already have rolled back; ROLLBACK then would raise.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _state_is_expected(self) -> bool:
        names = set(self._tables())
        history = hist.read_history(self.conn, names)
        wanted = {s.version: s.name for s in self.plan.steps if s.version is not None}
        catalog_names = {v: n for v, n in self.expected_names().items()}
        applied = {
            row.version
            for row in history.rows
            if catalog_names.get(row.version) == row.name or wanted.get(row.version) == row.name
        }
        return applied == self.applied

    def expected_names(self) -> dict[int, str]:
        return self.expected.names()

    def _tables(self) -> list[str]:
        return [
            str(r[0])
            for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]

    def _current_version(self) -> int | None:
        current = None
        for version in self.expected.versions():
            if version not in self.applied:
                break
            current = version
        return current

    # -- checks -------------------------------------------------------------------------------

    def _baseline(self, target: int | None) -> tuple[dict[str, int], Counter[FkKey]]:
        counts, self._values = value_counts(self.conn)
        owned = self.kept.owned
        self.watch = ValueWatch((t for t in counts if t not in IGNORED_IN_SCHEMA_CHECK), owned)
        users = broken_objects(self.conn, wanted=lambda name: name.lower() not in owned)
        self._broken_before = {b.name.lower() for b in users}
        damage = foreign_key_damage(self.conn)
        if target is not None:
            try:
                expected = self.expected.at(target)
            except ReplayFailed:
                return counts, damage  # the run itself will fail on it, with file and line
            for key, found in orphans_under(self.conn, expected).items():
                damage[key] = max(damage[key], found)
        return counts, damage

    def _checks_before_commit(
        self,
        baseline: tuple[dict[str, int], Counter[FkKey]],
        target: int | None,
        outcome: RunOutcome,
    ) -> None:
        counts_before, damage_before = baseline
        counts_after, values_after = value_counts(self.conn)
        ledger = compare_ledger(
            counts_before, counts_after, self.moves, (self._values, values_after)
        )
        outcome.ledger.update(
            {t: [outcome.ledger.get(t, pair)[0], pair[1]] for t, pair in ledger.ledger.items()}
        )
        changed = self.watch.changes(self.conn, self.moves) if self.watch is not None else []
        losses = (*ledger.losses, *changed)
        self._verdict("ledger", not losses, "No table lost rows or changed values.", losses)
        fresh_damage = new_damage(damage_before, foreign_key_damage(self.conn))
        outcome.existing_damage.update(damage_before)
        self._verdict("foreign_keys", not fresh_damage, "No new foreign-key damage.", fresh_damage)
        if target is not None:
            try:
                expected = self.expected.at(target)
            except ReplayFailed as exc:
                self._verdict("schema", False, "", (f"No expected schema: {exc}",))
                return
            diff = compare(
                snapshot(self.conn, ignore=IGNORED_IN_SCHEMA_CHECK.__contains__), expected
            )
            outcome.extras = diff.extras
            self._verdict(
                "schema",
                diff.ok,
                f"Schema equals the expected schema of v{target}"
                + (f" ({len(diff.extras)} extra object(s) kept)." if diff.extras else "."),
                tuple(d.message for d in diff.differences) if not diff.ok else tuple(diff.extras),
                failed_details=not diff.ok,
            )

    def _verdict(
        self,
        check: str,
        ok: bool,
        message: str,
        details: tuple[str, ...] | list[str],
        *,
        failed_details: bool = True,
    ) -> None:
        details = tuple(details)
        if ok:
            self.sink(VerifyEvent(self.clock(), check, True, message, details))
            return
        first = details[0] if details else "check failed"
        self.sink(VerifyEvent(self.clock(), check, False, first, details))
        raise RunFailed(
            f"The {check.replace('_', '-')} check failed before commit: {first}",
            hint="The transaction was rolled back. Send the report to a developer.",
            detail="\n".join(details),
            code="check_failed",
        )

    def _translate(self, exc: BaseException) -> BaseException:
        where = self._position()
        if isinstance(exc, StatementFailed):
            sqlite_exc = exc.error
            if sqlite_error_name(sqlite_exc) == "SQLITE_INTERRUPT":  # not the token: still no bug
                return interrupted(sqlite_exc, state=f"{where}.")
            # A full disk, an I/O error or a lost lock is the environment, not the migration.
            if sqlite_error_name(sqlite_exc) in ENVIRONMENT_ERRORS:
                error = from_sqlite(sqlite_exc, state=f"Rolled back; {where}.", kind=RunFailed)
                return error
            return RunFailed(
                f"Migration {exc.step.source} failed at line {exc.statement.line}: "
                f"{sqlite_exc}. The step was rolled back; {where}.",
                hint="Fix the migration (or the data it trips on) and run the upgrade again.",
                detail=f"{getattr(sqlite_exc, 'sqlite_errorname', '')}: {sqlite_exc}\n"
                f"{exc.statement.sql}",
                code="migration_failed",
                file=exc.step.source,
                line=exc.statement.line,
            )
        if isinstance(exc, Cancelled):
            return Cancelled(f"Cancelled: {where}.", code="cancelled")
        if isinstance(exc, EngineError):
            if exc.code == "check_failed":
                exc.message = f"{exc.message} Rolled back; {where}."
            return exc
        if isinstance(exc, sqlite3.Error):
            return from_sqlite(exc, state=f"Rolled back; {where}.", kind=RunFailed)
        return exc

    def _position(self) -> str:
        version = self.committed_version
        if version is not None:
            label = f"v{version}"
        elif self.plan.path_state == "legacy":
            label = "a legacy file"
        else:
            label = "empty"
        if version == self.plan.from_version:
            return f"the file is unchanged (still {label})"
        return f"the file is at {label}, the last step that completed"


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


def _names_missing_object(exc: sqlite3.OperationalError) -> bool:
    return str(exc).startswith(("no such table:", "no such column:"))


class StatementFailed(Exception):
    def __init__(self, step: Step, statement: Statement, error: sqlite3.Error) -> None:
        super().__init__(str(error))
        self.step = step
        self.statement = statement
        self.error = error


__all__ = ["CancelToken", "Refused", "RunOutcome", "Runner"]
