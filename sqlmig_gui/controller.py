"""The GUI-thread controller: starts engine jobs on worker threads and relays what they report.

Widgets and tests connect to the controller's signals only. Worker signals are connected to bound
methods of this object (which lives in the GUI thread), so every relay runs in the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, SignalInstance, Slot

import engine
from sqlmig_gui.batch_jobs import batch_inspect_job, batch_job
from sqlmig_gui.prompts import ErrorReport
from sqlmig_gui.worker import (
    Failed,
    Finished,
    Inspected,
    Worker,
    compact_job,
    delete_backups_job,
    diff_job,
    down_job,
    history_job,
    inspect_job,
    list_backups_job,
    recover_job,
    restore_job,
    warm_up_job,
)
from sqlmig_gui.worker import upgrade_job as _upgrade_job


def error_report(title: str, exc: BaseException, tb: str = "") -> ErrorReport:
    """A sentence for a support person; the technical part goes to `detail`."""
    if isinstance(exc, engine.EngineError):
        detail = "\n".join(x for x in (f"code: {exc.code}", exc.detail) if x)
        return ErrorReport(title, exc.message, exc.hint, detail)
    return ErrorReport(
        title,
        f"sqlmig hit an internal error ({type(exc).__name__}). The file was not changed by it.",
        "Please send the details below to the sqlmig developers.",
        tb or repr(exc),
    )


@dataclass(frozen=True)
class _Run:
    """A job that changes the file (upgrade, restore, recover): only one at a time."""

    seq: int
    finished: SignalInstance
    failed: SignalInstance
    failure_title: str


class Controller(QObject):
    inspecting = Signal(object)  # Path
    inspected = Signal(object)  # Inspected
    inspectFailed = Signal(object, object)  # Path, ErrorReport
    runStarted = Signal(object)  # Path
    runEvent = Signal(object)  # engine event
    runFinished = Signal(object)  # engine.UpgradeResult
    runCrashed = Signal(object)  # ErrorReport (a bug: upgrade() itself never raises)
    restoreFinished = Signal(object)  # engine RestoreResult
    restoreFailed = Signal(object)  # ErrorReport
    recoverFinished = Signal(object)  # engine RecoverResult
    recoverFailed = Signal(object)  # ErrorReport
    downFinished = Signal(object)  # engine.UpgradeResult of a rollback (its error, if refused)
    historyLoaded = Signal(object)  # engine.HistoryReport of the open file
    diffFinished = Signal(object)  # engine.DiffReport
    diffFailed = Signal(object)  # ErrorReport
    batchInspected = Signal(object)  # batch_jobs.Found / Assessed / Unreadable
    batchEvent = Signal(object)  # engine batch event (file_start, file_progress, file_done, done)
    batchFinished = Signal(object)  # engine.BatchResult
    batchFailed = Signal(object)  # ErrorReport (a bug: batch() itself never raises for a file)
    compactFinished = Signal(object)  # engine CompactResult
    compactFailed = Signal(object)  # ErrorReport
    backupsListed = Signal(object, object)  # Path, [engine BackupInfo]
    backupsDeleted = Signal(object)  # engine Deleted
    backupsFailed = Signal(object)  # ErrorReport (listing or deleting)
    # What can be done changed: a run started or ended, or `look` changed. Emitted before
    # inspecting/inspected/inspectFailed, so actions are up to date when views show the look.
    stateChanged = Signal()

    def __init__(self, migrations: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.migrations = migrations
        self.catalog: Any = None
        # The latest look at the open file (None while a file is being read, or when reading it
        # failed): what every view and flow shows and acts on.
        self.look: Inspected | None = None
        self._seq = 0
        self._inspecting: tuple[int, Path] | None = None
        self._jobs: dict[int, tuple[QThread, Worker]] = {}
        self._cancel: engine.CancelToken | None = None
        self._run: _Run | None = None
        self._warm = False
        self._sessions: list[Any] = []  # the views' long-lived workers (sqlmig_gui/session.py)
        self._lookups: dict[int, engine.CancelToken] = {}  # the batch's inspections running

    def is_running(self) -> bool:
        """An upgrade, a restore or a recovery is in progress (an inspection does not count)."""
        return self._run is not None

    # -- actions -----------------------------------------------------------------------------

    def inspect(self, path: Path) -> None:
        seq = self._start(inspect_job(path, self.migrations), self._on_inspected,
                          self._on_inspect_failed)
        self._inspecting = (seq, path)
        self._set_look(None)
        self.inspecting.emit(path)

    def upgrade(
        self, path: Path, backup_dir: Path | None, expect: Any = None, *, rehearse: bool = False
    ) -> None:
        """Back up and upgrade `path`; with `expect` (the `Inspected.expectation` the window
        shows), a file changed since then is refused by the engine before anything is written.
        `rehearse`: run the plan on a temporary copy instead (the file is not touched)."""
        cancel = engine.CancelToken()
        job = _upgrade_job(path, self.catalog, backup_dir, cancel, expect, rehearse)
        self._start_run(job, self.runFinished, self.runCrashed, "Upgrade failed", cancel)
        self.runStarted.emit(path)

    def down(self, path: Path, target: int, *, allow_data_loss: bool = False) -> None:
        """Back up and roll `path` back to `target` with the down parts (engine.down)."""
        cancel = engine.CancelToken()
        job = down_job(path, self.catalog, target, allow_data_loss, cancel)
        self._start_run(job, self.downFinished, self.runCrashed, "Roll back failed", cancel)
        self.runStarted.emit(path)

    def load_history(self, path: Path) -> None:
        """Read the history, audit trail and drift of `path` (read-only) on a worker."""
        self._start(history_job(path, self.catalog), self._on_history, self._on_history)

    def restore(self, path: Path, backup: Path) -> None:
        self._start_run(restore_job(path, backup), self.restoreFinished, self.restoreFailed,
                        "Restore failed")

    def recover(self, path: Path) -> None:
        """Roll back the write an interruption cut off (the file's hot journal)."""
        self._start_run(recover_job(path, self.migrations), self.recoverFinished,
                        self.recoverFailed, "Recovery failed")

    def diff(self, path: Path, against: str | None = None) -> None:
        """Compare the file's schema with its version's (or another file's), read-only."""
        self._start(diff_job(path, self.catalog, against), self._on_diff_done,
                    self._on_diff_failed)

    def inspect_batch(self, paths: list[Path]) -> None:
        """Find the database files in `paths` and assess each (read-only), on a worker thread."""
        token = engine.CancelToken()
        seq = self._start(batch_inspect_job(paths, self.migrations, token), self._on_lookup_done,
                          self._on_lookup_done, self._on_looked_up)
        self._lookups[seq] = token

    def batch(self, paths: list[Path], backup_dir: Path | None = None) -> None:
        """Upgrade `paths` through the engine's pool of worker processes (a run: one at a time)."""
        cancel = engine.CancelToken()
        self._start_run(batch_job(paths, self.migrations, backup_dir, cancel), self.batchFinished,
                        self.batchFailed, "Batch failed", cancel, on_event=self._on_batch_event)

    def compact(self, path: Path) -> None:
        """Give the file's free pages back to the disk (after a verified backup)."""
        self._start_run(compact_job(path), self.compactFinished, self.compactFailed,
                        "Compact failed")

    def list_backups(self, path: Path, folder: Path | None) -> None:
        self._start(list_backups_job(path, folder), self._on_listed, self._on_backups_failed)

    def delete_backups(self, path: Path, chosen: list[Path], folder: Path | None) -> None:
        self._start(delete_backups_job(path, chosen, folder), self._on_deleted,
                    self._on_backups_failed)

    def cancel(self) -> None:
        """Ask the running upgrade to stop: it rolls back and reports `cancelled`."""
        if self._cancel is not None:
            self._cancel.cancel()

    def adopt(self, session: Any) -> None:
        """A view's long-lived worker (`Session`): stopped by `shutdown` with the others."""
        self._sessions.append(session)

    def shutdown(self) -> None:
        """Cancel whatever runs, then stop and wait for every worker thread (never terminate)."""
        self.cancel()
        for session in self._sessions:
            session.stop()
        for token in self._lookups.values():
            token.cancel()
        for thread, _worker in list(self._jobs.values()):
            thread.quit()
            thread.wait()
        self._jobs.clear()

    # -- threads -----------------------------------------------------------------------------

    def _start(self, job: Any, on_done: Any, on_failed: Any, on_event: Any = None) -> int:
        self._seq += 1
        seq = self._seq
        thread = QThread(self)
        thread.setObjectName(f"sqlmig-job-{seq}")
        worker = Worker(seq, job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(on_done)
        worker.failed.connect(on_failed)
        if on_event is not None:
            worker.progress.connect(on_event)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        # The worker has no parent: Python owns it and deletes it when `_jobs` lets go of it,
        # after its thread has finished (no `deleteLater` as well: that deleted it twice).
        thread.finished.connect(self._on_thread_finished)
        self._jobs[seq] = (thread, worker)
        thread.start()
        return seq

    def _start_run(self, job: Any, finished: SignalInstance, failed: SignalInstance,
                   failure_title: str, cancel: engine.CancelToken | None = None,
                   on_event: Any = None) -> None:
        """Start a job that changes the file; an upgrade (with `cancel`) relays its events."""
        if self.is_running():
            raise RuntimeError("another upgrade, restore or recovery is running")
        if on_event is None and cancel is not None:
            on_event = self._on_event
        seq = self._start(job, self._on_run_done, self._on_run_failed, on_event)
        self._run = _Run(seq, finished, failed, failure_title)
        self._cancel = cancel
        self.stateChanged.emit()

    def _end_run(self) -> _Run:
        run, self._run, self._cancel = self._run, None, None
        assert run is not None
        self.stateChanged.emit()
        return run

    def _set_look(self, look: Inspected | None) -> None:
        self.look = look
        self.stateChanged.emit()

    @Slot()
    def _on_thread_finished(self) -> None:
        for seq, (thread, _worker) in list(self._jobs.items()):
            if thread.isFinished():
                del self._jobs[seq]  # drops the worker (Python-owned)
                thread.deleteLater()  # owned by this controller; deleted in the GUI thread

    # -- relays (GUI thread) -----------------------------------------------------------------

    @Slot(object)
    def _on_inspected(self, done: Finished) -> None:
        if self._inspecting is None or done.seq != self._inspecting[0]:
            return  # a newer file was opened meanwhile
        result: Inspected = done.value
        self.catalog = result.catalog
        self._set_look(result)
        self.inspected.emit(result)
        if not self._warm:
            self._warm = True
            self._start(warm_up_job(), self._on_warm, self._on_warm)

    @Slot(object)
    def _on_history(self, done: Finished | Failed) -> None:
        """A failed read leaves the tab empty: the inspection already said what is wrong."""
        if isinstance(done, Finished) and self.look is not None and done.value.path == \
                self.look.path:  # not a file opened before this one
            self.historyLoaded.emit(done.value)

    @Slot(object)
    def _on_lookup_done(self, done: Finished | Failed) -> None:
        self._lookups.pop(done.seq, None)
        if isinstance(done, Failed):
            self.batchFailed.emit(error_report("Cannot read the files", done.error,
                                               done.traceback))

    @Slot(object)
    def _on_looked_up(self, found: object) -> None:
        self.batchInspected.emit(found)

    @Slot(object)
    def _on_batch_event(self, event: object) -> None:
        self.batchEvent.emit(event)

    @Slot(object)
    def _on_warm(self, _result: object) -> None:
        """Nothing to relay: the engine's modules are loaded."""

    @Slot(object)
    def _on_inspect_failed(self, failed: Failed) -> None:
        if self._inspecting is None or failed.seq != self._inspecting[0]:
            return
        self._set_look(None)
        self.inspectFailed.emit(self._inspecting[1], error_report(
            "Cannot open the file", failed.error, failed.traceback))

    @Slot(object)
    def _on_diff_done(self, done: Finished) -> None:
        self.diffFinished.emit(done.value)

    @Slot(object)
    def _on_diff_failed(self, failed: Failed) -> None:
        self.diffFailed.emit(error_report("Cannot compare the schemas", failed.error,
                                          failed.traceback))

    @Slot(object)
    def _on_listed(self, done: Finished) -> None:
        path, backups = done.value
        self.backupsListed.emit(path, backups)

    @Slot(object)
    def _on_deleted(self, done: Finished) -> None:
        self.backupsDeleted.emit(done.value)

    @Slot(object)
    def _on_backups_failed(self, failed: Failed) -> None:
        self.backupsFailed.emit(error_report("Backups", failed.error, failed.traceback))

    @Slot(object)
    def _on_event(self, event: object) -> None:
        self.runEvent.emit(event)

    @Slot(object)
    def _on_run_done(self, done: Finished) -> None:
        self._end_run().finished.emit(done.value)

    @Slot(object)
    def _on_run_failed(self, failed: Failed) -> None:
        run = self._end_run()
        run.failed.emit(error_report(run.failure_title, failed.error, failed.traceback))
