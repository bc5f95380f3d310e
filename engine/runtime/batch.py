"""Many files at once: a small pool of worker processes (batch_worker.py), each file upgraded on
its own with its own verified backup, its events and its outcome (SPEC §7.23).

Processes, not threads: a file that crashes its worker (a segfault, `os._exit`) costs only that
file. The dead worker's file is handed to a new worker, which rolls back the write left
unfinished (SQLite's journal: the file is old or new, never half) and reports where the file
stands. One file's failure never stops the others.

Cancel: no new file starts, and every worker with a file gets SIGTERM, which is a cancel inside
it (the upgrade rolls back and says `cancelled`). A worker that has not answered after
`KILL_AFTER` seconds is killed: SQLite's journal makes a kill safe at any instant (the file is
old or new, never half). The file is then recovered and read again like a crashed one, so its
outcome (`cancelled`) says the version it is really at, whether or not its COMMIT had happened.
A recovery itself is never stopped: it only rolls back, within its lock wait. Files not yet started
are left untouched (`not_started`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from engine.core.batchevents import (
    BatchDoneEvent,
    FileDoneEvent,
    FileOutcome,
    FileProgressEvent,
    FileStartEvent,
)
from engine.core.cancel import CancelToken
from engine.core.events import Clock, EventSink, ignore_events
from engine.core.verdicts import BatchKind
from engine.render.batch import batch_summary
from engine.runtime.batch_worker import crashed, serve
from engine.runtime.options import UpgradeOptions

KILL_AFTER = 30.0  # seconds a cancelled worker has to roll back before it is killed
POLL_SECONDS = 0.1  # how often the coordinator looks at the cancel token
# Test hook: "exit:NAME" or "kill:NAME" makes the worker upgrading the file NAME die right after
# that file's first statement (`os._exit`, or SIGKILL to itself); "stall:NAME" makes it stop
# answering there, SIGTERM included.
FAULT_VARIABLE = "SQLMIG_BATCH_FAULT"


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class BatchResult:
    outcomes: list[FileOutcome]  # in the order of the batch's files
    message: str  # the summary
    counts: dict[str, int]
    exit_code: int  # 1 a file failed or was cancelled, else 3 a file was refused, else 0
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: tuple[int, Path, str] | None = None  # (index, path, "upgrade" or "recover")
    stop_asked: float | None = None  # monotonic time of the SIGTERM


@dataclass
class _Run:
    paths: list[Path]
    options: UpgradeOptions
    folder: str
    jobs: int
    sink: EventSink
    cancel: CancelToken
    clock: Clock = field(default_factory=Clock)
    pending: deque[int] = field(default_factory=deque)
    # (index, how its worker died, whether the batch killed it after a cancel)
    recoveries: deque[tuple[int, str, bool]] = field(default_factory=deque)
    outcomes: dict[int, FileOutcome] = field(default_factory=dict)
    workers: list[_Worker] = field(default_factory=list)
    fault: tuple[str, str] | None = None


def run_batch(
    paths: Sequence[Path],
    catalog_folder: Path,
    options: UpgradeOptions,
    *,
    jobs: int | None = None,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> BatchResult:
    """Upgrade each of `paths` as `options` ask, `jobs` files at a time; ends with one `done`."""
    run = _Run(list(paths), options, str(catalog_folder), max(1, jobs or default_jobs()),
               on_event or ignore_events, cancel or CancelToken())
    run.pending.extend(range(len(run.paths)))
    fault = os.environ.get(FAULT_VARIABLE, "")
    if ":" in fault:
        how, _, name = fault.partition(":")
        run.fault = (how, name)
    context = multiprocessing.get_context("spawn")
    try:
        while run.pending or run.recoveries or _busy(run):
            if run.cancel.cancelled:
                _stop_files(run)
            _dispatch(run, context)
            _collect(run)
    finally:
        _close(run)
    outcomes = [run.outcomes[i] for i in range(len(run.paths))]
    counts = {str(kind): sum(o.kind == kind for o in outcomes) for kind in BatchKind}
    exit_code = _exit_code(outcomes)
    message = batch_summary(outcomes)
    run.sink(BatchDoneEvent(run.clock(), exit_code == 0, message, counts, tuple(outcomes),
                            exit_code))
    return BatchResult(outcomes, message, counts, exit_code, run.clock())


def _exit_code(outcomes: list[FileOutcome]) -> int:
    kinds = {o.kind for o in outcomes}
    if kinds & {BatchKind.FAILED, BatchKind.CANCELLED, BatchKind.NOT_STARTED}:
        return 1
    return 3 if BatchKind.REFUSED in kinds else 0


def _busy(run: _Run) -> list[_Worker]:
    return [w for w in run.workers if w.task is not None]


def _stop_files(run: _Run) -> None:
    """Cancel: the files not started stay untouched; the running ones roll back."""
    while run.pending:
        index = run.pending.popleft()
        path = str(run.paths[index])
        run.outcomes[index] = FileOutcome(path, BatchKind.NOT_STARTED, "", "Not started: the "
                                          "batch was cancelled first; the file is untouched.",
                                          "unknown", "unknown", None, {}, 1)
    now = time.monotonic()
    # A recovery runs on (it only rolls back, within its lock wait): its report is the truth.
    for worker in (w for w in _busy(run) if w.task is not None and w.task[2] == "upgrade"):
        if worker.stop_asked is None:
            worker.stop_asked = now
            if worker.process.pid is not None:
                os.kill(worker.process.pid, signal.SIGTERM)
        elif now - worker.stop_asked > KILL_AFTER:
            worker.process.kill()


def _dispatch(run: _Run, context: Any) -> None:
    """Give each idle worker (or a new one, up to `jobs`) the next file: recoveries first."""
    while run.recoveries or (run.pending and not run.cancel.cancelled):
        worker = next((w for w in run.workers if w.task is None), None)
        if worker is None:
            if len(run.workers) >= run.jobs:
                return
            worker = _spawn(run, context)
        if run.recoveries:
            index, how, cancelled = run.recoveries.popleft()
            _send(worker, ("recover", index, str(run.paths[index]), how, cancelled), index,
                  "recover")
            continue
        chosen = _next_file(run)
        if chosen is None:
            return
        index, path = chosen, run.paths[chosen]
        run.sink(FileStartEvent(run.clock(), str(path), index + 1, len(run.paths)))
        _send(worker, ("upgrade", index, str(path), run.options, run.fault), index, "upgrade")


def _next_file(run: _Run) -> int | None:
    """The next file; with one backup folder for all, never two files of the same name at once
    (their backups would be named alike in the same second)."""
    running = {run.paths[w.task[0]].name for w in _busy(run) if w.task is not None}
    for index in run.pending:
        if run.options.backup_dir is None or run.paths[index].name not in running:
            run.pending.remove(index)
            return index
    return None


def _spawn(run: _Run, context: Any) -> _Worker:
    mine, theirs = context.Pipe()
    process = context.Process(target=serve, args=(theirs, run.folder), daemon=True,
                              name="sqlmig-batch-worker")
    # The worker starts with SIGTERM blocked (a signal mask survives fork and exec): a cancel
    # that arrives while it still starts up waits until its file's cancel handler is in place,
    # instead of killing it.
    # (The resource tracker unblocks SIGTERM after it starts itself: start it first.)
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    theirs.close()  # so that the worker's death reads as end-of-file here
    worker = _Worker(process, mine)
    run.workers.append(worker)
    return worker


def _send(worker: _Worker, message: tuple[Any, ...], index: int, kind: str) -> None:
    worker.task = (index, Path(message[2]), kind)
    worker.stop_asked = None
    with contextlib.suppress(OSError):  # it died since: _collect sees its sentinel
        worker.conn.send(message)


def _collect(run: _Run) -> None:
    """Wait a little for messages or deaths; relay events; record outcomes."""
    busy = _busy(run)
    if not busy:
        return
    waited: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
    ready = wait(waited, timeout=POLL_SECONDS)
    for worker in busy:
        if worker.conn in ready:
            _drain(run, worker)
        if worker.process.sentinel in ready or not worker.process.is_alive():
            _drain(run, worker)  # what it sent before it died still counts
            _bury(run, worker)


def _drain(run: _Run, worker: _Worker) -> None:
    try:
        while worker.task is not None and worker.conn.poll():
            kind, index, payload = worker.conn.recv()
            if kind == "event":
                run.sink(FileProgressEvent(run.clock(), str(run.paths[index]), index + 1,
                                           payload))
            else:
                _record(run, index, payload)
                worker.task = None
    except (EOFError, OSError):
        pass  # the worker died mid-message: _bury decides


def _record(run: _Run, index: int, outcome: FileOutcome) -> None:
    run.outcomes[index] = outcome
    run.sink(FileDoneEvent(run.clock(), index + 1, len(run.paths), outcome))


def _bury(run: _Run, worker: _Worker) -> None:
    """A worker ended: its file (if any) is recovered and inspected by another worker."""
    worker.process.join(timeout=5)
    worker.conn.close()
    run.workers.remove(worker)
    if worker.task is None:
        return
    index, path, kind = worker.task
    how = _how_it_died(worker.process.exitcode)
    if kind == "upgrade":
        run.recoveries.append((index, how, worker.stop_asked is not None))
    else:  # the recovery itself died: say so without reading the file again here
        _record(run, index, crashed(path, how, None, None))


def _how_it_died(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _close(run: _Run) -> None:
    """Stop the idle workers and wait for them (a busy one only when the batch itself failed)."""
    for worker in run.workers:
        if worker.task is not None:
            worker.process.kill()
        else:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
    for worker in run.workers:
        worker.process.join(timeout=10)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
    run.workers.clear()
