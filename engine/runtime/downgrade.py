"""One rollback from start to end (`sqlmig down PATH --to N`): recover, inspect, plan the down
parts, preflight, refuse data loss, back up, run (engine/runtime/downrun.py), report.

Like an upgrade, every outcome ends with exactly one `done` event (with `reverted`, the
versions rolled back) and the returned `UpgradeResult` carries the same facts.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from engine.core.cancel import CancelToken
from engine.core.connect import open_readonly, read_facts, recover_journal
from engine.core.errors import EngineError, InternalError, Refused, RunFailed, from_sqlite
from engine.core.events import (
    BackupEvent,
    Clock,
    DoneEvent,
    Event,
    EventSink,
    PlanEvent,
    StepEndEvent,
    ignore_events,
)
from engine.core.verdicts import Mode, ProblemCode
from engine.planning.assess import inspect_and_foresee
from engine.planning.downplan import DownPlan, plan_down
from engine.render.down import data_loss_message, down_message
from engine.render.run import RECOVERED
from engine.runtime import preflight
from engine.runtime.backups import create_backup
from engine.runtime.downrun import DownRun
from engine.runtime.result import UpgradeResult
from engine.runtime.runchecks import before_run
from engine.scripts.catalog import Catalog
from engine.state.dropped import data_in_columns, data_in_tables, rows_set_aside


@dataclass(frozen=True)
class DownOptions:
    target: int  # the version to roll back to (-1: before the first migration)
    backup: bool = True
    backup_dir: Path | None = None
    dry_run: bool = False  # plan, preflight and the data check; write nothing
    wait: float = 10.0
    allow_data_loss: bool = False  # drop tables and columns that hold data, set rows aside


@dataclass(frozen=True)
class DownDoneEvent(DoneEvent):
    """The upgrade's `done` event, plus the versions this rollback reverted (newest first)."""

    reverted: tuple[int, ...] = ()


def downgrade(
    path: str | Path,
    catalog: Catalog,
    options: DownOptions,
    *,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> UpgradeResult:
    """Roll `path` back to `options.target`. Never raises EngineError: see the result's error."""
    path = Path(path)
    outer = on_event or ignore_events
    clock = Clock()
    result = UpgradeResult(ok=False, path=path, from_version=None, to_version=None,
                           dry_run=options.dry_run)
    reverted: list[int] = []

    def sink(event: Event) -> None:
        if isinstance(event, StepEndEvent):
            result.steps.append((event.step, event.method))
        outer(event)

    try:
        _run(path, catalog, options, result, reverted, sink, clock, cancel or CancelToken())
        result.ok = True
    except EngineError as exc:
        result.error = exc
    except sqlite3.Error as exc:
        result.error = from_sqlite(exc, state="", kind=RunFailed)
    except Exception as exc:  # a bug: report it as one, never as a problem with the file
        result.error = InternalError(
            f"sqlmig hit an internal error ({type(exc).__name__}: {exc}).",
            hint="Please report this with the output of --json.", detail=repr(exc))
    result.duration = clock()
    problems = tuple(p.to_json() for p in result.error.problems()) if result.error else ()
    sink(DownDoneEvent(
        clock(), ok=result.ok, from_version=result.from_version, to_version=result.to_version,
        backup=str(result.backup) if result.backup else None, ledger=result.ledger,
        problems=problems, message=down_message(result, reverted), dry_run=options.dry_run,
        reverted=tuple(reverted)))
    return result


def _run(path: Path, catalog: Catalog, options: DownOptions, result: UpgradeResult,
         reverted: list[int], sink: EventSink, clock: Clock, cancel: CancelToken) -> None:
    if not options.dry_run:
        result.recovered = recover_journal(path, wait_seconds=options.wait)
        if result.recovered:
            result.notes.append(RECOVERED)
    inspection = inspect_and_foresee(path, catalog, cancel=cancel)
    result.inspection = inspection
    result.from_version = result.to_version = inspection.current_version
    plan = plan_down(inspection, catalog, options.target)
    checks = None
    if not plan.empty:
        checks = preflight.preflight(
            path, plan_needs_fk_off=plan.foreign_keys_off, backup_dir=options.backup_dir,
            backup=options.backup and not options.dry_run, wait=options.wait,
            write=not options.dry_run,
            statements=[s.sql for step in plan.steps for s in step.statements], cancel=cancel)
        if checks.failures:
            result.preflight = checks
            result.checks.extend(before_run(checks))
            raise checks.failures[0].refusal()
        _refuse_data_loss(path, plan, options)
        result.preflight = checks
        result.checks.extend(before_run(checks))
    sink(PlanEvent(clock(), plan.from_version, plan.to_version, Mode.ATOMIC, options.dry_run,
                   tuple(step.describe() for step in plan.steps), 1 if plan.steps else 0))
    if checks is not None:
        for event in preflight.events(checks, clock):
            sink(event)
    if plan.empty:
        result.notes.append(f"Nothing to do: the file is already at v{options.target}."
                            if options.target >= 0 else "Nothing to do.")
        return
    if options.dry_run:
        result.to_version = plan.to_version
        reverted.extend(step.version for step in plan.steps)
        return
    if options.backup:
        cancel.check()
        result.backup = _backup(path, inspection.backup_version, options, sink, clock, cancel)
    run = DownRun(path, catalog, plan, sink, clock, cancel, options.wait,
                  options.allow_data_loss)
    outcome = run.run()
    reverted.extend(outcome.reverted)
    result.to_version = plan.to_version
    result.ledger.update(outcome.ledger)
    result.notes.extend(outcome.notes)


def _refuse_data_loss(path: Path, plan: DownPlan, options: DownOptions) -> None:
    """Tables and columns the down parts drop that hold data: refused before anything is
    written, unless the user allows it."""
    reader = open_readonly(read_facts(path))
    with contextlib.closing(reader):
        found = data_in_tables(reader, (t for step in plan.steps for t in step.tables))
        found += data_in_columns(reader, (c for step in plan.steps for c in step.columns))
        found += rows_set_aside(reader, (s.sql for step in plan.steps for s in step.statements))
    if found and not options.allow_data_loss:
        raise Refused(
            data_loss_message(plan.to_version, found),
            hint="Run again with --allow-data-loss to drop it (the backup keeps a copy).",
            detail="\n".join(found),
            code=ProblemCode.DATA_LOSS,
        )


def _backup(path: Path, version: int | None, options: DownOptions, sink: EventSink,
            clock: Clock, cancel: CancelToken) -> Path:
    def progress(done: int, total: int) -> None:
        sink(BackupEvent(clock(), "", done, total, False))

    made = create_backup(path, version=version, folder=options.backup_dir,
                         on_progress=progress, cancel=cancel, create_folder=True)
    sink(BackupEvent(clock(), str(made.path), made.pages, made.pages, True, True))
    return made.path
