"""A batch's worker process: upgrades the files the coordinator (batch.py) hands it, one at a
time, and sends back every event and each file's outcome.

It runs in its own process, so a crash inside it (even a segfault or `os._exit`) takes down
neither the window nor the other files. SIGTERM while it works on a file is a cancel: the
upgrade rolls back and the outcome says `cancelled`; outside a file's run SIGTERM is blocked
(pending, so it cancels the next run at once) and SIGINT is ignored: Ctrl-C in a
terminal reaches the whole process group, and the coordinator decides what a cancel means.

Messages: in, `("upgrade", index, path, options, fault)`, `("recover", index, path, how,
cancelled)` or
`None` (stop); out, `("event", index, event)` and `("done", index, FileOutcome)`.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from engine.core.batchevents import FileOutcome
from engine.core.cancel import CancelToken, cancel_on_signals
from engine.core.connect import recover_journal
from engine.core.errors import EngineError
from engine.core.events import DoneEvent, Event, StatementEvent
from engine.core.verdicts import BatchKind, ProblemCode, RunKind, State
from engine.planning.assess import inspect_and_foresee
from engine.render.batch import crash_headline, refused_headline
from engine.render.run import run_outcome
from engine.render.words import version_labels
from engine.runtime.options import UpgradeOptions
from engine.runtime.result import UpgradeResult
from engine.runtime.upgrader import upgrade
from engine.scripts.catalog import Catalog, load_catalog

# Refusals whose reason is what the file is, in the summary's words ("1 refused: damaged").
STATE_REASONS = frozenset({State.DAMAGED, State.AHEAD, State.FOREIGN, State.INTERRUPTED})
# Test hook (`batch.FAULT_VARIABLE`): die after the first statement of the file of this name.
FAULT_EXIT_CODE = 70


def serve(conn: Connection, migrations: str) -> None:
    """The worker's life: load the catalog once, then one file per message until `None`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    catalog = load_catalog(Path(migrations))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the coordinator is gone
            return
        if task is None:
            return
        kind, index, path = task[0], task[1], Path(task[2])
        if kind == "upgrade":
            outcome = upgrade_one(conn, index, path, catalog, task[3], task[4])
        else:
            outcome = after_crash(path, catalog, task[3], cancelled=task[4])
        conn.send(("done", index, outcome))


def upgrade_one(conn: Connection, index: int, path: Path, catalog: Catalog,
                options: UpgradeOptions, fault: tuple[str, str] | None) -> FileOutcome:
    done: list[DoneEvent] = []
    statements = [0]

    def sink(event: Event) -> None:
        if isinstance(event, DoneEvent):
            done.append(event)
        if fault is not None and isinstance(event, StatementEvent) and path.name == fault[1]:
            statements[0] += 1
            if statements[0] == 2:  # the first statement ran inside the open transaction
                _fail(fault[0], lambda: conn.send(("event", index, event)))
        conn.send(("event", index, event))

    token = CancelToken()
    with cancel_on_signals(token):
        # SIGTERM is blocked outside a file's run (see batch._spawn): one that came early is
        # delivered now, to the handler, and cancels this run before it writes anything.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        try:
            result = upgrade(path, catalog, options, on_event=sink, cancel=token)
        finally:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    return outcome_of(result, done[-1].to_json() if done else {})


def _fail(how: str, announce: Callable[[], None]) -> None:
    """The test hook: die, or ("stall") stop answering, SIGTERM included, inside the run
    (after saying which statement it stalls at)."""
    if how == "stall":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        announce()
        while True:
            time.sleep(60)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(FAULT_EXIT_CODE)


def outcome_of(result: UpgradeResult, done: dict[str, Any]) -> FileOutcome:
    """The batch's verdict on one file's run (SPEC §7.23 counts these)."""
    words = run_outcome(result)
    error = result.error
    state = result.inspection.state if result.inspection is not None else None
    reason = ""
    headline = words.headline
    if error is None:
        if words.kind == RunKind.UPGRADED:
            kind = BatchKind.UPGRADED
        elif result.dry_run and result.plan is not None and not result.plan.empty:
            kind = BatchKind.PLANNED
        else:
            kind = BatchKind.CURRENT
    elif error.code == ProblemCode.CANCELLED:
        kind = BatchKind.CANCELLED
    elif error.exit_code == 3:
        kind, headline = BatchKind.REFUSED, refused_headline(error.message)
        reason = str(state) if state in STATE_REASONS else str(error.code)
    else:
        kind, reason = BatchKind.FAILED, str(error.code)
    return FileOutcome(str(result.path), kind, reason, headline, words.from_label,
                       words.to_label, None if state is None else str(state), done,
                       result.exit_code)


def after_crash(path: Path, catalog: Catalog, how: str, *, cancelled: bool) -> FileOutcome:
    """A worker died while it had `path`: roll back the write it left unfinished (SQLite's
    journal makes that exact at any instant) and say where the file stands now."""
    label: str | None = None
    state: str | None = None
    try:
        recover_journal(path)
        inspection = inspect_and_foresee(path, catalog)
        label, state = version_labels(inspection)[0], str(inspection.state)
    except EngineError:
        pass
    return crashed(path, how, label, state, cancelled=cancelled)


def crashed(path: Path, how: str, label: str | None, state: str | None, *,
            cancelled: bool = False) -> FileOutcome:
    """The outcome of a file whose worker died (`how`: "killed by SIGKILL", "exit code 70");
    `cancelled`: the batch killed it because it did not stop after a cancel."""
    headline = crash_headline(path.name, how, label, cancelled=cancelled)
    problem = {"code": str(ProblemCode.WORKER_CRASHED), "message": headline,
               "hint": "Run `sqlmig status` on the file, then upgrade it again on its own."}
    done = {"event": "done", "ok": False, "from_version": None, "to_version": None,
            "backup": None, "ledger": {}, "problems": [problem], "message": headline,
            "dry_run": False, "applied": []}
    kind, code = BatchKind.FAILED, ProblemCode.WORKER_CRASHED
    if cancelled:
        kind, code = BatchKind.CANCELLED, ProblemCode.CANCELLED
        problem["code"] = str(code)
    return FileOutcome(str(path), kind, "" if cancelled else str(code), headline,
                       label or "unknown", label or "unknown", state, done, 1)
