"""Running a plan on the file, once its preflight and backup are done: the runner, again from a
new plan when another runner changed the file meanwhile, then `quick_check` on the committed
result. A dry run of a bridge plan rehearses the same on a temporary copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.core.authorizer import AttachGuard, guard_connection
from engine.core.cancel import CancelToken, watch
from engine.core.connect import open_readonly, open_readwrite, read_facts
from engine.core.errors import RunFailed
from engine.core.events import Clock, EventSink, VerifyEvent
from engine.planning.assess import inspect_and_foresee
from engine.planning.planner import Plan, plan_upgrade
from engine.render.run import REPLANNED
from engine.runtime.backups import create_backup
from engine.runtime.checks import existing_damage, quick_check
from engine.runtime.options import UpgradeOptions
from engine.runtime.result import UpgradeResult
from engine.runtime.runchecks import recording
from engine.runtime.runner import Runner
from engine.scripts.attach import UnreadableAttach, in_memory
from engine.scripts.catalog import Catalog
from engine.state.expected import ExpectedSchemas

MAX_REPLANS = 5


@dataclass(frozen=True)
class Session:
    """One upgrade's companions: the file, the catalog, the user's options, the result being
    filled, and where its events, time and cancel come from."""

    path: Path
    catalog: Catalog
    options: UpgradeOptions
    result: UpgradeResult
    sink: EventSink
    clock: Clock
    cancel: CancelToken


def execute(session: Session, plan: Plan) -> None:
    """Run `plan` (re-planning when another runner got there first), then check the result."""
    path, catalog, result, cancel = session.path, session.catalog, session.result, session.cancel
    options = session.options
    expected = ExpectedSchemas(catalog, cancel=cancel)
    sink = recording(session.sink, result.checks)
    conn, guard = _open_guarded(path, plan, options.wait)
    try:
        for _ in range(MAX_REPLANS):
            runner = Runner(conn, plan, expected=expected, sink=sink, clock=session.clock,
                            cancel=cancel)
            try:
                outcome = runner.run()
            except RunFailed as exc:
                if guard.denied is not None:
                    exc.hint = guard.hint()
                raise
            finally:
                result.to_version = runner.committed_version
            result.merge(outcome.applied, outcome.ledger, outcome.notes)
            if not outcome.replan:
                result.notes.extend(existing_damage(outcome.existing_damage))
                break
            # Another runner changed the file under us: start again from what it did.
            conn.close()
            inspection = inspect_and_foresee(path, catalog, cancel=cancel)
            plan = plan_upgrade(inspection, catalog, target=options.target, mode=options.mode,
                                accept_diverged=options.accept_diverged)
            result.replanned = True
            result.notes.append(f"{REPLANNED}; continued from {inspection.diagnosis}")
            result.to_version = inspection.current_version
            conn, guard = _open_guarded(path, plan, options.wait)
            if plan.empty:
                break
        else:
            raise RunFailed(
                "The file kept changing under sqlmig; stopped to be safe.",
                hint="Make sure only one program upgrades the file, then try again.",
                code="locked",
            )
        _final_quick_check(session, sink)
    finally:
        conn.close()


def _final_quick_check(session: Session, sink: EventSink) -> None:
    # A fresh read-only connection: on a writable one, quick_check also re-evaluates every
    # row's CHECK constraints (SQLite 3.40), which triples its time on big tables.
    reader = open_readonly(read_facts(session.path))
    version = session.result.to_version
    committed = (
        f"the upgrade to {'empty' if version is None else f'v{version}'} is committed, but the "
        "final quick_check did not finish."
    )
    with contextlib.closing(reader), watch(reader, session.cancel, state=committed):
        problems = quick_check(reader)
    message = "The upgraded file passed quick_check." if not problems else problems[0]
    sink(VerifyEvent(session.clock(), "quick_check", not problems, message, tuple(problems)))
    if problems:
        raise RunFailed(
            f"The upgraded file failed quick_check ({problems[0]}).",
            hint="Restore the backup and send the file to a developer.",
            code="check_failed",
        )


def _open_guarded(path: Path, plan: Plan, wait: float) -> tuple[sqlite3.Connection, AttachGuard]:
    """The run's connection, which may attach another file only for an `attach: allow` step."""
    conn = open_readwrite(path, wait_seconds=wait)
    return conn, guard_connection(conn, allowed=any(step.attach for step in plan.steps))


def rehearse(
    session: Session, plan: Plan, *, after: Callable[[Path], None] | None = None
) -> None:
    """Run a bridge plan on a temporary copy, with the user's own options, so the dry run shows
    exactly what would happen (what the bridge skips depends on the file's shape at each step).
    `after` looks at the copy once the plan ran on it (before the copy goes)."""
    result = session.result
    with tempfile.TemporaryDirectory(prefix="sqlmig-dry-run-") as folder:
        copy = Path(folder) / session.path.name
        create_backup(session.path, version=None, destination=copy, cancel=session.cancel)
        inside = _inside(plan)
        execute(dataclasses.replace(session, path=copy), inside)
        if after is not None:
            after(copy)
    result.notes.append("Dry run: rehearsed on a temporary copy; the file was not touched.")
    if inside != plan:
        result.notes.append(
            "Dry run: statements that attach another database file used an empty in-memory "
            "database instead; that file was not touched."
        )


def _inside(plan: Plan) -> Plan:
    """The plan with every ATTACH and VACUUM INTO pointed at an in-memory database."""
    try:
        steps = tuple(
            dataclasses.replace(
                step,
                attach=False,
                statements=tuple(
                    s._replace(sql=in_memory(s.sql) or s.sql) for s in step.statements
                ),
            )
            for step in plan.steps
        )
    except UnreadableAttach as exc:  # fails as the statement itself would
        raise sqlite3.OperationalError(str(exc)) from exc
    return dataclasses.replace(plan, steps=steps)
