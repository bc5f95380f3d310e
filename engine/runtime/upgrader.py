"""One upgrade from start to end: inspect, plan, preflight, backup, run, verify, report.

Every outcome ends with exactly one `done` event; the returned `UpgradeResult` carries the same
facts plus the error (if any), so the CLI and the GUI never parse messages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import open_readonly, open_readwrite, read_facts, recover_journal
from engine.core.errors import EngineError, InternalError, RunFailed, from_sqlite
from engine.core.events import (
    BackupEvent,
    Clock,
    DoneEvent,
    Event,
    EventSink,
    PlanEvent,
    StepEndEvent,
    VerifyEvent,
    ignore_events,
)
from engine.planning.planner import ATOMIC, Plan, plan_upgrade
from engine.runtime.backups import create_backup
from engine.runtime.checks import ExpectedSchemas, existing_damage, quick_check
from engine.runtime.preflight import Preflight, preflight
from engine.runtime.runchecks import RunCheck, before_run, recording
from engine.runtime.runner import Runner, RunOutcome
from engine.scripts.attach import AttachGuard, guard_connection, in_memory
from engine.scripts.catalog import Catalog
from engine.state.expectation import Expectation, refuse_if_changed
from engine.state.findings import listing
from engine.state.inspect import Inspection, inspect_file

MAX_REPLANS = 5
REPLANNED = "Another process upgraded the file meanwhile"
RECOVERED = (
    "SQLite first rolled back an earlier write that had been cut off (the -journal beside the "
    "file); every committed change stays."
)


@dataclass
class UpgradeResult:
    ok: bool
    path: Path
    from_version: int | None
    to_version: int | None
    backup: Path | None = None
    applied: list[int] = field(default_factory=list)
    ledger: dict[str, list[int]] = field(default_factory=dict)
    error: EngineError | None = None
    dry_run: bool = False
    plan: Plan | None = None
    notes: list[str] = field(default_factory=list)
    from_label: str | None = None  # the start as found: vN, empty, legacy user_version N
    preflight: Preflight | None = None  # the go/no-go list (None when nothing was to be done)
    inspection: Inspection | None = None  # the file as this run found it at its start
    checks: list[RunCheck] = field(default_factory=list)  # each check once, in the order made
    started_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    duration: float = 0.0  # seconds from the start to the `done` event
    recovered: bool = False  # a hot journal was rolled back before anything else
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, method) of each step_end

    @property
    def exit_code(self) -> int:
        return 0 if self.error is None else self.error.exit_code


def upgrade(
    path: str | Path,
    catalog: Catalog,
    *,
    target: int | None = None,
    mode: str = ATOMIC,
    backup: bool = True,
    backup_dir: Path | None = None,
    dry_run: bool = False,
    wait: float = 10.0,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
    accept_diverged: bool = False,
    expect: Expectation | None = None,
    create_backup_dir: bool = False,
) -> UpgradeResult:
    """Upgrade `path` to `target` (default: the newest migration). Never raises EngineError.

    With `expect` (what a face showed and the user confirmed), a file that is no longer that is
    refused with `changed_since_inspection` before anything is written.
    `create_backup_dir`: a missing `backup_dir` whose parent exists is created for the backup.
    """
    checks: Preflight | None = None
    path = Path(path)
    outer = on_event or ignore_events
    clock = Clock()
    cancel = cancel or CancelToken()
    result = UpgradeResult(ok=False, path=path, from_version=None, to_version=None, dry_run=dry_run)

    def sink(event: Event) -> None:
        if isinstance(event, StepEndEvent):
            result.steps.append((event.step, event.method))
        outer(event)

    try:
        if not dry_run:
            # A hot journal left by a crash: let SQLite roll it back before anything reads it.
            result.recovered = recover_journal(path, wait_seconds=wait)
            if result.recovered:
                result.notes.append(RECOVERED)
        inspection = inspect_file(path, catalog, cancel=cancel)
        result.inspection = inspection
        result.from_version = inspection.current_version
        result.from_label = _start_label(inspection)
        if expect is not None:
            refuse_if_changed(expect, inspection)
        plan = plan_upgrade(
            inspection, catalog, target=target, mode=mode, accept_diverged=accept_diverged
        )
        result.plan = plan
        if not plan.empty:
            # A refusal is one `done` event, so everything that can refuse runs before `plan`.
            checks = _preflight(
                path, plan, wait=wait, write=not dry_run, backup=backup, backup_dir=backup_dir,
                cancel=cancel, create_backup_dir=create_backup_dir,
            )
            result.preflight = checks
            result.checks.extend(before_run(checks))
            if checks.failures:
                raise checks.failures[0].refusal()
        _emit_plan(sink, clock, plan, dry_run)
        if result.recovered:
            sink(VerifyEvent(clock(), "recovered", True, RECOVERED))
        if not plan.empty:
            sink(VerifyEvent(clock(), "quick_check", True, "The file passed quick_check."))
            _emit_preflight(sink, clock, checks)
        if dry_run and plan.bridge:
            # What the bridge skips depends on the file's shape at each step: rehearse on a copy.
            _rehearse(path, catalog, plan, result, target, mode, sink, clock, cancel)
            result.ok = True
        elif dry_run or plan.empty:
            result.ok = True
            result.to_version = plan.to_version if dry_run else inspection.current_version
            if plan.empty:
                result.notes.append(f"Nothing to do: {inspection.diagnosis}")
        else:
            if backup:
                cancel.check()
                result.backup = _backup(
                    path, inspection, backup_dir, sink, clock, cancel, create_backup_dir
                )
            _run(
                path,
                catalog,
                plan,
                result,
                target,
                mode,
                sink,
                clock,
                cancel,
                wait,
                accept_diverged,
            )
            result.ok = True
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
    sink(
        DoneEvent(
            clock(),
            ok=result.ok,
            from_version=result.from_version,
            to_version=result.to_version,
            backup=str(result.backup) if result.backup else None,
            ledger=result.ledger,
            problems=tuple(p.to_json() for p in result.error.problems()) if result.error else (),
            message=_summary(result),
            dry_run=dry_run,
            applied=tuple(result.applied),
        )
    )
    return result


def _emit_plan(sink: EventSink, clock: Clock, plan: Plan, dry_run: bool) -> None:
    sink(
        PlanEvent(
            clock(),
            from_version=plan.from_version,
            to_version=plan.to_version,
            mode=plan.mode,
            dry_run=dry_run,
            steps=tuple(step.describe() for step in plan.steps),
            segments=len(plan.segments()),
        )
    )


def _preflight(
    path: Path,
    plan: Plan,
    *,
    wait: float,
    write: bool,
    backup: bool,
    backup_dir: Path | None,
    cancel: CancelToken,
    create_backup_dir: bool,
) -> Preflight:
    """The go/no-go list (engine/preflight.py); the caller refuses with its first "no"."""
    return preflight(
        path,
        plan_needs_fk_off=plan.foreign_keys_off,
        backup_dir=backup_dir,
        backup=backup and write,
        wait=wait,
        write=write,
        statements=[statement.sql for step in plan.steps for statement in step.statements],
        cancel=cancel,
        create_backup_dir=create_backup_dir,
    )


def _emit_preflight(sink: EventSink, clock: Clock, checks: Preflight | None) -> None:
    """The go/no-go list as `verify` events (`preflight:NAME`; a warning has "warning" in details).

    A lock probe that had to wait is reported as its own `lock_wait` event with the seconds.
    """
    if checks is None:
        return
    for check in checks.checks:
        details = ("warning",) if check.ok is None else ()
        sink(VerifyEvent(clock(), f"preflight:{check.name}", check.ok is not False, check.message,
                         details))
    if checks.lock_wait:
        sink(
            VerifyEvent(
                clock(),
                "lock_wait",
                True,
                f"Waited {checks.lock_wait:.2f} s for another program's write lock.",
                (f"{checks.lock_wait:.3f}",),
            )
        )


def _backup(
    path: Path,
    inspection: Inspection,
    folder: Path | None,
    sink: EventSink,
    clock: Clock,
    cancel: CancelToken,
    create_folder: bool,
) -> Path:
    version = inspection.current_version
    if version is None and inspection.user_version:
        version = inspection.user_version

    def progress(done: int, total: int) -> None:
        sink(BackupEvent(clock(), "", done, total, False))

    made = create_backup(
        path, version=version, folder=folder, on_progress=progress, cancel=cancel,
        create_folder=create_folder,
    )
    sink(BackupEvent(clock(), str(made.path), made.pages, made.pages, True, True))
    return made.path


def _run(
    path: Path,
    catalog: Catalog,
    plan: Plan,
    result: UpgradeResult,
    target: int | None,
    mode: str,
    sink: EventSink,
    clock: Clock,
    cancel: CancelToken,
    wait: float,
    accept_diverged: bool,
) -> None:
    expected = ExpectedSchemas(catalog, cancel=cancel)
    sink = recording(sink, result.checks)
    conn, guard = _open_guarded(path, plan, wait)
    try:
        for _ in range(MAX_REPLANS):
            runner = Runner(conn, plan, expected=expected, sink=sink, clock=clock, cancel=cancel)
            try:
                outcome = runner.run()
            except RunFailed as exc:
                if guard.denied is not None:
                    exc.hint = guard.hint()
                raise
            finally:
                result.to_version = runner.committed_version
            _merge(result, outcome)
            if not outcome.replan:
                for line in existing_damage(outcome.existing_damage):
                    result.notes.append(line)
                break
            # Another runner changed the file under us: start again from what it did.
            conn.close()
            inspection = inspect_file(path, catalog, cancel=cancel)
            plan = plan_upgrade(
                inspection, catalog, target=target, mode=mode, accept_diverged=accept_diverged
            )
            result.notes.append(f"{REPLANNED}; continued from {inspection.diagnosis}")
            result.to_version = inspection.current_version
            conn, guard = _open_guarded(path, plan, wait)
            if plan.empty:
                break
        else:
            raise RunFailed(
                "The file kept changing under sqlmig; stopped to be safe.",
                hint="Make sure only one program upgrades the file, then try again.",
                code="locked",
            )
        # A fresh read-only connection: on a writable one, quick_check also re-evaluates every
        # row's CHECK constraints (SQLite 3.40), which triples its time on big tables.
        reader = open_readonly(read_facts(path))
        committed = (
            f"the upgrade to {_v(result.to_version)} is committed, but the final quick_check "
            "did not finish."
        )
        with contextlib.closing(reader), watch(reader, cancel, state=committed):
            problems = quick_check(reader)
        sink(
            VerifyEvent(
                clock(),
                "quick_check",
                not problems,
                "The upgraded file passed quick_check." if not problems else problems[0],
                tuple(problems),
            )
        )
        if problems:
            raise RunFailed(
                f"The upgraded file failed quick_check ({problems[0]}).",
                hint="Restore the backup and send the file to a developer.",
                code="check_failed",
            )
    finally:
        conn.close()


def _open_guarded(path: Path, plan: Plan, wait: float) -> tuple[sqlite3.Connection, AttachGuard]:
    """The run's connection, which may attach another file only for an `attach: allow` step."""
    conn = open_readwrite(path, wait_seconds=wait)
    return conn, guard_connection(conn, allowed=any(step.attach for step in plan.steps))


def _rehearse(
    path: Path,
    catalog: Catalog,
    plan: Plan,
    result: UpgradeResult,
    target: int | None,
    mode: str,
    sink: EventSink,
    clock: Clock,
    cancel: CancelToken,
) -> None:
    """Run a bridge plan on a temporary copy, so the dry run shows exactly what would happen."""
    with tempfile.TemporaryDirectory(prefix="sqlmig-dry-run-") as folder:
        copy = Path(folder) / path.name
        create_backup(path, version=None, destination=copy, cancel=cancel)
        inside = _inside(plan)
        _run(copy, catalog, inside, result, target, mode, sink, clock, cancel, 10.0, True)
    result.notes.append("Dry run: rehearsed on a temporary copy; the file was not touched.")
    if inside != plan:
        result.notes.append(
            "Dry run: statements that attach another database file used an empty in-memory "
            "database instead; that file was not touched."
        )


def _inside(plan: Plan) -> Plan:
    """The plan with every ATTACH and VACUUM INTO pointed at an in-memory database."""
    steps = tuple(
        dataclasses.replace(
            step,
            attach=False,
            statements=tuple(s._replace(sql=in_memory(s.sql) or s.sql) for s in step.statements),
        )
        for step in plan.steps
    )
    return dataclasses.replace(plan, steps=steps)


def _start_label(inspection: Inspection) -> str | None:
    if inspection.state == "legacy":
        return f"legacy user_version {inspection.user_version}"
    if inspection.state == "fresh":
        return "empty"
    return None if inspection.current_version is None else f"v{inspection.current_version}"


def _merge(result: UpgradeResult, outcome: RunOutcome) -> None:
    result.applied.extend(outcome.applied)
    result.notes.extend(outcome.notes)
    for table, (before, after) in outcome.ledger.items():
        if table in result.ledger:
            result.ledger[table][1] = after
        else:
            result.ledger[table] = [before, after]


def _summary(result: UpgradeResult) -> str:
    after = f" {RECOVERED}" if result.recovered else ""
    if result.error is not None:
        return result.error.message + after
    if result.dry_run:
        steps = len(result.plan.steps) if result.plan else 0
        return f"Dry run: {steps} step(s) would run; nothing was written."
    repaired = [step for step, method in result.steps if method == "repaired"]
    made = f"{len(repaired)} repair(s) made ({listing(repaired)})" if repaired else ""
    if not result.applied:
        notes = [n for n in result.notes if n != RECOVERED]
        replanned = [n for n in notes if n.startswith(REPLANNED)]
        if repaired and not replanned:
            return f"Repaired the file at {_v(result.to_version)}: {made}.{after}"
        return (notes[0] if notes else "Nothing to do.") + after
    start = result.from_label or _v(result.from_version)
    return (
        f"Upgraded from {start} to {_v(result.to_version)}: "
        f"{len(result.applied)} migration(s) recorded" + (f", {made}" if made else "") + "."
        + after
    )


def _v(version: int | None) -> str:
    return "empty" if version is None else f"v{version}"


def describe_event(event: Event) -> str:
    """One line for a human reader (the CLI's plain output and the GUI's log)."""
    data = event.to_json()
    name = data["event"]
    if name == "step_start":
        return f"[{data['index']}/{data['total']}] {data['step']} ({data['statements']} statements)"
    if name == "statement":
        return f"    line {data['line']}: {data['sql']}"
    if name == "step_end":
        return f"    {data['method']} in {data['duration_ms']} ms"
    if name == "verify":
        mark = "ok" if data["ok"] else "FAILED"
        if "warning" in data["details"]:
            mark = "warning"
        return f"check {data['check']}: {mark} — {data['message']}"
    if name == "backup" and data["done"]:
        return f"backup written and verified: {data['path']}"
    if name == "done":
        return str(data["message"])
    return ""
