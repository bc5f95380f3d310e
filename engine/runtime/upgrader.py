"""One upgrade from start to end: recover, inspect, plan, preflight, backup, run, verify, report.

Every outcome ends with exactly one `done` event; the returned `UpgradeResult` carries the same
facts plus the error (if any), so the CLI and the GUI never parse messages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.core.cancel import CancelToken
from engine.core.connect import recover_journal
from engine.core.errors import EngineError, InternalError, RunFailed, from_sqlite
from engine.core.events import (
    BackupEvent,
    Clock,
    Event,
    EventSink,
    PlanEvent,
    StepEndEvent,
    VerifyEvent,
    ignore_events,
)
from engine.planning.assess import inspect_and_foresee
from engine.planning.planner import Plan, plan_upgrade
from engine.render.run import RECOVERED, done_event
from engine.runtime import preflight
from engine.runtime.backups import create_backup
from engine.runtime.execution import Session, execute, rehearse
from engine.runtime.options import UpgradeOptions
from engine.runtime.result import UpgradeResult
from engine.runtime.runchecks import before_run
from engine.scripts.catalog import Catalog
from engine.state.expectation import refuse_if_changed
from engine.state.inspection import Inspection
from engine.state.space import Space, free_space


def upgrade(
    path: str | Path,
    catalog: Catalog,
    options: UpgradeOptions,
    *,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> UpgradeResult:
    """Upgrade `path` as `options` ask (default: to the newest migration, atomic, backed up).
    Never raises EngineError: a refusal or a failure is the result's `error`.

    With `options.expect` (what a face showed and the user confirmed), a file that is no longer
    that is refused with `changed_since_inspection` before anything is written."""
    path = Path(path)
    outer = on_event or ignore_events
    clock = Clock()
    result = UpgradeResult(ok=False, path=path, from_version=None, to_version=None,
                           dry_run=options.dry_run)

    def sink(event: Event) -> None:
        if isinstance(event, StepEndEvent):
            result.steps.append((event.step, event.method))
            result.timings.append((event.step, event.duration_ms / 1000))
        outer(event)

    session = Session(path, catalog, options, result, sink, clock, cancel or CancelToken())
    try:
        _run(session)
        result.ok = True
        if not options.dry_run and (result.applied or result.steps):
            result.space = _space_after(path)
    except EngineError as exc:
        result.error = exc
    except sqlite3.Error as exc:
        result.error = from_sqlite(exc, state="", kind=RunFailed)
    except Exception as exc:  # a bug: report it as one, never as a problem with the file
        result.error = InternalError(
            f"sqlmig hit an internal error ({type(exc).__name__}: {exc}).",
            hint="Please report this with the output of --json.",
            detail=repr(exc),
        )
    result.duration = clock()
    sink(done_event(result, clock()))
    return result


def _space_after(path: Path) -> Space | None:
    """What a rebuild left free (a report fact, never a reason to fail a finished run)."""
    try:
        return free_space(path)
    except EngineError:
        return None


def _run(session: Session) -> None:
    path, catalog, options, result = session.path, session.catalog, session.options, session.result
    sink, clock, cancel = session.sink, session.clock, session.cancel
    if not options.dry_run:
        # A hot journal left by a crash: let SQLite roll it back before anything reads it.
        result.recovered = recover_journal(path, wait_seconds=options.wait)
        if result.recovered:
            result.notes.append(RECOVERED)
    inspection = inspect_and_foresee(path, catalog, cancel=cancel)
    result.inspection = inspection
    result.from_version = inspection.current_version
    if options.expect is not None:
        refuse_if_changed(options.expect, inspection)
    plan = plan_upgrade(inspection, catalog, target=options.target, mode=options.mode,
                        accept_diverged=options.accept_diverged)
    result.plan = plan
    checks = None
    if not plan.empty:
        # A refusal is one `done` event, so everything that can refuse runs before `plan`.
        checks = _preflight(session, plan)
        result.preflight = checks
        result.checks.extend(before_run(checks))
        if checks.failures:
            raise checks.failures[0].refusal()
    sink(PlanEvent(clock(), plan.from_version, plan.to_version, plan.mode, options.dry_run,
                   tuple(step.describe() for step in plan.steps), len(plan.segments())))
    if result.recovered:
        sink(VerifyEvent(clock(), "recovered", True, RECOVERED))
    if checks is not None:
        sink(VerifyEvent(clock(), "quick_check", True, "The file passed quick_check."))
        for event in preflight.events(checks, clock):
            sink(event)
    if options.dry_run and options.execute and not plan.empty:
        from engine.runtime.rehearsal import rehearse_on_copy  # its schema diff: this case only

        rehearse_on_copy(session, plan)
    elif options.dry_run and plan.bridge:
        rehearse(session, plan)
    elif options.dry_run or plan.empty:
        result.to_version = plan.to_version if options.dry_run else inspection.current_version
        if plan.empty:
            result.notes.append(f"Nothing to do: {inspection.diagnosis}")
    else:
        if options.backup:
            cancel.check()
            result.backup = _backup(session, inspection)
        execute(session, plan)


def _preflight(session: Session, plan: Plan) -> preflight.Preflight:
    """The go/no-go list (engine/runtime/preflight.py); the caller refuses with its first "no"."""
    options = session.options
    return preflight.preflight(
        session.path,
        plan_needs_fk_off=plan.foreign_keys_off,
        backup_dir=options.backup_dir,
        backup=options.backup and not options.dry_run,
        wait=options.wait,
        write=not options.dry_run,
        statements=[(f"{step.label} line {statement.line}", statement.sql)
                    for step in plan.steps for statement in step.statements],
        cancel=session.cancel,
        create_backup_dir=options.create_backup_dir,
    )


def _backup(session: Session, inspection: Inspection) -> Path:
    sink, clock = session.sink, session.clock

    def progress(done: int, total: int) -> None:
        sink(BackupEvent(clock(), "", done, total, False))

    made = create_backup(
        session.path, version=inspection.backup_version, folder=session.options.backup_dir,
        on_progress=progress, cancel=session.cancel,
        create_folder=session.options.create_backup_dir,
    )
    sink(BackupEvent(clock(), str(made.path), made.pages, made.pages, True, True))
    return made.path
